"""Settings and the language registry: clear errors naming the key, CLDR plus reviewed gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import languages, settings
from pipeline.errors import LanguageError, SettingsError


def write(tmp_path: Path, body: str, name: str = "homelang.toml") -> Path:
    (tmp_path / name).write_text(body, "utf-8")
    return tmp_path


def test_sample_settings_load(project: Path) -> None:
    cfg = settings.load(project)
    assert cfg.languages == ["es", "so", "hmn", "kar", "om", "am", "ar", "vi"]
    assert cfg.root == project
    assert cfg.catalog_path("so", "faq") == project / "locales/so/LC_MESSAGES/faq.po"
    assert cfg.district.name == "Minneapolis Public Schools"


def test_homelang_toml_is_accepted_and_found_from_a_subfolder(tmp_path: Path) -> None:
    write(tmp_path, 'languages = ["so"]\n')
    (tmp_path / "source").mkdir()
    cfg = settings.load(tmp_path / "source")
    assert cfg.root == tmp_path and cfg.languages == ["so"]


@pytest.mark.parametrize(
    "body,line,message",
    [
        (
            'languages = ["so"]\nlanguage = "x"\n',
            2,
            "language: unknown setting; did you mean 'languages'?",
        ),
        ('languages = "so"\n', 1, "languages: expected a list, got 'so'"),
        ('languages = ["sx"]\n', 1, "languages: unknown language code 'sx'"),
        ('languages = ["so"]\n[district]\nname = 3\n', 3, "district.name: expected str, got 3"),
        (
            'languages = ["so"]\n[build]\npublish_threshold = 1.5\n',
            3,
            "build.publish_threshold: must be between 0 and 1",
        ),
        (
            'languages = ["so"]\nlocales_dir = "../elsewhere"\n',
            2,
            "locales_dir: must be a relative path inside the project",
        ),
        ('languages = ["so", "so"]\n', 1, "languages: a language is listed twice"),
        ("languages = []\n", 1, "languages: list at least one target language"),
        ('languages = ["so"\n', None, "not valid TOML"),
        (
            'languages = ["so"]\n[build]\nformats = ["pdf"]\n',
            3,
            "build.formats: unknown format 'pdf'",
        ),
        (
            'languages = ["so"]\n[review]\nassignment_days = -5\n',
            3,
            "review.assignment_days: must be between 1 and 3650, got -5",
        ),
    ],
)
def test_bad_settings_name_the_key_and_line(
    tmp_path: Path, body: str, line: int | None, message: str
) -> None:
    write(tmp_path, body)
    with pytest.raises(SettingsError) as info:
        settings.load(tmp_path)
    where = f"{tmp_path}/homelang.toml" + (f":{line}" if line else "")
    assert str(info.value).startswith(f"{where}: {message}"), str(info.value)


def test_pyproject_settings_error_via_cli(project: Path, homelang) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text("utf-8").replace('source_dir = "source"', 'source_dri = "source"'),
        "utf-8",
    )
    result = homelang("extract", expect=2)
    assert "tool.homelang.source_dri: unknown setting; did you mean 'source_dir'?" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_no_project_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="no homelang project here or above"):
        settings.load(tmp_path)


def test_registry_fills_cldr_gaps() -> None:
    hmn, kar, es, ar, am = (languages.get(c) for c in ("hmn", "kar", "es", "ar", "am"))
    assert (hmn.english_name, hmn.script, hmn.native_name) == ("Hmong", "Latn", "Hmoob")
    assert (kar.script, kar.script_name, kar.direction) == ("Mymr", "Myanmar", "ltr")
    assert es.plural_forms == "nplurals=2; plural=(n != 1);"
    assert (ar.direction, ar.script, ar.nplurals) == ("rtl", "Arab", 6)
    assert (am.script_name, am.native_name) == ("Ethiopic", "አማርኛ")
    # provider routes come from deep-translator's tables: Karen has no Google route
    assert kar.provider_code("google") is None and kar.provider_code("mymemory") == "kar-MM"
    assert hmn.provider_code("google") == "hmn" and hmn.provider_code("microsoft") == "mww"


@pytest.mark.parametrize(
    "code,hint",
    [("som", "so (Somali)"), ("Somali", "so (Somali)"), ("amh", "am (Amharic)"), ("xx-MX", "")],
)
def test_unknown_language_suggests_close_codes(code: str, hint: str) -> None:
    with pytest.raises(LanguageError) as info:
        languages.get(code)
    assert hint in info.value.message


def test_resolve_by_name_or_code_any_case() -> None:
    among = ("es", "so", "kar")
    assert languages.resolve("SOMALI", among).code == "so"
    assert languages.resolve("Karen", among).code == "kar"
    assert languages.resolve(" es ", among).code == "es"
    with pytest.raises(LanguageError):
        languages.resolve("Klingon", among)


def test_languages_command(homelang) -> None:
    out = homelang("languages").output
    assert "Karen (S'gaw)" in out and "العربية" in out and "rtl" in out
    assert (
        '"plural_forms": "nplurals=2; plural=(n != 1);"' in homelang("languages", "--json").output
    )


# --- the pure rules, table-driven: each row names the rule it pins down -------------------
@pytest.mark.parametrize(
    "key,value,problem",
    [
        ("review.assignment_days", 14, None),
        ("review.assignment_days", 3650, None),
        ("review.assignment_days", 3651, "must be between 1 and 3650"),
        ("review.assignment_days", 0, "must be between 1 and 3650"),
        ("pretranslate.workers", 1, None),
        ("pretranslate.workers", 10**8, "must be between 1 and 256"),
        ("pretranslate.max_chars", -1, "must be between 0"),
        ("providers.libre.requests_per_second", 0.0, None),  # 0: the provider's default
        ("providers.libre.requests_per_second", 0.001, None),
        ("providers.libre.requests_per_second", 1e-300, "must be 0 (the provider's default)"),
        ("providers.libre.requests_per_second", -1.0, "must be between 0"),
        ("providers.libre.timeout", 0.0, "must be between 0.01 and 3600"),
        ("providers.libre.timeout", 1e300, "must be between 0.01 and 3600"),
        ("providers.libre.timeout", float("inf"), "must be a finite number"),
        ("providers.libre.backoff", float("nan"), "must be a finite number"),
        ("providers.libre.retries", 100, None),
        ("providers.libre.retries", 101, "must be between 0 and 100"),
        ("providers.deepl.price_per_million_chars", 25.0, None),
        ("build.publish_threshold", 1.0, None),
        ("documents.x.publish_threshold", -0.1, "must be between 0 and 1"),
    ],
)
def test_number_rules(key: str, value: float, problem: str | None) -> None:
    found = settings.number_problem(key, value)
    assert (found is None) if problem is None else (found is not None and problem in found), found


@pytest.mark.parametrize(
    "url,problem",
    [
        ("http://127.0.0.1:5000", None),
        ("https://translate.example.org/libre/", None),
        ("http://[::1]:5000/", None),
        ("http://[::1", "not a valid URL"),
        ("http://127.0.0.1:99999", "not a valid URL"),
        ("http://127.0.0.1:port", "not a valid URL"),
        ("ftp://example.org", "not an http(s) URL"),
        ("http://", "not an http(s) URL"),
        ("example.org", "not an http(s) URL"),
        ("http://example.org/ x", "no spaces or control characters"),
        ("http://example.org/\x00", "no spaces or control characters"),
    ],
)
def test_url_rules(url: str, problem: str | None) -> None:
    found = settings.url_problem(url)
    assert (found is None) if problem is None else (found is not None and problem in found), found
