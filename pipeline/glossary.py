"""The glossary: terms never translated, and official names with required translations.

``glossary.csv`` at the project root (header row required)::

    term,language,translation,note
    MPS,,,Minneapolis Public Schools: keep the abbreviation
    Office of General Counsel,es,Oficina del Consejo General,the district's legal office

A row with no language and no translation is a do-not-translate term; a row with
both is the translation required in that language.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pipeline.errors import SourceError
from pipeline.files import read_regular

COLUMNS = ("term", "language", "translation", "note")


@dataclass(frozen=True)
class Term:
    term: str
    language: str = ""
    translation: str = ""
    note: str = ""

    @property
    def keep(self) -> bool:
        return not self.language

    def found_in(self, text: str) -> bool:
        # the substring test first: most terms are in no given text, and it is far cheaper
        return self.term in text and _pattern(self.term).search(text) is not None


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = field(default_factory=tuple)

    def keep_terms(self) -> list[Term]:
        return list(self._for_language(""))

    def applicable(self, text: str, lang: str) -> list[Term]:
        """Terms that occur in the English ``text`` and matter for ``lang``."""
        return [t for t in self._for_language(lang) if t.found_in(text)]

    def _for_language(self, lang: str) -> tuple[Term, ...]:
        """The terms that matter for ``lang`` (do-not-translate ones only, for ""), worked
        out once: the checks ask for every text of a catalog."""
        if lang not in self._by_language:
            terms = tuple(t for t in self.terms if t.keep or (lang and t.language == lang))
            self._by_language[lang] = terms
        return self._by_language[lang]

    @cached_property
    def _by_language(self) -> dict[str, tuple[Term, ...]]:
        return {}


def _pattern(term: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)")


def load_glossary(path: Path, shown: Path | None = None) -> Glossary:
    """Read ``glossary.csv``; a missing file is an empty glossary, a bad row an error with its line."""
    shown = shown or path
    try:
        raw = read_regular(path, shown)
    except FileNotFoundError:
        return Glossary()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError("not UTF-8 text", shown, raw[: exc.start].count(b"\n") + 1) from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("term", "language", "translation") if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(
            f"missing column(s) {', '.join(missing)} (header: {','.join(COLUMNS)})", shown, 1
        )
    terms = []
    for row in reader:
        line = reader.line_num
        term = Term(*((row.get(c) or "").strip() for c in COLUMNS))
        if not term.term:
            raise SourceError("empty term", shown, line)
        if bool(term.language) != bool(term.translation):
            raise SourceError(
                "give both language and translation, or neither (do not translate)", shown, line
            )
        terms.append(term)
    # longest first, so "Minneapolis Public Schools" is protected before "Minneapolis"
    return Glossary(tuple(sorted(terms, key=lambda t: (-len(t.term), t.term, t.language))))
