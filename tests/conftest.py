"""Shared fixtures: a copy of the sample project in tmp_path, the CLI, GNU gettext as judge."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from click.testing import CliRunner, Result

from pipeline.cli import main

REPO = Path(__file__).resolve().parents[1]
#: What a project is made of; tests copy these, never write into the repository.
PROJECT_FILES = ("pyproject.toml", "source", "glossary.csv")


def copy_project(root: Path) -> Path:
    """Copy the sample project (settings and English sources, no catalogs) into ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        elif src.exists():
            shutil.copy2(src, root / name)
    return root


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
    ("bad inputs", "tracebacks", "changed files"),
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
