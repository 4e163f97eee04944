"""Online review (``pipeline.online``): what an invitation shows and what a save does.

Saves go through the import's rules on real catalogs in tmp_path, judged by GNU
msgfmt: a person's text is never overwritten, a packet import, an English change or
a Poedit save made meanwhile is a conflict (the reviewer's text kept aside, both
versions returned), plural forms keep their shape, and many threads saving at once
lose nothing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import polib
import pytest
import test_review
from conftest import all_catalogs, load, msgfmt_check, trials
from hypothesis import given
from hypothesis import strategies as st
from test_review import (
    AM,
    CONFLICTS,
    FAQ,
    amharic_like,
    by_msgid,
    confirm,
    export,
    snapshot,
    translatable,
)

from pipeline import invites, lock, online, pofile, states
from pipeline.apply import OUTCOMES
from pipeline.assignments import entry_key
from pipeline.errors import PipelineError
from pipeline.glossary import load_glossary
from pipeline.settings import Settings
from pipeline.settings import load as load_settings

drafted = test_review.drafted  # Amharic catalogs full of machine drafts (a fixture)

TITLE = "MPS የትምህርት ቦርድ የመጠለያ ውሳኔ አሳለፈ"


def amina(root: Path, docs: tuple[str, ...] = ()) -> tuple[Settings, invites.Invite]:
    settings = load_settings(root)
    invite, _ = invites.create(settings, "am", "Amina Abdi", docs)
    return settings, invite


def valid(root: Path) -> None:
    for path in all_catalogs(root):
        msgfmt_check(path)
    if (root / CONFLICTS).exists():
        msgfmt_check(root / CONFLICTS)


def terms(root: Path) -> list[str]:
    return [t.term for t in load_glossary(root / "glossary.csv").keep_terms()]


def test_the_queue_puts_what_needs_a_person_first_with_notes_and_context(drafted: Path) -> None:
    settings, invite = amina(drafted)
    catalog = load(drafted / AM)
    states.mark_reviewed(catalog[1], "Bilal", "2026-11-29")
    catalog.save(str(drafted / AM))
    items = online.queue(settings, invite, "sanctuary-resolution")
    assert [i.state for i in items][-1] == "reviewed"
    assert all(i.state == "machine" for i in items[:-1])
    first, second = items[0], items[1]
    assert first.title == "MPS Board of Education Passes Sanctuary Resolution"
    assert first.msgid == first.title and first.machine == "google"
    assert any(n.startswith("Draft by google") for n in first.notes)
    assert any("Glossary: 'MPS'" in n for n in first.notes)
    assert first.context[0] == "" and first.context[1] == items[-1].text  # reviewed, translated
    assert second.context[0] == items[-1].text  # the paragraph before, as the letter reads now
    assert isinstance(first.text, str) and first.msgid_plural is None
    assert online.item(settings, invite, second.key) == second
    words = online.queue(settings, invite, "templates")
    assert words[0].title == online.WORDS_TITLE and words[0].msgid == "Dear family,"
    assert words[0].title == "Greetings and labels printed on every letter and page"
    reviewed = items[-1]  # never offered itself as a "reviewed translation of similar English"
    assert not [n for n in reviewed.notes if n.startswith("Reviewed translation")]


def test_confirm_credits_the_reviewer_as_a_packet_would(drafted: Path) -> None:
    settings, invite = amina(drafted)
    first = online.queue(settings, invite, "sanctuary-resolution")[0]
    done = online.save(settings, invite, first.key, first.base, TITLE, confirm=True)
    assert (done.outcome, done.conflict, done.current) == ("reviewed", "", "")
    assert done.item is not None and done.item.state == "reviewed" and done.item.text == TITLE
    catalog = load(drafted / AM)
    entry = catalog[0]
    assert entry.msgstr == TITLE and not entry.fuzzy
    assert states.reviewer(entry) == ("Amina Abdi", entry.tcomment[-10:])
    assert "machine:" not in entry.tcomment
    assert catalog.metadata["Last-Translator"] == "Amina Abdi"
    valid(drafted)
    again = online.save(settings, invite, first.key, done.item.base, TITLE, confirm=True)
    assert again.outcome == "unchanged"


def test_a_draft_and_a_check_error_are_not_reviewed(drafted: Path) -> None:
    settings, invite = amina(drafted)
    items = online.queue(settings, invite, "sanctuary-resolution")
    draft = online.save(settings, invite, items[0].key, items[0].base, TITLE, confirm=False)
    assert draft.outcome == "draft" and draft.item.state == "needs-update"
    linked = next(i for i in items if "](" in i.text)
    broken = linked.text.replace("](", "] (", 1)
    findings = online.check(settings, invite, linked.key, broken)
    assert any(f.level == "error" for f in findings)
    done = online.save(settings, invite, linked.key, linked.base, broken, confirm=True)
    assert done.outcome == "check-error" and done.findings == findings
    assert "kept as" not in done.detail and done.detail.startswith("[")
    entries = by_msgid(drafted / AM)
    assert entries[linked.msgid].fuzzy and entries[linked.msgid].msgstr == broken
    assert "draft: Amina Abdi" in entries[items[0].msgid].tcomment
    valid(drafted)


def test_a_packet_import_meanwhile_is_a_conflict_and_the_reviewer_chooses(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]  # Amina opens the title
    packet_path = tmp_path / "bilal.po"
    packet = export(homelang, packet_path, "--reviewer", "Bilal", "--doc", "sanctuary-resolution")
    packet[0].msgstr = "MPS የቢላል ርዕስ"
    for entry in translatable(packet):
        confirm(entry)
    packet.save(str(packet_path))
    homelang("review", "import", str(packet_path))
    before = (drafted / AM).read_bytes()
    done = online.save(settings, invite, shown.key, shown.base, TITLE, confirm=True)
    assert done.outcome == "conflict" and done.conflict
    assert done.current == "MPS የቢላል ርዕስ" and "reviewed by Bilal" in done.detail
    assert (drafted / AM).read_bytes() == before  # Bilal's review stands
    kept = [e for e in load(drafted / CONFLICTS) if not e.obsolete]
    assert [e.msgstr for e in kept] == [TITLE] and "Amina Abdi" in kept[0].tcomment
    assert "MPS የቢላል ርዕስ" in kept[0].comment  # both versions on record
    listed = homelang("review", "conflicts", "--lang", "am", "--json").output
    assert done.conflict in listed
    valid(drafted)
    # she reads both and takes hers: a save against the text she has now seen
    assert done.item.base != shown.base
    mine = online.save(settings, invite, shown.key, done.item.base, TITLE, confirm=True)
    assert mine.outcome == "reviewed"
    title = load(drafted / AM)[0]
    assert title.msgstr == TITLE and states.reviewer(title)[0] == "Amina Abdi"
    # nothing lost: the review she replaced is kept aside for a coordinator
    assert mine.conflict and mine.conflict != done.conflict
    kept = [e for e in load(drafted / CONFLICTS) if "replaced by Amina" in e.tcomment]
    assert [e.msgstr for e in kept] == ["MPS የቢላል ርዕስ"]
    assert "1 conflict(s)" in homelang("review", "conflicts", "--lang", "am").output
    valid(drafted)


@pytest.mark.parametrize("confirm", [True, False])
def test_another_volunteer_never_silently_replaces_or_demotes_a_review(
    drafted: Path, homelang, confirm: bool
) -> None:
    """Found by a fresh-eyed tester: a second volunteer's Save draft on a reviewed entry
    demoted it (the notice could no longer publish) and Confirm replaced it, no record kept."""
    settings, invite = amina(drafted)
    first = online.queue(settings, invite, "sanctuary-resolution")[0]
    assert online.save(settings, invite, first.key, first.base, TITLE, True).outcome == "reviewed"
    other, _ = invites.create(settings, "am", "Bashir")
    seen = online.item(settings, other, first.key)  # he opens the reviewed entry
    done = online.save(settings, other, first.key, seen.base, "MPS የባሽር ርዕስ", confirm)
    title = load(drafted / AM)[0]
    if confirm:  # his choice, seeing hers: applied, and hers kept aside
        assert done.outcome == "reviewed" and title.msgstr == "MPS የባሽር ርዕስ"
        kept = [e.msgstr for e in load(drafted / CONFLICTS) if not e.obsolete]
        assert kept == [TITLE]
    else:  # a draft never demotes a review: his text is kept aside, hers stands
        assert done.outcome == "conflict" and done.conflict
        assert title.msgstr == TITLE and states.state(title) == "reviewed"
        kept = [e.msgstr for e in load(drafted / CONFLICTS) if not e.obsolete]
        assert kept == ["MPS የባሽር ርዕስ"]
    valid(drafted)


def test_the_english_changed_meanwhile(drafted: Path, homelang) -> None:
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[2]
    source = drafted / "source/notices/sanctuary-resolution.md"
    old = shown.msgid.split(" passed ")[0]
    assert old in source.read_text()
    source.write_text(source.read_text().replace(old, old + " unanimously", 1))
    homelang("extract")
    homelang("update")
    before = (drafted / AM).read_bytes()
    text = amharic_like(shown.msgid, terms(drafted), "ቃላት")
    done = online.save(settings, invite, shown.key, shown.base, text, confirm=True)
    assert done.outcome == "conflict" and "the English changed since you opened it" in done.detail
    assert (drafted / AM).read_bytes() == before
    now = done.item
    assert now.key != shown.key and now.previous_msgid == shown.msgid
    assert "unanimously" in now.msgid and now.state == "needs-update"
    [kept] = [e for e in load(drafted / CONFLICTS) if not e.obsolete]
    assert kept.msgid == shown.msgid and kept.msgstr == text  # what she translated, kept
    fixed = online.save(settings, invite, now.key, now.base, text + " ቃል", confirm=True)
    assert fixed.outcome == "reviewed" and fixed.item.previous_msgid is None
    valid(drafted)


def test_a_poedit_save_meanwhile_is_never_overwritten(drafted: Path) -> None:
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]
    catalog = load(drafted / AM)  # Hana, in Poedit: edits the title, leaves "Needs work" on
    catalog[0].msgstr = "MPS የሀና ርዕስ"
    catalog.save(str(drafted / AM))
    done = online.save(settings, invite, shown.key, shown.base, TITLE, confirm=True)
    assert done.outcome == "conflict" and done.current == "MPS የሀና ርዕስ"
    assert "a translation saved since you opened it" in done.detail
    assert load(drafted / AM)[0].msgstr == "MPS የሀና ርዕስ"
    assert done.item.text == "MPS የሀና ርዕስ" and done.item.base != shown.base
    valid(drafted)


def test_a_save_parses_its_catalog_once_and_sees_a_later_poedit_save(
    drafted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, invite = amina(drafted)
    first, second = online.queue(settings, invite, "sanctuary-resolution")[:2]
    parsed: list[str] = []
    real_parse = pofile.parse

    def counted(text: str, shown: Path) -> polib.POFile:
        parsed.append(str(shown))
        return real_parse(text, shown)

    monkeypatch.setattr(pofile, "parse", counted)
    done = online.save(settings, invite, first.key, first.base, TITLE, confirm=True)
    assert done.outcome == "reviewed" and parsed == [AM]  # the returned item included
    online._PARSED.clear()  # what a fresh read of the file shows
    assert done.item == online.item(settings, invite, first.key)
    assert online.queue(settings, invite) == online.queue(settings, invite)
    catalog = load(drafted / AM)  # Hana, in Poedit, after that save
    catalog.find(second.msgid).msgstr = "MPS የሀና ጽሑፍ"
    catalog.save(str(drafted / AM))
    assert online.item(settings, invite, second.key).text == "MPS የሀና ጽሑፍ"
    done = online.save(settings, invite, second.key, second.base, "MPS ሁለተኛ", confirm=True)
    assert done.outcome == "conflict" and done.item.text == "MPS የሀና ጽሑፍ"
    valid(drafted)


def plural_title(root: Path) -> None:
    """The notice's title becomes a plural entry (a count of days), machine drafted."""
    catalog = load(root / AM)
    catalog[0].msgid_plural, catalog[0].msgstr = catalog[0].msgid + "s", ""
    catalog[0].msgstr_plural = {0: "MPS አንድ", 1: "MPS ብዙ"}
    catalog.save(str(root / AM))


def test_plural_entries_keep_their_forms(drafted: Path) -> None:
    plural_title(drafted)
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]
    assert shown.text == {0: "MPS አንድ", 1: "MPS ብዙ"} and shown.msgid_plural
    [shape, *_] = online.check(settings, invite, shown.key, "MPS ብቻ")
    assert (shape.check_id, shape.level) == ("shape", "error") and "plural" in shape.message
    refused = online.save(settings, invite, shown.key, shown.base, "MPS ብቻ", confirm=True)
    assert refused.outcome == "refused" and refused.detail.startswith(shape.message)
    forms = {0: "MPS አንድ ቀን", 1: "MPS ብዙ ቀናት"}
    assert online.check(settings, invite, shown.key, forms) == ()
    done = online.save(settings, invite, shown.key, shown.base, forms, confirm=True)
    assert done.outcome == "reviewed" and done.item.text == forms
    title = load(drafted / AM)[0]
    assert title.msgstr_plural == forms and not title.fuzzy
    short = online.save(settings, invite, shown.key, done.item.base, {0: "x"}, confirm=True)
    assert short.outcome == "refused" and "1 plural forms" in short.detail
    with pytest.raises(online.OnlineError, match="plural forms numbered"):
        online.save(settings, invite, shown.key, shown.base, {"0": "x"}, confirm=True)
    valid(drafted)


def test_threads_saving_at_once_lose_nothing(drafted: Path) -> None:
    settings, invite = amina(drafted)
    items = online.queue(settings, invite)
    items = [i for i in items if i.doc_id in ("sanctuary-resolution", "sanctuary-resolution-faq")]
    words = terms(drafted)
    confirmed: dict[str, str] = {}
    errors: list[BaseException] = []

    def reviewer(chosen: list[online.Item]) -> None:
        for shown in chosen:
            text = amharic_like(shown.msgid, words, "ቃላት")
            try:
                done = online.save(settings, invite, shown.key, shown.base, text, confirm=True)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
                continue
            if done.outcome in ("reviewed", "check-error"):
                confirmed[shown.key] = text

    threads = [threading.Thread(target=reviewer, args=(items[n::12],)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(confirmed) == len(items)
    found = {
        entry_key(doc_id, e): e.msgstr
        for doc_id, path in (("sanctuary-resolution", AM), ("sanctuary-resolution-faq", FAQ))
        for e in load(drafted / path)
    }
    assert {key: found[key] for key in confirmed} == confirmed
    valid(drafted)


HOLD = """
import sys, time
from pathlib import Path
from pipeline.lock import project_lock
with project_lock(Path(sys.argv[1]), "homelang update"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_save_waits_for_a_cli_run_then_says_busy(
    drafted: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(drafted / ".homelang"), "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        before = snapshot(drafted)
        monkeypatch.setattr(lock, "SHORT_WAIT", 0.3)
        with pytest.raises(online.OnlineError, match=r"busy: .*\('homelang update', pid"):
            online.save(settings, invite, shown.key, shown.base, TITLE, confirm=True)
        assert snapshot(drafted) == before
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    short = subprocess.Popen(  # a short CLI run: the save waits for it, then goes through
        [sys.executable, "-c", HOLD, str(drafted / ".homelang"), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert short.stdout.readline().strip() == "held"
        monkeypatch.setattr(lock, "SHORT_WAIT", 30.0)
        done = online.save(settings, invite, shown.key, shown.base, TITLE, confirm=True)
        assert done.outcome == "reviewed"
    finally:
        short.wait()
        short.stdout.close()


def test_a_cli_run_waits_for_a_save(drafted: Path, homelang) -> None:
    """A writing command started during a save (a short hold here) waits, then runs."""
    short = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(drafted / ".homelang"), "0.5"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert short.stdout.readline().strip() == "held"
        homelang("update")
    finally:
        short.wait()
        short.stdout.close()


def test_another_reviewer_saved_it_meanwhile(drafted: Path, homelang) -> None:
    settings, first = amina(drafted)
    second, _ = invites.create(settings, "am", "Hana")
    shown = online.queue(settings, second, "sanctuary-resolution")[0]  # both open the title
    online.save(settings, first, shown.key, shown.base, TITLE, confirm=True)
    hana = "MPS የሀና ርዕስ"
    done = online.save(settings, second, shown.key, shown.base, hana, confirm=True)
    assert done.outcome == "conflict" and done.current == TITLE
    assert "reviewed by Amina Abdi on" in done.detail
    assert load(drafted / AM)[0].msgstr == TITLE
    # the coordinator settles it from the command line, crediting Hana's text to her
    homelang("review", "conflicts", "--resolve", done.conflict, "--take", "theirs")
    title = load(drafted / AM)[0]
    assert title.msgstr == hana and states.reviewer(title)[0] == "Hana"
    valid(drafted)


def test_a_damaged_conflicts_file_stops_only_a_save_that_would_keep_text_aside(
    drafted: Path,
) -> None:
    settings, invite = amina(drafted)
    first, second = online.queue(settings, invite, "sanctuary-resolution")[:2]
    (drafted / CONFLICTS).write_bytes(b'msgid "unterminated\n')
    before = snapshot(drafted)
    with pytest.raises(PipelineError, match=r"review-conflicts\.po:1: .*move it aside"):
        online.save(settings, invite, first.key, "0" * 12, TITLE, confirm=True)  # a conflict
    assert snapshot(drafted) == before
    done = online.save(settings, invite, second.key, second.base, second.text, confirm=True)
    assert done.outcome == "reviewed"


def test_savers_take_turns_in_order_of_arrival_and_a_timed_out_one_leaves_the_line() -> None:
    turns = lock.Turns()
    assert turns.acquire(timeout=0)
    assert not turns.acquire(timeout=0.05)  # held: gives up, and leaves the line
    order: list[int] = []
    arrived = threading.Semaphore(0)

    def saver(n: int) -> None:
        arrived.release()
        assert turns.acquire(timeout=30)
        order.append(n)
        turns.release()

    threads = []
    for n in range(5):  # each one in line before the next arrives
        threads.append(threading.Thread(target=saver, args=(n,)))
        threads[-1].start()
        arrived.acquire()
        while len(turns._waiting) < n + 1:
            time.sleep(0.001)
    turns.release()
    for thread in threads:
        thread.join()
    assert order == [0, 1, 2, 3, 4]
    assert turns.acquire(timeout=0)  # free again: nobody left waiting


@pytest.mark.parametrize("bad", ["MPS\x00", "MPS\x04x", {0: "MPS", 1: "\x00"}])
def test_text_a_catalog_cannot_hold_is_refused_before_anything_is_written(
    drafted: Path, bad: online.Text
) -> None:
    """A browser can send U+0000 (%00); gettext files cannot hold it, nor U+0004."""
    if isinstance(bad, dict):
        plural_title(drafted)
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]
    before = snapshot(drafted)
    with pytest.raises(online.OnlineError, match="cannot hold"):
        online.save(settings, invite, shown.key, shown.base, bad, confirm=True)
    with pytest.raises(online.OnlineError, match="cannot hold"):
        online.check(settings, invite, shown.key, bad)
    assert snapshot(drafted) == before
    done = online.save(settings, invite, shown.key, shown.base, shown.text, confirm=True)
    assert done.outcome == "reviewed"
    valid(drafted)


@pytest.mark.parametrize("odd", ["a\rb", "a\x1bb", "a\u2028b", "a\u202eb", "  ", "\t\n"])
def test_odd_text_is_kept_as_a_draft_or_refused_and_the_catalog_stays_valid(
    drafted: Path, odd: str
) -> None:
    settings, invite = amina(drafted)
    shown = online.queue(settings, invite, "sanctuary-resolution")[0]
    done = online.save(settings, invite, shown.key, shown.base, f"MPS {odd}", confirm=True)
    assert done.outcome in ("check-error", "reviewed", "refused")
    valid(drafted)
    online.queue(settings, invite)  # every catalog still reads


def any_text_trials(root: Path, count: int) -> None:
    """Any text a browser may send, saved onto one entry again and again: a result or
    OnlineError, and the catalog always passes msgfmt (it read back after every save)."""
    settings, invite = amina(root)
    key = online.queue(settings, invite, "sanctuary-resolution")[1].key

    @trials(count)
    @given(text=st.text(max_size=60), confirm=st.booleans())
    def save_any(text: str, confirm: bool) -> None:
        shown = online.item(settings, invite, key)
        try:
            done = online.save(settings, invite, key, shown.base, text, confirm)
        except online.OnlineError as error:
            assert "NUL" in str(error)
            return
        assert done.outcome in OUTCOMES
        msgfmt_check(root / AM)

    save_any()


def test_any_text_saved_leaves_a_valid_catalog_fast(drafted: Path) -> None:
    any_text_trials(drafted, 40)


@pytest.mark.slow
def test_any_text_saved_leaves_a_valid_catalog_long(drafted: Path) -> None:
    any_text_trials(drafted, 400)


def test_an_invitation_for_one_document_shows_nothing_of_the_others(drafted: Path) -> None:
    """Found by a fresh-eyed tester: an invitation for the notice showed, as a similar
    reviewed translation, the text of an FAQ entry it does not cover."""
    settings, scoped = amina(drafted, ("sanctuary-resolution",))
    title = online.queue(settings, scoped)[0]
    faq = drafted / "locales/am/LC_MESSAGES/sanctuary-resolution-faq.po"
    catalog = load(faq)
    secret = polib.POEntry(msgid=title.msgid, msgstr="SECRET-FAQ-TEXT")
    states.mark_reviewed(secret, "Bilal", "2026-11-30")
    catalog.append(secret)
    catalog.save(str(faq))
    assert not any("SECRET-FAQ" in note for note in online.item(settings, scoped, title.key).notes)
    _, everything = amina(drafted)
    assert any("SECRET-FAQ" in note for note in online.item(settings, everything, title.key).notes)


def test_a_volunteer_settles_only_their_own_record(drafted: Path) -> None:
    """Found by a fresh-eyed tester: "Keep the saved version" with another record's id (ids
    are worked out from the text) deleted the review a coordinator was to look at."""
    settings, amina_invite = amina(drafted)
    first = online.queue(settings, amina_invite, "sanctuary-resolution")[0]
    bashir, _ = invites.create(settings, "am", "Bashir")
    assert online.save(settings, bashir, first.key, first.base, "MPS የባሽር ርዕስ", True).conflict == ""
    seen = online.item(settings, amina_invite, first.key)
    done = online.save(settings, amina_invite, first.key, seen.base, TITLE, True)
    assert done.outcome == "reviewed" and done.conflict  # Bashir's review kept aside
    for who in (amina_invite, bashir):
        with pytest.raises(online.OnlineError, match="not yours to set aside"):
            online.keep_saved(settings, who, first.key, done.conflict)
    kept = [e.msgstr for e in load(drafted / CONFLICTS) if not e.obsolete]
    assert "MPS የባሽር ርዕስ" in kept
