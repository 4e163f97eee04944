"""Printed letters and flyers, judged by what poppler's pdftotext and pypdf read back.

Translated text is in the PDF; every character is drawn by an embedded font (its
no .notdef glyph, every visible one has an outline in the embedded font program); Arabic runs right to left with shaped
letters and left-to-right runs ("236 Maple Street", "010-2030") in their order.
"""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from test_build import FAQ, NOTICE, SAMPLE, pdf_text, review

pytestmark = pytest.mark.skipif(
    subprocess.run(["which", "pdftotext"], capture_output=True).returncode != 0,
    reason="pdftotext (poppler-utils) is needed: make system",
)


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def fonts_drawn(reader: PdfReader) -> dict[str, list[tuple[int, str, int]]]:
    """Font name -> (glyph id, text it stands for, contours of that glyph in the embedded font)."""
    found: dict[str, list[tuple[int, str, int]]] = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            order, glyf = program.getGlyphOrder(), program["glyf"]
            entries = found.setdefault(str(font["/BaseFont"]), [])
            for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
                for gid, text in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>", block):
                    glyph = glyf[order[int(gid, 16)]]
                    entries.append(
                        (
                            int(gid, 16),
                            bytes.fromhex(text).decode("utf-16-be"),
                            glyph.numberOfContours,
                        )
                    )
    return found


@pytest.fixture
def reviewed(catalogs_ready: Path, homelang) -> Path:
    """Every language's notice and the templates' words reviewed, then built."""
    for lang in SAMPLE:
        review(catalogs_ready, lang, NOTICE)
        review(catalogs_ready, lang, "templates")
    homelang("build", "--doc", NOTICE, "--format", "letter", "--format", "flyer")
    return catalogs_ready / "build"


def test_translated_text_and_embedded_fonts_cover_every_character(reviewed: Path) -> None:
    for lang, sample in SAMPLE.items():
        for kind in ("letter", "flyer"):
            path = reviewed / lang / f"{NOTICE}.{kind}.pdf"
            text = pdftotext(path)
            if lang != "ar":  # Arabic is judged below, where its order is the point
                assert sample in text.replace("\n", " "), (lang, kind)
            for name, glyphs in fonts_drawn(PdfReader(path)).items():
                for gid, chars, contours in glyphs:
                    assert gid != 0, f"{lang} {kind}: .notdef drawn for {chars!r} in {name}"
                    if any(
                        unicodedata.category(c)[0] in "LNPS" for c in chars
                    ):  # visible: has an outline
                        assert contours != 0, f"{lang} {kind}: empty glyph for {chars!r} in {name}"
    assert "NotoSansEthiopic" in str(
        fonts_drawn(PdfReader(reviewed / "am" / f"{NOTICE}.letter.pdf"))
    )
    assert "NotoSansMyanmar" in str(
        fonts_drawn(PdfReader(reviewed / "kar" / f"{NOTICE}.letter.pdf"))
    )


def test_arabic_is_right_to_left_shaped_and_keeps_ltr_runs_in_order(reviewed: Path) -> None:
    path = reviewed / "ar" / f"{NOTICE}.letter.pdf"
    text = pdftotext(path)
    assert "236 Maple Street" in text
    assert "010-2030" in text and "2030-010" not in text
    # Shaped: one Arabic letter is drawn with several glyphs (initial, medial, final forms).
    arabic = next(
        glyphs for name, glyphs in fonts_drawn(PdfReader(path)).items() if "Arabic" in name
    )
    forms: dict[str, set[int]] = {}
    for gid, chars, _contours in arabic:
        forms.setdefault(chars, set()).add(gid)
    assert any(
        len(gids) >= 2
        for chars, gids in forms.items()
        if len(chars) == 1 and "\u0600" <= chars <= "\u06ff"
    )
    # Right to left: poppler finds right-to-left lines and marks them with U+202B (RLE).
    assert text.count("\u202b") >= 5


def test_isolation_is_what_keeps_the_order(tmp_path: Path) -> None:
    """The judge above can fail: without isolates, Typst prints the number runs reversed."""
    import json

    import typst

    from pipeline.render import fonts

    typ = tmp_path / "t.typ"
    typ.write_text(
        '#let d = json(bytes(sys.inputs.data))\n#set text(font: d.fonts, dir: rtl, lang: "ar")\n#d.text\n'
    )
    raw = "اتصل 010-2030 في 236 Maple Street الآن"
    pdf = typst.compile(
        str(typ),
        font_paths=fonts.font_paths(),
        ignore_system_fonts=True,
        sys_inputs={"data": json.dumps({"fonts": fonts.families(["Arab"]), "text": raw})},
    )
    (tmp_path / "t.pdf").write_bytes(pdf)
    text = pdftotext(tmp_path / "t.pdf")
    assert "2030-010" in text or "Maple Street 236" in text


def test_draft_flyer_is_one_page_bilingual(catalogs_ready: Path, homelang) -> None:
    homelang("build", "--draft", "--lang", "am", "--format", "flyer")
    for doc in (NOTICE, FAQ):
        path = catalogs_ready / "build" / "am" / f"{doc}.flyer.pdf"
        assert len(PdfReader(path).pages) == 1
        assert "DRAFT" in pdf_text(path)  # pypdf reads the rotated watermark
        text = pdftotext(path)
        assert "Questions? Call 612-668-0000." in text  # the English under the translation


def test_pdfs_are_deterministic(catalogs_ready: Path, homelang, tmp_path: Path) -> None:
    homelang("build", "--draft", "--lang", "vi", "--format", "letter")
    homelang(
        "build", "--draft", "--lang", "vi", "--format", "letter", "-o", str(tmp_path / "again")
    )
    first = (catalogs_ready / "build" / "vi" / f"{NOTICE}.letter.pdf").read_bytes()
    assert first == (tmp_path / "again" / "vi" / f"{NOTICE}.letter.pdf").read_bytes()
    assert b"/CreationDate" not in first


def test_typst_markup_in_a_translation_is_printed_as_text(catalogs_ready: Path, homelang) -> None:
    """Translations reach Typst as data: markup in one is shown, never run."""
    import polib

    from pipeline import states

    path = catalogs_ready / "locales" / "om" / "LC_MESSAGES" / f"{FAQ}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = next(e for e in catalog if e.msgid.startswith("There will not be"))
    entry.msgstr = '#panic("pwned") #read("/etc/hostname") $x^2$ *tuffii* [bakka](javascript:alert(1)) **jabaa**'
    states.mark_reviewed(entry, "Mallory", "2026-11-29")
    catalog.save(str(path))
    homelang("build", "--draft", "--lang", "om", "--doc", FAQ, "--format", "letter")
    text = " ".join(pdftotext(catalogs_ready / "build" / "om" / f"{FAQ}.letter.pdf").split())
    assert (
        '#panic("pwned") #read("/etc/hostname") $x^2$ tuffii [bakka](javascript:alert(1)) jabaa'
        in text
    )
    reader = PdfReader(catalogs_ready / "build" / "om" / f"{FAQ}.letter.pdf")
    links = [
        a.get_object()["/A"].get("/URI", "")
        for page in reader.pages
        for a in page.get("/Annots", [])
    ]
    assert links and not any("javascript" in str(uri).lower() for uri in links)


def test_machine_note_only_when_the_page_holds_machine_text(catalogs_ready: Path, homelang) -> None:
    """English standing in is labelled as such; the machine-translation note is for machine text."""
    import polib

    note = "translated by a machine"
    path = catalogs_ready / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    review(catalogs_ready, "es", FAQ)
    catalog = polib.pofile(str(path), wrapwidth=0)
    catalog[-1].msgstr = ""  # one entry not yet translated: shown in English
    catalog.save(str(path))
    homelang("build", "--lang", "es", "--doc", FAQ, "-f", "letter", "-f", "web")
    letter = catalogs_ready / "build" / "es" / f"{FAQ}.letter.pdf"
    web = catalogs_ready / "build" / "es" / f"{FAQ}.web.html"
    assert "shown in English" in " ".join(pdftotext(letter).split())
    assert note not in " ".join(pdftotext(letter).split()) and note not in web.read_text("utf-8")
    review(catalogs_ready, "es", FAQ, leave=1)  # one machine draft
    homelang("build", "--lang", "es", "--doc", FAQ, "-f", "letter", "-f", "web")
    assert note in " ".join(pdftotext(letter).split()) and note in web.read_text("utf-8")


# --- letters that mail -------------------------------------------------------------------

#: Where a US #10 window (4.5 x 1.125 in, 7/8 in from the envelope's left, 1/2 in from its
#: bottom) shows a letter folded in three wherever it sits in the envelope, less 1/8 in of
#: clearance (USPS): in points from the page's top left.
WINDOW = {"left": 1.0 * 72, "right": 4.25 * 72, "top": 2.167 * 72, "bottom": 3.042 * 72}


def bbox_words(path: Path) -> list[list[tuple[str, float, float, float, float]]]:
    """Each page's words as pdftotext -bbox finds them: (text, xMin, yMin, xMax, yMax)."""
    import html

    out = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        [(html.unescape(w), float(a), float(b), float(c), float(d)) for a, b, c, d, w in found]
        for found in (re.findall(pattern, page) for page in out.split("<page ")[1:])
    ]


@pytest.fixture
def merged(catalogs_ready: Path, homelang) -> Path:
    """The sample roster merged with the Spanish and Arabic letters reviewed."""
    for lang in ("es", "ar"):
        review(catalogs_ready, lang, NOTICE)
        review(catalogs_ready, lang, "templates")
    roster = Path(__file__).resolve().parents[1] / "examples" / "sample-roster.csv"
    homelang("letters", "--roster", str(roster), "--doc", NOTICE)
    return catalogs_ready / "build" / "private" / NOTICE


def test_address_sits_in_the_envelope_window_left_aligned_in_every_language(merged: Path) -> None:
    import csv

    roster = Path(__file__).resolve().parents[1] / "examples" / "sample-roster.csv"
    with roster.open(encoding="utf-8") as f:
        families = {r["guardian"]: r for r in csv.DictReader(f)}
    seen = set()
    for pdf in sorted(merged.glob("*.pdf")):
        for words in bbox_words(pdf):
            guardian = next((g for g in families if g.split()[0] in {w[0] for w in words}), None)
            if guardian is None:
                continue
            first, zip_code = guardian.split()[0], families[guardian]["address"].split()[-1]
            number = families[guardian]["address"].split()[0]
            name = min((w for w in words if w[0] == first), key=lambda w: w[2])  # topmost
            address = [w for w in words if w[0] in (number, zip_code) and w[2] > name[2]][:2]
            for text, x_min, y_min, x_max, y_max in [name, *address]:
                assert WINDOW["left"] <= x_min and x_max <= WINDOW["right"], (guardian, text)
                assert WINDOW["top"] <= y_min and y_max <= WINDOW["bottom"], (guardian, text)
            assert abs(name[1] - address[0][1]) < 0.5, f"{guardian}: lines not left-aligned"
            seen.add(families[guardian]["language"])
    assert {"Arabic", "es", "Somali"} <= seen


def test_web_address_never_breaks_inside(merged: Path) -> None:
    for pdf in sorted(merged.glob("*.pdf")):
        for words in bbox_words(pdf):
            texts = [w[0] for w in words]
            assert "https://www.mpls.k12.mn.us" in texts, texts[:30]


def ink_rows(pdf: Path, page: int, dpi: int = 100) -> list[bool]:
    """For each pixel row of a page (poppler's pdftoppm, grey): whether it holds ink."""
    raw = subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    header = raw.split(b"\n", 3)  # P5, width height, maxval, pixels
    width, height = map(int, header[1].split())
    pixels = header[3]
    return [min(pixels[r * width : (r + 1) * width]) < 160 for r in range(height)]


@pytest.mark.parametrize("lang", ["kar", "am", "vi"])
def test_lines_of_stacked_scripts_never_touch(catalogs_ready: Path, homelang, lang: str) -> None:
    """Myanmar, Ethiopic and Vietnamese marks stack above and below: between two lines
    of a paragraph there is always a row of paper."""
    import polib

    from pipeline import states

    path = catalogs_ready / "locales" / lang / "LC_MESSAGES" / f"{NOTICE}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog:
        entry.msgstr = " ".join([SAMPLE[lang]] * 6)  # paragraphs of several lines
        states.mark_reviewed(entry, "Amina", "2026-11-29")
    catalog.save(str(path))
    homelang("build", "--draft", "--lang", lang, "--doc", NOTICE, "-f", "letter")
    letter = catalogs_ready / "build" / lang / f"{NOTICE}.letter.pdf"
    words = bbox_words(letter)[0]
    first = SAMPLE[lang].split()[0]
    lines = sorted({(round(w[2]), round(w[4])) for w in words if w[0] == first})
    rows = ink_rows(letter, 1)
    scale = 100 / 72
    pairs = 0
    for (top, bottom), (next_top, next_bottom) in zip(lines, lines[1:], strict=False):
        if next_top - top > 3 * (bottom - top):
            continue  # not two lines of one paragraph
        middle, next_middle = (top + bottom) / 2 * scale, (next_top + next_bottom) / 2 * scale
        assert not all(rows[int(middle) : int(next_middle)]), f"{lang}: lines touch at {top}pt"
        pairs += 1
    assert pairs >= 5
