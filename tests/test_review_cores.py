"""Table-driven unit tests for the pure cores of review: states, the apply decision of import,
plural shapes, open conflicts, the assignments reader and the packet checksum.

They run in milliseconds and name the broken rule; the end-to-end judges are in
test_review.py and test_bad_packets.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

from pipeline import returned, states
from pipeline.apply import (
    apply_text,
    changed_by_volunteer,
    decide,
    fingerprint,
    shape_mismatch,
)
from pipeline.assignments import ReviewError, parse_assignments, text_hash
from pipeline.conflicts import ConflictsFile, is_open
from pipeline.languages import get
from pipeline.review import seal


def entry(
    msgstr: str = "",
    *,
    fuzzy: bool = False,
    mark: str = "",
    previous: str | None = None,
    plural: dict[int, str] | None = None,
    msgid: str = "Hello.",
) -> polib.POEntry:
    e = polib.POEntry(msgid=msgid, msgstr=msgstr, tcomment=mark, previous_msgid=previous)
    if plural is not None:
        e.msgid_plural, e.msgstr_plural = "Hellos.", dict(plural)
    if fuzzy:
        e.flags.append("fuzzy")
    return e


MACHINE = "machine: google 2026-11-28"
REVIEWED = "reviewed: Bob 2026-11-29"
STATES = [  # (entry, state)
    (entry(), "untranslated"),
    (entry("Hola.", fuzzy=True, mark=MACHINE), "machine"),
    (entry("Hola.", fuzzy=True, mark=MACHINE, previous="Hi."), "needs-update"),
    (entry("Hola.", fuzzy=True, mark="draft: Ana 2026-11-30"), "needs-update"),
    (entry("Hola."), "reviewed"),
    (entry("Hola.", mark=REVIEWED), "reviewed"),
    (entry(plural={0: "", 1: ""}), "untranslated"),
    (entry(plural={0: "Hola.", 1: ""}), "reviewed"),
]


@pytest.mark.parametrize(("e", "expected"), STATES)
def test_state(e: polib.POEntry, expected: str) -> None:
    assert states.state(e) == expected


def test_marks_replace_each_other() -> None:
    e = entry("Hola.", fuzzy=True, mark=f"a note\n{MACHINE}", previous="Hi.")
    states.mark_draft(e, " Ana  María ", "2026-11-30")
    assert e.tcomment == "a note\ndraft: Ana María 2026-11-30" and e.fuzzy
    states.mark_reviewed(e, "", "2026-12-01")
    assert e.tcomment == "a note\nreviewed: unknown 2026-12-01"
    assert not e.fuzzy and e.previous_msgid is None and states.state(e) == "reviewed"


SHAPES = [  # (incoming, target, a word of the reason or "" when they fit)
    (entry("Hola."), entry("Hi."), ""),
    (entry(plural={0: "a", 1: "b"}), entry("Hi."), "has plural forms"),
    (entry("Hola."), entry(plural={0: "a", 1: "b"}), "has no plural forms"),
    (entry(plural={0: "a"}), entry(plural={0: "a", 1: "b"}), "1 plural forms"),
    (entry(plural={0: "a", 1: "b"}), entry(plural={0: "", 1: ""}), ""),
]


@pytest.mark.parametrize(("incoming", "target", "reason"), SHAPES)
def test_shape_mismatch(incoming: polib.POEntry, target: polib.POEntry, reason: str) -> None:
    found = shape_mismatch(incoming, target)
    assert (reason in found) if reason else found == ""


def test_msgstr_forms_without_msgid_plural_do_not_fit_a_singular_entry() -> None:
    incoming = entry()
    incoming.msgstr_plural = {0: "a", 1: "b"}
    assert "no msgid_plural" in shape_mismatch(incoming, entry("Hi."))


DRAFT = entry("Hola.", fuzzy=True, mark=MACHINE)
EXPORTED = text_hash("Hola.")
DECISIONS = [  # (incoming, target, base hash, successor, action)
    (entry("Hola, familias."), DRAFT, EXPORTED, None, "apply"),
    (entry("Hola."), DRAFT, EXPORTED, None, "apply"),  # confirmed as exported
    (entry("Hola.", fuzzy=True), DRAFT, EXPORTED, None, "left"),  # left as exported
    (entry("", fuzzy=True), DRAFT, EXPORTED, None, "left"),  # left empty
    (entry("Hola, familias.", fuzzy=True), DRAFT, EXPORTED, None, "apply"),  # a draft of theirs
    (entry("Hola."), entry("Hola.", mark=REVIEWED), EXPORTED, None, "unchanged"),
    # someone reviewed other words meanwhile: kept aside
    (entry("Hola, familias."), entry("Buenas.", mark=REVIEWED), EXPORTED, None, "conflict"),
    # confirmed meanwhile as exported (Poedit: "Needs work" off, no word changed): a
    # person's decision, kept aside (found by a fresh-eyed tester)
    (entry("Hola, familias."), entry("Hola.", mark=REVIEWED), EXPORTED, None, "conflict"),
    (entry("Hola, familias."), entry("Hola."), EXPORTED, None, "conflict"),
    # reviewed meanwhile, but the packet's record is gone (released long ago): kept aside
    (entry("Hola, familias."), entry("Hola.", mark=REVIEWED), None, None, "conflict"),
    # a person's draft, exactly what was exported: applied (a released packet comes back)
    (entry("Hola, familias."), entry("Hola.", fuzzy=True), EXPORTED, None, "apply"),
    (entry("Hola, familias."), entry("Hola.", fuzzy=True), None, None, "conflict"),
    # a machine-marked draft whose words changed since export: pretranslate never
    # replaces a machine draft, so a person typed them (Poedit keeps "Needs work" and the
    # mark): kept aside, never overwritten
    (
        entry("Hola, familias."),
        entry("Saludos.", fuzzy=True, mark=MACHINE),
        EXPORTED,
        None,
        "conflict",
    ),
    (entry("Hola."), None, EXPORTED, entry("Saludos.", msgid="Hello!"), "conflict"),
    (entry("Hola."), None, EXPORTED, None, "refused"),  # the entry was removed
    # found by a fresh-eyed tester: 240 KB drafts made catalogs and conflicts files of
    # megabytes (the dashboard took 27 s); a translation is at most ten times its English
    (entry("Hola. " * 400, fuzzy=True), DRAFT, EXPORTED, None, "refused"),
    (entry("Hola. " * 150), DRAFT, EXPORTED, None, "apply"),
    (entry(plural={0: "a", 1: "b"}), DRAFT, EXPORTED, None, "refused"),
    (entry("Hola."), entry(plural={0: "a", 1: "b"}), EXPORTED, None, "refused"),
]


MINE = entry("Hola.", mark=REVIEWED)  # reviewed by Bob
SEEN = fingerprint(MINE)  # what the review page showed
BY = [  # (incoming, who sends it, action): found by a fresh-eyed tester, another volunteer's
    # confirm or draft replaced (or demoted) a reviewed text and kept no record of it
    (entry("Hola, familias."), "Bob", "apply"),  # Bob corrects his own review
    # someone else's, replaced by choice (the page showed it): the reviewed text is kept aside
    (entry("Hola, familias."), "Ayaan", "replace"),
    (entry("Hola, familias.", fuzzy=True), "Bob", "conflict"),  # a draft never demotes it
    (entry("Hola, familias.", fuzzy=True), "Ayaan", "conflict"),
    (entry("Hola."), "Ayaan", "unchanged"),
]


@pytest.mark.parametrize(("incoming", "by", "action"), BY)
def test_a_reviewed_text_is_replaced_only_by_its_reviewer(incoming, by: str, action: str) -> None:
    assert decide(incoming, MINE, SEEN, by=by).action == action


@pytest.mark.parametrize(("incoming", "target", "base", "successor", "action"), DECISIONS)
def test_decide(incoming, target, base, successor, action: str) -> None:
    assert decide(incoming, target, base, successor).action == action


CHANGED = [  # (incoming text, target text, base, changed by the volunteer?)
    ("Hola.", "Hola.", EXPORTED, False),
    ("Hola, familias.", "Hola.", EXPORTED, True),
    ("Hola.", "Otra.", EXPORTED, False),  # the catalog moved on, the volunteer did not
    ("Hola.", "Hola.", None, False),  # unknown record: compared with the catalog
    ("Hola.", "Otra.", None, True),
    ("", "Hola.", EXPORTED, False),
]


@pytest.mark.parametrize(("text", "current", "base", "changed"), CHANGED)
def test_changed_by_volunteer(text: str, current: str, base, changed: bool) -> None:
    assert changed_by_volunteer(entry(text), entry(current), base) is changed


APPLIED = [  # (confirmed, findings' levels, outcome, fuzzy after)
    (True, (), "reviewed", False),
    (True, ("warning",), "reviewed", False),
    (True, ("error",), "check-error", True),
    (False, (), "draft", True),
]


@pytest.mark.parametrize(("confirmed", "levels", "outcome", "fuzzy"), APPLIED)
def test_apply_text(confirmed: bool, levels: tuple[str, ...], outcome: str, fuzzy: bool) -> None:
    from pipeline.checks import Finding

    target = entry("Hola.", fuzzy=True, mark=MACHINE)
    findings = tuple(Finding("x", level, 1, "Hello.", "m") for level in levels)
    result = apply_text(target, entry("Hola, familias."), confirmed, "Ana", "2026-12-01", findings)
    assert result == outcome and target.msgstr == "Hola, familias." and target.fuzzy is fuzzy
    assert states.machine_provider(target) is None


def kept_against(current: polib.POEntry, theirs: str = "Hola, familias."):
    records = ConflictsFile(get("es"))
    records.keep("doc", current, entry(theirs), "Ana 2026-12-01 (packet es-1)", "why", "x")
    return records.records()[0]


OPEN = [  # (the entry when kept aside, the entry now (None: gone), open?)
    (entry("Buenas.", mark=REVIEWED), entry("Buenas.", mark=REVIEWED), True),
    (entry("Buenas.", mark=REVIEWED), entry("Saludos.", mark=REVIEWED), False),  # re-reviewed
    (entry("Buenas.", mark=REVIEWED), entry("Hola, familias.", mark=REVIEWED), False),  # theirs
    (entry("Buenas.", mark=REVIEWED), entry("Buenas.", fuzzy=True), True),
    (entry("Buenas.", mark=REVIEWED), None, False),  # the entry is gone
    (entry("Buenas.", mark=REVIEWED), entry("Buenas.", mark="reviewed: Hana 2026-12-02"), False),
    (entry("Buenas.", fuzzy=True), entry("Buenas.", mark=REVIEWED), False),  # confirmed since
    (entry("Buenas.", fuzzy=True), entry("Buenas.", fuzzy=True), True),
]


@pytest.mark.parametrize(("then", "now", "expected"), OPEN)
def test_is_open(then: polib.POEntry, now, expected: bool) -> None:
    assert is_open(kept_against(then), now) is expected


def test_the_same_text_again_keeps_one_record_the_newest() -> None:
    records = ConflictsFile(get("es"))
    current = entry("Buenas.", mark=REVIEWED)
    first = records.keep("doc", current, entry("Hola, familias."), "Ana 1", "why", "")
    records.keep("doc", current, entry("Otra."), "Luis 2", "why", "")
    again = records.keep("doc", current, entry("Hola, familias."), "Ana 3", "why", "")
    assert first == again and [c.note for c in records.records()] == ["Luis 2", "Ana 3"]


GOOD = {
    "packet": "es-202612010000-ana-1a2b3c",
    "lang": "es",
    "reviewer": "Ana",
    "exported": "2026-12-01 00:00+0000",
    "expires": "2026-12-15",
    "docs": ["doc"],
    "words": 12,
    "entries": {"0123456789abcdef": "0123456789ab"},
}
ASSIGNMENTS = [  # (change to a good record, the key the error names, or "" if it passes)
    ({}, ""),
    ({"seal": "0123456789abcdef"}, ""),
    ({"expires": None}, "packets[0].expires"),
    ({"expires": "2026-02-30"}, "packets[0].expires"),
    ({"expires": 20261215}, "packets[0].expires"),
    ({"words": 10**12}, "packets[0].words"),
    ({"words": 1.5}, "packets[0].words"),
    ({"words": False}, "packets[0].words"),
    ({"entries": {"../x": "ab"}}, "packets[0].entries"),
    ({"entries": {"ab": None}}, "packets[0].entries"),
    ({"docs": "doc"}, "packets[0].docs"),
    ({"packet": "../../etc/passwd"}, "packets[0].packet"),
    ({"packet": "so-1"}, "packets[0].lang"),
    ({"lang": "so"}, "packets[0].lang"),
    ({"reviewer": ["Ana"]}, "packets[0].reviewer"),
    ({"released": "2026-12-02"}, "packets[0].released"),
]


@pytest.mark.parametrize(("change", "named"), ASSIGNMENTS)
def test_parse_assignments(change: dict, named: str) -> None:
    data = json.dumps({"packets": [{**GOOD, **change}]}).encode()
    if not named:
        [found] = parse_assignments(data, "es", Path("a.json"))
        assert found.packet == GOOD["packet"] and found.holds("2026-12-01")
        return
    with pytest.raises(ReviewError) as error:
        parse_assignments(data, "es", Path("a.json"))
    assert str(error.value).startswith(f"a.json: {named}")


@pytest.mark.parametrize(
    "data", [b"\xff", b"[]", b'{"packets": 1}', b'{"packets": [1]}', b"1" * 5000, b"[" * 100_000]
)
def test_parse_assignments_refuses_what_is_not_one(data: bytes) -> None:
    with pytest.raises(ReviewError):
        parse_assignments(data, "es", Path("a.json"))


def test_seal_covers_the_english_and_context_not_the_translations() -> None:
    entries = [entry("Uno.", msgid="One."), entry("Dos.", msgid="Two.")]
    checksum = seal("es-1", entries)
    assert seal("es-1", entries[::-1]) == checksum  # Poedit may sort
    assert seal("es-1", [entry("Otro.", msgid="One."), entries[1]]) == checksum
    assert seal("es-2", entries) != checksum
    assert seal("es-1", entries[:1]) != checksum
    assert seal("es-1", [*entries, entry(msgid="Three.")]) != checksum
    moved = entry("Uno.", msgid="One.")
    moved.msgctxt = "other-doc"
    assert seal("es-1", [moved, entries[1]]) != checksum


@pytest.mark.parametrize(
    "meta,credited",
    [
        ({"Last-Translator": "Amina Farah <amina@example.org>"}, "Amina Farah"),
        ({"Last-Translator": "Amina"}, "Amina"),
        ({"Last-Translator": "FULL NAME <EMAIL@ADDRESS>", "X-Homelang-Reviewer": "Ayaan"}, "Ayaan"),
        ({"Last-Translator": " <only@mail>"}, "unknown"),
        ({"Last-Translator": "<" * 20_000 + " " * 20_000}, "<" * 20_000),
        ({}, "unknown"),
    ],
)
def test_the_reviewer_credited_is_the_name_without_the_address(meta, credited) -> None:
    assert returned._reviewer(meta) == credited


def _pseudo_entry(fuzzy: bool, reviewed: bool) -> polib.POEntry:
    comment = "machine: pseudo 2026-11-29" + ("\nreviewed: Amina 2026-11-30" if reviewed else "")
    return polib.POEntry(
        msgid="Hello", msgstr="«Ĥéļļö»", tcomment=comment, flags=["fuzzy"] if fuzzy else []
    )


@pytest.mark.parametrize(
    "fuzzy,reviewed,provider,fillable",
    [
        (True, False, "google", True),  # a pseudo preview: a real provider replaces it
        (True, False, "pseudo", False),
        (True, False, "memory", True),
        (False, True, "memory", False),  # a person confirmed it: never replaced
        (False, True, "google", False),
        (False, False, "google", False),  # "Needs work" turned off in Poedit: a person's call
        (True, True, "google", False),
    ],
)
def test_only_an_unconfirmed_pseudo_draft_is_replaced(fuzzy, reviewed, provider, fillable) -> None:
    assert states.fillable(_pseudo_entry(fuzzy, reviewed), provider) is fillable


@pytest.mark.parametrize(
    "name,credited",
    [
        ("Amina\u202e Farah", "Amina Farah"),
        ("Amina\u2028Farah\x85", "AminaFarah"),
        ("Ami\u200fna   Farah", "Amina Farah"),
    ],
)
def test_a_reviewer_name_carries_no_controls_or_separators(name: str, credited: str) -> None:
    """It is written into every "# reviewed:" comment and printed in the summary."""
    assert returned._reviewer({"Last-Translator": name}) == credited
