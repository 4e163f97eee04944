"""Which language a text is written in, for the ``language`` check (Somali in a Spanish catalog).

The script check cannot tell two languages of one script apart; lingua's models can.
They ship inside its wheel (no download at run time) and load on first use, in
lingua's low-accuracy mode (0.5 s, about 100 MB, under a millisecond a text), which
is reliable on the long texts judged here. Only languages lingua knows are judged
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


def other_language(text: str, code: str) -> tuple[str, float] | None:
    """(English name, confidence) of the language ``text`` is clearly in when it is not
    ``code``; None when it is ``code``, too short to tell, unclear, or ``code`` is unknown."""
    expected = _lingua(code)
    words = _WORD.findall(text)
    if expected is None or len(words) < MIN_WORDS or sum(map(len, words)) < MIN_LETTERS:
        return None
    best = _detector().compute_language_confidence_values(" ".join(words))[0]
    if best.language == expected or best.value < CONFIDENCE:
        return None
    return best.language.name.title(), best.value
