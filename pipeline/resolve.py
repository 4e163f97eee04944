"""``review conflicts``: list the returned translations kept aside, and settle one.

Settling goes through the same code as an import (``pipeline.apply``): taking theirs
or a new text marks the entry reviewed (or a draft, if a check finds an error or the
English changed since they translated it). The version not taken is returned in the
result, so the command prints it: nothing is dropped without being shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polib

from pipeline import catalogs, conflicts, languages, states
from pipeline.apply import apply_text, shape_mismatch
from pipeline.assignments import ReviewError, by_key, shown, today
from pipeline.checks import check_entry
from pipeline.glossary import load_glossary
from pipeline.review import language_catalogs
from pipeline.settings import Settings

TAKES = ("mine", "theirs", "text")
_NOTE = re.compile(r"(.+) [0-9]{4}-[0-9]{2}-[0-9]{2} \((?:packet|online) .*\)")


@dataclass(frozen=True)
class OpenConflict:
    id: str
    lang: str
    doc_id: str
    english: str  # what the volunteer translated
    theirs: str
    mine: str  # the catalog's text now
    note: str
    reason: str
    path: str  # the conflicts file
    line: int


def list_conflicts(settings: Settings, langs: tuple[str, ...] = ()) -> list[OpenConflict]:
    """Every open record of the selected languages, oldest first."""
    found = []
    for lang in settings.select_languages(langs):
        records = conflicts.read(settings, lang)
        if not records.by_id:
            continue
        entries = by_key(language_catalogs(settings, lang))
        path = shown(settings, conflicts.conflicts_path(settings, lang)).as_posix()
        for c in records.records():
            entry = entries.get(c.key)
            if conflicts.is_open(c, entry):
                mine = states.text(entry) if entry is not None else ""
                found.append(
                    OpenConflict(
                        c.id,
                        lang,
                        c.doc_id,
                        c.english,
                        c.theirs,
                        mine,
                        c.note,
                        c.reason,
                        path,
                        c.line,
                    )
                )
    return found


@dataclass(frozen=True)
class Resolution:
    id: str
    lang: str
    doc_id: str
    take: str
    outcome: str  # "kept" (mine), or apply's "reviewed" | "draft" | "check-error"
    kept: str  # the text the catalog holds now
    dropped: str  # the version not taken
    detail: str = ""


def resolve(
    settings: Settings,
    conflict_id: str,
    take: str,
    text: str | None = None,
    reviewer: str = "",
    langs: tuple[str, ...] = (),
) -> Resolution:
    """Settle one kept-aside text: keep the catalog's (mine), take theirs, or a new text."""
    if take not in TAKES:
        raise ReviewError(f"--take must be one of {', '.join(TAKES)}")
    if (take == "text") != (text is not None):
        raise ReviewError("--take text needs --text, and --text only goes with --take text")
    for lang in settings.select_languages(langs):
        records = conflicts.read(settings, lang)
        if conflict_id in records.by_id:
            return _settle(settings, lang, records, conflict_id, take, text, reviewer)
    raise ReviewError(f"no such conflict: {conflict_id!r} (see homelang review conflicts)")


def _settle(
    settings: Settings,
    lang: str,
    records: conflicts.ConflictsFile,
    conflict_id: str,
    take: str,
    text: str | None,
    reviewer: str,
) -> Resolution:
    record = records.by_id[conflict_id]
    conflict = conflicts.record(record, lang)
    if take == "mine":
        entry = by_key(language_catalogs(settings, lang, (conflict.doc_id,))).get(conflict.key)
        mine = states.text(entry) if entry is not None else ""
        done = Resolution(conflict_id, lang, conflict.doc_id, take, "kept", mine, conflict.theirs)
    else:
        done = _take(settings, lang, conflict, record, text, reviewer)
    records.drop(conflict_id)
    conflicts.save(settings, lang, records)
    return done


def _take(
    settings: Settings,
    lang: str,
    conflict: conflicts.Conflict,
    record: polib.POEntry,
    text: str | None,
    reviewer: str,
) -> Resolution:
    """Apply theirs (``text`` None) or ``text`` to the catalog entry, as an import would."""
    catalogs.select_templates(settings, (conflict.doc_id,))  # a document of ours, never a path
    path = settings.catalog_path(lang, conflict.doc_id)
    name = shown(settings, path)
    glossary = load_glossary(settings.glossary_path, shown(settings, settings.glossary_path))
    match = _NOTE.fullmatch(conflict.note)
    who = reviewer or (match.group(1) if text is None and match else "unknown")
    done: list[Resolution] = []

    def change(catalog: polib.POFile) -> None:
        done.clear()
        target = by_key({conflict.doc_id: catalog}).get(conflict.key)
        if target is None:
            raise ReviewError(
                f"conflict {conflict.id}: its entry is gone; --take mine drops the record", name
            )
        source = polib.POEntry(msgid=target.msgid, msgid_plural=target.msgid_plural)
        if text is None:
            source.msgstr, source.msgstr_plural = record.msgstr, dict(record.msgstr_plural)
        elif target.msgid_plural:  # plural forms one per line, as listed
            source.msgstr_plural = dict(enumerate(text.split("\n")))
        else:
            source.msgstr = text
        mismatch = shape_mismatch(source, target)
        if mismatch:
            raise ReviewError(f"conflict {conflict.id}: {mismatch}", name)
        mine = states.text(target)
        confirmed = conflict.english == target.msgid  # their English is still the English
        findings = tuple(check_entry(source, languages.get(lang), glossary))
        result = apply_text(target, source, confirmed, who, today(), findings)
        errors = "; ".join(f"[{f.check_id}] {f.message}" for f in findings if f.level == "error")
        take = "theirs" if text is None else "text"
        now = states.text(target)
        done.append(Resolution(conflict.id, lang, conflict.doc_id, take, result, now, mine, errors))

    catalogs.modify_catalog(path, name, change)
    return done[0]
