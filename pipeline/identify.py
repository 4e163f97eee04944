"""Which language a text is written in, for the ``language`` check (Somali in a Spanish catalog).

The script check cannot tell two languages of one script apart; lingua's models can.
They ship inside its wheel (no download at run time) and load on first use, in
lingua's low-accuracy mode (0.5 s, about 100 MB, a quarter of a millisecond a
sentence of CPU time), which is reliable on the long texts judged here. A catalog's
or a packet's texts are read in one call, spread over every core. Only languages lingua knows are judged
(Somali, Spanish, Vietnamese, Arabic ...; not Hmong, Karen, Oromo or Amharic), and
only a long text read with high confidence: a short or mixed one says nothing.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import Language as LinguaLanguage
    from lingua import LanguageDetector

#: A text is judged only with at least this many words and letters ...
MIN_WORDS = 6
MIN_LETTERS = 40
#: ... and reported only when lingua is at least this sure of another language.
CONFIDENCE = 0.95

_WORD = re.compile(r"[^\W\d_]+")


def words(text: str) -> list[str]:
    """The words of ``text`` as the identifier reads them: runs of letters."""
    return _WORD.findall(text)


@cache
def _detector() -> LanguageDetector:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


@cache
def _lingua(code: str) -> LinguaLanguage | None:
    from lingua import IsoCode639_1, Language

    try:
        return Language.from_iso_code_639_1(IsoCode639_1.from_str(code))
    except ValueError:
        return None


def knows(code: str) -> bool:
    """True when the identifier has a model of the language with this ISO 639-1 ``code``."""
    return _lingua(code) is not None


def other_languages(texts: list[str], code: str) -> list[tuple[str, float] | None]:
    """For each text, (English name, confidence) of the language it is clearly in when it is
    not ``code``; None when it is ``code``, too short to tell, unclear, or ``code`` is unknown.

    The texts long enough to judge are read in one call, on every core."""
    expected = _lingua(code)
    judged = {}
    for n, text in enumerate(texts):
        found = words(text)
        if expected is not None and len(found) >= MIN_WORDS and sum(map(len, found)) >= MIN_LETTERS:
            judged[n] = " ".join(found)
    found: list[tuple[str, float] | None] = [None] * len(texts)
    if not judged:
        return found
    values = _detector().compute_language_confidence_values_in_parallel(list(judged.values()))
    for n, ranked in zip(judged, values, strict=True):
        best = ranked[0]
        if best.language != expected and best.value >= CONFIDENCE:
            found[n] = (best.language.name.title(), best.value)
    return found
