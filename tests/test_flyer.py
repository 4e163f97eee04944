"""Flyers keep the facts: the whole notice (or the sections its author names) on one page.

The judge is poppler's ``pdftotext`` reading every fact back, and the page count of the
PDF, for a winter-closure notice of this suite's own (``tests/data/winter-closure.md``:
several lists, phone numbers, an e-mail, links) in every configured language.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from pypdf import PdfReader
from test_build import FAQ, SAMPLE

from pipeline import states
from pipeline.glossary import load_glossary
from pipeline.render.pdf import page_count

WINTER = Path(__file__).parent / "data" / "winter-closure.md"
#: What a family must find on the flyer, in any language.
FACTS = [
    "612-668-0200",
    "closures@mpls.k12.mn.us",
    "https://www.mpls.k12.mn.us/closures",
    "-35°F (-37°C)",
    "1500 James Ave N",
    "11:00",
    "13:00",
    "(612) 668-0000",
    "7:00",
    "17:00",
    "612-668-0150",
    "10:00",
    "-20°F",
    "https://www.minneapolismn.gov/warming",
]


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def squeezed(text: str) -> str:
    """Text without white space: a fact wrapped onto two lines is still found."""
    return re.sub(r"\s+", "", text)


def translate_all(root: Path, doc_id: str, langs: list[str]) -> None:
    """Reviewed stand-in translations: the language's sample words (as many as the English
    has), then every fact, number, link and glossary term of the English (as checks require)."""
    glossary = load_glossary(root / "glossary.csv")
    for lang in langs:
        path = root / "locales" / lang / "LC_MESSAGES" / f"{doc_id}.po"
        catalog = polib.pofile(str(path), wrapwidth=0)
        for entry in (e for e in catalog if not e.obsolete):
            facts = [f for f in FACTS if f in entry.msgid]
            links = re.findall(r"\[[^\]]*\]\([^)]*\)", entry.msgid)
            rest = re.sub(r"\[[^\]]*\]\([^)]*\)", "", entry.msgid)
            for fact in facts:
                rest = rest.replace(fact, "")
            numbers = re.findall(r"\d+", rest)
            terms = [t.translation or t.term for t in glossary.applicable(entry.msgid, lang)]
            words, said = SAMPLE[lang].split(), []  # about as long as the English
            while len(" ".join(said)) < len(rest.strip()):
                said.append(words[len(said) % len(words)])
            entry.msgstr = " ".join([*said, *facts, *numbers, *links, *terms])
            states.mark_reviewed(entry, "Amina", "2026-11-29")
        catalog.save(str(path))


@pytest.fixture
def winter(project: Path, homelang) -> Path:
    """The sample project with the winter-closure notice, translated and reviewed everywhere."""
    shutil.copy(WINTER, project / "source" / "notices" / WINTER.name)
    homelang("extract")
    homelang("update")
    translate_all(project, "winter-closure", list(SAMPLE))
    return project


def test_winter_flyer_is_one_page_with_every_fact_in_every_language(winter: Path, homelang) -> None:
    result = json.loads(
        homelang("build", "--doc", "winter-closure", "-f", "flyer", "--json").output
    )
    assert result["overflow"] == []
    english = pdftotext(winter / "build" / "en" / "winter-closure.flyer.pdf")
    sentences = [
        "Buses will not run on Tuesday.",
        "Call the school nurse line at 612-668-0150 before 10:00 on Tuesday.",
        "Cover skin: frostbite can happen in 10 minutes.",
        "Questions? Write to closures@mpls.k12.mn.us or call 612-668-0200.",
    ]
    for sentence in sentences:
        assert squeezed(sentence) in squeezed(english), sentence
    for lang in ["en", *SAMPLE]:
        path = winter / "build" / lang / "winter-closure.flyer.pdf"
        assert len(PdfReader(path).pages) == 1, lang
        text = squeezed(pdftotext(path))
        missing = [
            fact
            for fact in FACTS
            if squeezed(fact) in squeezed(english) and squeezed(fact) not in text
        ]
        assert not missing, f"{lang} flyer lost {missing}"
        if lang != "en":  # the English part under the translation: the same blocks
            assert SAMPLE[lang].split()[0] in pdftotext(path)
            for sentence in sentences:
                assert squeezed(sentence) in text, (lang, sentence)


def test_flyer_that_cannot_fit_says_which_document_and_language(winter: Path, homelang) -> None:
    notice = winter / "source" / "notices" / WINTER.name
    long = "\n\n".join(f"Paragraph {i}: " + "more words about the closure " * 12 for i in range(40))
    notice.write_text(notice.read_text("utf-8") + "\n" + long + "\n", "utf-8")
    homelang("extract")
    homelang("update", "--lang", "es")
    result = homelang(
        "build", "--draft", "--doc", "winter-closure", "--lang", "es", "-f", "flyer", expect=1
    )
    assert "en/winter-closure.flyer.pdf: does not fit one page" in result.output
    assert "es/winter-closure.flyer.pdf: does not fit one page" in result.output
    assert not (winter / "build" / "en" / "winter-closure.flyer.pdf").exists()
    found = json.loads(
        homelang(
            "build",
            "--draft",
            "--doc",
            "winter-closure",
            "-f",
            "flyer",
            "--json",
            "--lang",
            "es",
            expect=1,
        ).output
    )
    assert "en/winter-closure.flyer.pdf" in found["overflow"]
    flyer = next(o for o in found["outputs"] if o["path"] == "en/winter-closure.flyer.pdf")
    assert flyer["status"] == "skipped" and "does not fit one page" in flyer["reason"]
    # the author names the sections the flyer carries: it fits, with exactly those
    text = notice.read_text("utf-8")
    notice.write_text(
        text.replace(
            "---\n\n#", "flyer:\n  - What is closed\n  - If your child needs medicine\n---\n\n#", 1
        ),
        "utf-8",
    )
    homelang("build", "--draft", "--doc", "winter-closure", "--lang", "es", "-f", "flyer")
    printed = squeezed(pdftotext(winter / "build" / "en" / "winter-closure.flyer.pdf"))
    assert squeezed("Buses will not run on Tuesday.") in printed
    assert squeezed("612-668-0150") in printed
    assert squeezed("Meal pick-up") not in printed and "Paragraph" not in printed


def test_flyer_sections_must_exist(project: Path, homelang) -> None:
    text = WINTER.read_text("utf-8").replace("---\n\n#", "flyer:\n  - No such heading\n---\n\n#", 1)
    (project / "source" / "notices" / WINTER.name).write_text(text, "utf-8")
    result = homelang("extract", expect=2)
    assert (
        "winter-closure.md:11: front matter 'flyer': no heading 'No such heading'" in result.output
    )


def test_page_count_reads_typst_pdfs(catalogs_ready: Path, homelang) -> None:
    homelang("build", "--draft", "--doc", FAQ, "--lang", "es", "-f", "letter", "-f", "flyer")
    for name in (f"{FAQ}.letter.pdf", f"{FAQ}.flyer.pdf"):
        path = catalogs_ready / "build" / "es" / name
        assert page_count(path.read_bytes()) == len(PdfReader(path).pages)
    assert page_count((catalogs_ready / "build" / "es" / f"{FAQ}.letter.pdf").read_bytes()) >= 2
