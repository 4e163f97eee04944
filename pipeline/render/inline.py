"""Inline Markdown of one segment, made safe for print and web.

A translation is untrusted input. For print it becomes a list of *runs*
(``{"text", "bold", "italic", "code", "link"}``) that the Typst templates lay out as
data; for the web it becomes HTML through markdown-it with raw HTML disabled. Both keep
a link only where :func:`pipeline.links.allowed` does (markdown-it's ``validateLink``):
``http``, ``https``, ``mailto`` and ``tel``; any other link is left as text.

In right-to-left text, left-to-right runs (house numbers, phone numbers, URLs,
English names) are isolated, so "236 Maple Street" is not printed "Maple Street 236".
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline import links

LRI, PDI = "\u2066", "\u2069"

# A left-to-right run: starts and ends with a Latin letter or a digit (a closing
# bracket or slash may end it), and holds only Latin letters, digits and the
# punctuation of addresses, numbers and URLs in between.
_L = "A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff"
_LTR_RUN = re.compile(rf"[{_L}](?:[{_L} .,:;/@#&+\-_'’%?=~()]*[{_L})/])?")


@cache
def _markdown() -> MarkdownIt:
    # Images are off: a page carries no external assets, and alt text reads as text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = links.allowed
    return md.disable("image")


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each left-to-right run in ``text``."""
    return [m.span() for m in _LTR_RUN.finditer(text)]


def isolate(text: str) -> str:
    """``text`` with each left-to-right run wrapped in Unicode isolates (LRI ... PDI)."""
    out, last = [], 0
    for start, end in ltr_spans(text):
        out.append(text[last:start] + LRI + text[start:end] + PDI)
        last = end
    out.append(text[last:])
    return "".join(out)


def runs(text: str, rtl: bool = False) -> list[dict[str, Any]]:
    """Inline Markdown as a list of styled text runs, for the print templates."""
    out: list[dict[str, Any]] = []
    bold = italic = 0
    targets: list[str] = []
    tokens: list[Token] = _markdown().parseInline(text)[0].children or []
    for tok in tokens:
        kind = tok.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            targets.append(str(tok.attrGet("href") or ""))
        elif kind == "link_close":
            targets.pop()
        elif kind in ("text", "code_inline", "softbreak", "hardbreak"):
            content = {"softbreak": " ", "hardbreak": "\n"}.get(kind, tok.content)
            if not content:
                continue
            run: dict[str, Any] = {
                "text": isolate(content) if rtl and kind != "hardbreak" else content
            }
            if bold:
                run["bold"] = True
            if italic:
                run["italic"] = True
            if kind == "code_inline":
                run["code"] = True
            if targets:
                run["link"] = targets[-1]
            _append(out, run)
    return out


def _append(out: list[dict[str, Any]], run: dict[str, Any]) -> None:
    """Add ``run``, merging it into the previous one when their styles are the same."""
    if out and {k: v for k, v in out[-1].items() if k != "text"} == {
        k: v for k, v in run.items() if k != "text"
    }:
        out[-1] = {**out[-1], "text": out[-1]["text"] + run["text"]}
    else:
        out.append(run)


@cache
def _html_renderer(rtl: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable(
        "image"
    )
    md.validateLink = links.allowed
    if rtl:
        md.add_render_rule("text", _isolating_text)
    return md


def _isolating_text(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    """markdown-it's text rule, with left-to-right runs isolated."""
    return escape(tokens[idx].content, rtl=True)


def escape(text: str, rtl: bool = False) -> str:
    """``text`` as HTML text; in right-to-left text, LTR runs are wrapped in ``<bdi dir="ltr">``."""
    if not rtl:
        return html.escape(text, quote=False)
    out, last = [], 0
    for start, end in ltr_spans(text):
        out.append(html.escape(text[last:start], quote=False))
        out.append(f'<bdi dir="ltr">{html.escape(text[start:end], quote=False)}</bdi>')
        last = end
    out.append(html.escape(text[last:], quote=False))
    return "".join(out)


def to_html(text: str, rtl: bool = False) -> str:
    """Inline Markdown as safe HTML: raw HTML shown as text, unsafe links left unlinked."""
    return _html_renderer(rtl).renderInline(text).strip()
