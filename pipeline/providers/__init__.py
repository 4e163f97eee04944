"""Machine translation providers: one adapter over deep-translator per engine, plus ``pseudo``.

An :class:`Engine` translates texts for one language pair. It builds a fresh
deep-translator object for every request (one shared ``GoogleTranslator`` returned
other threads' translations), joins several texts into one request under the
provider's size limit, waits for the provider's rate limit, retries timeouts, 429
and 5xx with exponential backoff and jitter, and stops the provider for the run
(circuit breaker) when it is unreachable or keeps failing. Every request runs under
:func:`guard.policy`: our deadline, and only the configured destination.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

from pipeline import languages
from pipeline.errors import ProviderError, SettingsError
from pipeline.providers import guard
from pipeline.providers.pseudo import pseudo_translate
from pipeline.providers.resilience import (
    CircuitBreaker,
    ProviderStopped,
    RateLimiter,
    RequestFailed,
    backoff_delay,
    classify,
)
from pipeline.settings import ProviderOptions, Settings, number_problem, url_problem

#: Every provider name ``--provider`` accepts; "none" in settings leaves a language to people.
NAMES = (*languages.PROVIDERS, "pseudo")


@dataclass(frozen=True)
class Defaults:
    """What a provider allows when the settings say nothing."""

    url: str
    max_chars: int
    per_second: float


DEFAULTS = {
    "google": Defaults(
        "https://translate.google.com/m", 4999, 5.0
    ),  # deep-translator refuses 5,000+
    "deepl": Defaults("https://api-free.deepl.com/v2/", 30000, 10.0),
    "microsoft": Defaults("https://api.cognitive.microsofttranslator.com/", 10000, 10.0),
    "libre": Defaults("", 5000, 0.0),
    "mymemory": Defaults("http://api.mymemory.translated.net/get", 499, 1.0),  # 500 chars a request
    "pseudo": Defaults("", 100000, 0.0),
}
#: Texts in one request are joined by a blank line; engines keep paragraphs apart.
SEPARATOR = "\n\n"
_SPLIT = re.compile(r"\n[^\S\n]*\n")


@dataclass(frozen=True)
class ProviderConfig:
    """A provider's settings after environment overrides; the key never shows in a repr."""

    name: str
    url: str = ""
    api_key: str = field(default="", repr=False)
    region: str = ""
    price_per_million_chars: float = 0.0
    requests_per_second: float = 0.0
    max_chars_per_request: int = 0
    timeout: float = 20.0
    retries: int = 3
    backoff: float = 0.5

    @property
    def max_chars(self) -> int:
        return self.max_chars_per_request or DEFAULTS[self.name].max_chars

    @property
    def per_second(self) -> float:
        return self.requests_per_second or DEFAULTS[self.name].per_second

    def cost(self, chars: int) -> float:
        return chars * self.price_per_million_chars / 1_000_000


def provider_config(
    settings: Settings, name: str, environ: Mapping[str, str] | None = None
) -> ProviderConfig:
    """``[tool.homelang.providers.<name>]``, each key overridden by ``HOMELANG_<NAME>_<KEY>``."""
    environ = os.environ if environ is None else environ
    options = settings.providers.get(name, ProviderOptions())
    values: dict[str, object] = {}
    for option in fields(ProviderOptions):
        value: object = getattr(options, option.name)
        variable = f"HOMELANG_{name.upper()}_{option.name.upper()}"
        if variable in environ:
            key = f"providers.{name}.{option.name}"
            value = _from_env(variable, environ[variable], type(value), key)
        values[option.name] = value
    return ProviderConfig(name=name, **values)  # type: ignore[arg-type]


def _from_env(variable: str, raw: str, kind: type, key: str) -> object:
    """The value of ``variable``, checked like the setting it overrides (never quoted back:
    it may be a key)."""
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(
            f"environment variable {variable}: expected {kind.__name__ if kind is int else 'a number'}"
        ) from None
    if kind is str:
        problem = url_problem(value) if key.endswith(".url") else None
    else:
        problem = number_problem(key, value)
    if problem:
        raise SettingsError(f"environment variable {variable}: {problem}")
    return value


def route(provider: str, lang: str) -> str | None:
    """The code ``provider`` uses for ``lang``, or None when it has no route there."""
    if provider == "pseudo":
        return lang
    return languages.get(lang).provider_code(provider)


class Engine:
    """One provider for one language pair, shared by the worker threads of a run."""

    def __init__(
        self,
        config: ProviderConfig,
        source: str,
        target: str,
        breaker: CircuitBreaker,
        limiter: RateLimiter,
    ):
        self.config, self.name = config, config.name
        self.source, self.target = source, target
        self.breaker, self.limiter = breaker, limiter
        self.url = _url(config)
        self.where = guard.origin(self.url) if self.url else self.name
        self.origins = frozenset({self.where})
        self._lock = threading.Lock()
        self.requests = 0

    @property
    def offline(self) -> bool:
        return self.name == "pseudo"

    def translate_many(self, texts: list[str]) -> list[str | RequestFailed]:
        """Translate ``texts`` in one request when they fit; per text if the engine merged them."""
        if self.offline:
            return [pseudo_translate(t) for t in texts]
        if len(texts) == 1:
            return [self.request_long(texts[0])]
        parts = _SPLIT.split(self.request(SEPARATOR.join(texts)).strip())
        if len(parts) == len(texts) and all(p.strip() for p in parts):
            return [p.strip() for p in parts]
        results: list[str | RequestFailed] = []
        for text in texts:
            try:
                results.append(self.request(text))
            except RequestFailed as error:
                if error.fatal or self.breaker.open:
                    raise
                results.append(error)
        return results

    def request_long(self, text: str) -> str:
        """Translate ``text``, sentence groups at a time when it is over the size limit."""
        chunks = pieces(text, self.config.max_chars)
        if chunks is None:
            raise RequestFailed(
                f"a sentence is longer than {self.name}'s {self.config.max_chars} characters a request"
            )
        return " ".join(self.request(chunk) for chunk in chunks)

    def request(self, text: str) -> str:
        """One translation request, with rate limit, deadline, retries and the circuit breaker."""
        attempt = 0
        while True:
            if self.breaker.open:
                raise ProviderStopped(f"stopped: {self.breaker.reason}", fatal=True)
            self.limiter.wait()
            with self._lock:
                self.requests += 1
            try:
                answer = self._send(text)
            except RequestFailed as error:
                if error.retryable and attempt < self.config.retries and not self.breaker.open:
                    time.sleep(backoff_delay(attempt, self.config.backoff))
                    attempt += 1
                    continue
                self.breaker.record(error)
                raise
            self.breaker.record(None)
            return answer

    def _send(self, text: str) -> str:
        with guard.policy(self.origins, self.config.timeout) as current:
            try:
                answer = self._translator().translate(text)
            except Exception as exc:  # deep-translator raises anything; classify() names it
                status = current.statuses[-1] if current.statuses else None
                error = classify(exc, status, self.where, self.config.timeout)
                if self.config.api_key:
                    error.message = error.message.replace(self.config.api_key, "***")
                raise error from None
        if not isinstance(answer, str):
            raise RequestFailed(
                f"{self.where} answered with something that is not a translation", retryable=True
            )
        if (
            not answer.strip() and text.strip()
        ):  # an empty draft is no draft: never written or cached
            raise RequestFailed(f"{self.where} returned no translation")
        return answer

    def _translator(self):  # noqa: ANN202 - deep-translator's classes share no public base type
        import deep_translator as dt

        c, pair = self.config, {"source": self.source, "target": self.target}
        if self.name == "google":
            return dt.GoogleTranslator(**pair)
        if self.name == "deepl":
            return dt.DeeplTranslator(
                **pair, api_key=c.api_key or None, use_free_api="free" in self.url
            )
        if self.name == "microsoft":
            return dt.MicrosoftTranslator(
                **pair, api_key=c.api_key or None, region=c.region or None
            )
        if self.name == "libre":
            # custom_url, never base_url (ignored: the text would go to the public server)
            return dt.LibreTranslator(**pair, api_key=c.api_key or "homelang", custom_url=self.url)
        return dt.MyMemoryTranslator(**pair)


def _url(config: ProviderConfig) -> str:
    """Where ``config``'s text may go: the one URL the user set for libre, the official one otherwise."""
    if config.name == "libre":
        if not config.url:
            raise ProviderError(
                "libre needs the URL of your LibreTranslate server: [tool.homelang.providers.libre] url or HOMELANG_LIBRE_URL"
            )
        problem = url_problem(config.url)
        if problem:
            raise ProviderError(f"libre: {problem}: {config.url!r}")
        return config.url.rstrip("/") + "/"
    if config.url:
        raise ProviderError(
            f"{config.name}: a url setting is only used by libre; refusing to guess where text would go"
        )
    if config.name == "deepl" and config.api_key and not config.api_key.endswith(":fx"):
        return "https://api.deepl.com/v2/"
    return DEFAULTS[config.name].url


_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def pieces(text: str, limit: int) -> list[str] | None:
    """``text`` as sentence groups of at most ``limit`` characters (None if one sentence is longer)."""
    if len(text) <= limit:
        return [text]
    groups: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        if len(sentence) > limit:
            return None
        if groups and len(groups[-1]) + 1 + len(sentence) <= limit:
            groups[-1] += " " + sentence
        else:
            groups.append(sentence)
    return groups


def batches(texts: list[str], limit: int) -> list[list[int]]:
    """Indexes of ``texts`` grouped into requests of at most ``limit`` characters (joined).

    A text with a line break goes alone (the separator is a blank line), and so does
    a text longer than the limit (sent in sentence groups, see :func:`pieces`).
    """
    groups: list[list[int]] = []
    current: list[int] = []
    size = 0
    for index, text in enumerate(texts):
        alone = "\n" in text or len(text) > limit
        extra = len(text) + (len(SEPARATOR) if current else 0)
        if current and (alone or size + extra > limit):
            groups.append(current)
            current, size = [], 0
            extra = len(text)
        if alone:
            groups.append([index])
            continue
        current.append(index)
        size += extra
    if current:
        groups.append(current)
    return groups
