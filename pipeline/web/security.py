"""What keeps the review site safe: its secret key, headers, the staff token, rate limits.

Catalog text is untrusted (a volunteer, a packet or a `git pull` may put anything in a
msgstr), so every page is served with a Content-Security-Policy that runs only the
app's own static script and loads nothing from elsewhere; jinja2 escapes everything.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable

import flask
from flask_limiter import Limiter, RouteLimit

from pipeline.errors import StateError
from pipeline.files import atomic_write, read_regular
from pipeline.settings import Settings

SECRET_FILE = "web-secret"
#: A request body is at most this many bytes (a long paragraph is a few kilobytes).
MAX_REQUEST = 256 * 1024
#: Only the app's own files; no inline script or style, no frames, forms post home only.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
#: The build's draft previews: their own inline styles and embedded fonts, and nothing
#: that runs (``sandbox`` without ``allow-scripts``).
PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; font-src data:; img-src data:; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'; sandbox"
)
#: Refused tokens (wrong ``?staff=`` values and unknown invitations, counted together) per
#: client address. Only those count, and only they are refused past it: a right token or an open session
#: always gets in (behind one proxy every volunteer shares an address).
FAILED_LIMIT = "10 per hour"
#: Checks run while a volunteer types (one per pause, see review.js), per invitation: a
#: check of a long text costs CPU, and one person must not take the site's share.
CHECKS_PER_MINUTE = 30
#: The longest translation the form's text box takes (a long paragraph is ~2,000).
MAX_TEXT = 20_000


def secret_key(settings: Settings) -> bytes:
    """The key that signs session cookies: made once, kept in ``.homelang/web-secret`` (0600)."""
    path = settings.state_path / SECRET_FILE
    shown = path.relative_to(settings.root)
    try:
        key = read_regular(path, shown, limit=1_000_000)
    except FileNotFoundError:
        key = b""
    if not key:
        key = secrets.token_hex(32).encode("ascii")
        settings.state_path.mkdir(parents=True, exist_ok=True)
        atomic_write(path, key, mode=0o600)
    elif len(key.strip()) < 32:
        raise StateError("too short to sign cookies: delete it to make a new one", shown)
    return key.strip()


def secure_headers(response: flask.Response) -> flask.Response:
    """The headers every answer carries; previews set their own, stricter policy first."""
    response.headers.setdefault("Content-Security-Policy", POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if flask.request.endpoint != "static":
        # Pages hold catalog text and links: never kept on a shared phone or in a proxy.
        response.headers["Cache-Control"] = "no-store"
    return response


def staff_digest(token: str) -> str:
    """What a staff session holds: the digest of this run's staff token, never the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same_token(given: str, expected: str) -> bool:
    """Compare tokens in constant time (a timing difference would leak a prefix)."""
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def new_staff_token() -> str:
    return secrets.token_urlsafe(32)


def guarding(limiter: Limiter, exempt_when: Callable[[], bool]) -> RouteLimit:
    """The limit on refused tokens, one count per client for staff and invitation tokens
    alike: ``exempt_when`` says the request carries no token to guess."""
    return limiter.shared_limit(
        FAILED_LIMIT, scope="refused-tokens", deduct_when=_failed, exempt_when=exempt_when
    )


def _failed(response: flask.Response) -> bool:
    """Whether a token was refused: counts against :data:`FAILED_LIMIT`."""
    return response.status_code == 403
