"""Review packets coming back: validate, then apply to the catalogs without losing anyone's work.

* A packet that is not a PO file, names another language or an unknown document,
  or is cut short is refused as a whole: nothing on disk changes.
* A confirmed entry (fuzzy removed) becomes ``reviewed``, credited to the reviewer;
  one still fuzzy keeps the edited text as a person's draft (``# draft: NAME DATE``).
* Where the English changed since export, or another person's text arrived
  meanwhile, the incoming text is not applied: it goes to
  ``locales/<lang>/review-conflicts.po`` with both versions, and the next packet
  shows it as a suggestion.
* An entry whose text fails a quality check (an error) is kept as a draft, not reviewed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline import catalogs, languages, states
from pipeline.checks import Finding, check_entry
from pipeline.files import atomic_write
from pipeline.glossary import Glossary, load_glossary
from pipeline.review import (
    Assignment,
    ReviewError,
    conflicts_path,
    entry_key,
    load_assignments,
    save_assignments,
    shown,
    split_context,
    text_hash,
    today,
)
from pipeline.settings import Settings

_PLACEHOLDER_NAMES = ("", "homelang <>", "FULL NAME <EMAIL@ADDRESS>")


@dataclass(frozen=True)
class EntryOutcome:
    """What happened to one packet entry: reviewed, draft, unchanged, conflict or check-error."""

    line: int
    doc_id: str
    msgid: str
    outcome: str
    detail: str = ""
    incoming: str = ""
    current: str = ""
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class ImportResult:
    packet: str
    path: str
    lang: str
    reviewer: str
    dry_run: bool
    outcomes: tuple[EntryOutcome, ...]
    changed: tuple[str, ...] = ()  # files written (or, with dry_run, that would be)

    def count(self, outcome: str) -> int:
        return sum(o.outcome == outcome for o in self.outcomes)


@dataclass
class _Packet:
    path: Path
    catalog: polib.POFile
    packet_id: str
    lang: str
    reviewer: str
    assignment: Assignment | None
    outcomes: list[EntryOutcome] = field(default_factory=list)

    def count_conflicts(self) -> int:
        return sum(o.outcome == "conflict" for o in self.outcomes)


def import_packets(
    settings: Settings, paths: list[Path], dry_run: bool = False
) -> list[ImportResult]:
    """Validate every packet, then apply them in order; a refused packet refuses the whole run."""
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    packets = [_read_packet(settings, path, glossary) for path in paths]
    work: dict[tuple[str, str], polib.POFile] = {}
    read: dict[Path, bytes] = {}  # each catalog's bytes as read, to see a save made meanwhile
    for packet in packets:
        for entry in packet.catalog:
            doc_id, _ = split_context(entry.msgctxt)
            if (packet.lang, doc_id) not in work:
                path = settings.catalog_path(packet.lang, doc_id)
                if not path.exists():
                    raise ReviewError(
                        f"no {packet.lang} catalog for document {doc_id!r}; run 'homelang update'",
                        packet.path,
                        entry.linenum,
                    )
                read[path] = catalogs.read_bytes(path, shown(settings, path))
                work[(packet.lang, doc_id)] = catalogs.parse_catalog(
                    read[path], shown(settings, path)
                )
    before = {k: catalogs.render(c) for k, c in work.items()}
    conflicts: dict[str, polib.POFile] = {}
    for packet in packets:
        _apply(packet, work, conflicts, glossary, settings)
    changed: dict[str, list[str]] = {p.packet_id: [] for p in packets}
    writes: list[tuple[Path, polib.POFile]] = []
    for (lang, doc_id), catalog in work.items():
        if catalogs.render(catalog) != before[(lang, doc_id)]:
            writes.append((settings.catalog_path(lang, doc_id), catalog))
            for packet in packets:
                if packet.lang == lang and any(o.doc_id == doc_id for o in packet.outcomes):
                    changed[packet.packet_id].append(shown(settings, writes[-1][0]).as_posix())
    for lang, catalog in conflicts.items():
        writes.append((conflicts_path(settings, lang), catalog))
        for packet in packets:
            if packet.lang == lang and packet.count_conflicts():
                changed[packet.packet_id].append(shown(settings, writes[-1][0]).as_posix())
    # every file's bytes are ready before the first one is replaced
    ready = [(path, catalogs.prepare_catalog(path, catalog)) for path, catalog in writes]
    for path, original in read.items():
        if (
            catalogs.read_bytes(path, shown(settings, path)) != original
        ):  # a save meanwhile (Poedit?)
            raise ReviewError(
                "changed while the packets were being applied; nothing was written: import again",
                shown(settings, path),
            )
    if not dry_run:
        for path, data in ready:
            if data is not None:
                atomic_write(path, data)
    if not dry_run:
        for lang in {p.lang for p in packets}:
            done = {p.packet_id for p in packets if p.lang == lang}
            out = load_assignments(settings, lang)
            save_assignments(settings, lang, [a for a in out if a.packet not in done])
    return [
        ImportResult(
            p.packet_id,
            str(p.path),
            p.lang,
            p.reviewer,
            dry_run,
            tuple(p.outcomes),
            tuple(dict.fromkeys(changed[p.packet_id])),
        )
        for p in packets
    ]


def _read_packet(settings: Settings, path: Path, glossary: Glossary) -> _Packet:
    """Parse and validate one packet (pure checks on its bytes and headers)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ReviewError(f"cannot read: {exc.strerror}", path) from None
    catalog = catalogs.parse_catalog(raw, path)
    meta = catalog.metadata
    packet_id = meta.get("X-Homelang-Packet", "").strip()
    if not packet_id:
        raise ReviewError(
            "not a homelang review packet (no X-Homelang-Packet header); "
            "edit locales/<lang>/LC_MESSAGES/<doc>.po directly instead",
            path,
            1,
        )
    lang = meta.get("Language", "").strip()
    if lang not in settings.languages:
        raise ReviewError(
            f"Language header says {lang!r}, not one of this project's languages "
            f"({', '.join(settings.languages)})",
            path,
            _header_line(raw, "Language"),
        )
    exported_for = packet_id.split("-")[0]
    if exported_for != lang:
        raise ReviewError(
            f"packet {packet_id} was exported for {exported_for!r}, "
            f"but its Language header says {lang!r}",
            path,
            _header_line(raw, "Language"),
        )
    live = [e for e in catalog if not e.obsolete]
    expected = meta.get("X-Homelang-Entries", "")
    if expected.isdigit() and len(live) < int(expected):
        raise ReviewError(
            f"packet holds {len(live)} of its {expected} entries: cut short? "
            "ask for the whole file",
            path,
            raw.count(b"\n") + 1,
        )
    known = set(catalogs.template_ids(settings))
    for entry in live:
        doc_id, _ = split_context(entry.msgctxt)
        if doc_id not in known:
            raise ReviewError(f"no document {doc_id!r} in this project", path, entry.linenum)
    _check_language(live, languages.get(lang), glossary, path)
    assignment = next((a for a in load_assignments(settings, lang) if a.packet == packet_id), None)
    return _Packet(path, catalog, packet_id, lang, _reviewer(meta), assignment)


def _header_line(raw: bytes, key: str) -> int | None:
    match = re.search(rb'^"' + key.encode() + rb":", raw, re.M)
    return raw[: match.start()].count(b"\n") + 1 if match else None


def _check_language(
    entries: list[polib.POEntry], lang: languages.Language, glossary: Glossary, path: Path
) -> None:
    """Refuse a packet whose translations are mostly in another script: the wrong language pasted in."""
    judged = [
        f
        for e in entries
        if e.msgstr
        for f in check_entry(e, lang, glossary)
        if f.check_id == "script"
    ]
    translated = sum(1 for e in entries if e.msgstr)
    if judged and len(judged) * 2 > translated:
        raise ReviewError(
            f"{len(judged)} of {translated} translations are not in {lang.script_name} script: "
            f"is this packet in another language than {lang.english_name}?",
            path,
            judged[0].line,
        )


def _reviewer(meta: dict[str, str]) -> str:
    """Who to credit: Poedit's Last-Translator (name only, no e-mail), else the packet's reviewer."""
    name = meta.get("Last-Translator", "").strip()
    if name in _PLACEHOLDER_NAMES:
        name = meta.get("X-Homelang-Reviewer", "").strip()
    name = re.sub(r"\s*<[^>]*>\s*$", "", name).strip()
    return name if name and name != "unnamed" else "unknown"


def _set_text(target: polib.POEntry, source: polib.POEntry) -> None:
    if target.msgid_plural:
        target.msgstr_plural = dict(source.msgstr_plural)
    else:
        target.msgstr = source.msgstr


def _apply(
    packet: _Packet, work: dict, conflicts: dict, glossary: Glossary, settings: Settings
) -> None:
    lang = languages.get(packet.lang)
    date = today()
    for incoming in packet.catalog:
        if incoming.obsolete:
            continue
        doc_id, ctxt = split_context(incoming.msgctxt)
        catalog = work[(packet.lang, doc_id)]
        target = next(
            (
                e
                for e in catalog
                if not e.obsolete and e.msgctxt == ctxt and e.msgid == incoming.msgid
            ),
            None,
        )
        text = states.text(incoming)
        outcome = _decide(packet, doc_id, incoming, target, text, catalog)
        if outcome is not None:
            packet.outcomes.append(outcome)
            if outcome.outcome == "conflict":
                _keep_conflict(conflicts, settings, packet, doc_id, incoming, outcome, date)
            continue
        findings = tuple(check_entry(incoming, lang, glossary))
        errors = tuple(f for f in findings if f.level == "error")
        _set_text(target, incoming)
        confirmed = "fuzzy" not in incoming.flags
        if confirmed and not errors:
            states.mark_reviewed(target, packet.reviewer, date)
            result = "reviewed"
        else:
            states.mark_draft(target, packet.reviewer, date)
            result = "check-error" if confirmed else "draft"
        packet.outcomes.append(
            EntryOutcome(
                incoming.linenum,
                doc_id,
                incoming.msgid,
                result,
                "; ".join(f"[{f.check_id}] {f.message}" for f in errors),
                text,
                findings=findings,
            )
        )
        catalog.metadata["Last-Translator"] = packet.reviewer


def _decide(packet, doc_id, incoming, target, text, catalog) -> EntryOutcome | None:
    """The outcome when the entry is not to be applied (unchanged or a conflict), else None."""
    line, msgid = incoming.linenum, incoming.msgid
    confirmed = "fuzzy" not in incoming.flags
    if not text.strip():
        return EntryOutcome(line, doc_id, msgid, "unchanged", "left empty")
    if target is None:
        successor = next((e for e in catalog if e.previous_msgid == msgid and not e.obsolete), None)
        now = (
            f"the English is now: {successor.msgid}"
            if successor
            else "the entry was removed from the document"
        )
        return EntryOutcome(
            line,
            doc_id,
            msgid,
            "conflict",
            f"the English changed since export; {now}",
            text,
            successor.msgid if successor else "",
        )
    current = states.text(target)
    state = states.state(target)
    if text == current and (state == "reviewed" or not confirmed):
        return EntryOutcome(line, doc_id, msgid, "unchanged")
    base = packet.assignment.entries.get(entry_key(doc_id, target)) if packet.assignment else None
    if not confirmed and base is not None and text_hash(text) == base:
        # the volunteer left it as exported: nothing of theirs to apply over the catalog
        return EntryOutcome(line, doc_id, msgid, "unchanged")
    meanwhile = text_hash(current) != base if base is not None else True
    if text != current and meanwhile and state in ("reviewed", "needs-update"):
        who = states.reviewer(target)
        by = f"reviewed by {who[0]} on {who[1]}" if who else "a person's translation"
        return EntryOutcome(
            line,
            doc_id,
            msgid,
            "conflict",
            f"changed meanwhile ({by}); yours was not applied",
            text,
            current,
        )
    return None


def _keep_conflict(
    conflicts: dict,
    settings: Settings,
    packet: _Packet,
    doc_id: str,
    incoming: polib.POEntry,
    outcome: EntryOutcome,
    date: str,
) -> None:
    """Keep the incoming text, both versions and the reason in the language's conflicts file."""
    lang = languages.get(packet.lang)
    if packet.lang not in conflicts:
        path = conflicts_path(settings, packet.lang)
        conflicts[packet.lang] = (
            catalogs.read_catalog(path, shown(settings, path))
            if path.exists()
            else _new_conflicts(lang)
        )
    catalog = conflicts[packet.lang]
    ctxt = f"{doc_id} {packet.packet_id} {text_hash(outcome.incoming, 6)}"
    if catalog.find(incoming.msgid, msgctxt=ctxt) is not None:
        return
    kept = polib.POEntry(
        msgctxt=ctxt,
        msgid=incoming.msgid,
        msgid_plural=incoming.msgid_plural,
        msgstr=incoming.msgstr,
        msgstr_plural=dict(incoming.msgstr_plural),
        flags=["fuzzy"],
        tcomment=f"{packet.reviewer} {date} (packet {packet.packet_id})\nconflict: {outcome.detail}",
        comment=f"current: {outcome.current}" if outcome.current else "",
    )
    catalog.append(kept)


def _new_conflicts(lang: languages.Language) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=0)
    catalog.header = (
        "Review conflicts: translations that came back after the English changed or someone\n"
        "else reviewed the entry. Nothing here is published; copy what is good into the catalog."
    )
    catalog.metadata = catalogs.language_headers(
        lang, f"homelang review conflicts {lang.code}", catalogs.timestamp(), "homelang <>"
    )
    return catalog
