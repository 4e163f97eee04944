"""Crash safety of `homelang review import` and of online saves: SIGKILL at random moments.

A real packet is exported, edited as a volunteer would (most entries confirmed, some
corrected, some left as drafts, one with a check error) while another person reviews
one of its entries in the catalog meanwhile, so an import writes two catalogs, the
conflicts file and the assignments. After each kill: every PO parses and passes
msgfmt, no reviewed translation is lost, the assignments and conflicts still parse;
then a re-run must leave exactly what one uninterrupted import leaves.

Online: four threads of a process save every entry of two catalogs, as
``homelang serve`` does, printing each save it was told is done; killed anywhere,
every catalog passes msgfmt and every save reported done is in its catalog.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
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

from pipeline import invites, states
from pipeline.assignments import entry_key
from pipeline.settings import load as load_settings

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


#: Four reviewers (threads, as in the server) saving every entry of the notice and its
#: FAQ; each line is printed once the save has returned (the server would then say so).
SAVER = """
import sys
import threading
from pathlib import Path
from pipeline import invites, online, settings

project = settings.load(Path(sys.argv[1]))
invite = invites.lookup(project, sys.argv[2])
items = [
    i for i in online.queue(project, invite)
    if i.doc_id != "templates" and not isinstance(i.text, dict)
]
printing = threading.Lock()


def reviewer(chosen):
    for n, item in chosen:
        ethiopic = "".join(chr(0x1200 + int(c, 16)) for c in item.key)
        text = f"ቃላት {ethiopic} ተቀምጧል።"
        base = item.base if n % 5 else "0" * 12  # as if someone saved it meanwhile
        done = online.save(project, invite, item.key, base, text, True)
        with printing:
            sys.stdout.write(f"{done.outcome} {item.doc_id} {item.key} {text}\\n")
            sys.stdout.flush()


numbered = list(enumerate(items))
threads = [threading.Thread(target=reviewer, args=(numbered[k::4],)) for k in range(4)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
"""
DOCS = {"sanctuary-resolution": AM, "sanctuary-resolution-faq": test_review.FAQ}


def saved_texts(root: Path) -> tuple[dict[str, str], set[str]]:
    """Every entry's text in the two catalogs by key, and the texts kept aside."""
    found = {
        entry_key(doc_id, e): e.msgstr
        for doc_id, path in DOCS.items()
        for e in load(root / path)
        if not e.obsolete
    }
    conflicts = root / test_review.CONFLICTS
    kept = {e.msgstr for e in load(conflicts) if not e.obsolete} if conflicts.exists() else set()
    return found, kept


def online_trials(root: Path, count: int, figures: dict) -> None:
    _, token = invites.create(load_settings(root), "am", "Amina")
    locales = root / "locales"
    baseline = tree(locales)
    keep = reviewed_translations(root)
    args = [sys.executable, "-c", SAVER, str(root), token]
    start = time.perf_counter()
    lines = subprocess.run(args, capture_output=True, text=True, check=True).stdout.splitlines()
    duration = (time.perf_counter() - start) * 1.2
    outcomes = {line.split(" ")[0] for line in lines}
    assert len(lines) > 20 and outcomes == {"reviewed", "check-error", "conflict"}
    rng = random.Random(20261202)
    tally, hashes, partial = Tally(), {}, 0
    for _ in range(count):
        restore_tree(locales, baseline)
        proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        time.sleep(rng.uniform(0.0, duration))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            tally.killed_mid_run += 1
        reported = proc.communicate()[0].splitlines()
        tally.trials += 1
        check_catalogs(root, keep, hashes, tally)
        check_review_files(root, tally)
        found, kept = saved_texts(root)
        partial += 0 < len(reported) < len(lines)
        for line in reported:
            outcome, doc_id, key, text = line.split(" ", 3)
            if (text not in kept) if outcome == "conflict" else (found.get(key) != text):
                tally.lost.append(f"{doc_id} {key}: {outcome} reported, not on disk")
    record(figures, tally)
    assert tally.killed_mid_run > 0 and (partial > 0 or count < 20)
    assert tally.corrupt == []
    assert tally.lost == []


def test_online_saves_survive_sigkill_fast(drafted: Path, figures: dict) -> None:
    online_trials(drafted, 4, figures)


@pytest.mark.slow
def test_online_saves_survive_sigkill_long(drafted: Path, figures: dict) -> None:
    online_trials(drafted, 40, figures)
