"""What in a segment is not words: placeholders, URLs, addresses, Markdown and HTML marks.

Pretranslation hides these spans from engines (``pipeline.protect``) and the quality
checks compare them between English and translation (``pipeline.checks``), so both
use this one definition. Pure functions, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

# Every dash a phone number may be written with: hyphen, U+2010-U+2015 (en and em dashes
# among them), minus, small and fullwidth hyphen-minus.
DASHES = "\u2010-\u2015\u2212\ufe58\ufe63\uff0d-"
_PHONE_SEPARATOR = rf"(?:[^\S\n]{{1,2}}|[^\S\n]?[.{DASHES}][^\S\n]?)"

# Order matters: earlier kinds win where spans overlap (a URL inside a link target
# is part of the link target, an e-mail inside a placeholder is a placeholder).
#
# Every pattern runs in time linear in the text (``bench/bench_growth.py``): a repeat
# either stops at the next place the pattern could start again (``{{`` in a
# placeholder, ``<`` in a tag), or starts only where no earlier start would reach the
# same end (an e-mail at the start of its run of name characters), or is bounded
# (a domain label is at most 63 characters, a domain at most 10 labels).
PATTERNS: tuple[tuple[str, str], ...] = (
    ("code", r"`[^`\n]+`"),
    ("link_target", r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"),
    # CommonMark's autolink: any scheme of 2 to 32 characters, in any case
    ("autolink", r"<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>"),
    ("html_tag", r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),
    (
        "placeholder",
        r"\{\{(?:[^{}\n]|\{(?!\{)|\}(?!\}))*+\}\}|\{%(?:[^{%\n]|\{(?!%)|%(?!\}))*+%\}"
        r"|\{[A-Za-z_][A-Za-z0-9_.]*\}|%\([A-Za-z_]\w*\)[sdifr]|%[sd]",
    ),
    ("url", r"(?i:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"’]"),
    (
        "email",
        r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}",
    ),
    (
        "phone",
        rf"(?<!\d)(?:\+?1{_PHONE_SEPARATOR}?)?(?:[(（]\d{{3}}[)）][^\S\n]?|\d{{3}}{_PHONE_SEPARATOR})"
        rf"\d{{3}}{_PHONE_SEPARATOR}\d{{4}}(?!\d)",
    ),
    (
        "domain",
        r"\b(?:[a-z0-9-]{1,63}\.){1,10}(?:us|com|org|net|edu|gov|info)\b"
        r"(?:/[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"’])?",
    ),
    ("mark", r"!?\[|\*\*|\*|(?<!\w)__|__(?!\w)|(?<!\w)_|_(?!\w)"),
)
_COMBINED = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in PATTERNS))
#: What every pattern above needs somewhere in the text: most sentences have none, and
#: this one search is several times faster than the combined patterns finding nothing.
_MAYBE = re.compile(r"[`\]<{%@\[*_]|\d{3}\D{1,3}\d{3}|\.[a-z0-9-]|(?i:https?://|www\.)")
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,:]\d+)*(?![\w])")


class Span(NamedTuple):
    """One protected span (a tuple: hundreds of thousands are made in a catalog's checks)."""

    kind: str
    start: int
    end: int
    text: str


def spans(text: str) -> list[Span]:
    """Every protected span in ``text``, left to right, without overlaps."""
    if not _MAYBE.search(text):
        return []
    return [
        Span(m.lastgroup or "", m.start(), m.end(), m.group()) for m in _COMBINED.finditer(text)
    ]


def inventory(text: str, kinds: tuple[str, ...] | None = None) -> Counter[tuple[str, str]]:
    """(kind, text) counts of protected spans, to compare English and translation."""
    return Counter((s.kind, s.text) for s in spans(text) if kinds is None or s.kind in kinds)


def blank(text: str, found: Sequence[Span]) -> str:
    """``text`` with each of the spans ``found`` in it replaced by a space: its words."""
    pieces, last = [], 0
    for span in found:
        pieces += [text[last : span.start], " "]
        last = span.end
    pieces.append(text[last:])
    return "".join(pieces)


def numbers(text: str, found: Sequence[Span] | None = None) -> list[str]:
    """Numbers outside protected spans (dates, counts, times); ``found``: ``spans(text)``."""
    if not _DIGIT.search(text):
        return []
    return _NUMBER.findall(blank(text, spans(text) if found is None else found))


def phone_number(text: str) -> str:
    """The last ten digits of a phone number, in ASCII: 612.668.0000, (612) 668–0000 and
    ٦١٢-٦٦٨-٠٠٠٠ are all 6126680000."""
    return "".join(str(unicodedata.digit(c)) for c in text if c.isdecimal())[-10:]
