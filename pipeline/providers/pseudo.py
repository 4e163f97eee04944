"""The offline ``pseudo`` provider: accented, about 35 % longer, bracketed text.

Like Android's en-XA pseudo-locale, it shows layouts with longer, non-ASCII text
without a network or a cost. Tokens (``⟦0⟧``) pass through untouched, so links and
placeholders survive exactly as they do with a real engine.
"""

from __future__ import annotations

import re

from pipeline.protect import CLOSE, OPEN

_ACCENTED = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
_FILLER = "one two three four five six seven eight nine ten".split()
_TOKEN_SPLIT = re.compile(rf"({OPEN}\d+{CLOSE})")
_ASCII_LETTERS = re.compile(r"[A-Za-z]+")
#: How much longer than the English pseudo text is, as translations often are.
EXPANSION = 0.35


def pseudo_translate(text: str) -> str:
    """``Read ⟦0⟧here⟦1⟧`` -> ``«Ŕéåð ⟦0⟧ĥéŕé⟦1⟧ one two»``."""
    parts = _TOKEN_SPLIT.split(text)
    accented = "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts))
    words = len(_TOKEN_SPLIT.sub("", text))
    padding: list[str] = []
    while len(" ".join(padding)) < words * EXPANSION:
        padding.append(_FILLER[len(padding) % len(_FILLER)])
    return "«" + " ".join([accented, *padding]) + "»"


def looks_generated(english: str, text: str) -> bool:
    """Whether ``text`` is still what :func:`pseudo_translate` made of ``english``: wrapped
    in guillemets, its only unaccented words the filler or words of the English (links,
    placeholders and glossary terms pass through). Text a person typed over it is not."""
    if len(text) < 2 or text[0] != "«" or text[-1] != "»":
        return False
    english = english.casefold()
    return all(
        word.casefold() in english or word in _FILLER for word in _ASCII_LETTERS.findall(text)
    )
