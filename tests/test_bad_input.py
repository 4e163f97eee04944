"""Hostile and odd input to extract/update: a result or a one-line error, never a traceback.

Property-based (hypothesis) over source Markdown, front matter and settings, plus the
real-world oddities: BOM, CRLF, Latin-1, control characters, right-to-left overrides,
NUL bytes, a 50 MB file. On an error nothing on disk changes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import libre_server
import pytest
from click.testing import CliRunner
from conftest import copy_project, trials
from hypothesis import given
from hypothesis import strategies as st
from test_pretranslate import configure_libre, run_json

from pipeline.cli import main

libre = libre_server.libre  # the loopback server fixture

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
        self.cases = self.tracebacks = self.changed = self.refused = self.outside = 0


def attempt(
    root: Path,
    write: dict[str, bytes],
    args: list[str],
    outcome: Outcome,
    env: dict[str, str] | None = None,
    box: Path | None = None,
    allowed: tuple[str, ...] | None = None,
    exits: tuple[int, ...] = (0, 1, 2),
) -> None:
    """Write ``write`` files, run homelang, and judge: exit 0 or 1 (done, not all of it
    applied), or another of ``exits``, or exit 2 + one line + nothing changed.

    With ``box`` (a folder around the project) and ``allowed`` (folders relative to it),
    any file created, changed or deleted in ``box`` outside ``allowed`` is a failure too.
    """
    for name, data in write.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    before, around = hashes(root), box and hashes(box)
    result = CliRunner().invoke(main, ["-C", str(root), *args], env=env)
    outcome.cases += 1
    if box is not None and allowed is not None:
        after = hashes(box)
        moved = {p for p in after.keys() | around.keys() if around.get(p) != after.get(p)}
        if any(not p.startswith(allowed) for p in moved):
            outcome.outside += 1
            raise AssertionError(f"files changed outside {allowed}: {sorted(moved)}")
    if result.exit_code not in exits or (
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
        ("files changed outside", outcome.outside),
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


# --- environment, settings numbers and paths of the wrong kind: one line, never a traceback --
def set_setting(root: Path, table: str, line: str) -> None:
    """Put ``line`` into ``[table]`` of the project's pyproject.toml (replacing its key)."""
    pyproject = root / "pyproject.toml"
    key = line.split(" =")[0]
    lines = [x for x in pyproject.read_text("utf-8").splitlines() if not x.startswith(f"{key} =")]
    if table not in lines:
        lines += ["", table]
    at = lines.index(table) + 1
    pyproject.write_text("\n".join([*lines[:at], line, *lines[at:]]) + "\n", "utf-8")


def made(kind: str, name: str):
    """A setup that puts a file (``kind`` "file") or a folder where a folder or file is expected."""

    def setup(root: Path) -> None:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.mkdir() if kind == "folder" else path.write_text("x", "utf-8")

    return setup


def _line_of(path: Path, needle: str) -> int:
    """The line of ``path`` (read as cp1252, which decodes any byte) holding ``needle``."""
    lines = path.read_bytes().decode("cp1252").splitlines()
    return next((n for n, line in enumerate(lines, 1) if needle in line), 0)


def in_cp1252(root: Path) -> None:
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text("utf-8").replace('name = "Minneapolis', 'name = "Café Minneapolis')
    pyproject.write_bytes(text.encode("cp1252"))


def linked_output(root: Path) -> None:
    """An output folder (``-o``) whose index.html links to a project file."""
    (root / "web-out").mkdir()
    (root / "web-out" / "index.html").symlink_to(root / "pyproject.toml")


LIBRE = "[tool.homelang.providers.libre]"
PRETRANSLATE = ["pretranslate", "--provider", "libre", "--lang", "es"]
ODD_RUNS = [  # (name, environment, setup, command, what the one line says)
    ("url-ipv6", {"HOMELANG_LIBRE_URL": "http://[::1"}, None, PRETRANSLATE,
     "environment variable HOMELANG_LIBRE_URL: not a valid URL"),
    ("url-port", {"HOMELANG_LIBRE_URL": "http://127.0.0.1:99999"}, None, PRETRANSLATE,
     "HOMELANG_LIBRE_URL: not a valid URL (Port out of range"),
    ("url-control", {"HOMELANG_LIBRE_URL": "http://127.0.0.1/\x1b[2J"}, None, PRETRANSLATE,
     "HOMELANG_LIBRE_URL: a URL holds no spaces or control characters"),
    ("backoff-nan", {"HOMELANG_LIBRE_URL": "http://127.0.0.1:9", "HOMELANG_LIBRE_BACKOFF": "nan"},
     None, PRETRANSLATE, "HOMELANG_LIBRE_BACKOFF: must be a finite number"),
    ("timeout-inf", {"HOMELANG_LIBRE_URL": "http://127.0.0.1:9", "HOMELANG_LIBRE_TIMEOUT": "inf"},
     None, PRETRANSLATE, "HOMELANG_LIBRE_TIMEOUT: must be a finite number"),
    ("rate-tiny-env",
     {"HOMELANG_LIBRE_URL": "http://127.0.0.1:9", "HOMELANG_LIBRE_REQUESTS_PER_SECOND": "1e-300"},
     None, PRETRANSLATE, "HOMELANG_LIBRE_REQUESTS_PER_SECOND: must be 0"),
    ("retries-huge",
     {"HOMELANG_LIBRE_URL": "http://127.0.0.1:9", "HOMELANG_LIBRE_RETRIES": "10" * 12},
     None, PRETRANSLATE, "HOMELANG_LIBRE_RETRIES: must be between 0 and 100"),
    ("rate-tiny", {}, lambda r: set_setting(r, LIBRE, 'url = "http://127.0.0.1:9"\nrequests_per_second = 1e-300'),
     PRETRANSLATE, "tool.homelang.providers.libre.requests_per_second: must be 0"),
    ("url-setting", {}, lambda r: set_setting(r, LIBRE, 'url = "http://[::1"'),
     PRETRANSLATE, "tool.homelang.providers.libre.url: not a valid URL"),
    ("timeout-toml-inf", {}, lambda r: set_setting(r, LIBRE, "timeout = inf"),
     ["extract"], "tool.homelang.providers.libre.timeout: must be a finite number, got inf"),
    ("threshold-nan", {}, lambda r: set_setting(r, "[tool.homelang.build]", "publish_threshold = nan"),
     ["extract"], "tool.homelang.build.publish_threshold: must be a finite number"),
    ("days-huge", {}, lambda r: set_setting(r, "[tool.homelang.review]", "assignment_days = 1000000000"),
     ["review", "export", "--lang", "so"], "tool.homelang.review.assignment_days: must be between 1 and 3650"),
    ("workers-huge", {}, lambda r: set_setting(r, "[tool.homelang.pretranslate]", "workers = 100000000"),
     ["extract"], "tool.homelang.pretranslate.workers: must be between 1 and 256"),
    ("cp1252", {}, in_cp1252, ["extract"], "pyproject.toml:{cafe}: not UTF-8 text"),
    ("build-dir-file", {}, lambda r: (set_setting(r, "[tool.homelang]", 'build_dir = "out"'), made("file", "out")(r)),
     ["build", "--draft", "--lang", "es", "--format", "web"], "tool.homelang.build_dir: out is not a folder"),
    ("locales-dir-file", {}, lambda r: (set_setting(r, "[tool.homelang]", 'locales_dir = "loc"'), made("file", "loc")(r)),
     ["extract"], "tool.homelang.locales_dir: loc is not a folder"),
    ("glossary-folder", {}, made("folder", "glossary.csv"), ["check"],
     "tool.homelang.glossary: glossary.csv is not a file"),
    ("state-file", {}, made("file", ".homelang"), ["update"],
     "tool.homelang.state_dir: .homelang is not a folder"),
    ("index-folder", {}, made("folder", "build/index.html"), ["build", "--draft", "-l", "es", "--format", "web"],
     "build/index.html: not a regular file"),
    ("manifest-folder", {}, made("folder", "build/.outputs.json"), ["build", "--draft", "-l", "es", "--format", "web"],
     "build/.outputs.json: not a regular file"),
    ("language-file", {}, made("file", "locales/es"), ["update", "-l", "es"],
     "locales/es: not a folder (a language's folder)"),
    ("build-language-file", {}, made("file", "build/es"), ["build", "--draft", "-l", "es", "--format", "web"],
     "build/es: not a folder (a language's folder)"),
    ("template-folder", {}, made("folder", "locales/sanctuary-resolution.pot"), ["extract"],
     "locales/sanctuary-resolution.pot: not a regular file, but homelang keeps .pot files here"),
    ("mo-folder", {}, made("folder", "locales/es/LC_MESSAGES/sanctuary-resolution.mo"), ["compile", "-l", "es"],
     "sanctuary-resolution.mo: not a regular file"),
    ("assignments-folder", {}, made("folder", "locales/so/review-assignments.json"), ["review", "export", "-l", "so"],
     "locales/so/review-assignments.json: not a regular file"),
    ("state-under-file", {}, lambda r: (set_setting(r, "[tool.homelang]", 'state_dir = "st/ate"'), made("file", "st")(r)),
     ["update"], "tool.homelang.state_dir: st is not a folder"),
    ("glossary-under-file", {}, lambda r: (set_setting(r, "[tool.homelang]", 'glossary = "gl/terms.csv"'), made("file", "gl")(r)),
     ["check"], "tool.homelang.glossary: gl is not a folder"),
    ("lock-folder", {}, made("folder", ".homelang/lock"), ["update"], "cannot open the project lock"),
    ("epoch-fraction", {"SOURCE_DATE_EPOCH": "1.5"}, None, ["update"], "SOURCE_DATE_EPOCH: expected whole seconds"),
    ("epoch-huge", {"SOURCE_DATE_EPOCH": "9" * 30}, None, ["update"], "SOURCE_DATE_EPOCH: expected whole seconds"),
    ("output-name-too-long", {}, None, ["build", "--draft", "-l", "es", "--format", "web", "-o", "{root}/" + "a" * 300],
     "cannot go on: File name too long"),
    ("output-folder-link", {}, linked_output, ["build", "--draft", "-l", "es", "--format", "web", "-o", "{root}/web-out"],
     "web-out/index.html: a symbolic link"),
    ("cache-folder", {}, made("folder", ".homelang/cache.sqlite"), ["pretranslate", "--provider", "pseudo", "-l", "es"],
     ".homelang/cache.sqlite: not a regular file"),
]  # fmt: skip


@pytest.mark.parametrize("name,env,setup,args,message", ODD_RUNS, ids=[r[0] for r in ODD_RUNS])
def test_odd_environment_settings_and_folders_are_one_line_errors(
    catalogs_ready: Path, homelang, monkeypatch, figures: dict, name, env, setup, args, message
) -> None:
    figures["bad inputs"] = figures.get("bad inputs", 0) + 1
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    if setup:
        setup(catalogs_ready)
    before = hashes(catalogs_ready)
    result = homelang(*(a.replace("{root}", str(catalogs_ready)) for a in args), expect=2)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert (
        message.replace("{cafe}", str(_line_of(catalogs_ready / "pyproject.toml", "Café")))
        in lines[0]
    )
    assert hashes(catalogs_ready) == before


def wrong_schema(path: Path) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    db.execute("CREATE TABLE translations (provider, text)")
    db.execute("INSERT INTO translations VALUES ('libre', 'x')")
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        lambda p: p.write_bytes(bytes(range(256)) * 20),
        lambda p: p.write_bytes(b"SQLite format 3\0" + b"\xff" * 4000),
        wrong_schema,
    ],
    ids=["random-bytes", "damaged-header", "wrong-schema"],
)
def test_a_damaged_cache_is_rebuilt(catalogs_ready: Path, homelang, libre, damage) -> None:
    configure_libre(catalogs_ready, libre.url)
    (catalogs_ready / ".homelang").mkdir(exist_ok=True)
    damage(catalogs_ready / ".homelang/cache.sqlite")
    for dry in (["--dry-run"], []):  # read-only it counts as empty; writing, it starts afresh
        result = run_json(homelang, "--provider", "libre", "-l", "es", *dry)
        assert result["languages"][0]["from_cache"] == 0
        assert any("cache.sqlite was damaged" in n for n in result["languages"][0]["notes"])
    for path in catalogs_ready.glob("locales/es/LC_MESSAGES/*.po"):
        path.unlink()
    homelang("update", "-l", "es")
    again = run_json(homelang, "--provider", "libre", "-l", "es")
    assert again["languages"][0]["sent"] == 0 and again["languages"][0]["from_cache"] > 0


# --- trials: planted build manifests and odd environments, judged over a box around the project --
NOTICE_WEB = "es/sanctuary-resolution.web.html"


def path_values(box: Path) -> st.SearchStrategy[str]:
    """Paths a planted manifest could name: ours, outside, up, absolute, links, schemes."""
    return st.one_of(
        st.sampled_from(
            [
                NOTICE_WEB,
                "es/sanctuary-resolution-faq.web.html",
                str(box / "outside" / "sentinel.txt"),
                "../outside/sentinel.txt",
                "../../outside/sentinel.txt",
                "../source/notices/sanctuary-resolution.md",
                "es/../../source/notices/sanctuary-resolution.md",
                "javascript:window.hlPwned=1",
                "data:text/html,x",
                "//example.org/x",
                "es\\..\\..\\x",
                "",
                ".",
                "es",
            ]
        ),
        st.text(max_size=30),
    )


@st.composite
def output_manifests(draw, box: Path) -> bytes:
    paths = path_values(box)
    junk = st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=10), st.booleans())
    row = st.fixed_dictionaries(
        {
            "lang": st.one_of(st.sampled_from(["es", "en", "xx", "../.."]), junk),
            "doc_id": st.one_of(st.sampled_from(["sanctuary-resolution", "../x"]), junk),
            "format": st.one_of(st.sampled_from(["web", "letter", "mo", "exe"]), junk),
            "path": st.one_of(paths, junk),
            "status": st.one_of(st.sampled_from(["draft", "published", "skipped"]), junk),
        },
        optional={"reason": st.one_of(st.text(max_size=20), junk), "rebuilt": junk, "x": junk},
    )
    table = draw(st.dictionaries(paths, st.one_of(row, junk), max_size=4))
    text = json.dumps(table)
    return draw(st.sampled_from([text, text[:-1], "[" * 5000, "null", text + "x"])).encode()


ENV_KEYS = ["URL", "TIMEOUT", "BACKOFF", "RETRIES", "REQUESTS_PER_SECOND", "MAX_CHARS_PER_REQUEST"]


@st.composite
def environments(draw) -> dict[str, str]:
    """HOMELANG_LIBRE_* values; URLs only ever name the loopback host (and dry runs send nothing)."""
    numbers = st.one_of(
        st.sampled_from(["nan", "inf", "-inf", "1e-300", "1e300", "-1", "0", "", "1_0", "0x10"]),
        st.floats().map(repr),
        st.integers(-(10**20), 10**20).map(str),
    )
    url = st.one_of(
        st.sampled_from(["http://[::1", "http://127.0.0.1:99999", "ftp://127.0.0.1", "http://"]),
        st.builds(
            lambda port, tail: f"http://127.0.0.1:{port}{tail}",
            st.integers(-5, 70000),
            st.text(max_size=8),
        ),
    )
    keys = draw(st.lists(st.sampled_from(ENV_KEYS[1:]), max_size=3, unique=True))
    env = {"HOMELANG_LIBRE_URL": draw(url)}
    env.update({f"HOMELANG_LIBRE_{k}": draw(numbers) for k in keys})
    return {k: v.replace("\0", "") for k, v in env.items()}


def run_state_trials(count: int, figures: dict) -> None:
    box = Path(tempfile.mkdtemp(prefix="homelang-box-"))
    root = copy_project(box / "project")
    (box / "outside").mkdir()
    (box / "outside" / "sentinel.txt").write_text("must survive", "utf-8")
    outcome = Outcome()
    runner = CliRunner()
    for args in (["extract"], ["update"], ["build", "--draft", "-l", "es", "--format", "web"]):
        assert runner.invoke(main, ["-C", str(root), *args]).exit_code == 0
    build = ("project/build/", "project/.homelang/")
    try:

        @trials(count)
        @given(output_manifests(box), st.booleans(), environments())
        def one(manifest: bytes, draft: bool, env: dict[str, str]) -> None:
            args = ["build", "-l", "es", "--format", "web", *(["--draft"] if draft else [])]
            attempt(root, {"build/.outputs.json": manifest}, args, outcome, None, box, build)
            dry = ["pretranslate", "--provider", "libre", "-l", "es", "--dry-run"]
            attempt(root, {}, dry, outcome, env, box, ("project/.homelang/",), (0, 1, 2))

        one()
    finally:
        shutil.rmtree(box, ignore_errors=True)
        record(outcome, figures)
    assert 0 < outcome.refused < outcome.cases


def test_planted_manifests_and_odd_environments_fast(figures: dict) -> None:
    run_state_trials(30, figures)


@pytest.mark.slow
def test_planted_manifests_and_odd_environments_long(figures: dict) -> None:
    run_state_trials(400, figures)


@pytest.mark.parametrize(
    "text,printed",
    [
        ("plain\ttab\nline", "plain\ttab\nline"),
        ("\x1b]52;c;ZWNobw==\x07", "\\u001b]52;c;ZWNobw==\\u0007"),  # OSC 52: the clipboard
        ("\x9b31m", "\\u009b31m"),  # C1 CSI
        ("a\x85b\x7f", "a\\u0085b\\u007f"),
    ],
)
def test_terminal_output_shows_control_characters_escaped(text: str, printed: str) -> None:
    from pipeline.cli import shown

    assert shown(text) == printed
    assert (
        json.loads(
            json.dumps("x")[:-1] + shown(text).replace("\n", "\\n").replace("\t", "\\t") + '"'
        )
        == "x" + text
    )


def test_an_escape_sequence_quoted_in_an_error_reaches_no_terminal(project: Path, homelang) -> None:
    """A packet name (or a document id, a translation) holding an OSC sequence is quoted
    in messages with the sequence escaped: it cannot set the clipboard or the title."""
    result = homelang("review", "import", str(project / "x\x1b]0;pwned\x07.po"), expect=2)
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "\\u001b]0;pwned\\u0007" in result.output


def test_an_error_quoting_a_megabyte_prints_one_short_line() -> None:
    from pipeline.cli import UserError
    from pipeline.errors import PipelineError

    error = UserError(PipelineError(f"no document {'x' * 1_000_000!r} in this project"))
    assert len(error.message) < 4100 and error.message.startswith("no document 'xxx")
    assert error.message.endswith("more characters)")
