"""Translations in and out: ``memory import`` (PO, TMX) and ``memory export --tmx``.

Districts hold translations from vendors and earlier years. ``import_memory`` reads
them into ``locales/<lang>/memory.po`` (one entry per English text, a comment saying
which file and line it came from; git keeps it with the catalogs), where the
translation memory finds them after people's reviewed translations. They become
``memory`` drafts (fuzzy, never ``reviewed`` without a person), filled the way
``pretranslate`` fills from memory. ``export_tmx`` writes every reviewed translation
as TMX 1.4, the exchange standard, so no district's work is locked in here.

PO files are read by :mod:`pipeline.catalogs`, TMX by translate-toolkit. Every file
is read and checked before anything is written: a bad one is one line naming the
file and line, and nothing changes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import polib
from lxml import etree
from translate.storage import tmx

from pipeline import catalogs, languages, memory
from pipeline.errors import CatalogError
from pipeline.files import atomic_write
from pipeline.pretranslate import pretranslate
from pipeline.settings import Settings

_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass(frozen=True)
class Found:
    """One translation read from a file: language, English, text, and where it came from."""

    lang: str
    english: str
    text: str
    origin: str


@dataclass(frozen=True)
class ImportResult:
    lang: str
    path: str
    added: int
    replaced: int
    unchanged: int
    drafts: int  # empty entries of the catalogs filled from memory


def import_memory(
    settings: Settings, paths: list[Path], lang: str | None = None
) -> list[ImportResult]:
    """Read every file, then store its translations in each language's ``memory.po``."""
    if lang is not None:
        [lang] = settings.select_languages((lang,))  # --lang pt-BR names pt_BR
    found: list[Found] = []
    for path in paths:
        reader = read_tmx if path.suffix.lower() == ".tmx" else read_po
        found += reader(path, settings.languages, lang, _origin(settings, path))
    by_lang: dict[str, list[Found]] = {}
    for item in found:
        by_lang.setdefault(item.lang, []).append(item)
    date = catalogs.timestamp()[:10]
    prepared = [(code, *_store(settings, code, items, date)) for code, items in by_lang.items()]
    for _, path, data, _ in prepared:  # all read and merged before the first write
        if data is not None:
            atomic_write(path, data)
    # empty entries become memory drafts exactly as pretranslate makes them (no engine)
    filled = pretranslate(settings, langs=tuple(sorted(by_lang)), provider="none")
    drafts = {s.lang: s.from_memory for s in filled.languages}
    return [
        ImportResult(code, path.relative_to(settings.root).as_posix(), *counts, drafts.get(code, 0))
        for code, path, _, counts in sorted(prepared)
    ]


def _store(
    settings: Settings, lang: str, items: list[Found], date: str
) -> tuple[Path, bytes | None, tuple[int, int, int]]:
    path = memory.memory_path(settings, lang)
    catalog = memory.read_imported(settings, lang)
    before = None if catalog is None else catalogs.content(catalog)
    if catalog is None:
        catalog = polib.POFile(wrapwidth=0)
        catalog.header = (
            "Translations imported with 'homelang memory import': a translation memory."
        )
        catalog.metadata = catalogs.language_headers(
            languages.get(lang), "homelang memory", date, "homelang <>"
        )
    entries = {e.msgid: e for e in catalog if not e.obsolete}
    added = replaced = unchanged = 0
    seen: set[str] = set()
    for item in items:
        if item.english in seen:
            continue  # the first of a file's duplicates wins, as it would for a reader
        seen.add(item.english)
        note = f"imported from {item.origin} on {date}"
        entry = entries.get(item.english)
        if entry is None:
            entry = entries[item.english] = polib.POEntry(msgid=item.english)
            catalog.append(entry)
            added += 1
        elif entry.msgstr == item.text:
            unchanged += 1
            continue
        else:
            replaced += 1  # a later import corrects an earlier one
        entry.msgstr, entry.tcomment = item.text, note
    data = catalogs.prepare_catalog(path, catalog, before=before)
    return path, data, (added, replaced, unchanged)


def _configured(code: str, configured: list[str]) -> str | None:
    """The configured language a file's code names (``es-MX`` is ``es``, ``zh-TW`` is
    ``zh_Hant``, ``pt_BR`` is ``pt_BR``), if exactly one."""
    try:
        return languages.resolve(code, tuple(configured)).code
    except languages.LanguageError:
        return None


def _origin(settings: Settings, path: Path) -> str:
    """How ``memory.po`` names a file: relative to the project, or by its name alone (a path
    outside the project says where someone keeps their files; memory.po is committed)."""
    try:
        return str(path.resolve().relative_to(settings.root.resolve()))
    except ValueError:
        return path.name


def read_po(path: Path, configured: list[str], lang: str | None, origin: str) -> list[Found]:
    """The translated, confirmed singular entries of a PO file, in its language."""
    catalog = catalogs.read_catalog(path, path)
    declared = catalog.metadata.get("Language", "")
    code = lang or _configured(declared, configured)
    if code is None:
        raise CatalogError(
            f"its Language header says {declared!r}, not a configured language "
            f"({', '.join(configured)}); name one with --lang",
            path,
        )
    return [
        Found(code, e.msgid, e.msgstr, f"{origin}:{e.linenum}")
        for e in catalog
        if e.msgid and e.msgstr and not (e.obsolete or e.msgid_plural or "fuzzy" in e.flags)
    ]


def read_tmx(path: Path, configured: list[str], lang: str | None, origin: str) -> list[Found]:
    """The English -> configured-language pairs of a TMX file (every language of each unit)."""
    raw = catalogs.read_bytes(path, path)
    if len(raw) > catalogs.MAX_CATALOG_BYTES:
        raise CatalogError("too large to be a translation memory", path)
    try:
        store = tmx.tmxfile(io.BytesIO(raw))
    except etree.XMLSyntaxError as exc:
        raise CatalogError(f"not a valid TMX file: {exc.msg}", path, exc.lineno) from None
    except (AssertionError, ValueError, etree.LxmlError):
        raise CatalogError("not a TMX file (no <tmx> root element)", path, 1) from None
    found = []
    for unit in store.units:
        nodes = [(n.get(_XML_LANG) or n.get("lang") or "", n) for n in unit.getlanguageNodes()]
        english = [unit.getNodeText(n) for code, n in nodes if code.lower().split("-")[0] == "en"]
        if not english or not english[0]:
            continue
        for code, node in nodes:
            target = _configured(code, configured)
            if target is None or target.startswith("en") or (lang and target != lang):
                continue
            text = unit.getNodeText(node)
            if text:
                found.append(Found(target, english[0], text, f"{origin}:{node.sourceline}"))
    if not found:
        raise CatalogError(
            f"no English translations into {lang or ', '.join(configured)} in this TMX file", path
        )
    return found


@dataclass(frozen=True)
class ExportResult:
    path: str
    translations: int
    languages: list[str]


def export_tmx(settings: Settings, output: Path) -> ExportResult:
    """Write every reviewed translation of every catalog as one TMX file."""
    pairs: set[tuple[str, str | None, str, str]] = set()
    for doc_id in catalogs.template_ids(settings):
        for lang in settings.languages:
            path = settings.catalog_path(lang, doc_id)
            if path.exists():
                catalog = catalogs.read_catalog(path, path.relative_to(settings.root))
                pairs |= {
                    (lang, e.msgctxt, e.msgid, e.msgstr) for e in memory.reviewed_entries(catalog)
                }
    store = tmx.tmxfile(sourcelanguage="en")
    for lang, context, english, text in sorted(pairs, key=lambda p: (p[2], p[0], p[1] or "", p[3])):
        store.addtranslation(english, "en", text, languages.get(lang).tag, context=context)
    atomic_write(output, bytes(store))
    return ExportResult(str(output), len(pairs), sorted({p[0] for p in pairs}))
