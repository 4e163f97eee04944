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
