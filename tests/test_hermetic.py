"""The suite's verdicts hold on any machine: the shell's HOMELANG_* variables and what
else sits in the repository's source/ never reach a test."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PROJECT_FILES, REPO, copy_project


def test_homelang_variables_of_the_shell_never_reach_a_test_or_its_subprocesses() -> None:
    # A libre URL and key in the shell (as the README recommends) once failed 15 tests.
    env = {
        **os.environ,
        "HOMELANG_LIBRE_URL": "http://127.0.0.1:9",
        "HOMELANG_LIBRE_API_KEY": "shell-key",
        "HOMELANG_GOOGLE_RETRIES": "-1",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "tests/test_pretranslate.py",
            "-k",
            "pseudo_text_is_a_preview_only or killed_run_leaves_valid_catalogs",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_a_project_copy_holds_exactly_the_listed_files(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p")
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == sorted(PROJECT_FILES)
