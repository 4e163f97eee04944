"""Update: templates -> one PO catalog per language and document, merged like msgmerge."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import catalogs, languages
from pipeline.files import atomic_write
from pipeline.merge import FuzzyMatcher, MergeStats, key, merge
from pipeline.settings import Settings


@dataclass(frozen=True)
class CatalogUpdate:
    lang: str
    doc_id: str
    path: str
    created: bool
    changed: bool
    kept: int
    new: int
    fuzzy: int
    obsolete: int


def update(
    settings: Settings,
    langs: tuple[str, ...] = (),
    docs: tuple[str, ...] = (),
    check: bool = False,
) -> list[CatalogUpdate]:
    """Bring every selected catalog up to date with its template (``check``: compare only).

    All catalogs are read and merged before any is written, so a bad file anywhere
    stops the run with nothing changed. A catalog saved meanwhile (Poedit during a
    long run) is read and merged again, never overwritten. Large projects merge on
    every core, one document per task (the fuzzy matches of a document are shared by
    its languages).
    """
    selected = settings.select_languages(langs)
    tasks = [
        (settings, doc_id, tuple(selected)) for doc_id in catalogs.select_templates(settings, docs)
    ]
    workers = min(os.cpu_count() or 1, len(tasks))
    if workers > 1 and len(tasks) * len(selected) >= PARALLEL_FROM:
        # spawn, not fork: a worker must not inherit the project lock's descriptor, or a
        # killed run's orphaned workers would hold the lock after it died.
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            merged = [
                item
                for chunk in pool.map(_merge_document, *zip(*tasks, strict=True))
                for item in chunk
            ]
    else:
        merged = [item for task in tasks for item in _merge_document(*task)]
    if not check:
        for result, data, digest in merged:
            if data is not None:
                _write(settings, result, data, digest)
    return [result for result, _, _ in merged]


#: Below this many catalogs, starting worker processes costs more than it saves.
PARALLEL_FROM = 48


def _merge_document(
    settings: Settings, doc_id: str, langs: tuple[str, ...]
) -> list[tuple[CatalogUpdate, bytes | None, bytes | None]]:
    """Merge one template into each language's catalog: results, bytes to write, digest read."""
    template_path = settings.template_path(doc_id)
    template = catalogs.read_catalog(template_path, _shown(settings, template_path))
    olds, digests = {}, {}
    for lang in langs:
        path = settings.catalog_path(lang, doc_id)
        raw = catalogs.read_bytes(path, _shown(settings, path)) if path.exists() else None
        digests[lang] = _digest(raw)
        olds[lang] = None if raw is None else catalogs.parse_catalog(raw, _shown(settings, path))
    matcher = FuzzyMatcher(olds.values())  # ranks each new English once for every language
    keys = [{key(e) for e in old} for old in olds.values() if old is not None]
    everywhere = set.intersection(*keys) if keys else set()  # no fuzzy search needed there
    matcher.prepare(s.msgid for s in template if not s.obsolete and key(s) not in everywhere)
    out = []
    for lang in langs:
        path = settings.catalog_path(lang, doc_id)
        data, stats = _merge_catalog(template, olds[lang], lang, path, matcher)
        result = CatalogUpdate(
            lang=lang,
            doc_id=doc_id,
            path=_shown(settings, path).as_posix(),
            created=olds[lang] is None,
            changed=data is not None,
            kept=stats.kept,
            new=stats.new,
            fuzzy=stats.fuzzy,
            obsolete=stats.obsolete,
        )
        out.append((result, data, digests[lang]))
    return out


def _merge_catalog(
    template: polib.POFile,
    old: polib.POFile | None,
    lang: str,
    path: Path,
    matcher: FuzzyMatcher,
) -> tuple[bytes | None, MergeStats]:
    metadata = catalogs.catalog_headers(template, languages.get(lang), old)
    catalog, stats = merge(template, old, metadata, matcher)
    before = catalogs.content(old) if old is not None else None
    return catalogs.prepare_catalog(path, catalog, before=before), stats


def _digest(raw: bytes | None) -> bytes | None:
    return None if raw is None else hashlib.blake2b(raw).digest()


def _write(settings: Settings, result: CatalogUpdate, data: bytes, digest: bytes | None) -> None:
    """Write a merged catalog, or merge again a save made since it was read (never overwrite it)."""
    path = settings.root / result.path
    shown = Path(result.path)
    try:
        now = _digest(path.read_bytes())
    except FileNotFoundError:
        now = None
    if now == digest:
        atomic_write(path, data)
        return
    template_path = settings.template_path(result.doc_id)
    template = catalogs.read_catalog(template_path, _shown(settings, template_path))

    def merge_again(catalog: polib.POFile) -> None:
        merged, _ = merge(
            template,
            catalog,
            catalogs.catalog_headers(template, languages.get(result.lang), catalog),
        )
        catalog[:] = merged
        catalog.header, catalog.metadata = merged.header, merged.metadata

    catalogs.modify_catalog(path, shown, merge_again)


def _shown(settings: Settings, path: Path) -> Path:
    return path.relative_to(settings.root)


@dataclass(frozen=True)
class CompiledCatalog:
    lang: str
    doc_id: str
    path: str
    translated: int
    changed: bool


def compile_catalogs(
    settings: Settings, langs: tuple[str, ...] = (), docs: tuple[str, ...] = ()
) -> list[CompiledCatalog]:
    """Write ``<doc-id>.mo`` beside each PO file; fuzzy entries are left out, as msgfmt does."""
    results = []
    for doc_id in catalogs.select_templates(settings, docs):
        for lang in settings.select_languages(langs):
            path = settings.catalog_path(lang, doc_id)
            if not path.exists():
                continue
            catalog = catalogs.read_catalog(path, _shown(settings, path))
            mo = path.with_suffix(".mo")
            changed = catalogs.compile_catalog(mo, catalog)
            results.append(
                CompiledCatalog(
                    lang,
                    doc_id,
                    _shown(settings, mo).as_posix(),
                    len(catalog.translated_entries()),
                    changed,
                )
            )
    return results
