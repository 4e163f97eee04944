"""Update: msgmerge semantics judged by GNU msgmerge itself, headers, no churn, --check."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from conftest import all_catalogs, load, msgfmt_check

from pipeline import catalogs
from pipeline.merge import merge


def fill(path: Path, prefix: str = "ES ") -> None:
    """Translate every entry, as a person would in Poedit."""
    po = load(path)
    for entry in po:
        entry.msgstr = prefix + entry.msgid
    po.save()


def test_sample_catalogs_are_valid_for_gettext(catalogs_ready: Path) -> None:
    paths = all_catalogs(catalogs_ready)
    assert len(paths) == 24  # 8 languages x (2 documents + the templates' words)
    for path in paths:
        msgfmt_check(path)
    ar = load(catalogs_ready / "locales/ar/LC_MESSAGES/sanctuary-resolution.po")
    assert ar.metadata["Language"] == "ar"
    assert ar.metadata["Plural-Forms"].startswith("nplurals=6;")
    assert ar.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert ar.metadata["Language-Team"] == "Arabic <ar@li.org>"
    es = load(catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po")
    assert es.metadata["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_update_twice_is_a_no_op(catalogs_ready: Path, homelang) -> None:
    before = {p: p.read_bytes() for p in all_catalogs(catalogs_ready)}
    result = homelang("update")
    assert "24 catalogs, 0 changed, 24 unchanged" in result.output
    assert {p: p.read_bytes() for p in all_catalogs(catalogs_ready)} == before
    homelang("update", "--check")


def edit_english(project: Path) -> None:
    """A scripted change of the English: small edits, a rewrite, a removal, an addition."""
    path = project / "source/faq/sanctuary-resolution-faq.md"
    text = path.read_text("utf-8")
    replacements = {
        "There will not be significant changes.": "There will be no significant changes.",  # small edit
        # a rewrite
        "MPS does not collect or keep citizenship and immigration status information or\n"
        "enforce immigration laws.": "Completely different words about something else entirely, nothing alike.",
        "- the leadership team at their child’s school, or\n": "",  # removal
        "We will continue to provide a safe": "We will always continue to provide a safe",  # small edit
    }
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    text += "\nA brand new paragraph at the end, about bus routes.\n"
    path.write_text(text, "utf-8")


def summary(po: polib.POFile) -> dict[str, set]:
    return {
        "fuzzy": {
            (e.msgid, e.previous_msgid, e.msgstr)
            for e in po
            if "fuzzy" in e.flags and not e.obsolete
        },
        "new": {e.msgid for e in po if not e.msgstr and not e.obsolete},
        "obsolete": {(e.msgid, e.msgstr) for e in po if e.obsolete},
        "kept": {
            (e.msgid, e.msgstr)
            for e in po
            if e.msgstr and "fuzzy" not in e.flags and not e.obsolete
        },
    }


def test_update_decides_like_msgmerge_previous(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    po_path = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution-faq.po"
    fill(po_path)
    homelang("update")  # normalise the translated file the way we write it
    old = tmp_path / "old.po"
    shutil.copy(po_path, old)
    edit_english(catalogs_ready)
    homelang("extract")
    homelang("update")
    pot = catalogs_ready / "locales/sanctuary-resolution-faq.pot"
    gnu = tmp_path / "gnu.po"
    subprocess.run(
        ["msgmerge", "--previous", "--no-wrap", "-q", "-o", str(gnu), str(old), str(pot)],
        check=True,
    )
    ours, theirs = summary(load(po_path)), summary(load(gnu))
    assert ours == theirs
    assert {k: len(v) for k, v in ours.items()} == {"fuzzy": 2, "new": 2, "obsolete": 2, "kept": 15}
    msgfmt_check(po_path)
    # the translator sees the old translation and the previous English
    fuzzy = {e.msgid: e for e in load(po_path) if "fuzzy" in e.flags}
    changed = next(
        e for msgid, e in fuzzy.items() if msgid.startswith("There will be no significant changes.")
    )
    assert changed.previous_msgid.startswith("There will not be significant changes.")
    assert changed.msgstr.startswith("ES There will not be significant changes.")


def test_obsolete_translation_returns_when_english_does(catalogs_ready: Path, homelang) -> None:
    po_path = catalogs_ready / "locales/so/LC_MESSAGES/sanctuary-resolution.po"
    fill(po_path, "SO ")
    source = catalogs_ready / "source/notices/sanctuary-resolution.md"
    original = source.read_text("utf-8")
    paragraph = original[original.index("We are committed") : original.index("for all.") + 8]
    source.write_text(original.replace(paragraph, "Zebras graze quietly."), "utf-8")
    homelang("extract")
    homelang("update")
    obsolete = [e for e in load(po_path) if e.obsolete]
    assert [e.msgstr[:18] for e in obsolete] == ["SO We are committe"]
    source.write_text(original, "utf-8")
    homelang("extract")
    homelang("update")
    po = load(po_path)
    assert not [e for e in po if e.obsolete]
    assert all(e.msgstr.startswith("SO ") and "fuzzy" not in e.flags for e in po)


def test_translator_work_survives_update(catalogs_ready: Path, homelang) -> None:
    po_path = catalogs_ready / "locales/am/LC_MESSAGES/sanctuary-resolution.po"
    po = load(po_path)
    po[0].msgstr = "የMPS ትምህርት ቦርድ"
    po[0].tcomment = "reviewed: Hana 2026-11-30"
    po.metadata["Last-Translator"] = "Hana <hana@example.org>"
    po.metadata["X-Poedit-Basepath"] = "."
    po.save()
    homelang("update")
    after = load(po_path)
    assert after[0].msgstr == "የMPS ትምህርት ቦርድ"
    assert after[0].tcomment == "reviewed: Hana 2026-11-30"
    assert after.metadata["Last-Translator"] == "Hana <hana@example.org>"
    assert after.metadata["X-Poedit-Basepath"] == "."


def test_update_check_exits_1_and_changes_nothing(catalogs_ready: Path, homelang) -> None:
    edit_english(catalogs_ready)
    homelang("extract")
    before = {p: p.read_bytes() for p in all_catalogs(catalogs_ready)}
    result = homelang("update", "--check", expect=1)
    assert "would change" in result.output
    assert {p: p.read_bytes() for p in all_catalogs(catalogs_ready)} == before


def test_update_one_language(catalogs_ready: Path, homelang) -> None:
    edit_english(catalogs_ready)
    homelang("extract")
    result = homelang("update", "--lang", "vi", "--json")
    assert '"lang": "vi"' in result.output and '"lang": "es"' not in result.output
    result = homelang("update", "--lang", "xx", expect=2)
    assert "language 'xx' is not configured" in result.output


def test_malformed_catalog_on_disk_is_refused(catalogs_ready: Path, homelang) -> None:
    po_path = catalogs_ready / "locales/ar/LC_MESSAGES/sanctuary-resolution.po"
    text = po_path.read_text("utf-8")
    po_path.write_text(text + '\nmsgid "broken\nmsgstr ""\n', "utf-8")
    before = {p: p.read_bytes() for p in all_catalogs(catalogs_ready)}
    edit_english(catalogs_ready)
    homelang("extract")
    result = homelang("update", expect=2)
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: locales/ar/LC_MESSAGES/sanctuary-resolution.po:")
    assert len(result.output.strip().splitlines()) == 1
    # nothing written for that language; all-or-nothing is per catalog, and the error stops the run
    assert po_path.read_bytes() == before[po_path]


@pytest.mark.parametrize(
    "tail,message",
    [
        ('msgid "Truncated', "not a valid PO file"),
        (
            'msgid "MPS Board of Education Passes Sanctuary Resolution"\nmsgstr "x"\n',
            "duplicate message",
        ),
        ('\nmsgid "half"\n', "truncated"),
    ],
)
def test_parse_catalog_errors_name_the_line(tail: str, message: str, catalogs_ready: Path) -> None:
    path = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    raw = path.read_bytes() + b"\n" + tail.encode()
    with pytest.raises(catalogs.CatalogError) as info:
        catalogs.parse_catalog(raw, Path("x.po"))
    assert message in info.value.message
    assert info.value.line is not None


def test_merge_round_trip_is_byte_stable(catalogs_ready: Path) -> None:
    """read -> merge with its own template -> render gives the same bytes."""
    pot = catalogs.read_catalog(catalogs_ready / "locales/sanctuary-resolution-faq.pot")
    path = catalogs_ready / "locales/hmn/LC_MESSAGES/sanctuary-resolution-faq.po"
    po = catalogs.read_catalog(path)
    merged, stats = merge(pot, po, dict(po.metadata))
    assert catalogs.render(merged) == path.read_bytes()
    assert stats.new == 0 and stats.fuzzy == 0 and stats.obsolete == 0


def test_compile_leaves_fuzzy_out(catalogs_ready: Path, homelang) -> None:
    po_path = catalogs_ready / "locales/vi/LC_MESSAGES/sanctuary-resolution.po"
    po = load(po_path)
    po[0].msgstr = "reviewed text"
    po[1].msgstr = "machine draft"
    po[1].flags.append("fuzzy")
    po.save()
    homelang("compile")
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    assert [e.msgstr for e in mo] == ["reviewed text"]
    gnu = subprocess.run(
        ["msgunfmt", str(po_path.with_suffix(".mo"))], capture_output=True, text=True, check=True
    )
    assert "machine draft" not in gnu.stdout and "reviewed text" in gnu.stdout


def test_modify_catalog_never_overwrites_a_save_made_meanwhile(catalogs_ready: Path) -> None:
    """A person saves in Poedit while homelang changes the file: both changes survive."""
    path = catalogs_ready / "locales/so/LC_MESSAGES/sanctuary-resolution.po"
    calls = []

    def change(catalog: polib.POFile) -> None:
        calls.append(1)
        if len(calls) == 1:  # the person's save lands between our read and our write
            person = load(path)
            person[0].msgstr = "Qoraalka qofka"
            person.save()
        catalog[1].msgstr = "machine draft"

    assert catalogs.modify_catalog(path, Path("x.po"), change)
    after = load(path)
    assert (after[0].msgstr, after[1].msgstr, len(calls)) == ("Qoraalka qofka", "machine draft", 2)
    msgfmt_check(path)


def test_eot_in_a_string_is_refused_like_msgfmt_does(catalogs_ready: Path) -> None:
    path = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    raw = path.read_bytes().replace(b'msgstr ""', b'msgstr "a\x04b"', 2)
    with pytest.raises(catalogs.CatalogError, match="EOT") as info:
        catalogs.parse_catalog(raw, Path("x.po"))
    assert info.value.line == raw[: raw.index(b"\x04")].count(b"\n") + 1


def test_update_merges_again_a_save_made_meanwhile(
    catalogs_ready: Path, homelang, monkeypatch
) -> None:
    """A person saves in Poedit while update merges: their save survives, and is merged."""
    import pipeline.update

    po_path = catalogs_ready / "locales/so/LC_MESSAGES/sanctuary-resolution-faq.po"
    edit_english(catalogs_ready)
    homelang("extract")
    real_merge, saved = pipeline.update.merge, []

    def merge_while_a_person_saves(template, old, metadata, matcher=None):
        result = real_merge(template, old, metadata, matcher)
        header = old.metadata if old is not None else {}
        if (
            not saved
            and header.get("Project-Id-Version") == po_path.stem
            and "so" in header["Language"]
        ):
            person = load(po_path)
            person[0].msgstr = "Qoraalka qofka"
            person.save()
            saved.append(True)
        return result

    monkeypatch.setattr(pipeline.update, "merge", merge_while_a_person_saves)
    homelang("update")
    after = catalogs.read_catalog(po_path)
    assert after[0].msgstr == "Qoraalka qofka"
    assert "A brand new paragraph at the end, about bus routes." in {e.msgid for e in after}
    msgfmt_check(po_path)


def test_update_after_pretranslate_changes_nothing(catalogs_ready: Path, homelang) -> None:
    """``make all``'s sequence: flags are written in one order (GNU's: fuzzy first) by every stage."""
    homelang("pretranslate", "--provider", "pseudo")
    before = {p: p.read_bytes() for p in all_catalogs(catalogs_ready)}
    homelang("update", "--check")
    assert {p: p.read_bytes() for p in all_catalogs(catalogs_ready)} == before
    text = (catalogs_ready / "locales/es/LC_MESSAGES/templates.po").read_text("utf-8")
    assert "#, fuzzy, python-format\n" in text and "python-format, fuzzy" not in text


@pytest.mark.parametrize("epoch", ["253402300799", "221845392000"])
def test_source_date_epoch_near_year_9999_is_a_one_line_error(
    catalogs_ready: Path, homelang, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    """Dates derived from it (a packet's expiry) must stay writable: no OverflowError."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    before = {p: p.read_bytes() for p in catalogs_ready.rglob("*") if p.is_file()}
    result = homelang("review", "export", "--lang", "es", expect=2)
    assert result.output.startswith("Error: environment variable SOURCE_DATE_EPOCH: expected")
    assert {p: p.read_bytes() for p in catalogs_ready.rglob("*") if p.is_file()} == before


def test_two_settings_files_in_one_folder_are_refused(project: Path, homelang) -> None:
    """A homelang.toml beside a pyproject.toml with [tool.homelang] does not silently win."""
    (project / "homelang.toml").write_text('languages = ["es"]\n', "utf-8")
    result = homelang("update", expect=2)
    assert result.output.count("\n") == 1
    assert "homelang.toml" in result.output and "pyproject.toml" in result.output
    assert not (project / "locales").exists()
