"""Checks on a whole entry that :mod:`pipeline.checks` runs beside its own.

- ``glyph``: a character of the translation that no font homelang ships can draw (an
  emoji, an unassigned code point such as U+D800C from a mistyped ``\\x`` escape). It
  would stop every print build and mail merge of the language, so it is an error: the
  entry stays a draft and its English prints instead.
- ``plural-forms``: a plural entry with some forms translated and another left empty
  (GNU ``msgfmt --check`` refuses the file).
- ``python-format``: a ``%`` in a ``python-format`` translation that is not a
  placeholder or ``%%`` (``100%``), which makes the page print the English silently.

Each returns ``(check id, message)`` pairs; the levels are in :data:`LEVELS`.
"""

from __future__ import annotations

import re
import unicodedata

import polib

from pipeline.render import fonts

LEVELS: dict[str, str] = {"glyph": "error", "plural-forms": "error", "python-format": "error"}
#: A ``%`` that is neither a ``%(name)s`` placeholder nor ``%%``.
STRAY_PERCENT = re.compile(r"%(?!\(\w+\)s|%)")


def check(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(check id, message) for each problem of a translated entry as a whole."""
    forms = (
        [text for _, text in sorted(entry.msgstr_plural.items())]
        if entry.msgid_plural
        else [entry.msgstr]
    )
    if not any(forms):
        return []
    found: list[tuple[str, str]] = []
    empty = [str(n) for n, text in enumerate(forms) if not text]
    if entry.msgid_plural and empty:
        found.append(("plural-forms", f"plural form {', '.join(empty)} is empty"))
    english = entry.msgid + entry.msgid_plural
    lacking = [c for c in fonts.missing("".join(forms), _families()) if c not in english]
    if lacking:
        found.append(
            ("glyph", f"{', '.join(map(_named, lacking))}: no font homelang ships can print it")
        )
    if "python-format" in entry.flags and any(STRAY_PERCENT.search(text) for text in forms):
        found.append(("python-format", "a % that is no placeholder: write %% for a percent sign"))
    return found


def _families() -> list[str]:
    return [source.family for source in fonts.installed()]


def _named(char: str) -> str:
    kind = {"Cn": "unassigned", "Cs": "surrogate", "Co": "private use"}.get(
        unicodedata.category(char)
    )
    return f"U+{ord(char):04X} {kind}" if kind else f"{char!r} ({fonts.unprintable(char)})"
