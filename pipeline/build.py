"""Build: reviewed catalogs -> letters and flyers (PDF), web snippets (HTML), MO files, index.html.

Each document publishes in a language only as the publishing policy allows
(:func:`pipeline.policy.decide`): a vital one when fully reviewed and free of check
errors, others from a reviewed share on, with machine text labelled. ``draft``
builds everything with a watermark. A language that may not publish is skipped with
its reason, and its old outputs are removed, so nothing stale stays published.

Builds are incremental: a manifest in the build folder keeps a fingerprint of each
output's inputs (its page data, template, fonts) and of the bytes written, signed with
a key of the state folder, and an output is not rendered again only when both still
match: a file edited or planted in the build folder, or a build folder committed with
its manifest, is rendered afresh (:mod:`pipeline.buildfolder`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib

from pipeline import __version__, buildfolder, catalogs, languages, policy
from pipeline.buildfolder import OUTPUTS, SUFFIXES, Output, check_output_folder
from pipeline.checks import check_catalog
from pipeline.documents import Document, discover
from pipeline.errors import SettingsError
from pipeline.files import atomic_write, atomic_write_text, check_folder
from pipeline.glossary import Glossary, load_glossary
from pipeline.render import fonts, pdf, web
from pipeline.render import words as template_words
from pipeline.render.page import Page, Source, Translations, build_page
from pipeline.settings import FORMATS, Settings

OVERFLOW = (
    f"flyer does not fit one page, even in {pdf.FLYER_SIZES[-1]} pt type: "
    "name the sections it carries under 'flyer:' in the front matter"
)


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

    def errors(self, catalog: polib.POFile | None, lang: str) -> tuple[set[str], set[str]]:
        """The msgids with a check error, and those of them no shipped font can print."""
        if catalog is None:
            return set(), set()
        findings = check_catalog(catalog, languages.get(lang), self.glossary)
        errors = {f.msgid for f in findings if f.level == "error"}
        return errors, {f.msgid for f in findings if f.check_id == "glyph"}

    def words(self, lang: str) -> dict[str, str]:
        """The templates' words in ``lang`` (English where not reviewed, or not drafted with ``draft``)."""
        if lang not in self._words:
            root, phone = self.settings.root, self.settings.district.phone
            if lang == self.settings.source_language:
                self._words[lang] = template_words.words(root, lambda msgid: None, phone)
            else:
                catalog = self.catalog(lang, template_words.CATALOG_ID)
                lookup = Translations(catalog, self.draft, *self.errors(catalog, lang))
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
        errors, unprintable = self.errors(catalog, lang)
        text = Translations(catalog, self.draft, errors, unprintable)
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
    manifest = buildfolder.read_manifest(folder, shown)
    key = buildfolder.read_key(settings)
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
                fresh = vouched_for is not None and vouched_for == buildfolder.vouch(
                    key, job.fingerprint, folder, relative, shown
                )
                outputs.append(output if fresh else dataclasses.replace(output, rebuilt=True))
                if not fresh:
                    jobs.append(job)
    # index.html lists every output of the folder, not only this run's; and a build that
    # publishes leaves no draft of an earlier --draft run where families could take it
    listed = buildfolder.read_outputs(folder, shown)
    listed.update({o.path: dataclasses.replace(o, rebuilt=False) for o in outputs})
    withdrawn += buildfolder.unconfigured(settings, folder, shown, listed, manifest)
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
        buildfolder.write_manifest(folder, manifest)
    if key is None and folder == settings.build_path:  # (a -o build writes only there)
        key = buildfolder.make_key(settings)
    for path in withdrawn:
        path.unlink(missing_ok=True)
    printers: dict[str, pdf.PrintTemplate] = {}
    for job in jobs:
        if _render(settings, folder / job.output.path, job, printers):
            vouched_now = buildfolder.vouch(key, job.fingerprint, folder, job.output.path, shown)
            if vouched_now is not None:
                manifest[job.output.path] = vouched_now
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
    buildfolder.write_manifest(folder, manifest)
    overflow = [o.path for o in outputs if o.reason == OVERFLOW]
    return BuildResult(folder.as_posix(), outputs, index_path.as_posix(), overflow)


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
