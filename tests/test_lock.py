"""Two homelang processes on one project never write at the same time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.errors import LockError
from pipeline.lock import project_lock

HOLD = """
import sys, time
from pathlib import Path
from pipeline.lock import project_lock
with project_lock(Path(sys.argv[1]), "homelang update"):
    print("held", flush=True)
    time.sleep(60)
"""


def hold_lock(state: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_second_run_is_refused_with_who_and_since(catalogs_ready: Path, homelang) -> None:
    holder = hold_lock(catalogs_ready / ".homelang")
    try:
        before = {p: p.read_bytes() for p in (catalogs_ready / "locales").rglob("*.po")}
        result = homelang("update", expect=2)
        assert (
            "another homelang run holds the project lock ('homelang update', pid" in result.output
        )
        assert "since 20" in result.output
        assert {p: p.read_bytes() for p in (catalogs_ready / "locales").rglob("*.po")} == before
        homelang("languages")  # read-only commands still run
        homelang("update", "--check")
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_lock_of_a_killed_run_is_recovered(catalogs_ready: Path, homelang) -> None:
    holder = hold_lock(catalogs_ready / ".homelang")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    assert (catalogs_ready / ".homelang/lock").exists()
    homelang("update")


def test_lock_is_released_after_a_run(tmp_path: Path) -> None:
    with project_lock(tmp_path, "a"):
        with pytest.raises(LockError):
            with project_lock(tmp_path, "b"):
                pass
    with project_lock(tmp_path, "c"):
        pass


def test_the_lock_file_is_quoted_only_when_it_holds_our_own_words(
    catalogs_ready: Path, homelang
) -> None:
    holder = hold_lock(catalogs_ready / ".homelang")
    try:
        (catalogs_ready / ".homelang/lock").write_text("\x1b]0;owned\x07 secret=AKIA123", "utf-8")
        result = homelang("update", expect=2)
        assert "holds the project lock (unknown)" in result.output
        assert "AKIA" not in result.output and "\x1b" not in result.output
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
