"""Mail merge: one letter per family, in the family's home language, one PDF per school.

Each family gets the document in its roster language when that language may publish
(the same policy as ``build``), greeted by guardian's and student's names.
Otherwise it gets the English letter with a tagline ("If you need help reading this,
call ...") in every configured language whose tagline a person has reviewed.

Family data stays on this machine: it goes only into the PDFs under the git-ignored
build folder (``build/private/`` by default), is never logged, and the summary holds
counts, not names. The roster is read as a stream, one school at a time.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import languages
from pipeline import roster as rosters
from pipeline.build import Library, select_documents
from pipeline.files import atomic_write, atomic_write_text
from pipeline.render import fonts, inline, pdf
from pipeline.render.fonts import FontError
from pipeline.render.page import Page
from pipeline.render.words import fill
from pipeline.settings import Settings

PRIVATE = "private"


@dataclass(frozen=True)
class SchoolLetters:
    school: str
    path: str
    letters: int
    languages: dict[str, int]  # language printed -> letters
    in_english: int  # families whose language could not publish


@dataclass(frozen=True)
class MergeResult:
    doc_id: str
    folder: str
    families: int
    schools: list[SchoolLetters]
    not_published: dict[str, str]  # language -> why its families get the English letter


def default_folder(settings: Settings, doc_id: str) -> Path:
    """``build/private/<doc-id>``: under the git-ignored build folder."""
    return settings.build_path / PRIVATE / doc_id


def school_file(index: int, school: str) -> str:
    """A safe, ordered file name for a school's letters: ``01-lincoln-elementary.pdf``."""
    slug = re.sub(r"[^a-z0-9]+", "-", school.lower()).strip("-")[:60] or "school"
    return f"{index:02d}-{slug}.pdf"


def merge_letters(settings: Settings, roster: Path, doc_id: str, out: Path | None = None) -> MergeResult:
    """Write one letters PDF per school for ``doc_id``; a bad roster writes nothing."""
    document = select_documents(settings, (doc_id,))[0]
    codes = (settings.source_language, *settings.languages)
    summary = rosters.validate(roster, codes)
    library = Library(settings, draft=False)
    english = library.edition(document, settings.source_language).page
    pages: dict[str, Page] = {settings.source_language: english}
    not_published: dict[str, str] = {}
    for code in settings.languages:
        edition = library.edition(document, code)
        if edition.decision.publish:
            pages[code] = edition.page
        elif summary.languages.get(code):
            not_published[code] = edition.decision.reason
    tagline = _tagline(library, settings)
    data = pdf.document_data(list(pages.values()), draft=False, title=document.title)
    for page in pages.values():
        pdf.check_fonts(page, data["fonts"])
    template = pdf.PrintTemplate(settings.root, "letter.typ")
    folder = out or default_folder(settings, doc_id)
    results = []
    for index, school in enumerate(summary.schools, start=1):
        letters = []
        for family in rosters.families(roster, codes, school):
            letters.append(_letter(family, pages, tagline, data["fonts"], roster))
        data["letters"] = letters
        path = folder / school_file(index, school)
        atomic_write(path, template.render(data))
        printed = Counter(letter["version"] for letter in letters)
        fallback = sum(1 for letter in letters if letter["fallback"])
        results.append(SchoolLetters(school, path.as_posix(), len(letters), dict(printed), fallback))
    result = MergeResult(document.id, folder.as_posix(), summary.families, results, not_published)
    atomic_write_text(folder / "summary.json", json.dumps(_counts_only(result), indent=1) + "\n")
    return result


def _tagline(library: Library, settings: Settings) -> list[dict[str, str]]:
    """"If you need help reading this, call ..." in each language with a reviewed translation."""
    english = library.words(settings.source_language)["help_tagline"]
    lines = []
    for code in settings.languages:
        text = library.words(code)["help_tagline"]
        if text != english:  # words fall back to English unless reviewed
            lines.append(_line(text, code))
    return lines


def _line(text: str, code: str) -> dict[str, str]:
    lang = languages.get(code)
    rtl = lang.direction == "rtl"
    return {"text": inline.isolate(text) if rtl else text, "lang": code, "dir": lang.direction}


def _letter(family: rosters.Family, pages: dict[str, Page], tagline: list[dict[str, str]],
            families: list[str], roster: Path) -> dict[str, Any]:
    """One family's letter as template data; their names are checked against the fonts."""
    for column in ("guardian", "student", "address"):
        lacking = fonts.missing(getattr(family, column), families)
        if lacking:
            raise FontError(f"a character in the {column} column (U+{ord(lacking[0]):04X}) has no glyph "
                            f"in the fonts {', '.join(families)}", roster, family.row)
    page = pages.get(family.language)
    fallback = page is None
    version = next(iter(pages)) if fallback else family.language
    page = pages[version]
    greeting = fill(page.words["greeting_named"], guardian=family.guardian, student=family.student)
    return {
        "version": version,
        "greeting": inline.isolate(greeting) if page.rtl else greeting,
        "address": [family.guardian, *[line.strip() for line in re.split(r"\n|;", family.address) if line.strip()]],
        "tagline": tagline if fallback else [],
        "fallback": fallback,
    }


def _counts_only(result: MergeResult) -> dict[str, Any]:
    """The summary written beside the letters: counts per school and language, no names."""
    return {
        "document": result.doc_id,
        "families": result.families,
        "not_published": result.not_published,
        "schools": [{"file": Path(s.path).name, "letters": s.letters, "languages": s.languages,
                     "in_english": s.in_english} for s in result.schools],
    }
