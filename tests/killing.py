"""SIGKILL trials: start a homelang command, kill it at a random moment, check what is on disk."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import catalogs, states
from pipeline.errors import CatalogError

HOMELANG = [sys.executable, "-m", "pipeline"]


def reviewed_translations(root: Path) -> dict[Path, set[str]]:
    """Per catalog, the text of every reviewed (person's, not fuzzy) translation."""
    found = {}
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        catalog = catalogs.read_catalog(path)
        found[path] = {
            e.msgstr for e in catalog if not e.obsolete and states.state(e) == "reviewed"
        }
    return found


@dataclass
class Tally:
    trials: int = 0
    killed_mid_run: int = 0
    corrupt: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    broken: list[str] = field(
        default_factory=list
    )  # build outputs: half-written, or stale yet vouched for


def check_catalogs(
    root: Path, keep: dict[Path, set[str]], hashes: dict[Path, str], tally: Tally
) -> None:
    """Every PO parses and passes msgfmt --check; every reviewed translation is still there."""
    for path in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        try:
            catalog = catalogs.parse_catalog(data, path)
        except CatalogError as exc:
            tally.corrupt.append(str(exc))
            continue
        if hashes.get(path) != digest:
            proc = subprocess.run(
                ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
            )
            if proc.returncode:
                tally.corrupt.append(f"{path}: {proc.stderr.strip()}")
            hashes[path] = digest
        present = {e.msgstr for e in catalog}
        missing = keep.get(path, set()) - present
        tally.lost.extend(f"{path}: {m[:40]!r}" for m in missing)


def kill_at_random(
    args: list[str], duration: float, rng: random.Random, tally: Tally, env: dict | None = None
) -> None:
    """Run ``homelang args`` and SIGKILL it after a random share of ``duration``."""
    proc = subprocess.Popen(
        [*HOMELANG, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env
    )
    time.sleep(rng.uniform(0.0, duration))
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
        tally.killed_mid_run += 1
    proc.wait()
    tally.trials += 1


def timed_run(args: list[str], env: dict | None = None, expect: int = 0) -> float:
    start = time.perf_counter()
    proc = subprocess.run([*HOMELANG, *args], stdout=subprocess.DEVNULL, env=env)
    assert proc.returncode == expect, f"exit {proc.returncode}, not {expect}: {args}"
    return time.perf_counter() - start


def record(figures: dict, tally: Tally) -> None:
    """Add a tally to the figures `make reliability` prints (the keys add up across tests)."""
    for key, value in (
        ("SIGKILL trials", tally.trials),
        ("corrupt catalogs", len(tally.corrupt)),
        ("lost reviewed entries", len(tally.lost)),
        ("broken outputs", len(tally.broken)),
    ):
        figures[key] = figures.get(key, 0) + value


def check_review_files(root: Path, tally: Tally) -> None:
    """Review assignments (JSON) and conflicts (PO) files still parse, the PO under msgfmt --check too."""
    for path in sorted((root / "locales").glob("*/review-assignments.json")):
        try:
            packets = json.loads(path.read_text("utf-8"))["packets"]
            assert isinstance(packets, list)
        except (ValueError, KeyError, TypeError, AssertionError) as exc:
            tally.corrupt.append(f"{path}: {exc!r}")
    for path in sorted((root / "locales").glob("*/review-conflicts.po")):
        try:
            catalogs.read_catalog(path)
        except CatalogError as exc:
            tally.corrupt.append(str(exc))
            continue
        proc = subprocess.run(
            ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
        )
        if proc.returncode:
            tally.corrupt.append(f"{path}: {proc.stderr.strip()}")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (relative path -> bytes), but a killed write's git-ignored temporary."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".tmp"))
    }


def restore_tree(folder: Path, files: dict[str, bytes]) -> None:
    """Make ``folder`` hold exactly ``files``: a trial starts from the same state every time."""
    for path in [p for p in folder.rglob("*") if p.is_file()]:
        if path.relative_to(folder).as_posix() not in files:
            path.unlink()
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if not (folder / name).exists() or (folder / name).read_bytes() != data:
            (folder / name).write_bytes(data)
