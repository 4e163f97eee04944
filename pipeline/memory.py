"""Never pay twice: a local cache of machine output, and a memory of people's translations.

The cache (SQLite, ``.homelang/cache.sqlite``, machine-local and git-ignored) keeps
what each provider returned for each protected text and language pair, so the same
text is never sent twice. The translation memory holds the reviewed translations of
every catalog: an exact English match fills an entry before any engine is asked.
Only catalog text (public notices) is stored here, never family data.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import polib

from pipeline import catalogs, states

if TYPE_CHECKING:
    from pipeline.settings import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    provider TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    text TEXT NOT NULL,
    translation TEXT NOT NULL,
    PRIMARY KEY (provider, source, target, text)
) WITHOUT ROWID
"""


#: The columns of a cache homelang wrote, in order.
_COLUMNS = ["provider", "source", "target", "text", "translation"]


def _opened(connect: Callable[[], sqlite3.Connection], create: bool) -> sqlite3.Connection | None:
    """A connection to a usable cache (created if ``create``), or None when the file is damaged."""
    db = connect()
    try:
        if create:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            db.commit()
        columns = [row[1] for row in db.execute("PRAGMA table_info(translations)")]
        if columns == _COLUMNS:
            db.execute("SELECT count(*) FROM translations").fetchone()
            return db
    except sqlite3.DatabaseError:
        pass
    db.close()
    return None


class Cache:
    """Machine output by (provider, source language, target language, protected text).

    A cache that is not one (random bytes, a damaged page, a table of another shape) is
    deleted and started afresh: it only saves requests. Read-only (``--dry-run``), it is
    then treated as empty. A page found damaged later, while a run reads or writes it,
    is treated the same way from then on; ``problem`` says so.
    """

    def __init__(self, path: Path, read_only: bool = False):
        self.path = path
        self.read_only = read_only
        self.problem = ""
        self._db: sqlite3.Connection | None = None
        if read_only:
            if path.exists():
                uri = f"{path.as_uri()}?mode=ro"
                self._db = _opened(lambda: sqlite3.connect(uri, uri=True, timeout=30), False)
                if self._db is None:
                    self._damaged()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = _opened(lambda: sqlite3.connect(path, timeout=30), True)
        if self._db is None:
            self._damaged()

    def _damaged(self) -> None:
        """The file is no cache, or a page could not be read or written: drop it (start
        afresh unless read-only)."""
        self.close()
        self.problem = f"the machine translation cache {self.path.name} was damaged: " + (
            "treated as empty" if self.read_only else "started afresh"
        )
        if self.read_only:
            return
        for damaged in (
            self.path,
            self.path.with_name(self.path.name + "-wal"),
            self.path.with_name(self.path.name + "-shm"),
        ):
            damaged.unlink(missing_ok=True)
        self._db = _opened(lambda: sqlite3.connect(self.path, timeout=30), True)

    def get(self, provider: str, source: str, target: str, text: str) -> str | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute(
                "SELECT translation FROM translations"
                " WHERE provider=? AND source=? AND target=? AND text=?",
                (provider, source, target, text),
            ).fetchone()
        except sqlite3.DatabaseError:
            self._damaged()
            return None
        return row[0] if row else None

    def put_many(
        self, provider: str, source: str, target: str, pairs: list[tuple[str, str]]
    ) -> None:
        """Store (protected text, raw engine output) pairs in one transaction."""
        if self._db is None or not pairs:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?)",
                    [(provider, source, target, text, out) for text, out in pairs],
                )
        except sqlite3.DatabaseError:
            self._damaged()

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def reviewed_entries(catalog: polib.POFile) -> Iterator[polib.POEntry]:
    """What a translation memory learns from: reviewed singular entries, obsolete ones too
    (an obsolete translation is still a person's words)."""
    return (e for e in catalog if not e.msgid_plural and states.state(e) == "reviewed")


class TranslationMemory:
    """Reviewed translations of one language, by English text, from every catalog; then
    translations imported with ``homelang memory import`` (``locales/<lang>/memory.po``)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str | None, str], Counter[str]] = defaultdict(Counter)
        self._imported: dict[tuple[str | None, str], str] = {}

    def add_catalog(self, catalog: polib.POFile) -> None:
        """Learn the catalog's reviewed entries."""
        for entry in reviewed_entries(catalog):
            self._found[(entry.msgctxt, entry.msgid)][entry.msgstr] += 1

    def add_imported(self, imported: polib.POFile) -> None:
        """Learn imported translations: used where no reviewed one exists."""
        for entry in imported:
            if entry.msgstr and not entry.obsolete:
                self._imported.setdefault((None, entry.msgid), entry.msgstr)

    def lookup(self, msgid: str, msgctxt: str | None = None) -> str | None:
        """The reviewed translation of ``msgid``; the most frequent one (then first in order) if
        people differ; else an imported one."""
        found = self._found.get((msgctxt, msgid))
        if not found:
            return self._imported.get((None, msgid))
        return found.most_common(1)[0][0]

    def __len__(self) -> int:
        return len(self._found)


def memory_path(settings: Settings, lang: str) -> Path:
    return settings.locales_path / lang / "memory.po"


def read_imported(settings: Settings, lang: str) -> polib.POFile | None:
    """The imported translations of ``lang``, if any were imported."""
    path = memory_path(settings, lang)
    if not path.exists():
        return None
    return catalogs.read_catalog(path, path.relative_to(settings.root))
