"""Review packets out to volunteers: which entries need a person, who holds which, export, release.

A *review packet* is a PO file holding only the entries that need a person
(untranslated, machine draft, needs-update) of one language, with everything that
helps: the previous English, the machine draft, translation-memory suggestions,
glossary terms and notes. Who holds which entries is recorded in the repository,
``locales/<lang>/review-assignments.json`` (deterministic JSON), so the next export
skips them until the packet comes back (``pipeline.packets``), is released, or expires.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import polib
from rapidfuzz import fuzz, process

from pipeline import assignments, catalogs, conflicts, languages, states
from pipeline.assignments import (
    Assignment,
    ReviewError,
    by_key,
    days_after,
    entry_key,
    load_assignments,
    save_assignments,
    shown,
    text_hash,
    today,
)
from pipeline.glossary import Glossary, load_glossary
from pipeline.memory import reviewed_entries
from pipeline.settings import Settings

NEEDS_PERSON = ("untranslated", "machine", "needs-update")
CONFLICTS = "review-conflicts.po"
#: The context of a packet's last entry, which carries its id and checksum (no document has it).
END_CONTEXT = "homelang: end of packet"
_END = re.compile(
    r"End of review packet (\S+) \(checksum ([0-9a-f]{16})\): leave this entry as it is\."
)
#: Translation-memory suggestions: at most this many, at least this similar (rapidfuzz ratio).
TM_LIMIT, TM_CUTOFF = 3, 75.0


def words(text: str) -> int:
    return len(text.split())


def language_catalogs(
    settings: Settings, lang: str, docs: tuple[str, ...] = ()
) -> dict[str, polib.POFile]:
    """doc id -> catalog for ``lang`` (the template, all untranslated, where no catalog exists yet)."""
    found = {}
    for doc_id in catalogs.select_templates(settings, docs):
        path = settings.catalog_path(lang, doc_id)
        if not path.exists():
            path = settings.template_path(doc_id)
        found[doc_id] = catalogs.read_catalog(path, shown(settings, path))
    return found


@dataclass(frozen=True)
class ExportResult:
    packet: str
    lang: str
    reviewer: str
    path: str
    entries: int
    words: int
    expires: str
    skipped_held: int  # entries that need a person but are out in another packet
    warning: str = ""  # the conflicts file could not be read: its suggestions are missing


def export(
    settings: Settings,
    lang: str,
    docs: tuple[str, ...] = (),
    reviewer: str = "",
    max_words: int = 0,
    output: Path | None = None,
) -> ExportResult:
    """Write a review packet for ``lang`` and record who holds its entries."""
    settings.select_languages([lang])
    language = languages.get(lang)
    reviewer = " ".join(reviewer.split())
    everything = language_catalogs(settings, lang)
    selected = language_catalogs(settings, lang, docs) if docs else everything
    for doc_id in selected:  # import applies to catalogs: refuse now, not when the work comes back
        path = settings.catalog_path(lang, doc_id)
        if not path.exists():
            raise ReviewError(
                f"no catalog for {doc_id!r}; run 'homelang update' first", shown(settings, path)
            )
    held_by = held(settings, lang)
    chosen: list[tuple[str, polib.POEntry]] = []
    total, skipped = 0, 0
    for doc_id, catalog in selected.items():
        for entry in catalog:
            if entry.obsolete or states.state(entry) not in NEEDS_PERSON:
                continue
            if entry_key(doc_id, entry) in held_by:
                skipped += 1
                continue
            size = words(entry.msgid)
            if max_words and chosen and total + size > max_words:
                continue
            chosen.append((doc_id, entry))
            total += size
    if not chosen:
        why = f"; {skipped} are out in other packets (see homelang status)" if skipped else ""
        raise ReviewError(f"nothing to review in {language.english_name}{why}")
    stamp = catalogs.timestamp()
    current = load_assignments(settings, lang)
    packet_id = _packet_id(lang, stamp, reviewer)
    expires = days_after(stamp, settings.review.assignment_days)
    packet_docs = tuple(dict.fromkeys(doc_id for doc_id, _ in chosen))
    assignment = Assignment(
        packet=packet_id,
        lang=lang,
        reviewer=reviewer or "unnamed",
        exported=stamp,
        expires=expires,
        docs=packet_docs,
        words=total,
        entries={entry_key(d, e): text_hash(states.text(e)) for d, e in chosen},
    )
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    kept, problem = suggestions(settings, lang, everything)
    packet = build_packet(assignment, chosen, language, glossary, memory(everything), kept)
    assignment = replace(assignment, seal=seal(packet_id, packet))
    packet.append(end_marker(packet_id, assignment.seal))
    output = output or settings.build_path / "review" / f"{packet_id}.po"
    _check_packet_path(settings, output)
    catalogs.write_catalog(output, packet)
    save_assignments(settings, lang, [*current, assignment])
    return ExportResult(
        packet_id,
        lang,
        assignment.reviewer,
        str(output),
        len(chosen),
        total,
        expires,
        skipped,
        problem,
    )


def _check_packet_path(settings: Settings, output: Path) -> None:
    """A packet never replaces a catalog, a template, a source or any file that is not a packet."""
    target = output.resolve()
    for folder in (settings.locales_path, settings.source_path):
        if target.is_relative_to(folder.resolve()):
            message = f"a packet is not written into {folder.name}/: choose another -o"
            raise ReviewError(message, output)
    packet = target.is_file() and b"X-Homelang-Packet:" in target.read_bytes()[:8192]
    if target.exists() and not packet:
        raise ReviewError("exists and is not a review packet: choose another -o", output)


def held(settings: Settings, lang: str) -> dict[str, str]:
    """entry key -> packet id, for entries out in packets that have not expired."""
    now = today()
    return {
        key: a.packet for a in load_assignments(settings, lang) if a.holds(now) for key in a.entries
    }


def _packet_id(lang: str, stamp: str, reviewer: str) -> str:
    """``<lang>-<minute>-<reviewer>-<random>``: two packets of the same minute never share an id."""
    slug = re.sub(r"[^a-z0-9]+", "-", reviewer.casefold()).strip("-")[:24] or "packet"
    return f"{lang}-{re.sub(r'[^0-9]', '', stamp[:16])[:12]}-{slug}-{secrets.token_hex(3)}"


def seal(packet_id: str, entries: Iterable[polib.POEntry]) -> str:
    """The checksum of a packet's entries (their context and English, not the translations)."""
    keys = sorted(f"{e.msgctxt or ''}\x04{e.msgid}" for e in entries)
    return hashlib.sha256(json.dumps([packet_id, keys]).encode("utf-8")).hexdigest()[:16]


def end_marker(packet_id: str, checksum: str) -> polib.POEntry:
    """The packet's last entry: a packet cut short anywhere, even inside a translation, lacks it."""
    return polib.POEntry(
        msgctxt=END_CONTEXT,
        msgid=f"End of review packet {packet_id} (checksum {checksum}): leave this entry as it is.",
        msgstr="",
    )


def read_end_marker(entry: polib.POEntry) -> tuple[str, str] | None:
    """(packet id, checksum) from an end-of-packet entry, None if it is not one."""
    if entry.msgctxt != END_CONTEXT:
        return None
    match = _END.fullmatch(entry.msgid)
    return (match.group(1), match.group(2)) if match else None


def memory(catalogs_by_doc: dict[str, polib.POFile]) -> dict[str, list[tuple[str, str]]]:
    """Reviewed translations of one language: English -> [(translation, doc id)]."""
    found: dict[str, list[tuple[str, str]]] = {}
    for doc_id, catalog in catalogs_by_doc.items():
        for entry in reviewed_entries(catalog):
            found.setdefault(entry.msgid, []).append((entry.msgstr, doc_id))
    return found


def suggestions(
    settings: Settings, lang: str, everything: dict[str, polib.POFile]
) -> tuple[dict[str, list[str]], str]:
    """English -> texts kept aside from conflicting imports and not yet settled, so the next
    reviewer sees them; and why the conflicts file could not be read, if it could not."""
    records, problem = conflicts.read_or_warn(settings, lang)
    found: dict[str, list[str]] = {}
    if records is not None:
        entries = by_key(everything)
        for conflict in records.records():
            if conflicts.is_open(conflict, entries.get(conflict.key)):
                found.setdefault(conflict.english, []).append(f"{conflict.note}: {conflict.theirs}")
    return found, problem


def build_packet(
    assignment: Assignment,
    chosen: list[tuple[str, polib.POEntry]],
    lang: languages.Language,
    glossary: Glossary,
    tm: dict[str, list[tuple[str, str]]],
    kept: dict[str, list[str]],
) -> polib.POFile:
    """The packet's PO file (pure): headers Poedit reads, one entry per chosen catalog entry."""
    packet = polib.POFile(wrapwidth=0)
    packet.header = (
        f"Review packet {assignment.packet}: {lang.english_name} ({lang.native_name}), "
        f"for {assignment.reviewer}, please return by {assignment.expires}.\n"
        "Translate or correct each entry. When an entry is right, remove its fuzzy mark\n"
        "(in Poedit: turn off 'Needs work'). Leave the rest as it is and send the file back."
    )
    translator = assignment.reviewer if assignment.reviewer != "unnamed" else ""
    packet.metadata = {
        **catalogs.language_headers(
            lang, f"homelang review {assignment.packet}", assignment.exported, translator
        ),
        "X-Source-Language": "en",
        "X-Homelang-Packet": assignment.packet,
        "X-Homelang-Reviewer": assignment.reviewer,
        "X-Homelang-Exported": assignment.exported,
        "X-Homelang-Documents": " ".join(assignment.docs),
        "X-Homelang-Entries": str(len(chosen)),
    }
    for doc_id, entry in chosen:
        packet.append(_packet_entry(doc_id, entry, lang, glossary, tm, kept))
    return packet


def entry_notes(
    entry: polib.POEntry,
    lang: languages.Language,
    glossary: Glossary,
    tm: dict[str, list[tuple[str, str]]],
    kept: dict[str, list[str]],
) -> list[str]:
    """What helps a person review ``entry``: the author's notes, what the machine draft is,
    that the English changed, glossary terms, reviewed translations of similar English
    (``tm``, from :func:`memory`) and earlier suggestions (``kept``, from :func:`suggestions`)."""
    notes = (entry.comment or "").splitlines()
    provider = states.machine_provider(entry)
    if provider and not states.is_pseudo(entry):
        notes.append(
            f"Draft by {'translation memory' if provider == 'memory' else provider}: check every word."
        )
    if entry.previous_msgid:
        notes.append("The English changed (old English above): update the translation to match.")
    for term in glossary.applicable(entry.msgid, lang.code):
        meaning = "keep as is, do not translate" if term.keep else f"write {term.translation!r}"
        notes.append(
            f"Glossary: {term.term!r}: {meaning}" + (f" ({term.note})" if term.note else "")
        )
    for english, score, _ in process.extract(
        entry.msgid, list(tm), scorer=fuzz.ratio, score_cutoff=TM_CUTOFF, limit=TM_LIMIT
    ):
        translation, other = tm[english][0]
        if english == entry.msgid and translation == entry.msgstr:
            continue  # a reviewed entry (shown online) is never offered to itself
        notes.append(f"Reviewed translation ({score:.0f}% similar, {other}): {translation}")
    for note in kept.get(entry.msgid, []) + kept.get(entry.previous_msgid or "", []):
        notes.append(f"Earlier suggestion, {note}")
    return notes


def _packet_entry(doc_id, entry, lang, glossary, tm, kept) -> polib.POEntry:
    notes = entry_notes(entry, lang, glossary, tm, kept)
    pseudo = states.is_pseudo(entry)  # layout preview text is no draft for a person
    return polib.POEntry(
        msgctxt=doc_id if entry.msgctxt is None else f"{doc_id}|{entry.msgctxt}",
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        msgstr="" if pseudo else entry.msgstr,
        msgstr_plural={k: "" for k in entry.msgstr_plural} if pseudo else dict(entry.msgstr_plural),
        previous_msgid=entry.previous_msgid,
        comment="\n".join(notes),
        occurrences=list(entry.occurrences),
        flags=[f for f in entry.flags if not (pseudo and f == "fuzzy")],
    )


@dataclass(frozen=True)
class Release:
    packet: str
    lang: str
    reviewer: str
    entries: int


def release(
    settings: Settings, packets: tuple[str, ...] = (), expired: bool = False
) -> list[Release]:
    """Give entries back to the queue (named packets, or every expired one).

    The record stays, marked released, so a packet that comes back after all is still
    applied where the catalog holds exactly what was exported.
    """
    wanted, now = set(packets), today()
    current = {lang: load_assignments(settings, lang) for lang in settings.languages}
    unknown = wanted - {a.packet for out in current.values() for a in out if not a.released}
    if unknown:
        raise ReviewError(f"no such packet out: {', '.join(sorted(unknown))} (see homelang status)")
    done: list[Release] = []
    for lang, out in current.items():
        drop = [
            a
            for a in out
            if not a.released and (a.packet in wanted or (expired and a.expired(now)))
        ]
        if drop:
            kept = [a for a in out if a not in drop]
            save_assignments(settings, lang, kept + [assignments.released(a, now) for a in drop])
            done += [Release(a.packet, lang, a.reviewer, len(a.entries)) for a in drop]
    return done
