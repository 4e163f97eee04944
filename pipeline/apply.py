"""What a returned translation does to a catalog entry: the pure core of import and of resolving.

:func:`decide` says whether a packet entry is applied, left, kept aside or refused,
from the entry in the catalog now and the hash of what was exported;
:func:`apply_text` writes a translation into a catalog entry with the marks that say
who did it. ``review import`` and ``review conflicts --resolve`` both go through them,
and :func:`settle` is the whole of one returned entry (decide, check, apply or keep
aside) for ``review import`` and the online editor (``pipeline.online``) alike.
"""

from __future__ import annotations

import copy
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import polib

from pipeline import conflicts, states
from pipeline.assignments import split_context, text_hash
from pipeline.checks import Finding
from pipeline.conflicts import ConflictsFile
from pipeline.merge import plural_count

#: Outcomes of a packet entry; only the first two mean nothing is left to do.
SETTLED = ("reviewed", "unchanged")
OUTCOMES = ("reviewed", "draft", "unchanged", "conflict", "check-error", "left", "refused")
#: A translation is at most this many times its English, plus this many characters
#: (a paragraph grows by a third in most languages; a pasted file is no translation).
MAX_GROWTH, MAX_EXTRA = 10, 1000
#: Outcomes that wrote the text into the catalog.
APPLIED = ("reviewed", "draft", "check-error")


@dataclass(frozen=True)
class Decision:
    """``apply``, or an outcome that leaves the catalog entry as it is, with why."""

    action: str  # "apply" | "replace" | "unchanged" | "left" | "conflict" | "refused"
    detail: str = ""
    current: str = ""  # the catalog's text, shown beside a conflict


def fingerprint(entry: polib.POEntry) -> str:
    """What a packet or a page saw of an entry, to tell whether it changed since: the hash of
    its text as packets record it; once a person confirmed it, of its text and review mark
    (confirming a draft unchanged is a change)."""
    if states.state(entry) != "reviewed":
        return text_hash(states.text(entry))
    return conflicts.fingerprint(entry)


def shape_mismatch(incoming: polib.POEntry, target: polib.POEntry) -> str:
    """Why ``incoming`` cannot replace ``target``'s text (plural forms differ, a line break
    gettext refuses), or ""."""
    if bool(incoming.msgid_plural) != bool(target.msgid_plural):
        if target.msgid_plural:
            return "the packet entry has no plural forms, the catalog's has"
        return "the packet entry has plural forms (msgstr[n]), the catalog's has none"
    if target.msgid_plural:
        if incoming.msgid_plural != target.msgid_plural:
            return "the packet entry's plural English differs from the catalog's"
        if sorted(incoming.msgstr_plural) != sorted(target.msgstr_plural):
            found, wanted = len(incoming.msgstr_plural), len(target.msgstr_plural)
            return f"the packet entry has {found} plural forms, the catalog's has {wanted}"
    elif incoming.msgstr_plural:
        return "the packet entry has msgstr[n] forms but no msgid_plural"
    texts = list(incoming.msgstr_plural.values()) if target.msgid_plural else [incoming.msgstr]
    if any(text and not _same_breaks(target.msgid, text) for text in texts):
        return (
            "a translation begins and ends with a line break exactly where the English "
            "does (gettext refuses it otherwise)"
        )
    return ""


def _same_breaks(english: str, text: str) -> bool:
    """msgfmt's rule: a translation starts and ends with "\\n" where its English does."""
    starts = english.startswith("\n") == text.startswith("\n")
    return starts and english.endswith("\n") == text.endswith("\n")


def decide(
    incoming: polib.POEntry,
    target: polib.POEntry | None,
    base: str | None,
    successor: polib.POEntry | None = None,
    since: str = "export",
    by: str | None = None,
) -> Decision:
    """What to do with a returned entry (pure).

    ``target`` is the catalog entry with the same context and English (None if the
    English changed or the entry is gone; ``successor`` is then the entry whose
    previous English it was), ``base`` the hash of the text exported (None when the
    packet's record is unknown); ``since`` names that moment in the reasons. ``by`` is
    who sends it: a reviewed translation is replaced only by its own reviewer's
    confirmed text; anyone else's, or a draft, is kept aside for a coordinator.
    """
    text = states.text(incoming)
    confirmed = "fuzzy" not in incoming.flags
    if target is None and not text.strip():
        return Decision("left", "left empty")
    if target is None and successor is None:
        return Decision("refused", f"the entry was removed from the document since {since}")
    if target is None:
        return Decision(
            "conflict",
            f"the English changed since {since}; the English is now: {successor.msgid}",
            successor.msgid,
        )
    mismatch = shape_mismatch(incoming, target)
    if mismatch:
        return Decision("refused", f"{mismatch}; nothing was applied")
    longest = MAX_GROWTH * len(target.msgid + (target.msgid_plural or "")) + MAX_EXTRA
    if len(text) > longest:
        return Decision(
            "refused", f"{len(text)} characters, longer than its English allows ({longest})"
        )
    if not text.strip():
        return Decision("left", "left empty")
    current, state = states.text(target), states.state(target)
    if text == current and state == "reviewed":
        return Decision("unchanged")
    if not confirmed and (text == current or (base is not None and text_hash(text) == base)):
        return Decision("left", "left as a draft")  # nothing of the volunteer's to apply
    meanwhile = base is None or fingerprint(target) != base
    # whatever its marks say, text that is not what was exported may be a person's
    # (Poedit keeps "Needs work" and the machine mark when asked to): never overwritten
    if text != current and meanwhile and state != "untranslated":
        who = states.reviewer(target)
        by = f"reviewed by {who[0]} on {who[1]}" if who else f"a translation saved since {since}"
        return Decision("conflict", f"changed meanwhile ({by}); yours was not applied", current)
    if state == "reviewed" and text != current:
        who = states.reviewer(target)
        if not confirmed:
            why = "a draft does not replace a reviewed translation; yours was kept aside"
            return Decision("conflict", why, current)
        if by is None or who is None or who[0] != by:  # seen (``base``) and replaced by choice
            name = who[0] if who else "someone else"
            return Decision("replace", f"the text reviewed by {name} is kept aside", current)
    return Decision("apply")


def apply_text(
    target: polib.POEntry,
    incoming: polib.POEntry,
    confirmed: bool,
    reviewer: str,
    date: str,
    findings: tuple[Finding, ...],
) -> str:
    """Put ``incoming``'s text into ``target``: reviewed if confirmed and ``findings`` (its
    quality checks, ``checks.check_entry``) hold no error, else a person's draft."""
    if target.msgid_plural:
        target.msgstr_plural = dict(incoming.msgstr_plural)
    else:
        target.msgstr = incoming.msgstr
    if confirmed and not any(f.level == "error" for f in findings):
        states.mark_reviewed(target, reviewer, date)
        return "reviewed"
    states.mark_draft(target, reviewer, date)
    return "check-error" if confirmed else "draft"


def changed_by_volunteer(
    incoming: polib.POEntry, target: polib.POEntry | None, base: str | None
) -> bool:
    """Whether the packet's text differs from what was exported (the catalog's text, if unknown)."""
    text = states.text(incoming)
    if not text.strip():
        return False
    if base is not None:
        return text_hash(text) != base
    return target is None or text != states.text(target)


@dataclass(frozen=True)
class Settled:
    """What :func:`settle` did with one returned entry (``outcome`` one of :data:`OUTCOMES`)."""

    outcome: str
    detail: str = ""
    current: str = ""  # the catalog's text, beside a conflict
    findings: tuple[Finding, ...] = ()  # quality findings of an applied text
    conflict: str = ""  # the id of the record kept aside


def settle(
    incoming: polib.POEntry,
    target: polib.POEntry | None,
    base: str | None,
    successor: polib.POEntry | None,
    *,
    doc_id: str,
    catalog: polib.POFile,
    kept: Callable[[], ConflictsFile],
    findings: Callable[[], tuple[Finding, ...]],
    reviewer: str,
    date: str,
    note: str,
    since: str = "export",
) -> Settled:
    """Decide, then apply ``incoming`` to ``target`` in ``catalog`` (credited to ``reviewer``,
    who becomes its Last-Translator) or keep it aside in ``kept()`` (``note`` says whose and
    from where). ``incoming.msgctxt`` is a packet's: ``doc_id`` or ``doc_id|own context``.
    ``kept`` and ``findings`` are called only when needed; ``since`` is as for :func:`decide`."""
    decision = decide(incoming, target, base, successor, since, reviewer)
    if decision.action in ("apply", "replace") and target is not None:
        confirmed = "fuzzy" not in incoming.flags
        found = findings()
        errors = "; ".join(f"[{f.check_id}] {f.message}" for f in found if f.level == "error")
        if errors and states.state(target) == "reviewed":  # a reviewed text is never demoted
            why = f"check errors ({errors}); the reviewed translation stays, yours was kept aside"
            conflict = kept().keep(doc_id, target, incoming, note, why, states.text(target))
            return Settled("conflict", why, states.text(target), found, conflict)
        before = _copy_of(target, incoming.msgctxt)
        result = apply_text(target, incoming, confirmed, reviewer, date, found)
        catalog.metadata["Last-Translator"] = reviewer
        if decision.action == "apply":
            return Settled(result, errors, findings=found)
        who = states.reviewer(before)
        earlier = f"{who[0]} {who[1]}" if who else "a reviewed translation"
        conflict = kept().keep(
            doc_id,
            target,
            before,
            f"{earlier} (replaced by {reviewer} {date})",
            f"replaced by {reviewer}; the reviewed text it replaced is kept here",
            states.text(target),
        )
        return Settled(result, decision.detail, findings=found, conflict=conflict)
    conflict = ""
    entry = target or successor
    if decision.action == "conflict" and entry is not None:
        conflict = kept().keep(doc_id, entry, incoming, note, decision.detail, decision.current)
    return Settled(decision.action, decision.detail, decision.current, conflict=conflict)


def _copy_of(entry: polib.POEntry, msgctxt: str | None) -> polib.POEntry:
    """``entry``'s text and review mark as a packet entry (``msgctxt``), to keep it aside."""
    return polib.POEntry(
        msgctxt=msgctxt,
        msgid=entry.msgid,
        msgid_plural=entry.msgid_plural,
        msgstr=entry.msgstr,
        msgstr_plural=dict(entry.msgstr_plural),
        tcomment=entry.tcomment,
    )


def keep_removed(
    incoming: polib.POEntry,
    base: str | None,
    retired: dict[tuple[str | None, str], polib.POEntry],
    *,
    catalog: polib.POFile,
    reviewer: str,
    date: str,
) -> Settled:
    """A translation of English removed from the document since export: kept as a person's
    draft on the catalog's obsolete entry (``#~``) for that English, added if there is none
    (``retired``: the catalog's obsolete entries by context and English, kept current), so
    ``update`` brings it back when the English returns (only for an entry the packet's record
    says was exported: a forged one adds nothing). Another text there is never replaced."""
    _, ctxt = split_context(incoming.msgctxt)
    key = (ctxt, incoming.msgid)
    entry = retired.get(key)
    gone = "the entry was removed from the document since export"
    if entry is None and base is None:  # not known to have been exported: never added
        return Settled("refused", gone)
    if entry is None:
        entry = polib.POEntry(
            msgctxt=ctxt, msgid=incoming.msgid, msgid_plural=incoming.msgid_plural, obsolete=True
        )
        if incoming.msgid_plural:
            entry.msgstr_plural = {n: "" for n in range(plural_count(catalog.metadata))}
    draft = copy.copy(incoming)
    draft.flags = [*incoming.flags, "fuzzy"]  # confirmed or not: its English is gone
    decision = decide(draft, entry, base)
    if decision.action == "conflict":
        detail = f"{gone}, and its obsolete entry (#~) holds another text: yours was not kept"
        return Settled("refused", detail, decision.current)
    if decision.action != "apply":
        return Settled(decision.action, decision.detail)
    apply_text(entry, draft, False, reviewer, date, ())
    if key not in retired:
        catalog.append(entry)
        retired[key] = entry
    return Settled(
        "draft", f"{gone}: kept as a draft on its obsolete entry (#~) for when it returns"
    )


def credit_name(name: str) -> str:
    """A person's name as "# reviewed:" comments credit it: no controls, separators or bidi
    marks, spaces collapsed; "unknown" when nothing is left."""
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp"))
    name = " ".join(name.split())
    return name if name and name != "unnamed" else "unknown"
