"""Hostile and odd input to extract/update: a result or a one-line error, never a traceback.

Property-based (hypothesis) over source Markdown, front matter and settings, plus the
real-world oddities: BOM, CRLF, Latin-1, control characters, right-to-left overrides,
NUL bytes, a 50 MB file. On an error nothing on disk changes.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import copy_project, trials
from hypothesis import given
from hypothesis import strategies as st

from pipeline.cli import main

FRONT_KEYS = [
    "id",
    "title",
    "kind",
    "vital",
    "date",
    "summary",
    "contact",
    "publish_threshold",
    "colour",
]
ODD = [
    "\ufeff",
    "\r\n",
    "\u202e",
    "\u2066",
    "\x00",
    "\x07",
    "\x1b[31m",
    "é",
    "ር",
    "‹",
    "\t",
    "{{ x }}",
    "{% if %}",
    "<!--",
    "-->",
    "---",
    "```",
    "|",
    "[",
    "](",
    "*",
    "\\",
]


def hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".homelang" not in p.parts
    }


def fresh_project() -> Path:
    return copy_project(Path(tempfile.mkdtemp(prefix="homelang-bad-")))


class Outcome:
    def __init__(self) -> None:
        self.cases = self.tracebacks = self.changed = self.refused = 0


def attempt(root: Path, write: dict[str, bytes], args: list[str], outcome: Outcome) -> None:
    """Write ``write`` files, run homelang, and judge: exit 0 or 1 (done, not all of it applied),
    or exit 2 + one line + nothing changed."""
    for name, data in write.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    before = hashes(root)
    result = CliRunner().invoke(main, ["-C", str(root), *args])
    outcome.cases += 1
    if result.exit_code not in (0, 1, 2) or (
        result.exception and not isinstance(result.exception, SystemExit)
    ):
        outcome.tracebacks += 1
        raise AssertionError(f"exit {result.exit_code}: {result.exception!r}\n{result.output}")
    if result.exit_code == 2:
        outcome.refused += 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
        if hashes(root) != before:
            outcome.changed += 1
            raise AssertionError(f"files changed on error: {result.output}")


def front_matter(draw) -> str:
    lines = ["id: fuzz-doc", "kind: notice", "title: A title"]
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(FRONT_KEYS))
        value = draw(
            st.one_of(
                st.text(max_size=20),
                st.sampled_from(
                    [
                        "true",
                        "2017-01-13",
                        "[1, 2",
                        "{a: b}",
                        "0.5",
                        "-",
                        "'",
                        "notice",
                        "faq",
                        "../x",
                        "Ω",
                    ]
                ),
            )
        )
        lines.append(f"{key}: {value}")
    draw(st.randoms()).shuffle(lines)
    return "\n".join(lines)


@st.composite
def source_documents(draw) -> bytes:
    body = draw(
        st.lists(
            st.one_of(
                st.text(max_size=40),
                st.sampled_from(ODD),
                st.sampled_from(
                    [
                        "# H",
                        "## Q?",
                        "- item",
                        "1. one",
                        "| a | b |\n|---|---|\n| c | d |",
                        "<!-- i18n: skip -->",
                        "<!-- i18n: note -->",
                        "> quote",
                        "[link](javascript:alert(1))",
                    ]
                ),
            ),
            max_size=12,
        )
    )
    text = "---\n" + front_matter(draw) + "\n---\n\n" + "\n\n".join(body)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):
        data = data.replace(b"\n", b"\r\n")
    return data


def run_sources(count: int, figures: dict) -> None:
    root = fresh_project()
    outcome = Outcome()
    try:

        @trials(count)
        @given(source_documents())
        def one(data: bytes) -> None:
            attempt(root, {"source/notices/fuzz.md": data}, ["extract"], outcome)
            attempt(root, {}, ["update"], outcome)

        one()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        record(outcome, figures)
    assert 0 < outcome.refused < outcome.cases  # the generator reaches both outcomes


def record(outcome: Outcome, figures: dict) -> None:
    for key, value in (
        ("bad inputs", outcome.cases),
        ("tracebacks", outcome.tracebacks),
        ("changed files", outcome.changed),
    ):
        figures[key] = figures.get(key, 0) + value


def test_hostile_sources_fast(figures: dict) -> None:
    run_sources(40, figures)


@pytest.mark.slow
def test_hostile_sources_long(figures: dict) -> None:
    run_sources(600, figures)


SETTING_VALUES = st.one_of(
    st.integers(-5, 5),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.text(max_size=12),
    st.lists(
        st.sampled_from(["es", "so", "xx", "", "../", "hmn", "kar", "es-MX", "\u202e"]), max_size=4
    ),
)
SETTING_KEYS = [
    "languages",
    "source_language",
    "source_dir",
    "locales_dir",
    "build_dir",
    "glossary",
    "state_dir",
    "lnaguages",
]


@st.composite
def settings_files(draw) -> bytes:
    keys = draw(st.lists(st.sampled_from(SETTING_KEYS), max_size=3, unique=True))
    lines = [] if "languages" in keys else ['languages = ["so", "ar"]']
    for key in keys:
        value = draw(SETTING_VALUES)
        rendered = repr(value).replace("'", '"').replace("True", "true").replace("False", "false")
        lines.append(f"{key} = {rendered}")
    for table in draw(
        st.lists(
            st.sampled_from(["district", "build", "review", "pretranslate", "nope"]),
            max_size=2,
            unique=True,
        )
    ):
        lines.append(f"[{table}]")
        key = draw(st.sampled_from(["name", "publish_threshold", "workers", "x"]))
        value = draw(st.sampled_from(["1", "2.5", "true", '"a"', "[", "-1"]))
        lines.append(f"{key} = {value}")
    return "\n".join(lines).encode()


def run_settings(count: int, figures: dict) -> None:
    root = fresh_project()
    (root / "pyproject.toml").unlink()
    outcome = Outcome()
    try:

        @trials(count)
        @given(settings_files())
        def one(data: bytes) -> None:
            attempt(root, {"homelang.toml": data}, ["extract"], outcome)

        one()
    finally:
        shutil.rmtree(root, ignore_errors=True)
        record(outcome, figures)
    assert 0 < outcome.refused < outcome.cases


def test_hostile_settings_fast(figures: dict) -> None:
    run_settings(40, figures)


@pytest.mark.slow
def test_hostile_settings_long(figures: dict) -> None:
    run_settings(400, figures)


@pytest.mark.parametrize(
    "name,data,message",
    [
        (
            "latin-1",
            "---\nid: x\nkind: notice\ntitle: Caf\xe9\n---\n".encode("latin-1"),
            "fuzz.md:4: not UTF-8 text",
        ),
        (
            "nul",
            b"---\nid: x\nkind: notice\ntitle: T\n---\n\nA\x00B\n",
            "fuzz.md:7: control character U+0000",
        ),
        (
            "huge",
            b"---\nid: x\nkind: notice\ntitle: T\n---\n" + b"word " * 10_000_000,
            "fuzz.md: larger than 2 MB",
        ),
    ],
)
def test_real_world_oddities(project: Path, homelang, name: str, data: bytes, message: str) -> None:
    homelang("extract")
    before = hashes(project)
    (project / "source/notices/fuzz.md").write_bytes(data)
    result = homelang("extract", expect=2)
    assert message in result.output
    (project / "source/notices/fuzz.md").unlink()
    assert hashes(project) == before


def test_rtl_override_and_bom_crlf_are_accepted(project: Path, homelang) -> None:
    text = "\ufeff---\r\nid: odd\r\nkind: notice\r\ntitle: Odd \u202eevil\u202c name\r\n---\r\n\r\nText with \u2066isolate\u2069.\r\n"
    (project / "source/notices/odd.md").write_bytes(text.encode("utf-8"))
    homelang("extract")
    pot = (project / "locales/odd.pot").read_text("utf-8")
    assert 'msgid "Odd \u202eevil\u202c name"' in pot and "\r" not in pot
