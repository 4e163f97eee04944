"""Crash safety of `homelang update`: SIGKILL at random moments never corrupts or loses work."""

from __future__ import annotations

import random
import shutil
import sys
from pathlib import Path

import pytest
from killing import Tally, check_catalogs, kill_at_random, reviewed_translations, timed_run

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from corpus import make_project  # noqa: E402


def trials(tmp_path: Path, count: int, figures: dict) -> None:
    root = tmp_path / "project"
    make_project(root, docs=6, per_doc=60, share_edited=0.2)  # 72 catalogs: the parallel path
    edited = {p.name: p.read_bytes() for p in (root / "locales").glob("*.pot")}
    original = tmp_path / "original"
    original.mkdir()
    for pot in (root / "locales").glob("*.pot"):
        # the corpus wrote edited templates; the catalogs match the original English
        shutil.copy(pot, original / pot.name)
    keep = reviewed_translations(root)
    duration = timed_run(["-C", str(root), "update"]) * 1.3
    rng = random.Random(20261129)
    tally, hashes = Tally(), {}
    for n in range(count):
        for pot in (root / "locales").glob("*.pot"):  # alternate the English so every run writes
            pot.write_bytes(edited[pot.name] if n % 2 else (original / pot.name).read_bytes())
        kill_at_random(["-C", str(root), "update"], duration, rng, tally)
        check_catalogs(root, keep, hashes, tally)
    timed_run(["-C", str(root), "update"])  # a re-run completes
    check_catalogs(root, keep, hashes, tally)
    figures["SIGKILL trials"] = figures.get("SIGKILL trials", 0) + tally.trials
    figures["corrupt catalogs"] = figures.get("corrupt catalogs", 0) + len(tally.corrupt)
    figures["lost reviewed entries"] = figures.get("lost reviewed entries", 0) + len(tally.lost)
    assert tally.killed_mid_run > 0
    assert tally.corrupt == []
    assert tally.lost == []


def test_update_survives_sigkill_fast(tmp_path: Path, figures: dict) -> None:
    trials(tmp_path, 6, figures)


@pytest.mark.slow
def test_update_survives_sigkill_long(tmp_path: Path, figures: dict) -> None:
    trials(tmp_path, 60, figures)
