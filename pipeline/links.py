"""Which link targets a page may carry: one rule for the checks, print and the web.

A translation is untrusted, and a link in it is a door: ``smb://`` leaks a Windows
password hash, ``search-ms:`` opens Explorer on a share, ``javascript:`` runs code.
Only ``http``, ``https``, ``mailto`` and ``tel`` are allowed, in any case, wherever
a link is made (:func:`allowed` is markdown-it's ``validateLink`` in
``pipeline.render.inline``) or checked (``pipeline.checks``). A link without a
scheme (``/page``, ``//host``) is refused too: a snippet or a letter has no base to
resolve it against. Pure functions, no I/O.
"""

from __future__ import annotations

import re

#: Schemes a link may have (compared in lower case).
SCHEMES = ("http", "https", "mailto", "tel")

# The scheme as the WHATWG URL parser reads it: a letter, then letters, digits, + - .
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers drop leading and trailing C0 controls and spaces, and tabs and newlines anywhere.
_DROPPED = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(0x21)))


def scheme(target: str) -> str:
    """The scheme of ``target`` in lower case, as a browser reads it; "" for a relative link."""
    cleaned = _DROPPED.sub("", target.strip(_C0_AND_SPACE))
    match = _SCHEME.match(cleaned)
    return match.group(1).lower() if match else ""


def allowed(target: str) -> bool:
    """True when a page may link to ``target``: its scheme is http, https, mailto or tel."""
    return scheme(target) in SCHEMES


def lower_scheme(target: str) -> str:
    """``target`` with its scheme in lower case, to compare links as browsers do."""
    match = _SCHEME.match(target)
    return target[: match.end(1)].lower() + target[match.end(1) :] if match else target
