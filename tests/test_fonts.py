"""Fonts: every configured language's characters have glyphs, checked with fontTools cmaps,
and a character no font can draw stops the build with file, line, character and language.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import polib
import pytest
from conftest import msgfmt_check
from pypdf import PdfReader
from pypdf.generic import ContentStream
from test_build import NOTICE, review

from pipeline import languages, states
from pipeline.glossary import load_glossary
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


def test_a_character_without_a_glyph_is_named_by_check_and_never_stops_a_draft(
    catalogs_ready: Path, homelang
) -> None:
    """Finding 5 of issue 9: the character is a check error naming its line; even a
    draft build prints the entry's English instead of stopping every language."""
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
    result = homelang("check", "--lang", "am", expect=1)
    assert (
        f"locales/am/LC_MESSAGES/sanctuary-resolution.po:{line}: [glyph] error: 'ⴰ' (U+2D30"
        in result.output
    )
    homelang("build", "--draft", "--lang", "am", "--doc", NOTICE, "-f", "letter")
    letter = catalogs_ready / "build" / "am" / f"{NOTICE}.letter.pdf"
    text = " ".join(page.extract_text() or "" for page in PdfReader(letter).pages)
    assert "ⴰ" not in text and entry.msgid.split()[0] in text


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


# --- the 25 most common US English-learner home languages, configured by tag alone --------

#: "Information for families: the school is a safe place", in each language's own script.
HOME_LANGUAGES = {
    "es": "Información para las familias: la escuela es un lugar seguro",
    "ar": "معلومات للعائلات: المدرسة مكان آمن",
    "zh-Hans": "家长须知：学校是安全的地方",
    "zh-Hant": "家長須知：學校是安全的地方",
    "vi": "Thông tin cho gia đình: trường học là nơi an toàn",
    "pt-BR": "Informações para as famílias: a escola é um lugar seguro",
    "ru": "Информация для семей: школа — безопасное место",
    "ht": "Enfòmasyon pou fanmi yo: lekòl la se yon kote ki an sekirite",
    "hmn": "Cov ntaub ntawv rau tsev neeg: tsev kawm ntawv muaj kev nyab xeeb",
    "so": "Macluumaad loogu talagalay qoysaska: dugsigu waa meel ammaan ah",
    "ur": "خاندانوں کے لیے معلومات: اسکول ایک محفوظ جگہ ہے",
    "uk": "Інформація для сімей: школа — безпечне місце",
    "ko": "가족을 위한 안내: 학교는 안전한 곳입니다",
    "bn": "পরিবারের জন্য তথ্য: বিদ্যালয় একটি নিরাপদ স্থান",
    "ps": "د کورنیو لپاره معلومات: ښوونځی یو خوندي ځای دی",
    "sw": "Taarifa kwa familia: shule ni mahali salama",
    "tl": "Impormasyon para sa mga pamilya: ligtas na lugar ang paaralan",
    "prs": "معلومات برای خانواده‌ها: مکتب یک جای امن است",
    "ja": "ご家族の皆様へ：学校は安全な場所です",
    "ne": "परिवारका लागि जानकारी: विद्यालय सुरक्षित ठाउँ हो",
    "fr": "Informations pour les familles : l’école est un lieu sûr",
    "kar": "ကညီကျိာ် တၢ်ကစီၣ် လၢ ဖိသ့ဖိ အဟံၣ်ဖိဃီဖိ",
    "am": "ለቤተሰቦች መረጃ፡ ትምህርት ቤቱ ደህንነቱ የተጠበቀ ቦታ ነው።",
    "ti": "ሓበሬታ ንስድራቤታት፡ ቤት ትምህርቲ ውሑስ ቦታ እዩ።",
    "my": "မိသားစုများအတွက် သတင်းအချက်အလက်- ကျောင်းသည် လုံခြုံသောနေရာ ဖြစ်သည်",
}
RTL = {"ar", "ur", "ps", "prs"}
#: Names as a district's roster holds them, whatever the letter's language.
MIXED_NAMES = [
    ("Layla Haddad", "ليلى حداد"),
    ("Meron Tesfaye", "ሰላም ተስፋዬ"),
    ("Hsa Mu Paw", "နော်ဆါမူ"),
    ("王小明", "王伟"),
    ("김민준", "김지우"),
    ("Nguyễn Thị Ánh", "Trần Văn Đức"),
    ("Zoë Ramírez-Núñez", "José Ñúñez"),
]


def home_language_project(project: Path, homelang) -> None:
    """The sample project configured with the 25 languages by tag, every entry filled and reviewed."""
    settings = project / "pyproject.toml"
    text = settings.read_text("utf-8")
    tags = ", ".join(f'"{tag}"' for tag in HOME_LANGUAGES)
    text = re.sub(r"^languages = \[.*\]$", f"languages = [{tags}]", text, flags=re.M)
    settings.write_text(text, "utf-8")
    homelang("extract")
    homelang("update")
    glossary = load_glossary(project / "glossary.csv")
    for tag, sample in HOME_LANGUAGES.items():
        code = languages.get(tag).code
        for path in (project / "locales" / code / "LC_MESSAGES").glob("*.po"):
            catalog = polib.pofile(str(path), wrapwidth=0)
            for entry in catalog:
                keep = re.findall(r"\[[^\]]*\]\([^)]*\)|%\(\w+\)s", entry.msgid)
                keep += [t.translation or t.term for t in glossary.applicable(entry.msgid, code)]
                entry.msgstr = " ".join([sample, *keep])
                states.mark_reviewed(entry, "Amina", "2026-11-29")
            catalog.save()


def line_edges(pdf: Path, sample: str) -> list[tuple[float, float]]:
    """(left, right) of each line of the first page holding a word of ``sample`` (pdftotext)."""
    wanted = set(sample.split())
    wanted |= {word[::-1] for word in wanted}  # right-to-left words come out in visual order
    html = subprocess.run(
        ["pdftotext", "-bbox-layout", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    edges = []
    for attrs, body in re.findall(r"<line ([^>]*)>(.*?)</line>", html, re.S):
        words = re.findall(r">([^<]*)</word>", body)
        if wanted & set(words):
            box = dict(re.findall(r'(\w+)="([\d.]+)"', attrs))
            edges.append((float(box["xMin"]), float(box["xMax"])))
    return edges


def test_the_25_home_languages_configure_by_tag_and_print(project: Path, homelang) -> None:
    home_language_project(project, homelang)
    for tag in HOME_LANGUAGES:
        lang = languages.get(tag)
        catalog = project / "locales" / lang.code / "LC_MESSAGES" / f"{NOTICE}.po"
        msgfmt_check(catalog)  # GNU gettext takes the header and the CLDR plural rule
        assert f'"Plural-Forms: {lang.plural_forms}\\n"' in catalog.read_text("utf-8")
        assert (lang.direction == "rtl") == (tag in RTL), tag
    assert languages.get("zh-Hans").provider_code("google") == "zh-CN"
    assert languages.get("zh-Hant").provider_code("google") == "zh-TW"
    assert languages.get("zh-Hant").provider_code("deepl") is None  # DeepL's "zh" is Simplified
    assert languages.get("ru").nplurals == 3 and languages.get("ja").nplurals == 1
    homelang("build", "--doc", NOTICE, "--format", "letter", "--format", "web")
    assert "zh_Hant" in homelang("status", "--lang", "zh-Hant").output  # the tag as written
    for tag, sample in HOME_LANGUAGES.items():
        code = languages.get(tag).code
        pdf = project / "build" / code / f"{NOTICE}.letter.pdf"
        assert unprinted(pdf) == set(), tag
        html = (project / "build" / code / f"{NOTICE}.web.html").read_text("utf-8")
        assert f'lang="{tag}"' in html
        if tag in ("zh-Hans", "zh-Hant", "ja", "bn", "my", "kar", "am", "ti"):
            continue  # pdftotext cuts these scripts into words of its own: the glyphs are judged
        edges = line_edges(pdf, sample)
        assert edges, tag
        # text starts at the margin of its direction (US Letter, 0.9 in margins)
        if tag in RTL:
            assert abs(max(right for _, right in edges) - (612 - 64.8)) < 2, tag
        else:
            assert abs(min(left for left, _ in edges) - 64.8) < 2, tag


def test_a_mixed_script_roster_merges_in_every_language(project: Path, homelang) -> None:
    """Names in Arabic, Ethiopic, Myanmar, CJK, Hangul and accented Latin: every family, every language."""
    home_language_project(project, homelang)
    roster = project.parent / "roster.csv"
    rows = ["student,guardian,school,language,address"]
    for tag in HOME_LANGUAGES:
        for student, guardian in MIXED_NAMES:
            rows.append(f'{student},{guardian},School,{tag},"12 Maple St; Minneapolis, MN"')
    rows += [  # as rosters spell languages
        "A,B,School,Spanish,x",
        "C,D,School,es-MX,x",
        "E,F,School,Chinese (Traditional),x",
        "G,H,School,zh-TW,x",
        "I,J,School,Chinese,x",  # Simplified or Traditional? the row is reported
    ]
    roster.write_text("\n".join(rows) + "\n", "utf-8")
    result = json.loads(
        homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--json", expect=1).output
    )
    assert [(r["row"], r["column"]) for r in result["rejected"]] == [(len(rows), "language")]
    assert result["rejected"][0]["problem"] == "ambiguous language (could be zh_Hans or zh_Hant)"
    [school] = result["schools"]
    assert school["letters"] == len(HOME_LANGUAGES) * len(MIXED_NAMES) + 4
    expected = {languages.get(tag).code: len(MIXED_NAMES) for tag in HOME_LANGUAGES}
    expected["es"] += 2
    expected["zh_Hant"] += 2
    assert school["languages"] == expected and school["in_english"] == 0
    pdf = Path(school["path"])
    assert unprinted(pdf) == set()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for name in ("王伟", "김지우", "Trần Văn Đức", "José Ñúñez", "ሰላም ተስፋዬ"):
        assert name in text, name


#: homelang as a process on a machine without the ``cjk`` extra (its package cannot be found).
WITHOUT_CJK = """
import importlib.util, sys
found = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name == "justmytype_intl_cjk" else found(name, *a)
from pipeline.cli import main
main(sys.argv[1:], prog_name="homelang")
"""


def without_cjk(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_CJK, "-C", str(project), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_without_the_cjk_extra_the_message_names_it(catalogs_ready: Path, homelang) -> None:
    settings = catalogs_ready / "pyproject.toml"
    text = settings.read_text("utf-8")
    settings.write_text(text.replace('"vi"]', '"vi", "zh-Hant"]'), "utf-8")
    homelang("update")
    built = without_cjk(catalogs_ready, "build", "--draft", "--lang", "zh-Hant")
    assert built.returncode == 2, built.stderr
    assert "the Hant script needs the Noto Sans TC font: pip install 'homelang[cjk]'" in (
        built.stderr
    )
    roster = catalogs_ready.parent / "roster.csv"
    roster.write_text(
        "student,guardian,school,language,address\nAna,Ana Díaz,S,en,x\nWei,王伟,S,en,y\n", "utf-8"
    )
    merged = without_cjk(catalogs_ready, "letters", "--roster", str(roster), "--doc", NOTICE)
    assert merged.returncode == 1, merged.stderr
    assert (
        "row 3, guardian: a character no shipped font has (U+738B CJK UNIFIED IDEOGRAPH-738B "
        "(the CJK fonts are not installed: pip install 'homelang[cjk]'))" in merged.stdout
    )
    assert "王" not in merged.stdout + merged.stderr


@pytest.mark.parametrize(
    ("added", "named"),
    [("🙂", "U+1F642 SLIGHTLY SMILING FACE"), ("\U000d800c", "U+D800C unassigned")],
)
def test_a_reviewed_character_no_font_draws_is_a_check_error_not_a_stopped_build(
    catalogs_ready: Path, homelang, added: str, named: str
) -> None:
    """One emoji a volunteer confirmed in Spanish neither passes the checks nor stops the build."""
    for lang in ("es", "so"):
        review(catalogs_ready, lang, NOTICE)
    path = catalogs_ready / "locales" / "es" / "LC_MESSAGES" / f"{NOTICE}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    entry = [e for e in catalog if not e.obsolete][0]
    entry.msgstr += " " + added
    catalog.save(str(path))
    line = polib.pofile(str(path)).find(entry.msgid).linenum
    result = homelang("check", "--lang", "es", expect=1)
    assert f"locales/es/LC_MESSAGES/{NOTICE}.po:{line}: [glyph] error: " in result.output
    assert named in result.output
    drafts = json.loads(homelang("build", "--draft", "--doc", NOTICE, "--json").output)
    assert all(o["status"] == "draft" for o in drafts["outputs"])  # no language stopped
    built = json.loads(homelang("build", "--doc", NOTICE, "--json").output)
    status = {o["path"]: o["status"] for o in built["outputs"]}
    assert status[f"so/{NOTICE}.letter.pdf"] == "published"
    assert status[f"es/{NOTICE}.letter.pdf"] == "skipped"  # vital: one entry with an error
    roster = catalogs_ready.parent / "roster.csv"
    roster.write_text(
        "student,guardian,school,language,address\n"
        'Ana,Rosa,School,es,"12 Maple St"\nAbdi,Hodan,School,so,"14 Maple St"\n',
        "utf-8",
    )
    letters = json.loads(
        homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--json").output
    )
    [school] = letters["schools"]
    assert school["letters"] == 2
    text = subprocess.run(["pdftotext", school["path"], "-"], capture_output=True, text=True).stdout
    assert added not in text
