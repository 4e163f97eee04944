"""What a reviewer sees and saves through ``homelang serve``: packet import, one entry at a time.

There is no second store: :func:`save` writes the catalog in ``locales/`` through
:func:`pipeline.apply.settle`, the code ``review import`` runs for every packet entry,
so a person's text is never overwritten, the English having changed or another save
made meanwhile (a packet, Poedit, another reviewer) keeps the incoming text aside in
``review-conflicts.po``, and the reviewer is credited as a packet's would be.

Every save re-reads its catalog from disk and holds the project lock only while it
writes: ``serve`` runs for hours beside CLI runs, which wait at most a save's length.
The threads of one server take turns (a lock of this process first, then the
project lock), so many reviewers saving at once lose nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import polib

from pipeline import catalogs, conflicts, languages, lock, review, states
from pipeline.apply import fingerprint, settle, shape_mismatch
from pipeline.assignments import (
    entry_key,
    key_of,
    load_assignments,
    shown,
    today,
)
from pipeline.checks import Finding, check_entry
from pipeline.errors import LockError, PipelineError
from pipeline.glossary import Glossary, load_glossary
from pipeline.invites import Invite
from pipeline.render import words
from pipeline.settings import Settings

#: The savers of this process, one at a time (then the project lock, against other processes).
_SAVING = lock.Turns()

Text = str | dict[int, str]
#: The title of the templates' own words: volunteers review them (letters print them).
WORDS_TITLE = "Greetings and labels printed on every letter and page"
#: What a volunteer reads of damaged catalogs.
UNREADABLE = "{docs}: cannot be read just now (the catalog needs repair); its entries are left out"


class OnlineError(PipelineError):
    """An entry a reviewer may not see or save, or a save that cannot be made now (busy)."""


class Busy(OnlineError):
    """A save that cannot be made now: other saves, or a homelang command, hold the catalogs."""


@dataclass(frozen=True)
class Item:
    """One entry a reviewer may work on, with what helps to review it."""

    doc_id: str
    title: str  # the document's title (English)
    key: str  # assignments.entry_key(doc_id, entry): stable, opaque
    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    previous_msgid: str | None  # the English before it changed (to highlight the change)
    text: Text  # the current translation (plural forms as a dict); "" for a layout preview
    state: str  # one of states.STATES
    base: str  # apply.fingerprint of the entry shown: sent back with a save
    machine: str | None  # the provider of a machine draft
    notes: tuple[str, ...]  # author's notes, glossary terms, similar reviewed translations...
    context: tuple[str, str]  # the paragraphs before and after (translated, else English)
    context_translated: tuple[bool, bool]  # whether each one reads translated (else English)
    held_by: str | None  # the reviewer of a packet that holds the entry, if any


@dataclass(frozen=True)
class SaveResult:
    """What a save did: ``outcome`` is one of ``apply.OUTCOMES``."""

    outcome: str
    detail: str
    findings: tuple[Finding, ...]  # checks.Finding, the rules of review import
    current: str  # the catalog's text, beside a conflict (plural forms joined by newlines)
    conflict: str  # the id of the record kept aside (homelang review conflicts)
    item: Item | None  # the entry after the save (a new key if its English changed)


def queue(settings: Settings, invite: Invite, doc_id: str | None = None) -> list[Item]:
    """The invitation's entries (of ``doc_id`` only, if given): those needing a person first,
    in document order, then the reviewed ones."""
    library = _Library(settings, invite, doc_id)
    items = [
        library.item(d, n) for d, entries in library.entries.items() for n in range(len(entries))
    ]
    return sorted(items, key=lambda i: i.state == "reviewed")


def item(settings: Settings, invite: Invite, key: str) -> Item:
    """The entry ``key`` as the invitation shows it; :class:`OnlineError` if it may not."""
    library = _Library(settings, invite)
    for doc_id, entries in library.entries.items():
        for n, entry in enumerate(entries):
            if entry_key(doc_id, entry) == key:
                return library.item(doc_id, n)
    raise OnlineError(_missing(library.unreadable))


def unreadable(settings: Settings, invite: Invite) -> str:
    """What the volunteer reads of the invitation's documents whose catalog cannot be
    read (a damaged file): left out; "" when there are none."""
    damaged = [d for d in _allowed(settings, invite) if _damaged(settings, invite.lang, d)]
    return _unreadable(damaged)


def check(settings: Settings, invite: Invite, key: str, text: Text) -> tuple[Finding, ...]:
    """The findings of ``review import``'s checks on ``text`` for the entry, before confirming;
    first, as a ``shape`` error, why a save would refuse it (plural forms, line breaks)."""
    doc_id, path = _locate(settings, invite, key)
    catalog = catalogs.read_catalog(path, shown(settings, path))
    target, successor = _find(doc_id, catalog, key)
    entry = target or successor
    if entry is None:
        raise OnlineError("the entry was removed from the document: reload")
    incoming = _incoming(doc_id, entry, text, confirm=True, english_then=target is None)
    found = _findings(incoming, target, languages.get(invite.lang), _glossary(settings))
    mismatch = shape_mismatch(incoming, entry)  # what a save would refuse, said first
    if mismatch:
        found.insert(0, Finding("shape", "error", 0, entry.msgid, mismatch))
    return tuple(found)


def save(
    settings: Settings, invite: Invite, key: str, base: str, text: Text, confirm: bool
) -> SaveResult:
    """Save a reviewer's text for the entry ``key`` as ``review import`` would a packet entry.

    ``base`` is the :attr:`Item.base` the reviewer was shown: if the catalog's text is no
    longer that one, theirs is kept aside (a conflict) and both are returned; saving
    again with ``base`` = the hash of the current text takes theirs over it. ``confirm``
    marks it reviewed (unless a check finds an error), else a person's draft.
    """
    doc_id, path = _locate(settings, invite, key)
    name = shown(settings, path)
    glossary, language, date = _glossary(settings), languages.get(invite.lang), today()
    note = f"{invite.reviewer} {date} {_source(invite)}"
    done: list[tuple[SaveResult, str]] = []
    records: list[conflicts.ConflictsFile] = []

    def kept() -> conflicts.ConflictsFile:
        if not records:
            records.append(conflicts.read(settings, invite.lang))
        return records[0]

    def change(catalog: polib.POFile) -> None:
        done.clear()
        records.clear()  # read again with the catalog, if a save on disk made us start over
        target, successor = _find(doc_id, catalog, key)
        entry = target or successor
        incoming = _incoming(doc_id, entry, text, confirm, english_then=target is None)
        result = settle(
            incoming,
            target,
            base,
            successor,
            doc_id=doc_id,
            catalog=catalog,
            kept=kept,
            findings=lambda: tuple(_findings(incoming, target, language, glossary)),
            reviewer=invite.reviewer,
            date=date,
            note=note,
            since="you opened it",
        )
        current = "" if entry is None else states.text(entry)
        after = "" if entry is None else entry_key(doc_id, entry)
        saved = SaveResult(
            result.outcome,
            result.detail,
            result.findings,
            current if result.outcome == "conflict" else "",
            result.conflict,
            None,
        )
        done.append((saved, after))

    def written(catalog: polib.POFile, data: bytes) -> None:
        _remember(doc_id, path, catalog, data)

    with _exclusive(settings):
        catalogs.modify_catalog(path, name, change, done=written)
        if records:
            conflicts.save(settings, invite.lang, records[0])
    saved, after = done[0]
    following = item(settings, invite, after) if after else None
    return replace(saved, item=following)


def keep_saved(settings: Settings, invite: Invite, key: str, conflict_id: str) -> None:
    """The reviewer keeps the catalog's text of entry ``key`` over theirs: the record they
    met is settled, as ``review conflicts --resolve ID --take mine`` would; only a record
    of their own saves (never a review kept aside for a coordinator)."""
    doc_id, _ = _locate(settings, invite, key)
    with _exclusive(settings):
        records = conflicts.read(settings, invite.lang)
        found = records.by_id.get(conflict_id)
        if found is None:  # settled already (a second tap, or by staff)
            return
        record = conflicts.record(found, invite.lang)
        if (record.doc_id, record.key) != (doc_id, key):
            raise OnlineError("that conflict is not this entry's")
        if not record.note.endswith(_source(invite)):  # another's text: a coordinator's call
            raise OnlineError("that text is not yours to set aside: a coordinator settles it")
        records.drop(conflict_id)
        conflicts.save(settings, invite.lang, records)


def _source(invite: Invite) -> str:
    """How a record kept aside from this invitation's saves names where it came from."""
    return f"(online {invite.id})"


@contextmanager
def _exclusive(settings: Settings) -> Iterator[None]:
    """This process's savers one at a time, then the project lock: else "busy"."""
    start = time.monotonic()
    if not _SAVING.acquire(timeout=lock.SHORT_WAIT):
        raise Busy("busy: many saves at once; try again in a moment")
    try:
        left = max(0.0, lock.SHORT_WAIT - (time.monotonic() - start))
        try:
            with lock.project_lock(settings.state_path, "homelang serve", left):
                yield
        except LockError as error:
            raise Busy(f"busy: {error.message}") from None
    finally:
        _SAVING.release()


def _findings(
    incoming: polib.POEntry,
    target: polib.POEntry | None,
    lang: languages.Language,
    glossary: Glossary,
) -> list[Finding]:
    """The checks of ``review import`` on a reviewer's text. A text in another language that
    is not the catalog's already is an error, as a packet of such texts is refused: the
    page shows it before it is confirmed; confirmed again as it is, it is a warning."""
    found = check_entry(incoming, lang, glossary)
    if target is not None and states.text(target) == states.text(incoming):
        return found
    return [replace(f, level="error") if f.check_id == "language" else f for f in found]


def _glossary(settings: Settings) -> Glossary:
    return load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))


def _allowed(settings: Settings, invite: Invite, doc_id: str | None = None) -> list[str]:
    """The documents the invitation covers that have a catalog in its language."""
    if invite.lang not in settings.languages:
        raise OnlineError(f"{invite.lang!r} is no longer a language of this project")
    if doc_id is not None and not invite.allows(doc_id):
        raise OnlineError(f"document {doc_id!r} is not part of this invitation")
    # every document of the project it allows (one removed since the invitation is left out)
    docs = catalogs.select_templates(settings, (doc_id,) if doc_id else ())
    docs = [d for d in docs if invite.allows(d)]
    return [d for d in docs if settings.catalog_path(invite.lang, d).is_file()]


@dataclass(frozen=True)
class _Parsed:
    signature: tuple[int, int, int]  # (mtime in ns, size, inode): a save replaces the file
    catalog: polib.POFile  # read only: never changed, never written
    keys: frozenset[str]  # the keys its entries answer to (see _keys)


#: Catalogs as last parsed, for what the pages show (items, notes, finding an entry's
#: document); parsed again once the file changes. A save never uses them: it reads anew.
_PARSED: dict[Path, _Parsed] = {}


def _parsed(settings: Settings, doc_id: str, path: Path) -> _Parsed | None:
    """The catalog at ``path`` (None if it is gone), from the cache while unchanged on disk."""
    signature = _signature(path)
    if signature is None:
        return None
    found = _PARSED.get(path)
    if found is None or found.signature != signature:
        found = _PARSED[path] = _cached(
            doc_id, signature, catalogs.read_catalog(path, shown(settings, path))
        )
    return found


def _remember(doc_id: str, path: Path, catalog: polib.POFile, data: bytes) -> None:
    """Keep the catalog a save wrote as the pages' parse of ``path`` (no parse again), if
    the file holds its bytes, unchanged while they were compared: a save made on disk
    since is read again."""
    before = _signature(path)
    try:
        same = path.read_bytes() == data
    except OSError:
        return
    if same and before is not None and _signature(path) == before:
        _PARSED[path] = _cached(doc_id, before, catalog)


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _cached(doc_id: str, signature: tuple[int, int, int], catalog: polib.POFile) -> _Parsed:
    keys = frozenset(k for e in catalog if not e.obsolete for k in _keys(doc_id, e))
    return _Parsed(signature, catalog, keys)


def _locate(settings: Settings, invite: Invite, key: str) -> tuple[str, Path]:
    """The document holding the entry ``key`` (or the entry its English became) and its catalog."""
    damaged = []
    for doc_id in _allowed(settings, invite):
        path = settings.catalog_path(invite.lang, doc_id)
        try:
            found = _parsed(settings, doc_id, path)
        except PipelineError:
            damaged.append(doc_id)  # left out: the others go on working
            continue
        if found is not None and key in found.keys:
            return doc_id, path
    raise OnlineError(_missing(damaged))


def _missing(damaged: list[str]) -> str:
    """Why an entry is not found; a damaged catalog is named by its document, never its path."""
    why = "no such entry for this invitation (its English may have changed: reload)"
    return f"{why}; {_unreadable(damaged)}" if damaged else why


def _unreadable(damaged: list[str]) -> str:
    """The documents by title (their catalog's path and parse error are for staff)."""
    return UNREADABLE.format(docs=", ".join(_title(d) for d in damaged)) if damaged else ""


def _damaged(settings: Settings, lang: str, doc_id: str) -> bool:
    try:
        _parsed(settings, doc_id, settings.catalog_path(lang, doc_id))
    except PipelineError:
        return True
    return False


def _keys(doc_id: str, entry: polib.POEntry) -> list[str]:
    """The entry's key, and the key it had before its English changed."""
    found = [entry_key(doc_id, entry)]
    if entry.previous_msgid:
        found.append(key_of(doc_id, entry.previous_msgctxt or entry.msgctxt, entry.previous_msgid))
    return found


def _find(
    doc_id: str, catalog: polib.POFile, key: str
) -> tuple[polib.POEntry | None, polib.POEntry | None]:
    """(the entry ``key`` names, None) or, if its English changed since, (None, the entry now)."""
    successor = None
    for entry in catalog:
        if entry.obsolete:
            continue
        keys = _keys(doc_id, entry)
        if keys[0] == key:
            return entry, None
        if key in keys[1:] and successor is None:
            successor = entry
    return None, successor


def _incoming(
    doc_id: str, entry: polib.POEntry | None, text: Text, confirm: bool, english_then: bool
) -> polib.POEntry:
    """The reviewer's text as a packet entry for ``entry`` (of the English they saw:
    the previous English when ``english_then``)."""
    if not isinstance(text, str) and not (
        isinstance(text, dict)
        and all(type(k) is int and isinstance(v, str) for k, v in text.items())
    ):
        raise OnlineError("a translation is text, or plural forms numbered from 0")
    forms = text.values() if isinstance(text, dict) else [text]
    if any(c in form for form in forms for c in "\x00\x04"):  # a browser may send %00
        raise OnlineError("a catalog cannot hold a NUL (U+0000) or EOT (U+0004) character")
    english, plural, context = "", None, None
    if entry is not None:
        english = (entry.previous_msgid if english_then else None) or entry.msgid
        plural = (entry.previous_msgid_plural if english_then else None) or entry.msgid_plural
        context = entry.msgctxt
    if isinstance(text, dict):
        text = {n: _stray_breaks_dropped(form, english) for n, form in text.items()}
    else:
        text = _stray_breaks_dropped(text, english)
    incoming = polib.POEntry(
        msgctxt=doc_id if context is None else f"{doc_id}|{context}",
        msgid=english,
        flags=[] if confirm else ["fuzzy"],
    )
    if isinstance(text, dict):
        incoming.msgid_plural = plural
        incoming.msgstr_plural = dict(text)
    else:
        incoming.msgstr = text
    return incoming


def _stray_breaks_dropped(text: str, english: str) -> str:
    """``text`` without the line breaks at its start or end that ``english`` has not (a
    phone's stray Enter), which gettext would refuse."""
    if not english.startswith("\n"):
        text = text.lstrip("\n")
    return text if english.endswith("\n") else text.rstrip("\n")


class _Library:
    """The invitation's catalogs in one language, and what helps review their entries."""

    def __init__(self, settings: Settings, invite: Invite, doc_id: str | None = None):
        self.lang = languages.get(invite.lang)
        allowed = _allowed(settings, invite, doc_id)
        everything = {}  # as review.language_catalogs reads them (a template where no catalog)
        self.unreadable = []  # the invitation's documents whose catalog is damaged: left out
        for d in catalogs.template_ids(settings):
            path = settings.catalog_path(invite.lang, d)
            try:
                found = _parsed(settings, d, path if path.is_file() else settings.template_path(d))
            except PipelineError:  # a damaged catalog: its entries left out, the others go on
                if d in allowed:
                    self.unreadable.append(d)
                continue
            if found is not None:
                everything[d] = found.catalog
        docs = [d for d in allowed if d in everything]
        self.entries = {d: [e for e in everything[d] if not e.obsolete] for d in docs}
        self.titles = {d: _title(d, everything[d]) for d in docs}
        self.glossary = _glossary(settings)
        # what helps comes from the invitation's documents only: it reaches no other text
        scope = {d: c for d, c in everything.items() if invite.allows(d)}
        self.memory = review.memory(scope)
        self.kept, _ = review.suggestions(settings, invite.lang, scope)
        now = today()
        self.held = {
            key: a.reviewer
            for a in load_assignments(settings, invite.lang)
            if a.holds(now)
            for key in a.entries
        }

    def item(self, doc_id: str, n: int) -> Item:
        entries = self.entries[doc_id]
        entry, key = entries[n], entry_key(doc_id, entries[n])
        pseudo = states.is_pseudo(entry)
        if entry.msgid_plural:
            text: Text = {k: "" if pseudo else v for k, v in sorted(entry.msgstr_plural.items())}
        else:
            text = "" if pseudo else entry.msgstr
        notes = review.entry_notes(entry, self.lang, self.glossary, self.memory, self.kept)
        return Item(
            doc_id=doc_id,
            title=self.titles[doc_id],
            key=key,
            msgctxt=entry.msgctxt,
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural or None,
            previous_msgid=entry.previous_msgid or None,
            text=text,
            state=states.state(entry),
            base=fingerprint(entry),
            machine=None if pseudo else states.machine_provider(entry),
            notes=tuple(notes),
            context=(
                _shown(entries[n - 1]) if n else "",
                _shown(entries[n + 1]) if n + 1 < len(entries) else "",
            ),
            context_translated=(
                n > 0 and _reads_translated(entries[n - 1]),
                n + 1 < len(entries) and _reads_translated(entries[n + 1]),
            ),
            held_by=self.held.get(key),
        )


def _title(doc_id: str, catalog: Iterable[polib.POEntry] = ()) -> str:
    """The document's title (the entry extracted from its front matter), else its id."""
    if doc_id == words.CATALOG_ID:
        return WORDS_TITLE
    for entry in catalog:
        if (entry.comment or "").startswith("document title"):
            return entry.msgid
    return doc_id


def _shown(entry: polib.POEntry) -> str:
    """How a paragraph reads in the letter now: its translation, else the English."""
    return states.text(entry) if _reads_translated(entry) else entry.msgid


def _reads_translated(entry: polib.POEntry) -> bool:
    return states.is_translated(entry) and not states.is_pseudo(entry)
