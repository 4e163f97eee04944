"""Language tags as districts write them: BCP 47 with script and region, mapped to gettext
folder names, CLDR names and plural rules, and each provider's own code; roster spellings."""

from __future__ import annotations

import pytest

from pipeline import languages
from pipeline.errors import LanguageError


@pytest.mark.parametrize(
    "written,code,tag,name,script,google",
    [
        ("zh-Hans", "zh_Hans", "zh-Hans", "Chinese (Simplified)", "Hans", "zh-CN"),
        ("ZH_hant", "zh_Hant", "zh-Hant", "Chinese (Traditional)", "Hant", "zh-TW"),
        ("pt-BR", "pt_BR", "pt-BR", "Portuguese (Brazil)", "Latn", "pt"),
        ("es-419", "es_419", "es-419", "Spanish (Latin America)", "Latn", "es"),
        ("es-MX", "es_MX", "es-MX", "Spanish (Mexico)", "Latn", "es"),
        ("sr-Latn", "sr_Latn", "sr-Latn", "Serbian (Latin)", "Latn", None),
        ("prs", "prs", "prs", "Dari", "Arab", None),
        ("tl", "tl", "tl", "Tagalog", "Latn", "tl"),
        ("es", "es", "es", "Spanish", "Latn", "es"),
    ],
)
def test_tags_map_to_folders_names_and_provider_codes(
    written: str, code: str, tag: str, name: str, script: str, google: str | None
) -> None:
    lang = languages.get(written)
    assert (lang.code, lang.tag, lang.english_name, lang.script) == (code, tag, name, script)
    assert lang.provider_code("google") == google
    assert languages.get(tag) is lang  # one entry, however it is written


def test_plural_rules_are_cldr_with_gettext_conventions() -> None:
    assert languages.get("pt-BR").plural_forms == "nplurals=2; plural=(n != 1);"
    assert languages.get("es-419").plural_forms == "nplurals=2; plural=(n != 1);"
    assert languages.get("fr").plural_forms == "nplurals=2; plural=(n > 1);"
    assert languages.get("uk").nplurals == 3 and languages.get("zh-Hant").nplurals == 1
    assert languages.get("ar").nplurals == 6


def test_a_provider_route_never_changes_the_script() -> None:
    hant = languages.get("zh-Hant")
    assert hant.provider_code("deepl") is None and hant.provider_code("libre") is None
    assert hant.provider_code("microsoft") == "zh-Hant"
    assert languages.get("zh-Hans").provider_code("deepl") == "zh"


@pytest.mark.parametrize(
    "written,code",
    [
        ("Spanish", "es_419"),
        ("es-MX", "es_419"),
        ("es", "es_419"),
        ("Chinese (Traditional)", "zh_Hant"),
        ("zh-TW", "zh_Hant"),
        ("zh-CN", "zh_Hans"),
        ("zh", "zh_Hans"),  # CLDR: Chinese is written Simplified unless a tag says otherwise
        ("中文 (繁體)", "zh_Hant"),
        ("pt-PT", "pt_BR"),
        ("PORTUGUESE", "pt_BR"),
        ("Dari", "prs"),
        # what student information systems export: CLDR's English names and qualifiers
        ("Spanish (Mexico)", "es_419"),
        ("Mexican Spanish", "es_419"),
        ("Traditional Chinese", "zh_Hant"),
        ("Simplified Chinese", "zh_Hans"),
        ("Chinese, Traditional", "zh_Hant"),
        ("Chinese (Taiwan)", "zh_Hant"),
        ("Portuguese (Brazil)", "pt_BR"),
    ],
)
def test_roster_spellings_resolve_to_the_configured_language(written: str, code: str) -> None:
    among = ("en", "es_419", "zh_Hans", "zh_Hant", "pt_BR", "prs")
    assert languages.resolve(written, among).code == code


@pytest.mark.parametrize(
    "written", ["Cantonese", "Spanish (Narnia)", "Chinese (Latin)", "(Spanish)"]
)
def test_a_name_of_another_language_or_place_is_not_guessed(written: str) -> None:
    with pytest.raises(LanguageError, match="is not one of"):
        languages.resolve(written, ("es", "zh_Hans", "zh_Hant"))


@pytest.mark.parametrize("written", ["Chinese", "chinese"])
def test_a_spelling_that_fits_two_languages_is_ambiguous(written: str) -> None:
    with pytest.raises(languages.AmbiguousLanguage, match="could be zh_Hans or zh_Hant"):
        languages.resolve(written, ("zh_Hans", "zh_Hant"))


@pytest.mark.parametrize("written", ["../es", "es\u202e", "zh-Hans-", "", "x"])
def test_what_is_no_tag_is_refused(written: str) -> None:
    with pytest.raises(LanguageError):
        languages.get(written)
