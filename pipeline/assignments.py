"""Who holds which entries: ``locales/<lang>/review-assignments.json``, read as untrusted input.

The file is in the repository and people edit it, merge it and damage it, so every
field is validated on read: a wrong type, a date that is not one, a huge number, a
key that is not an entry key is an error naming the file and the key, before
anything is written. A packet that is released (``review release``) stays on record
(``"released"``, the newest :data:`MAX_RELEASED`) so that, if it comes back after all,
its entries are applied wherever the catalog still holds exactly what was exported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polib

from pipeline import catalogs, files
from pipeline.errors import PipelineError
from pipeline.files import atomic_write_text
from pipeline.settings import Settings

ASSIGNMENTS = "review-assignments.json"
#: Released packets remembered for a late return; older ones are forgotten.
MAX_RELEASED = 200
#: Far more than any real assignments file or packet (a 100,000-entry packet is ~30 MB).
MAX_STATE_BYTES = 50_000_000
_HEX = re.compile(r"[0-9a-f]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PACKET_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,119}")


class ReviewError(PipelineError):
    """A review packet, assignment or conflict that cannot be made, read or applied."""


@dataclass(frozen=True)
class Assignment:
    """One packet out with a reviewer: which entries (by key, with a hash of the text sent)."""

    packet: str
    lang: str
    reviewer: str
    exported: str  # catalogs.timestamp()
    expires: str  # YYYY-MM-DD, the day after which the entries can go out again
    docs: tuple[str, ...]
    words: int
    entries: dict[str, str] = field(default_factory=dict)  # entry key -> text hash at export
    seal: str = ""  # the packet's checksum of its entries (review.seal)
    released: str = ""  # YYYY-MM-DD it was released; "" while it is out

    def expired(self, today: str) -> bool:
        return self.expires < today

    def holds(self, today: str) -> bool:
        """Whether its entries are still out (neither released nor expired)."""
        return not self.released and not self.expired(today)


def read_regular_file(path: Path, shown: Path, limit: int = MAX_STATE_BYTES) -> bytes | None:
    """A regular file's bytes (None if it does not exist); never reads a device, FIFO or folder."""
    try:
        return files.read_regular(path, shown, limit, follow=True)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ReviewError(f"cannot read: {exc.strerror}", shown) from None


def parse_assignments(data: bytes, lang: str, shown: Path) -> list[Assignment]:
    """The assignments file's packets (out and released), every field checked."""
    document = files.parse_json(data, shown, ReviewError)
    if not isinstance(document, dict) or not isinstance(document.get("packets"), list):
        raise ReviewError('not a review assignments file (no "packets" list)', shown)
    released = document.get("released", [])
    if not isinstance(released, list):
        raise ReviewError('"released": expected a list', shown)
    found = [
        _assignment(item, f"packets[{n}]", lang, shown)
        for n, item in enumerate(document["packets"])
    ]
    found += [_assignment(item, f"released[{n}]", lang, shown) for n, item in enumerate(released)]
    for n, a in enumerate(found):
        if a.released and n < len(document["packets"]):
            raise ReviewError(f"packets[{n}].released: a packet out is not released", shown)
    return found


def _assignment(item: Any, where: str, lang: str, shown: Path) -> Assignment:
    def error(key: str, what: str) -> ReviewError:
        return ReviewError(f"{where}.{key}: {what}", shown)

    if not isinstance(item, dict):
        raise ReviewError(f"{where}: expected an object", shown)

    def text(key: str, pattern: re.Pattern[str] | None = None, default: str | None = None) -> str:
        value = item.get(key, default)
        if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
            raise error(key, f"expected a short string, not {_kind(value)}")
        if pattern is not None and value and not pattern.fullmatch(value):
            raise error(key, f"not a valid value: {value[:40]!r}")
        return value

    packet, expires = text("packet", _PACKET_ID), text("expires", _DATE)
    if item.get("lang") != lang or not packet.startswith(f"{lang}-"):
        raise error("lang", f"expected a packet of {lang!r}")
    for key in ("expires", "released"):
        if text(key, _DATE, "") and not is_date(item[key]):
            raise error(key, f"not a date: {item[key]!r}")
    if not expires:
        raise error("expires", "expected a date (YYYY-MM-DD)")
    docs, words, entries = item.get("docs"), item.get("words"), item.get("entries")
    if not isinstance(docs, list) or not all(isinstance(d, str) and len(d) < 200 for d in docs):
        raise error("docs", f"expected a list of document ids, not {_kind(docs)}")
    if type(words) is not int or not 0 <= words < 10**9:
        raise error("words", f"expected a whole number of words, not {_kind(words)}")
    if not isinstance(entries, dict) or not all(
        _HEX.fullmatch(k) and isinstance(v, str) and _HEX.fullmatch(v) for k, v in entries.items()
    ):
        raise error("entries", "expected entry keys mapped to text hashes (hexadecimal)")
    return Assignment(
        packet=packet,
        lang=lang,
        reviewer=text("reviewer"),
        exported=text("exported"),
        expires=expires,
        docs=tuple(docs),
        words=words,
        entries=dict(entries),
        seal=text("seal", _HEX, ""),
        released=text("released", _DATE, ""),
    )


def is_date(value: str) -> bool:
    """Whether ``value`` is a real ISO date (2026-02-30 is not)."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def render_assignments(packets: list[Assignment]) -> str | None:
    """Deterministic JSON (sorted, stable); None when nothing is out or remembered."""
    out = [a for a in packets if not a.released]
    released = sorted((a for a in packets if a.released), key=lambda a: (a.released, a.packet))
    released = released[-MAX_RELEASED:]
    if not out and not released:
        return None

    def plain(a: Assignment) -> dict[str, Any]:
        item = {**vars(a), "docs": list(a.docs), "entries": dict(sorted(a.entries.items()))}
        return {k: v for k, v in item.items() if v != "" or k not in ("seal", "released")}

    data: dict[str, Any] = {"packets": [plain(a) for a in sorted(out, key=lambda a: a.packet)]}
    if released:
        data["released"] = [plain(a) for a in released]
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def save(path: Path, packets: list[Assignment]) -> bool:
    """Write the assignments; nothing out and nothing remembered, no file."""
    text = render_assignments(packets)
    if text is None:
        if path.exists():
            path.unlink()
            return True
        return False
    return atomic_write_text(path, text)


def released(a: Assignment, today: str) -> Assignment:
    return replace(a, released=today)


def entry_key(doc_id: str, entry: polib.POEntry) -> str:
    """A short stable id for an entry of a document (its English and context)."""
    return key_of(doc_id, entry.msgctxt, entry.msgid)


def by_key(catalogs_by_doc: dict[str, polib.POFile]) -> dict[str, polib.POEntry]:
    """Every live entry of these documents by :func:`entry_key`."""
    return {
        entry_key(doc_id, e): e
        for doc_id, c in catalogs_by_doc.items()
        for e in c
        if not e.obsolete
    }


def key_of(doc_id: str, msgctxt: str | None, msgid: str) -> str:
    return text_hash(f"{doc_id}\x04{msgctxt or ''}\x04{msgid}", 16)


def text_hash(text: str, size: int = 12) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:size]


def today() -> str:
    return catalogs.timestamp()[:10]


def days_after(stamp: str, days: int) -> str:
    """The day (ISO) ``days`` after the timestamp ``stamp``'s (the clock stops at the year
    8999, ``settings``' bound on SOURCE_DATE_EPOCH, so the date can always be written)."""
    return (dt.date.fromisoformat(stamp[:10]) + dt.timedelta(days=days)).isoformat()


def assignments_path(settings: Settings, lang: str) -> Path:
    return settings.locales_path / lang / ASSIGNMENTS


def shown(settings: Settings, path: Path) -> Path:
    return path.relative_to(settings.root) if path.is_relative_to(settings.root) else path


def load_assignments(settings: Settings, lang: str) -> list[Assignment]:
    """The packets of ``lang``, out and released; a damaged file is an error naming it and the key."""
    path = assignments_path(settings, lang)
    data = read_regular_file(path, shown(settings, path))
    return [] if data is None else parse_assignments(data, lang, shown(settings, path))


def save_assignments(settings: Settings, lang: str, packets: list[Assignment]) -> bool:
    return save(assignments_path(settings, lang), packets)


def split_context(msgctxt: str | None) -> tuple[str, str | None]:
    """A packet entry's context -> (document id, the catalog entry's own context)."""
    doc_id, _, own = (msgctxt or "").partition("|")
    return doc_id, (own if "|" in (msgctxt or "") else None)
