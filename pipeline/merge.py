"""Merge a template into a language catalog, with ``msgmerge --previous`` semantics.

* an entry whose English is unchanged keeps its translation, flags and comments;
* a new entry close to an old translated one (similarity >= 60 %, msgmerge's
  threshold) gets that translation as a fuzzy draft, the old English kept as
  ``#| msgid`` so the translator sees what changed;
* an old translated entry that nothing uses any more becomes obsolete (``#~``);
  old obsolete entries come back when their English returns;
* references, extracted comments and format flags always come from the template.

Pure: works on catalogs in memory. The English usually changed once for all
languages, so :class:`FuzzyMatcher` computes each match once and reuses it.
"""

from __future__ import annotations

from dataclasses import dataclass

import polib
from rapidfuzz import fuzz, process

#: msgmerge's FUZZY_THRESHOLD (gettext-tools/src/msgl-fsearch.h), as a percentage.
THRESHOLD = 60.0

Key = tuple[str | None, str]


def key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


class FuzzyMatcher:
    """Closest translated old msgid for a new msgid, memoised per pool of candidates."""

    def __init__(self) -> None:
        self._memo: dict[frozenset[str], dict[str, str | None]] = {}

    def best(self, msgid: str, pool: frozenset[str], choices: list[str]) -> str | None:
        answers = self._memo.setdefault(pool, {})
        if msgid not in answers:
            found = process.extractOne(msgid, choices, scorer=fuzz.ratio, score_cutoff=THRESHOLD)
            answers[msgid] = found[0] if found else None
        return answers[msgid]


@dataclass(frozen=True)
class MergeStats:
    kept: int = 0
    new: int = 0
    fuzzy: int = 0
    obsolete: int = 0


def merge(
    template: polib.POFile,
    old: polib.POFile | None,
    metadata: dict[str, str],
    matcher: FuzzyMatcher | None = None,
) -> tuple[polib.POFile, MergeStats]:
    """A new catalog holding ``template``'s entries with ``old``'s translations carried over."""
    matcher = matcher or FuzzyMatcher()
    merged = polib.POFile(wrapwidth=0)
    merged.header = old.header if old is not None and old.header else template.header
    merged.metadata = metadata
    old_entries = list(old) if old is not None else []
    by_key = {key(e): e for e in old_entries if e.obsolete}
    by_key.update({key(e): e for e in old_entries if not e.obsolete})
    translated = [e for e in old_entries if e.msgstr or any(e.msgstr_plural.values())]
    by_msgid = {}
    for e in translated:
        by_msgid.setdefault(e.msgid, e)
    choices = list(by_msgid)
    pool = frozenset(choices)
    used: set[int] = set()
    kept = new = fuzzy = 0
    for source in template:
        entry = _from_template(source)
        previous = by_key.get(key(source))
        if previous is not None:
            _carry(previous, entry, exact=True)
            kept += 1
        else:
            match = matcher.best(source.msgid, pool, choices) if choices else None
            if match is None:
                new += 1
            else:
                previous = by_msgid[match]
                _carry(previous, entry, exact=False)
                fuzzy += 1
        if previous is not None:
            used.add(id(previous))
        merged.append(entry)
    obsolete = 0
    for e in old_entries:
        if id(e) in used or not (e.msgstr or any(e.msgstr_plural.values())):
            continue
        gone = polib.POEntry(
            msgid=e.msgid,
            msgstr=e.msgstr,
            msgctxt=e.msgctxt,
            msgid_plural=e.msgid_plural,
            msgstr_plural=dict(e.msgstr_plural),
            tcomment=e.tcomment,
            flags=list(e.flags),
            previous_msgid=e.previous_msgid,
            obsolete=True,
        )
        merged.append(gone)
        obsolete += 0 if e.obsolete else 1
    return merged, MergeStats(kept, new, fuzzy, obsolete)


def _from_template(source: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgid=source.msgid,
        msgctxt=source.msgctxt,
        msgid_plural=source.msgid_plural,
        msgstr="",
        msgstr_plural={i: "" for i in source.msgstr_plural} if source.msgid_plural else {},
        occurrences=list(source.occurrences),
        comment=source.comment,
        flags=[f for f in source.flags if f != "fuzzy"],
    )


def _carry(old: polib.POEntry, entry: polib.POEntry, exact: bool) -> None:
    """Copy the translation and a person's notes from ``old`` into ``entry``."""
    entry.msgstr = old.msgstr
    if entry.msgid_plural and old.msgstr_plural:
        entry.msgstr_plural = dict(old.msgstr_plural)
    entry.tcomment = old.tcomment
    was_fuzzy = "fuzzy" in old.flags
    if was_fuzzy or not exact:
        entry.flags.append("fuzzy")
    if exact:
        if was_fuzzy:
            entry.previous_msgid = old.previous_msgid
            entry.previous_msgctxt = old.previous_msgctxt
    else:
        entry.previous_msgid = old.previous_msgid if was_fuzzy and old.previous_msgid else old.msgid
        entry.previous_msgctxt = (
            old.previous_msgctxt if was_fuzzy and old.previous_msgid else old.msgctxt
        )
