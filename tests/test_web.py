"""Web snippets: parsed as HTML, with the right lang/dir, and inert in real headless Chromium.

A PO file holding ``<script>``, event-handler and ``javascript:`` payloads is built
into snippets; Chromium loads each one, clicks every link, and must run none of
them. A control page with a live payload shows the judge can see a script run.
"""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from hostile import ARGS, CHROMIUM, chromium_page, judge
from test_build import FAQ, NOTICE, review

from pipeline import states

PAYLOADS = [
    "<script>window.hlPwned = 'script'</script> Hola",
    "[haz clic](javascript:void(window.hlPwned='link')) aquí",
    "<img src=x onerror=\"window.hlPwned='img'\"> imagen",
    "[enlace](JaVaScRiPt:void(window.hlPwned='case')) y <a href=\"javascript:void(window.hlPwned='a')\">otro</a>",
    "![foto](javascript:void(window.hlPwned='image')) y [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<svg onload=\"window.hlPwned='svg'\"></svg> **negrita** `<b>código</b>`",
]


class Sections(HTMLParser):
    """The attributes of every <section>, and whether tags balance."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: list[dict[str, str | None]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "section":
            self.sections.append(dict(attrs))
        if tag not in ("hr", "br", "img", "meta"):
            self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.tags and self.tags.pop() == tag, f"unbalanced </{tag}>"


def test_snippets_parse_with_lang_and_dir(catalogs_ready: Path, homelang) -> None:
    review(catalogs_ready, "ar", FAQ)
    homelang("build", "--draft", "--format", "web")
    for lang, direction in [
        ("en", "ltr"),
        ("es", "ltr"),
        ("am", "ltr"),
        ("kar", "ltr"),
        ("ar", "rtl"),
    ]:
        for doc in (NOTICE, FAQ):
            parser = Sections()
            parser.feed((catalogs_ready / "build" / lang / f"{doc}.web.html").read_text("utf-8"))
            parser.close()
            assert parser.sections == [
                {"class": "homelang", "lang": lang, "dir": direction, "data-document": doc}
            ]
            assert parser.tags == []
    arabic = (catalogs_ready / "build" / "ar" / f"{FAQ}.web.html").read_text("utf-8")
    assert (
        '<bdi dir="ltr">236 Maple Street</bdi>' in arabic
        and '<bdi dir="ltr">010-2030</bdi>' in arabic
    )
    assert "http" not in arabic.replace('href="http', "")  # no external assets, only links


@pytest.fixture
def hostile(catalogs_ready: Path, homelang) -> Path:
    """Spanish FAQ snippets built from a catalog whose translations carry script payloads."""
    path = catalogs_ready / "locales" / "es" / "LC_MESSAGES" / f"{FAQ}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    for i, entry in enumerate(e for e in catalog if not e.obsolete):
        entry.msgstr = PAYLOADS[i % len(PAYLOADS)]
        states.mark_reviewed(entry, "Mallory", "2026-11-29")
    catalog.save(str(path))
    homelang("build", "--draft", "--lang", "es", "--format", "web")
    return catalogs_ready / "build" / "es" / f"{FAQ}.web.html"


def test_hostile_translations_run_no_script_in_chromium(hostile: Path, tmp_path: Path) -> None:
    html = hostile.read_text("utf-8")

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[tuple[str, dict]] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            self.found.append((tag, dict(attrs)))

    tags = Tags()
    tags.feed(html)
    allowed = {
        "section",
        "style",
        "p",
        "h2",
        "h3",
        "strong",
        "em",
        "code",
        "a",
        "small",
        "ul",
        "li",
        "time",
    }
    assert {tag for tag, _ in tags.found} <= allowed
    for _tag, attrs in tags.found:
        assert not any(name.startswith("on") for name in attrs)
        assert not (attrs.get("href") or "").lower().startswith(("javascript:", "data:"))
    assert "&lt;script&gt;" in html  # shown as text, not dropped silently
    controls = [
        "<script>window.hlPwned = 'script'</script>",
        "<img src=x onerror=\"window.hlPwned='img'\">",
        '<p><a href="#" onclick="window.hlPwned=\'link\'">x</a></p>',
    ]
    pages = []
    for i, body in enumerate([html, *controls]):
        pages.append(tmp_path / f"page{i}.html")
        pages[-1].write_text(f"<!DOCTYPE html><html><body>{body}</body></html>", "utf-8")
    verdicts = judge(pages)
    assert verdicts[0].scripts == [] and verdicts[0].requests == []
    assert all(v.scripts for v in verdicts[1:])  # the judge sees a script that runs


def test_snippet_on_a_real_page_keeps_arabic_right_to_left(catalogs_ready: Path, homelang) -> None:
    review(catalogs_ready, "ar", NOTICE)
    homelang("build", "--lang", "ar", "--doc", NOTICE, "--format", "web")
    if not shutil.which("chromium") and not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is needed: make system")
    sync_api = pytest.importorskip("playwright.sync_api")
    html = (catalogs_ready / "build" / "ar" / f"{NOTICE}.web.html").read_text("utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.set_content(f"<!DOCTYPE html><html><body>{html}</body></html>")
            direction = page.evaluate(
                "() => getComputedStyle(document.querySelector('section p')).direction"
            )
            lang = page.evaluate("() => document.querySelector('section').lang")
        finally:
            browser.close()
    assert (direction, lang) == ("rtl", "ar")


#: The fonts Chromium drew an element's text with (DevTools' CSS.getPlatformFontsForNode).
def platform_fonts(path: Path, selector: str) -> list[dict]:
    with chromium_page(path) as page:
        page.evaluate("() => document.fonts.ready")
        assert page.evaluate("() => [...document.fonts].every(f => f.status === 'loaded')")
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        return cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]


@pytest.mark.parametrize(
    ("lang", "family"), [("am", "Noto Sans Ethiopic"), ("kar", "Noto Sans Myanmar")]
)
def test_drafts_and_index_draw_ethiopic_and_myanmar_with_embedded_fonts(
    catalogs_ready: Path, homelang, tmp_path: Path, lang: str, family: str
) -> None:
    from hostile import host_page

    review(catalogs_ready, lang, NOTICE)
    homelang("build", "--draft", "--lang", lang, "--doc", NOTICE, "-f", "web")
    snippet = catalogs_ready / "build" / lang / f"{NOTICE}.web.html"
    drawn = platform_fonts(host_page(snippet, tmp_path), "section h2")
    assert [f["familyName"] for f in drawn if f["isCustomFont"]] == [family], drawn
    assert sum(f["glyphCount"] for f in drawn if f["isCustomFont"]) > 10
    index = catalogs_ready / "build" / "index.html"
    drawn = platform_fonts(index, f'h2 span[lang="{lang}"]')
    assert [f["familyName"] for f in drawn if f["isCustomFont"]] == [family], drawn
    # a published snippet names its font stack and loads nothing
    homelang("build", "--lang", lang, "--doc", NOTICE, "-f", "web")
    published = snippet.read_text("utf-8")
    assert f'font-family:"{family}", "Noto Sans"' in published and "@font-face" not in published


def test_embedded_fonts_are_the_same_bytes_on_every_build() -> None:
    """No timestamp in a subset font: two processes a second apart embed the same bytes."""
    import subprocess
    import sys
    import time

    code = "from pipeline.render import webfonts; print(webfonts.font_faces('ለቤተሰቦች ကညီ', ['Ethi', 'Mymr']))"
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    time.sleep(1.1)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    assert first == again and b"@font-face" in first


@pytest.mark.parametrize(
    ("script", "first"),
    [
        ("Hant", '"Noto Sans TC", "Noto Sans", '),
        ("Hans", '"Noto Sans SC", "Noto Sans", '),
        ("Kore", '"Noto Sans KR", "Noto Sans", '),
        ("Arab", '"Noto Sans Arabic", "Noto Sans", '),
        ("Latn", '"Noto Sans", '),
    ],
)
def test_a_snippets_font_stack_names_its_own_script_first(script: str, first: str) -> None:
    """Traditional Chinese drawn by a Korean font shows the wrong character shapes."""
    from pipeline.render import webfonts

    assert webfonts.font_stack([script]).startswith(first)
