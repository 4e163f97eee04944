"""Path safety: no document id, language code, roster value, output folder or packet name
makes the pipeline write outside its folders.

Judge: every file under ``tmp_path`` (path and SHA-256) listed before and after each run.
A refused value changes nothing there and prints one ``Error:`` line (exit 2); an accepted
one adds files only where they belong.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest
from hostile import judge
from test_build import NOTICE, review

HOSTILE = [
    "../escape",
    "../../../../tmp/escape",
    "/tmp/escape",
    "a/b",
    "a\\b",
    "es/../ar",
    "..",
    ".",
    "x\0y",
]


def tree(root: Path) -> dict[str, str]:
    """Every file under ``root`` but the (empty) project lock: relative path -> SHA-256."""
    return {
        p.relative_to(root).as_posix(): (
            f"-> {p.readlink()}" if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest()
        )
        for p in sorted(root.rglob("*"))
        if (p.is_file() or p.is_symlink()) and p.parts[-2:] != (".homelang", "lock")
    }


def added(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Files created or changed between two listings; a removed file counts too."""
    return {p for p in after.keys() | before.keys() if before.get(p) != after.get(p)}


def refused(result, tmp_path: Path, before: dict[str, str]) -> None:
    """Exit 2, one ``Error:`` line, no traceback, nothing on disk changed."""
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert tree(tmp_path) == before


@pytest.fixture
def ready(catalogs_ready: Path, homelang) -> Path:
    """Catalogs in place, Spanish notice reviewed, and the lock file created by a first run."""
    review(catalogs_ready, "es", NOTICE)
    homelang("compile")
    return catalogs_ready


COMMANDS = [
    ["update", "--lang", "{}"],
    ["update", "--doc", "{}"],
    ["compile", "--lang", "{}"],
    ["compile", "--doc", "{}"],
    ["pretranslate", "--provider", "pseudo", "--lang", "{}"],
    ["pretranslate", "--provider", "pseudo", "--doc", "{}"],
    ["review", "export", "--lang", "{}"],
    ["review", "export", "--lang", "es", "--doc", "{}"],
    ["review", "release", "{}"],
    ["build", "--draft", "--lang", "{}"],
    ["build", "--draft", "--doc", "{}"],
    ["letters", "--roster", "roster.csv", "--doc", "{}"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:-1]))
def test_codes_and_ids_on_the_command_line_are_refused(
    ready: Path, homelang, tmp_path: Path, command
) -> None:
    (ready / "roster.csv").write_text(
        "student,guardian,school,language,address\nA,B,S,es,x\n", "utf-8"
    )
    before = tree(tmp_path)
    for value in HOSTILE:
        args = [
            a.replace("{}", value).replace("roster.csv", str(ready / "roster.csv")) for a in command
        ]
        refused(homelang(*args, expect=None), tmp_path, before)


@pytest.mark.parametrize(
    "value", ['"../escape"', '"/tmp/escape"', '"a/b"', '"x\\u0000y"', '"' + "a" * 300 + '"']
)
def test_document_ids_in_front_matter_are_refused(
    project: Path, homelang, tmp_path: Path, value: str
) -> None:
    source = project / "source" / "notices" / f"{NOTICE}.md"
    source.write_text(source.read_text("utf-8").replace(f"id: {NOTICE}", f"id: {value}"), "utf-8")
    before = tree(tmp_path)
    result = homelang("extract", expect=None)
    refused(result, tmp_path, before)
    assert "front matter 'id'" in result.output


@pytest.mark.parametrize(
    "setting",
    [
        'languages = ["es", "../escape"]',
        'languages = ["es/../../escape"]',
        'languages = ["es\\u0000"]',
        'build_dir = "../escape"',
        'build_dir = "/tmp/escape"',
        'locales_dir = "locales/../../escape"',
        'state_dir = "x\\u0000y"',
        'glossary = "/etc/passwd"',
        'build_dir = "."',
        'build_dir = "locales/out"',
        'state_dir = "source"',
        'build_dir = "./"',
        '[tool.homelang.documents."../escape"]\npublish_threshold = 0.5',
    ],
)
def test_paths_and_codes_in_settings_are_refused(
    project: Path, homelang, tmp_path: Path, setting: str
) -> None:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text("utf-8")
    key = setting.split(" =")[0]
    if setting.startswith("["):
        text += "\n" + setting + "\n"
    else:
        lines = [line for line in text.splitlines() if not line.startswith(f"{key} =")]
        at = lines.index("[tool.homelang]") + 1
        text = "\n".join([*lines[:at], setting, *lines[at:]]) + "\n"
    pyproject.write_text(text, "utf-8")
    before = tree(tmp_path)
    refused(homelang("extract", expect=None), tmp_path, before)


def write_roster(path: Path, rows: list[dict[str, str]]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["student", "guardian", "school", "language", "address"])
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), "utf-8")


def test_roster_languages_that_look_like_paths_are_refused(
    ready: Path, homelang, tmp_path: Path
) -> None:
    rows = [
        {
            "student": "Ana",
            "guardian": "Eva",
            "school": "Lincoln",
            "language": v,
            "address": "1 Main St",
        }
        for v in HOSTILE
    ]
    write_roster(ready / "roster.csv", rows)
    before = tree(tmp_path)
    result = homelang(
        "letters", "--roster", str(ready / "roster.csv"), "--doc", NOTICE, expect=None
    )
    refused(result, tmp_path, before)
    assert f"{len(HOSTILE)} problem(s), nothing written" in result.output


def test_roster_schools_and_names_that_look_like_paths_stay_in_the_private_folder(
    ready: Path, homelang, tmp_path: Path
) -> None:
    # (a NUL is refused as a damaged export before any file is named: see test_bad_rosters)
    rows = [
        {"student": v or "x", "guardian": f"G {v}", "school": v, "language": "es", "address": v}
        for v in [*HOSTILE, "/", "~", "$HOME", "%2e%2e%2f", "..\\..\\windows", "CON", "a" * 400]
        if "\0" not in v
    ]
    write_roster(ready / "roster.csv", rows)
    before = tree(tmp_path)
    homelang("letters", "--roster", str(ready / "roster.csv"), "--doc", NOTICE)
    changed = added(before, tree(tmp_path))
    folder = f"project/build/private/{NOTICE}/"
    assert changed and all(p.startswith(folder) and "/" not in p[len(folder) :] for p in changed), (
        changed
    )
    names = sorted(p[len(folder) :] for p in changed)
    assert len(names) == len({r["school"] for r in rows}) + 1  # a PDF per school, and summary.json
    assert all(len(n.encode()) < 100 for n in names)


def test_output_folders_receive_every_write(ready: Path, homelang, tmp_path: Path) -> None:
    write_roster(
        ready / "roster.csv",
        [
            {
                "student": "Ana",
                "guardian": "Eva",
                "school": "Lincoln",
                "language": "es",
                "address": "1 Main St",
            }
        ],
    )
    elsewhere = tmp_path / "elsewhere"
    runs = [
        (
            [
                "build",
                "--draft",
                "--lang",
                "es",
                "--format",
                "web",
                "-o",
                str(elsewhere / "a" / ".." / "web"),
            ],
            "elsewhere/web/",
        ),
        (
            [
                "letters",
                "--roster",
                str(ready / "roster.csv"),
                "--doc",
                NOTICE,
                "-o",
                str(elsewhere / "letters"),
            ],
            "elsewhere/letters/",
        ),
        (
            [
                "review",
                "export",
                "--lang",
                "so",
                "--reviewer",
                "../../../x/y",
                "-o",
                str(elsewhere / "p.po"),
            ],
            "elsewhere/p.po",
        ),
        (
            ["review", "export", "--lang", "vi", "--reviewer", "/etc/../../passwd\\x"],
            "project/build/review/vi-",
        ),
    ]
    for args, where in runs:
        before = tree(tmp_path)
        homelang(*args)
        changed = added(before, tree(tmp_path))
        own = {p for p in changed if p.startswith(where)}
        assignments = {p for p in changed if p.endswith("/review-assignments.json")}
        assert own and changed == own | assignments, (args, changed)
        assert all(p.startswith("project/locales/") for p in assignments)


def test_hostile_packet_names_and_headers_are_refused(
    ready: Path, homelang, tmp_path: Path
) -> None:
    homelang("review", "export", "--lang", "so", "--reviewer", "Amina")
    packet = next((ready / "build" / "review").glob("so-*.po"))
    text = packet.read_text("utf-8")
    packet_id = next(line for line in text.splitlines() if "X-Homelang-Packet" in line).split(": ")[
        1
    ][:-3]
    edits = [  # (text in the packet, hostile text, refused?)
        (f"X-Homelang-Packet: {packet_id}", "X-Homelang-Packet: ../../../escape", True),
        (f"X-Homelang-Packet: {packet_id}", "X-Homelang-Packet: so-../../../escape", True),
        ("Language: so", "Language: ../so", True),
        ('msgctxt "', 'msgctxt "../../escape', True),
    ]
    for old, new, refusal in edits:
        assert old in text, old
        hostile = packet.with_name(f"hostile-{len(new)}.po")
        hostile.write_text(text.replace(old, new, 1), "utf-8")
        before = tree(tmp_path)
        result = homelang("review", "import", str(hostile), expect=None)
        if refusal:
            refused(result, tmp_path, before)
        else:  # an unknown packet name is only a name: nothing is named after it
            assert result.exit_code == 0 and "changed: nothing" in result.output
            assert tree(tmp_path) == before


def test_output_folders_never_replace_project_files_or_hold_family_data_where_git_sees_it(
    ready: Path, homelang, tmp_path: Path
) -> None:
    roster = tmp_path / "roster.csv"
    write_roster(
        roster,
        [
            {
                "student": "Ana",
                "guardian": "Eva",
                "school": "Lincoln",
                "language": "es",
                "address": "1 Main St",
            }
        ],
    )
    catalog = f"locales/es/LC_MESSAGES/{NOTICE}.po"
    attempts = [
        (
            ["review", "export", "--lang", "so", "-o", str(ready / catalog)],
            "a packet is not written into locales/",
        ),
        (
            ["review", "export", "--lang", "so", "-o", str(ready / "pyproject.toml")],
            "is not a review packet",
        ),
        (
            ["review", "export", "--lang", "so", "-o", str(ready / "source" / "x.po")],
            "not written into source/",
        ),
        (
            [
                "letters",
                "--roster",
                str(roster),
                "--doc",
                NOTICE,
                "-o",
                str(ready / "locales" / "letters"),
            ],
            "letters hold family data",
        ),
        (
            [
                "letters",
                "--roster",
                str(roster),
                "--doc",
                NOTICE,
                "-o",
                str(ready / "build" / ".." / "x"),
            ],
            "letters hold family data",
        ),
    ]
    for args, message in attempts:
        before = tree(tmp_path)
        result = homelang(*args, expect=None)
        refused(result, tmp_path, before)
        assert message in result.output


# --- symbolic links: refused with their path, never followed, never quoted -----------------
SECRET = "aws_secret_access_key = AKIAEXAMPLESECRETVALUE0123456789"


def plant_links(root: Path, outside: Path) -> dict[str, tuple[Path, Path]]:
    """Ways a committed or planted link could lead homelang out of the project."""
    secret = outside / "credentials"
    secret.write_text(f'[default]\n{SECRET}\nmsgid "x"\nmsgstr "{SECRET}"\n', "utf-8")
    (outside / "vi").mkdir()
    (outside / "pyproject.toml").write_bytes((root / "pyproject.toml").read_bytes())
    (outside / "templates").mkdir()
    return {
        "catalog-to-credentials": (
            root / "locales/es/LC_MESSAGES/templates.po",
            secret,
        ),
        "language-folder": (root / "locales/vi", outside / "vi"),
        "source-file": (root / "source/notices/extra.md", secret),
        "source-folder": (root / "source/more", outside),
        "build-folder": (root / "build", outside / "vi"),
        "build-language": (root / "build/es", outside / "vi"),
        "cache": (root / ".homelang/cache.sqlite", secret),
        "glossary": (root / "glossary.csv", secret),
        "template-file": (root / "templates/words.j2", secret),
        "template-folder": (root / "templates", outside / "templates"),
        "pyproject": (root / "pyproject.toml", outside / "pyproject.toml"),
    }


@pytest.mark.parametrize(
    "name",
    [
        "catalog-to-credentials",
        "language-folder",
        "source-file",
        "source-folder",
        "build-folder",
        "build-language",
        "cache",
        "glossary",
        "template-file",
        "template-folder",
        "pyproject",
    ],
)
def test_symbolic_links_in_the_project_are_refused_and_never_quoted(
    ready: Path, homelang, tmp_path: Path, figures: dict, name: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    link, target = plant_links(ready, outside)[name]
    if link.is_dir() and not link.is_symlink():
        for p in sorted(link.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        link.rmdir()
    elif link.exists():
        link.unlink()
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target)
    shown = link.relative_to(ready).as_posix()
    for args in (
        ["check"],
        ["status"],
        ["extract"],
        ["update"],
        ["compile"],
        ["pretranslate", "--provider", "pseudo", "--lang", "vi"],
        ["build", "--lang", "vi", "--format", "web"],
        ["review", "export", "--lang", "vi"],
    ):
        before = tree(tmp_path)
        result = homelang(*args, expect=None)
        refused(result, tmp_path, before)
        figures["bad inputs"] = figures.get("bad inputs", 0) + 1
        assert shown in result.output and "symbolic link" in result.output, (args, result.output)
        assert "AKIA" not in result.output and "aws_" not in result.output


# --- build/.outputs.json is input: it deletes nothing outside, links nothing it did not write --
def output_row(path: str, **changes: object) -> dict[str, object]:
    row = {"lang": "es", "doc_id": NOTICE, "format": "web", "path": path, "status": "draft"}
    return {**row, "reason": "x", "rebuilt": False, **changes}


def planted_manifests(victim: Path) -> list[tuple[str, str]]:
    """(name, .outputs.json text) a build must refuse; the javascript: one comes last."""
    own = f"es/{NOTICE}.web.html"
    js = "javascript:window.hlPwned=1"
    tables = {
        "absolute key": {str(victim): output_row(str(victim))},
        "source key": {
            f"../source/notices/{NOTICE}.md": output_row(f"../source/notices/{NOTICE}.md")
        },
        "dotted key": {f"es/../../source/notices/{NOTICE}.md": output_row(own)},
        "path elsewhere": {own: output_row("../../victim.txt")},
        "language path": {own: output_row(own, lang="../..")},
        "document path": {own: output_row(own, doc_id="../../x")},
        "unknown format": {own: output_row(own, format="exe")},
        "unknown field": {own: {**output_row(own), "href": js}},
        "row of a list": {own: [1, 2]},
        "rebuilt as text": {own: output_row(own, rebuilt="yes")},
        "javascript path": {own: output_row(js, status="published")},
    }
    texts = [(name, json.dumps(table)) for name, table in tables.items()]
    odd = [("not JSON", "{"), ("a list", "[1]"), ("deep", "[" * 100_000), ("latin-1", '{"\xe9"')]
    return odd + texts


def test_a_planted_outputs_manifest_deletes_nothing_and_links_nothing(
    ready: Path, homelang, tmp_path: Path, figures: dict
) -> None:
    homelang("build", "--draft", "--lang", "es", "--format", "web")
    manifest = ready / "build" / ".outputs.json"
    victim = tmp_path / "victim.txt"
    victim.write_text("a file outside the project", "utf-8")
    judged = tmp_path / "judged"
    judged.mkdir()
    for name, text in planted_manifests(victim):
        manifest.write_bytes(text.encode("latin-1" if name == "latin-1" else "utf-8"))
        for args in (["build", "--lang", "es", "--format", "web"], ["build", "--draft"]):
            before = tree(tmp_path)
            result = homelang(*args, expect=None)
            refused(result, tmp_path, before)
            figures["bad inputs"] = figures.get("bad inputs", 0) + 1
            assert "build/.outputs.json" in result.output, (name, result.output)
            assert "javascript" not in result.output and "victim" not in result.output
    (judged / "refused.html").write_bytes((ready / "build" / "index.html").read_bytes())
    # a field that is only shown (the reason) may hold anything: it is text on the page
    reason = '<img src=x onerror="window.hlPwned=1">'
    own = f"es/{NOTICE}.web.html"
    manifest.write_text(json.dumps({own: output_row(own, reason=reason)}), "utf-8")
    homelang("build", "--draft", "--lang", "es", "--format", "web")
    (judged / "accepted.html").write_bytes((ready / "build" / "index.html").read_bytes())
    assert victim.exists() and (ready / "source/notices" / f"{NOTICE}.md").exists()
    for verdict in judge(sorted(judged.glob("*.html"))):
        assert not verdict.scripts and not verdict.requests, verdict
        hrefs = [href for href, _ in verdict.hrefs]
        assert hrefs and all((ready / "build" / href).is_file() for href in hrefs), hrefs
