"""What in a segment is not words: placeholders, URLs, addresses, Markdown and HTML marks.

Pretranslation hides these spans from engines (``pipeline.protect``) and the quality
checks compare them between English and translation (``pipeline.checks``), so both
use this one definition. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Order matters: earlier kinds win where spans overlap (a URL inside a link target
# is part of the link target, an e-mail inside a placeholder is a placeholder).
PATTERNS: tuple[tuple[str, str], ...] = (
    ("code", r"`[^`\n]+`"),
    ("link_target", r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+\"[^\"]*\")?\)"),
    ("autolink", r"<(?:https?|mailto):[^<>\s]+>"),
    ("html_tag", r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"),
    (
        "placeholder",
        r"\{\{.*?\}\}|\{%.*?%\}|\{[A-Za-z_][A-Za-z0-9_.]*\}|%\([A-Za-z_]\w*\)[sdifr]|%[sd]",
    ),
    ("url", r"(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"’]"),
    ("email", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"),
    ("phone", r"(?<!\d)(?:\+?1[ .-]?)?(?:\(\d{3}\)\s?|\d{3}[ .-])\d{3}[ .-]\d{4}(?!\d)"),
    (
        "domain",
        r"\b(?:[a-z0-9-]+\.)+(?:us|com|org|net|edu|gov|info)\b(?:/[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"’])?",
    ),
    ("mark", r"!?\[|\*\*|\*|(?<!\w)__|__(?!\w)|(?<!\w)_|_(?!\w)"),
)
_COMBINED = re.compile("|".join(f"(?P<{kind}>{pattern})" for kind, pattern in PATTERNS))
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,:]\d+)*(?![\w])")


@dataclass(frozen=True)
class Span:
    kind: str
    start: int
    end: int
    text: str


def spans(text: str) -> list[Span]:
    """Every protected span in ``text``, left to right, without overlaps."""
    return [
        Span(m.lastgroup or "", m.start(), m.end(), m.group()) for m in _COMBINED.finditer(text)
    ]


def inventory(text: str, kinds: tuple[str, ...] | None = None) -> Counter[tuple[str, str]]:
    """(kind, text) counts of protected spans, to compare English and translation."""
    return Counter((s.kind, s.text) for s in spans(text) if kinds is None or s.kind in kinds)


def numbers(text: str) -> Counter[str]:
    """Numbers written with ASCII digits, outside protected spans (dates, counts, times)."""
    plain = text
    for span in reversed(spans(text)):
        plain = plain[: span.start] + " " + plain[span.end :]
    return Counter(_NUMBER.findall(plain))
