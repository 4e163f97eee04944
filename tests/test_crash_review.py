"""Crash safety of `homelang review import`: SIGKILL at random moments, then a re-run.

A real packet is exported, edited as a volunteer would (most entries confirmed, some
corrected, some left as drafts, one with a check error) while another person reviews
one of its entries in the catalog meanwhile, so an import writes two catalogs, the
conflicts file and the assignments. After each kill: every PO parses and passes
msgfmt, no reviewed translation is lost, the assignments and conflicts still parse;
then a re-run must leave exactly what one uninterrupted import leaves.
"""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import pytest
import test_review
from conftest import load
from killing import (
    HOMELANG,
    Tally,
    check_catalogs,
    check_review_files,
    kill_at_random,
    record,
    restore_tree,
    reviewed_translations,
    timed_run,
    tree,
)
from test_review import AM, confirm

from pipeline import states

drafted = test_review.drafted  # Amharic catalogs full of machine drafts (a fixture)

MEANWHILE = "ሌላ ሰው የገመገመው ትርጉም።"


def volunteer_edits(packet_path: Path) -> None:
    """Confirm most entries, correct some, leave some as drafts, break one link (a check error)."""
    packet = load(packet_path)
    for n, entry in enumerate(packet):
        if n % 5 == 3:
            continue  # still "Needs work"
        if n % 5 == 1:
            entry.msgstr = entry.msgstr.replace("ቃል", "ቃላት", 1)
        confirm(entry)
    broken = next(e for e in packet if "](" in e.msgstr)
    broken.msgstr = broken.msgstr.replace("](", "] (", 1)
    confirm(broken)
    packet.metadata["Last-Translator"] = "Amina Abdi <amina@example.org>"
    packet.save(str(packet_path))


def reviewed_meanwhile(root: Path) -> None:
    """Someone else reviews the notice's second entry in the catalog while the packet is out."""
    catalog = load(root / AM)
    entry = [e for e in catalog if not e.obsolete][1]
    entry.msgstr = MEANWHILE
    states.mark_reviewed(entry, "Bilal", "2026-11-29")
    catalog.save(str(root / AM))


def trials(root: Path, homelang, packet_path: Path, count: int, figures: dict) -> None:
    homelang("review", "export", "--lang", "am", "--reviewer", "Amina", "-o", str(packet_path))
    volunteer_edits(packet_path)
    reviewed_meanwhile(root)
    locales = root / "locales"
    baseline = tree(locales)
    keep = reviewed_translations(root)
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(time.time()))}
    args = ["-C", str(root), "review", "import", str(packet_path)]
    duration = timed_run(args, env, expect=1) * 1.3  # drafts and a conflict are left
    reference = tree(locales)  # what one uninterrupted import leaves
    assert reference != baseline and "am/review-conflicts.po" in reference
    assert "am/review-assignments.json" not in reference
    rng = random.Random(20261201)
    tally, hashes = Tally(), {}
    for _ in range(count):
        restore_tree(locales, baseline)
        kill_at_random(args, duration, rng, tally, env)
        check_catalogs(root, keep, hashes, tally)
        check_review_files(root, tally)
        rerun = subprocess.run([*HOMELANG, *args], capture_output=True, text=True, env=env)
        assert rerun.returncode == 1, rerun.stderr
        if tree(locales) != reference:
            changed = sorted(
                k for k in {*reference, *tree(locales)} if reference.get(k) != tree(locales).get(k)
            )
            tally.corrupt.append(f"after a kill and a re-run, differs from one import: {changed}")
    record(figures, tally)
    assert tally.killed_mid_run > 0
    assert tally.corrupt == []
    assert tally.lost == []
    final = {e.msgid: e for e in load(root / AM)}
    assert (
        sum(e.msgstr == MEANWHILE and states.reviewer(e)[0] == "Bilal" for e in final.values()) == 1
    )


def test_review_import_survives_sigkill_fast(
    drafted: Path, homelang, tmp_path: Path, figures: dict
) -> None:
    trials(drafted, homelang, tmp_path / "amina.po", 4, figures)


@pytest.mark.slow
def test_review_import_survives_sigkill_long(
    drafted: Path, homelang, tmp_path: Path, figures: dict
) -> None:
    trials(drafted, homelang, tmp_path / "amina.po", 40, figures)
