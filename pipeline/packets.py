"""Review packets coming back: validate, then apply to the catalogs without losing anyone's work.

* A packet that is not valid (``pipeline.returned``), or whose changed translations are
  mostly in another script or language, is refused as a whole: nothing changes.
* A confirmed entry (fuzzy removed) becomes ``reviewed``, credited to the reviewer;
  one still fuzzy keeps the edited text as a person's draft (``# draft: NAME DATE``).
* Where the English changed since export, or another person's text arrived
  meanwhile, the incoming text is kept aside in ``review-conflicts.po``
  (``pipeline.conflicts``); an entry whose shape differs (plural forms) is refused.
* An entry whose text fails a quality check (an error) is kept as a draft, not reviewed.
* A translation of English removed since export is kept as a draft on the catalog's
  obsolete entry for it (``apply.keep_removed``), for when the English returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polib

from pipeline import catalogs, conflicts, identify, languages, states
from pipeline.apply import (
    APPLIED,
    SETTLED,
    Settled,
    changed_by_volunteer,
    keep_removed,
    settle,
)
from pipeline.assignments import (
    ReviewError,
    assignments_path,
    by_key,
    key_of,
    load_assignments,
    save_assignments,
    shown,
    split_context,
    today,
)
from pipeline.checks import Finding, check_entries, check_entry
from pipeline.files import atomic_write
from pipeline.glossary import Glossary, load_glossary
from pipeline.returned import Returned, read_packet
from pipeline.settings import Settings


@dataclass(frozen=True)
class EntryOutcome:
    """What happened to one packet entry (one of ``apply.OUTCOMES``), with the packet line."""

    line: int
    doc_id: str
    msgid: str
    outcome: str
    detail: str = ""
    incoming: str = ""
    current: str = ""
    findings: tuple[Finding, ...] = ()
    conflict: str = ""  # the id of the record kept aside (review conflicts)


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

    @property
    def settled(self) -> bool:
        """Everything applied: no entry kept aside, refused, or left as a draft."""
        return all(o.outcome in SETTLED for o in self.outcomes)


@dataclass
class _Match:
    incoming: polib.POEntry
    doc_id: str
    target: polib.POEntry | None
    successor: polib.POEntry | None
    base: str | None  # hash of the text exported, when the packet's record is known
    checked: tuple[Finding, ...] | None = None  # its quality findings, once computed

    def findings(self, lang: languages.Language, glossary: Glossary) -> tuple[Finding, ...]:
        if self.checked is None:
            self.checked = tuple(check_entry(self.incoming, lang, glossary))
        return self.checked


@dataclass
class _Packet(Returned):
    matches: list[_Match] = field(default_factory=list)
    outcomes: list[EntryOutcome] = field(default_factory=list)


class _Index:
    """A catalog's live entries by (context, English), and by previous English; its
    obsolete ones by (context, English)."""

    def __init__(self, catalog: polib.POFile):
        self.catalog = catalog
        self.by_key: dict[tuple[str | None, str], polib.POEntry] = {}
        self.by_previous: dict[str, polib.POEntry] = {}
        self.retired: dict[tuple[str | None, str], polib.POEntry] = {}
        for entry in catalog:
            if entry.obsolete:
                self.retired.setdefault((entry.msgctxt, entry.msgid), entry)
            else:
                self.by_key.setdefault((entry.msgctxt, entry.msgid), entry)
                if entry.previous_msgid:
                    self.by_previous.setdefault(entry.previous_msgid, entry)


def import_packets(
    settings: Settings, paths: list[Path], dry_run: bool = False
) -> list[ImportResult]:
    """Validate every packet, then apply them in order; a refused packet refuses the whole run."""
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    packets = [_Packet(**vars(read_packet(settings, path))) for path in paths]
    index: dict[tuple[str, str], _Index] = {}
    read: dict[Path, bytes] = {}  # each catalog's bytes as read, to see a save made meanwhile
    for packet in packets:
        for entry in packet.entries:
            doc_id, _ = split_context(entry.msgctxt)
            if (packet.lang, doc_id) not in index:
                path = settings.catalog_path(packet.lang, doc_id)
                if not path.exists():
                    raise ReviewError(
                        f"no {packet.lang} catalog for document {doc_id!r}; run 'homelang update'",
                        packet.path,
                        entry.linenum,
                    )
                read[path] = catalogs.read_bytes(path, shown(settings, path))
                catalog = catalogs.parse_catalog(read[path], shown(settings, path))
                index[(packet.lang, doc_id)] = _Index(catalog)
        _match(packet, index)
        _check_language(packet, languages.get(packet.lang), glossary)
    kept = {lang: conflicts.read(settings, lang) for lang in dict.fromkeys(p.lang for p in packets)}
    touched: set[tuple[str, str]] = set()  # catalogs a text was applied to
    for packet in packets:
        touched |= _apply(packet, index, kept[packet.lang], glossary)
    for lang, records in kept.items():
        records.prune(*_entries_of(settings, lang, records, index))
    changed: dict[str, list[str]] = {p.packet_id: [] for p in packets}
    ready: list[tuple[Path, bytes]] = []  # every file's bytes (b"": remove it) before any write
    docs_of = {p.packet_id: {o.doc_id for o in p.outcomes} for p in packets}
    for lang, doc_id in sorted(touched):
        path = settings.catalog_path(lang, doc_id)
        data = catalogs.prepare_catalog(path, index[(lang, doc_id)].catalog)
        if data is not None:
            ready.append((path, data))
            for packet in packets:
                if packet.lang == lang and doc_id in docs_of[packet.packet_id]:
                    changed[packet.packet_id].append(shown(settings, path).as_posix())
    for lang, records in kept.items():
        data = conflicts.write(settings, lang, records)
        if data is not None:
            path = conflicts.conflicts_path(settings, lang)
            ready.append((path, data))
            for packet in packets:
                if packet.lang == lang:
                    changed[packet.packet_id].append(shown(settings, path).as_posix())
    for path, original in read.items():
        if catalogs.read_bytes(path, shown(settings, path)) != original:  # a save meanwhile
            raise ReviewError(
                "changed while the packets were being applied; nothing was written: import again",
                shown(settings, path),
            )
    if not dry_run:
        for path, data in ready:
            if data:
                atomic_write(path, data)
            else:
                path.unlink()
        _close_assignments(settings, packets)
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


def _entries_of(
    settings: Settings,
    lang: str,
    records: conflicts.ConflictsFile,
    index: dict[tuple[str, str], _Index],
) -> tuple[dict[str, polib.POEntry], set[str]]:
    """The entries the records concern, by key (the catalogs as applied, others as on disk),
    and the documents to prune: those read, and those that no longer exist."""
    loaded = {d: i.catalog for (code, d), i in index.items() if code == lang}
    known = set(catalogs.template_ids(settings))  # a record names a document; never a path
    named = {c.doc_id for c in records.records()}
    for doc_id in named & known - set(loaded):
        path = settings.catalog_path(lang, doc_id)
        if path.exists():
            loaded[doc_id] = catalogs.read_catalog(path, shown(settings, path))
    return by_key(loaded), set(loaded) | (named - known)


def _close_assignments(settings: Settings, packets: list[_Packet]) -> None:
    """The packets are back: drop their records (only theirs: same id and same checksum)."""
    for lang in dict.fromkeys(p.lang for p in packets):
        done = {(p.packet_id, p.seal) for p in packets if p.lang == lang}
        if assignments_path(settings, lang).exists():
            out = load_assignments(settings, lang)
            save_assignments(settings, lang, [a for a in out if (a.packet, a.seal) not in done])


def _match(packet: _Packet, index: dict[tuple[str, str], _Index]) -> None:
    """Find each packet entry's catalog entry by key (a dict, never a scan of the catalog)."""
    exported = packet.assignment.entries if packet.assignment else {}
    for incoming in packet.entries:
        doc_id, ctxt = split_context(incoming.msgctxt)
        found = index[(packet.lang, doc_id)]
        target = found.by_key.get((ctxt, incoming.msgid))
        successor = None if target else found.by_previous.get(incoming.msgid)
        base = exported.get(key_of(doc_id, ctxt, incoming.msgid))
        packet.matches.append(_Match(incoming, doc_id, target, successor, base))


def _check_language(packet: _Packet, lang: languages.Language, glossary: Glossary) -> None:
    """Refuse a packet whose changed translations are mostly in another script, or whose words
    the volunteer wrote read as another language (the identifier of the ``language`` check:
    Somali in Spanish): the wrong language pasted in. Only what the volunteer changed counts,
    never the drafts sent out, nor the words of the draft or the English they kept."""
    found = check_entries([m.incoming for m in packet.matches], lang, glossary)  # one batch
    for match, findings in zip(packet.matches, found, strict=True):
        match.checked = tuple(findings)
    changed = [m for m in packet.matches if changed_by_volunteer(m.incoming, m.target, m.base)]
    scripts = [any(f.check_id == "script" for f in m.findings(lang, glossary)) for m in changed]
    rest = [m for m, script in zip(changed, scripts, strict=True) if not script]
    verdicts = iter(identify.other_languages([_added(m) for m in rest], lang.code))  # one batch
    judged: list[tuple[int, str]] = []  # (packet line, the language it reads as, if not script)
    for m, script in zip(changed, scripts, strict=True):
        if script:
            judged.append((m.incoming.linenum, ""))
        elif other := next(verdicts):
            judged.append((m.incoming.linenum, f"reads as {other[0]} ({other[1]:.0%} sure)"))
    if not judged or len(judged) * 2 <= len(changed):
        return
    counted = "counting those the volunteer changed"
    named = [(line, why) for line, why in judged if why]
    if not named:
        what, line = f"are not in {lang.script_name} script ({counted})", judged[0][0]
    else:
        line, why = named[0]
        what = f"are not {lang.english_name} ({counted}; the first {why})"
    raise ReviewError(
        f"{len(judged)} of {len(changed)} translations {what}: "
        f"is this packet in another language than {lang.english_name}?",
        packet.path,
        line,
    )


def _added(m: _Match) -> str:
    """The words the volunteer wrote: not in the English, nor in the text exported."""
    kept = set(identify.words(m.incoming.msgid))
    exported = m.target or m.successor
    if exported is not None:
        kept |= set(identify.words(states.text(exported)))
    return " ".join(w for w in identify.words(states.text(m.incoming)) if w not in kept)


def _apply(
    packet: _Packet,
    index: dict[tuple[str, str], _Index],
    kept: conflicts.ConflictsFile,
    glossary: Glossary,
) -> set[tuple[str, str]]:
    """Apply one packet's entries; return the catalogs (language, document) written to."""
    touched = set()
    lang = languages.get(packet.lang)
    date = today()
    note = f"{packet.reviewer} {date} (packet {packet.packet_id})"
    for m in packet.matches:
        found = index[(packet.lang, m.doc_id)]
        if m.target is None and m.successor is None and states.text(m.incoming).strip():
            done = keep_removed(
                m.incoming,
                m.base,
                found.retired,
                catalog=found.catalog,
                reviewer=packet.reviewer,
                date=date,
            )
            packet.outcomes.append(_outcome(m, done))
            touched.add((packet.lang, m.doc_id))
            continue
        done = settle(
            m.incoming,
            m.target,
            m.base,
            m.successor,
            doc_id=m.doc_id,
            catalog=found.catalog,
            kept=lambda: kept,
            findings=lambda m=m: m.findings(lang, glossary),
            reviewer=packet.reviewer,
            date=date,
            note=note,
        )
        packet.outcomes.append(_outcome(m, done))
        if done.outcome in APPLIED:
            touched.add((packet.lang, m.doc_id))
    return touched


def _outcome(m: _Match, done: Settled) -> EntryOutcome:
    return EntryOutcome(
        m.incoming.linenum,
        m.doc_id,
        m.incoming.msgid,
        done.outcome,
        done.detail,
        states.text(m.incoming),
        done.current,
        done.findings,
        done.conflict,
    )
