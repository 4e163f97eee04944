"""Project settings: ``[tool.homelang]`` in pyproject.toml, or a ``homelang.toml``.

Each table maps onto a frozen dataclass; unknown keys and badly typed values are
errors that name the key (and its line), with a suggestion for a misspelling.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tomllib
import types
import typing
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline import files, languages
from pipeline.errors import LanguageError, PathError, SettingsError

#: A document id: it names files, so it stays short (file names have a 255-byte limit).
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,79}$")
#: What ``homelang build`` can make.
FORMATS = ("letter", "flyer", "web", "mo")
#: The range of each number setting (the last part of its key), as (least, most). Beyond
#: them a value is a typo or an attack (1e-300 requests a second waits forever, a billion
#: days overflows a date), not a wish.
LIMITS: dict[str, tuple[float, float]] = {
    "assignment_days": (1, 3650),
    "workers": (1, 256),
    "max_chars": (0, 10**9),
    "price_per_million_chars": (0, 10**6),
    "requests_per_second": (0, 10**4),
    "max_chars_per_request": (0, 10**7),
    "timeout": (0.01, 3600),
    "retries": (0, 100),
    "backoff": (0, 3600),
    "publish_threshold": (0, 1),
    "port": (1, 65535),
    "invite_days": (1, 365),
}
#: A rate under this (other than 0, "the provider's default") is refused: 1/rate is a wait.
LEAST_RATE = 0.001


@dataclass(frozen=True)
class District:
    """Letterhead and contact block printed on letters and flyers."""

    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""


@dataclass(frozen=True)
class DocumentOptions:
    """Per-document overrides, ``[tool.homelang.documents.<doc-id>]``."""

    publish_threshold: float | None = None
    formats: list[str] | None = None
    bilingual_flyer: bool | None = None


@dataclass(frozen=True)
class ProviderOptions:
    """Settings of one machine translation provider, ``[tool.homelang.providers.<name>]``.

    Secrets are better kept in ``HOMELANG_<PROVIDER>_<KEY>`` environment variables.
    """

    url: str = ""
    api_key: str = ""
    price_per_million_chars: float = 0.0
    requests_per_second: float = 0.0
    max_chars_per_request: int = 0
    timeout: float = 20.0
    region: str = ""  # Microsoft's resource region
    retries: int = 3  # on timeouts, 429 and 5xx
    backoff: float = 0.5  # seconds before the first retry, doubled each time (with jitter)


@dataclass(frozen=True)
class PretranslateSettings:
    provider: str = "google"
    workers: int = 8
    max_chars: int = 0
    # language code -> provider name, or "none" to leave the language to people
    language_providers: dict[str, str] = field(default_factory=dict)

    def provider_for(self, lang: str) -> str:
        """The provider configured for ``lang`` ("none": people only)."""
        return self.language_providers.get(lang, self.provider)


@dataclass(frozen=True)
class ReviewSettings:
    assignment_days: int = 14


@dataclass(frozen=True)
class ServeSettings:
    """``[tool.homelang.serve]``: where ``homelang serve`` listens and the address volunteers open."""

    host: str = "127.0.0.1"
    port: int = 8765
    public_url: str = ""  # e.g. https://translate.district.org, behind the district's proxy
    invite_days: int = 14  # how long a review invitation stays valid

    @property
    def base_url(self) -> str:
        """The address invitation links start with: ``public_url``, else the local one."""
        if self.public_url:
            return self.public_url.rstrip("/")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@dataclass(frozen=True)
class BuildSettings:
    formats: list[str] = field(default_factory=lambda: ["letter", "flyer", "web"])
    publish_threshold: float = 0.8
    bilingual_flyer: bool = True


@dataclass(frozen=True)
class Settings:
    root: Path
    file: Path
    source_language: str = "en"
    languages: list[str] = field(default_factory=list)
    source_dir: str = "source"
    locales_dir: str = "locales"
    build_dir: str = "build"
    state_dir: str = ".homelang"
    glossary: str = "glossary.csv"
    district: District = field(default_factory=District)
    pretranslate: PretranslateSettings = field(default_factory=PretranslateSettings)
    providers: dict[str, ProviderOptions] = field(default_factory=dict)
    review: ReviewSettings = field(default_factory=ReviewSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    documents: dict[str, DocumentOptions] = field(default_factory=dict)

    @property
    def source_path(self) -> Path:
        return self.root / self.source_dir

    @property
    def locales_path(self) -> Path:
        return self.root / self.locales_dir

    @property
    def build_path(self) -> Path:
        return self.root / self.build_dir

    @property
    def state_path(self) -> Path:
        """Machine-local state (cache, lock): git-ignored, never holds family data."""
        return self.root / self.state_dir

    @property
    def glossary_path(self) -> Path:
        return self.root / self.glossary

    def template_path(self, doc_id: str) -> Path:
        return self.locales_path / f"{doc_id}.pot"

    def catalog_path(self, lang: str, doc_id: str) -> Path:
        return self.locales_path / lang / "LC_MESSAGES" / f"{doc_id}.po"

    def document_options(self, doc_id: str) -> DocumentOptions:
        return self.documents.get(doc_id, DocumentOptions())

    def select_languages(self, wanted: tuple[str, ...] | list[str] = ()) -> list[str]:
        """The configured languages, or the ``wanted`` subset of them (an error if not configured)."""
        wanted = [_gettext_form(code) for code in wanted]
        for code in wanted:
            if code not in self.languages:
                raise SettingsError(
                    f"language {code!r} is not configured (languages: {', '.join(self.languages)})",
                    self.file,
                )
        return list(wanted) if wanted else list(self.languages)


def _gettext_form(code: str) -> str:
    """``--lang zh-Hans`` names the configured ``zh_Hans``; a code that is no tag stays as given."""
    try:
        return languages.canonical(code)
    except LanguageError:
        return code


def find_settings_file(start: Path) -> Path:
    """The nearest ``homelang.toml``, or ``pyproject.toml`` with ``[tool.homelang]``, at or above ``start``."""
    start = start.resolve()
    for folder in (start, *start.parents):
        own, pyproject = folder / "homelang.toml", folder / "pyproject.toml"
        found = [own] if own.is_file() else []
        if pyproject.is_file() and re.search(r"^\[tool\.homelang", _read(pyproject), re.M):
            found.append(pyproject)
        if len(found) == 2:
            raise SettingsError(
                f"[tool.homelang] here and {own.name} beside it: keep one", pyproject
            )
        if found:
            return found[0]
    raise SettingsError(
        f"no homelang project here or above: add [tool.homelang] to pyproject.toml "
        f"or create homelang.toml ({start})"
    )


def load(start: Path | None = None) -> Settings:
    """Read and validate the settings of the project at or above ``start`` (default: cwd)."""
    path = find_settings_file(start or Path.cwd())
    text = _read(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise SettingsError(
            f"not valid TOML: {exc}", path, int(match.group(1)) if match else None
        ) from None
    if path.name == "pyproject.toml":
        table = data.get("tool", {}).get("homelang", {})
        prefix = "tool.homelang"
    else:
        table, prefix = data, ""
    settings = from_table(table, root=path.parent, file=path, prefix=prefix, text=text)
    _check_folders(settings, _Context(path, prefix, text))
    _check_environment(os.environ)
    return settings


#: The last second of year 8999: dates derived from it (a packet's or an invitation's
#: expiry) stay before year 9999, past which dates cannot be written.
LAST_EPOCH = 221_845_391_999


def _check_environment(environ: Mapping[str, str]) -> None:
    """Environment variables every command reads (a provider's are checked with the provider)."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "")
    if epoch and not (epoch.isascii() and epoch.isdigit() and int(epoch) <= LAST_EPOCH):
        raise SettingsError(
            "environment variable SOURCE_DATE_EPOCH: expected whole seconds since 1970 "
            "(reproducible-builds.org), up to the year 8999"
        )


def _read(path: Path) -> str:
    """A settings file as text; bytes that are not UTF-8 (TOML's only encoding) name their line."""
    raw = files.read_regular(path, path)  # a link is refused: settings are the project's own
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SettingsError("not UTF-8 text (TOML files are UTF-8)", path, line) from None


def _check_folders(settings: Settings, context: _Context) -> None:
    """The configured folders and ``templates/`` are folders and the glossary a file, with no
    link on the way or inside, and each language's folders are folders (see
    :func:`files.check_folder`)."""
    p = f"{context.prefix}." if context.prefix else ""
    for key in ("source_dir", "locales_dir", "build_dir", "state_dir", "glossary"):
        value = getattr(settings, key)
        path = settings.root / value
        for part in (path, *path.parents):
            if part == settings.root:
                break
            if part.is_symlink():
                raise context.error(p + key, f"{part.relative_to(settings.root)} is {files.LINK}")
            if part != path and part.exists() and not part.is_dir():
                raise context.error(p + key, f"{part.relative_to(settings.root)} is not a folder")
        if key == "glossary":
            if path.exists() and not path.is_file():
                raise context.error(p + key, f"{value} is not a file")
        elif path.exists() and not path.is_dir():
            raise context.error(p + key, f"{value} is not a folder")
        elif path.exists():
            files.check_folder(path, settings.root)
    # the district's template overrides (pipeline.render.words.template_file): no link either
    files.check_folder(settings.root / "templates", settings.root)
    for code in settings.languages:
        for folder in (
            settings.locales_path / code,
            settings.locales_path / code / "LC_MESSAGES",
            settings.build_path / code,
        ):
            if folder.exists() and not folder.is_dir():
                raise PathError(
                    "not a folder (a language's folder)", folder.relative_to(settings.root)
                )


def number_problem(key: str, value: float) -> str | None:
    """What is wrong with ``value`` for the number setting ``key`` (dotted), or None."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, got {value}"
    least, most = LIMITS.get(key.rsplit(".", 1)[-1], (-math.inf, math.inf))
    if not least <= value <= most:
        return f"must be between {least:g} and {most:g}, got {value:g}"
    if key.endswith("requests_per_second") and 0 < value < LEAST_RATE:
        return f"must be 0 (the provider's default) or at least {LEAST_RATE:g}, got {value:g}"
    return None


def url_problem(url: str) -> str | None:
    """What makes ``url`` unusable as a provider's address (http or https, a host, a valid port), or None."""
    if any(c.isspace() or not c.isprintable() for c in url):
        return "a URL holds no spaces or control characters"
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - parsing the port is what may raise
    except ValueError as exc:
        return f"not a valid URL ({exc})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL with a host"
    return None


def from_table(
    table: dict[str, Any], root: Path, file: Path, prefix: str = "", text: str = ""
) -> Settings:
    """Build :class:`Settings` from a parsed TOML table (validation included)."""
    context = _Context(file, prefix, text)
    settings = context.build(Settings, table, prefix, extra={"root": root, "file": file})
    _validate(settings, context)
    # language tags as districts write them ("zh-Hans", "pt-BR") in their gettext form
    # ("zh_Hans"): the names of catalog and output folders
    return dataclasses.replace(
        settings,
        source_language=languages.get(settings.source_language).code,
        languages=[languages.get(code).code for code in settings.languages],
    )


class _Context:
    def __init__(self, file: Path, prefix: str, text: str):
        self.file, self.prefix, self.text = file, prefix, text

    def error(self, key: str, message: str) -> SettingsError:
        return SettingsError(f"{key}: {message}", self.file, self.line_of(key))

    def line_of(self, key: str) -> int | None:
        """Best-effort line of ``key`` (dotted) in the TOML text, for error messages."""
        *tables, name = key.split(".")
        lines = self.text.splitlines()
        start = 0
        if tables:
            header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(map(re.escape, tables)) + r"\s*\]")
            start = next((i for i, line in enumerate(lines) if header.match(line)), 0)
        pattern = re.compile(rf"^\s*\"?{re.escape(name)}\"?\s*=|^\s*\[.*\b{re.escape(name)}\s*\]")
        for i in range(start, len(lines)):
            if pattern.match(lines[i]):
                return i + 1
        return None

    def build(self, cls: type, table: Any, key: str, extra: dict[str, Any] | None = None) -> Any:
        if not isinstance(table, dict):
            raise self.error(key, f"expected a table, got {table!r}")
        hints = typing.get_type_hints(cls)
        fields = {f.name for f in dataclasses.fields(cls) if f.name not in (extra or {})}
        values: dict[str, Any] = dict(extra or {})
        for name, value in table.items():
            full = f"{key}.{name}" if key else name
            if name not in fields:
                close = difflib.get_close_matches(name, sorted(fields), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise self.error(full, f"unknown setting{hint}")
            values[name] = self.convert(hints[name], value, full)
        return cls(**values)

    def convert(self, hint: Any, value: Any, key: str) -> Any:
        origin, args = typing.get_origin(hint), typing.get_args(hint)
        if origin in (types.UnionType, typing.Union):
            inner = [a for a in args if a is not type(None)][0]
            return self.convert(inner, value, key)
        if dataclasses.is_dataclass(hint):
            return self.build(hint, value, key)  # type: ignore[arg-type]
        if origin is list:
            if not isinstance(value, list):
                raise self.error(key, f"expected a list, got {value!r}")
            return [self.convert(args[0], v, key) for v in value]
        if origin is dict:
            if not isinstance(value, dict):
                raise self.error(key, f"expected a table, got {value!r}")
            return {k: self.convert(args[1], v, f"{key}.{k}") for k, v in value.items()}
        if hint is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if hint is float and isinstance(value, float) and not math.isfinite(value):
            raise self.error(key, f"must be a finite number, got {value}")
        if not isinstance(value, hint) or (hint is int and isinstance(value, bool)):
            raise self.error(key, f"expected {hint.__name__}, got {value!r}")
        return value


def _validate(settings: Settings, context: _Context) -> None:
    p = f"{context.prefix}." if context.prefix else ""
    for key, code in [("source_language", settings.source_language)] + [
        ("languages", c) for c in settings.languages
    ]:
        try:
            languages.get(code)
        except LanguageError as exc:
            raise context.error(p + key, exc.message) from None
    if not settings.languages:
        raise context.error(p + "languages", "list at least one target language")
    if len({languages.get(c).code for c in settings.languages}) != len(settings.languages):
        raise context.error(p + "languages", "a language is listed twice")
    if settings.source_language in settings.languages:
        raise context.error(p + "languages", "the source language is not a target language")
    for key in ("source_dir", "locales_dir", "build_dir", "state_dir", "glossary"):
        value = getattr(settings, key)
        if not value or Path(value).is_absolute() or ".." in Path(value).parts or "\0" in value:
            raise context.error(
                p + key, f"must be a relative path inside the project, got {value!r}"
            )
    # Outputs and machine-local state live in folders of their own (git-ignored), never
    # the project folder itself nor one that holds or is held by the sources or catalogs.
    for key in ("build_dir", "state_dir"):
        own = Path(getattr(settings, key))
        if not own.parts:
            raise context.error(p + key, "must be a folder of its own, not the project folder")
        for other in ("source_dir", "locales_dir"):
            shared = Path(getattr(settings, other))
            if own.is_relative_to(shared) or shared.is_relative_to(own):
                message = f"must be a folder of its own, apart from {other} {shared.as_posix()!r}"
                raise context.error(p + key, message)
    for provider in [
        settings.pretranslate.provider,
        *settings.pretranslate.language_providers.values(),
    ]:
        if provider not in (*languages.PROVIDERS, "pseudo", "none"):
            raise context.error(p + "pretranslate.provider", f"unknown provider {provider!r}")
    for code in settings.pretranslate.language_providers:
        if code not in settings.languages:
            raise context.error(
                p + f"pretranslate.language_providers.{code}", "not a configured language"
            )
    for name in settings.providers:
        if name not in languages.PROVIDERS:
            raise context.error(
                p + f"providers.{name}",
                f"unknown provider (known: {', '.join(languages.PROVIDERS)})",
            )
    numbers: list[tuple[str, float | None]] = [
        ("pretranslate.workers", settings.pretranslate.workers),
        ("pretranslate.max_chars", settings.pretranslate.max_chars),
        ("review.assignment_days", settings.review.assignment_days),
        ("serve.port", settings.serve.port),
        ("serve.invite_days", settings.serve.invite_days),
        ("build.publish_threshold", settings.build.publish_threshold),
    ]
    numbers += [
        (f"documents.{d}.publish_threshold", o.publish_threshold)
        for d, o in settings.documents.items()
    ]
    serve = settings.serve
    if not re.fullmatch(r"[A-Za-z0-9.:-]{1,253}", serve.host):
        raise context.error(p + "serve.host", f"not a host name or IP address: {serve.host[:40]!r}")
    if serve.public_url and (problem := url_problem(serve.public_url)):
        raise context.error(p + "serve.public_url", problem)
    if serve.public_url and re.search(r"[?#]", serve.public_url):
        raise context.error(p + "serve.public_url", "the address links start with: no ? or #")
    for name, options in settings.providers.items():
        if options.url and (problem := url_problem(options.url)):
            raise context.error(p + f"providers.{name}.url", problem)
        numbers += [
            (f"providers.{name}.{f.name}", getattr(options, f.name))
            for f in dataclasses.fields(ProviderOptions)
            if f.type in ("float", "int")
        ]
    for key, value in numbers:
        if value is not None and (problem := number_problem(key, value)):
            raise context.error(p + key, problem)
    formats = [("build.formats", settings.build.formats)] + [
        (f"documents.{d}.formats", o.formats) for d, o in settings.documents.items()
    ]
    for key, values in formats:
        unknown = [f for f in values or () if f not in FORMATS]
        if unknown:
            raise context.error(
                p + key, f"unknown format {unknown[0]!r} (formats: {', '.join(FORMATS)})"
            )
    for doc_id in settings.documents:
        if not SAFE_NAME.match(doc_id):
            raise context.error(
                p + f"documents.{doc_id}",
                "document ids are lowercase letters, digits, - and _ (80 at most)",
            )
