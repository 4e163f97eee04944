"""Build: reviewed catalogs -> letters and flyers (PDF), web snippets (HTML), MO files, index.html.

Each document publishes in a language only as the publishing policy allows
(:func:`pipeline.policy.decide`): a vital one when fully reviewed and free of check
errors, others from a reviewed share on, with machine text labelled. ``draft``
builds everything with a watermark. A language that may not publish is skipped with
its reason, and its old outputs are removed, so nothing stale stays published.

Builds are incremental: a manifest in the build folder keeps a fingerprint of each
output's inputs (its page data, template, fonts) and of the bytes written, and an output
is not rendered again only when both still match (a file edited or planted in the build
folder is rendered afresh).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib

from pipeline import __version__, catalogs, languages, policy
from pipeline.checks import check_catalog
from pipeline.documents import Document, discover
from pipeline.errors import LanguageError, PathError, SettingsError, StateError
from pipeline.files import (
    LINK,
    atomic_write,
    atomic_write_text,
    check_folder,
    confined,
    read_regular,
)
from pipeline.glossary import Glossary, load_glossary
from pipeline.render import fonts, pdf, web
from pipeline.render import words as template_words
from pipeline.render.page import Page, Source, Translations, build_page
from pipeline.settings import FORMATS, SAFE_NAME, Settings

SUFFIXES = {"letter": ".letter.pdf", "flyer": ".flyer.pdf", "web": ".web.html", "mo": ".mo"}
MANIFEST = ".manifest.json"
#: Every output in the build folder and how it was last built, for ``index.html``.
OUTPUTS = ".outputs.json"
OVERFLOW = (
    f"flyer does not fit one page, even in {pdf.FLYER_SIZES[-1]} pt type: "
    "name the sections it carries under 'flyer:' in the front matter"
)


@dataclass(frozen=True)
class Output:
    lang: str
    doc_id: str
    format: str
    path: str  # relative to the build folder
    status: str  # published | draft | skipped
    reason: str
    rebuilt: bool


@dataclass(frozen=True)
class BuildResult:
    folder: str
    outputs: list[Output]
    index: str
    overflow: list[str] = dataclasses.field(default_factory=list)  # flyers past one page

    @property
    def rebuilt(self) -> int:
        return sum(o.rebuilt for o in self.outputs)


@dataclass(frozen=True)
class Edition:
    """A document in one language, ready to render, and whether it may be published."""

    page: Page
    decision: policy.Decision
    catalog: polib.POFile | None


def select_documents(settings: Settings, wanted: tuple[str, ...] = ()) -> list[Document]:
    documents = discover(settings.source_path, settings.root)
    known = {d.id for d in documents}
    for doc_id in wanted:
        if doc_id not in known:
            raise SettingsError(
                f"no document {doc_id!r} (documents: {', '.join(sorted(known))})",
                settings.source_path,
            )
    return [d for d in documents if not wanted or d.id in wanted]


class Library:
    """Catalogs, checks and template words of a project, read once per run."""

    def __init__(self, settings: Settings, draft: bool):
        self.settings = settings
        self.draft = draft
        self.glossary: Glossary = load_glossary(settings.glossary_path)
        self._words: dict[str, dict[str, str]] = {}

    def catalog(self, lang: str, doc_id: str) -> polib.POFile | None:
        path = self.settings.catalog_path(lang, doc_id)
        if not path.exists():
            return None
        return catalogs.read_catalog(path, path.relative_to(self.settings.root))

    def errors(self, catalog: polib.POFile | None, lang: str) -> set[str]:
        if catalog is None:
            return set()
        findings = check_catalog(catalog, languages.get(lang), self.glossary)
        return {f.msgid for f in findings if f.level == "error"}

    def words(self, lang: str) -> dict[str, str]:
        """The templates' words in ``lang`` (English where not reviewed, or not drafted with ``draft``)."""
        if lang not in self._words:
            root, phone = self.settings.root, self.settings.district.phone
            if lang == self.settings.source_language:
                self._words[lang] = template_words.words(root, lambda msgid: None, phone)
            else:
                catalog = self.catalog(lang, template_words.CATALOG_ID)
                lookup = Translations(catalog, self.draft, self.errors(catalog, lang))
                self._words[lang] = template_words.words(root, lookup.word, phone)
        return self._words[lang]

    def edition(self, document: Document, lang: str) -> Edition:
        """The page of ``document`` in ``lang`` and the publishing decision for it."""
        settings = self.settings
        language = languages.get(lang)
        if lang == settings.source_language:
            page = build_page(document, language, Source(), settings.district, self.words(lang))
            total = len({s.msgid for s in document.segments()})
            return Edition(page, policy.Decision(True, "source text", total, total), None)
        catalog = self.catalog(lang, document.id)
        errors = self.errors(catalog, lang)
        text = Translations(catalog, self.draft, errors)
        shown = settings.catalog_path(lang, document.id).relative_to(settings.root)
        page = build_page(
            document,
            language,
            text,
            settings.district,
            self.words(lang),
            self.draft,
            shown,
            self.words(settings.source_language),
        )
        return Edition(page, policy.for_document(settings, document, catalog, errors), catalog)


def build(
    settings: Settings,
    langs: tuple[str, ...] = (),
    docs: tuple[str, ...] = (),
    formats: tuple[str, ...] = (),
    draft: bool = False,
    out: Path | None = None,
) -> BuildResult:
    """Build the selected outputs into ``out`` (default: the project's build folder)."""
    for name in formats:
        if name not in FORMATS:
            raise SettingsError(f"unknown format {name!r} (formats: {', '.join(FORMATS)})")
    if out is not None:
        check_output_folder(settings, out)
    folder = out or settings.build_path
    shown = folder.relative_to(settings.root) if folder.is_relative_to(settings.root) else folder
    if folder.is_dir():  # (the project's build folder is checked with the settings; -o too)
        check_folder(folder, settings.root)
    library = Library(settings, draft)
    manifest = _read_manifest(folder, shown)
    vouched = dict(manifest)
    withdrawn: list[Path] = []
    outputs: list[Output] = []
    jobs: list[Job] = []
    codes = [settings.source_language, *settings.select_languages(langs)]
    for document in select_documents(settings, docs):
        wanted = formats or tuple(
            settings.document_options(document.id).formats or settings.build.formats
        )
        english = library.edition(document, settings.source_language).page
        for lang in codes:
            edition = library.edition(document, lang)
            status = "draft" if draft else "published" if edition.decision.publish else "skipped"
            for fmt in wanted:
                if fmt == "mo" and edition.catalog is None:
                    continue  # English, or a language with no catalog yet: nothing to compile
                relative = f"{lang}/{document.id}{SUFFIXES[fmt]}"
                output = Output(
                    lang, document.id, fmt, relative, status, edition.decision.reason, False
                )
                if status == "skipped":
                    withdrawn.append(folder / relative)
                    manifest.pop(relative, None)
                    outputs.append(output)
                    continue
                job = _plan(settings, output, edition, english, draft)
                vouched_for = manifest.get(relative)
                fresh = vouched_for is not None and vouched_for == _vouch(
                    job.fingerprint, folder, relative, shown
                )
                outputs.append(output if fresh else dataclasses.replace(output, rebuilt=True))
                if not fresh:
                    jobs.append(job)
    # index.html lists every output of the folder, not only this run's; and a build that
    # publishes leaves no draft of an earlier --draft run where families could take it
    listed = _read_outputs(folder, shown)
    listed.update({o.path: dataclasses.replace(o, rebuilt=False) for o in outputs})
    withdrawn += _unconfigured(settings, folder, shown, listed, manifest)
    if not draft:
        for path, output in list(listed.items()):
            if output.status == "draft":
                withdrawn.append(folder / path)
                manifest.pop(path, None)
                del listed[path]
    # Every missing glyph is found before anything is written.
    for job in jobs:
        if job.output.format in ("letter", "flyer"):
            pdf.check_fonts(job.edition.page, job.data["fonts"])
    # The manifest stops vouching for an output before it is replaced or removed: after
    # a kill mid-build, the next build renders it again instead of trusting a stale fingerprint.
    for job in jobs:
        manifest.pop(job.output.path, None)
    if manifest != vouched:
        _write_manifest(folder, manifest)
    for path in withdrawn:
        path.unlink(missing_ok=True)
    printers: dict[str, pdf.PrintTemplate] = {}
    for job in jobs:
        if _render(settings, folder / job.output.path, job, printers):
            manifest[job.output.path] = _vouch(job.fingerprint, folder, job.output.path, shown)
            continue
        # a flyer that does not fit one page is not published on two, nor left stale
        (folder / job.output.path).unlink(missing_ok=True)
        overflowing = dataclasses.replace(job.output, status="skipped", reason=OVERFLOW)
        outputs[outputs.index(dataclasses.replace(job.output, rebuilt=True))] = overflowing
        listed[job.output.path] = dataclasses.replace(overflowing, rebuilt=False)
    index_path = folder / "index.html"
    order = {code: i for i, code in enumerate([settings.source_language, *settings.languages])}
    rows = sorted(
        listed.values(),
        key=lambda o: (order[o.lang], o.doc_id, FORMATS.index(o.format)),
    )
    atomic_write_text(
        index_path, web.index(settings.root, settings.district.name, _index_rows(settings, rows))
    )
    atomic_write_text(
        folder / OUTPUTS,
        json.dumps({o.path: o.__dict__ for o in rows}, indent=1, sort_keys=True) + "\n",
    )
    _write_manifest(folder, manifest)
    overflow = [o.path for o in outputs if o.reason == OVERFLOW]
    return BuildResult(folder.as_posix(), outputs, index_path.as_posix(), overflow)


def check_output_folder(settings: Settings, out: Path) -> None:
    """``build -o`` writes and withdraws files: never through a link inside the project,
    never over (or inside) its sources, catalogs, state, glossary or ``.git``."""
    root = settings.root.resolve()
    absolute = Path(os.path.abspath(out))
    if absolute.is_relative_to(root):
        for part in reversed([absolute, *absolute.parents]):
            if part.is_relative_to(root) and part != root and part.is_symlink():
                raise PathError(LINK, part.relative_to(root))
    target = absolute.resolve()
    for kept in (
        settings.source_path,
        settings.locales_path,
        settings.state_path,
        settings.glossary_path,
        settings.root / ".git",
    ):
        kept = kept.resolve()
        if target.is_relative_to(kept) or kept.is_relative_to(target):
            shown = kept.relative_to(root) if kept.is_relative_to(root) else kept
            raise SettingsError(f"the output folder must be apart from {shown.as_posix()}/", out)


@dataclass(frozen=True)
class Job:
    """One output to render: its data and the fingerprint of everything it is made from."""

    output: Output
    edition: Edition
    data: Any
    fingerprint: str


def _plan(settings: Settings, output: Output, edition: Edition, english: Page, draft: bool) -> Job:
    page, fmt = edition.page, output.format
    if fmt == "mo":
        data: Any = None if edition.catalog is None else edition.catalog.to_binary().hex()
        template = None
    elif fmt == "web":
        data = {"page": repr(page)}
        template = template_words.template_file(settings.root, "web.html.j2")
    else:
        data = pdf.document_data([page], draft, page.title.text)
        if fmt == "flyer" and _bilingual(settings, page):
            data["english"] = pdf.version_data(english)
        template = pdf.print_template(settings.root, f"{fmt}.typ")
    return Job(output, edition, data, _fingerprint(data, template))


def _render(
    settings: Settings, path: Path, job: Job, printers: dict[str, pdf.PrintTemplate]
) -> bool:
    """Write one output; False for a flyer that does not fit one page (nothing written)."""
    fmt = job.output.format
    if fmt == "mo" and job.edition.catalog is not None:
        catalogs.compile_catalog(path, job.edition.catalog)
    elif fmt == "web":
        atomic_write_text(path, web.snippet(settings.root, job.edition.page))
    else:
        if fmt not in printers:
            printers[fmt] = pdf.PrintTemplate(settings.root, f"{fmt}.typ")
        printer = printers[fmt]
        made = printer.render_one_page(job.data) if fmt == "flyer" else printer.render(job.data)
        if made is None:
            return False
        atomic_write(path, made)
    return True


def _bilingual(settings: Settings, page: Page) -> bool:
    option = settings.document_options(page.doc_id).bilingual_flyer
    wanted = settings.build.bilingual_flyer if option is None else option
    return wanted and page.lang.code != settings.source_language


def _fingerprint(data: Any, template: Path | None) -> str:
    h = hashlib.sha256(f"homelang {__version__}\n{fonts.digest()}\n".encode())
    h.update(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode())
    if template is not None:
        h.update(template.read_bytes())
        h.update(
            (template.parent / "common.typ").read_bytes() if template.suffix == ".typ" else b""
        )
    return h.hexdigest()


def _unconfigured(
    settings: Settings,
    folder: Path,
    shown: Path,
    listed: dict[str, Output],
    manifest: dict[str, str],
) -> list[Path]:
    """Forget (in ``listed`` and ``manifest``) every output of a language or document no
    longer configured, and return their paths to withdraw: only paths an earlier build
    wrote, as its manifest or ``.outputs.json`` name them."""
    langs = {settings.source_language, *settings.languages}
    docs = {d.id for d in discover(settings.source_path, settings.root)}
    gone = []
    for path in sorted({*listed, *manifest}):
        named = _OUTPUT_PATH.fullmatch(path)
        if named and (named["lang"] not in langs or named["doc"] not in docs):
            gone.append(confined(folder, path, shown / MANIFEST))
            listed.pop(path, None)
            manifest.pop(path, None)
    return gone


#: ``<lang>/<doc-id><suffix>``: what a path in the manifest or ``.outputs.json`` must look like.
_OUTPUT_PATH = re.compile(
    r"(?P<lang>\w+)/(?P<doc>[a-z0-9][a-z0-9_-]*)(?:"
    + "|".join(map(re.escape, SUFFIXES.values()))
    + ")"
)


def _vouch(fingerprint: str, folder: Path, relative: str, shown: Path) -> str | None:
    """The manifest's word for an output: its inputs' fingerprint and its bytes' digest
    (None when the file is missing)."""
    try:
        data = read_regular(folder / relative, shown / relative)
    except FileNotFoundError:
        return None
    return f"{fingerprint} {hashlib.sha256(data).hexdigest()}"


def _read_manifest(folder: Path, shown: Path) -> dict[str, str]:
    """Fingerprints by output path; a damaged manifest only makes the build render again."""
    try:
        data = json.loads(read_regular(folder / MANIFEST, shown / MANIFEST).decode("utf-8"))
    except (FileNotFoundError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)}


def _read_outputs(folder: Path, shown: Path) -> dict[str, Output]:
    """What earlier builds wrote into ``folder``, as ``.outputs.json`` lists it.

    The file is input like any other (someone may have edited or planted it): each entry
    must name one output this build could have written, ``<lang>/<doc-id><suffix>``,
    before its path is deleted or linked from ``index.html``. A damaged file is refused
    with the entry's number (never its text): a build that forgot its outputs would leave
    old drafts where a publishing build must remove them.
    """
    where = shown / OUTPUTS
    try:
        raw = read_regular(folder / OUTPUTS, where)
    except FileNotFoundError:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise StateError(f"not JSON; {_AFRESH}", where) from None
    if not isinstance(data, dict):
        raise StateError(f"not a table of outputs; {_AFRESH}", where)
    outputs = {}
    for number, (key, row) in enumerate(data.items(), 1):
        problem = output_problem(key, row)
        if problem:
            raise StateError(f"entry {number}: {problem}; {_AFRESH}", where)
        outputs[key] = Output(**{**row, "reason": row.get("reason", ""), "rebuilt": False})
        confined(folder, key, where)
    return outputs


def _is_language(code: str) -> bool:
    try:
        languages.get(code)
    except LanguageError:
        return False
    return True


_AFRESH = "delete it and build again to start the index afresh"
_OUTPUT_FIELDS = {f.name: f.type for f in dataclasses.fields(Output)}


def output_problem(key: object, row: object) -> str | None:
    """What makes an ``.outputs.json`` entry something other than an output we write, or None."""
    if not isinstance(row, dict):
        return "not a table"
    unknown = sorted(str(name) for name in row if name not in _OUTPUT_FIELDS)
    if unknown:
        return (
            f"unknown field {unknown[0][:40]!r}" if unknown[0].isidentifier() else "unknown field"
        )
    for name in ("lang", "doc_id", "format", "path", "status"):
        if not isinstance(row.get(name), str):
            return f"field {name!r} is missing or not text"
    if not isinstance(row.get("reason", ""), str) or not isinstance(
        row.get("rebuilt", False), bool
    ):
        return "field 'reason' or 'rebuilt' of the wrong kind"
    if row["format"] not in SUFFIXES:
        return "field 'format' is not a format"
    if row["status"] not in ("published", "draft", "skipped"):
        return "field 'status' is not a status"
    if not SAFE_NAME.fullmatch(row["doc_id"]) or not _is_language(row["lang"]):
        return "field 'doc_id' or 'lang' is not a document id or language code"
    expected = f"{row['lang']}/{row['doc_id']}{SUFFIXES[row['format']]}"
    if key != expected or row["path"] != expected:
        return "its path is not the output it names"
    return None


def _write_manifest(folder: Path, manifest: dict[str, str]) -> None:
    atomic_write_text(folder / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def _index_rows(settings: Settings, outputs: list[Output]) -> list[dict[str, Any]]:
    rows = []
    for code in dict.fromkeys(o.lang for o in outputs):
        lang = languages.get(code)
        rows.append(
            {
                "code": code,
                "tag": lang.tag,
                "direction": lang.direction,
                "script": lang.script,
                "native_name": lang.native_name,
                "english_name": lang.english_name
                + (" (source)" if code == settings.source_language else ""),
                "outputs": [{**o.__dict__, "href": o.path} for o in outputs if o.lang == code],
            }
        )
    return rows
