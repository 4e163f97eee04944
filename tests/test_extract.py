"""Extraction: golden templates for tricky Markdown, determinism, and clean errors."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, msgfmt_check

from pipeline import catalogs
from pipeline.cli import main
from pipeline.documents import parse_document
from pipeline.errors import SourceError
from pipeline.extract import build_template

CASES = sorted(Path(__file__).parent.joinpath("cases").glob("*.md"))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_golden_template(case: Path, tmp_path: Path) -> None:
    document = parse_document(case.read_text("utf-8"), Path("cases") / case.name)
    rendered = catalogs.render(build_template(document)).decode("utf-8")
    expected = case.with_suffix(".expect.pot")
    if os.environ.get("HOMELANG_REGEN_GOLDEN"):
        expected.write_text(rendered, "utf-8")
    assert rendered == expected.read_text("utf-8")
    written = tmp_path / "x.pot"
    written.write_text(rendered, "utf-8")
    msgfmt_check(written)
    # round trip: what we write, we read back to the same bytes
    assert catalogs.render(catalogs.read_catalog(written)).decode("utf-8") == rendered


def test_sample_project_templates(catalogs_ready: Path) -> None:
    pots = {p.stem: p for p in (catalogs_ready / "locales").glob("*.pot")}
    assert sorted(pots) == ["sanctuary-resolution", "sanctuary-resolution-faq", "templates"]
    for pot in pots.values():
        msgfmt_check(pot)
    faq = catalogs.read_catalog(pots["sanctuary-resolution-faq"])
    questions = [e for e in faq if "FAQ question" in e.comment]
    assert len(questions) == 5
    assert all(e.msgid.endswith("?") for e in questions)
    notice = catalogs.read_catalog(pots["sanctuary-resolution"])
    assert "Board of Education, Minneapolis Public Schools, Friday" not in "".join(
        e.msgid for e in notice
    )
    link = [e for e in notice if "[entire resolution](" in e.msgid]
    assert link and link[0].occurrences == [("source/notices/sanctuary-resolution.md", "25")]


def test_extract_twice_changes_nothing(project: Path, homelang) -> None:
    homelang("extract")
    before = {p: p.read_bytes() for p in (project / "locales").glob("*.pot")}
    result = homelang("extract")
    assert "unchanged" in result.output and "written" not in result.output
    assert {p: p.read_bytes() for p in (project / "locales").glob("*.pot")} == before
    homelang("extract", "--check")


def test_extract_check_reports_stale_templates(project: Path, homelang) -> None:
    homelang("extract")
    source = project / "source/notices/sanctuary-resolution.md"
    source.write_text(source.read_text("utf-8").replace("for all.", "for everyone."), "utf-8")
    before = (project / "locales/sanctuary-resolution.pot").read_bytes()
    result = homelang("extract", "--check", expect=1)
    assert "out of date" in result.output
    assert (project / "locales/sanctuary-resolution.pot").read_bytes() == before


@pytest.mark.parametrize(
    "old,new,stale",
    [
        ("Translations of the homelang", "Old words of the homelang", True),  # header comment
        ('"Report-Msgid-Bugs-To: \\n"', '"Report-Msgid-Bugs-To: x@example.org\\n"', True),
        ('msgstr ""\n"Project-Id', 'msgstr ""\n""\n"Project-Id', False),  # same text, other layout
    ],
)
def test_extract_check_compares_what_extract_writes(
    old: str, new: str, stale: bool, project: Path, homelang
) -> None:
    homelang("extract")
    path = project / "locales/sanctuary-resolution.pot"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    checked = homelang("extract", "--check", expect=1 if stale else 0)
    assert ("out of date" in checked.output) == stale
    written = homelang("extract")
    assert ("written" in written.output) == stale
    homelang("extract", "--check")


BAD_SOURCES = [
    ("no front matter\n", 1, "missing front matter"),
    ("---\nid: x\nkind: notice\ntitle: [unclosed\n---\n", 4, "not valid YAML"),
    ("---\nid: x\nkind: letter\ntitle: T\n---\n", 3, "'kind': must be one of"),
    ("---\nid: ../evil\nkind: notice\ntitle: T\n---\n", 2, "'id': use lowercase"),
    ("---\nid: x\nkind: notice\n---\n", 2, "missing 'title'"),
    (
        "---\nid: x\nkind: notice\ntitle: T\nvital: maybe\n---\n",
        5,
        "'vital': must be true or false",
    ),
    ("---\nid: x\nkind: notice\ntitle: T\ncolour: red\n---\n", 5, "unknown field"),
    ("---\nid: x\nkind: notice\ntitle: T\n---\n\nA bell \x07 here.\n", 7, "control character"),
    ("---\nid: x\nkind: notice\ntitle: T\ndate: 2017-02-30\n---\n", 5, "not a real date"),
    ("---\nid: x\nkind: notice\ndate: 2017-13-45\ntitle: T\n---\n", 4, "not a real date"),
    ("---\nid: x\nkind: notice\ntitle: T\ndate: 2017-01-13T25:61:00\n---\n", 5, "not a real"),
]


@pytest.mark.parametrize("text,line,message", BAD_SOURCES)
def test_bad_source_is_one_line_error(text: str, line: int, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_document(text, Path("source/x.md"))
    assert info.value.line == line
    assert message in info.value.message
    assert str(info.value).startswith(f"source/x.md:{line}: ")


def test_bad_source_via_cli_changes_nothing(project: Path, homelang) -> None:
    homelang("extract")
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    (project / "source/faq/broken.md").write_bytes(
        b"---\nid: broken\nkind: faq\ntitle: \xff\n---\n"
    )
    result = homelang("extract", expect=2)
    assert result.output.strip().splitlines() == [
        "Error: source/faq/broken.md:4: not UTF-8 text (save the file as UTF-8)"
    ]
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file() and p.name != "broken.md"}
    assert after == before


def test_duplicate_document_ids(project: Path, homelang) -> None:
    src = project / "source/notices/sanctuary-resolution.md"
    (project / "source/notices/copy.md").write_text(src.read_text("utf-8"), "utf-8")
    result = homelang("extract", expect=2)
    assert "duplicate document id 'sanctuary-resolution'" in result.output


def test_bom_and_crlf_sources_extract_like_plain_ones(project: Path, homelang) -> None:
    homelang("extract")
    plain = (project / "locales/sanctuary-resolution.pot").read_bytes()
    src = project / "source/notices/sanctuary-resolution.md"
    src.write_bytes(b"\xef\xbb\xbf" + src.read_bytes().replace(b"\n", b"\r\n"))
    homelang("extract")
    assert (project / "locales/sanctuary-resolution.pot").read_bytes() == plain


def test_committed_sample_catalogs_are_up_to_date(tmp_path: Path) -> None:
    """The repository's locales/ match its sources: someone changed the English or the
    templates' words without running `make all` (extract + update) if this fails."""
    for name in ("pyproject.toml", "source", "locales", "glossary.csv"):
        src = REPO / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, tmp_path / name)
    runner = CliRunner()
    for command in ("extract", "update"):
        result = runner.invoke(main, ["-C", str(tmp_path), command, "--check"])
        assert result.exit_code == 0, result.output
