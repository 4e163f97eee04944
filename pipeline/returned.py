"""A review packet that came back, read and validated before anything is applied.

A packet that is not a PO file, names another language or an unknown document, is
cut short or spliced (its end-of-packet entry and checksum, ``review.seal``), or has
headers that are not what homelang wrote is refused as a whole with one line naming
the file and line: nothing changes. ``pipeline.packets`` applies what passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import polib

from pipeline import catalogs, languages
from pipeline.apply import credit_name
from pipeline.assignments import (
    Assignment,
    ReviewError,
    load_assignments,
    read_regular_file,
    split_context,
)
from pipeline.review import read_end_marker, seal
from pipeline.settings import Settings

_PLACEHOLDER_NAMES = ("", "homelang <>", "FULL NAME <EMAIL@ADDRESS>")
_PACKET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,119}")


@dataclass
class Returned:
    """A valid packet: its entries (the end-of-packet entry left out), and whose it is."""

    path: Path
    catalog: polib.POFile
    entries: list[polib.POEntry]  # live entries, the end-of-packet entry left out
    packet_id: str
    seal: str
    lang: str
    reviewer: str  # whom to credit
    assignment: Assignment | None  # the record of its export, if still known


def read_packet(settings: Settings, path: Path) -> Returned:
    """Parse and validate one packet (its bytes, headers, checksum and documents)."""
    raw = read_regular_file(path, path, catalogs.MAX_CATALOG_BYTES)
    if raw is None:
        raise ReviewError("no such file", path)
    catalog = catalogs.parse_catalog(raw, path)
    meta = catalog.metadata
    packet_id = meta.get("X-Homelang-Packet", "").strip()
    if not packet_id:
        raise ReviewError(
            "not a homelang review packet (no X-Homelang-Packet header); "
            "edit locales/<lang>/LC_MESSAGES/<doc>.po directly instead",
            path,
            1,
        )
    if not _PACKET_ID.fullmatch(packet_id):
        raise ReviewError(
            f"X-Homelang-Packet: not a packet id: {packet_id[:40]!r}",
            path,
            _header_line(raw, "X-Homelang-Packet"),
        )
    header = meta.get("Language", "").strip()
    try:  # Poedit may write a variant of the language (es_ES): rosters' rule finds it
        lang = languages.resolve(header, tuple(settings.languages)).code
    except languages.LanguageError:
        raise ReviewError(
            f"Language header says {header[:20]!r}, not one of this project's languages "
            f"({', '.join(settings.languages)})",
            path,
            _header_line(raw, "Language"),
        ) from None
    exported_for = packet_id.split("-")[0]
    if exported_for != lang:
        raise ReviewError(
            f"packet {packet_id} was exported for {exported_for!r}, "
            f"but its Language header says {header[:20]!r}",
            path,
            _header_line(raw, "Language"),
        )
    live = [e for e in catalog if not e.obsolete]
    entries = live[:-1] if live and read_end_marker(live[-1]) else live
    expected = meta.get("X-Homelang-Entries", "").strip()
    if expected and not re.fullmatch(r"[0-9]{1,9}", expected):
        raise ReviewError(
            f"X-Homelang-Entries: not a number of entries: {expected[:20]!r}",
            path,
            _header_line(raw, "X-Homelang-Entries"),
        )
    end = raw.count(b"\n") + 1
    if expected and len(entries) < int(expected):
        raise ReviewError(
            f"packet holds {len(entries)} of its {expected} entries: cut short? "
            "ask for the whole file",
            path,
            end,
        )
    if expected and len(entries) > int(expected):
        raise ReviewError(
            f"packet holds {len(entries)} entries, its header says {int(expected)}: "
            "entries were added or the header changed; ask for the file as it was sent",
            path,
            _header_line(raw, "X-Homelang-Entries"),
        )
    known = set(catalogs.template_ids(settings))
    for entry in entries:
        doc_id, _ = split_context(entry.msgctxt)
        if doc_id not in known:
            raise ReviewError(f"no document {doc_id!r} in this project", path, entry.linenum)
    checksum = _check_seal(live, entries, packet_id, path, end)
    assignment = next(
        (
            a
            for a in load_assignments(settings, lang)
            if a.packet == packet_id and a.seal == checksum
        ),
        None,
    )
    return Returned(path, catalog, entries, packet_id, checksum, lang, _reviewer(meta), assignment)


def _check_seal(
    live: list[polib.POEntry], entries: list[polib.POEntry], packet_id: str, path: Path, end: int
) -> str:
    """The packet's checksum, after making sure it ends with its end entry and its entries match."""
    marker = read_end_marker(live[-1]) if live else None
    if marker is None:
        stray = next((e for e in live if read_end_marker(e)), None)
        if stray is not None:
            raise ReviewError(
                "entries follow the end-of-packet entry: pieces of other files added?",
                path,
                stray.linenum,
            )
        raise ReviewError(
            "no end-of-packet entry: cut short (or exported by an older homelang)? "
            "ask for the whole file",
            path,
            end,
        )
    marked_id, checksum = marker
    if marked_id != packet_id or seal(packet_id, entries) != checksum:
        raise ReviewError(
            "the entries do not match the packet's checksum: entries added, removed or "
            "changed in their English or context (spliced?)",
            path,
            live[-1].linenum,
        )
    return checksum


def _header_line(raw: bytes, key: str) -> int | None:
    match = re.search(rb'^"' + key.encode() + rb":", raw, re.M)
    return raw[: match.start()].count(b"\n") + 1 if match else None


def _reviewer(meta: dict[str, str]) -> str:
    """Who to credit: Poedit's Last-Translator (name only, no e-mail), else the packet's reviewer."""
    name = meta.get("Last-Translator", "").strip()
    if name in _PLACEHOLDER_NAMES:
        name = meta.get("X-Homelang-Reviewer", "").strip()
    if name.endswith(">") and "<" in name:  # "Amina <a@b.org>": the name only (no regex: linear)
        name = name[: name.rindex("<")]
    return credit_name(name)  # it goes into every "# reviewed:" comment
