"""Privacy canary: roster values marked ``CANARY-<uuid>`` never leave ``build/private/``.

A `make all`-style run (extract, update, pretranslate through the ``libre`` provider
against the loopback server, which logs every request, compile, check, status,
build --draft) plus ``letters`` with a roster whose student, guardian and address
fields carry a unique family marker and whose school field carries a school marker.
Judges: every request the server saw, every command's output and log records, every
file of the project (PDF text read back with pypdf) and what git would commit in a
repository of the project. The letters themselves must hold the markers (the control).

School names are the district's, not a family's: they name the letters' files
(``build/private/<doc>/01-<school>.pdf``), so ``letters`` may print them; nothing else may.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import libre_server
import pytest
from conftest import REPO
from libre_server import LibreServer
from pypdf import PdfReader
from test_build import NOTICE, review
from test_pretranslate import configure_libre

libre = libre_server.libre  # the loopback server fixture
PRIVATE = f"build/private/{NOTICE}/"
LANGUAGES = ["es", "Arabic", "SOMALI", "vi", "en", "Karen (S'gaw)"]


def write_roster(path: Path, family: str, school: str, rows: int, schools: int = 2) -> None:
    """A roster whose every family value holds ``family`` and every school name ``school``."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["student", "guardian", "school", "language", "address", "notes"])
    for i in range(rows):
        writer.writerow(
            [
                f"Student {family}-s{i}",
                f"Guardian {family}-g{i}",
                f"School {school}-{i % schools}",
                LANGUAGES[i % len(LANGUAGES)],
                f"{i} Canary Lane {family}-a{i}; Minneapolis",
                f"allergy note {family}-n{i}",
            ]
        )
    path.write_text(out.getvalue(), "utf-8")


def readable(path: Path) -> str:
    """A file as a search sees it: its bytes and a PDF's (compressed) text, casefolded, no spaces.

    Without whitespace, a marker wrapped across lines of a letter is still found.
    """
    text = path.read_bytes().decode("utf-8", "replace")
    if path.suffix == ".pdf":
        text += "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    return re.sub(r"\s+", "", text.casefold())


def leaks(root: Path, marker: str, allowed: tuple[str, ...]) -> list[str]:
    """Files under ``root`` (outside ``allowed`` prefixes) that hold ``marker`` in any case."""
    found = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and ".git" not in p.parts):
        name = path.relative_to(root).as_posix()
        if not name.startswith(allowed) and marker in readable(path):
            found.append(name)
    return found


def committable(root: Path) -> list[str]:
    """Files `git add -A` would take in a fresh repository of the project, with our .gitignore."""
    shutil.copy2(REPO / ".gitignore", root / ".gitignore")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    listed = subprocess.run(
        ["git", "-C", str(root), "ls-files", "--others", "--exclude-standard"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return listed.splitlines()


def count(figures: dict[str, int], leaked: list[str]) -> None:
    figures["privacy markers leaked"] = figures.get("privacy markers leaked", 0) + len(leaked)


def test_roster_values_stay_in_the_private_letters(
    catalogs_ready: Path, homelang, libre: LibreServer, tmp_path: Path, caplog, figures
) -> None:
    caplog.set_level(logging.DEBUG)
    family, school = f"canary-{uuid.uuid4()}", f"canary-{uuid.uuid4()}"
    roster = tmp_path / "district-export" / "families.csv"  # outside the project, as advised
    roster.parent.mkdir()
    write_roster(roster, family, school, rows=12)
    configure_libre(catalogs_ready, libre.url)
    outputs = []
    for args, expect in [
        (["pretranslate", "--provider", "libre", "-l", "es", "-l", "ar", "-l", "vi"], 0),
        (["pretranslate", "--provider", "libre"], None),  # no route for the others: reported
        (["compile"], 0),
        (["check"], None),
        (["status"], 0),
        (["build", "--draft"], 0),
    ]:
        outputs.append(homelang(*args, expect=expect).output)
    for lang in ("es", "ar"):  # published: those families get letters in their language
        review(catalogs_ready, lang, NOTICE)
        review(catalogs_ready, lang, "templates")
    outputs.append(homelang("build").output)
    merged = homelang("letters", "--roster", str(roster), "--doc", NOTICE)
    as_json = homelang("letters", "--roster", str(roster), "--doc", NOTICE, "--json")

    # The control: the markers did reach the letters, greeting and address included.
    letters = sorted((catalogs_ready / PRIVATE).glob("*.pdf"))
    assert len(letters) == 2
    text = "".join(readable(p) for p in letters)
    assert f"guardian{family}-g0" in text and f"student{family}-s1" in text
    assert f"{family}-a2" in text and f"{family}-n" not in text  # other columns are ignored
    assert leaks(catalogs_ready, family, ()) == [
        PRIVATE + p.name for p in letters
    ]  # the judge can fail

    leaked = [f"request {r.path}" for r in libre.log if family in repr(r).casefold()]
    leaked += [f"request {r.path} (school)" for r in libre.log if school in repr(r).casefold()]
    assert libre.translations, "the run sent nothing: the canary proves nothing"
    for i, out in enumerate([*outputs, merged.output, as_json.output, caplog.text]):
        leaked += [f"output {i}"] if family in out.casefold() else []
    for i, out in enumerate([*outputs, caplog.text]):
        leaked += [f"output {i} (school)"] if school in out.casefold() else []
    project = catalogs_ready
    leaked += leaks(project, family, (PRIVATE,))
    leaked += leaks(project, school, (PRIVATE,))
    tracked = committable(project)
    leaked += [f"git would commit {n}" for n in tracked if n.startswith(("build/", ".homelang/"))]
    leaked += [f"git would commit {n}" for n in tracked if family in readable(project / n)]
    count(figures, leaked)
    assert leaked == []
    assert (project / ".homelang" / "cache.sqlite").exists()  # the cache was searched, not absent


@pytest.mark.slow
def test_a_large_roster_printed_by_worker_processes_keeps_its_values_private(
    catalogs_ready: Path, homelang, tmp_path: Path, figures
) -> None:
    """1,200 families: the letters run in worker processes, as a real CLI process."""
    family, school = f"canary-{uuid.uuid4()}", f"canary-{uuid.uuid4()}"
    roster = tmp_path / "families.csv"
    write_roster(roster, family, school, rows=1200, schools=4)
    review(catalogs_ready, "es", NOTICE)
    review(catalogs_ready, "es", "templates")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "-C",
            str(catalogs_ready),
            "letters",
            "--roster",
            str(roster),
            "--doc",
            NOTICE,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    letters = sorted((catalogs_ready / PRIVATE).glob("*.pdf"))
    assert len(letters) == 4 and f"guardian{family}-g1199" in readable(letters[-1])
    leaked = ["stdout"] if family in proc.stdout.casefold() else []
    leaked += (
        ["stderr"] if family in proc.stderr.casefold() or school in proc.stderr.casefold() else []
    )
    leaked += leaks(catalogs_ready, family, (PRIVATE,))
    leaked += leaks(catalogs_ready, school, (PRIVATE,))
    leaked += leaks(tmp_path, family, ("families.csv", f"project/{PRIVATE}"))
    count(figures, leaked)
    assert leaked == []


def git_repository(root: Path) -> None:
    """``root`` as a git work tree with the project's .gitignore (build/ ignored)."""
    shutil.copy2(REPO / ".gitignore", root / ".gitignore")
    subprocess.run(["git", "init", "-q", str(root)], check=True)


@pytest.mark.parametrize("folder", ["build", "build/es", "build/en/x", "build/review", "build/ar"])
def test_letters_refuse_a_folder_build_publishes_into(
    catalogs_ready: Path, homelang, tmp_path: Path, folder: str
) -> None:
    roster = tmp_path / "families.csv"
    write_roster(roster, "x", "y", rows=3)
    out = catalogs_ready / folder
    result = homelang("letters", "--roster", str(roster), "--doc", NOTICE, "-o", str(out), expect=2)
    assert "not in a folder that build publishes into" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_letters_refuse_a_build_folder_git_does_not_ignore(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    """``build_dir = "public"``: under build_dir, but git would commit the letters."""
    git_repository(catalogs_ready)
    settings = catalogs_ready / "pyproject.toml"
    settings.write_text(
        settings.read_text("utf-8").replace('build_dir = "build"', 'build_dir = "public"'), "utf-8"
    )
    roster = tmp_path / "families.csv"
    write_roster(roster, "x", "y", rows=3)
    result = homelang("letters", "--roster", str(roster), "--doc", NOTICE, expect=2)
    assert "public/private/sanctuary-resolution: letters hold family data: git does not ignore" in (
        result.output
    )
    assert not (catalogs_ready / "public").exists()
    (catalogs_ready / ".gitignore").write_text("public/\n", "utf-8")  # now git ignores it
    homelang("letters", "--roster", str(roster), "--doc", NOTICE)
    assert list((catalogs_ready / "public/private" / NOTICE).glob("*.pdf"))


def test_letters_refuse_a_build_symlink_into_a_tracked_folder(
    catalogs_ready: Path, homelang, tmp_path: Path
) -> None:
    git_repository(catalogs_ready)
    (catalogs_ready / "docs").mkdir()
    (catalogs_ready / "build").symlink_to("docs")
    roster = tmp_path / "families.csv"
    write_roster(roster, "x", "y", rows=3)
    result = homelang("letters", "--roster", str(roster), "--doc", NOTICE, expect=2)
    assert "build is a symbolic link" in result.output  # refused before anything is read
    (catalogs_ready / "build").unlink()
    linked = tmp_path / "linked-letters"  # -o through a link into the tracked folder
    linked.symlink_to(catalogs_ready / "docs")
    result = homelang(
        "letters", "--roster", str(roster), "--doc", NOTICE, "-o", str(linked), expect=2
    )
    assert "where git could commit them" in result.output
    assert list((catalogs_ready / "docs").iterdir()) == []
    outside = tmp_path / "letters"  # outside any work tree: allowed
    homelang("letters", "--roster", str(roster), "--doc", NOTICE, "-o", str(outside))
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in outside.glob("*.pdf"))
