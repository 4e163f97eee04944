"""Scripted volunteers: export a packet, edit it with polib as Poedit would, import it back.

Every case ends with every PO valid under GNU msgfmt and no person's translation lost;
a refused packet leaves every file's bytes as they were.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import polib
import pytest
from conftest import all_catalogs, load, msgfmt_check

from pipeline import markup, states
from pipeline.glossary import load_glossary
from pipeline.review import END_CONTEXT

AM = "locales/am/LC_MESSAGES/sanctuary-resolution.po"
FAQ = "locales/am/LC_MESSAGES/sanctuary-resolution-faq.po"
ASSIGNMENTS = "locales/am/review-assignments.json"
CONFLICTS = "locales/am/review-conflicts.po"


def amharic_like(english: str, glossary_terms: list[str], word: str = "ቃል") -> str:
    """A stand-in translation: every English word becomes ``word``; links, numbers and kept terms stay."""
    pieces, last = [], 0
    for span in markup.spans(english):
        pieces.append(("text", english[last : span.start]))
        pieces.append(("keep", span.text))
        last = span.end
    pieces.append(("text", english[last:]))
    out = []
    for kind, text in pieces:
        if kind == "keep":
            out.append(text)
            continue
        keep = "|".join(re.escape(t) for t in glossary_terms)
        parts = re.split(f"({keep})", text) if keep else [text]
        for part in parts:
            out.append(
                part
                if part in glossary_terms
                else re.sub(r"[A-Za-z]+(?:[’'][A-Za-z]+)*", word, part)
            )
    return "".join(out)


@pytest.fixture
def drafted(catalogs_ready: Path) -> Path:
    """Amharic catalogs filled with machine drafts, as `homelang pretranslate` leaves them."""
    terms = [t.term for t in load_glossary(catalogs_ready / "glossary.csv").keep_terms()]
    for path in (catalogs_ready / AM, catalogs_ready / FAQ):
        catalog = load(path)
        for entry in catalog:
            entry.msgstr = amharic_like(entry.msgid, terms)
            states.mark_machine(entry, "google", "2026-11-28")
        catalog.save(str(path))
    return catalogs_ready


def confirm(entry: polib.POEntry) -> None:
    """What a volunteer does in Poedit to say "this is right": turn off Needs work (fuzzy)."""
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def export(homelang, out: Path, *args: str) -> polib.POFile:
    homelang("review", "export", "--lang", "am", "-o", str(out), *args)
    msgfmt_check(out)
    return load(out)


def translatable(packet: polib.POFile) -> list[polib.POEntry]:
    """A packet's entries for the volunteer: all but its end-of-packet entry."""
    return [e for e in packet if e.msgctxt != END_CONTEXT]


def by_msgid(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in load(path) if not e.obsolete}


def notice_status(homelang) -> dict:
    [found] = json.loads(
        homelang("status", "--lang", "am", "--doc", "sanctuary-resolution", "--json").stdout
    )
    return found


def all_valid(root: Path) -> None:
    for path in all_catalogs(root):
        msgfmt_check(path)
    if (root / CONFLICTS).exists():
        msgfmt_check(root / CONFLICTS)


def test_volunteer_round_trip(drafted: Path, homelang, tmp_path: Path) -> None:
    packet_path = tmp_path / "amina.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    assert packet.metadata["Language"] == "am" and "nplurals=2" in packet.metadata["Plural-Forms"]
    assert packet.metadata["X-Homelang-Reviewer"] == "Amina"
    entries = translatable(packet)
    assert len(entries) == len(by_msgid(drafted / AM)) and all(e.fuzzy for e in entries)
    assert all(e.msgctxt == "sanctuary-resolution" for e in entries)
    assert (
        packet[-1].msgctxt == END_CONTEXT
        and packet.metadata["X-Homelang-Packet"] in packet[-1].msgid
    )
    assert "Glossary: 'MPS': keep as is" in packet[2].comment  # the glossary term that applies
    assert "Draft by google" in packet[0].comment
    status = notice_status(homelang)
    assert status["packets"][0]["reviewer"] == "Amina"

    # Amina, in Poedit: confirms the first entry as is, corrects and confirms the second,
    # edits the third but leaves it marked "Needs work".
    confirm(packet[0])
    packet[1].msgstr = "Minneapolis Public Schools ለሁሉም ተማሪዎች እና ቤተሰቦች ደህንነቱ የተጠበቀ ቦታ ነው።"
    confirm(packet[1])
    packet[2].msgstr = "የትምህርት ቦርዱ MPS ውሳኔ አሳለፈ።"
    packet.metadata["Last-Translator"] = "Amina Abdi <amina@example.org>"
    packet.save(str(packet_path))

    result = homelang("review", "import", str(packet_path), expect=1)  # a draft is left
    assert "2 reviewed, 1 draft" in result.output
    entries = by_msgid(drafted / AM)
    first, second, third = (entries[e.msgid] for e in packet[:3])
    assert states.state(first) == states.state(second) == "reviewed"
    assert states.reviewer(second) == ("Amina Abdi", states.reviewer(second)[1])
    assert second.msgstr == packet[1].msgstr
    assert (
        third.fuzzy and third.msgstr == packet[2].msgstr and "draft: Amina Abdi" in third.tcomment
    )
    assert states.machine_provider(third) is None
    assert "amina@example.org" not in (drafted / AM).read_text("utf-8")
    assert not (drafted / ASSIGNMENTS).exists()  # the packet is back: nothing held any more
    status = notice_status(homelang)
    assert status["entries"]["reviewed"] == 2 and status["packets"] == []
    all_valid(drafted)
    # importing the same packet again changes nothing
    before = snapshot(drafted)
    homelang("review", "import", str(packet_path), expect=1)
    assert snapshot(drafted) == before


def test_next_export_skips_held_entries_until_released_or_expired(
    drafted: Path, homelang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    first = export(homelang, tmp_path / "a.po", "--reviewer", "Amina", "--max-words", "60")
    assert sum(len(e.msgid.split()) for e in translatable(first)) <= 60
    second = export(homelang, tmp_path / "b.po", "--reviewer", "Bob")
    assert not {e.msgid for e in first} & {e.msgid for e in second}
    result = homelang("review", "export", "--lang", "am", "-o", str(tmp_path / "c.po"), expect=2)
    assert "nothing to review" in result.output and not (tmp_path / "c.po").exists()
    packet_id = first.metadata["X-Homelang-Packet"]
    homelang("review", "release", packet_id)
    again = export(homelang, tmp_path / "c.po", "--reviewer", "Chen")
    assert [e.msgid for e in translatable(again)] == [e.msgid for e in translatable(first)]
    assert homelang("review", "release", "no-such-packet", expect=2)
    # fifteen days later both remaining assignments have expired (assignment_days = 14)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795000000 + 15 * 86400))
    assert len(translatable(export(homelang, tmp_path / "d.po"))) == len(translatable(first)) + len(
        translatable(second)
    )
    data = json.loads((drafted / ASSIGNMENTS).read_text("utf-8"))
    assert [p["reviewer"] for p in data["packets"]] == ["Bob", "Chen", "unnamed"]
    homelang("review", "release", "--expired")
    assert len(json.loads((drafted / ASSIGNMENTS).read_text("utf-8"))["packets"]) == 1


def test_overlapping_packets_second_import_is_kept_as_conflict(
    drafted: Path, homelang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    amina = export(
        homelang, tmp_path / "amina.po", "--reviewer", "Amina", "--doc", "sanctuary-resolution"
    )
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(1795000000 + 20 * 86400))  # Amina's packet expired
    bob = export(
        homelang, tmp_path / "bob.po", "--reviewer", "Bob", "--doc", "sanctuary-resolution"
    )
    assert [e.msgid for e in translatable(bob)] == [e.msgid for e in translatable(amina)]
    for packet, name, word in ((amina, "Amina", "ሀ"), (bob, "Bob", "ለ")):
        for entry in packet:
            entry.msgstr = amharic_like(entry.msgid, ["MPS", "Minneapolis Public Schools"], word)
            confirm(entry)
        packet.metadata["Last-Translator"] = name
    amina.save(str(tmp_path / "amina.po"))
    bob.save(str(tmp_path / "bob.po"))

    homelang("review", "import", str(tmp_path / "bob.po"))
    result = homelang("review", "import", str(tmp_path / "amina.po"), expect=1)
    assert f"{len(translatable(amina))} conflict" in result.output
    assert (
        "reviewed by Bob" in result.output
        and "yours:" in result.output
        and "current:" in result.output
    )
    entries = by_msgid(drafted / AM)
    assert all(states.reviewer(entries[e.msgid])[0] == "Bob" for e in translatable(bob))
    assert all(entries[e.msgid].msgstr == e.msgstr for e in translatable(bob))
    kept = load(drafted / CONFLICTS)
    assert sorted(e.msgstr for e in kept) == sorted(
        e.msgstr for e in translatable(amina)
    )  # Amina's work, all of it
    assert all("Amina" in e.tcomment and e.fuzzy for e in kept)
    all_valid(drafted)
    # the next packet shows Amina's text to whoever reviews this English next
    catalog = load(drafted / AM)
    catalog[0].flags.append("fuzzy")
    catalog.save(str(drafted / AM))
    nxt = export(homelang, tmp_path / "next.po", "--doc", "sanctuary-resolution")
    assert amina[0].msgstr in nxt[0].comment


def test_english_changed_between_export_and_import(drafted: Path, homelang, tmp_path: Path) -> None:
    # Amharic already reviewed for the summary; the English of it and of a paragraph then changes.
    catalog = load(drafted / AM)
    summary = catalog[1]
    summary.msgstr = "Minneapolis Public Schools ለሁሉም ደህንነቱ የተጠበቀ ቦታ ነው።"
    states.mark_reviewed(summary, "Hana", "2026-11-20")
    catalog.save(str(drafted / AM))
    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    changed = next(e for e in packet if e.msgid.startswith("We are committed"))
    source = drafted / "source/notices/sanctuary-resolution.md"
    text = source.read_text("utf-8")
    source.write_text(
        text.replace("We are committed", "We remain committed").replace(
            "Minneapolis Public Schools is a safe place",
            "Minneapolis Public Schools is a safe and welcoming place",
        ),
        "utf-8",
    )
    homelang("extract")
    homelang("update")
    # the reviewed summary is now needs-update; a second volunteer updates it
    fresh = export(
        homelang, tmp_path / "q.po", "--reviewer", "Hana", "--doc", "sanctuary-resolution"
    )
    [updated] = [e for e in fresh if e.previous_msgid == summary.msgid]
    assert updated.msgstr == summary.msgstr and "The English changed" in updated.comment
    updated.msgstr = "Minneapolis Public Schools ለሁሉም ደህንነቱ የተጠበቀ እና ተቀባይ ቦታ ነው።"
    confirm(updated)
    fresh.save(str(tmp_path / "q.po"))
    homelang("review", "import", str(tmp_path / "q.po"), expect=1)
    assert states.state(by_msgid(drafted / AM)[updated.msgid]) == "reviewed"

    for entry in packet:
        confirm(entry)
    packet.save(str(packet_path))
    result = homelang("review", "import", str(packet_path), expect=1)
    assert (
        "the English changed since export; the English is now: We remain committed" in result.output
    )
    entries = by_msgid(drafted / AM)
    successor = entries[changed.msgid.replace("We are", "We remain")]
    assert (
        successor.fuzzy and successor.previous_msgid == changed.msgid
    )  # untouched, still for review
    kept = {e.msgid: e for e in load(drafted / CONFLICTS)}
    assert kept[changed.msgid].msgstr == changed.msgstr
    assert "We remain committed" in kept[changed.msgid].comment
    unchanged_english = next(e for e in packet if e.msgid.startswith("Read the"))
    assert states.state(entries[unchanged_english.msgid]) == "reviewed"
    all_valid(drafted)


def test_broken_placeholder_is_kept_as_draft_not_reviewed(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    link = next(e for e in packet if "](" in e.msgid)
    link.msgstr = link.msgstr.replace(
        "](https://www.mpls.k12.mn.us/sanctuary-resolution)", "](https://example.org)"
    )
    for entry in packet:
        confirm(entry)
    packet.save(str(packet_path))
    line = load(packet_path).find(link.msgid, msgctxt=link.msgctxt).linenum
    result = homelang("review", "import", str(packet_path), expect=1)
    assert re.search(
        rf"p\.po:{line}: kept as a draft, not reviewed: \[md-link\] missing link target",
        result.output,
    )
    entry = by_msgid(drafted / AM)[link.msgid]
    assert entry.fuzzy and entry.msgstr == link.msgstr and states.reviewer(entry) is None
    assert "1 check-error" in result.output
    assert homelang("check", "--lang", "am", expect=1)
    all_valid(drafted)


def test_bom_and_windows_line_endings(drafted: Path, homelang, tmp_path: Path) -> None:
    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    for entry in packet:
        confirm(entry)
    packet_path.write_bytes(b"\xef\xbb\xbf" + str(packet).replace("\n", "\r\n").encode("utf-8"))
    result = homelang("review", "import", str(packet_path))
    assert f"{len(translatable(packet))} reviewed" in result.output
    assert b"\r" not in (drafted / AM).read_bytes() and not (drafted / AM).read_bytes().startswith(
        b"\xef"
    )
    all_valid(drafted)


def _not_po(text: str) -> str:
    return text.replace('msgstr "', 'msgstr "\\q', 1).replace("\nmsgid ", "\nmsgid broken ", 3)


def _somali(packet: polib.POFile) -> str:
    for entry in packet:
        entry.msgstr = (
            "Dugsiyada waa meel ammaan ah oo loogu talagalay dhammaan ardayda iyo qoysaska."
        )
        confirm(entry)
    return str(packet)


BAD = {
    "not a PO file": (lambda text, packet: _not_po(text), r"p\.po:\d+: not a valid PO file"),
    "truncated halfway": (
        lambda text, packet: text[: len(text) // 2],
        r"p\.po:\d+: .*(truncated|cut short|not a valid)",
    ),
    "cut at an entry": (
        lambda text, packet: text[: text.rindex("\n#.")],
        r"p\.po:\d+: packet holds \d+ of its \d+ entries",
    ),
    "wrong language": (
        lambda text, packet: _somali(packet),
        r"p\.po:\d+: \d+ of \d+ translations are not in Ethiopic script",
    ),
    "other language header": (
        lambda text, packet: text.replace('"Language: am\\n"', '"Language: so\\n"'),
        r"p\.po:\d+: packet am-\S+ was exported for 'am', but its Language header says 'so'",
    ),
    "unknown document": (
        lambda text, packet: text.replace(
            'msgctxt "sanctuary-resolution"', 'msgctxt "no-such-doc"', 1
        ),
        r"p\.po:\d+: no document 'no-such-doc'",
    ),
    "not a packet": (
        lambda text, packet: re.sub(r'"X-Homelang-Packet: .*\n', "", text),
        r"not a homelang review packet",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_packet_changes_nothing(drafted: Path, homelang, tmp_path: Path, case: str) -> None:
    good = tmp_path / "good.po"
    export(homelang, good, "--reviewer", "Amina")
    packet_path = tmp_path / "p.po"
    spoil, message = BAD[case]
    packet_path.write_text(spoil(good.read_text("utf-8"), load(good)), "utf-8")
    good_copy = load(good)
    for entry in good_copy:
        confirm(entry)
    good_copy.save(str(good))
    before = snapshot(drafted)
    result = homelang("review", "import", str(good), str(packet_path), expect=2)
    assert re.search(message, result.output), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(drafted) == before
    all_valid(drafted)


def test_dry_run_reports_and_writes_nothing(drafted: Path, homelang, tmp_path: Path) -> None:
    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    for entry in packet:
        confirm(entry)
    packet.save(str(packet_path))
    before = snapshot(drafted)
    data = json.loads(homelang("review", "import", "--dry-run", "--json", str(packet_path)).stdout)
    assert [o["outcome"] for o in data[0]["outcomes"]] == ["reviewed"] * len(translatable(packet))
    assert data[0]["changed"] == [AM]
    assert snapshot(drafted) == before


def test_direct_poedit_edit_counts_in_status(drafted: Path, homelang) -> None:
    catalog = load(drafted / FAQ)
    confirm(catalog[0])  # a volunteer confirms in Poedit and commits
    catalog.save(str(drafted / FAQ))
    [faq] = json.loads(
        homelang("status", "--lang", "am", "--doc", "sanctuary-resolution-faq", "--json").stdout
    )
    assert faq["entries"]["reviewed"] == 1
    assert faq["entries"]["machine"] == len(catalog) - 1


def test_packet_offers_reviewed_translations_of_similar_english(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    faq = load(drafted / FAQ)
    for entry in faq:
        states.mark_reviewed(entry, "Hana", "2026-11-20")
    faq.save(str(drafted / FAQ))
    packet = export(homelang, tmp_path / "p.po", "--doc", "sanctuary-resolution")
    reviewed = {e.msgid: e.msgstr for e in faq}
    paragraph = next(e for e in packet if e.msgid.startswith("The Minneapolis Board"))
    similar = next(m for m in reviewed if m.startswith("The Board of Education passed"))
    assert re.search(
        r"Reviewed translation \(9\d% similar, sanctuary-resolution-faq\): "
        + re.escape(reviewed[similar]),
        paragraph.comment,
    )
    unlike = next(e for e in packet if e.msgid.startswith("Minneapolis Public Schools is"))
    assert "Reviewed translation" not in unlike.comment


def test_direct_edit_meanwhile_is_not_overwritten(drafted: Path, homelang, tmp_path: Path) -> None:
    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    catalog = load(drafted / AM)  # Hana fixes the title in Poedit and commits, not knowing
    hana = "MPS የትምህርት ቦርድ ውሳኔ አሳለፈ"
    catalog[0].msgstr = hana
    confirm(catalog[0])
    catalog.save(str(drafted / AM))
    packet[0].msgstr = "MPS ቦርድ የመቅደስ ውሳኔ አሳለፈ"
    for entry in packet:
        confirm(entry)
    packet.save(str(packet_path))
    result = homelang("review", "import", str(packet_path), expect=1)
    assert (
        f"{len(translatable(packet)) - 1} reviewed" in result.output
        and "1 conflict" in result.output
    )
    assert by_msgid(drafted / AM)[packet[0].msgid].msgstr == hana
    assert [e.msgstr for e in load(drafted / CONFLICTS)] == [packet[0].msgstr]
    all_valid(drafted)


def test_export_without_catalogs_is_refused_up_front(project: Path, homelang) -> None:
    homelang("extract")
    result = homelang("review", "export", "--lang", "so", expect=2)
    assert "run 'homelang update' first" in result.output
    assert not (project / "locales/so/review-assignments.json").exists()


def test_import_refuses_when_a_catalog_is_saved_meanwhile(
    drafted: Path, homelang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A volunteer saves the catalog in Poedit while a packet is applied: nothing is written
    over their save, and the import can simply be run again."""
    from pipeline import packets

    packet_path = tmp_path / "p.po"
    packet = export(homelang, packet_path, "--doc", "sanctuary-resolution")
    confirm(packet[0])
    packet.save(str(packet_path))
    apply = packets._apply

    def apply_while_a_person_saves(*args, **kwargs):
        person = load(drafted / AM)
        person[1].msgstr = "በPoedit የተቀመጠ MPS"
        person.save()
        return apply(*args, **kwargs)

    monkeypatch.setattr(packets, "_apply", apply_while_a_person_saves)
    result = homelang("review", "import", str(packet_path), expect=2)
    assert "changed while the packets were being applied" in result.output
    assert load(drafted / AM)[1].msgstr == "በPoedit የተቀመጠ MPS"
    monkeypatch.setattr(packets, "_apply", apply)
    homelang("review", "import", str(packet_path), expect=1)  # the rest is left as drafts
    assert load(drafted / AM)[1].msgstr == "በPoedit የተቀመጠ MPS"
    assert states.state(load(drafted / AM)[0]) == "reviewed"


def confirmed_packet(homelang, path: Path, *args: str) -> polib.POFile:
    packet = export(homelang, path, "--reviewer", "Amina", *args)
    for entry in translatable(packet):
        confirm(entry)
    return packet


def test_plural_forms_in_the_packet_never_wipe_a_singular_entry(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    entry = packet[0]
    draft = by_msgid(drafted / AM)[entry.msgid].msgstr
    entry.msgid_plural, entry.msgstr = entry.msgid + "s", ""
    entry.msgstr_plural = {0: "MPS አንድ", 1: "MPS ብዙ"}
    packet.save(str(path))
    line = load(path)[0].linenum
    result = homelang("review", "import", str(path), expect=1)
    assert f"p.po:{line}: refused, not applied: the packet entry has plural forms" in result.output
    kept = by_msgid(drafted / AM)[entry.msgid]
    assert kept.msgstr == draft and states.state(kept) == "machine"
    assert (
        "1 refused" in result.output
        and f"{len(translatable(packet)) - 1} reviewed" in result.output
    )
    all_valid(drafted)


@pytest.mark.parametrize("edit", ["end", "start"])
def test_a_line_break_gettext_refuses_is_refused_not_applied(
    drafted: Path, homelang, tmp_path: Path, edit: str
) -> None:
    """msgfmt refuses a translation that begins or ends with a line break where the English
    does not: applying it would make the catalog one that gettext cannot compile."""
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    entry = packet[1]
    draft = by_msgid(drafted / AM)[entry.msgid].msgstr
    entry.msgstr = entry.msgstr + "\n" if edit == "end" else "\n" + entry.msgstr
    packet.save(str(path))
    line = load(path)[1].linenum
    result = homelang("review", "import", str(path), expect=1)
    assert f"p.po:{line}: refused, not applied: a translation begins and ends" in result.output
    assert by_msgid(drafted / AM)[entry.msgid].msgstr == draft
    all_valid(drafted)


def test_a_singular_packet_entry_never_wipes_plural_forms(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    catalog = load(drafted / AM)  # a plural entry (a count of days), machine drafted
    catalog[0].msgid_plural, catalog[0].msgstr = catalog[0].msgid + "s", ""
    catalog[0].msgstr_plural = {0: "MPS አንድ", 1: "MPS ብዙ"}
    catalog.save(str(drafted / AM))
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    assert packet[0].msgid_plural  # exported with its forms
    packet[0].msgid_plural, packet[0].msgstr_plural = "", {}
    packet[0].msgstr = "MPS አንድ ብቻ"  # a tool that knows no plurals wrote one string
    packet.save(str(path))
    result = homelang("review", "import", str(path), expect=1)
    assert "refused, not applied: the packet entry has no plural forms" in result.output
    kept = by_msgid(drafted / AM)[packet[0].msgid]
    assert kept.msgstr_plural == {0: "MPS አንድ", 1: "MPS ብዙ"} and kept.fuzzy
    all_valid(drafted)


def cut_inside_last_translation(path: Path) -> None:
    """A packet cut at a line end inside its last (two-line) translation."""
    text = path.read_text("utf-8")
    path.write_text(text[: text.index('"ሁለተኛ መስመር"')], "utf-8")


def splice_from_other_packet(path: Path, other: Path) -> None:
    """An entry of another packet pasted in before the end-of-packet entry."""
    text, foreign = path.read_text("utf-8"), other.read_text("utf-8")
    block = foreign.split("\n\n")[1]
    end = text.index('msgctxt "homelang: end of packet"')
    path.write_text(text[:end] + block + "\n\n" + text[end:], "utf-8")


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ("cut", r"p\.po:\d+: no end-of-packet entry: cut short"),
        (
            "splice",
            r"p\.po:\d+: (the entries do not match the packet's checksum|packet holds \d+ entries, its header says)",
        ),
    ],
)
def test_a_packet_cut_short_or_spliced_is_refused(
    drafted: Path, homelang, tmp_path: Path, spoil: str, message: str
) -> None:
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    translatable(packet)[-1].msgstr = "አንደኛ መስመር\nሁለተኛ መስመር"
    packet.save(str(path))
    export(homelang, tmp_path / "other.po", "--doc", "sanctuary-resolution-faq")
    if spoil == "cut":
        cut_inside_last_translation(path)
    else:
        splice_from_other_packet(path, tmp_path / "other.po")
    before = snapshot(drafted)
    result = homelang("review", "import", str(path), expect=2)
    assert re.search(message, result.output) and len(result.output.splitlines()) == 1
    assert snapshot(drafted) == before


def test_packet_ids_are_unique_and_an_old_packet_never_cancels_a_newer_one(
    drafted: Path, homelang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # every export in the same minute
    old = confirmed_packet(homelang, tmp_path / "old.po", "--doc", "sanctuary-resolution")
    old.save(str(tmp_path / "old.po"))
    homelang("review", "import", str(tmp_path / "old.po"))
    new = export(homelang, tmp_path / "new.po", "--reviewer", "Amina")
    new_id = new.metadata["X-Homelang-Packet"]
    assert new_id != old.metadata["X-Homelang-Packet"]
    homelang("review", "import", str(tmp_path / "old.po"))  # again, by mistake
    held = json.loads((drafted / ASSIGNMENTS).read_text("utf-8"))["packets"]
    assert [p["packet"] for p in held] == [new_id]


def test_a_released_packet_that_comes_back_is_applied_where_nothing_changed(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    catalog = load(drafted / AM)
    for entry in catalog:  # a person's drafts, not yet confirmed: needs-update
        states.mark_draft(entry, "Hana", "2026-11-20")
    catalog.save(str(drafted / AM))
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    packet[1].msgstr = "Minneapolis Public Schools ለሁሉም ተማሪዎች ደህንነቱ የተጠበቀ ቦታ ነው።"  # corrected
    packet.save(str(path))
    homelang("review", "release", packet.metadata["X-Homelang-Packet"])
    bob = load(drafted / AM)  # meanwhile Bob reviews the title with his own words
    bob[0].msgstr = "የቦብ ርዕስ MPS"
    states.mark_reviewed(bob[0], "Bob", "2026-11-21")
    bob.save(str(drafted / AM))
    result = homelang("review", "import", str(path), expect=1)
    assert f"{len(translatable(packet)) - 1} reviewed" in result.output
    assert "1 conflict" in result.output and "reviewed by Bob" in result.output
    entries = by_msgid(drafted / AM)
    assert entries[packet[0].msgid].msgstr == "የቦብ ርዕስ MPS"
    assert entries[packet[1].msgid].msgstr == packet[1].msgstr
    assert all(states.state(entries[e.msgid]) == "reviewed" for e in translatable(packet))
    all_valid(drafted)


def test_script_check_counts_only_what_the_volunteer_changed(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    catalog = load(catalogs_ready / AM)
    for entry in catalog:  # machine drafts that came back in Latin letters (a bad engine day)
        entry.msgstr = "Minneapolis ecole famille"
        states.mark_machine(entry, "google", "2026-11-28")
    catalog.save(str(catalogs_ready / AM))
    path = tmp_path / "p.po"
    packet = export(homelang, path, "--reviewer", "Amina", "--doc", "sanctuary-resolution")
    packet[0].msgstr = "MPS የትምህርት ቦርድ ውሳኔ አሳለፈ"
    confirm(packet[0])
    packet.save(str(path))
    result = homelang("review", "import", str(path), expect=1)  # the untouched drafts are left
    assert "1 reviewed" in result.output
    assert by_msgid(catalogs_ready / AM)[packet[0].msgid].msgstr == packet[0].msgstr
    all_valid(catalogs_ready)


def test_import_prints_each_warning_with_its_packet_line(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    path = tmp_path / "p.po"
    packet = confirmed_packet(homelang, path, "--doc", "sanctuary-resolution")
    packet[1].msgstr = packet[1].msgstr.rstrip(".") + " "  # a trailing space: a warning
    packet.save(str(path))
    line = load(path)[1].linenum
    result = homelang("review", "import", str(path))
    assert re.search(rf"p\.po:{line}: \[end-space\] warning: ", result.output), result.output


BOB = "የቦብ ርዕስ MPS"


def review_meanwhile(root: Path, text: str = BOB, name: str = "Bob") -> None:
    """Someone reviews the notice's title in Poedit while packets are out."""
    catalog = load(root / AM)
    catalog[0].msgstr = text
    states.mark_reviewed(catalog[0], name, "2026-11-21")
    catalog.save(str(root / AM))


def returned(homelang, path: Path, reviewer: str, title: str) -> polib.POFile:
    """A packet of the notice, every entry confirmed, the title translated as ``title``."""
    packet = export(homelang, path, "--reviewer", reviewer, "--doc", "sanctuary-resolution")
    for entry in translatable(packet):
        confirm(entry)
    packet[0].msgstr = title
    packet.metadata["Last-Translator"] = reviewer
    packet.save(str(path))
    homelang("review", "release", packet.metadata["X-Homelang-Packet"])
    return packet


def open_conflicts(homelang) -> list[dict]:
    return json.loads(homelang("review", "conflicts", "--lang", "am", "--json").stdout)


def test_conflicts_one_record_per_entry_and_text_newest_kept(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    title = "MPS የትምህርት ቦርድ ውሳኔ አሳለፈ"
    returned(homelang, tmp_path / "amina.po", "Amina", title)
    returned(homelang, tmp_path / "chen.po", "Chen", title)  # the same words, another packet
    review_meanwhile(drafted)
    for name in ("amina", "chen", "amina"):
        homelang("review", "import", str(tmp_path / f"{name}.po"), expect=1)
    kept = [e for e in load(drafted / CONFLICTS) if not e.obsolete]
    assert [e.msgstr for e in kept] == [title] and "Amina" in kept[0].tcomment
    [listed] = open_conflicts(homelang)
    assert (listed["theirs"], listed["mine"], listed["english"]) == (title, BOB, kept[0].msgid)
    assert notice_status(homelang)["conflicts"] == 1
    all_valid(drafted)


def test_a_conflict_stops_counting_once_the_entry_is_reviewed_and_is_pruned(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    returned(homelang, tmp_path / "amina.po", "Amina", "MPS የአሚና ርዕስ")
    review_meanwhile(drafted)
    homelang("review", "import", str(tmp_path / "amina.po"), expect=1)
    assert notice_status(homelang)["conflicts"] == 1
    review_meanwhile(drafted, "MPS የሀና የተስማማ ርዕስ", "Hana")  # Hana settles it in Poedit
    assert notice_status(homelang)["conflicts"] == 0 and open_conflicts(homelang) == []
    kept = load(drafted / CONFLICTS)  # and a record of a document deleted since
    kept.append(
        polib.POEntry(msgctxt="0badc0de 0123456789abcdef 0123456789ab gone", msgid="Hi", msgstr="x")
    )
    kept.save(str(drafted / CONFLICTS))
    other = confirmed_packet(homelang, tmp_path / "faq.po", "--doc", "sanctuary-resolution-faq")
    other.save(str(tmp_path / "faq.po"))
    homelang("review", "import", str(tmp_path / "faq.po"))  # any import of the language prunes
    assert not (drafted / CONFLICTS).exists()


@pytest.mark.parametrize("take", ["theirs", "mine", "text"])
def test_resolve_a_conflict(drafted: Path, homelang, tmp_path: Path, take: str) -> None:
    amina = "MPS የአሚና ርዕስ"
    returned(homelang, tmp_path / "amina.po", "Amina", amina)
    review_meanwhile(drafted)
    homelang("review", "import", str(tmp_path / "amina.po"), expect=1)
    [listed] = open_conflicts(homelang)
    args = ["review", "conflicts", "--resolve", listed["id"], "--take", take]
    if take == "text":
        args += ["--text", "MPS የጋራ ርዕስ", "--reviewer", "Hana"]
    result = homelang(*args)
    title = load(drafted / AM)[0]
    now, dropped, who = {
        "theirs": (amina, BOB, "Amina"),
        "mine": (BOB, amina, "Bob"),
        "text": ("MPS የጋራ ርዕስ", BOB, "Hana"),
    }[take]
    assert title.msgstr == now and states.reviewer(title)[0] == who
    assert f"dropped: {dropped}" in result.output  # the version not taken is shown
    assert open_conflicts(homelang) == [] and not (drafted / CONFLICTS).exists()
    assert notice_status(homelang)["conflicts"] == 0
    again = homelang("review", "conflicts", "--resolve", listed["id"], "--take", "mine", expect=2)
    assert "no such conflict" in again.output
    all_valid(drafted)


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (b'msgid "unterminated\n', ":1: not a valid PO file"),
        (b"# padding\n" * 2_100_000, ": larger than 20 MB"),
    ],
)
def test_a_damaged_conflicts_file_never_blocks_status_or_export(
    drafted: Path, homelang, tmp_path: Path, damage: bytes, problem: str
) -> None:
    (drafted / CONFLICTS).write_bytes(damage)
    status = homelang("status", "--lang", "am")
    assert f"{CONFLICTS}{problem}" in status.output
    export_ = homelang("review", "export", "--lang", "am", "-o", str(tmp_path / "p.po"))
    assert f"warning: {CONFLICTS}{problem}" in export_.output
    before = snapshot(drafted)
    for args in (["review", "import", str(tmp_path / "p.po")], ["review", "conflicts"]):
        result = homelang(*args, expect=2)
        assert len(result.output.splitlines()) == 1 and CONFLICTS in result.output
        assert "move it aside" in result.output
    assert snapshot(drafted) == before
