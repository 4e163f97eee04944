"""What waits for whom: review states, check results and publishing per language and document.

``status`` counts entries and English words in each review state, quality-check
errors, whether the document may be published (``pipeline.policy``) and which review
packets are out. ``check`` runs the quality checks and lists every finding. Both read
the catalogs as they are on disk, so a volunteer's direct edit in Poedit counts too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import polib

from pipeline import conflicts, languages, policy, providers, states
from pipeline.assignments import by_key, entry_key, load_assignments, shown, today
from pipeline.checks import Finding, check_catalog
from pipeline.documents import discover
from pipeline.glossary import load_glossary
from pipeline.review import language_catalogs, words
from pipeline.settings import Settings


@dataclass(frozen=True)
class PacketOut:
    packet: str
    reviewer: str
    entries: int  # entries of this document in the packet
    exported: str
    expires: str
    expired: bool


@dataclass(frozen=True)
class CatalogStatus:
    lang: str
    doc_id: str
    path: str
    entries: dict[str, int]  # review state -> entries
    words: dict[str, int]  # review state -> English words
    errors: int
    warnings: int
    publish: bool
    reason: str
    vital: bool
    threshold: float
    machine_route: str  # provider name, or "" when people translate everything
    conflicts: int  # incoming texts kept aside for this document and not settled yet
    packets: list[PacketOut] = field(default_factory=list)
    conflicts_warning: str = ""  # review-conflicts.po cannot be read: not counted


def machine_route(settings: Settings, lang: str) -> str:
    """The provider that drafts ``lang``, or "" when none is configured or it has no route."""
    provider = settings.pretranslate.provider_for(lang)
    return "" if provider == "none" or providers.route(provider, lang) is None else provider


def status(
    settings: Settings, langs: tuple[str, ...] = (), docs: tuple[str, ...] = ()
) -> list[CatalogStatus]:
    """One :class:`CatalogStatus` per selected language and document."""
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    documents = {doc.id: doc for doc in discover(settings.source_path, settings.root)}
    results = []
    for lang in settings.select_languages(langs):
        language = languages.get(lang)
        now = today()
        out = [a for a in load_assignments(settings, lang) if not a.released]
        selected = language_catalogs(settings, lang, docs)
        conflicted, warning = _conflicts(settings, lang, selected)
        for doc_id, catalog in selected.items():
            entries: Counter[str] = Counter({s: 0 for s in states.STATES})
            counted: Counter[str] = Counter({s: 0 for s in states.STATES})
            keys = set()
            for entry in catalog:
                if entry.obsolete:
                    continue
                state = states.state(entry)
                entries[state] += 1
                counted[state] += words(entry.msgid)
                keys.add(entry_key(doc_id, entry))
            findings = check_catalog(catalog, language, glossary)
            errors = sum(f.level == "error" for f in findings)
            failing = {f.msgid for f in findings if f.level == "error"}
            document = documents.get(doc_id)
            if document is not None:  # exactly as build decides
                decision = policy.for_document(settings, document, catalog, failing)
                vital, share = document.vital, policy.threshold(settings, document)
            else:  # the templates' own words: not a document of its own
                vital, share = False, settings.build.publish_threshold
                decision = policy.decide(vital, share, entries, len(failing))
            packets = [
                PacketOut(
                    a.packet,
                    a.reviewer,
                    len(keys & a.entries.keys()),
                    a.exported,
                    a.expires,
                    a.expired(now),
                )
                for a in out
                if keys & a.entries.keys()
            ]
            results.append(
                CatalogStatus(
                    lang=lang,
                    doc_id=doc_id,
                    path=shown(settings, settings.catalog_path(lang, doc_id)).as_posix(),
                    entries=dict(entries),
                    words=dict(counted),
                    errors=errors,
                    warnings=len(findings) - errors,
                    publish=decision.publish,
                    reason=decision.reason,
                    vital=vital,
                    threshold=share,
                    machine_route=machine_route(settings, lang),
                    conflicts=conflicted[doc_id],
                    packets=packets,
                    conflicts_warning=warning,
                )
            )
    return results


def _conflicts(
    settings: Settings, lang: str, selected: dict[str, polib.POFile]
) -> tuple[Counter[str], str]:
    """Open (not yet settled) kept-aside texts per document id; or why they cannot be counted."""
    records, problem = conflicts.read_or_warn(settings, lang)
    if records is None:
        return Counter(), problem
    entries = by_key(selected)
    return Counter(
        c.doc_id
        for c in records.records()
        if c.doc_id in selected and conflicts.is_open(c, entries.get(c.key))
    ), ""


@dataclass(frozen=True)
class CatalogFindings:
    lang: str
    doc_id: str
    path: str
    findings: list[Finding]


def check(
    settings: Settings, langs: tuple[str, ...] = (), docs: tuple[str, ...] = ()
) -> list[CatalogFindings]:
    """Quality-check every selected catalog that exists."""
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    results = []
    for lang in settings.select_languages(langs):
        language = languages.get(lang)
        for doc_id, catalog in language_catalogs(settings, lang, docs).items():
            path = settings.catalog_path(lang, doc_id)
            if path.exists():
                results.append(
                    CatalogFindings(
                        lang,
                        doc_id,
                        shown(settings, path).as_posix(),
                        check_catalog(catalog, language, glossary),
                    )
                )
    return results
