"""The language registry: names, script, direction, plural rules and provider codes.

Babel's CLDR data answers for most languages. A small reviewed table fills its gaps
and overrides it where gettext tools and translators expect something else:

* ``hmn`` Hmong (the Latin-script RPA spelling US Hmong families read): not in CLDR.
* ``kar`` Karen (S'gaw, Myanmar script): not in CLDR at all.
* ``es`` Spanish: CLDR 49 gives three plural forms (for "millions"); gettext,
  Poedit and translators use two.

Provider codes come from deep-translator's own language tables where it has them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from pipeline.errors import LanguageError

#: Providers homelang can send text to (see ``pipeline.providers``).
PROVIDERS = ("google", "deepl", "microsoft", "libre", "mymemory")


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    native_name: str
    direction: str  # "ltr" or "rtl"
    script: str  # ISO 15924 code, e.g. "Latn", "Arab", "Ethi", "Mymr"
    script_name: str
    plural_forms: str  # the gettext Plural-Forms header value
    region: str | None = None  # CLDR's likely region, to pick among a provider's variants

    @property
    def provider_codes(self) -> dict[str, str]:
        """Provider -> code this language goes by there (deep-translator is imported on first use)."""
        return _provider_codes(self.code, self.region)

    @property
    def nplurals(self) -> int:
        return int(self.plural_forms.split(";")[0].split("=")[1])

    def provider_code(self, provider: str) -> str | None:
        """The code ``provider`` uses for this language, or None if it has no route."""
        return self.provider_codes.get(provider)


# Reviewed entries for what CLDR lacks or gets wrong for gettext. Keys are the
# fields to override; a code absent from CLDR must give them all.
_REVIEWED: dict[str, dict[str, str]] = {
    "es": {"plural_forms": "nplurals=2; plural=(n != 1);"},
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
}

# Microsoft fetches its language list over the network at run time, so its routes
# are listed here (checked against Microsoft Translator's published list).
_MICROSOFT = {"es": "es", "so": "so", "hmn": "mww", "am": "am", "ar": "ar", "vi": "vi"}


@cache
def _provider_codes(code: str, region: str | None) -> dict[str, str]:
    from deep_translator import constants as dt

    codes: dict[str, str] = {}
    if code in dt.GOOGLE_LANGUAGES_TO_CODES.values():
        codes["google"] = code
    if code in dt.LIBRE_LANGUAGES_TO_CODES.values():
        codes["libre"] = code
    if code in dt.DEEPL_LANGUAGE_TO_CODE.values():
        codes["deepl"] = code
    if code in _MICROSOFT:
        codes["microsoft"] = _MICROSOFT[code]
    mymemory = sorted(
        v for v in dt.MY_MEMORY_LANGUAGES_TO_CODES.values() if v.split("-")[0] == code
    )
    if mymemory:
        preferred = f"{code}-{region}" if region else None
        codes["mymemory"] = preferred if preferred in mymemory else mymemory[0]
    return codes


@cache
def get(code: str) -> Language:
    """The registry entry for ``code``; raise :class:`LanguageError` suggesting close codes."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global
    from babel.messages.plurals import get_plural

    if not isinstance(code, str) or not code or not code.replace("_", "").isalnum():
        raise LanguageError(f"not a language code: {code!r}")
    reviewed = _REVIEWED.get(code, {})
    likely = get_global("likely_subtags").get(code, "")
    parts = likely.split("_")
    region = parts[2] if len(parts) > 2 else None
    if reviewed.keys() >= {"english_name", "native_name", "direction", "script", "plural_forms"}:
        values = dict(reviewed)
    else:
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            raise LanguageError(_unknown_message(code)) from None
        if locale.language != code:  # Babel maps ISO 639-3 aliases: "som" -> so_SO
            name = locale.get_display_name("en")
            raise LanguageError(
                f"unknown language code {code!r}; did you mean {locale.language} ({name.split(' (')[0]})?"
            )
        if locale.territory or locale.variant:
            raise LanguageError(f"use a bare language code, not {code!r}")
        plural = get_plural(locale)
        values = {
            "english_name": locale.get_display_name("en"),
            "native_name": locale.get_display_name(locale),
            "direction": locale.text_direction,
            "script": locale.script or (parts[1] if len(parts) > 1 else "Latn"),
            "plural_forms": f"nplurals={plural.num_plurals}; plural={plural.plural_expr};",
        }
        values.update(reviewed)
    scripts = Locale("en").scripts
    return Language(
        code=code,
        script_name=scripts.get(values["script"], values["script"]),
        region=region,
        **values,
    )


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
    """Find one of ``among`` by code or English/native name, in any case ("Somali", "SO")."""
    wanted = name_or_code.strip().casefold()
    for code in among:
        lang = get(code)
        names = {code.casefold(), lang.english_name.casefold(), lang.native_name.casefold()}
        names.add(lang.english_name.split(" (")[0].casefold())
        if wanted in names:
            return lang
    raise LanguageError(f"language {name_or_code!r} is not one of {', '.join(among)}")
