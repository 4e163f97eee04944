"""Fonts: every configured language's characters have glyphs, checked with fontTools cmaps,
and a character no font can draw stops the build with file, line, character and language.
"""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream
from test_build import NOTICE, review

from pipeline import languages
from pipeline.render import fonts

# Letters each language needs, well beyond the sample text: every Vietnamese vowel with
# every tone, Somali/Oromo/Hmong Latin, the Ethiopic syllables Amharic uses, the Myanmar
# letters and Karen additions, Arabic letters with hamza forms and Arabic punctuation.
LETTERS = {
    "es": "áéíóúüñÁÉÍÓÚÜÑ¿¡«»",
    "so": "abcdefghijklmnopqrstuvwxyz'",
    "hmn": "Hmoob ntawv: ntxhais, nplooj, tshiab, txiv",
    "om": "abcdefghijklmnopqrstuvwxyz'ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "vi": "aàảãáạăằẳẵắặâầẩẫấậeèẻẽéẹêềểễếệiìỉĩíịoòỏõóọôồổỗốộơờởỡớợuùủũúụưừửữứựyỳỷỹýỵđĐ",
    "am": "".join(chr(c) for c in range(0x1200, 0x135B) if chr(c).isalpha()) + "፡።፣፤፥፦፧፨",
    "kar": "".join(chr(c) for c in range(0x1000, 0x1022)) + "\u1061\u1062\u1063\u1064ၢၣၤ့်ျြွှ",
    "ar": "".join(chr(c) for c in range(0x0621, 0x064B)) + "،؛؟٠١٢٣٤٥٦٧٨٩",
}


@pytest.mark.parametrize("code", list(LETTERS))
def test_every_configured_language_is_covered(code: str) -> None:
    script = languages.get(code).script
    chosen = fonts.families([script])
    assert fonts.missing(LETTERS[code], chosen) == []
    # and the judge can fail: Noto Sans alone has no Ethiopic, Myanmar or Arabic
    if script != "Latn":
        assert fonts.missing(LETTERS[code], ["Noto Sans"])


def test_fonts_come_from_installed_packages_with_their_licence_shipped() -> None:
    notice = (Path(fonts.__file__).parents[1] / "templates" / "fonts" / "OFL.txt").read_text(
        "utf-8"
    )
    assert "SIL OPEN FONT LICENSE Version 1.1" in notice
    for source in fonts.SOURCES:
        folder = fonts.folder(source.family)
        assert list(folder.glob("*.ttf")), source.family
        assert source.family in notice and source.package.replace("_", "-") in notice


def test_a_character_without_a_glyph_stops_the_build_naming_it(
    catalogs_ready: Path, homelang
) -> None:
    path = catalogs_ready / "locales" / "am" / "LC_MESSAGES" / "sanctuary-resolution.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = [e for e in catalog if not e.obsolete][1]
    entry.msgstr = "ለቤተሰቦች መረጃ ⴰ ትምህርት ቤቱ"  # Tifinagh: no shipped font has it
    catalog.save(str(path))
    # the entry's first line, as polib and the quality checks number it
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    assert 'msgstr "ለቤተሰቦች' in "".join(
        path.read_text("utf-8").splitlines(True)[line - 1 : line + 4]
    )
    result = homelang("build", "--draft", "--lang", "am", expect=2)
    assert (
        f"locales/am/LC_MESSAGES/sanctuary-resolution.po:{line}: character 'ⴰ' (U+2D30"
        in result.output
    )
    assert (
        "in Amharic text has no glyph in the fonts homelang ships (Noto Sans, Noto Sans Ethiopic,"
        in result.output
    )
    assert not (catalogs_ready / "build").exists()  # nothing written


def test_missing_lists_each_character_once_in_order() -> None:
    assert fonts.missing("a王b王ሀ中\n", ["Noto Sans"]) == ["王", "ሀ", "中"]


# --- the judge: PDFs read back, every character of their text drawn by a real glyph --------


def _fonts_of(resources, seen: set[int]) -> list:
    """Font dictionaries of a page's resources, form XObjects included."""
    found = []
    if resources is None:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        found.append(font.get_object())
    for xobject in (resources.get("/XObject") or {}).values():
        ref = id(xobject.get_object())
        if ref not in seen:
            seen.add(ref)
            found.extend(_fonts_of(xobject.get_object().get("/Resources"), seen))
    return found


def _notdef_drawn(reader: PdfReader) -> bool:
    """Whether any text operator draws glyph 0 (.notdef, tofu): fonts are Identity-H, 2 bytes a glyph."""
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator in (b"Tj", b"TJ", b"'", b'"'):
                for item in operands[-1] if operator == b"TJ" else operands[-1:]:
                    data = getattr(item, "original_bytes", item)
                    if isinstance(data, bytes):
                        if any(data[i : i + 2] == b"\0\0" for i in range(0, len(data) - 1, 2)):
                            return True
    return False


def unprinted(pdf: Path) -> set[str]:
    """Characters of the PDF's text (pdftotext) that its embedded fonts' cmaps lack, and any
    tofu: the full cmaps of the families the PDF embeds (subset prefixes stripped) must hold
    every character, and no glyph drawn may be .notdef ("\ufffd" stands for tofu)."""
    reader = PdfReader(pdf)
    embedded: set[str] = set()
    seen: set[int] = set()
    for page in reader.pages:
        for font in _fonts_of(page.get("/Resources"), seen):
            embedded.add(str(font["/BaseFont"]).split("+")[-1].split("-")[0])
    by_name = {s.family.replace(" ", ""): s.family for s in fonts.installed()}
    families = [by_name[name] for name in embedded]
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    shown = "".join(c for c in text if not c.isspace() and unicodedata.category(c)[0] not in "CZ")
    lacking = set(fonts.missing(shown, families))
    return lacking | ({"\ufffd"} if _notdef_drawn(reader) else set())


def test_the_judge_sees_tofu(tmp_path: Path) -> None:
    """Typst given fonts without a glyph prints .notdef: the judge names those characters."""
    import typst

    source = tmp_path / "tofu.typ"
    source.write_text(
        '#set text(font: ("Noto Sans", "Noto Sans Arabic"), fallback: false)\n'
        "Hello ሀለ 王 world سلام\n",
        "utf-8",
    )
    pdf = tmp_path / "tofu.pdf"
    pdf.write_bytes(
        typst.compile(
            str(source),
            font_paths=fonts.font_paths(["Noto Sans", "Noto Sans Arabic"]),
            ignore_system_fonts=True,
        )
    )
    assert {"ለ", "王", "\ufffd"} <= unprinted(pdf) and not {"H", "س"} & unprinted(pdf)


#: Words in other scripts quoted inside a translation: a name, a place, a greeting.
QUOTED = "«ሰላም» «سلام» «王小明» «ကညီ» «Nguyễn» «Привіт» «নমস্কার» «नमस्ते» «안녕» «こんにちは»"


def test_every_output_prints_every_script_it_quotes(catalogs_ready: Path, homelang) -> None:
    """Each configured language quotes words of every other script: all print, judged in the PDFs."""
    codes = ["es", "so", "hmn", "kar", "om", "am", "ar", "vi"]
    for code in codes:
        catalog = review(catalogs_ready, code, NOTICE)
        for entry in catalog:
            entry.msgstr = f"{entry.msgstr} {QUOTED}"
        catalog.save()
    homelang("build", "--draft", "--doc", NOTICE, "--format", "letter", "--format", "flyer")
    pdfs = sorted((catalogs_ready / "build").glob("*/*.pdf"))
    assert {p.parent.name for p in pdfs} == {"en", *codes}
    for pdf in pdfs:
        assert unprinted(pdf) == set(), pdf
    text = subprocess.run(
        ["pdftotext", str(catalogs_ready / "build/am" / f"{NOTICE}.letter.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for word in ("ሰላም", "王小明", "Nguyễn", "안녕", "こんにちは", "Привіт"):
        assert word in text


def test_fallback_chain_puts_the_page_script_first() -> None:
    chain = fonts.families(["Hant"])
    assert chain[:2] == ["Noto Sans", "Noto Sans TC"]
    assert chain.index("Noto Sans TC") < chain.index("Noto Sans SC")
    assert fonts.families(["Jpan"])[1] == "Noto Sans JP"
    assert set(chain) == {s.family for s in fonts.installed()}  # every shipped script, every page
