"""The language registry: names, script, direction, plural rules and provider codes.

A language is configured by its BCP 47 tag as districts write it (``es``, ``zh-Hans``,
``zh-Hant``, ``pt-BR``, ``es-419``, ``sr-Latn``; case and ``-``/``_`` as you like).
Its ``code`` is the gettext form (``zh_Hans``): the folder under ``locales/`` and
``build/``, the catalogs' ``Language`` header; its ``tag`` is the BCP 47 form for
HTML; its ``base`` the ISO 639 language alone (for Typst).

Babel's CLDR data answers for most languages. A small reviewed table fills its gaps
and overrides it where gettext tools, translators and US districts expect otherwise:

* ``hmn`` Hmong (the Latin-script RPA spelling US Hmong families read): not in CLDR.
* ``kar`` Karen (S'gaw, Myanmar script): not in CLDR at all.
* ``prs`` Dari: CLDR files it as Persian of Afghanistan (``fa_AF``).
* ``tl`` Tagalog: CLDR files it as Filipino (``fil``); districts and Google say ``tl``.
* ``es``, ``pt``, ``fr``: CLDR 49 gives three plural forms (for "millions"); gettext,
  Poedit and translators use two.

Provider codes come from deep-translator's own language tables where it has them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

from pipeline.errors import LanguageError

#: Providers homelang can send text to (see ``pipeline.providers``).
PROVIDERS = ("google", "deepl", "microsoft", "libre", "mymemory")


class AmbiguousLanguage(LanguageError):
    """A name or tag that fits two configured languages ("Chinese": Simplified or Traditional?)."""


@dataclass(frozen=True)
class Language:
    code: str  # the gettext form of the tag: "es", "zh_Hans", "pt_BR"
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    script: str  # ISO 15924 code, e.g. "Latn", "Arab", "Ethi", "Mymr", "Hans"
    script_name: str
    plural_forms: str  # the gettext Plural-Forms header value
    region: str | None = None  # CLDR's likely region, to pick among a provider's variants

    @property
    def tag(self) -> str:
        """The BCP 47 tag: ``zh-Hans``, ``pt-BR`` (for HTML ``lang``)."""
        return self.code.replace("_", "-")

    @property
    def base(self) -> str:
        """The ISO 639 language alone: ``zh`` for ``zh_Hans`` (Typst's ``lang``)."""
        return self.code.split("_")[0]

    @property
    def provider_codes(self) -> dict[str, str]:
        """Provider -> code this language goes by there (deep-translator is imported on first use)."""
        return _provider_codes(self.code, self.script, self.region)

    @property
    def nplurals(self) -> int:
        return int(self.plural_forms.split(";")[0].split("=")[1])

    def provider_code(self, provider: str) -> str | None:
        """The code ``provider`` uses for this language, or None if it has no route."""
        return self.provider_codes.get(provider)


_TWO_FORMS = "nplurals=2; plural=(n != 1);"
# Reviewed entries for what CLDR lacks or gets wrong for gettext, by base language
# (``pt`` covers ``pt_BR``). Keys are the fields to override; a code absent from CLDR
# gives them all, or names the CLDR locale whose data it takes (``cldr``).
_REVIEWED: dict[str, dict[str, str]] = {
    "es": {"plural_forms": _TWO_FORMS},
    "pt": {"plural_forms": _TWO_FORMS},
    "fr": {"plural_forms": "nplurals=2; plural=(n > 1);"},
    "hmn": {
        "english_name": "Hmong",
        "native_name": "Hmoob",
        "direction": "ltr",
        "script": "Latn",
        "plural_forms": "nplurals=1; plural=0;",
    },
    "kar": {
        "english_name": "Karen (S'gaw)",
        "native_name": "ကညီကျိာ်",
        "direction": "ltr",
        "script": "Mymr",
        "plural_forms": "nplurals=1; plural=0;",
    },
    "prs": {"cldr": "fa_AF", "english_name": "Dari", "native_name": "دری"},
    "tl": {"cldr": "fil", "english_name": "Tagalog", "native_name": "Tagalog"},
}
_FIELDS = {"english_name", "native_name", "direction", "script", "plural_forms"}

# Microsoft fetches its language list over the network at run time, so its routes
# are listed here (checked against Microsoft Translator's published list).
_MICROSOFT = {
    "es": "es",
    "so": "so",
    "hmn": "mww",
    "am": "am",
    "ar": "ar",
    "vi": "vi",
    "zh_Hans": "zh-Hans",
    "zh_Hant": "zh-Hant",
    "pt": "pt",
    "pt_BR": "pt",
    "ru": "ru",
    "ht": "ht",
    "ur": "ur",
    "uk": "uk",
    "ko": "ko",
    "bn": "bn",
    "ps": "ps",
    "sw": "sw",
    "tl": "fil",
    "prs": "prs",
    "ja": "ja",
    "ne": "ne",
    "fr": "fr",
    "ti": "ti",
    "my": "my",
}
_SUBTAG = re.compile(r"[A-Za-z]{2,3}([-_]([A-Za-z]{4}|[A-Za-z]{2}|[0-9]{3}))*")


def canonical(tag: str) -> str:
    """A tag in gettext form, cased as BCP 47 writes it: ``ZH-hans`` -> ``zh_Hans``."""
    if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z0-9]+([-_][A-Za-z0-9]+)*", tag):
        raise LanguageError(f"not a language code: {tag!r}")
    if not _SUBTAG.fullmatch(tag):
        raise LanguageError(_unknown_message(tag))
    parts = re.split(r"[-_]", tag)
    rest = [p.title() if len(p) == 4 else p.upper() for p in parts[1:]]
    return "_".join([parts[0].lower(), *rest])


def _likely(code: str) -> tuple[str | None, str | None]:
    """CLDR's likely (script, region) for ``code`` or, failing that, its base language."""
    from babel.core import get_global

    subtags = get_global("likely_subtags")
    for key in (code, code.split("_")[0]):
        parts = subtags.get(key, "").split("_")
        if len(parts) == 3:
            return parts[1], parts[2]
    return None, None


@cache
def _provider_codes(code: str, script: str, region: str | None) -> dict[str, str]:
    from deep_translator import constants as dt

    tables = {
        "google": set(dt.GOOGLE_LANGUAGES_TO_CODES.values()),
        "libre": set(dt.LIBRE_LANGUAGES_TO_CODES.values()),
        "deepl": set(dt.DEEPL_LANGUAGE_TO_CODE.values()),
        "mymemory": set(dt.MY_MEMORY_LANGUAGES_TO_CODES.values()),
    }
    parts = code.split("_")
    base = parts[0]
    # most specific first; the bare language only where it means the same script
    # (a provider's "zh" is Simplified: never a route for Traditional)
    candidates = ["-".join(parts)]
    if region:
        candidates += [f"{base}-{script}-{region}", f"{base}-{region}"]
    candidates.append(f"{base}-{script}")
    if _likely(base)[0] in (script, None):
        candidates.append(base)
    codes: dict[str, str] = {}
    for provider, known in tables.items():
        found = next((c for c in candidates if c in known), None)
        if found is None and provider == "mymemory" and _likely(base)[0] in (script, None):
            found = min((c for c in known if c.split("-")[0] == base), default=None)
        if found:
            codes[provider] = found
    microsoft = code if code in _MICROSOFT else base if base in candidates else None
    if microsoft in _MICROSOFT:
        codes["microsoft"] = _MICROSOFT[microsoft]
    return dict(sorted(codes.items(), key=lambda item: PROVIDERS.index(item[0])))


def get(tag: str) -> Language:
    """The registry entry for ``tag`` (any case, ``-`` or ``_``); :class:`LanguageError` suggests close codes."""
    return _get(canonical(tag))


@cache
def _get(code: str) -> Language:
    from babel import Locale, UnknownLocaleError
    from babel.messages.plurals import get_plural

    base = code.split("_")[0]
    reviewed = {k: v for k, v in _REVIEWED.get(base, {}).items()}
    likely_script, region = _likely(code)
    if reviewed.keys() >= _FIELDS:
        values = {k: reviewed[k] for k in _FIELDS}
    else:
        cldr = reviewed.pop("cldr", None)
        if cldr:
            likely_script, region = _likely(cldr)
        try:
            locale = Locale.parse(cldr or code)
        except (UnknownLocaleError, ValueError):
            raise LanguageError(_unknown_message(code)) from None
        if cldr is None and locale.language != base:  # Babel maps ISO 639-3 aliases: "som" -> so_SO
            name = locale.get_display_name("en")
            raise LanguageError(
                f"unknown language code {code!r}; did you mean {locale.language} ({name.split(' (')[0]})?"
            )
        plural = get_plural(locale)
        values = {
            "english_name": locale.get_display_name("en"),
            "native_name": locale.get_display_name(locale),
            "direction": locale.text_direction,
            "script": locale.script or likely_script or "Latn",
            "plural_forms": f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
        }
        region = locale.territory or region
        values.update(reviewed)
    scripts = _script_names()
    return Language(
        code=code,
        script_name=scripts.get(values["script"], values["script"]),
        region=region,
        **values,
    )


@cache
def _script_names() -> dict[str, str]:
    from babel import Locale

    return dict(Locale("en").scripts)


def _known_codes() -> dict[str, str]:
    """Code -> English name for every bare language code we can resolve."""
    from babel import Locale
    from babel.localedata import locale_identifiers

    known = {}
    for ident in locale_identifiers():
        if "_" not in ident:
            try:
                known[ident] = Locale.parse(ident).get_display_name("en") or ident
            except ValueError:
                continue
    known.update({c: v["english_name"] for c, v in _REVIEWED.items() if "english_name" in v})
    return known


def _unknown_message(code: str) -> str:
    known = _known_codes()
    by_name = {name.lower(): c for c, name in known.items()}
    close = difflib.get_close_matches(code, list(known), n=3, cutoff=0.6)
    close += [by_name[n] for n in difflib.get_close_matches(code.lower(), list(by_name), n=2)]
    seen = list(dict.fromkeys(close))
    hint = ", ".join(f"{c} ({known[c]})" for c in seen)
    return f"unknown language code {code!r}" + (f"; did you mean {hint}?" if hint else "")


def resolve(name_or_code: str, among: tuple[str, ...]) -> Language:
    """One of ``among`` by tag, English or native name, in any case ("Somali", "SO", "es-MX",
    "Chinese (Traditional)"); a tag of another region finds the configured one of the same
    language and script. No match, or two, is a :class:`LanguageError`."""
    wanted = " ".join(name_or_code.split()).casefold()
    configured = [get(code) for code in among]
    for matches in (
        [lang for lang in configured if wanted == lang.code.casefold()],
        [lang for lang in configured if wanted in _names(lang)],
        [lang for lang in configured if _same_language(wanted, lang)],
        [lang for lang in configured if wanted == _short_name(lang)],
        [lang for lang in configured if _same_language(_tag_of_name(wanted), lang)],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise AmbiguousLanguage(f"could be {' or '.join(m.code for m in matches)}")
    raise LanguageError(f"language {name_or_code!r} is not one of {', '.join(among)}")


@cache
def _english_names() -> tuple[dict[str, str], dict[str, str]]:
    """CLDR's English names, casefolded: language (``traditional chinese`` -> ``zh_Hant``,
    ``mexican spanish`` -> ``es_MX``) and qualifier (a region or script: ``mexico`` -> ``MX``,
    ``traditional`` -> ``Hant``)."""
    from babel import Locale

    english = Locale("en")
    names = {name.casefold(): code for code, name in english.languages.items()}
    qualifiers = {name.casefold(): code for code, name in english.scripts.items()}
    qualifiers.update(
        {name.casefold(): code for code, name in english.territories.items() if code.isalpha()}
    )
    return names, qualifiers


def _tag_of_name(wanted: str) -> str:
    """The tag a CLDR English name spells, "" if none: ``traditional chinese``, or a language
    with a region or script as rosters write it, ``spanish (mexico)``, ``chinese, traditional``."""
    names, qualifiers = _english_names()
    if wanted in names:
        return names[wanted]
    match = re.fullmatch(r"([^(),]+?)\s*(?:\(([^()]+)\)|,\s*([^(),]+))", wanted)
    if not match:
        return ""
    language = names.get(match.group(1))
    qualifier = qualifiers.get((match.group(2) or match.group(3)).strip())
    return f"{language}_{qualifier}" if language and qualifier and "_" not in language else ""


def _names(lang: Language) -> set[str]:
    return {lang.tag.casefold(), lang.english_name.casefold(), lang.native_name.casefold()}


def _short_name(lang: Language) -> str:
    """ "Chinese" for "Chinese (Traditional)", "Karen" for "Karen (S'gaw)"."""
    return lang.english_name.split(" (")[0].casefold()


def _same_language(wanted: str, lang: Language) -> bool:
    """Whether the tag ``wanted`` (``es-MX``, ``zh-TW``) is ``lang``'s language in its script."""
    if not wanted:
        return False
    try:
        other = get(wanted)
    except LanguageError:
        return False
    return other.base == lang.base and other.script == lang.script
