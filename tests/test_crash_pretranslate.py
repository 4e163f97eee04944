"""Crash safety of `homelang pretranslate`: SIGKILL at random moments loses no one's work.

A real process sends to the loopback LibreTranslate server (a little latency, small
requests, so a run lasts long enough to be cut anywhere: mid-request, mid-checkpoint,
mid-cache-write). After each kill every PO parses and passes msgfmt, every reviewed
translation and a person's draft are still there, every machine draft is a whole
answer from the server, and the cache still opens; a final re-run fills everything.
"""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

import libre_server
import pytest
from conftest import all_catalogs, load
from killing import Tally, check_catalogs, kill_at_random, record, reviewed_translations, timed_run
from libre_server import LibreServer
from test_pretranslate import LIBRE_LANGS, configure_libre

from pipeline import states

libre = libre_server.libre  # the loopback server fixture

DRAFT = "Borrador de una persona, todavía difuso."


def people_worked(root: Path) -> None:
    """A reviewer's translations in every Libre language and one person's fuzzy draft in Spanish."""
    for lang in LIBRE_LANGS:
        for path in root.glob(f"locales/{lang}/LC_MESSAGES/*.po"):
            catalog = load(path)
            live = [e for e in catalog if not e.obsolete]
            for entry in live[::4]:
                entry.msgstr = f"{lang} reviewed: {entry.msgid}"
                states.mark_reviewed(entry, "Amina", "2026-11-29")
            if path.name == "sanctuary-resolution.po" and lang == "es":
                live[1].msgstr = DRAFT
                live[1].flags.append("fuzzy")
            catalog.save(str(path))


def machine_drafts_whole(root: Path, tally: Tally) -> None:
    """A machine draft is the server's answer with every token restored, and the draft kept."""
    drafts = 0
    for path in all_catalogs(root):
        lang = path.parts[-3]
        for entry in load(path):
            if entry.msgstr == DRAFT:
                drafts += 1
            if states.machine_provider(entry) == "libre" and (
                not entry.msgstr.startswith(f"{lang}: ") or "⟦" in entry.msgstr
            ):
                tally.corrupt.append(f"{path}: bad machine draft {entry.msgstr[:40]!r}")
    if drafts != 1:
        tally.lost.append(f"the person's draft: found {drafts} times")


def cache_sound(root: Path, tally: Tally) -> None:
    """The cache passes SQLite's integrity check and holds no empty answer.

    A kill right after the file was created leaves it without its table; the next
    run creates the table, so that is sound too.
    """
    path = root / ".homelang/cache.sqlite"
    if not path.exists():
        return
    db = sqlite3.connect(path)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            tally.corrupt.append(f"{path}: integrity check failed")
        tables = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if (
            "translations" in tables
            and db.execute(
                "SELECT count(*) FROM translations WHERE trim(translation) = ''"
            ).fetchone()[0]
        ):
            tally.corrupt.append(f"{path}: an empty translation cached")
    finally:
        db.close()


def drop_cache(root: Path) -> None:
    for name in ("cache.sqlite", "cache.sqlite-wal", "cache.sqlite-shm"):
        (root / ".homelang" / name).unlink(missing_ok=True)


def trials(root: Path, server: LibreServer, count: int, figures: dict) -> None:
    people_worked(root)
    server.behavior.latency = 0.01
    configure_libre(root, server.url, max_chars_per_request=300)
    baseline = {p: p.read_bytes() for p in all_catalogs(root)}
    keep = reviewed_translations(root)
    args = ["-C", str(root), "pretranslate", "--provider", "libre", "--workers", "2"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    duration = timed_run(args, env) * 1.3
    rng = random.Random(20261130)
    tally, hashes = Tally(), {}
    for n in range(count):
        for path, data in baseline.items():
            path.write_bytes(data)
        if n % 3 != 2:  # mostly from scratch; every third run finds the cache warm
            drop_cache(root)
        kill_at_random(args, duration, rng, tally, env)
        check_catalogs(root, keep, hashes, tally)
        machine_drafts_whole(root, tally)
        cache_sound(root, tally)
    timed_run(args, env)  # a re-run completes
    check_catalogs(root, keep, hashes, tally)
    machine_drafts_whole(root, tally)
    record(figures, tally)
    assert tally.killed_mid_run > 0
    assert tally.corrupt == []
    assert tally.lost == []
    for path in all_catalogs(root):
        if path.parts[-3] in LIBRE_LANGS:
            assert all(e.msgstr for e in load(path) if not e.obsolete), path


def test_pretranslate_survives_sigkill_fast(
    catalogs_ready: Path, libre: LibreServer, figures: dict
) -> None:
    trials(catalogs_ready, libre, 4, figures)


@pytest.mark.slow
def test_pretranslate_survives_sigkill_long(
    catalogs_ready: Path, libre: LibreServer, figures: dict
) -> None:
    trials(catalogs_ready, libre, 50, figures)
