"""Tokens in, tokens out: hide what an engine must not touch, and put it back after.

Before a segment goes to a machine translation engine, every protected span
(``pipeline.markup``: placeholders, URLs, e-mail addresses, phone numbers, Markdown
link targets and marks, inline HTML) and every glossary term is replaced by a
numbered token ``⟦0⟧``, ``⟦1⟧`` ...: engines leave brackets and digits alone, where
they translate words inside ``{braces}`` and space out URLs. :func:`restore` puts
the originals back (a required glossary term comes back as its official
translation) and refuses output where any token is missing, duplicated or altered,
so a broken link never reaches a catalog. Pure functions, no I/O.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from pipeline import markup

OPEN, CLOSE = "⟦", "⟧"
# \d matches any script's digits (an engine may write ⟦٣⟧ for ⟦3⟧); int() reads them.
_TOKEN = re.compile(rf"{OPEN}\s*(\d+)\s*{CLOSE}")
# Our own bracket characters in the English are protected too, so they cannot fake a token.
_BRACKET = re.compile(f"[{OPEN}{CLOSE}]+")
# Kinds that wrap words: an engine's space between the mark and the word breaks Markdown.
_WRAPPING = ("mark", "link_target")


class TokenError(ValueError):
    """Machine output whose tokens do not match what was sent: the entry is left for people."""


@dataclass(frozen=True)
class Protected:
    """A segment ready to send: ``text`` with tokens, and what each token stands for."""

    source: str
    text: str
    originals: tuple[str, ...]
    openers: frozenset[int] = frozenset()
    closers: frozenset[int] = frozenset()


def token(number: int) -> str:
    return f"{OPEN}{number}{CLOSE}"


def protect(text: str, terms: Mapping[str, str] | None = None) -> Protected:
    """Replace protected spans and glossary ``terms`` (English -> text to restore) by tokens."""
    found = [(s.start, s.end, s.kind) for s in markup.spans(text)]
    found += [(m.start(), m.end(), "bracket") for m in _BRACKET.finditer(text)]
    found.sort()
    spans: list[tuple[int, int, str, str]] = []
    position = 0
    pattern = _terms_pattern(terms or {})
    for start, end, kind in found:
        if start < position:
            continue  # overlaps a span already taken (a bracket inside a URL, say)
        spans += _term_spans(text, position, start, pattern, terms or {})
        spans.append((start, end, kind, text[start:end]))
        position = end
    spans += _term_spans(text, position, len(text), pattern, terms or {})

    pieces, originals, openers, closers = [], [], set(), set()
    position = 0
    for number, (start, end, kind, restored) in enumerate(spans):
        pieces += [text[position:start], token(number)]
        originals.append(restored)
        if kind in _WRAPPING:
            before = text[start - 1] if start > 0 else " "
            after = text[end] if end < len(text) else " "
            if not after.isspace() and not before.isalnum():
                openers.add(number)
            elif not before.isspace() and not after.isalnum():
                closers.add(number)
        position = end
    pieces.append(text[position:])
    return Protected(
        text, "".join(pieces), tuple(originals), frozenset(openers), frozenset(closers)
    )


def _terms_pattern(terms: Mapping[str, str]) -> re.Pattern[str] | None:
    if not terms:
        return None
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=lambda t: (-len(t), t)))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def _term_spans(
    text: str, start: int, end: int, pattern: re.Pattern[str] | None, terms: Mapping[str, str]
) -> list[tuple[int, int, str, str]]:
    if pattern is None or start >= end:
        return []
    return [
        (m.start(), m.end(), "term", terms[m.group()]) for m in pattern.finditer(text, start, end)
    ]


def restore(protected: Protected, translated: str) -> str:
    """Put the originals back into an engine's output; :class:`TokenError` if a token was broken."""
    counts = Counter(int(m.group(1)) for m in _TOKEN.finditer(translated))
    wanted = range(len(protected.originals))
    missing = [n for n in wanted if counts[n] == 0]
    duplicated = [n for n in wanted if counts[n] > 1]
    unknown = sorted(n for n in counts if n not in wanted)
    stray = _BRACKET.search(_TOKEN.sub("", translated))
    if missing or duplicated or unknown or stray:
        problems = []
        if missing:
            problems.append("missing " + " ".join(_describe(protected, n) for n in missing))
        if duplicated:
            problems.append("duplicated " + " ".join(_describe(protected, n) for n in duplicated))
        if unknown or stray:
            problems.append("altered token")
        raise TokenError("; ".join(problems))

    return _put_back(protected, translated)


def _describe(protected: Protected, number: int) -> str:
    return f"{token(number)} ({protected.originals[number]!r})"


def _put_back(protected: Protected, translated: str) -> str:
    """Each token replaced by its original, without the spaces an engine put between a
    Markdown mark and the word it wraps (after an opener, before a closer).

    Spaces are walked by hand: a pattern ``\\s*⟦...⟧\\s*`` would rescan a run of
    spaces from each of its characters, quadratic in the run's length."""
    pieces, position = [], 0
    for match in _TOKEN.finditer(translated):
        number = int(match.group(1))
        gap = translated[position : match.start()]
        pieces += [gap.rstrip() if number in protected.closers else gap]
        pieces.append(protected.originals[number])
        position = match.end()
        if number in protected.openers:
            while position < len(translated) and translated[position].isspace():
                position += 1
    pieces.append(translated[position:])
    return "".join(pieces)
