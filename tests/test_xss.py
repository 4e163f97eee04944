"""Hostile translations: reviewed msgstrs full of script, link, CSS, template and Typst payloads.

Judges: Debian's headless Chromium (tests/hostile.py) loads every web snippet, wrapped
as a page, and ``build/index.html``: no script runs (``window.hlPwned``, dialogs,
console), no request leaves (every request but the page itself is counted, and a
loopback trap server the payloads aim at must get no hit), the parsed DOM holds no
live element or attribute, and each payload still shows as text. Control pages with
a live payload prove the judge sees a script run and a request leave. The same
payloads printed as letters and flyers: exit 0, PDFs made, text read back with pdftotext.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import polib
import pytest
from hostile import EVALUATED, LITERAL, PAYLOADS, Trap, Verdict, host_page, judge, marked
from test_build import FAQ, NOTICE, translate

from pipeline import states
from pipeline.glossary import load_glossary

#: Tags a snippet, its host page or build/index.html may hold; anything else came from a payload.
ALLOWED_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "section",
    "style",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "a",
    "small",
    "ul",
    "ol",
    "li",
    "time",
    "table",
    "tr",
    "th",
    "td",
    "tbody",
    "thead",
    "bdi",
    "blockquote",
    "pre",
    "hr",
    "br",
    "span",
}
ALLOWED_ATTRIBUTES = {
    "class",
    "lang",
    "dir",
    "data-document",
    "href",
    "datetime",
    "style",
    "charset",
}
SAFE_HREF = ("http:", "https:", "mailto:", "tel:")
#: A handful for `make test`: a script tag, a handler, a javascript: link, CSS, a comment
#: closing early, a section break-out, jinja2 and Typst syntax.
FAST = [0, 10, 21, 36, 41, 43, 55, 63]


def plant(
    root: Path, lang: str, doc_id: str, chosen: list[int], url: str, start: int = 0
) -> dict[int, polib.POEntry]:
    """Put payloads (cycling through ``chosen``) in a catalog, reviewed: payload -> its entry."""
    path = root / "locales" / lang / "LC_MESSAGES" / f"{doc_id}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    glossary = load_glossary(root / "glossary.csv")
    placed = {}
    for i, entry in enumerate(e for e in catalog if not e.obsolete):
        n = chosen[(start + i) % len(chosen)]
        # A translation that passes the checks (links, glossary terms, placeholders kept),
        # then the payload.
        entry.msgstr = f"{translate(entry, lang, glossary)} {marked(n, PAYLOADS[n], url)}"
        states.mark_reviewed(entry, "Mallory", "2026-11-29")
        placed[n] = entry
    catalog.save(str(path))
    return placed


def judge_build(root: Path, folder: Path, trap: Trap) -> dict[str, Verdict]:
    """Every snippet under ``build/`` (as a page) and ``build/index.html``, judged in Chromium."""
    folder.mkdir(exist_ok=True)
    pages = [host_page(s, folder) for s in sorted((root / "build").glob("*/*.web.html"))]
    pages.append(root / "build" / "index.html")
    return {Path(v.page).name: v for v in judge(pages)}


def assert_inert(verdicts: dict[str, Verdict], trap: Trap) -> None:
    """No script ran, nothing was requested, and no live element or attribute is in any DOM."""
    for name, v in verdicts.items():
        assert v.scripts == [] and v.requests == [], (name, v.scripts, v.requests)
        assert v.tags <= ALLOWED_TAGS, (name, v.tags - ALLOWED_TAGS)
        assert v.attributes <= ALLOWED_ATTRIBUTES, (name, v.attributes - ALLOWED_ATTRIBUTES)
        for href, scheme in v.hrefs:  # a relative link resolves to the page's own file: scheme
            relative = scheme == "file:" and not href.strip().lower().startswith("file:")
            assert scheme in SAFE_HREF or relative, (name, href, scheme)
        for style in v.styles:  # the only style attribute is the template's list indent
            assert re.fullmatch(r"margin-inline-start:[0-9.]+em", style), (name, style)
        for word in EVALUATED:
            assert word not in v.text, (name, word)
    assert trap.hits == []


def assert_shown(verdict: Verdict, placed: dict[int, polib.POEntry]) -> None:
    """Each payload put on this page shows as text: its tag, and its literal syntax where listed."""
    for n in placed:
        assert f"P{n:02d}: " in verdict.text, (verdict.page, n, PAYLOADS[n][:60])
        if PAYLOADS[n] in LITERAL:
            assert LITERAL[PAYLOADS[n]] in verdict.text, (verdict.page, n)


def test_controls_prove_the_judge_sees_scripts_and_requests(tmp_path: Path) -> None:
    with Trap() as trap:
        controls = {
            "handler.html": '<img src="x" onerror="window.__pwned=1">',
            "dialog.html": "<script>alert('PWNED')</script>",
            "link.html": '<a href="javascript:window.hlPwned=1">click</a>',
            "request.html": f'<img src="{trap.url}control.png">',
            "hover.html": "<div onmouseover=\"console.log('PWNED')\">hover</div>",
        }
        for name, html in controls.items():
            (tmp_path / name).write_text(
                f"<!DOCTYPE html><html><body>{html}</body></html>", "utf-8"
            )
        verdicts = {Path(v.page).name: v for v in judge([tmp_path / n for n in controls])}
        assert verdicts["handler.html"].scripts == ["window.hlPwned"]
        assert verdicts["dialog.html"].scripts == ["dialog: PWNED"]
        assert verdicts["link.html"].scripts == ["window.hlPwned"]
        assert verdicts["hover.html"].scripts == ["console: PWNED"]
        assert verdicts["request.html"].requests == [f"{trap.url}control.png"]
        assert trap.hits == ["/control.png"]


def test_a_handful_of_payloads_stay_inert_in_chromium(
    catalogs_ready: Path, homelang, tmp_path: Path, figures
) -> None:
    with Trap() as trap:
        placed = plant(catalogs_ready, "es", FAQ, FAST, trap.url)
        homelang("build", "--draft", "--lang", "es", "--doc", FAQ, "--format", "web")
        verdicts = judge_build(catalogs_ready, tmp_path / "pages", trap)
        assert_inert(verdicts, trap)
        assert_shown(verdicts[f"es-{FAQ}.web.html"], placed)
    assert set(placed) == set(FAST)
    count(figures, len(FAST), verdicts, trap)


def count(figures: dict[str, int], payloads: int, verdicts: dict[str, Verdict], trap: Trap) -> None:
    figures["XSS payloads"] = figures.get("XSS payloads", 0) + payloads
    figures["scripts run"] = figures.get("scripts run", 0) + sum(
        len(v.scripts) for v in verdicts.values()
    )
    figures["requests leaked"] = (
        figures.get("requests leaked", 0)
        + sum(len(v.requests) for v in verdicts.values())
        + len(trap.hits)
    )


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, without the bidi controls it adds around runs."""
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub("[\u202a-\u202e\u2066-\u2069]", "", text)


@pytest.mark.slow
def test_the_whole_corpus_stays_inert_in_web_and_print(
    catalogs_ready: Path, homelang, tmp_path: Path, figures
) -> None:
    assert len(PAYLOADS) >= 50
    everything = list(range(len(PAYLOADS)))
    pyproject = catalogs_ready / "pyproject.toml"
    district = "</title><script>window.hlPwned=1</script>{{ 7*191 }}"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace(
            'name = "Minneapolis Public Schools"', f"name = {json.dumps(district)}"
        ),
        "utf-8",
    )
    with Trap() as trap:
        placed: dict[str, dict[int, polib.POEntry]] = {}
        start = 0
        for lang in ("es", "ar", "vi"):
            for doc_id in (FAQ, NOTICE, "templates"):
                placed[f"{lang}-{doc_id}"] = plant(
                    catalogs_ready, lang, doc_id, everything, trap.url, start
                )
                start += len(placed[f"{lang}-{doc_id}"])
        assert {n for ns in placed.values() for n in ns} == set(everything)

        homelang("build", "--draft", "--format", "web")
        drafts = judge_build(catalogs_ready, tmp_path / "drafts", trap)
        assert_inert(drafts, trap)
        for lang in ("es", "ar", "vi"):
            for doc_id in (FAQ, NOTICE):
                assert_shown(drafts[f"{lang}-{doc_id}.web.html"], placed[f"{lang}-{doc_id}"])
        assert "</title><script>" in drafts["index.html"].text

        # Published (no --draft): payloads with check errors fall back to English, the rest show.
        homelang("build", "--format", "web")
        published = judge_build(catalogs_ready, tmp_path / "published", trap)
        assert_inert(published, trap)
        # The checks hold back most payloads (tags, links, placeholders, URLs): English is
        # published instead. Those that pass them (escaped tags, quote breaking...) show as text.
        findings = json.loads(homelang("check", "--json", expect=None).stdout)["findings"]
        held = {(f["path"], f["msgid"]) for f in findings if f["level"] == "error"}
        for lang in ("es", "ar", "vi"):
            text = published[f"{lang}-{FAQ}.web.html"].text
            catalog = f"locales/{lang}/LC_MESSAGES/{FAQ}.po"
            for n, entry in placed[f"{lang}-{FAQ}"].items():
                assert (f"P{n:02d}: " in text) != ((catalog, entry.msgid) in held), (lang, n)
        count(
            figures, len(PAYLOADS), {**{f"d-{k}": v for k, v in drafts.items()}, **published}, trap
        )

    result = homelang(
        "build",
        "--draft",
        "--format",
        "letter",
        "--format",
        "flyer",
        "--lang",
        "es",
        "--lang",
        "ar",
        "--lang",
        "vi",
        "--json",
        expect=None,
    )
    found = json.loads(result.output)
    # a flyer that the long payload pushes past one page is reported and not printed (exit 1)
    assert result.exit_code == (1 if found["overflow"] else 0)
    assert all(path.endswith(".flyer.pdf") for path in found["overflow"])
    outputs = [
        o for o in found["outputs"] if o["lang"] != "en" and o["path"] not in found["overflow"]
    ]
    assert len(outputs) + len(found["overflow"]) == 3 * 2 * 2
    assert all(o["status"] == "draft" for o in outputs)
    for o in outputs:
        path = catalogs_ready / "build" / o["path"]
        assert path.read_bytes().startswith(b"%PDF-")
        if o["format"] == "letter":
            text = " ".join(pdf_text(path).split())
            assert not [word for word in EVALUATED if word in text], o["path"]  # Typst ran nothing
            for n, entry in placed[f"{o['lang']}-{o['doc_id']}"].items():
                # Arabic lines come in visual order (":P36"): the tag is matched alone.
                found = re.search(rf"(?<![A-Za-z0-9])P{n:02d}(?!\d)", text)
                assert found or entry.comment == "document summary", (
                    o["path"],
                    n,
                )  # letters print no summary
            for literal in ('#eval("1 + 1")', "{{ 7*191 }}"):
                if any(
                    PAYLOADS[n].startswith(literal) for n in placed[f"{o['lang']}-{o['doc_id']}"]
                ):
                    assert literal in text, (o["path"], literal)
