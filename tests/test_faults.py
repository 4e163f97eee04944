"""Provider faults, one table: whatever the engine does wrong, nothing wrong is written.

deep-translator's real LibreTranslator client talks to the loopback server, which
answers too slowly (past our deadline), with 429, with 500, with garbage, with empty
text, or with a token dropped. For every mode: the run exits 1 and names, per
language, what failed; no entry holds bad text (an entry is either untouched or a
whole translation with its links and placeholders); the cache keeps no failure (no
row at all when everything failed, and only token-complete, non-empty output
otherwise), so a later run asks the engine again.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import all_catalogs, load, msgfmt_check
from libre_server import LibreServer
from test_pretranslate import KEPT, LIBRE_LANGS, configure_libre

from pipeline import markup, states
from pipeline.memory import Cache

_TOKEN = re.compile(r"⟦\d+⟧")


class FaultyServer(LibreServer):
    """The loopback server, plus one fault it lacks: a 200 answer with empty text."""

    empty = ""  # answer this (e.g. "" or "  ") instead of the translation, when set
    answer_empty = False

    def _answer(self, fields: dict[str, str]) -> tuple[int, bytes]:
        status, body = super()._answer(fields)
        if self.answer_empty and status == 200:
            return 200, json.dumps({"translatedText": self.empty}).encode()
        return status, body


#: mode -> (server behaviour, provider options, what the report says, whether every entry fails)
MODES = {
    "slow": ({"latency": 0.6}, {"timeout": 0.2}, "did not answer within 0.2 s", True),
    "429": ({"always_status": 429}, {}, "rate limiting us", True),
    "500": ({"always_status": 500}, {}, "server error (500)", True),
    "garbage": ({"garbage": True}, {}, "not a translation", True),
    "empty": ({"answer_empty": True}, {}, "returned no translation", True),
    "blank": ({"answer_empty": True, "empty": "  \n "}, {}, "returned no translation", True),
    "dropped-token": ({"drop_tokens": True}, {}, "broken tokens rejected", False),
}


def cached(root: Path) -> list[tuple[str, str]]:
    path = root / ".homelang/cache.sqlite"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT text, translation FROM translations").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("mode", list(MODES))
def test_a_faulty_provider_writes_nothing_wrong_and_says_what_failed(
    catalogs_ready: Path, homelang, mode: str
) -> None:
    behavior, options, message, all_fail = MODES[mode]
    before = {p: p.read_bytes() for p in all_catalogs(catalogs_ready)}
    with FaultyServer() as server:
        for key, value in behavior.items():
            setattr(server.behavior if hasattr(server.behavior, key) else server, key, value)
        configure_libre(catalogs_ready, server.url, retries=1, **options)
        result = homelang("pretranslate", "--provider", "libre", expect=1)
    for lang in LIBRE_LANGS:
        line = next((x for x in result.output.splitlines() if x.startswith(f"{lang}: libre:")), "")
        assert message in line, result.output
    rows = cached(catalogs_ready)
    if all_fail:
        assert {p: p.read_bytes() for p in all_catalogs(catalogs_ready)} == before
        assert rows == []
        return
    for text, translation in rows:  # only whole answers are remembered
        assert translation.strip() and sorted(_TOKEN.findall(translation)) == sorted(
            _TOKEN.findall(text)
        )
    filled = failed = 0
    for path in all_catalogs(catalogs_ready):
        msgfmt_check(path)
        for entry in load(path):
            if entry.obsolete:
                continue
            if not entry.msgstr:
                failed += 1
                assert "fuzzy" not in entry.flags and not states.machine_provider(entry)
                continue
            filled += 1
            assert states.machine_provider(entry) == "libre"
            assert markup.inventory(entry.msgstr, KEPT) == markup.inventory(entry.msgid, KEPT)
    assert filled and failed


# --- the cache damaged while a run uses it ----------------------------------------------------
ROWS = 20_000  # several megabytes: more than SQLite keeps in memory, so reads reach the disk


def _key(n: int) -> str:
    return f"Notice {n}: " + "the school bus leaves at eight. " * 6


def _garble_pages(path: Path) -> None:
    """Overwrite every seventh page (after the first) with bytes that are no SQLite page."""
    with path.open("r+b") as file:
        for page in range(1, path.stat().st_size // 4096, 7):
            file.seek(page * 4096)
            file.write(bytes(range(256)) * 16)


@pytest.mark.parametrize("read_only", [False, True], ids=["writing", "dry-run"])
def test_a_cache_damaged_after_it_was_opened_is_dropped_not_a_traceback(
    tmp_path: Path, read_only: bool
) -> None:
    path = tmp_path / "cache.sqlite"
    cache = Cache(path)
    cache.put_many("libre", "en", "es", [(_key(n), f"Aviso {n}") for n in range(ROWS)])
    cache.close()
    cache = Cache(path, read_only=read_only)
    assert cache.get("libre", "en", "es", _key(7)) == "Aviso 7" and not cache.problem
    _garble_pages(path)
    found = [cache.get("libre", "en", "es", _key(n)) for n in range(0, ROWS, 11)]
    assert None in found  # what the damaged file held is asked of the engine again
    assert set(found) - {None} <= {f"Aviso {n}" for n in range(ROWS)}
    assert "damaged" in cache.problem
    if not read_only:  # started afresh: what the run learns next is kept
        cache.put_many("libre", "en", "es", [("new", "nuevo")])
        assert cache.get("libre", "en", "es", "new") == "nuevo"
    cache.close()
    if not read_only:
        assert Cache(path).get("libre", "en", "es", "new") == "nuevo"
