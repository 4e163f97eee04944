"""Damaged review packets given to `review import`: a result or a one-line error, never a traceback.

Hypothesis starts from a real exported and edited packet and damages it the ways
files get damaged between a volunteer's laptop and the coordinator: cut short
anywhere, BOM, CRLF, re-encoded as Latin-1 or UTF-16, an entry duplicated, lines
deleted or repeated, control and right-to-left override characters, headers
changed. Every case exits 0, or 2 with one line and every project file unchanged;
when it is accepted, every catalog it wrote passes msgfmt --check and no reviewed
translation is lost.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import test_review
from conftest import load, trials
from hypothesis import given
from hypothesis import strategies as st
from killing import (
    Tally,
    check_catalogs,
    check_review_files,
    restore_tree,
    reviewed_translations,
    tree,
)
from test_bad_input import Outcome, attempt, hashes
from test_bad_input import record as record_outcome
from test_crash_review import reviewed_meanwhile, volunteer_edits
from test_review import AM, confirm

from pipeline import states

drafted = test_review.drafted  # Amharic catalogs full of machine drafts (a fixture)

CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, 0x0E, 0x1B, 0x1F, 0x7F, 0x85)]
BIDI = ["\u202e", "\u202d", "\u2066", "\u2067", "\u2069", "\u200f", "\u061c"]
HEADERS = {
    "Language": ["fr", "", "es", "AM", "am_ET", "../am", "am\u202e"],
    "X-Homelang-Packet": ["", "es-1", "am-../../x", "am-999-nobody", "am"],
    "X-Homelang-Entries": ["9999", "-1", "abc", "0", ""],
    "Plural-Forms": ["nplurals=1; plural=0;", "nplurals=; plural=", "garbage"],
    "Content-Type": ["text/plain; charset=ISO-8859-1", "text/plain", "text/plain; charset=KOI8-R"],
    "Last-Translator": ["", "<>", "\u202eevil", "x" * 5000, "Amina\\nBob"],
}


@st.composite
def damage(draw, packet: bytes) -> bytes:
    """One to three kinds of damage, applied in order to the packet's bytes."""
    data = packet
    for kind in draw(
        st.lists(
            st.sampled_from(
                [
                    "truncate",
                    "bom",
                    "crlf",
                    "latin-1",
                    "utf-16",
                    "duplicate",
                    "control",
                    "bidi",
                    "delete",
                    "repeat",
                    "header",
                    "flip",
                ]
            ),
            min_size=1,
            max_size=3,
        )
    ):
        text = data.decode("utf-8", "replace")
        lines = text.split("\n")
        if kind == "truncate":
            data = data[: draw(st.integers(0, len(data)))]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif kind == "latin-1":
            data = text.encode("latin-1", "replace")
        elif kind == "utf-16":
            data = text.encode("utf-16")
        elif kind == "duplicate":
            blocks = text.split("\n\n")
            index = draw(st.integers(0, len(blocks) - 1))
            blocks.insert(index, blocks[index])
            data = "\n\n".join(blocks).encode("utf-8")
        elif kind in ("control", "bidi"):
            where = draw(st.integers(0, len(text)))
            char = draw(st.sampled_from(CONTROL if kind == "control" else BIDI))
            data = (text[:where] + char + text[where:]).encode("utf-8")
        elif kind in ("delete", "repeat"):
            index = draw(st.integers(0, len(lines) - 1))
            lines[index : index + 1] = [] if kind == "delete" else [lines[index]] * 2
            data = "\n".join(lines).encode("utf-8")
        elif kind == "header":
            key = draw(st.sampled_from(sorted(HEADERS)))
            value = draw(st.sampled_from(HEADERS[key]))
            found = [i for i, line in enumerate(lines) if line.startswith(f'"{key}: ')]
            if found:
                lines[found[0]] = f'"{key}: {value}\\n"'
            data = "\n".join(lines).encode("utf-8")
        else:
            where = draw(st.integers(0, max(0, len(data) - 1)))
            data = data[:where] + bytes([draw(st.integers(0, 255))]) + data[where + 1 :]
    return data


def prepared(root: Path, homelang, folder: Path) -> Path:
    """A real packet, exported and edited by a volunteer; someone reviews one entry meanwhile."""
    packet = folder / "packet.po"
    homelang("review", "export", "--lang", "am", "--reviewer", "Amina", "-o", str(packet))
    volunteer_edits(packet)
    reviewed_meanwhile(root)
    return packet


def run_packets(root: Path, homelang, folder: Path, count: int, figures: dict) -> None:
    packet = prepared(root, homelang, folder)
    original = packet.read_bytes()
    baseline = tree(root / "locales")
    keep = reviewed_translations(root)
    outcome, tally = Outcome(), Tally()
    damaged = folder / "damaged.po"
    try:

        @trials(count)
        @given(damage(original))
        def one(data: bytes) -> None:
            restore_tree(root / "locales", baseline)
            damaged.write_bytes(data)
            attempt(root, {}, ["review", "import", str(damaged)], outcome)
            check_catalogs(root, keep, {}, tally)
            check_review_files(root, tally)
            assert tally.corrupt == [] and tally.lost == [], (tally.corrupt, tally.lost)

        one()
    finally:
        record_outcome(outcome, figures)
    assert 0 < outcome.refused < outcome.cases  # the damage reaches both outcomes


def test_damaged_packets_fast(drafted: Path, homelang, tmp_path: Path, figures: dict) -> None:
    run_packets(drafted, homelang, tmp_path, 40, figures)


@pytest.mark.slow
def test_damaged_packets_long(drafted: Path, homelang, tmp_path: Path, figures: dict) -> None:
    run_packets(drafted, homelang, tmp_path, 400, figures)


@pytest.mark.parametrize("size", [50_000_000])
def test_a_50_mb_packet_is_refused_in_one_line(
    drafted: Path, homelang, tmp_path: Path, size: int, figures: dict
) -> None:
    packet = prepared(drafted, homelang, tmp_path)
    data = packet.read_bytes()
    packet.write_bytes(data + b"# padding\n" * ((size - len(data)) // 10 + 1))
    assert packet.stat().st_size >= size
    before = hashes(drafted)
    result = homelang("review", "import", str(packet), expect=2)
    assert result.output.count("\n") == 1 and "larger than 20 MB" in result.output
    assert hashes(drafted) == before
    outcome = Outcome()
    outcome.cases = outcome.refused = 1
    record_outcome(outcome, figures)


def test_a_pasted_control_character_is_kept_as_a_draft_not_reviewed(
    drafted: Path, homelang, tmp_path: Path
) -> None:
    packet_path = prepared(drafted, homelang, tmp_path)
    packet = load(packet_path)
    entry = packet[0]
    entry.msgstr = "\x07" + entry.msgstr  # a terminal bell pasted from a chat window
    confirm(entry)
    packet.save(str(packet_path))
    result = homelang("review", "import", str(packet_path), expect=1)
    assert (
        f"{packet_path}:{entry.linenum}: kept as a draft, not reviewed: "
        "[control] control character U+0007" in result.output
    )
    kept = next(e for e in load(drafted / AM) if e.msgid == entry.msgid)
    assert kept.msgstr == entry.msgstr and states.state(kept) == "needs-update"
    assert (
        "[control] error: control character U+0007"
        in homelang("check", "--lang", "am", expect=1).output
    )


def one_line_error(result, *names: str) -> None:
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert all(name in lines[0] for name in names), result.output


ASSIGNMENTS = "locales/am/review-assignments.json"
#: Damage to review-assignments.json -> what the one-line error names.
BAD_ASSIGNMENTS = {
    "expires null": (
        lambda text: text.replace('"expires": "', '"expires": null, "x": "', 1),
        "packets[0].expires",
    ),
    "expires no date": (
        lambda text: re.sub(r'"expires": "[^"]*"', '"expires": "2026-13-45"', text, count=1),
        "packets[0].expires",
    ),
    "words huge": (
        lambda text: re.sub(r'"words": \d+', '"words": ' + "9" * 5000, text, count=1),
        "number too large",
    ),
    "words overflow": (
        lambda text: re.sub(r'"words": \d+', '"words": 1e400', text, count=1),
        "packets[0].words",
    ),
    "words bool": (
        lambda text: re.sub(r'"words": \d+', '"words": true', text, count=1),
        "packets[0].words",
    ),
    "entries a list": (
        lambda text: re.sub(r'"entries": \{[^}]*\}', '"entries": []', text, count=1),
        "packets[0].entries",
    ),
    "packet a path": (
        lambda text: re.sub(r'"packet": "[^"]*"', '"packet": "../../../etc/x"', text, count=1),
        "packets[0].packet",
    ),
    "other language": (
        lambda text: text.replace('"lang": "am"', '"lang": "so"', 1),
        "packets[0].lang",
    ),
    "packets an object": (lambda text: '{"packets": {}}', 'no "packets" list'),
    "not JSON": (lambda text: text[: len(text) // 2], "not valid JSON"),
    "docs numbers": (
        lambda text: re.sub(r'"docs": \[[^\]]*\]', '"docs": [1, 2]', text, count=1),
        "packets[0].docs",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_ASSIGNMENTS))
def test_damaged_assignments_are_one_line_errors(
    drafted: Path, homelang, tmp_path: Path, case: str
) -> None:
    packet = prepared(drafted, homelang, tmp_path)
    spoil, named = BAD_ASSIGNMENTS[case]
    path = drafted / ASSIGNMENTS
    path.write_text(spoil(path.read_text("utf-8")), "utf-8")
    before = hashes(drafted)
    for args in (
        ["status", "--lang", "am"],
        ["review", "export", "--lang", "am", "-o", str(tmp_path / "next.po")],
        ["review", "import", str(packet)],
        ["review", "release", "--expired"],
    ):
        one_line_error(homelang(*args, expect=2), ASSIGNMENTS, named)
    assert hashes(drafted) == before


@pytest.mark.parametrize("value", ["³⁷", "١٢", "３７", "99999999999999999999", "-1", "0x25"])
def test_an_entries_header_that_is_not_a_plain_number_is_refused(
    drafted: Path, homelang, tmp_path: Path, value: str
) -> None:
    packet = prepared(drafted, homelang, tmp_path)
    text = packet.read_text("utf-8")
    line = text[: text.index('"X-Homelang-Entries:')].count("\n") + 1
    packet.write_text(
        re.sub(r'"X-Homelang-Entries: \d+', f'"X-Homelang-Entries: {value}', text), "utf-8"
    )
    before = hashes(drafted)
    result = homelang("review", "import", str(packet), expect=2)
    one_line_error(result, f"packet.po:{line}: X-Homelang-Entries: not a number of entries")
    assert hashes(drafted) == before


@pytest.mark.parametrize("kind", ["/dev/zero", "fifo", "/dev/null"])
def test_import_never_reads_a_device_or_fifo(
    drafted: Path, homelang, tmp_path: Path, kind: str
) -> None:
    path = Path(kind)
    if kind == "fifo":
        path = tmp_path / "packet.po"
        os.mkfifo(path)  # opening it would wait for a writer forever
    before = hashes(drafted)
    one_line_error(
        homelang("review", "import", str(path), expect=2), str(path), "not a regular file"
    )
    assert hashes(drafted) == before


@pytest.mark.parametrize("delta", [-1, -37])
def test_an_entries_header_smaller_than_the_packet_is_refused(
    drafted: Path, homelang, tmp_path: Path, delta: int
) -> None:
    """A header that says fewer entries than the packet holds was changed, or entries were
    added: refused like a packet cut short."""
    packet = prepared(drafted, homelang, tmp_path)
    text = packet.read_text("utf-8")
    count = int(re.search(r'"X-Homelang-Entries: (\d+)', text).group(1))
    line = text[: text.index('"X-Homelang-Entries:')].count("\n") + 1
    packet.write_text(
        text.replace(
            f'"X-Homelang-Entries: {count}', f'"X-Homelang-Entries: {max(count + delta, 0)}'
        ),
        "utf-8",
    )
    before = hashes(drafted)
    result = homelang("review", "import", str(packet), expect=2)
    one_line_error(result, f"packet.po:{line}: packet holds {count} entries, its header says")
    assert hashes(drafted) == before
