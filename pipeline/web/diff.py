"""What changed in the English since the translation was made, word by word (pure)."""

from __future__ import annotations

import difflib
import re

_WORDS = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``(kind, text)`` runs that spell ``new`` with ``old``'s removed words between them:
    kind is "same", "added" or "removed"; whitespace runs are words too, so joining the
    "same" and "added" runs gives back ``new`` exactly."""
    before, after = _WORDS.findall(old), _WORDS.findall(new)
    runs: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", "".join(after[j1:j2])))
            continue
        if op in ("delete", "replace"):
            runs.append(("removed", "".join(before[i1:i2])))
        if op in ("insert", "replace"):
            runs.append(("added", "".join(after[j1:j2])))
    return runs
