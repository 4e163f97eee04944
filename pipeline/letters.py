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
import multiprocessing
import re
from collections import Counter
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import languages
from pipeline import roster as rosters
from pipeline.build import Library, select_documents
from pipeline.errors import SettingsError
from pipeline.files import atomic_write, atomic_write_text
from pipeline.render import fonts, inline, pdf
from pipeline.render.page import Page
from pipeline.render.words import fill
from pipeline.settings import Settings

PRIVATE = "private"
SUMMARY = "summary.json"
#: Rosters this long or longer are printed by worker processes.
PARALLEL_FROM = 1000
#: Schools a worker process prints before it is replaced (Typst's cache grows per document).
SCHOOLS_PER_WORKER = 4


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
    help_lines: list[str]  # languages of the help lines printed on English letters (reviewed ones)


def default_folder(settings: Settings, doc_id: str) -> Path:
    """``build/private/<doc-id>``: under the git-ignored build folder."""
    return settings.build_path / PRIVATE / doc_id


def school_file(index: int, school: str) -> str:
    """A safe, ordered file name for a school's letters: ``01-lincoln-elementary.pdf``."""
    slug = re.sub(r"[^a-z0-9]+", "-", school.lower()).strip("-")[:60] or "school"
    return f"{index:02d}-{slug}.pdf"


def merge_letters(
    settings: Settings,
    roster: Path,
    doc_id: str,
    out: Path | None = None,
    workers: int | None = None,
) -> MergeResult:
    """Write one letters PDF per school for ``doc_id``; a bad roster writes nothing.

    Large rosters are printed by ``workers`` worker processes (default 1), each replaced
    every few schools: Typst's layout cache grows with every document it compiles and
    cannot be emptied, and fresh processes keep memory flat however long the roster.
    One worker is the default because Typst already lays out on every core (measured
    here: 2 workers print no faster than 1).
    """
    folder = out or default_folder(settings, doc_id)
    _check_private(settings, folder)
    document = select_documents(settings, (doc_id,))[0]
    codes = (settings.source_language, *settings.languages)
    library = Library(settings, draft=False)
    english = library.edition(document, settings.source_language).page
    pages: dict[str, Page] = {settings.source_language: english}
    editions = {code: library.edition(document, code) for code in settings.languages}
    pages.update({code: e.page for code, e in editions.items() if e.decision.publish})
    data = pdf.document_data(list(pages.values()), draft=False, title=document.title)
    summary = rosters.validate(
        roster, codes, check=lambda family: _unprintable(family, data["fonts"])
    )
    not_published = {
        code: e.decision.reason
        for code, e in editions.items()
        if not e.decision.publish and summary.languages.get(code)
    }
    tagline = _tagline(library, settings)
    for page in pages.values():
        pdf.check_fonts(page, data["fonts"])
    parallel = summary.families >= PARALLEL_FROM and len(summary.schools) > 1
    earlier = _files_written(folder)
    # Until the merge is finished its summary lists every file it may leave, and no
    # counts: a run killed while printing leaves no earlier roster's counts beside these
    # letters, and the next run still knows the earlier roster's files to remove.
    names = {school_file(index, school) for index, school in enumerate(summary.schools, start=1)}
    unfinished = {
        "document": document.id,
        "unfinished": True,
        "schools": [{"file": name} for name in sorted(earlier | names)],
    }
    atomic_write_text(folder / SUMMARY, json.dumps(unfinished, indent=1) + "\n")
    results = []
    with _Printer(settings.root, workers if parallel else 0) as printer:
        for index, school in enumerate(summary.schools, start=1):
            letters = [_letter(f, pages, tagline) for f in rosters.families(roster, codes, school)]
            path = folder / school_file(index, school)
            printer.print(json.dumps({**data, "letters": letters}, ensure_ascii=False), path)
            printed = Counter(letter["version"] for letter in letters)
            fallback = sum(1 for letter in letters if letter["fallback"])
            results.append(
                SchoolLetters(school, path.as_posix(), len(letters), dict(printed), fallback)
            )
    helped = [line["lang"] for line in tagline]
    result = MergeResult(
        document.id, folder.as_posix(), summary.families, results, not_published, helped
    )
    for name in earlier - {Path(s.path).name for s in results}:
        # a school of an earlier roster: its letters must not be printed with these
        (folder / name).unlink(missing_ok=True)
    atomic_write_text(folder / SUMMARY, json.dumps(_counts_only(result), indent=1) + "\n")
    return result


def _files_written(folder: Path) -> set[str]:
    """The PDFs an earlier run wrote (or was writing) in ``folder``, as its summary.json lists them."""
    try:
        earlier = json.loads((folder / SUMMARY).read_text("utf-8"))
        names = {s["file"] for s in earlier["schools"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {n for n in names if isinstance(n, str) and n == Path(n).name and n.endswith(".pdf")}


def _check_private(settings: Settings, folder: Path) -> None:
    """Letters hold family data: in the project, only the (git-ignored) build folder takes them."""
    target = folder.resolve()
    inside = target.is_relative_to(settings.root.resolve())
    if inside and not target.is_relative_to(settings.build_path.resolve()):
        raise SettingsError(
            f"letters hold family data: write them under {settings.build_dir}/ (git-ignored) "
            "or outside the project, not where git could commit them",
            folder,
        )


class _Printer:
    """Prints schools' letters in this process, or in a pool of short-lived worker processes."""

    def __init__(self, root: Path, workers: int | None):
        self.root = root
        self.workers = 1 if workers is None else workers
        self.pool: ProcessPoolExecutor | None = None
        self.pending: set[Future[None]] = set()

    def __enter__(self) -> _Printer:
        if self.workers > 0:
            self.pool = ProcessPoolExecutor(
                self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=SCHOOLS_PER_WORKER,
            )
        return self

    def print(self, data: str, path: Path) -> None:
        if self.pool is None:
            _print_school(str(self.root), data, str(path))
            return
        while len(self.pending) >= 2 * self.workers:  # a few schools in flight: memory stays flat
            done, self.pending = wait(self.pending, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
        self.pending.add(self.pool.submit(_print_school, str(self.root), data, str(path)))

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            try:
                for future in self.pending:
                    future.result()
            finally:
                self.pool.shutdown(cancel_futures=True)


_TEMPLATES: dict[str, pdf.PrintTemplate] = {}


def _print_school(root: str, data: str, path: str) -> None:
    """Compile one school's letters and write the PDF (in a worker process, or here)."""
    if root not in _TEMPLATES:
        _TEMPLATES[root] = pdf.PrintTemplate(Path(root), "letter.typ")
    atomic_write(Path(path), _TEMPLATES[root].render(data))


def _tagline(library: Library, settings: Settings) -> list[dict[str, str]]:
    """ "If you need help reading this, call ..." in each language with a reviewed translation."""
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


def _unprintable(family: rosters.Family, names: list[str]) -> str:
    """What in a family's row no font can print ("" if all can), without quoting the row."""
    for column in ("guardian", "student", "address"):
        lacking = fonts.missing(getattr(family, column), names)
        if lacking:
            return f"a character in the {column} column (U+{ord(lacking[0]):04X}) has no glyph in the fonts {', '.join(names)}"
    return ""


def _letter(
    family: rosters.Family, pages: dict[str, Page], tagline: list[dict[str, str]]
) -> dict[str, Any]:
    """One family's letter as template data."""
    page = pages.get(family.language)
    fallback = page is None
    version = next(iter(pages)) if fallback else family.language
    page = pages[version]
    greeting = fill(page.words["greeting_named"], guardian=family.guardian, student=family.student)
    return {
        "version": version,
        "greeting": pdf.printed_word(page, "greeting_named", greeting),
        "address": [
            family.guardian,
            *[line.strip() for line in re.split(r"\n|;", family.address) if line.strip()],
        ],
        "tagline": tagline if fallback else [],
        "fallback": fallback,
    }


def _counts_only(result: MergeResult) -> dict[str, Any]:
    """The summary written beside the letters: counts per school and language, no names."""
    return {
        "document": result.doc_id,
        "families": result.families,
        "not_published": result.not_published,
        "schools": [
            {
                "file": Path(s.path).name,
                "letters": s.letters,
                "languages": s.languages,
                "in_english": s.in_english,
            }
            for s in result.schools
        ],
    }
