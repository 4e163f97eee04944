"""Hostile translations and a real-browser judge of whether any of them came alive.

``PAYLOADS``: what a malicious or careless translator could put in a msgstr. Each one,
if it ran, would set ``window.hlPwned``, open a dialog, log ``PWNED`` or fetch from
``%URL%`` (replaced by a loopback :class:`Trap` server's address). :func:`judge` loads
pages in Debian's headless Chromium through playwright, pokes every element, and
reports per page what ran, what was requested and what the parsed DOM holds.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

#: The sentinel a live payload sets (no underscores: "__" would trip the emphasis check first).
P = "window.hlPwned=1"
PAYLOADS = [
    # script tags in many spellings
    f"<script>{P}</script>",
    f"<SCRIPT>{P}</SCRIPT>",
    f"<ScRiPt >{P}</sCrIpT >",
    "<script src=%URL%/s.js></script>",
    f"<script\n>{P}</script\n>",
    f"<<script>{P}//<</script>",
    f"<scr<script>ipt>{P}</scr</script>ipt>",
    f"&lt;script&gt;{P}&lt;/script&gt;",
    f"\\<script>{P}\\</script>",
    f"`</code><script>{P}</script>`",
    # event handlers
    f"<img src=x onerror={P}>",
    f'<img src="x" onerror="{P}">',
    f"<body onload={P}>",
    f"<input onfocus={P} autofocus>",
    f'<svg onload="{P}"></svg>',
    f"<svg><animate onbegin={P} attributeName=x dur=1s>",
    f"<details open ontoggle={P}>",
    f"<div onmouseover={P}>hover</div>",
    f'<a href="#" onclick="{P}">click</a>',
    f"<video><source onerror={P}>",
    f"<marquee onstart={P}>",
    # dangerous link schemes, Markdown and HTML forms
    f"[click](javascript:{P})",
    f"[click](JaVaScRiPt:{P})",
    f"[click]( javascript:{P})",
    f"[click](java&#115;cript:{P})",
    f"[click](&#106;avascript:{P})",
    f"[click](javascript&colon;{P})",
    f"[click](%6Aavascript:{P})",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuaGxQd25lZD0xPC9zY3JpcHQ+)",
    f"[click](<javascript:{P}>)",
    f"<javascript:{P}>",
    f"[click][ref]\n\n[ref]: javascript:{P}",
    f'<a href="javascript:{P}">click</a>',
    f'<a href="jav&#x09;ascript:{P}">click</a>',
    f"![x](javascript:{P}) ![y](%URL%/img.png)",
    # CSS injection
    '<span style="background:url(%URL%/css.png)">css</span>',
    "<style>*{background:url(%URL%/style.png)}</style>",
    "</style><style>body{background:url(%URL%/break.png)}</style>",
    '<div style="width:expression(alert(1))">ie</div>',
    "<style>@import '%URL%/import.css';</style>",
    # comments closing early, breaking out of the section, attribute quotes
    f"--><script>{P}</script><!--",
    f"<!-- --!><script>{P}</script> -->",
    f"</section><script>{P}</script><section>",
    f'" onmouseover="{P}" x="',
    f"' autofocus onfocus='{P}' x='",
    f'"><img src=x onerror={P}>',
    # frames, objects, redirects, forms
    "<iframe src=%URL%/frame></iframe>",
    f'<iframe srcdoc="<script>parent.{P}</script>"></iframe>',
    "<object data=%URL%/obj></object>",
    "<embed src=%URL%/embed>",
    '<meta http-equiv="refresh" content="0;url=%URL%/refresh">',
    "<base href=%URL%/base/>",
    "<form action=%URL%/form><button autofocus>go</button></form>",
    "<link rel=stylesheet href=%URL%/link.css>",
    # template syntax that must never be evaluated
    "{{ 7*191 }}",
    "{{ config }} {{ self }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# a comment that must show #}",
    "{{ lipsum.__globals__['os'].popen('id').read() }}",
    "%(guardian)s %s {0} ${HOME}",
    # Typst markup that must print as text
    '#eval("1 + 1")',
    '#read("/etc/passwd")',
    '#import "/etc/passwd": *',
    "#set page(fill: red) #box[x] $x^2$ @label <label>",
    # bidi overrides and a very long string
    "\u202eevil\u202c \u2067rtl\u2069 \u200fmark",
    "long " + "A" * 2000 + " " + "word " * 300,
]

#: Text a payload must show literally on the page (beyond its own P-number).
LITERAL = {
    "{{ 7*191 }}": "{{ 7*191 }}",
    "{{ config }} {{ self }}": "{{ config }}",
    "{# a comment that must show #}": "{# a comment that must show #}",
    f"<script>{P}</script>": "<script>",
    '#read("/etc/passwd")': '#read("/etc/passwd")',
}
#: What must never appear on a page: the results of evaluating the template payloads.
EVALUATED = ["1337", "<Config", "TemplateReference", "uid=", "looploop", "root:x:0:0"]


def marked(n: int, payload: str, url: str) -> str:
    """Payload ``n`` as a msgstr: a visible ``P07:`` tag, then the payload aimed at ``url``."""
    return f"P{n:02d}: " + payload.replace("%URL%", url.rstrip("/"))


class Trap:
    """A loopback HTTP server that counts every request a payload could make to it."""

    def __init__(self) -> None:
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _hit(self) -> None:
                hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            do_GET = do_POST = do_HEAD = _hit  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def __enter__(self) -> Trap:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Verdict:
    """What one page did in the browser."""

    page: str
    scripts: list[str] = field(
        default_factory=list
    )  # hlPwned or __pwned set, dialogs, PWNED console lines
    requests: list[str] = field(default_factory=list)  # every URL but the page itself
    text: str = ""  # document.body.innerText
    tags: set[str] = field(default_factory=set)
    attributes: set[str] = field(default_factory=set)  # lowercased attribute names
    hrefs: list[tuple[str, str]] = field(
        default_factory=list
    )  # (href, scheme as the browser resolves it)
    styles: list[str] = field(default_factory=list)  # style attribute values


#: Reads the parsed DOM: tags, attribute names and link targets, after the browser's own parsing.
_DOM = """() => {
  const all = [...document.querySelectorAll('*')];
  return {
    tags: all.map(e => e.tagName.toLowerCase()),
    attributes: all.flatMap(e => [...e.attributes].map(a => a.name.toLowerCase())),
    hrefs: all.filter(e => e.hasAttribute('href'))
      .map(e => [e.getAttribute('href'), e.protocol || '']),
    styles: all.filter(e => e.hasAttribute('style')).map(e => e.getAttribute('style')),
    text: document.body ? document.body.innerText : '',
  };
}"""
#: Pokes every element the way a visitor would: hover, focus, click (links that stay on the page).
_POKE = """() => {
  for (const e of document.querySelectorAll('body *')) {
    for (const type of ['mouseover', 'mouseenter', 'focus', 'toggle'])
      e.dispatchEvent(new Event(type));
    if (e.focus) e.focus();
  }
}"""


def judge(pages: list[Path]) -> list[Verdict]:
    """Load each page (a file) in headless Chromium and report what it did."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is needed: make system")
    verdicts = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            for path in pages:
                verdicts.append(_visit(browser, path))
        finally:
            browser.close()
    return verdicts


def _visit(browser, path: Path) -> Verdict:
    verdict = Verdict(str(path))
    url = path.resolve().as_uri()
    context = browser.new_context(java_script_enabled=True)
    page = context.new_page()

    def route(r) -> None:
        if r.request.url == url:
            r.continue_()
        else:
            verdict.requests.append(r.request.url)
            # Let loopback requests reach the trap (its hits are counted too); nothing else leaves.
            r.continue_() if r.request.url.startswith("http://127.0.0.1:") else r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (verdict.scripts.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("console", lambda m: "PWNED" in m.text and verdict.scripts.append(f"console: {m.text}"))
    page.goto(url, wait_until="load")
    page.evaluate(_POKE)
    for link in page.query_selector_all("a[href]"):
        # Links that stay on the page or name a scheme other than the web's get clicked;
        # web links and relative links (the index's own) would only open other pages.
        href = (link.get_attribute("href") or "").strip().lower()
        scheme = re.match(r"[a-z][a-z0-9+.-]*:", href)
        stays = href.startswith("#") or (
            scheme and scheme.group() not in ("http:", "https:", "mailto:", "tel:")
        )
        if stays and link.is_visible():
            link.click(no_wait_after=True, timeout=2000)
    page.wait_for_timeout(300)
    if page.url == url:  # a payload that navigated away has run already: counted by its request
        if page.evaluate("() => window.hlPwned || window.__pwned"):
            verdict.scripts.append("window.hlPwned")
        dom = page.evaluate(_DOM)
        verdict.text = dom["text"]
        verdict.tags = set(dom["tags"])
        verdict.attributes = set(dom["attributes"])
        verdict.hrefs = dom["hrefs"]
        verdict.styles = dom["styles"]
    else:
        verdict.scripts.append(f"navigated to {page.url}")
    context.close()
    return verdict


def host_page(snippet: Path, folder: Path) -> Path:
    """A full HTML page around a web snippet, as the district site would embed it."""
    page = folder / f"{snippet.parent.name}-{snippet.name}"
    html = snippet.read_text("utf-8")
    page.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head>'
        f"<body>{html}</body></html>",
        "utf-8",
    )
    return page


@contextmanager
def chromium_page(path: Path) -> Iterator:
    """``path`` loaded in Debian's headless Chromium (playwright), scripts off."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is needed: make system")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page()
            page.goto(path.resolve().as_uri(), wait_until="load")
            yield page
        finally:
            browser.close()
