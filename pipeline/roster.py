"""The family roster for mail merge: a CSV as student information systems export it.

A header row with, once each, ``student``, ``guardian``, ``school``, ``language`` (a code
such as ``so``, a tag such as ``es-MX`` or a name such as ``Somali``, in any case) and
``address``; other columns are ignored. Rows are streamed, never all held in memory,
and names never appear in messages: problems are reported by row number and column
only. A bad row is set aside; the good ones are printed.
"""

from __future__ import annotations

import csv
import re
import stat
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from pipeline import languages
from pipeline.errors import LanguageError, PipelineError

COLUMNS = ("student", "guardian", "school", "language", "address")
#: At most this many problems are spelled out in one message.
SHOWN_PROBLEMS = 20


class RosterError(PipelineError):
    """A roster that cannot be merged: missing columns, unknown languages, empty names."""


@dataclass(frozen=True)
class Family:
    row: int  # the line of the roster where the row starts
    student: str
    guardian: str
    school: str
    language: str  # a language code: the source language or a configured one
    address: str


@dataclass(frozen=True)
class RowProblem:
    """Why one row cannot be printed, by row and column: never its content."""

    row: int  # the line of the roster where the row starts
    column: str
    problem: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.problem}"


@dataclass(frozen=True)
class RosterSummary:
    families: int  # the good ones
    schools: dict[str, int]  # school -> good families, in order of first appearance
    languages: Counter[str] = field(default_factory=Counter)
    rejected: list[RowProblem] = field(default_factory=list)


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each data row, checking the header first."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise RosterError(f"cannot read roster: {exc.strerror}", path) from None
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = [name.strip().lower() for name in reader.fieldnames or []]
        except UnicodeDecodeError:
            raise RosterError(_NOT_UTF8, path, _undecodable_line(path)) from None
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise RosterError(
                f"missing column(s) {', '.join(missing)} (needed: {', '.join(COLUMNS)})", path, 1
            )
        twice = next((c for c in COLUMNS if header.count(c) > 1), None)
        if twice:  # csv keeps the last of the two: which one the district meant is unknown
            raise RosterError(f"column {twice!r} appears twice: keep one", path, 1)
        reader.fieldnames = header
        line = 2
        try:
            for row in reader:
                yield line, row
                line = reader.line_num + 1
        except UnicodeDecodeError:
            raise RosterError(_NOT_UTF8, path, _undecodable_line(path)) from None
        except csv.Error as exc:
            raise RosterError(f"not valid CSV: {exc}", path, line) from None


_NOT_UTF8 = "roster is not UTF-8 text (export it as CSV UTF-8)"
#: Control characters but line breaks and tabs (an address may span lines).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _undecodable_line(path: Path) -> int:
    """The line of the first byte that is not UTF-8 (the text decoder reads ahead of the rows)."""
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


@cache
def _code(value: str, codes: tuple[str, ...]) -> str:
    return languages.resolve(value, codes).code


def _family(
    line: int, row: dict[str, str], codes: tuple[str, ...]
) -> tuple[Family | None, list[RowProblem]]:
    values = {c: " ".join((row.get(c) or "").split()) for c in COLUMNS}
    problems = [
        RowProblem(line, c, "empty")
        for c in ("student", "guardian", "school", "address")
        if not values[c]
    ]
    damaged = set()
    for column in COLUMNS:  # a NUL or escape code is a damaged export, and would misprint a name
        control = _CONTROL.search(row.get(column) or "")
        if control:
            damaged.add(column)
            problems.append(
                RowProblem(line, column, f"control character U+{ord(control.group()):04X}")
            )
    code = ""
    if "language" in damaged:
        pass  # one problem per cell
    elif not values["language"]:
        problems.append(RowProblem(line, "language", "empty"))
    else:
        try:
            code = _code(values["language"], codes)
        except languages.AmbiguousLanguage as exc:
            problems.append(RowProblem(line, "language", f"ambiguous language ({exc.message})"))
        except LanguageError:
            # the value is not quoted: in a row with a column missing it is a name or an address
            problems.append(
                RowProblem(
                    line,
                    "language",
                    f"unknown language (use a code or name of {', '.join(codes)})",
                )
            )
    if problems:
        return None, problems
    address = (row.get("address") or "").strip()
    return Family(line, values["student"], values["guardian"], values["school"], code, address), []


def _regular(path: Path) -> None:
    """A roster is a file: a device, a FIFO or a folder would never end or never start."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise RosterError(f"cannot read roster: {exc.strerror}", path) from None
    if not stat.S_ISREG(mode):
        raise RosterError("the roster is not a regular file (give a CSV file)", path)


def validate(
    path: Path,
    codes: tuple[str, ...],
    check: Callable[[Family], RowProblem | None] | None = None,
) -> RosterSummary:
    """Read the whole roster once: its good families by school, and every bad row by number.

    ``check(family)`` may find a problem of its own (say, a name no font can print).
    A roster that cannot be read as a whole (columns, encoding, CSV syntax) or holds no
    good family raises :class:`RosterError`.
    """
    _regular(path)
    problems: list[RowProblem] = []
    schools: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for line, row in _rows(path):
        family, found = _family(line, row, codes)
        if family is not None and check is not None:
            problem = check(family)
            found = [problem] if problem else []
        problems.extend(found)
        if family is not None and not found:
            schools[family.school] = schools.get(family.school, 0) + 1
            counts[family.language] += 1
    summary = RosterSummary(sum(schools.values()), schools, counts, problems)
    if not summary.families:
        if problems:
            raise RosterError(refusal(summary), path)
        raise RosterError("the roster has no families", path, 2)
    return summary


def refusal(summary: RosterSummary, why: str = "") -> str:
    """Nothing is printed for these bad rows (at most :data:`SHOWN_PROBLEMS` spelled out, no content quoted)."""
    problems = summary.rejected
    shown = "; ".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = f"; and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
    return f"{len(problems)} problem(s), nothing written{why}: {shown}{more}"


def families(
    path: Path,
    codes: tuple[str, ...],
    school: str | None = None,
    skip: frozenset[int] = frozenset(),
) -> Iterator[Family]:
    """The good families in roster order (``school``'s only, if given), the rows in ``skip`` left out.

    Call :func:`validate` first: it found the bad rows (their line numbers are ``skip``).
    """
    for line, row in _rows(path):
        if line in skip or school not in (None, " ".join((row.get("school") or "").split())):
            continue
        family, problems = _family(line, row, codes)
        if family is None:
            raise RosterError(f"{problems[0]} (the roster changed while printing)", path)
        yield family
