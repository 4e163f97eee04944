"""Fonts: every configured language's characters have glyphs, checked with fontTools cmaps,
and a character no font can draw stops the build with file, line, character and language.
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

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
    entry.msgstr = "ለቤተሰቦች መረጃ 王 ትምህርት ቤቱ"
    catalog.save(str(path))
    # the entry's first line, as polib and the quality checks number it
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    assert 'msgstr "ለቤተሰቦች' in "".join(
        path.read_text("utf-8").splitlines(True)[line - 1 : line + 4]
    )
    result = homelang("build", "--draft", "--lang", "am", expect=2)
    assert (
        f"locales/am/LC_MESSAGES/sanctuary-resolution.po:{line}: character '王' (U+738B"
        in result.output
    )
    assert (
        "in Amharic text has no glyph in the fonts Noto Sans, Noto Sans Ethiopic" in result.output
    )
    assert not (catalogs_ready / "build").exists()  # nothing written


def test_missing_lists_each_character_once_in_order() -> None:
    assert fonts.missing("a王b王ሀ中\n", ["Noto Sans"]) == ["王", "ሀ", "中"]
