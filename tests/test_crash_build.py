"""Crash safety of `homelang build` and `homelang letters`: outputs are whole, the manifest honest.

The inputs alternate between two states (a district phone number every page prints,
and Spanish losing one review so its vital notice is withdrawn; for letters, a
roster edit), and each run is killed at a random moment. References are the
outputs of one uninterrupted run per state (builds are deterministic). After each
kill: every output on disk is byte-for-byte one of the two references (never half
a file; the reference PDFs are read back with pypdf), and every output the build
manifest vouches for holds what the manifest says, so the next build rebuilds what
a kill interrupted; a final re-run gives exactly the reference of the last state.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from killing import (
    HOMELANG,
    Tally,
    check_catalogs,
    kill_at_random,
    record,
    reviewed_translations,
    timed_run,
    tree,
)
from pypdf import PdfReader
from test_build import FAQ, NOTICE, review
from test_letters import SAMPLE_ROSTER

MANIFEST = ".manifest.json"
SUMMARY = "summary.json"


def set_phone(root: Path, phone: str) -> None:
    settings = root / "pyproject.toml"
    text = settings.read_text("utf-8")
    start = text.index('phone = "', text.index("[tool.homelang.district]")) + len('phone = "')
    settings.write_text(text[:start] + phone + text[text.index('"', start) :], "utf-8")


def readable(files: dict[str, bytes], folder: Path) -> None:
    """Every reference PDF is a whole PDF with text in it (pypdf), every snippet a whole section."""
    for name in files:
        if name.endswith(".pdf"):
            reader = PdfReader(folder / name)
            assert reader.pages and (reader.pages[0].extract_text() or "").strip(), name
        elif name.endswith(".web.html"):
            assert files[name].rstrip().endswith(b"</section>"), name


def judge(
    folder: Path, states: list[dict[str, bytes]], tally: Tally, manifests: list[dict] | None = None
) -> None:
    """Each output is whole (one of the references); the manifest vouches only for what is there."""
    found = tree(folder)
    for name, data in found.items():
        if name not in (MANIFEST, SUMMARY) and not any(s.get(name) == data for s in states):
            tally.broken.append(f"{folder / name}: neither reference ({len(data)} bytes)")
    if manifests is None or MANIFEST not in found:
        return
    claims = json.loads(found[MANIFEST])
    for name, fingerprint in claims.items():
        for state, manifest in zip(states, manifests, strict=True):
            if manifest.get(name) == fingerprint and found.get(name) != state.get(name):
                tally.broken.append(
                    f"{folder / name}: the manifest vouches for an output that is missing or stale"
                )


def summary_honest(folder: Path, states: list[dict[str, bytes]], tally: Tally) -> None:
    """A merge's summary.json describes the letters beside it, or says the merge is unfinished."""
    found = tree(folder)
    if SUMMARY in found and not any(found[SUMMARY] == state[SUMMARY] for state in states):
        if json.loads(found[SUMMARY]).get("unfinished") is not True:
            tally.broken.append(f"{folder / SUMMARY}: neither reference nor unfinished")
    for state in states:
        if found.get(SUMMARY) == state[SUMMARY]:
            stale = sorted(
                n for n in {*state, *found} if n != SUMMARY and found.get(n) != state.get(n)
            )
            if stale:
                tally.broken.append(f"{folder / SUMMARY} describes other letters than {stale}")


def build_trials(root: Path, homelang, count: int, figures: dict) -> None:
    for lang in ("es", "so", "am", "ar", "vi"):
        for doc in (NOTICE, FAQ, "templates"):
            review(root, lang, doc)
    spanish = root / f"locales/es/LC_MESSAGES/{NOTICE}.po"
    inputs = []
    for phone, leave in (("612-668-0000", 0), ("612-668-0999", 1)):
        set_phone(root, phone)
        review(root, "es", NOTICE, leave=leave)
        inputs.append((root / "pyproject.toml").read_bytes())
        inputs.append(spanish.read_bytes())
    folder = root / "build"
    args = ["-C", str(root), "build"]
    references, manifests = [], []
    for n in range(2):
        (root / "pyproject.toml").write_bytes(inputs[2 * n])
        spanish.write_bytes(inputs[2 * n + 1])
        shutil.rmtree(folder, ignore_errors=True)
        duration = timed_run(args) * 1.3
        references.append(tree(folder))
        manifests.append(json.loads(references[-1].pop(MANIFEST)))
        readable(references[-1], folder)
    assert (
        f"es/{NOTICE}.letter.pdf" in references[0]
        and f"es/{NOTICE}.letter.pdf" not in references[1]
    )
    keep = reviewed_translations(root)
    rng = random.Random(20261202)
    tally, hashes = Tally(), {}
    for n in range(count):
        (root / "pyproject.toml").write_bytes(inputs[2 * (n % 2)])
        spanish.write_bytes(inputs[2 * (n % 2) + 1])
        kill_at_random(args, duration, rng, tally)
        judge(folder, references, tally, manifests)
        check_catalogs(root, keep, hashes, tally)
    timed_run(args)  # a re-run completes, and rebuilds what the kills interrupted
    final = tree(folder)
    final.pop(MANIFEST)
    if final != references[(count - 1) % 2]:
        tally.broken.append("the re-run after the kills differs from an uninterrupted build")
    record(figures, tally)
    assert tally.killed_mid_run > 0
    assert tally.corrupt == [] and tally.broken == []
    assert tally.lost == []


def test_build_survives_sigkill_fast(catalogs_ready: Path, homelang, figures: dict) -> None:
    build_trials(catalogs_ready, homelang, 3, figures)


@pytest.mark.slow
def test_build_survives_sigkill_long(catalogs_ready: Path, homelang, figures: dict) -> None:
    build_trials(catalogs_ready, homelang, 40, figures)


def letters_trials(root: Path, count: int, figures: dict) -> None:
    for lang in ("es", "ar"):
        review(root, lang, NOTICE)
        review(root, lang, "templates")
    sample = SAMPLE_ROSTER.read_text("utf-8")
    rosters = [  # the second one renames a school: the first one's PDF must go
        sample,
        sample.replace("Carmen Ramírez", "Carmen Ramírez López")
        .replace(",Somali,", ",es,")
        .replace("Green Central Park Elementary", "Green Central Park School"),
    ]
    assert rosters[0] != rosters[1]
    roster = root / "roster.csv"
    folder = root / "build/private" / NOTICE
    args = ["-C", str(root), "letters", "--roster", str(roster), "--doc", NOTICE]
    references = []
    for text in rosters:
        roster.write_text(text, "utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        duration = timed_run(args) * 1.3
        references.append(tree(folder))
        readable(references[-1], folder)
    rng = random.Random(20261203)
    tally, hashes = Tally(), {}
    keep = reviewed_translations(root)
    for n in range(count):
        roster.write_text(rosters[n % 2], "utf-8")
        kill_at_random(args, duration, rng, tally)
        judge(folder, references, tally)
        summary_honest(folder, references, tally)
        check_catalogs(root, keep, hashes, tally)
    subprocess.run([*HOMELANG, *args], check=True, capture_output=True)
    if tree(folder) != references[(count - 1) % 2]:
        tally.broken.append("the re-run after the kills differs from an uninterrupted merge")
    record(figures, tally)
    assert tally.killed_mid_run > 0
    assert tally.corrupt == [] and tally.broken == []
    assert tally.lost == []


def test_letters_survive_sigkill_fast(catalogs_ready: Path, figures: dict) -> None:
    letters_trials(catalogs_ready, 3, figures)


@pytest.mark.slow
def test_letters_survive_sigkill_long(catalogs_ready: Path, figures: dict) -> None:
    letters_trials(catalogs_ready, 30, figures)
