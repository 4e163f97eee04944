"""Review states of a catalog entry, and the marks that record them.

The marks are translator comments (``# machine: google 2026-11-29``,
``# draft: Amina 2026-11-30``, ``# reviewed: Amina 2026-11-30``): GNU msgmerge,
msgcat and Poedit keep them.

=============  ==========================================================
untranslated   no translation yet
machine        a machine or translation-memory draft (fuzzy), not reviewed
needs-update   a translation whose English changed (fuzzy, ``#| msgid``), or a
               person's draft not yet confirmed
reviewed       a person's translation (not fuzzy)
=============  ==========================================================
"""

from __future__ import annotations

import re

import polib

STATES = ("untranslated", "machine", "needs-update", "reviewed")

_MACHINE = re.compile(r"^machine: (\S+) (\d{4}-\d{2}-\d{2})$", re.M)
_REVIEWED = re.compile(r"^reviewed: (.+) (\d{4}-\d{2}-\d{2})$", re.M)
_DRAFT = re.compile(r"^draft: (.+) (\d{4}-\d{2}-\d{2})$", re.M)


def is_translated(entry: polib.POEntry) -> bool:
    if entry.msgid_plural:
        return any(entry.msgstr_plural.values())
    return bool(entry.msgstr)


def text(entry: polib.POEntry) -> str:
    """The translation as one string: plural forms joined by newlines."""
    if entry.msgid_plural:
        return "\n".join(entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural))
    return entry.msgstr


def state(entry: polib.POEntry) -> str:
    """The entry's review state, one of :data:`STATES`."""
    if not is_translated(entry):
        return "untranslated"
    if "fuzzy" in entry.flags:
        # a draft of English that has changed since (``#| msgid``) needs a person,
        # whoever wrote it: it translates words that are no longer there
        return "machine" if machine_provider(entry) and not entry.previous_msgid else "needs-update"
    return "reviewed"


def machine_provider(entry: polib.POEntry) -> str | None:
    """The provider that drafted this entry ("memory" for translation memory), if a machine did."""
    match = _MACHINE.search(entry.tcomment or "")
    return match.group(1) if match else None


def is_pseudo(entry: polib.POEntry) -> bool:
    """A pseudo-localized draft: layout preview text, never sent to people or published.

    The mark alone is not enough: a person may type over the preview in a text editor
    and leave the mark and the fuzzy flag; that text is theirs."""
    from pipeline.providers.pseudo import looks_generated

    if machine_provider(entry) != "pseudo":
        return False
    english = " ".join(filter(None, (entry.msgid, entry.msgid_plural)))
    forms = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
    return all(looks_generated(english, form) for form in forms if form)


def fillable(entry: polib.POEntry, provider: str) -> bool:
    """Whether ``provider`` may draft this entry: it is empty, or holds an unconfirmed pseudo draft."""
    if state(entry) == "untranslated":
        return True
    # a pseudo preview no person confirmed ("Needs work" still on, no review mark)
    return is_pseudo(entry) and entry.fuzzy and reviewer(entry) is None and provider != "pseudo"


def reviewer(entry: polib.POEntry) -> tuple[str, str] | None:
    """(name, date) of the person who last reviewed this entry, if recorded."""
    match = _REVIEWED.search(entry.tcomment or "")
    return (match.group(1), match.group(2)) if match else None


def _without(comment: str, *patterns: re.Pattern[str]) -> list[str]:
    return [
        line
        for line in (comment or "").splitlines()
        if not any(p.fullmatch(line) for p in patterns)
    ]


def mark_machine(entry: polib.POEntry, provider: str, date: str) -> None:
    """Record a machine draft: fuzzy, with a ``machine:`` comment naming provider and date."""
    lines = _without(entry.tcomment, _MACHINE)
    entry.tcomment = "\n".join([*lines, f"machine: {provider} {date}"])
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")


def mark_reviewed(entry: polib.POEntry, name: str, date: str) -> None:
    """Record a person's review: not fuzzy, ``reviewed:`` comment replaces any machine mark."""
    name = " ".join(name.split()) or "unknown"
    lines = _without(entry.tcomment, _MACHINE, _DRAFT, _REVIEWED)
    entry.tcomment = "\n".join([*lines, f"reviewed: {name} {date}"])
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    entry.previous_msgid = None
    entry.previous_msgctxt = None


def mark_draft(entry: polib.POEntry, name: str, date: str) -> None:
    """Record a person's unconfirmed text: fuzzy, ``draft: NAME DATE`` in place of other marks."""
    name = " ".join(name.split()) or "unknown"
    lines = _without(entry.tcomment, _MACHINE, _DRAFT, _REVIEWED)
    entry.tcomment = "\n".join([*lines, f"draft: {name} {date}"])
    if "fuzzy" not in entry.flags:
        entry.flags.append("fuzzy")
