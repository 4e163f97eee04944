"""Returned translations kept aside: ``locales/<lang>/review-conflicts.po``, bounded and settleable.

One record per catalog entry and incoming text (the same text coming back again
replaces its record: the newest is kept). A record is *open* while its entry still
exists and nobody has reviewed it since; once the entry is reviewed (with the
incoming text, or with a text other than the one it was kept aside against) the
record is settled and dropped at the next import or resolve. ``status`` counts open
records only. ``review conflicts`` lists them with an id; ``--resolve ID --take
mine|theirs|text`` settles one through the same apply code as import.

A damaged or oversized conflicts file never blocks ``status`` or ``review export``
(they say so in one line and go on without it); ``review import`` and ``review
conflicts`` refuse with one line naming it, until it is repaired or moved aside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import catalogs, languages, states
from pipeline.assignments import (
    ReviewError,
    key_of,
    read_regular_file,
    shown,
    split_context,
    text_hash,
)
from pipeline.errors import PipelineError
from pipeline.files import atomic_write
from pipeline.settings import Settings

CONFLICTS = "review-conflicts.po"
#: A record's context: its id, the key of the catalog entry, its :func:`fingerprint` then,
#: the document and the entry's own context.
_RECORD = re.compile(r"([0-9a-f]{8}) ([0-9a-f]{16}) ([0-9a-f]{12}) (.*)", re.S)


def conflicts_path(settings: Settings, lang: str) -> Path:
    return settings.locales_path / lang / CONFLICTS


@dataclass(frozen=True)
class Conflict:
    """One incoming text kept aside, for the catalog entry (by key) it concerns."""

    id: str
    lang: str
    doc_id: str
    key: str  # review.entry_key of the catalog entry
    english: str  # the English the volunteer translated
    theirs: str  # the incoming text (plural forms joined by newlines)
    then: str  # the catalog entry's fingerprint when it was kept aside
    current: str  # what the catalog held then, as shown to people
    note: str  # "NAME DATE (packet ID)"
    reason: str
    line: int


def conflict_id(key: str, theirs: str) -> str:
    return text_hash(f"{key}\x04{theirs}", 8)


def record(entry: polib.POEntry, lang: str) -> Conflict:
    """A conflicts-file entry as a :class:`Conflict` (records of older homelang versions too)."""
    theirs = states.text(entry)
    current = (entry.comment or "").removeprefix("current: ")
    match = _RECORD.fullmatch(entry.msgctxt or "")
    if match:
        found_id, key, then, where = match.groups()
        doc_id = split_context(where)[0]
    else:
        doc_id = (entry.msgctxt or "").split(" ")[0]
        key, then = key_of(doc_id, None, entry.msgid), text_hash(current)
        found_id = conflict_id(key, theirs)
    note, _, reason = (entry.tcomment or "").partition("\n")
    return Conflict(
        id=found_id,
        lang=lang,
        doc_id=doc_id,
        key=key,
        english=entry.msgid,
        theirs=theirs,
        then=then,
        current=current,
        note=note,
        reason=reason.removeprefix("conflict: "),
        line=entry.linenum,
    )


def is_open(conflict: Conflict, entry: polib.POEntry | None) -> bool:
    """Still to settle: the entry exists and nobody has reviewed it since it was kept aside."""
    if entry is None:
        return False
    if states.state(entry) != "reviewed":
        return True
    if states.text(entry) == conflict.theirs:
        return False
    # older records hold a hash of the text alone
    return conflict.then in (fingerprint(entry), text_hash(states.text(entry)))


def fingerprint(entry: polib.POEntry) -> str:
    """The entry's text and review mark: a new review, even of the same words, changes it."""
    name, date = states.reviewer(entry) or ("", "")
    return text_hash(f"{states.text(entry)}\x04{name}\x04{date}")


class ConflictsFile:
    """The records of one language, by id; order of arrival kept."""

    def __init__(self, lang: languages.Language, catalog: polib.POFile | None = None):
        self.lang = lang
        self.catalog = catalog if catalog is not None else _new_file(lang)
        self.by_id = {record(e, lang.code).id: e for e in self.catalog if not e.obsolete}

    def records(self) -> list[Conflict]:
        return [record(e, self.lang.code) for e in self.by_id.values()]

    def keep(
        self,
        doc_id: str,
        target: polib.POEntry,
        incoming: polib.POEntry,
        note: str,
        reason: str,
        shown_current: str,
    ) -> str:
        """Keep ``incoming``'s text for ``target``; the same text again replaces the older record."""
        key, theirs = key_of(doc_id, target.msgctxt, target.msgid), states.text(incoming)
        found_id = conflict_id(key, theirs)
        own = split_context(incoming.msgctxt)[1]
        where = doc_id if own is None else f"{doc_id}|{own}"
        then = fingerprint(target)
        self.by_id.pop(found_id, None)  # the newest record last
        self.by_id[found_id] = polib.POEntry(
            msgctxt=f"{found_id} {key} {then} {where}",
            msgid=incoming.msgid,
            msgid_plural=incoming.msgid_plural,
            msgstr=incoming.msgstr,
            msgstr_plural=dict(incoming.msgstr_plural),
            flags=["fuzzy"],
            tcomment=f"{note}\nconflict: {reason}",
            comment=f"current: {shown_current}" if shown_current else "",
        )
        return found_id

    def drop(self, found_id: str) -> None:
        self.by_id.pop(found_id, None)

    def prune(self, entries: dict[str, polib.POEntry], docs: set[str]) -> None:
        """Drop every settled record of ``docs`` (``entries``: their catalog entries by key)."""
        for conflict in self.records():
            if conflict.doc_id in docs and not is_open(conflict, entries.get(conflict.key)):
                self.drop(conflict.id)

    def render(self) -> polib.POFile | None:
        """The file to write, None when no record is left (the file is then removed)."""
        if not self.by_id:
            return None
        self.catalog[:] = list(self.by_id.values())
        return self.catalog


def _new_file(lang: languages.Language) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0)
    catalog.header = (
        "Review conflicts: translations that came back after the English changed or someone\n"
        "else reviewed the entry. Nothing here is published; settle them with\n"
        "'homelang review conflicts --resolve ID --take mine|theirs|text'."
    )
    catalog.metadata = catalogs.language_headers(
        lang, f"homelang review conflicts {lang.code}", catalogs.timestamp(), "homelang <>"
    )
    return catalog


def read(settings: Settings, lang: str) -> ConflictsFile:
    """The language's conflicts file; damaged or too large is a one-line error naming it."""
    path = conflicts_path(settings, lang)
    name = shown(settings, path)
    language = languages.get(lang)
    try:
        data = read_regular_file(path, name, catalogs.MAX_CATALOG_BYTES)
        return ConflictsFile(language, None if data is None else catalogs.parse_catalog(data, name))
    except PipelineError as error:
        raise ReviewError(
            f"{error.message}; repair it or move it aside (status and export go on without it)",
            name,
            error.line,
        ) from None


def read_or_warn(settings: Settings, lang: str) -> tuple[ConflictsFile | None, str]:
    """For status and export: the file, or None and the one-line reason it cannot be read."""
    try:
        return read(settings, lang), ""
    except PipelineError as error:
        return None, str(error)


def write(settings: Settings, lang: str, conflicts: ConflictsFile) -> bytes | None:
    """The bytes to write (``b""``: remove the file), or None when nothing changes."""
    path = conflicts_path(settings, lang)
    catalog = conflicts.render()
    if catalog is None:
        return b"" if path.exists() else None
    return catalogs.prepare_catalog(path, catalog)


def save(settings: Settings, lang: str, conflicts: ConflictsFile) -> None:
    """Write (or remove, when empty) the language's conflicts file now."""
    data = write(settings, lang, conflicts)
    path = conflicts_path(settings, lang)
    if data == b"":
        path.unlink()
    elif data is not None:
        atomic_write(path, data)
