"""Merge a template into a language catalog, the way GNU ``msgmerge --previous`` does.

* an entry whose English is unchanged keeps its translation, fuzzy state and notes;
* a new entry close to an old translated one (similarity above 60 %, msgmerge's
  threshold) gets that translation as a fuzzy draft, the old English kept as
  ``#| msgid`` so the translator sees what changed;
* a message that gains or loses its plural keeps its translation as a fuzzy draft (in
  every plural form, or the first form); a changed ``msgid_plural`` makes it fuzzy;
* a format flag the template adds makes the entry fuzzy when the translation would
  fail ``msgfmt --check-format``; so does a ``range:`` the old range does not cover;
* an old translated entry that nothing uses any more becomes obsolete (``#~``), with
  its notes and previous English; an obsolete entry comes back when its English does;
  obsolete entries of the *template* are ignored;
* references, extracted comments and flags come from the template, a translator's
  comments and the fuzzy mark from the old catalog.

Nothing a person wrote is dropped: where in doubt, fuzzy or obsolete, never gone.
Pure: works on catalogs in memory. :class:`FuzzyMatcher` ranks the old English once
per new English for all languages of a document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy
import polib
from rapidfuzz import fuzz, process

from pipeline import formats

#: msgmerge's FUZZY_THRESHOLD (gettext-tools/src/msgl-fsearch.h), as a percentage.
THRESHOLD = 60.0

Key = tuple[str | None, str]
#: New msgids ranked per call: bounds the score matrix (this many x the old msgids).
_CHUNK = 256


def key(entry: polib.POEntry) -> Key:
    return (entry.msgctxt, entry.msgid)


def first_form(entry: polib.POEntry) -> str:
    """The translation GNU looks at to call an entry translated: msgstr, or msgstr[0]."""
    if entry.msgstr_plural:
        return entry.msgstr_plural.get(0, "") or ""
    return entry.msgstr


def has_translation(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or any(entry.msgstr_plural.values())


class FuzzyMatcher:
    """Closest old English for a new English, ranked once over every language's old catalog.

    The English changed once for all languages: each new msgid is compared with the
    old msgids once, and each language then takes the best one it has translated.
    """

    def __init__(self, olds: Iterable[polib.POFile | None]) -> None:
        found: dict[str, None] = {}
        for old in olds:
            for entry in old or ():
                if first_form(entry):
                    found[entry.msgid] = None
        self._choices = list(found)
        self._ranked: dict[str, list[tuple[str, float]]] = {}

    def prepare(self, msgids: Iterable[str]) -> None:
        """Rank new msgids against every old one, many at a time and on every core."""
        todo = [m for m in dict.fromkeys(msgids) if m not in self._ranked]
        for start in range(0, len(todo) if self._choices else 0, _CHUNK):
            chunk = todo[start : start + _CHUNK]
            scores = process.cdist(
                chunk, self._choices, scorer=fuzz.ratio, score_cutoff=THRESHOLD, workers=-1
            )
            for msgid, row in zip(chunk, scores, strict=True):
                found = numpy.flatnonzero(row)  # scores under the cutoff are 0
                order = found[numpy.argsort(-row[found], kind="stable")]
                self._ranked[msgid] = [(self._choices[i], float(row[i])) for i in order]

    def best(self, msgid: str, translated: dict[str, int]) -> str | None:
        """The closest msgid among ``translated`` (msgid -> position in that language's file)."""
        if msgid not in self._ranked:
            self.prepare([msgid])
        ranked = self._ranked.get(msgid, [])
        best: tuple[float, int, str] | None = None
        for choice, score in ranked:  # highest score first; GNU keeps the first of a tie
            if best is not None and score < best[0]:
                break
            position = translated.get(choice)
            if position is not None and score > THRESHOLD and (best is None or position < best[1]):
                best = (score, position, choice)
        return best[2] if best else None


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
    """A new catalog holding ``template``'s entries with ``old``'s translations carried over.

    ``metadata`` is the new catalog's header; its ``Plural-Forms`` says how many forms
    a plural entry gets.
    """
    matcher = matcher or FuzzyMatcher([old])
    nplurals = plural_count(metadata)
    merged = polib.POFile(wrapwidth=0)
    merged.header = old.header if old is not None and old.header else template.header
    merged.metadata = metadata
    old_entries = list(old) if old is not None else []
    by_key = {key(e): e for e in old_entries}
    translated: dict[str, int] = {}
    for position, e in enumerate(old_entries):
        if first_form(e):
            translated.setdefault(e.msgid, position)
    by_msgid = {e.msgid: e for e in reversed(old_entries) if first_form(e)}
    used: set[int] = set()
    retired: list[polib.POEntry] = []  # old entries the template itself holds as obsolete
    kept = new = fuzzy = 0
    for source in template:
        if source.obsolete:  # never brought back; merged as GNU merges it, then obsolete
            previous = by_key.get(key(source))
            if previous is not None and has_translation(previous):
                retired.append(_obsolete(merge_entry(previous, source, nplurals, forced=False)))
                used.add(id(previous))
            continue
        previous = by_key.get(key(source))
        if previous is not None:
            entry = merge_entry(previous, source, nplurals, forced=False)
            kept += 1
        else:
            match = matcher.best(source.msgid, translated) if translated else None
            if match is None:
                merged.append(_untranslated(source, nplurals))
                new += 1
                continue
            previous = by_msgid[match]
            entry = merge_entry(previous, source, nplurals, forced=True)
            fuzzy += 1
        used.add(id(previous))
        merged.append(entry)
    merged.extend(retired)
    obsolete = len(retired)
    for e in old_entries:
        if id(e) in used or not has_translation(e):
            continue
        merged.append(_obsolete(e))
        obsolete += 0 if e.obsolete else 1
    return merged, MergeStats(kept, new, fuzzy, obsolete)


def plural_count(metadata: dict[str, str]) -> int:
    found = re.search(r"nplurals\s*=\s*(\d+)", metadata.get("Plural-Forms", ""))
    return int(found.group(1)) if found else 2


def _untranslated(source: polib.POEntry, nplurals: int) -> polib.POEntry:
    entry = _from_template(source)
    entry.tcomment = source.tcomment  # GNU copies a new entry whole, notes included
    if source.msgid_plural:
        entry.msgstr_plural = {i: "" for i in range(nplurals)}
    return entry


def _from_template(source: polib.POEntry) -> polib.POEntry:
    return polib.POEntry(
        msgid=source.msgid,
        msgctxt=source.msgctxt,
        msgid_plural=source.msgid_plural,
        msgstr="",
        occurrences=list(source.occurrences),
        comment=source.comment,
        flags=[f for f in source.flags if f != "fuzzy"],
    )


def merge_entry(
    old: polib.POEntry, source: polib.POEntry, nplurals: int, forced: bool
) -> polib.POEntry:
    """``source`` (from the template) with ``old``'s translation: GNU's message_merge."""
    entry = _from_template(source)
    entry.tcomment = old.tcomment
    was_fuzzy = "fuzzy" in old.flags
    fuzzy = was_fuzzy or forced or (source.msgid_plural or None) != (old.msgid_plural or None)
    if source.msgid_plural and not old.msgid_plural:
        entry.msgstr_plural = {i: old.msgstr for i in range(nplurals)}
    elif source.msgid_plural:
        entry.msgstr_plural = dict(old.msgstr_plural)
    elif old.msgid_plural:
        entry.msgstr = first_form(old)
    else:
        entry.msgstr = old.msgstr
    if not fuzzy:
        fuzzy = not formats.still_valid(old.flags, entry)
    if not fuzzy:
        fuzzy = not formats.range_covered(old.flags, source.flags)
    # GNU writes no fuzzy mark on an entry without translation (a partial plural keeps
    # it here: without the mark it would count as reviewed)
    if fuzzy and has_translation(entry):
        entry.flags.insert(0, "fuzzy")
    if fuzzy and first_form(entry):
        # GNU keeps a fuzzy entry's own previous English; where it has none (a machine
        # draft) and the English changed, the old English is shown instead.
        if was_fuzzy and (old.previous_msgid is not None or not forced):
            entry.previous_msgctxt = old.previous_msgctxt
            entry.previous_msgid = old.previous_msgid
            entry.previous_msgid_plural = old.previous_msgid_plural
        else:
            entry.previous_msgctxt = old.msgctxt
            entry.previous_msgid = old.msgid
            entry.previous_msgid_plural = old.msgid_plural or None
    return entry


def _obsolete(e: polib.POEntry) -> polib.POEntry:
    """An unused old entry kept as ``#~``: its translation, notes, flags and previous English."""
    return polib.POEntry(
        msgid=e.msgid,
        msgstr=e.msgstr,
        msgctxt=e.msgctxt,
        msgid_plural=e.msgid_plural,
        msgstr_plural=dict(e.msgstr_plural),
        tcomment=e.tcomment,
        flags=list(e.flags),
        previous_msgctxt=e.previous_msgctxt,
        previous_msgid=e.previous_msgid,
        previous_msgid_plural=e.previous_msgid_plural,
        obsolete=True,
    )
