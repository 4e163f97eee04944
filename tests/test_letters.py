"""homelang letters: mail merge from a roster, judged by the PDFs' text (pypdf) and the disk.

Letters come out one PDF per school in roster order, each family's letter in its
language when that language may publish, the English letter with reviewed help
lines otherwise; a bad roster writes nothing and names no family.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader
from test_build import NOTICE, SAMPLE, review

from pipeline import states
from pipeline.build import Library, select_documents
from pipeline.settings import load

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ROSTER = REPO / "examples" / "sample-roster.csv"


def page_texts(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(path).pages]


@pytest.fixture
def merge_ready(catalogs_ready: Path) -> Path:
    """Spanish and Arabic reviewed (notice and template words); Somali's help line reviewed only."""
    for lang in ("es", "ar"):
        review(catalogs_ready, lang, NOTICE)
        review(catalogs_ready, lang, "templates")
    review(catalogs_ready, "so", "templates")
    review(catalogs_ready, "vi", "templates", machine=True)  # a machine draft: never on a tagline
    shutil.copy2(SAMPLE_ROSTER, catalogs_ready / "roster.csv")
    return catalogs_ready


def test_sample_roster_merges_into_one_pdf_per_school(merge_ready: Path, homelang) -> None:
    result = json.loads(
        homelang(
            "letters", "--roster", str(merge_ready / "roster.csv"), "--doc", NOTICE, "--json"
        ).output
    )
    folder = merge_ready / "build" / "private" / NOTICE
    assert [Path(s["path"]).name for s in result["schools"]] == [
        "01-anwatin-middle-school.pdf",
        "02-green-central-park-elementary.pdf",
    ]
    with SAMPLE_ROSTER.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for school in result["schools"]:
        families = [r for r in rows if r["school"] == school["school"]]
        letters = [
            t for t in page_texts(Path(school["path"])) if "Minneapolis Public Schools" in t[:60]
        ]
        assert len(letters) == len(families) == school["letters"]
        for text, family in zip(letters, families, strict=True):  # roster order, one letter each
            assert family["guardian"] in text and family["student"] in text
    anwatin = page_texts(folder / "01-anwatin-middle-school.pdf")
    # Somali may not publish: the English letter, with the reviewed Somali and Spanish help
    # lines and the reviewed Arabic one, but no Vietnamese machine draft.
    somali = next(t for t in anwatin if "Hodan Warsame" in t)
    assert "Dear Hodan Warsame, family of Ayaan Warsame," in somali
    assert SAMPLE["so"] in somali and SAMPLE["es"] in somali and SAMPLE["vi"] not in somali
    arabic_family = next(t for t in anwatin if "Layla Haddad" in t)
    assert "Dear " not in arabic_family and "Maple Street" in arabic_family
    green = page_texts(folder / "02-green-central-park-elementary.pdf")
    spanish = next(t for t in green if "Carmen Ramírez" in t)
    assert SAMPLE["es"] in spanish and "Dear" not in spanish and "DRAFT" not in spanish
    assert result["not_published"].keys() == {"so", "hmn", "kar", "om", "am", "vi"}
    summary = (folder / "summary.json").read_text("utf-8")
    assert "Warsame" not in summary and '"families": 9' in summary
    for school in result["schools"]:  # family data: readable by its owner only
        assert Path(school["path"]).stat().st_mode & 0o777 == 0o600
    assert folder.stat().st_mode & 0o777 == 0o700
    first = Path(result["schools"][0]["path"])
    first.chmod(0o644)  # as an older homelang left it: the same letters again close it
    homelang("letters", "--roster", str(merge_ready / "roster.csv"), "--doc", NOTICE)
    assert first.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "student,guardian,school,language\nA B,C B,S,so\n",
            "roster.csv:1: missing column(s) address",
        ),
        (
            "student,guardian,school,language,address\nA B,C B,S,Klingon,x\n",
            "row 2, language: unknown language (use a code or name of en, es, so,",
        ),
        (
            "student,guardian,school,language,address\nA B,,S,so,x\n,C D,S,so,y\n",
            "row 2, guardian: empty; row 3, student: empty",
        ),
        ("student,guardian,school,language,address\n", "roster.csv:2: the roster has no families"),
    ],
)
def test_roster_errors_change_nothing(
    merge_ready: Path, homelang, content: str, expected: str
) -> None:
    (merge_ready / "roster.csv").write_text(content, "utf-8")
    result = homelang(
        "letters", "--roster", str(merge_ready / "roster.csv"), "--doc", NOTICE, expect=2
    )
    assert expected in result.output
    assert "A B" not in result.output and "C D" not in result.output  # names are never printed
    assert not (merge_ready / "build").exists()


def test_many_rows_name_only_the_first_problems(merge_ready: Path, homelang) -> None:
    lines = ["student,guardian,school,language,address"] + [
        f"S{i},G{i},School,xx,addr" for i in range(30)
    ]
    (merge_ready / "roster.csv").write_text("\n".join(lines) + "\n", "utf-8")
    result = homelang(
        "letters", "--roster", str(merge_ready / "roster.csv"), "--doc", NOTICE, expect=2
    )
    assert "30 problem(s)" in result.output and "and 10 more" in result.output


def test_a_row_no_font_can_print_is_set_aside_by_row_and_column(
    merge_ready: Path, homelang
) -> None:
    """One bad row no longer stops the merge: the others are printed, the row is listed, exit 1."""
    lines = [
        "student,guardian,school,language,address",
        "Ana,Ana Díaz,School,es,x",
        "Wei,ⴰⵎⴰⵣⵉⵖ,School,es,y",  # Tifinagh: no shipped font has it
        "Lan,Lan Nguyen,School,Klingon,z",
        "Meron,Selam Tesfaye,School,am,w",
    ]
    roster = merge_ready / "roster.csv"
    roster.write_text("\n".join(lines) + "\n", "utf-8")
    result = homelang("letters", "--roster", str(roster), "--doc", NOTICE, expect=1)
    assert "not printed: row 3, guardian: a character no shipped font has (U+2D30" in result.output
    assert "not printed: row 4, language: unknown language" in result.output
    assert "ⴰ" not in result.output and "Wei" not in result.output and "Lan" not in result.output
    pdf = merge_ready / "build/private" / NOTICE / "01-school.pdf"
    text = " ".join(page_texts(pdf))
    assert "Ana Díaz" in text and "Selam Tesfaye" in text and "Lan Nguyen" not in text
    data = json.loads(
        homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--json", expect=1).output
    )
    assert data["families"] == 2
    assert [(r["row"], r["column"]) for r in data["rejected"]] == [(3, "guardian"), (4, "language")]
    summary = json.loads((pdf.parent / "summary.json").read_text("utf-8"))
    assert summary["rejected"] == [
        {"row": 3, "column": "guardian"},
        {"row": 4, "column": "language"},
    ]


def test_strict_prints_nothing_when_a_row_is_bad(merge_ready: Path, homelang) -> None:
    roster = merge_ready / "roster.csv"
    roster.write_text(
        "student,guardian,school,language,address\nAna,Ana Díaz,School,es,x\nWei,ⴰ,School,es,y\n",
        "utf-8",
    )
    result = homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--strict", expect=2)
    assert (
        "1 problem(s), nothing written (--strict): row 3, guardian: a character no shipped font has"
        in result.output
    )
    assert not (merge_ready / "build").exists()


def test_languages_resolve_by_code_or_name_in_any_case(merge_ready: Path) -> None:
    from pipeline.roster import families, validate

    roster = merge_ready / "roster.csv"
    codes = ("en", "es", "so", "hmn", "kar", "om", "am", "ar", "vi")
    summary = validate(roster, codes)
    assert list(summary.schools) == ["Anwatin Middle School", "Green Central Park Elementary"]
    assert [f.language for f in families(roster, codes)] == [
        "so",
        "es",
        "hmn",
        "kar",
        "om",
        "am",
        "ar",
        "vi",
        "en",
    ]
    settings = load(merge_ready)
    library = Library(settings, draft=False)
    assert library.edition(select_documents(settings, (NOTICE,))[0], "es").decision.publish


def test_a_large_roster_is_printed_by_worker_processes_in_order(
    merge_ready: Path, homelang
) -> None:
    from pipeline.letters import PARALLEL_FROM

    lines = ["student,guardian,school,language,address"]
    for i in range(PARALLEL_FROM):
        lines.append(
            f"Student {i},Guardian {i},School {'AB'[i % 2]},{('es', 'ar', 'so')[i % 3]},{i} Maple Street"
        )
    (merge_ready / "big.csv").write_text("\n".join(lines) + "\n", "utf-8")
    result = json.loads(
        homelang(
            "letters", "--roster", str(merge_ready / "big.csv"), "--doc", NOTICE, "--json"
        ).output
    )
    assert [s["letters"] for s in result["schools"]] == [PARALLEL_FROM // 2, PARALLEL_FROM // 2]
    for school, first, last in zip(
        result["schools"], (0, 1), (PARALLEL_FROM - 2, PARALLEL_FROM - 1), strict=True
    ):
        reader = PdfReader(school["path"])
        assert len(reader.pages) >= school["letters"]
        assert f"Guardian {first}" in reader.pages[0].extract_text()
        assert (
            f"Guardian {last}" in reader.pages[-1].extract_text()
            or f"Guardian {last}" in reader.pages[-2].extract_text()
        )
    assert result["schools"][0]["languages"] == {"es": 167, "en": 167, "ar": 166}  # Somali: English


def test_roster_errors_never_quote_family_data(project: Path, homelang) -> None:
    """A row with a column missing puts an address where the language should be: not printed."""
    roster = project / "families.csv"
    roster.write_text(
        "student,guardian,school,language,address\n"
        "Ayaan Warsame,Hodan Warsame,Anwatin Middle School,2410 Fremont Ave N\n",
        "utf-8",
    )
    homelang("extract")
    homelang("update")
    result = homelang("letters", "--roster", str(roster), "--doc", "sanctuary-resolution", expect=2)
    assert "row 2" in result.output
    for private in ("Ayaan", "Warsame", "Hodan", "Fremont"):
        assert private not in result.output


def test_letters_of_an_earlier_roster_are_removed(project: Path, homelang) -> None:
    homelang("extract")
    homelang("update")
    roster = project / "families.csv"
    shutil.copy(REPO / "examples/sample-roster.csv", roster)
    homelang("letters", "--roster", str(roster), "--doc", "sanctuary-resolution")
    folder = project / "build/private/sanctuary-resolution"
    first = sorted(p.name for p in folder.glob("*.pdf"))
    assert len(first) >= 2
    with roster.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    last_school = rows[-1]["school"]
    with roster.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["school"] == last_school)
    homelang("letters", "--roster", str(roster), "--doc", "sanctuary-resolution")
    now = sorted(p.name for p in folder.glob("*.pdf"))
    assert len(now) == 1 and now[0].startswith("01-") and now[0][3:] in {n[3:] for n in first}


def test_a_bidi_override_in_a_name_cannot_reorder_the_greeting(merge_ready: Path, homelang) -> None:
    """Each roster field is its own isolate: U+202E turns the name around, nothing after it."""
    roster = merge_ready / "roster.csv"
    roster.write_text(
        "student,guardian,school,language,address\n"
        "Sam Olson,Mr. \u202eEMAN,School,en,\u202e2020 Emerson Ave N; Minneapolis\n",
        "utf-8",
    )
    homelang("letters", "--roster", str(roster), "--doc", NOTICE)
    pdf = merge_ready / "build/private" / NOTICE / "01-school.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    shown = "".join(c for c in text if unicodedata.category(c) != "Cf")  # pdftotext's marks
    assert "Dear Mr. NAME, family of Sam Olson," in " ".join(shown.split())
    assert "Minneapolis" in shown.split("\n")


def test_a_big_school_is_printed_in_parts(merge_ready: Path, homelang) -> None:
    """One Typst document per school grew to 2.27 GB at 10,000 letters: a big school is cut."""
    from pipeline.letters import LETTERS_PER_FILE

    lines = ["student,guardian,school,language,address"]
    lines += [
        f"S{i},Guardian {i},Big School,{('es', 'ar')[i % 2]},x" for i in range(LETTERS_PER_FILE + 1)
    ]
    roster = merge_ready / "big.csv"
    roster.write_text("\n".join(lines) + "\n", "utf-8")
    result = json.loads(
        homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--json").output
    )
    files = [Path(s["path"]).name for s in result["schools"]]
    assert files == ["01-big-school-part-1-of-2.pdf", "01-big-school-part-2-of-2.pdf"]
    assert [s["letters"] for s in result["schools"]] == [LETTERS_PER_FILE, 1]
    last = PdfReader(result["schools"][1]["path"])
    assert f"Guardian {LETTERS_PER_FILE}" in " ".join(p.extract_text() for p in last.pages)
    first = PdfReader(result["schools"][0]["path"])
    assert "Guardian 0" in first.pages[0].extract_text()


def test_a_help_line_no_font_can_print_is_a_check_error_and_letters_still_print(
    merge_ready: Path, homelang
) -> None:
    """A character no font draws is a check error (finding 5 of issue 9): the help line
    prints in English instead of stopping every family's letter."""
    path = merge_ready / "locales/so/LC_MESSAGES/templates.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if "help reading" in e.msgid)
    entry.msgstr += " ⴰ"
    catalog.save()
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    found = homelang("check", "--lang", "so", expect=1).output
    assert f"locales/so/LC_MESSAGES/templates.po:{line}: [glyph] error: 'ⴰ' (U+2D30" in found
    result = json.loads(
        homelang(
            "letters", "--roster", str(merge_ready / "roster.csv"), "--doc", NOTICE, "--json"
        ).output
    )
    for school in result["schools"]:
        assert "ⴰ" not in "".join(page_texts(Path(school["path"])))


def _msgfmt_refuses(path: Path) -> bool:
    args = ["msgfmt", "--check", "-o", "/dev/null", str(path)]
    return subprocess.run(args, capture_output=True).returncode != 0


def test_a_stray_percent_in_a_template_word_is_a_check_error(merge_ready: Path, homelang) -> None:
    """``(100%)`` in a python-format word made letters print the English silently."""
    path = merge_ready / "locales/es/LC_MESSAGES/templates.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if e.msgid == "Questions? Call %(phone)s.")
    entry.msgstr = "¿Preguntas? Llame al %(phone)s (100%)."
    states.mark_reviewed(entry, "Amina", "2026-11-29")
    catalog.save()
    assert _msgfmt_refuses(path)  # the judge agrees
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    found = homelang("check", "--lang", "es", expect=1).output
    assert f"locales/es/LC_MESSAGES/templates.po:{line}: [python-format] error: " in found


def test_an_empty_plural_form_is_a_check_error(merge_ready: Path, homelang) -> None:
    path = merge_ready / "locales/es/LC_MESSAGES/templates.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = polib.POEntry(
        msgid="%(n)s day",
        msgid_plural="%(n)s days",
        msgstr_plural={0: "%(n)s día", 1: ""},
        flags=["python-format"],
    )
    states.mark_reviewed(entry, "Amina", "2026-11-29")
    catalog.append(entry)
    catalog.save()
    assert _msgfmt_refuses(path)
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    found = homelang("check", "--lang", "es", expect=1).output
    assert f"templates.po:{line}: [plural-forms] error: plural form 1 is empty" in found
