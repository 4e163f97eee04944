"""Deadlines and destinations for deep-translator's HTTP requests.

deep-translator calls ``requests.get``/``requests.post`` with no timeout (a server
that accepts and never answers hangs the call forever) and, given a keyword it does
not know (``base_url=``), quietly sends the text to a public server. Every request
made inside :func:`policy` therefore goes through one check at requests' transport
layer: it must go to the origin the user configured, and it gets our deadline when
the caller set none. Outside :func:`policy` requests behaves as usual.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from requests.adapters import HTTPAdapter


class ForbiddenDestination(Exception):
    """A request to an origin the provider was not configured for: refused before sending."""


@dataclass
class Policy:
    """Where one call may send text, how long it may wait, and what the server last answered."""

    origins: frozenset[str]
    timeout: float
    statuses: list[int] = field(default_factory=list)


_local = threading.local()
_original_send = HTTPAdapter.send


def origin(url: str) -> str:
    """``scheme://host:port`` of ``url``, the unit a destination is allowed by."""
    parts = urlsplit(url)
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme, 0)
    return f"{parts.scheme}://{(parts.hostname or '').lower()}:{port}"


@contextmanager
def policy(origins: frozenset[str], timeout: float) -> Iterator[Policy]:
    """Apply a destination allow-list and a deadline to this thread's requests."""
    _install()
    current = Policy(origins, timeout)
    previous = getattr(_local, "policy", None)
    _local.policy = current
    try:
        yield current
    finally:
        _local.policy = previous


def _guarded_send(self: HTTPAdapter, request: Any, *args: Any, **kwargs: Any) -> Any:
    current: Policy | None = getattr(_local, "policy", None)
    if current is None:
        return _original_send(self, request, *args, **kwargs)
    target = origin(request.url)
    if target not in current.origins:
        raise ForbiddenDestination(
            f"refused to send text to {target} (allowed: {', '.join(sorted(current.origins))})"
        )
    if kwargs.get("timeout") is None:
        kwargs["timeout"] = current.timeout
    response = _original_send(self, request, *args, **kwargs)
    current.statuses.append(response.status_code)
    return response


def _install() -> None:
    if HTTPAdapter.send is not _guarded_send:
        HTTPAdapter.send = _guarded_send  # type: ignore[method-assign]
