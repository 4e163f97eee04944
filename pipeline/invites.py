"""Personal review links: ``.homelang/invites.json``, tokens kept only as their SHA-256.

An invitation lets one person review one language (all its documents, or the ones
named) through ``homelang serve`` until a date, unless it is revoked first. The link
holds a ``secrets.token_urlsafe(32)`` token, printed once and never stored: the state
file keeps its SHA-256 only, so a copy of the file opens nothing. The file is
machine-local (never committed), written atomically with mode 0600, and read as
untrusted input like ``review-assignments.json``: a wrong type, a date that is not
one, a digest that is not hexadecimal is a one-line error naming the file and the key.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from pipeline import catalogs, files, languages
from pipeline.apply import credit_name
from pipeline.assignments import days_after, is_date, read_regular_file, shown, today
from pipeline.errors import LanguageError, PipelineError
from pipeline.files import atomic_write, read_regular
from pipeline.lock import SHORT_WAIT, project_lock
from pipeline.settings import SAFE_NAME, Settings

INVITES = "invites.json"
#: Where a running ``homelang serve`` notes the address it listens on (this machine's)
#: and its process id: a note whose process is gone (a killed server's) is ignored.
SERVING = "serving"
_NOTED = re.compile(rb"(http://[0-9A-Za-z.:\[\]-]{1,80})\n([1-9][0-9]{0,9})\n")
_ID = re.compile(r"[a-z0-9_]{1,12}-[a-z0-9-]{1,24}-[0-9a-f]{6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}\+0000")  # catalogs.timestamp()
_DIGEST = re.compile(r"[0-9a-f]{64}")
#: What an invitation's state file may hold at most (a million invitations is ~300 MB).
MAX_BYTES = 20_000_000
#: A reviewer's name is credited in every "# reviewed:" comment: a name, not a paragraph.
MAX_NAME = 80


class InviteError(PipelineError):
    """An invitation that cannot be made, read, found or used (unknown, expired, revoked)."""


class UnknownInvite(InviteError):
    """A token no invitation was made with: a guess, or a mistyped link."""


@dataclass(frozen=True)
class Invite:
    """One person's invitation to review one language (no token: only its digest is kept)."""

    id: str  # short public id, e.g. "so-ayaan-3f9a1c" (safe in URLs and logs)
    lang: str
    reviewer: str  # credited in "# reviewed:" comments
    docs: tuple[str, ...]  # () = every document of the project
    created: str  # catalogs.timestamp()
    expires: str  # YYYY-MM-DD, the last day it is valid
    revoked: str = ""  # YYYY-MM-DD, or "" while it is not

    def allows(self, doc_id: str) -> bool:
        """Whether the invitation covers document ``doc_id``."""
        return not self.docs or doc_id in self.docs

    def problem(self, now: str) -> str:
        """Why it cannot be used on day ``now`` (revoked, expired), or ""."""
        if self.revoked:
            return f"revoked on {self.revoked}"
        if self.expires < now:
            return f"expired on {self.expires}"
        return ""


def invites_path(settings: Settings) -> Path:
    return settings.state_path / INVITES


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link(settings: Settings, token: str) -> str:
    """The address a volunteer opens: ``{base_url}/invite/{token}``; without a public_url,
    the address a running ``homelang serve`` noted (it may listen on any port)."""
    base = settings.serve.base_url
    if not settings.serve.public_url:
        base = serving(settings) or base
    return f"{base}/invite/{token}"


def serving(settings: Settings) -> str:
    """The address a running ``homelang serve`` of the project noted, or "" (no note, or
    its process is gone: a killed server's note is ignored)."""
    try:
        noted = read_regular(settings.state_path / SERVING, Path(SERVING), limit=200)
    except (FileNotFoundError, PipelineError):
        return ""
    found = _NOTED.fullmatch(noted)
    if found is None or not _alive(int(found.group(2))):
        return ""
    return found.group(1).decode("ascii")


def note_serving(settings: Settings, address: str) -> bytes:
    """Note ``address`` as this process's (see :func:`serving`); the bytes written."""
    note = f"{address}\n{os.getpid()}\n".encode("ascii")
    settings.state_path.mkdir(parents=True, exist_ok=True)
    atomic_write(settings.state_path / SERVING, note)
    return note


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def create(
    settings: Settings,
    lang: str,
    reviewer: str,
    docs: tuple[str, ...] = (),
    days: int | None = None,
) -> tuple[Invite, str]:
    """A new invitation and its token (shown once, never stored)."""
    (lang,) = settings.select_languages([lang])
    docs = tuple(dict.fromkeys(catalogs.select_templates(settings, docs))) if docs else ()
    days = settings.serve.invite_days if days is None else days
    if not 1 <= days <= 365:
        raise InviteError(f"an invitation lasts 1 to 365 days, not {days}")
    name = credit_name(reviewer)
    if name == "unknown":
        raise InviteError("name the reviewer (--reviewer): their reviews are credited to them")
    if len(name) > MAX_NAME:
        raise InviteError(f"a reviewer's name is at most {MAX_NAME} characters, not {len(name)}")
    stamp = catalogs.timestamp()
    expires = days_after(stamp, days)
    plain = unicodedata.normalize("NFKD", name.casefold()).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:24].strip("-") or "reviewer"
    invite = Invite(
        id=f"{lang.casefold()}-{slug}-{secrets.token_hex(3)}",
        lang=lang,
        reviewer=name,
        docs=docs,
        created=stamp,
        expires=expires,
    )
    token = secrets.token_urlsafe(32)
    with project_lock(settings.state_path, "homelang review invite", SHORT_WAIT):
        _save(settings, [*_read(settings), (invite, digest(token))])
    return invite, token


def lookup(settings: Settings, token: str) -> Invite:
    """The invitation ``token`` opens; :class:`InviteError` saying why if it is unknown,
    expired or revoked, or its language is no longer one of the project's."""
    return find(settings, digest(token))


def find(settings: Settings, wanted: str) -> Invite:
    """The invitation whose token has the digest ``wanted`` (what a session keeps), as
    :func:`lookup`."""
    found = next((i for i, d in _read(settings) if secrets.compare_digest(d, wanted)), None)
    if found is None:
        raise UnknownInvite("unknown invitation: ask for a new link")
    if found.lang not in settings.languages:
        raise InviteError(f"invitation {found.id}: {found.lang!r} is no longer a project language")
    problem = found.problem(today())
    if problem:
        raise InviteError(f"invitation {found.id} {problem}: ask for a new link")
    return found


def revoke(
    settings: Settings, ids: tuple[str, ...] = (), reviewer: str | None = None
) -> list[Invite]:
    """Revoke the invitations named, and every one of ``reviewer``; return those revoked now."""
    if not ids and reviewer is None:
        raise InviteError("name an invitation (see homelang review invites) or a reviewer")
    with project_lock(settings.state_path, "homelang review revoke", SHORT_WAIT):
        found = _read(settings)
        unknown = set(ids) - {i.id for i, _ in found}
        if unknown:
            raise InviteError(f"no such invitation: {', '.join(sorted(unknown))}")
        now, name = today(), None if reviewer is None else credit_name(reviewer)
        done: list[Invite] = []
        out = []
        for invite, token_digest in found:
            if not invite.revoked and (invite.id in ids or invite.reviewer == name):
                invite = replace(invite, revoked=now)
                done.append(invite)
            out.append((invite, token_digest))
        if done:
            _save(settings, out)
    return done


def load(settings: Settings) -> list[Invite]:
    """Every invitation, oldest first (revoked and expired ones too)."""
    return [invite for invite, _ in _read(settings)]


def _read(settings: Settings) -> list[tuple[Invite, str]]:
    path = invites_path(settings)
    name = shown(settings, path)
    data = read_regular_file(path, name, MAX_BYTES)
    return [] if data is None else parse(data, name)


def parse(data: bytes, name: Path) -> list[tuple[Invite, str]]:
    """The invitations of a state file with their token digests, every field checked."""
    document = files.parse_json(data, name, InviteError)
    if not isinstance(document, dict) or not isinstance(document.get("invites"), list):
        raise InviteError('not an invitations file (no "invites" list)', name)
    found = [_invite(item, f"invites[{n}]", name) for n, item in enumerate(document["invites"])]
    seen: set[str] = set()
    for n, (invite, _) in enumerate(found):
        if invite.id in seen:
            raise InviteError(f"invites[{n}].id: {invite.id} is listed twice", name)
        seen.add(invite.id)
    return found


def _invite(item: Any, where: str, name: Path) -> tuple[Invite, str]:
    if not isinstance(item, dict):
        raise InviteError(f"{where}: expected an object", name)
    unknown = sorted(set(item) - {*Invite.__dataclass_fields__, "sha256"})
    if unknown:
        raise InviteError(f"{where}.{unknown[0][:40]}: unknown key", name)

    def text(key: str, pattern: re.Pattern[str] | None = None, default: str | None = None) -> str:
        value = item.get(key, default)
        if not isinstance(value, str) or len(value) > 200 or "\x00" in value:
            kind = "null" if value is None else type(value).__name__
            raise InviteError(f"{where}.{key}: expected a short string, not {kind}", name)
        if pattern is not None and value and not pattern.fullmatch(value):
            raise InviteError(f"{where}.{key}: not a valid value: {value[:40]!r}", name)
        return value

    lang = text("lang")
    try:
        languages.get(lang)
    except LanguageError:
        raise InviteError(f"{where}.lang: not a language code: {lang[:20]!r}", name) from None
    for key in ("expires", "revoked"):
        value = text(key, _DATE, "" if key == "revoked" else None)
        if (value or key == "expires") and not is_date(value):
            raise InviteError(f"{where}.{key}: not a date: {value[:20]!r}", name)
    reviewer = text("reviewer")
    if not reviewer or credit_name(reviewer) != reviewer:
        raise InviteError(f"{where}.reviewer: not a name homelang wrote: {reviewer[:40]!r}", name)
    docs = item.get("docs")
    if not isinstance(docs, list) or not all(
        isinstance(d, str) and SAFE_NAME.match(d) for d in docs
    ):
        raise InviteError(f"{where}.docs: expected a list of document ids", name)
    invite = Invite(
        id=text("id", _ID),
        lang=lang,
        reviewer=reviewer,
        docs=tuple(docs),
        created=text("created", _STAMP),
        expires=text("expires"),
        revoked=text("revoked", default=""),
    )
    if not invite.id:
        raise InviteError(f"{where}.id: expected an invitation id", name)
    token_digest = text("sha256", _DIGEST)
    if not token_digest:
        raise InviteError(f"{where}.sha256: expected the token's SHA-256 (hexadecimal)", name)
    return invite, token_digest


def _save(settings: Settings, found: list[tuple[Invite, str]]) -> None:
    """Write the state file atomically, readable by its owner only (it opens nothing, but
    who was invited to what is nobody else's business)."""
    items = [{**asdict(i), "docs": list(i.docs), "sha256": d} for i, d in found]
    text = json.dumps({"invites": items}, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    atomic_write(invites_path(settings), text.encode("utf-8"), mode=0o600)
