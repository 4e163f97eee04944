"""Odd and broken rosters given to `letters`: letters, or a one-line error that names no family.

Hypothesis builds rosters the way student information systems and spreadsheets
mangle them: columns missing, renamed or repeated, BOM, CRLF, Latin-1, UTF-16,
empty names, unknown languages, stray quotes, huge fields, NUL bytes, control and
right-to-left override characters, characters no font can print, blank lines.
Every case exits 0 with readable PDFs, 1 with the good rows' PDFs and the bad rows
listed by row and column, or 2 with one line; no family's name in any message, and
on exit 2 every project file unchanged (letters printed earlier included).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import trials
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from test_bad_input import Outcome, hashes, record
from test_build import NOTICE, review
from test_letters import SAMPLE_ROSTER

from pipeline.cli import main

COLUMNS = ["student", "guardian", "school", "language", "address", "grade"]
LANGUAGES = [
    "es",
    "Somali",
    "SOMALI",
    "ar",
    "Arabic",
    "kar",
    "Karen (S'gaw)",
    "en",
    "",
    "Klingon",
    "xx",
    "../es",
    "es\u202e",
    "es\x00",
    " es ",
    "ES",
    "español",
]
ODD_VALUES = [
    "",
    " ",
    "\u202eevil",
    "\u2066x\u2069",
    "O'Brien",
    'Say "hi"',
    "a,b",
    "line\nbreak",
    "\x00",
    "\x07",
    "\x1b[31m",
    "王小明",
    "🙂",
    "é" * 3,
    "x" * 200_000,
    '"',
    "=cmd|' /C calc'!A0",
]


@st.composite
def rosters(draw) -> bytes:
    rows = list(csv.DictReader(io.StringIO(SAMPLE_ROSTER.read_text("utf-8"))))
    rows = draw(st.lists(st.sampled_from(rows), min_size=0, max_size=6))
    header = list(COLUMNS)
    header_change = draw(st.sampled_from(["none", "drop", "rename", "upper", "repeat", "space"]))
    if header_change != "none":
        index = draw(st.integers(0, len(header) - 1))
        header[index] = {
            "drop": None,
            "rename": header[index] + "_name",
            "upper": header[index].upper(),
            "repeat": header[(index + 1) % len(header)],
            "space": f" {header[index]} ",
        }[header_change]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([h for h in header if h is not None])
    for row in rows:
        values = dict(row)
        if draw(st.booleans()):
            values[draw(st.sampled_from(COLUMNS[:4]))] = draw(st.sampled_from(ODD_VALUES))
        if draw(st.booleans()):
            values["language"] = draw(st.sampled_from(LANGUAGES))
        writer.writerow(
            [
                values.get(column, "")
                for h, column in zip(header, COLUMNS, strict=True)
                if h is not None
            ]
        )
    text = out.getvalue()
    if draw(st.booleans()):
        where = draw(st.integers(0, len(text)))
        text = (
            text[:where]
            + draw(st.sampled_from(['"', "\n", "\n\n", ",", "\x00", "\ufeff", "\r"]))
            + text[where:]
        )
    data = text.encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])), "replace"
    )
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    return data


def names(data: bytes) -> set[str]:
    """The family names in a roster (the readable ones), which no message may show."""
    text = data.decode("utf-8", "replace")
    sample = list(csv.DictReader(io.StringIO(SAMPLE_ROSTER.read_text("utf-8"))))
    return {r[c] for r in sample for c in ("student", "guardian") if r[c] in text}


def run_rosters(root: Path, count: int, figures: dict) -> None:
    for lang in ("es", "ar"):
        review(root, lang, NOTICE)
        review(root, lang, "templates")
    roster = root.parent / "roster.csv"  # rosters live outside the project, as they should
    folder = root / "build/private" / NOTICE
    outcome = Outcome()
    try:

        @trials(count)
        @given(rosters())
        def one(data: bytes) -> None:
            roster.write_bytes(data)
            before = hashes(root)
            result = CliRunner().invoke(
                main, ["-C", str(root), "letters", "--roster", str(roster), "--doc", NOTICE]
            )
            outcome.cases += 1
            if result.exit_code not in (0, 1, 2) or not isinstance(
                result.exception, SystemExit | None
            ):
                outcome.tracebacks += 1
                raise AssertionError(
                    f"exit {result.exit_code}: {result.exception!r}\n{result.output}"
                )
            if result.exit_code == 2:
                outcome.refused += 1
                if hashes(root) != before:
                    outcome.changed += 1
                    raise AssertionError(f"files changed on error: {result.output}")
                lines = result.output.strip().splitlines()
                assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
                assert not any(name in result.output for name in names(data)), result.output
                return
            assert not any(name in result.output for name in names(data)), result.output
            summary = json.loads((folder / "summary.json").read_text("utf-8"))
            assert (result.exit_code == 1) == bool(summary["rejected"]), result.output
            for school in summary["schools"]:
                assert len(PdfReader(folder / school["file"]).pages) >= school["letters"]

        one()
    finally:
        record(outcome, figures)
    assert 0 < outcome.refused < outcome.cases


def test_odd_rosters_fast(catalogs_ready: Path, figures: dict) -> None:
    run_rosters(catalogs_ready, 25, figures)


@pytest.mark.slow
def test_odd_rosters_long(catalogs_ready: Path, figures: dict) -> None:
    run_rosters(catalogs_ready, 250, figures)


SAMPLE = SAMPLE_ROSTER.read_text("utf-8")


@pytest.mark.parametrize(
    "data,message",
    [
        (
            SAMPLE.encode("latin-1"),
            "roster.csv:3: roster is not UTF-8 text",
        ),  # Lucía, the first non-ASCII row
        (SAMPLE.encode("utf-16"), "roster.csv:1: roster is not UTF-8 text"),
        (
            SAMPLE.replace("Hodan Warsame", "H" * 200_000).encode(),
            "roster.csv:2: not valid CSV: field larger",
        ),
        (
            SAMPLE.replace("student,", "pupil,", 1).encode(),
            "roster.csv:1: missing column(s) student",
        ),
        (SAMPLE.splitlines()[0].encode() + b"\r\n", "roster.csv:2: the roster has no families"),
        (b"", "roster.csv:1: missing column(s)"),
        (
            SAMPLE.replace(",grade", ",Language", 1).encode(),
            "roster.csv:1: column 'language' appears twice",
        ),
    ],
)
def test_roster_oddities_name_the_line(
    catalogs_ready: Path, data: bytes, message: str, figures: dict
) -> None:
    roster = catalogs_ready.parent / "roster.csv"
    roster.write_bytes(data)
    before = hashes(catalogs_ready)
    result = CliRunner().invoke(
        main, ["-C", str(catalogs_ready), "letters", "--roster", str(roster), "--doc", NOTICE]
    )
    assert result.exit_code == 2 and message in result.output and result.output.count("\n") == 1, (
        result.output
    )
    assert "Hodan" not in result.output and hashes(catalogs_ready) == before
    outcome = Outcome()
    outcome.cases = outcome.refused = 1
    record(outcome, figures)


@pytest.mark.parametrize(
    "data,message",
    [
        (
            SAMPLE.replace("Hodan Warsame", "Hodan 🙂").encode(),
            "not printed: row 2, guardian: a character no shipped font has (U+1F642",
        ),
        (
            SAMPLE.replace(",Somali,", ",Klingon,").encode(),
            "not printed: row 2, language: unknown language (use a code or name of",
        ),
        (SAMPLE.replace("Hodan Warsame", "").encode(), "not printed: row 2, guardian: empty"),
        (
            SAMPLE.replace('"2410 Fremont Ave N, Minneapolis, MN 55411"', " ").encode(),
            "not printed: row 2, address: empty",
        ),
        (
            SAMPLE.replace("Hodan Warsame", "Hodan\x00Warsame").encode(),
            "not printed: row 2, guardian: control character U+0000",
        ),
    ],
)
def test_a_bad_row_is_listed_and_the_others_print(
    catalogs_ready: Path, data: bytes, message: str
) -> None:
    roster = catalogs_ready.parent / "roster.csv"
    roster.write_bytes(data)
    result = CliRunner().invoke(
        main, ["-C", str(catalogs_ready), "letters", "--roster", str(roster), "--doc", NOTICE]
    )
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Hodan" not in result.output and "8 letters for 2 files" in result.output


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_roster_that_is_not_a_file_is_one_line(catalogs_ready: Path, device: str) -> None:
    result = CliRunner().invoke(
        main, ["-C", str(catalogs_ready), "letters", "--roster", device, "--doc", NOTICE]
    )
    assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
    assert "not a regular file" in result.output
    assert not (catalogs_ready / "build").exists()


def test_bom_crlf_quotes_and_bidi_names_print(catalogs_ready: Path) -> None:
    text = SAMPLE.replace("Hodan Warsame", '"Hodan ""Ayan"" \u202eWarsame"').replace("\n", "\r\n")
    roster = catalogs_ready.parent / "roster.csv"
    roster.write_bytes(b"\xef\xbb\xbf" + text.encode())
    result = CliRunner().invoke(
        main, ["-C", str(catalogs_ready), "letters", "--roster", str(roster), "--doc", NOTICE]
    )
    assert result.exit_code == 0, result.output
    pdf = catalogs_ready / "build/private" / NOTICE / "01-anwatin-middle-school.pdf"
    assert 'Hodan "Ayan"' in "".join(page.extract_text() for page in PdfReader(pdf).pages)
