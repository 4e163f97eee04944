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
import os
import re
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import languages, private
from pipeline import roster as rosters
from pipeline.build import Library, select_documents
from pipeline.files import atomic_write, atomic_write_text
from pipeline.render import fonts, inline, pdf
from pipeline.render.page import Page
from pipeline.render.words import CATALOG_ID, fill
from pipeline.settings import Settings

PRIVATE = "private"
SUMMARY = "summary.json"
#: Rosters this long or longer are printed by worker processes.
PARALLEL_FROM = 1000
#: Files a worker process prints before it is replaced (Typst's cache grows per document).
SCHOOLS_PER_WORKER = 4
#: A school with more families is printed as several files of at most this many letters:
#: one Typst document's memory grows with its pages (10,000 letters took 2.27 GB).
LETTERS_PER_FILE = 1000
#: Each roster field is set as its own bidi isolate (FSI ... PDI): a name holding an
#: override (U+202E) or an embedding cannot reorder the greeting around it.
FSI, PDI = "\u2068", "\u2069"


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
    families: int  # letters printed
    schools: list[SchoolLetters]  # one per file: a big school has several
    not_published: dict[str, str]  # language -> why its families get the English letter
    help_lines: list[str]  # languages of the help lines printed on English letters (reviewed ones)
    rejected: list[rosters.RowProblem]  # rows that could not be printed, by row and column

    @property
    def complete(self) -> bool:
        return not self.rejected


def default_folder(settings: Settings, doc_id: str) -> Path:
    """``build/private/<doc-id>``: under the git-ignored build folder."""
    return settings.build_path / PRIVATE / doc_id


def school_file(index: int, school: str, part: int = 0, parts: int = 1) -> str:
    """A safe, ordered file name: ``01-lincoln-elementary.pdf`` (``-part-2-of-3`` for a big school)."""
    slug = re.sub(r"[^a-z0-9]+", "-", school.lower()).strip("-")[:60] or "school"
    suffix = f"-part-{part}-of-{parts}" if parts > 1 else ""
    return f"{index:02d}-{slug}{suffix}.pdf"


def _files(schools: dict[str, int]) -> list[tuple[str, str]]:
    """(school, file name) of every file, in order: a school's letters cut into parts."""
    names = []
    for index, (school, count) in enumerate(schools.items(), start=1):
        parts = -(-count // LETTERS_PER_FILE)
        names.extend(
            (school, school_file(index, school, part, parts)) for part in range(1, parts + 1)
        )
    return names


def merge_letters(
    settings: Settings,
    roster: Path,
    doc_id: str,
    out: Path | None = None,
    workers: int | None = None,
    strict: bool = False,
) -> MergeResult:
    """Write the letters of every good family of the roster, one PDF per school (or part).

    A row that cannot be printed (unknown language, a character no font has) is set
    aside and listed by row and column; with ``strict`` any such row writes nothing.
    Large rosters are printed by ``workers`` worker processes (default 1), each replaced
    every few files: Typst's layout cache grows with every document it compiles and
    cannot be emptied, and fresh processes keep memory flat however long the roster.
    One worker is the default because Typst already lays out on every core (measured
    here: 2 workers print no faster than 1).
    """
    folder = out or default_folder(settings, doc_id)
    private.check_folder(settings, folder)
    document = select_documents(settings, (doc_id,))[0]
    codes = (settings.source_language, *settings.languages)
    library = Library(settings, draft=False)
    english = library.edition(document, settings.source_language).page
    pages: dict[str, Page] = {settings.source_language: english}
    editions = {code: library.edition(document, code) for code in settings.languages}
    pages.update({code: e.page for code, e in editions.items() if e.decision.publish})
    data = pdf.document_data(list(pages.values()), draft=False, title=document.title)
    tagline = _tagline(library, settings, data["fonts"])
    for page in pages.values():
        pdf.check_fonts(page, data["fonts"])
    fonts.check_data(data, "letter")
    summary = rosters.validate(
        roster, codes, check=lambda family: _unprintable(family, data["fonts"])
    )
    if strict and summary.rejected:
        raise rosters.RosterError(rosters.refusal(summary, " (--strict)"), roster)
    not_published = {
        code: e.decision.reason
        for code, e in editions.items()
        if not e.decision.publish and summary.languages.get(code)
    }
    files = _files(summary.schools)
    parallel = summary.families >= PARALLEL_FROM and len(files) > 1
    earlier = _files_written(folder)
    # Until the merge is finished its summary lists every file it may leave, and no
    # counts: a run killed while printing leaves no earlier roster's counts beside these
    # letters, and the next run still knows the earlier roster's files to remove.
    names = {name for _, name in files}
    unfinished = {
        "document": document.id,
        "unfinished": True,
        "schools": [{"file": name} for name in sorted(earlier | names)],
    }
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # family data: the owner's only
    atomic_write_text(folder / SUMMARY, json.dumps(unfinished, indent=1) + "\n")
    skip = frozenset(p.row for p in summary.rejected)
    results = []
    with _Printer(settings.root, workers if parallel else 0) as printer:
        for school, chunk in _chunks(roster, codes, summary.schools, skip):
            name = files[len(results)][1]
            letters = [_letter(f, pages, tagline) for f in chunk]
            path = folder / name
            printer.print(json.dumps({**data, "letters": letters}, ensure_ascii=False), path)
            printed = Counter(letter["version"] for letter in letters)
            fallback = sum(1 for letter in letters if letter["fallback"])
            results.append(
                SchoolLetters(school, path.as_posix(), len(letters), dict(printed), fallback)
            )
    helped = [line["code"] for line in tagline]
    result = MergeResult(
        document.id,
        folder.as_posix(),
        summary.families,
        results,
        not_published,
        helped,
        summary.rejected,
    )
    for name in earlier - names:
        # a school of an earlier roster: its letters must not be printed with these
        (folder / name).unlink(missing_ok=True)
    atomic_write_text(folder / SUMMARY, json.dumps(_counts_only(result), indent=1) + "\n")
    return result


def _chunks(
    roster: Path, codes: tuple[str, ...], schools: dict[str, int], skip: frozenset[int]
) -> Iterator[tuple[str, list[rosters.Family]]]:
    """(school, families) of each file to print, at most :data:`LETTERS_PER_FILE` at a time."""
    for school in schools:
        chunk: list[rosters.Family] = []
        for family in rosters.families(roster, codes, school, skip):
            chunk.append(family)
            if len(chunk) == LETTERS_PER_FILE:
                yield school, chunk
                chunk = []
        if chunk:
            yield school, chunk


def _files_written(folder: Path) -> set[str]:
    """The PDFs an earlier run wrote (or was writing) in ``folder``, as its summary.json lists them."""
    try:
        earlier = json.loads((folder / SUMMARY).read_text("utf-8"))
        names = {s["file"] for s in earlier["schools"]}
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {n for n in names if isinstance(n, str) and n == Path(n).name and n.endswith(".pdf")}


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
    if not atomic_write(Path(path), _TEMPLATES[root].render(data), mode=private.FILE_MODE):
        os.chmod(path, private.FILE_MODE)  # unchanged letters an older homelang left readable


def _tagline(library: Library, settings: Settings, families: list[str]) -> list[dict[str, Any]]:
    """ "If you need help reading this, call ..." in each language with a reviewed translation."""
    english = library.words(settings.source_language)["help_tagline"]
    lines = []
    for code in settings.languages:
        text = library.words(code)["help_tagline"]
        if text != english:  # words fall back to English unless reviewed
            words = settings.catalog_path(code, CATALOG_ID).relative_to(settings.root)
            fonts.check(text, families, f"{languages.get(code).english_name} help line", words)
            lines.append(_line(text, code))
    return lines


def _line(text: str, code: str) -> dict[str, Any]:
    lang = languages.get(code)
    rtl = lang.direction == "rtl"
    return {
        "text": inline.isolate(text) if rtl else text,
        "code": code,
        "lang": lang.base,
        "dir": lang.direction,
        "fonts": fonts.families([lang.script]),
    }


def _unprintable(family: rosters.Family, names: list[str]) -> rosters.RowProblem | None:
    """The first cell of a family's row no font can print (None if all can), without quoting it."""
    for column in ("guardian", "student", "address"):
        lacking = fonts.missing(getattr(family, column), names)
        if lacking:
            return rosters.RowProblem(
                family.row,
                column,
                f"a character no shipped font has ({fonts.unprintable(lacking[0])})",
            )
    return None


def _isolated(field: str) -> str:
    """A roster field as its own bidi isolate: it cannot reorder the text around it."""
    return FSI + field + PDI


def _letter(
    family: rosters.Family, pages: dict[str, Page], tagline: list[dict[str, Any]]
) -> dict[str, Any]:
    """One family's letter as template data."""
    page = pages.get(family.language)
    fallback = page is None
    version = next(iter(pages)) if fallback else family.language
    page = pages[version]
    greeting = fill(
        page.words["greeting_named"],
        guardian=_isolated(family.guardian),
        student=_isolated(family.student),
    )
    lines = [line.strip() for line in re.split(r"\n|;", family.address) if line.strip()]
    return {
        "version": version,
        "greeting": pdf.printed_word(page, "greeting_named", greeting),
        "address": [_isolated(line) for line in (family.guardian, *lines)],
        "tagline": tagline if fallback else [],
        "fallback": fallback,
    }


def _counts_only(result: MergeResult) -> dict[str, Any]:
    """The summary written beside the letters: counts per school and language, no names."""
    return {
        "document": result.doc_id,
        "families": result.families,
        "not_published": result.not_published,
        "rejected": [{"row": p.row, "column": p.column} for p in result.rejected],
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
