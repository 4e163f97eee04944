"""The family roster for mail merge: a CSV as student information systems export it.

A header row with at least ``student``, ``guardian``, ``school``, ``language`` (a code
such as ``so`` or a name such as ``Somali``, in any case) and ``address``; other
columns are ignored. Rows are streamed, never all held in memory, and names never
appear in messages: problems are reported by row number and column only.
"""

from __future__ import annotations

import csv
import re
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
class RosterSummary:
    families: int
    schools: list[str]  # in order of first appearance
    languages: Counter[str] = field(default_factory=Counter)


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
) -> tuple[Family | None, list[str]]:
    values = {c: " ".join((row.get(c) or "").split()) for c in COLUMNS}
    problems = [
        f"row {line}: empty {c}" for c in ("student", "guardian", "school") if not values[c]
    ]
    damaged = set()
    for column in COLUMNS:  # a NUL or escape code is a damaged export, and would misprint a name
        control = _CONTROL.search(row.get(column) or "")
        if control:
            damaged.add(column)
            problems.append(
                f"row {line}: control character U+{ord(control.group()):04X} in the {column} column"
            )
    code = ""
    if "language" in damaged:
        pass  # one problem per cell
    elif not values["language"]:
        problems.append(f"row {line}: empty language")
    else:
        try:
            code = _code(values["language"], codes)
        except LanguageError:
            # the value is not quoted: in a row with a column missing it is a name or an address
            problems.append(
                f"row {line}: unknown language (use a code or name of {', '.join(codes)})"
            )
    if problems:
        return None, problems
    address = (row.get("address") or "").strip()
    return Family(line, values["student"], values["guardian"], values["school"], code, address), []


def validate(
    path: Path, codes: tuple[str, ...], check: Callable[[Family], str] | None = None
) -> RosterSummary:
    """Read the whole roster once; raise :class:`RosterError` listing every bad row by number.

    ``check(family)`` may add a problem of its own (say, a name no font can print).
    """
    problems: list[str] = []
    schools: dict[str, None] = {}
    counts: Counter[str] = Counter()
    total = 0
    for line, row in _rows(path):
        family, found = _family(line, row, codes)
        if family is not None and check is not None and check(family):
            found = [f"row {line}: {check(family)}"]
        problems.extend(found)
        if family is not None and not found:
            schools.setdefault(family.school, None)
            counts[family.language] += 1
            total += 1
    if problems:
        shown = "; ".join(problems[:SHOWN_PROBLEMS])
        more = (
            f"; and {len(problems) - SHOWN_PROBLEMS} more" if len(problems) > SHOWN_PROBLEMS else ""
        )
        raise RosterError(f"{len(problems)} problem(s), nothing written: {shown}{more}", path)
    if not total:
        raise RosterError("the roster has no families", path, 2)
    return RosterSummary(total, list(schools), counts)


def families(path: Path, codes: tuple[str, ...], school: str | None = None) -> Iterator[Family]:
    """The roster's families in order (only ``school``'s, if given); call :func:`validate` first."""
    for line, row in _rows(path):
        if school is not None and " ".join((row.get("school") or "").split()) != school:
            continue
        family, problems = _family(line, row, codes)
        if problems or family is None:
            raise RosterError(problems[0] if problems else "bad row", path, line)
        yield family
