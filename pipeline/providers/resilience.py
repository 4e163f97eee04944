"""Keeping going when a service is slow or refuses: rate limit, retries, circuit breaker.

deep-translator's errors differ by provider (``TooManyRequests`` or
``ServerException`` on 429, a status-less ``RequestError`` on a Google 5xx, a
"daily limit" message on a Libre 404, requests' own ``ConnectionError`` offline);
:func:`classify` maps them all to one :class:`RequestFailed` with a clear message and
two facts: may the request be tried again, and is the provider unusable for this run.
"""

from __future__ import annotations

import random
import threading
import time

import requests
from deep_translator import exceptions as dt

from pipeline.errors import ProviderError
from pipeline.providers.guard import ForbiddenDestination

#: Consecutive failed requests (after their retries) that stop a provider for the run.
BREAKER_THRESHOLD = 3


class RequestFailed(ProviderError):
    """One request failed: ``retryable`` (timeout, 429, 5xx) or ``fatal`` (stop this provider)."""

    def __init__(self, message: str, retryable: bool = False, fatal: bool = False):
        super().__init__(message)
        self.retryable = retryable
        self.fatal = fatal


def classify(exc: BaseException, status: int | None, where: str, timeout: float) -> RequestFailed:
    """Our own message for whatever deep-translator or requests raised (never the API key)."""
    if isinstance(exc, RequestFailed):
        return exc
    if isinstance(exc, ForbiddenDestination):
        return RequestFailed(str(exc), fatal=True)
    if isinstance(exc, requests.exceptions.Timeout):
        return RequestFailed(f"{where} did not answer within {timeout:g} s", retryable=True)
    if isinstance(exc, requests.exceptions.ConnectionError):
        return RequestFailed(f"cannot reach {where} (offline, or a wrong URL?)", fatal=True)
    if isinstance(exc, requests.exceptions.JSONDecodeError | KeyError | TypeError | AttributeError):
        return RequestFailed(
            f"{where} answered with something that is not a translation", retryable=True
        )
    if isinstance(exc, dt.TooManyRequests) or status == 429:
        return RequestFailed(f"{where} is rate limiting us (429 Too Many Requests)", retryable=True)
    if isinstance(exc, dt.AuthorizationException) or status in (401, 403):
        return RequestFailed(f"{where} refused the API key ({status or 403})", fatal=True)
    if isinstance(exc, dt.ApiKeyException):
        return RequestFailed(
            "needs an API key (settings or HOMELANG_<PROVIDER>_API_KEY)", fatal=True
        )
    if isinstance(exc, dt.LanguageNotSupportedException | dt.InvalidSourceOrTargetLanguage):
        return RequestFailed("does not support this language pair", fatal=True)
    if status is not None and status >= 500:
        return RequestFailed(f"{where} failed with a server error ({status})", retryable=True)
    if status == 404:
        return RequestFailed(
            f"no translation service at {where} (404 Not Found: wrong URL?)", fatal=True
        )
    if status is not None and status >= 400:
        return RequestFailed(f"{where} refused the request ({status})", fatal=True)
    if isinstance(exc, dt.TranslationNotFound | dt.NotValidLength | dt.NotValidPayload):
        return RequestFailed(f"{where} returned no translation")
    if isinstance(exc, dt.RequestError | dt.ServerException | dt.MicrosoftAPIerror):
        return RequestFailed(f"{where} failed ({type(exc).__name__})", retryable=True)
    return RequestFailed(f"{where} failed unexpectedly ({type(exc).__name__})")


class ProviderStopped(RequestFailed):
    """Not sent: the circuit breaker stopped the provider earlier in this run (or Ctrl-C did)."""


class RateLimiter:
    """At most ``per_second`` request starts per second across all threads (0: no limit)."""

    def __init__(self, per_second: float):
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._lock = threading.Lock()
        self._next = 0.0

    def wait(self) -> None:
        if not self.interval:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


class CircuitBreaker:
    """Stops a provider for the run after a fatal error or repeated failures, keeping the reason."""

    def __init__(self, threshold: int = BREAKER_THRESHOLD):
        self.threshold = threshold
        self._lock = threading.Lock()
        self._failures = 0
        self.reason: str | None = None

    @property
    def open(self) -> bool:
        return self.reason is not None

    def trip(self, reason: str) -> None:
        with self._lock:
            self.reason = self.reason or reason

    def record(self, error: RequestFailed | None) -> None:
        """Note a request's outcome (None: success)."""
        with self._lock:
            if error is None:
                self._failures = 0
                return
            self._failures += 1
            if error.fatal or self._failures >= self.threshold:
                self.reason = self.reason or error.message


def backoff_delay(attempt: int, base: float) -> float:
    """Exponential backoff with jitter: between half and all of ``base * 2**attempt`` seconds."""
    ceiling = base * 2**attempt
    return ceiling / 2 + random.uniform(0, ceiling / 2)
