"""Inline Markdown of one segment, made safe for print and web.

A translation is untrusted input. For print it becomes a list of *runs*
(``{"text", "bold", "italic", "code", "link"}``) that the Typst templates lay out as
data; for the web it becomes HTML through markdown-it with raw HTML disabled. Both keep
a link only where :func:`pipeline.links.allowed` does (markdown-it's ``validateLink``):
``http``, ``https``, ``mailto`` and ``tel``; any other link is left as text.

In right-to-left text, each whole left-to-right run (a phone number with its
parentheses, a temperature with its sign and unit, a date, a time range, an e-mail, a
URL, a house number, a Latin name) is isolated as one unit, so "(612) 668-0000" is not
printed "668-0000 (612)". The runs are found by ICU's Unicode Bidirectional Algorithm
(the levels it resolves in a right-to-left paragraph), then joined across the neutral
characters between them and widened over the signs and brackets that belong to them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache
from typing import Any

import icu
from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline import links

LRI, PDI = "\u2066", "\u2069"
_OPENS_ISOLATE = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI
# Weak and neutral bidi classes a left-to-right run may hold between two of its parts
# ("(612) 668-0000": ") " between "612" and "668-0000").
_JOINING = {"WS", "CS", "ES", "ET", "ON", "NSM", "BN"}
# Right-to-left blocks: Hebrew to Arabic Extended-A, and the presentation forms. Their
# punctuation ("،", "؛") separates two runs instead of joining them.
# A web or e-mail address in running text (to keep on one line): no spaces, no isolates,
# not ending in the sentence's punctuation. An e-mail's local part starts where a run of
# its characters starts (the lookbehind), so a long run without "@" is scanned once, not
# once from each of its characters (linear time, not quadratic).
_ADDRESS = re.compile(
    r"(?:https?://|www\.)[^\s<>\u2066-\u2069]*[^\s<>\u2066-\u2069.,;:!?)\]]"
    r"|(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
)
_RTL_BLOCKS = (("\u0590", "\u08ff"), ("\ufb1d", "\ufdff"), ("\ufe70", "\ufeff"))


@cache
def _markdown() -> MarkdownIt:
    # Images are off: a page carries no external assets, and alt text reads as text.
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.validateLink = links.allowed
    return md.disable("image")


def _levels(text: str) -> list[int]:
    """The embedding level of each character of ``text`` in a right-to-left paragraph (ICU)."""
    bidi = icu.Bidi()
    bidi.setPara(icu.UnicodeString(text), 1)
    units = bidi.getLevels()  # one per UTF-16 code unit
    levels, unit = [], 0
    for char in text:
        levels.append(units[unit])
        unit += 2 if ord(char) > 0xFFFF else 1
    return levels


def _rtl_block(char: str) -> bool:
    return any(low <= char <= high for low, high in _RTL_BLOCKS)


def _joins(gap: str) -> bool:
    """Whether two left-to-right parts with ``gap`` between them are one run."""
    return all(
        unicodedata.bidirectional(c) in _JOINING and not _rtl_block(c) and c not in _OPENS_ISOLATE
        for c in gap
    )


def _bracket(char: str) -> int:
    """1 for an opening paired bracket, 2 for a closing one, 0 otherwise (Unicode's Bidi_Paired_Bracket_Type)."""
    return icu.Char.getIntPropertyValue(char, icu.UProperty.BIDI_PAIRED_BRACKET_TYPE)


def _pair(char: str) -> str:
    return icu.Char.getBidiPairedBracket(char)  # given a str, ICU answers with a str


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a run over what belongs to it: a sign or currency before it ("-35", "+1",
    "$5"), brackets around it, a slash ending a URL."""
    while True:
        if (
            0 < start
            and end < len(text)
            and _bracket(text[start - 1]) == 1
            and _pair(text[start - 1]) == text[end]
        ):
            start, end = start - 1, end + 1
        elif end < len(text) and (
            text[end] == "/"
            or unicodedata.bidirectional(text[end]) == "ET"
            or (
                _bracket(text[end]) == 2
                and text.count(_pair(text[end]), start, end) > text.count(text[end], start, end)
            )
        ):
            end += 1
        elif start > 0 and (
            unicodedata.bidirectional(text[start - 1]) in ("ES", "ET")
            and not _rtl_block(text[start - 1])
            or (
                _bracket(text[start - 1]) == 1
                and text.count(_pair(text[start - 1]), start, end)
                > text.count(text[start - 1], start, end)
            )
        ):
            start -= 1
        else:
            return start, end


def ltr_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each left-to-right run of ``text`` read in a right-to-left paragraph.

    Text already inside an isolate (LRI, RLI, FSI ... PDI) is left as it is.
    """
    levels = _levels(text)
    parts: list[list[int]] = []
    depth = 0
    for i, char in enumerate(text):
        if char in _OPENS_ISOLATE:
            depth += 1
        elif char == PDI:
            depth = max(depth - 1, 0)
        elif depth == 0 and levels[i] % 2 == 0 and not char.isspace():
            if parts and parts[-1][1] == i:
                parts[-1][1] = i + 1
            else:
                parts.append([i, i + 1])
    spans: list[tuple[int, int]] = []
    for start, end in parts:
        if spans and _joins(text[spans[-1][1] : start]):
            start = spans.pop()[0]
        spans.append((start, end))
    widened: list[tuple[int, int]] = []
    for start, end in spans:
        start, end = _widen(text, start, end)
        if widened and start < widened[-1][1]:  # two runs widened into each other: one run
            start = widened.pop()[0]
        widened.append((start, end))
    return widened


def isolate(text: str) -> str:
    """``text`` with each left-to-right run wrapped in Unicode isolates (LRI ... PDI)."""
    out, last = [], 0
    for start, end in ltr_spans(text):
        out.append(text[last:start] + LRI + text[start:end] + PDI)
        last = end
    out.append(text[last:])
    return "".join(out)


def runs(text: str, rtl: bool = False) -> list[dict[str, Any]]:
    """Inline Markdown as a list of styled text runs, for the print templates.

    Paper cannot be clicked: a link whose text is not its address is followed by the
    address in brackets ("the city's page (https://...)").
    """
    out: list[dict[str, Any]] = []
    bold = italic = 0
    hrefs: list[str] = []
    labels: list[str] = []  # the text of each open link so far
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
            hrefs.append(str(tok.attrGet("href") or ""))
            labels.append("")
        elif kind == "link_close":
            href, label = hrefs.pop(), labels.pop()
            address = _address(href) if href else ""
            if address and _bare(label) != _bare(address):
                shown = f" ({address})"
                for part, whole in _addresses(isolate(shown) if rtl else shown):
                    _append(
                        out, {"text": part, "link": href, **({"nobreak": True} if whole else {})}
                    )
        elif kind in ("text", "code_inline", "softbreak", "hardbreak"):
            content = {"softbreak": " ", "hardbreak": "\n"}.get(kind, tok.content)
            if not content:
                continue
            labels = [label + content for label in labels]
            style: dict[str, Any] = {}
            if bold:
                style["bold"] = True
            if italic:
                style["italic"] = True
            if kind == "code_inline":
                style["code"] = True
            link = next((href for href in reversed(hrefs) if href), None)
            if link:
                style["link"] = link
            shown = isolate(content) if rtl and kind != "hardbreak" else content
            for part, address in _addresses(shown):
                _append(out, {"text": part, **style, **({"nobreak": True} if address else {})})
    return out


def _addresses(text: str) -> list[tuple[str, bool]]:
    """``text`` cut around its web and e-mail addresses: (part, is an address)."""
    parts, last = [], 0
    for found in _ADDRESS.finditer(text):
        parts += [(text[last : found.start()], False), (found.group(), True)]
        last = found.end()
    parts.append((text[last:], False))
    return [(part, address) for part, address in parts if part]


def _address(target: str) -> str:
    """A link target as printed: no ``mailto:``/``tel:`` prefix, no trailing slash."""
    return re.sub(r"^(mailto|tel):", "", target.strip(), flags=re.I).rstrip("/")


def _bare(address: str) -> str:
    return re.sub(r"^https?://", "", address.strip(), flags=re.I).rstrip("/")


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
