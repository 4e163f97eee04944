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
from functools import lru_cache
from typing import NamedTuple

import polib

from pipeline import checks_extra, identify, links, markup
from pipeline.glossary import Glossary, Term
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
#: Control characters (Unicode category Cc is exactly these) other than line breaks and tabs.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_NO_MARKS: Counter[str] = Counter()  # shared, only read


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
    return [f for found in check_entries(list(catalog), lang, glossary) for f in found]


def check_entry(entry: polib.POEntry, lang: Language, glossary: Glossary) -> list[Finding]:
    """The findings for one entry (none when it is untranslated or obsolete)."""
    return check_entries([entry], lang, glossary)[0]


def check_entries(
    entries: list[polib.POEntry], lang: Language, glossary: Glossary
) -> list[list[Finding]]:
    """The findings for each entry, as :func:`check_entry` gives them; the language
    identifier reads every text it must judge in one batch (on every core)."""
    pending: list[tuple[int, _Pending]] = []  # (index of the entry, one comparison)
    englishes: dict[str, _English] = {}  # each English read once
    for index, entry in enumerate(entries):
        if entry.obsolete or not entry.msgid:
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            forms = sorted(entry.msgstr_plural.items())
            pairs = [(entry.msgid if n == 0 else entry.msgid_plural, text) for n, text in forms]
        pending += [(index, _compare(e, t, lang, glossary, englishes)) for e, t in pairs if t]
    findings: list[list[Finding]] = [[] for _ in entries]
    done = _judge_languages([p for _, p in pending], lang)
    for (index, _), found in zip(pending, done, strict=True):
        entry = entries[index]
        findings[index] += [
            Finding(check_id, LEVELS[check_id], entry.linenum or 0, entry.msgid, message)
            for check_id, message in found
        ]
    for index, entry in enumerate(entries):  # the checks of a whole entry
        if not entry.obsolete and entry.msgid:
            findings[index] += [
                Finding(check_id, LEVELS[check_id], entry.linenum or 0, entry.msgid, message)
                for check_id, message in checks_extra.check(entry)
            ]
    return findings


def compare(
    english: str, translation: str, lang: Language, glossary: Glossary
) -> list[tuple[str, str]]:
    """(check id, message) for each way ``translation`` fails to match ``english``."""
    return _judge_languages([_compare(english, translation, lang, glossary, {})], lang)[0]


class _Pending(NamedTuple):
    """A comparison's findings but the language identifier's, which are made in batches."""

    found: list[tuple[str, str]]
    judge: str | None  # the translator's own words, when the identifier is to read them
    at: int  # where its finding goes among ``found``


def _judge_languages(pending: list[_Pending], lang: Language) -> list[list[tuple[str, str]]]:
    """Each comparison's findings, with a ``language`` one where its text reads as another
    language (all texts read at once)."""
    texts = [p.judge for p in pending if p.judge is not None]
    verdicts = iter(identify.other_languages(texts, lang.code) if texts else [])
    done = []
    for p in pending:
        other = next(verdicts) if p.judge is not None else None
        if other is None:
            done.append(p.found)
            continue
        name, confidence = other
        message = f"reads as {name} ({confidence:.0%} sure), not {lang.english_name}"
        done.append([*p.found[: p.at], ("language", message), *p.found[p.at :]])
    return done


def _compare(
    english: str,
    translation: str,
    lang: Language,
    glossary: Glossary,
    englishes: dict[str, _English],
) -> _Pending:
    found: list[tuple[str, str]] = []
    en, tr = _english(english, glossary, lang.code, englishes), _facts(translation)
    if en.facts.spans or tr.spans:  # where neither text has a span, these find nothing
        for check_id, kind, what in (
            ("placeholders", "placeholder", "placeholder"),
            ("emails", "email", "e-mail address"),
            ("xml-tags", "html_tag", "HTML tag"),
        ):
            message = _difference(en.facts.kind(kind), tr.kind(kind), what)
            if message:
                found.append((check_id, message))
        found.extend(_links(en.facts, tr))
        found.extend(_markdown(en.facts, tr))
    message = _difference(en.facts.numbers, tr.numbers, "number")
    if message:
        found.append(("numbers", message))
    found.extend(_glossary(translation, lang, en.terms))
    shape, judge, at = _text_shape(english, translation, lang, glossary, en, tr)
    at += len(found)
    found.extend(shape)
    for check_id, chars, what in (
        ("control", tr.controls - en.facts.controls, "control character"),
        ("bidi-control", tr.bidi - en.facts.bidi, "bidi control"),
    ):
        if chars:
            # invisible; a control character stops a print build, a bidi control
            # reorders the digits of a phone number on the page
            codes = ", ".join(
                f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip() for c in sorted(chars)
            )
            found.append((check_id, f"{what} {codes}"))
    return _Pending(found, judge, at)


class _Facts(NamedTuple):
    """What the checks compare in one text, read in one pass over its spans (a tuple: two
    are made per comparison)."""

    spans: tuple[markup.Span, ...]
    by_kind: dict[str, list[str]]  # span kind -> the spans' texts, left to right
    marks: Counter[str]
    web_addresses: list[str]
    link_targets: list[str]
    phones: list[str]
    numbers: list[str]
    controls: frozenset[str]
    bidi: frozenset[str]

    def kind(self, kind: str) -> list[str]:
        return self.by_kind.get(kind, [])


def _facts(text: str) -> _Facts:
    found = tuple(markup.spans(text))
    by_kind: dict[str, list[str]] = {}
    for span in found:
        by_kind.setdefault(span.kind, []).append(span.text)
    targets = _link_targets(found)
    return _Facts(
        spans=found,
        by_kind=by_kind,
        marks=Counter(by_kind["mark"]) if "mark" in by_kind else _NO_MARKS,
        web_addresses=_web_addresses(found),
        link_targets=targets,
        phones=_phones(by_kind.get("phone", []), targets),
        numbers=markup.numbers(text, found),
        controls=frozenset(_CONTROLS.findall(text)),
        bidi=BIDI_CONTROLS.intersection(text),
    )


@dataclass(frozen=True)
class _English:
    """The English side of a comparison, read once per English of a batch (a catalog, a packet)."""

    facts: _Facts
    words: str  # without protected spans and do-not-translate terms
    quoted: frozenset[str]  # its words, which a translation may quote as they are
    terms: tuple[Term, ...]  # the glossary terms it holds that matter for the language


def _english(english: str, glossary: Glossary, code: str, known: dict[str, _English]) -> _English:
    """The English side, from ``known`` if this batch read it already."""
    if english not in known:
        facts = _facts(english)
        words = _words(english, facts.spans, glossary)
        terms = tuple(glossary.applicable(english, code))
        known[english] = _English(facts, words, frozenset(_LETTERS.findall(words)), terms)
    return known[english]


def _phones(phones: list[str], targets: list[str]) -> list[str]:
    """Phone numbers and ``tel:`` links by their digits: 612.668.0000, (612) 668–0000 and
    <tel:+16126680000> are all 612-668-0000."""
    found = [markup.phone_number(p) for p in phones]
    return found + [markup.phone_number(t) for t in targets if links.scheme(t) == "tel"]


def _links(en: _Facts, tr: _Facts) -> list[tuple[str, str]]:
    """Web addresses and phone numbers (``tel:`` links among them) as in the English, and
    no added link that a page may not carry (:func:`pipeline.links.allowed`)."""
    en_targets = set(en.link_targets)
    urls = [_difference(en.web_addresses, tr.web_addresses, "web address")]
    urls += [
        f"link to {t!r}: only {', '.join(links.SCHEMES)} links are allowed"
        for t in tr.link_targets
        if t not in en_targets and not links.allowed(t)
    ]
    found = []
    message = "; ".join(m for m in urls if m)
    if message:
        found.append(("urls", message))
    message = _difference(en.phones, tr.phones, "phone number")
    if message:
        found.append(("phones", message))
    return found


def _web_addresses(spans: tuple[markup.Span, ...]) -> list[str]:
    """URLs, domains and autolinks other than ``tel:`` ones, schemes in lower case."""
    found = []
    for span in spans:
        if span.kind in ("url", "domain"):
            found.append(links.lower_scheme(span.text))
        elif span.kind == "autolink" and links.scheme(span.text[1:-1]) != "tel":
            found.append(f"<{links.lower_scheme(span.text[1:-1])}>")
    return found


def _link_targets(spans: tuple[markup.Span, ...]) -> list[str]:
    """The target of each autolink and Markdown link (without a link's title)."""
    targets = []
    for span in spans:
        if span.kind == "autolink":
            targets.append(span.text[1:-1])
        elif span.kind == "link_target":
            targets.append((span.text[2:-1].split() or [""])[0])
    return targets


def _difference(english: list[str], translation: list[str], what: str) -> str:
    """A message naming what is missing and what is extra, or "" when both agree."""
    if sorted(english) == sorted(translation):  # most often both are empty
        return ""
    en, tr = Counter(english), Counter(translation)
    missing = sorted((en - tr).elements())
    extra = sorted((tr - en).elements())
    parts = []
    if missing:
        parts.append(f"missing {what} {', '.join(map(repr, missing))}")
    if extra:
        parts.append(f"unexpected {what} {', '.join(map(repr, extra))}")
    return "; ".join(parts)


def _markdown(en: _Facts, tr: _Facts) -> list[tuple[str, str]]:
    """Links keep their targets and brackets; emphasis and inline code stay balanced."""
    found = []
    en_targets, tr_targets = en.kind("link_target"), tr.kind("link_target")
    message = _difference(
        [t[2:-1] for t in en_targets], [t[2:-1] for t in tr_targets], "link target"
    )
    opened = sum(n for mark, n in tr.marks.items() if mark.endswith("["))
    if not message and opened != len(tr_targets):
        message = f"{opened} '[' for {len(tr_targets)} link target(s): a link is broken"
    if message:
        found.append(("md-link", message))
    problems = []
    for mark in ("**", "*", "__", "_"):
        if tr.marks[mark] % 2 or (en.marks[mark] and en.marks[mark] != tr.marks[mark]):
            problems.append(f"{tr.marks[mark]} '{mark}' where the English has {en.marks[mark]}")
    message = _difference(en.kind("code"), tr.kind("code"), "inline code")
    if message:
        problems.append(message)
    if problems:
        found.append(("md-syntax", "emphasis or code out of balance: " + "; ".join(problems)))
    return found


def _glossary(translation: str, lang: Language, terms: tuple[Term, ...]) -> list[tuple[str, str]]:
    found = []
    for term in terms:
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
    en: _English,
    tr: _Facts,
) -> tuple[list[tuple[str, str]], str | None, int]:
    """Whitespace, end punctuation, identical text, script and length; and the words the
    language identifier is to read, with where its finding goes, when the script is right."""
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
    if translation.strip() == english.strip() and re.search(r"[^\W\d_]{2}", en.words):
        found.append(("same", "translation is identical to the English"))
    words = _words(translation, tr.spans, glossary)
    own = _own_words(words, en.quoted)
    # judge what the translator wrote; a text that is all quotes of the English is judged whole
    counts = script_counts(own)
    message = _wrong_script(
        counts if sum(counts.values()) >= MIN_LETTERS else script_counts(words), lang
    )
    if message:
        found.append(("script", message))
    judge = own if not message and identify.knows(lang.code) else None
    at = len(found)
    if len(translation) > LONG_FACTOR * len(english) + LONG_SLACK:
        found.append(
            (
                "long",
                f"{len(translation)} characters for {len(english)} in English: may not fit the page",
            )
        )
    return found, judge, at


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


def _words(text: str, found: tuple[markup.Span, ...], glossary: Glossary) -> str:
    """``text`` without protected spans and do-not-translate terms: the words a translator writes."""
    text = markup.blank(text, found)
    for term in glossary.keep_terms():
        text = text.replace(term.term, " ")
    return text


def _own_words(words: str, quoted: frozenset[str]) -> str:
    """``words`` without those the English has too (``quoted``): names and streets quoted as written."""
    return _LETTERS.sub(lambda m: " " if m.group() in quoted else m.group(), words)


def script_counts(text: str) -> Counter[str]:
    """Letters of ``text`` by script (the first word of their Unicode name: LATIN, ARABIC ...)."""
    counts: Counter[str] = Counter()
    for char, n in Counter(text).items():  # each distinct character looked up once
        script = _script(char)
        if script:
            counts[script] += n
    return counts


@lru_cache(maxsize=65536)
def _script(char: str) -> str:
    """The script of a letter (the first word of its Unicode name), "" for anything else."""
    if unicodedata.category(char)[0] in "LM":
        name = unicodedata.name(char, "")
        if name and not name.startswith(("COMBINING", "MODIFIER")):
            return name.split()[0]
    return ""


def wrong_script(text: str, lang: Language) -> str:
    """A message when most letters of ``text`` are not in ``lang``'s script, else ""."""
    return _wrong_script(script_counts(text), lang)


def _wrong_script(counts: Counter[str], lang: Language) -> str:
    expected = SCRIPT_NAMES.get(lang.script)
    total = sum(counts.values())
    if expected is None or total < MIN_LETTERS or counts[expected] * 2 > total:
        return ""
    # the most common script other than the expected one: the expected one may lead
    # without a majority (half Ethiopic, a third Latin, the rest Arabic)
    found = next(name for name, _ in counts.most_common() if name != expected).title()
    return f"text is mostly in {found} script; {lang.english_name} is written in {lang.script_name}"
