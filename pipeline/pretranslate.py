"""Pretranslate: fill every empty catalog entry with a machine draft, marked as such.

Only empty entries are filled; what a person wrote, fuzzy or not, is never touched.
Each entry is tried, in order, from the translation memory (people's reviewed
translations, marked ``memory``), from the cache of earlier machine output, and
finally from the language's provider, concurrently, in batches, within the budget.
Drafts are fuzzy with a ``# machine: <provider> <date>`` comment. Results reach the
catalogs in atomic checkpoints that re-read each file and fill only entries still
empty on disk, so Ctrl-C, a kill or a translator saving meanwhile loses nothing.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline import catalogs, providers, review, states
from pipeline.assignments import entry_key
from pipeline.errors import SettingsError
from pipeline.glossary import Glossary, load_glossary
from pipeline.memory import Cache, TranslationMemory, read_imported
from pipeline.protect import Protected, TokenError, protect, restore
from pipeline.providers import Engine, ProviderConfig
from pipeline.providers.resilience import (
    CircuitBreaker,
    ProviderStopped,
    RateLimiter,
    RequestFailed,
)
from pipeline.settings import Settings

#: Seconds between checkpoints: a kill loses at most this much work from the catalogs
#: (the cache still has it, so the next run does not pay for it again).
CHECKPOINT_SECONDS = 1.0

Key = tuple[str | None, str]


@dataclass
class LanguageSummary:
    """What a run did (or, with ``--dry-run``, would do) for one language."""

    lang: str
    provider: str
    empty: int = 0
    from_memory: int = 0
    from_cache: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    chars: int = 0
    requests: int = 0
    cost: float = 0.0
    notes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class PretranslateResult:
    dry_run: bool
    languages: list[LanguageSummary]
    changed: list[str] = field(default_factory=list)
    kept_by_person: int = 0  # drafts not written: a person filled the entry during the run

    @property
    def ok(self) -> bool:
        """False when an entry failed or a provider stopped (the CLI exits 1)."""
        return not any(s.failed or s.errors for s in self.languages)


@dataclass
class _Item:
    path: Path
    key: Key
    protected: Protected


@dataclass
class _Batch:
    engine: Engine
    summary: LanguageSummary
    texts: list[str]
    items: list[list[_Item]]  # per text: every entry waiting for it


def pretranslate(
    settings: Settings,
    langs: tuple[str, ...] = (),
    docs: tuple[str, ...] = (),
    provider: str | None = None,
    dry_run: bool = False,
    max_chars: int | None = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> PretranslateResult:
    """Fill the selected catalogs' empty entries; ``provider`` overrides the per-language choice.

    ``progress(entries_done, entries_total)`` is called as each request's results arrive.
    """
    if provider is not None and provider not in (*providers.NAMES, "none"):  # none: memory only
        raise SettingsError(f"unknown provider {provider!r} (known: {', '.join(providers.NAMES)})")
    catalogs.select_templates(settings, docs)  # an unknown document is an error
    doc_ids = catalogs.template_ids(settings)
    selected = settings.select_languages(
        langs
    )  # before the cache is created: an error changes nothing
    budget = settings.pretranslate.max_chars if max_chars is None else max_chars
    run = _Run(
        settings,
        load_glossary(settings.glossary_path, Path(settings.glossary)),
        Cache(settings.state_path / "cache.sqlite", read_only=dry_run),
        _Writer(settings, dry_run),
    )
    summaries, work = [], []
    try:
        for lang in selected:
            name = provider or settings.pretranslate.provider_for(lang)
            summaries.append(LanguageSummary(lang, name))
            work += _plan(run, summaries[-1], docs or tuple(doc_ids), doc_ids)
        batches = _within_budget(work, budget)
        if not dry_run:
            run.writer.flush()
            _send(
                batches, run.cache, run.writer, workers or settings.pretranslate.workers, progress
            )
    finally:
        run.cache.close()
    for summary in summaries if run.cache.problem else []:
        summary.notes.append(run.cache.problem)
    changed = sorted(run.writer.changed)
    return PretranslateResult(dry_run, summaries, changed, run.writer.kept_by_person)


@dataclass
class _Run:
    """What every language of one run shares."""

    settings: Settings
    glossary: Glossary
    cache: Cache
    writer: _Writer
    # one circuit breaker and one rate limit per provider, shared by its languages
    providers: dict[str, tuple[CircuitBreaker, RateLimiter]] = field(default_factory=dict)


def _plan(
    run: _Run, summary: LanguageSummary, selected: tuple[str, ...], doc_ids: list[str]
) -> list[_Batch]:
    """Fill what memory and cache can for one language; return the texts left to send."""
    settings, writer, lang = run.settings, run.writer, summary.lang
    memory = TranslationMemory()
    empty: list[tuple[Path, polib.POEntry]] = []
    out, held = review.held(settings, lang), 0
    for doc_id in doc_ids:
        path = settings.catalog_path(lang, doc_id)
        if not path.exists():
            if doc_id in selected:
                summary.notes.append(
                    f"no catalog {path.relative_to(settings.root)}; run 'homelang update'"
                )
            continue
        catalog = catalogs.read_catalog(path, path.relative_to(settings.root))
        memory.add_catalog(catalog)
        if doc_id in selected:
            fillable = [
                e for e in catalog if not e.obsolete and states.fillable(e, summary.provider)
            ]
            free = [e for e in fillable if entry_key(doc_id, e) not in out]
            held += len(fillable) - len(free)
            empty += [(path, e) for e in free]
    if held:  # a draft now would make the reviewer's returned text a conflict
        summary.notes.append(f"{held} entries out in review packets were left to their reviewers")
    if imported := read_imported(settings, lang):
        memory.add_imported(imported)
    summary.empty = len(empty)
    waiting: list[tuple[Path, polib.POEntry]] = []
    for path, entry in empty:
        found = None if entry.msgid_plural else memory.lookup(entry.msgid, entry.msgctxt)
        if found is not None:
            writer.fill(path, (entry.msgctxt, entry.msgid), found, "memory")
            summary.from_memory += 1
        elif entry.msgid_plural:
            summary.skipped += 1
        else:
            waiting.append((path, entry))
    if entry_count := sum(1 for _, e in empty if e.msgid_plural):
        summary.notes.append(f"{entry_count} plural entries left for people")
    if not waiting:
        return []
    name = summary.provider
    target = providers.route(name, lang)
    if name == "none" or target is None:
        summary.skipped += len(waiting)
        why = (
            "no provider configured (language_providers)"
            if name == "none"
            else f"{name} has no route to {lang}"
        )
        summary.notes.append(f"{why}: {len(waiting)} entries left for people")
        return []
    engine = _engine(run, name, target)
    by_text: dict[str, list[_Item]] = {}
    for path, entry in waiting:
        terms = {
            t.term: (t.term if t.keep else t.translation)
            for t in run.glossary.applicable(entry.msgid, lang)
        }
        item = _Item(path, (entry.msgctxt, entry.msgid), protect(entry.msgid, terms))
        cached = (
            None
            if engine.offline
            else run.cache.get(name, engine.source, target, item.protected.text)
        )
        if cached is not None and _fill(writer, item, cached, name):
            summary.from_cache += 1
        else:
            by_text.setdefault(item.protected.text, []).append(item)
    too_long = [t for t in by_text if providers.pieces(t, engine.config.max_chars) is None]
    for text in too_long:
        summary.failed += len(by_text.pop(text))
    if too_long:
        summary.errors.append(
            f"{len(too_long)} segments have a sentence over {name}'s limit "
            f"({engine.config.max_chars} characters a request)"
        )
    return [_Batch(engine, summary, list(by_text), list(by_text.values()))]


def _engine(run: _Run, name: str, target: str) -> Engine:
    settings = run.settings
    config = (
        ProviderConfig("pseudo") if name == "pseudo" else providers.provider_config(settings, name)
    )
    source = providers.route(name, settings.source_language) or settings.source_language
    if name not in run.providers:
        run.providers[name] = (CircuitBreaker(), RateLimiter(config.per_second))
    return Engine(config, source, target, *run.providers[name])


def _within_budget(work: list[_Batch], budget: int) -> list[_Batch]:
    """Split each language's texts into requests; texts past ``budget`` characters are skipped."""
    used, batches = 0, []
    for plan in work:
        summary, kept = plan.summary, 0
        for index, text in enumerate(plan.texts):
            if budget and used + len(text) > budget:
                summary.skipped += sum(len(items) for items in plan.items[index:])
                summary.notes.append(
                    f"budget of {budget} characters reached: "
                    f"{len(plan.texts) - index} segments not sent"
                )
                break
            used += len(text)
            kept += 1
        texts, items = plan.texts[:kept], plan.items[:kept]
        summary.chars = sum(map(len, texts))
        summary.cost = plan.engine.config.cost(summary.chars)
        groups = providers.batches(texts, plan.engine.config.max_chars)
        limit = plan.engine.config.max_chars
        summary.requests = (
            0
            if plan.engine.offline
            else sum(
                len(providers.pieces(texts[g[0]], limit) or ()) if len(g) == 1 else 1
                for g in groups
            )
        )
        batches += [
            _Batch(plan.engine, summary, [texts[i] for i in g], [items[i] for i in g])
            for g in groups
        ]
    return batches


def _send(
    batches: list[_Batch],
    cache: Cache,
    writer: _Writer,
    workers: int,
    progress: Callable[[int, int], None] | None,
) -> None:
    """Translate every batch concurrently; checkpoint results into the catalogs as they come."""
    engines = {id(b.engine): b.engine for b in batches}
    total = sum(len(items) for b in batches for items in b.items)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pretranslate")
    try:
        futures: dict[Future, _Batch] = {
            pool.submit(b.engine.translate_many, b.texts): b for b in batches
        }
        for future in as_completed(futures):
            batch = futures[future]
            _collect(batch, future, cache, writer)
            if progress:
                progress(sum(len(items) for items in batch.items), total)
            writer.flush(every=CHECKPOINT_SECONDS)
    finally:
        for engine in engines.values():
            engine.breaker.trip("interrupted")  # queued batches send nothing after Ctrl-C
        pool.shutdown(wait=False, cancel_futures=True)
        writer.flush()
        _count_requests(batches, engines)


def _collect(batch: _Batch, future: Future, cache: Cache, writer: _Writer) -> None:
    summary, engine = batch.summary, batch.engine
    entries = sum(len(items) for items in batch.items)
    try:
        outputs = future.result()
    except ProviderStopped as error:
        summary.skipped += entries
        _error(summary, error.message.removeprefix("stopped: "), engine.name)
        return
    except RequestFailed as error:
        summary.failed += entries
        _error(summary, error.message, engine.name)
        return
    good: list[tuple[str, str]] = []
    for text, items, output in zip(batch.texts, batch.items, outputs, strict=True):
        if isinstance(output, RequestFailed):
            summary.failed += len(items)
            _error(summary, output.message, engine.name)
            continue
        if all(_fill(writer, item, output, engine.name) for item in items):
            summary.sent += len(items)
            good.append((text, output))
        else:
            summary.failed += len(items)
            _error(
                summary,
                "machine output with broken tokens rejected (links, placeholders or marks)",
                engine.name,
            )
    if not engine.offline:
        cache.put_many(engine.name, engine.source, engine.target, good)


def _error(summary: LanguageSummary, message: str, provider: str) -> None:
    line = f"{provider}: {message}"
    if line not in summary.errors:
        summary.errors.append(line)


def _count_requests(batches: list[_Batch], engines: dict[int, Engine]) -> None:
    """Requests actually made, retries and per-text fallbacks included (one engine per language)."""
    for engine in engines.values():
        next(b.summary for b in batches if b.engine is engine).requests = engine.requests


def _fill(writer: _Writer, item: _Item, output: str, provider: str) -> bool:
    """Restore ``output``'s tokens and queue it for the catalog; False if a token was broken."""
    try:
        text = restore(item.protected, output)
    except TokenError:
        return False
    writer.fill(item.path, item.key, text, provider)
    return True


class _Writer:
    """Checkpoints: queued drafts go into the catalogs on disk, where entries are still empty."""

    def __init__(self, settings: Settings, dry_run: bool):
        self.settings, self.dry_run = settings, dry_run
        self.pending: dict[Path, dict[Key, tuple[str, str]]] = {}
        self.changed: set[str] = set()
        self.kept_by_person = 0
        self._last = time.monotonic()

    def fill(self, path: Path, key: Key, text: str, provider: str) -> None:
        self.pending.setdefault(path, {})[key] = (text, provider)

    def flush(self, every: float = 0.0) -> None:
        """Write pending drafts (if ``every`` seconds passed since the last checkpoint)."""
        if self.dry_run or not self.pending or time.monotonic() - self._last < every:
            return
        date = catalogs.timestamp()[:10]
        for path, fills in list(self.pending.items()):
            shown = path.relative_to(self.settings.root)
            kept: list[Key] = []
            if catalogs.modify_catalog(
                path, shown, functools.partial(_fill_empty, fills, date, kept)
            ):
                self.changed.add(shown.as_posix())
            self.kept_by_person += len(kept)
            del self.pending[path]
        self._last = time.monotonic()


def _fill_empty(
    fills: dict[Key, tuple[str, str]], date: str, kept: list[Key], catalog: polib.POFile
) -> None:
    """Fill only entries still empty on disk (a person may have saved since we read it)."""
    kept.clear()  # called again if the file changed meanwhile
    for entry in catalog:
        fill = None if entry.obsolete else fills.get((entry.msgctxt, entry.msgid))
        if fill is None:
            continue
        if not states.fillable(entry, fill[1]):
            kept.append((entry.msgctxt, entry.msgid))
            continue
        entry.msgstr = fill[0]
        states.mark_machine(entry, fill[1], date)
