"""The one module that reads and writes gettext files (POT, PO, MO).

Everything else works on :class:`polib.POFile` objects in memory. Writes are atomic
and change-aware: a catalog whose entries did not change keeps its bytes (and its
revision date), so a no-op run leaves ``git status`` clean.

PO files are written unwrapped (like ``msgmerge --no-wrap``): one line per string,
which keeps git diffs to the lines that changed and saves most of polib's write time.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from pipeline import files, pofile
from pipeline.errors import CatalogError
from pipeline.files import atomic_write
from pipeline.languages import Language

if TYPE_CHECKING:
    from pipeline.settings import Settings

#: One document's catalog is well under a megabyte; refuse what cannot be one.
MAX_CATALOG_BYTES = 20_000_000


def timestamp() -> str:
    """Now, as gettext writes dates; ``SOURCE_DATE_EPOCH`` pins it for reproducible output.

    Like the reproducible-builds specification, a value that is not a whole number of
    seconds in the range of dates is ignored (a timestamp is never worth a traceback).
    """
    now = dt.datetime.now(dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isascii() and epoch.isdigit():
        try:
            now = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (OverflowError, OSError, ValueError):
            pass
    return now.strftime("%Y-%m-%d %H:%M+0000")


def read_catalog(path: Path, shown: Path | None = None) -> polib.POFile:
    """Parse a PO or POT file; any problem is a :class:`CatalogError` naming file and line."""
    shown = shown or path
    return parse_catalog(read_bytes(path, shown), shown)


def read_bytes(path: Path, shown: Path) -> bytes:
    """A catalog's bytes (to parse, or to see later whether someone saved it meanwhile)."""
    try:
        return files.read_regular(path, shown)
    except FileNotFoundError:
        raise CatalogError("no such catalog", shown) from None
    except OSError as exc:
        raise CatalogError(f"cannot read: {exc.strerror}", shown) from None


def parse_catalog(raw: bytes, shown: Path) -> polib.POFile:
    """Parse PO bytes (UTF-8, BOM and CRLF tolerated) into a catalog, validating what msgfmt would."""
    if len(raw) > MAX_CATALOG_BYTES:
        raise CatalogError(
            f"larger than {MAX_CATALOG_BYTES // 1_000_000} MB: not a homelang catalog", shown
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CatalogError("not UTF-8 (homelang catalogs are UTF-8)", shown, line) from None
    text = text.replace("\r\n", "\n")
    for char, name in (("\x00", "NUL byte"), ("\x04", "EOT character (U+0004)")):
        if char in text:  # GNU gettext refuses both (EOT separates a context from its msgid)
            line = text.count("\n", 0, text.index(char)) + 1
            raise CatalogError(f"{name} in catalog", shown, line)
    return pofile.parse(text, shown)


def render(catalog: polib.POFile) -> bytes:
    """The catalog as PO bytes: unwrapped, header fields in gettext's order."""
    return (pofile.render(catalog).rstrip("\n") + "\n").encode("utf-8")


def content(catalog: polib.POFile, date_field: str = "PO-Revision-Date") -> tuple:
    """What a catalog says, whatever its line layout and ``date_field``: (header, entries)."""
    metadata = tuple(sorted((k, v) for k, v in catalog.metadata.items() if k != date_field))
    entries = tuple(
        (
            e.msgctxt,
            e.msgid,
            e.msgid_plural,
            e.msgstr,
            tuple(sorted(e.msgstr_plural.items())),
            e.obsolete,
            tuple(e.flags),
            e.tcomment,
            e.comment,
            tuple(e.occurrences),
            e.previous_msgctxt,
            e.previous_msgid,
            e.previous_msgid_plural,
        )
        for e in catalog
    )
    return ((catalog.header, bool(catalog.metadata_is_fuzzy), metadata), entries)


def prepare_catalog(
    path: Path,
    catalog: polib.POFile,
    date_field: str = "PO-Revision-Date",
    before: tuple | None = None,
) -> bytes | None:
    """The bytes to write at ``path`` (``date_field`` bumped), or None if its content is unchanged.

    ``before`` is the :func:`content` of the catalog as read from ``path``: when given,
    an unchanged catalog is left exactly as its translator's tool saved it, the date
    moves only when an entry changed (not for a header field). Without it, the file's
    bytes are compared. Either way the entries are rendered once.
    """
    if before is not None:
        header, entries = content(catalog, date_field)
        if entries != before[1]:
            catalog.metadata[date_field] = timestamp()
        elif header == before[0]:
            return None
        return render(catalog)
    data = render(catalog)
    try:
        if path.read_bytes() == data:
            return None
    except FileNotFoundError:
        pass
    # only the header holds the date: the entries, most of the bytes, are rendered once
    entries = data[len(pofile.render_header(catalog).encode("utf-8")) :]
    catalog.metadata[date_field] = timestamp()
    return pofile.render_header(catalog).encode("utf-8") + entries


def write_catalog(path: Path, catalog: polib.POFile, date_field: str = "PO-Revision-Date") -> bool:
    """Write atomically if the content changed, bumping ``date_field``; return whether it changed."""
    data = prepare_catalog(path, catalog, date_field)
    return data is not None and atomic_write(path, data)


def modify_catalog(
    path: Path,
    shown: Path,
    change: Callable[[polib.POFile], None],
    attempts: int = 5,
    done: Callable[[polib.POFile, bytes], None] | None = None,
) -> bool:
    """Read, ``change`` and write a catalog that people may be editing; return whether it changed.

    If the file is saved by someone else (Poedit, another tool) while the change is
    made, it is read and changed again, so that save is never overwritten. ``done``
    gets the catalog and the bytes it left at ``path`` (written, or found unchanged).
    """
    for _ in range(attempts):
        raw = read_bytes(path, shown)
        catalog = parse_catalog(raw, shown)
        before = content(catalog)
        change(catalog)
        data = prepare_catalog(path, catalog, before=before)
        if path.read_bytes() == raw:
            written = data is not None and atomic_write(path, data)
            if done is not None:
                done(catalog, raw if data is None else data)
            return written
    raise CatalogError("the file kept changing while homelang wrote to it; run again", shown)


def prepare_template(path: Path, template: polib.POFile) -> bytes | None:
    """The bytes of a POT file to write, or None if its entries and header are unchanged.

    ``extract`` writes these bytes and ``extract --check`` compares them: one rule for
    both. POT-Creation-Date changes only when something else does.
    """
    try:
        old = read_catalog(path)
    except CatalogError:
        return prepare_catalog(path, template, "POT-Creation-Date")
    before = content(old, "POT-Creation-Date")
    if "POT-Creation-Date" in old.metadata:
        template.metadata["POT-Creation-Date"] = old.metadata["POT-Creation-Date"]
    return prepare_catalog(path, template, "POT-Creation-Date", before)


def template_ids(settings: Settings) -> list[str]:
    """Document ids that have a template in ``locales/``, sorted."""
    return sorted(p.stem for p in settings.locales_path.glob("*.pot"))


def select_templates(settings: Settings, docs: tuple[str, ...] = ()) -> list[str]:
    """The ``docs`` asked for (all if none), each of which must have a template: never a path."""
    known = template_ids(settings)
    for doc_id in docs:
        if doc_id not in known:
            others = ", ".join(known) or "none; run 'homelang extract'"
            raise CatalogError(
                f"no document {doc_id!r} (documents: {others})", settings.locales_path.name
            )
    return list(docs or known)


def new_template(doc_id: str) -> polib.POFile:
    template = polib.POFile(wrapwidth=0)
    template.header = f"Translations of the homelang document {doc_id!r}.\nThis file is generated by 'homelang extract': do not edit it."
    template.metadata = {
        "Project-Id-Version": doc_id,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": "",
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": "homelang",  # no version: a release must not rewrite every template
    }
    return template


def language_headers(lang: Language, project: str, revised: str, translator: str) -> dict[str, str]:
    """A complete gettext header for a catalog in ``lang`` (msgfmt --check-header accepts it)."""
    return {
        "Project-Id-Version": project,
        "PO-Revision-Date": revised,
        "Last-Translator": translator,
        "Language-Team": f"{lang.english_name} <{lang.code}@li.org>",
        "Language": lang.code,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": lang.plural_forms,
    }


def catalog_headers(
    template: polib.POFile, lang: Language, old: polib.POFile | None
) -> dict[str, str]:
    """A PO file's header, as msgmerge makes it: the translator's (Project-Id-Version,
    Last-Translator, PO-Revision-Date, X-Poedit-* ...), the template's dates, the language's."""
    metadata = dict(template.metadata)
    if old is not None:
        metadata.update(old.metadata)
        for key in ("POT-Creation-Date", "Report-Msgid-Bugs-To"):
            if key in template.metadata:
                metadata[key] = template.metadata[key]
    if metadata.get("Language-Team", "").startswith("LANGUAGE"):
        metadata["Language-Team"] = f"{lang.english_name} <{lang.code}@li.org>"
    if metadata.get("Last-Translator", "").startswith("FULL NAME"):
        metadata["Last-Translator"] = "homelang <>"
    if metadata.get("PO-Revision-Date", "").startswith("YEAR"):
        metadata["PO-Revision-Date"] = metadata.get("POT-Creation-Date", "")
    metadata["Language"] = lang.code
    metadata["Plural-Forms"] = lang.plural_forms
    metadata["Content-Type"] = "text/plain; charset=UTF-8"
    return metadata


def compile_catalog(path: Path, catalog: polib.POFile) -> bool:
    """Write the MO file for ``catalog`` at ``path``; fuzzy and obsolete entries are left out."""
    return atomic_write(path, catalog.to_binary())
