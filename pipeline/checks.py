"""Quality checks on translations, in the spirit of pofilter and Weblate's checks.

Each finding has an id (``placeholders``, ``urls``, ``md-link`` ...), a level and a
message. Errors (a dropped placeholder, a changed link, the wrong script) keep a vital
document from publishing and are not accepted as reviewed; warnings are for people
to look at. Pure functions on entries in memory: no I/O. Every pattern here and in
``pipeline.markup`` runs in time linear in the text (``bench/bench_growth.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

import polib

from pipeline import checks_extra, identify, links, markup
from pipeline.glossary import Glossary
from pipeline.languages import Language

#: Check id -> level. A table in the README lists what each one looks for.
LEVELS: dict[str, str] = {
    "placeholders": "error",
    "urls": "error",
    "emails": "error",
    "phones": "error",
    "md-link": "error",
    "md-syntax": "error",
    "xml-tags": "error",
    "glossary-keep": "error",
    "script": "error",
    "control": "error",
    "bidi-control": "error",
    "numbers": "warning",
    "glossary-required": "warning",
    "language": "warning",
    "same": "warning",
    "begin-space": "warning",
    "end-space": "warning",
    "end-stop": "warning",
    "long": "warning",
    **checks_extra.LEVELS,
}

#: ISO 15924 script code -> prefix of the Unicode character names of its letters.
SCRIPT_NAMES = {
    "Latn": "LATIN",
    "Arab": "ARABIC",
    "Ethi": "ETHIOPIC",
    "Mymr": "MYANMAR",
    "Cyrl": "CYRILLIC",
    "Grek": "GREEK",
    "Hebr": "HEBREW",
    "Thai": "THAI",
    "Khmr": "KHMER",
    "Laoo": "LAO",
    "Deva": "DEVANAGARI",
    "Beng": "BENGALI",
    "Hang": "HANGUL",
}

# Sentence-final marks by what they do; other scripts' marks count as the English one.
_END_MARKS = {
    "stop": ".。။።۔",
    "question": "?؟፧？",
    "exclamation": "!！",
    "colon": ":፦：",
}
_CLOSERS = "\"'”’»)]*_ \u00a0"
#: Longer than this many times the English (plus a little slack for short strings) may overflow a flyer.
LONG_FACTOR = 2.5
LONG_SLACK = 10
#: At least this many letters before the script check judges a text.
MIN_LETTERS = 4
#: Characters that reorder what prints around them (embeddings, overrides, isolates,
#: marks, the Arabic letter mark). Homelang adds its own isolates when it renders; a
#: catalog never needs one the English does not have, and an override turns
#: 612-668-0000 into 0000-866-216 (U+061C before digits does it too).
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_LETTERS = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True)
class Finding:
    """One problem in one catalog entry."""

    check_id: str
    level: str  # "error" | "warning"
    line: int
    msgid: str
    message: str


def check_catalog(catalog: polib.POFile, lang: Language, glossary: Glossary) -> list[Finding]:
    """Every finding in the catalog's live, translated entries, in file order."""
    found: list[Finding] = []
    for entry in catalog:
        if not entry.obsolete:
            found.extend(check_entry(entry, lang, glossary))
    return found


def check_entry(entry: polib.POEntry, lang: Language, glossary: Glossary) -> list[Finding]:
    """The findings for one entry (none when it is untranslated or obsolete)."""
    if entry.obsolete or not entry.msgid:
        return []
    pairs = [(entry.msgid, entry.msgstr)]
    if entry.msgid_plural:
        forms = sorted(entry.msgstr_plural.items())
        pairs = [(entry.msgid if n == 0 else entry.msgid_plural, text) for n, text in forms]
    found: list[Finding] = []
    for english, translation in pairs:
        if not translation:
            continue
        for check_id, message in compare(english, translation, lang, glossary):
            found.append(
                Finding(check_id, LEVELS[check_id], entry.linenum or 0, entry.msgid, message)
            )
    for check_id, message in checks_extra.check(entry):  # the checks of a whole entry
        found.append(Finding(check_id, LEVELS[check_id], entry.linenum or 0, entry.msgid, message))
    return found


def compare(
    english: str, translation: str, lang: Language, glossary: Glossary
) -> list[tuple[str, str]]:
    """(check id, message) for each way ``translation`` fails to match ``english``."""
    found: list[tuple[str, str]] = []
    en_spans, tr_spans = markup.spans(english), markup.spans(translation)
    for check_id, kinds, what in (
        ("placeholders", ("placeholder",), "placeholder"),
        ("emails", ("email",), "e-mail address"),
        ("xml-tags", ("html_tag",), "HTML tag"),
    ):
        message = _difference(_count(en_spans, kinds), _count(tr_spans, kinds), what)
        if message:
            found.append((check_id, message))
    found.extend(_links(en_spans, tr_spans))
    found.extend(_markdown(en_spans, tr_spans))
    message = _difference(
        markup.numbers(english, en_spans), markup.numbers(translation, tr_spans), "number"
    )
    if message:
        found.append(("numbers", message))
    found.extend(_glossary(english, translation, lang, glossary))
    found.extend(_text_shape(english, translation, lang, glossary, en_spans, tr_spans))
    for check_id, chars, what in (
        ("control", _controls(translation) - _controls(english), "control character"),
        ("bidi-control", _bidi(translation) - _bidi(english), "bidi control"),
    ):
        if chars:
            # invisible; a control character stops a print build, a bidi control
            # reorders the digits of a phone number on the page
            codes = ", ".join(
                f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in sorted(chars)
            )
            found.append((check_id, f"{what} {codes}"))
    return found


def _controls(text: str) -> set[str]:
    """Control characters (Unicode category Cc) other than line breaks and tabs."""
    return {c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\t"}


def _bidi(text: str) -> set[str]:
    return BIDI_CONTROLS.intersection(text)


def _count(spans: list[markup.Span], kinds: tuple[str, ...]) -> Counter[str]:
    return Counter(s.text for s in spans if s.kind in kinds)


def _phones(spans: list[markup.Span]) -> Counter[str]:
    """Phone numbers and ``tel:`` links by their digits: 612.668.0000, (612) 668–0000 and
    <tel:+16126680000> are all 612-668-0000."""
    found = Counter(markup.phone_number(s.text) for s in spans if s.kind == "phone")
    found.update(markup.phone_number(t) for t in _link_targets(spans) if links.scheme(t) == "tel")
    return found


def _links(en_spans: list[markup.Span], tr_spans: list[markup.Span]) -> list[tuple[str, str]]:
    """Web addresses and phone numbers (``tel:`` links among them) as in the English, and
    no added link that a page may not carry (:func:`pipeline.links.allowed`)."""
    en_targets = set(_link_targets(en_spans))
    urls = [_difference(_web_addresses(en_spans), _web_addresses(tr_spans), "web address")]
    urls += [
        f"link to {t!r}: only {', '.join(links.SCHEMES)} links are allowed"
        for t in _link_targets(tr_spans)
        if t not in en_targets and not links.allowed(t)
    ]
    found = []
    message = "; ".join(m for m in urls if m)
    if message:
        found.append(("urls", message))
    message = _difference(_phones(en_spans), _phones(tr_spans), "phone number")
    if message:
        found.append(("phones", message))
    return found


def _web_addresses(spans: list[markup.Span]) -> Counter[str]:
    """URLs, domains and autolinks other than ``tel:`` ones, schemes in lower case."""
    found: Counter[str] = Counter()
    for span in spans:
        if span.kind in ("url", "domain"):
            found[links.lower_scheme(span.text)] += 1
        elif span.kind == "autolink" and links.scheme(span.text[1:-1]) != "tel":
            found[f"<{links.lower_scheme(span.text[1:-1])}>"] += 1
    return found


def _link_targets(spans: list[markup.Span]) -> list[str]:
    """The target of each autolink and Markdown link (without a link's title)."""
    targets = []
    for span in spans:
        if span.kind == "autolink":
            targets.append(span.text[1:-1])
        elif span.kind == "link_target":
            targets.append((span.text[2:-1].split() or [""])[0])
    return targets


def _difference(english: Counter[str], translation: Counter[str], what: str) -> str:
    """A message naming what is missing and what is extra, or "" when both agree."""
    missing = sorted((english - translation).elements())
    extra = sorted((translation - english).elements())
    parts = []
    if missing:
        parts.append(f"missing {what} {', '.join(map(repr, missing))}")
    if extra:
        parts.append(f"unexpected {what} {', '.join(map(repr, extra))}")
    return "; ".join(parts)


def _markdown(en_spans: list[markup.Span], tr_spans: list[markup.Span]) -> list[tuple[str, str]]:
    """Links keep their targets and brackets; emphasis and inline code stay balanced."""
    found = []
    en_targets, tr_targets = _count(en_spans, ("link_target",)), _count(tr_spans, ("link_target",))
    message = _difference(
        Counter(t[2:-1] for t in en_targets.elements()),
        Counter(t[2:-1] for t in tr_targets.elements()),
        "link target",
    )
    opened = sum(1 for s in tr_spans if s.kind == "mark" and s.text.endswith("["))
    if not message and opened != sum(tr_targets.values()):
        message = f"{opened} '[' for {sum(tr_targets.values())} link target(s): a link is broken"
    if message:
        found.append(("md-link", message))
    problems = []
    for mark in ("**", "*", "__", "_"):
        en = sum(1 for s in en_spans if s.kind == "mark" and s.text == mark)
        tr = sum(1 for s in tr_spans if s.kind == "mark" and s.text == mark)
        if tr % 2 or (en and en != tr):
            problems.append(f"{tr} '{mark}' where the English has {en}")
    message = _difference(_count(en_spans, ("code",)), _count(tr_spans, ("code",)), "inline code")
    if message:
        problems.append(message)
    if problems:
        found.append(("md-syntax", "emphasis or code out of balance: " + "; ".join(problems)))
    return found


def _glossary(
    english: str, translation: str, lang: Language, glossary: Glossary
) -> list[tuple[str, str]]:
    found = []
    for term in glossary.applicable(english, lang.code):
        if term.keep and not term.found_in(translation):
            found.append(("glossary-keep", f"keep {term.term!r} untranslated"))
        elif not term.keep and term.translation.casefold() not in translation.casefold():
            found.append(
                (
                    "glossary-required",
                    f"{term.term!r} is {term.translation!r} in {lang.english_name}",
                )
            )
    return found


def _text_shape(
    english: str,
    translation: str,
    lang: Language,
    glossary: Glossary,
    en_spans: list[markup.Span],
    tr_spans: list[markup.Span],
) -> list[tuple[str, str]]:
    """Whitespace, end punctuation, identical text, script, language and length."""
    found = []
    if _edge(english, 0) != _edge(translation, 0):
        found.append(("begin-space", "leading whitespace differs from the English"))
    if _edge(english, -1) != _edge(translation, -1):
        found.append(("end-space", "trailing whitespace differs from the English"))
    en_end, tr_end = end_mark(english), end_mark(translation)
    if en_end != tr_end:
        found.append(
            (
                "end-stop",
                f"ends with {tr_end or 'no punctuation'}, the English with {en_end or 'no punctuation'}",
            )
        )
    en_words = _words(english, en_spans, glossary)
    if translation.strip() == english.strip() and re.search(r"[^\W\d_]{2}", en_words):
        found.append(("same", "translation is identical to the English"))
    words = _words(translation, tr_spans, glossary)
    own = _own_words(words, en_words)
    # judge what the translator wrote; a text that is all quotes of the English is judged whole
    message = wrong_script(own if sum(script_counts(own).values()) >= MIN_LETTERS else words, lang)
    if message:
        found.append(("script", message))
    elif identify.knows(lang.code):
        other = identify.other_language(own, lang.code)
        if other:
            name, confidence = other
            message = f"reads as {name} ({confidence:.0%} sure), not {lang.english_name}"
            found.append(("language", message))
    if len(translation) > LONG_FACTOR * len(english) + LONG_SLACK:
        found.append(
            (
                "long",
                f"{len(translation)} characters for {len(english)} in English: may not fit the page",
            )
        )
    return found


def _edge(text: str, index: int) -> bool:
    return bool(text) and text[index].isspace()


def end_mark(text: str) -> str:
    """What ends the sentence: "stop", "question", "exclamation", "colon" or "" (script-aware)."""
    stripped = text.rstrip(_CLOSERS)
    if not stripped:
        return ""
    for name, marks in _END_MARKS.items():
        if stripped[-1] in marks:
            return name
    return ""


def _words(text: str, found: list[markup.Span], glossary: Glossary) -> str:
    """``text`` without protected spans and do-not-translate terms: the words a translator writes."""
    text = markup.blank(text, found)
    for term in glossary.keep_terms():
        text = text.replace(term.term, " ")
    return text


def _own_words(words: str, english: str) -> str:
    """``words`` without those the English has too: names and streets quoted as written."""
    quoted = set(_LETTERS.findall(english))
    return _LETTERS.sub(lambda m: " " if m.group() in quoted else m.group(), words)


def script_counts(text: str) -> Counter[str]:
    """Letters of ``text`` by script (the first word of their Unicode name: LATIN, ARABIC ...)."""
    counts: Counter[str] = Counter()
    for char in text:
        if unicodedata.category(char)[0] in "LM":
            name = unicodedata.name(char, "")
            if name and not name.startswith(("COMBINING", "MODIFIER")):
                counts[name.split()[0]] += 1
    return counts


def wrong_script(text: str, lang: Language) -> str:
    """A message when most letters of ``text`` are not in ``lang``'s script, else ""."""
    expected = SCRIPT_NAMES.get(lang.script)
    counts = script_counts(text)
    total = sum(counts.values())
    if expected is None or total < MIN_LETTERS or counts[expected] * 2 > total:
        return ""
    # the most common script other than the expected one: the expected one may lead
    # without a majority (half Ethiopic, a third Latin, the rest Arabic)
    found = next(name for name, _ in counts.most_common() if name != expected).title()
    return f"text is mostly in {found} script; {lang.english_name} is written in {lang.script_name}"
