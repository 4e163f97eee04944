"""Shared fixtures: a copy of the sample project in tmp_path, the CLI, GNU gettext as judge.

Hermetic: every test runs with the ``HOMELANG_*`` variables of the shell cleared (its
subprocesses too), on a copy of exactly the files listed in ``PROJECT_FILES``, so a
user's environment or one more notice in the repository's ``source/`` never changes a
verdict.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]
#: What the tests' project is made of, file by file (never a whole folder, so a notice
#: added to the repository's source/ changes no test); tests copy these, never write into
#: the repository.
PROJECT_FILES = (
    "pyproject.toml",
    "glossary.csv",
    "source/notices/sanctuary-resolution.md",
    "source/faq/sanctuary-resolution-faq.md",
)
#: A switch of the test suite itself (regenerate golden files), not a homelang setting.
KEPT_VARIABLES = {"HOMELANG_REGEN_GOLDEN"}


def copy_project(root: Path) -> Path:
    """Copy the sample project (settings and English sources, no catalogs) into ``root``."""
    for name in PROJECT_FILES:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, root / name)
    return root


@pytest.fixture(autouse=True)
def _no_homelang_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Clear the shell's ``HOMELANG_*`` variables (keys, URLs) for the test and its subprocesses."""
    for name in list(os.environ):
        if name.startswith("HOMELANG_") and name not in KEPT_VARIABLES:
            monkeypatch.delenv(name)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the sample project in tmp_path."""
    return copy_project(tmp_path / "project")


def trials(count: int):
    """Hypothesis settings for the long trials: ``count`` cases, no deadline, no database."""
    from hypothesis import HealthCheck, settings

    return settings(
        max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )


class Homelang:
    """Runs ``homelang -C <project> ...`` in-process with click's CliRunner."""

    def __init__(self, root: Path):
        self.root = root

    def __call__(self, *args: str, expect: int | None = 0, input: str | None = None) -> Result:
        result = CliRunner().invoke(
            main, ["-C", str(self.root), *args], input=input, catch_exceptions=False
        )
        if expect is not None:
            assert result.exit_code == expect, f"exit {result.exit_code}:\n{result.output}"
        return result


@pytest.fixture
def homelang(project: Path) -> Homelang:
    return Homelang(project)


@pytest.fixture
def catalogs_ready(project: Path, homelang: Homelang) -> Path:
    """The sample project after ``extract`` and ``update``."""
    homelang("extract")
    homelang("update")
    return project


def msgfmt_check(path: Path) -> None:
    """GNU gettext accepts the file: syntax, header and format strings."""
    args = ["msgfmt", "--check-format", "-o", "/dev/null", str(path)]
    if path.suffix == ".po":
        args.insert(1, "--check-header")
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, f"msgfmt rejected {path}:\n{proc.stderr}"
    if path.suffix == ".po":
        assert "warning" not in proc.stderr, proc.stderr


def all_catalogs(root: Path) -> list[Path]:
    return sorted((root / "locales").glob("*/LC_MESSAGES/*.po"))


def load(path: Path) -> polib.POFile:
    return polib.pofile(str(path), wrapwidth=0)


# --- figures printed at the end of a run (`make reliability` quotes them) ----------------
_FIGURES: dict[str, int] = {}


@pytest.fixture(scope="session")
def figures() -> dict[str, int]:
    """Counters a trial adds to (``figures["SIGKILL trials"] += 1``); printed after the run."""
    return _FIGURES


#: The order figures are printed in; groups are separated by "; ", other keys come last.
FIGURE_GROUPS = (
    ("SIGKILL trials", "corrupt catalogs", "lost reviewed entries", "broken outputs"),
    ("bad inputs", "tracebacks", "changed files", "files changed outside"),
    ("XSS payloads", "scripts run", "requests leaked"),
    ("privacy markers leaked",),
)


def figures_line(found: dict[str, int]) -> str:
    """``SIGKILL trials: 220, corrupt catalogs: 0, ...; bad inputs: 1200, ...``: one line."""
    known = {key for group in FIGURE_GROUPS for key in group}
    groups = [[k for k in group if k in found] for group in FIGURE_GROUPS]
    groups.append([k for k in found if k not in known])
    return "; ".join(", ".join(f"{k}: {found[k]}" for k in group) for group in groups if group)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Print the figures as the run's very last line (after pytest's own summary)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if _FIGURES and reporter is not None:
        reporter.write_line(figures_line(_FIGURES))
