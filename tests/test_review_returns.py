"""Packets that come back in ways a volunteer's tools send them: another language in the
same script, a Poedit language variant, English removed meanwhile, a far-future clock."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import polib
import pytest
from conftest import load, msgfmt_check

from pipeline import invites, online, states
from pipeline.review import END_CONTEXT
from pipeline.settings import load as load_settings

ES = "locales/es/LC_MESSAGES/sanctuary-resolution.po"
SOMALI = (
    "Waxaan ka go'an nahay badbaadada iyo ladnaanta shucuureed ee ardaydeena, waxaanna "
    "sii wadi doonnaa inaan u bixino jawi waxbarasho oo ammaan ah oo soo dhaweyn leh dhammaan."
)


def snapshot(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def export_es(homelang, out: Path) -> polib.POFile:
    homelang(
        "review",
        "export",
        "--lang",
        "es",
        "--doc",
        "sanctuary-resolution",
        "--reviewer",
        "Amina",
        "-o",
        str(out),
    )
    return load(out)


def entries(packet: polib.POFile) -> list[polib.POEntry]:
    return [e for e in packet if e.msgctxt != END_CONTEXT]


def confirm_all(packet: polib.POFile, text: str) -> None:
    for entry in entries(packet):
        entry.msgstr = text
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")


def test_somali_in_a_spanish_packet_is_refused(catalogs_ready: Path, homelang, tmp_path) -> None:
    packet_path = tmp_path / "p.po"
    packet = export_es(homelang, packet_path)
    confirm_all(packet, SOMALI)
    packet.save(str(packet_path))
    before = snapshot(catalogs_ready)
    result = homelang("review", "import", str(packet_path), expect=2)
    assert re.fullmatch(
        r".*p\.po:\d+: 5 of 5 translations are not Spanish \(counting those the volunteer "
        r"changed; the first reads as Somali \(\d+% sure\)\): "
        r"is this packet in another language than Spanish\?",
        result.output.strip(),
    ), result.output
    assert snapshot(catalogs_ready) == before


def test_the_review_page_shows_another_language_before_confirming(catalogs_ready: Path) -> None:
    settings = load_settings(catalogs_ready)
    invite, _ = invites.create(settings, "es", "Amina", ("sanctuary-resolution",))
    first = next(i for i in online.queue(settings, invite) if i.msgid.startswith("We are"))
    found = online.check(settings, invite, first.key, SOMALI)
    assert [f.check_id for f in found if f.level == "error"] == ["language"]
    saved = online.save(settings, invite, first.key, first.base, SOMALI, confirm=True)
    assert saved.outcome == "check-error" and "[language] reads as Somali" in saved.detail
    assert saved.item.state == "needs-update" and saved.item.text == SOMALI  # kept as a draft
    again = online.save(settings, invite, first.key, saved.item.base, SOMALI, confirm=True)
    assert again.outcome == "reviewed"  # seen, and confirmed all the same: a warning now
    assert "language" in [f.check_id for f in again.findings if f.level == "warning"]
    msgfmt_check(catalogs_ready / ES)


SPANISH = (
    "Estamos comprometidos con la seguridad y el bienestar emocional de nuestros estudiantes "
    "y seguiremos ofreciendo un entorno de aprendizaje seguro y acogedor para todos."
)


def test_a_language_variant_poedit_wrote_is_the_configured_language(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    packet_path = tmp_path / "p.po"
    packet = export_es(homelang, packet_path)
    [entry] = [e for e in entries(packet) if e.msgid.startswith("We are")]
    entry.msgstr = SPANISH
    packet.metadata["Language"] = "es_ES"  # Poedit's choice of a variant
    packet.save(str(packet_path))
    result = homelang("review", "import", str(packet_path), expect=1)  # the others are left
    assert "1 reviewed" in result.output
    assert load(catalogs_ready / ES).find(entry.msgid).msgstr == SPANISH
    packet.metadata["Language"] = "so-SO"  # another language is refused still
    packet.save(str(packet_path))
    result = homelang("review", "import", str(packet_path), expect=2)
    assert "exported for 'es', but its Language header says 'so-SO'" in result.output


def test_an_export_past_the_last_date_is_one_line(
    catalogs_ready: Path, homelang, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")  # 9999-12-31 23:59:59
    before = snapshot(catalogs_ready)
    result = homelang("review", "export", "--lang", "es", "-o", str(tmp_path / "p.po"), expect=2)
    # the clock itself is refused past 8999, so every date derived from it can be written
    assert re.fullmatch(
        r"Error: environment variable SOURCE_DATE_EPOCH: .* up to the year 8999",
        result.output.strip(),
    ), result.output
    assert snapshot(catalogs_ready) == before and not (tmp_path / "p.po").exists()


NOTICE = "source/notices/sanctuary-resolution.md"
REMOVED = (
    "We are committed to the safety and emotional well-being of our students and will\n"
    "continue to provide a safe and welcoming learning environment for all.\n\n"
)


@pytest.mark.parametrize("drafts", ["none", "pseudo"])
def test_a_translation_of_english_removed_meanwhile_comes_back_with_it(
    catalogs_ready: Path, homelang, tmp_path: Path, drafts: str
) -> None:
    if drafts == "pseudo":  # the removed entry had a draft: update keeps it obsolete (#~)
        homelang("pretranslate", "--provider", "pseudo", "--lang", "es")
    packet_path = tmp_path / "p.po"
    packet = export_es(homelang, packet_path)
    [entry] = [e for e in entries(packet) if e.msgid.startswith("We are")]
    entry.msgstr = SPANISH
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
    packet.save(str(packet_path))
    source = catalogs_ready / NOTICE
    text = source.read_text("utf-8")
    source.write_text(text.replace(REMOVED, ""), "utf-8")
    homelang("extract")
    homelang("update")
    result = homelang("review", "import", str(packet_path), expect=1)
    assert re.search(
        r"p\.po:\d+: draft kept: the entry was removed from the document", result.output
    )
    assert "1 draft" in result.output and "0 refused" in result.output
    msgfmt_check(catalogs_ready / ES)
    [kept] = [e for e in load(catalogs_ready / ES) if e.msgid == entry.msgid]
    assert kept.obsolete and kept.msgstr == SPANISH and states.state(kept) == "needs-update"
    source.write_text(text, "utf-8")  # the paragraph is back
    homelang("extract")
    homelang("update")
    back = load(catalogs_ready / ES).find(entry.msgid)
    assert back.msgstr == SPANISH and not back.obsolete
    assert re.search(r"^draft: Amina \d{4}-\d\d-\d\d$", back.tcomment, re.M)
    assert states.state(back) == "needs-update"  # a person's draft: confirm it in a packet
    msgfmt_check(catalogs_ready / ES)


def test_an_entry_no_record_says_was_exported_adds_nothing(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    packet_path = tmp_path / "p.po"
    packet = export_es(homelang, packet_path)
    [entry] = [e for e in entries(packet) if e.msgid.startswith("We are")]
    entry.msgstr = SPANISH
    packet.save(str(packet_path))
    (catalogs_ready / "locales/es/review-assignments.json").unlink()  # the record is gone
    source = catalogs_ready / NOTICE
    source.write_text(source.read_text("utf-8").replace(REMOVED, ""), "utf-8")
    homelang("extract")
    homelang("update")
    before = (catalogs_ready / ES).read_bytes()
    result = homelang("review", "import", str(packet_path), expect=1)
    assert "refused, not applied: the entry was removed from the document" in result.output
    assert (catalogs_ready / ES).read_bytes() == before
