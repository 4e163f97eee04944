"""Review invitations: personal links, stored hashed, expiring, revocable, one language each.

The state file ``.homelang/invites.json`` is untrusted input: a damaged one is a
one-line error naming the file and the key, and nothing changes on disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import time
from pathlib import Path

import pytest
from conftest import trials
from hypothesis import given
from hypothesis import strategies as st
from test_review import snapshot

from pipeline import invites, online
from pipeline.invites import InviteError
from pipeline.settings import load as load_settings

LINK = re.compile(r"^http://127\.0\.0\.1:8765/invite/([A-Za-z0-9_-]{43})$", re.M)
INVITES = ".homelang/invites.json"


def invite(homelang, *args: str) -> str:
    """``homelang review invite ARGS``; the token of the link it prints."""
    output = homelang("review", "invite", *args).output
    [token] = LINK.findall(output)
    return token


def test_an_invitation_is_stored_hashed_and_opens_one_language(catalogs_ready: Path, homelang):
    token = invite(homelang, "--lang", "so", "--reviewer", "Ayaan Warsame")
    path = catalogs_ready / INVITES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = path.read_text("utf-8")
    assert token not in data  # only its digest is kept
    assert hashlib.sha256(token.encode()).hexdigest() in data
    settings = load_settings(catalogs_ready)
    found = invites.lookup(settings, token)
    assert (found.lang, found.reviewer, found.docs) == ("so", "Ayaan Warsame", ())
    assert found.id.startswith("so-ayaan-warsame-")
    listed = homelang("review", "invites", "--json").output
    assert token not in listed and "sha256" not in listed
    assert json.loads(listed)[0]["id"] == found.id
    with pytest.raises(InviteError, match="unknown invitation"):
        invites.lookup(settings, token[:-1] + ("A" if token[-1] != "A" else "B"))


def test_a_token_for_so_is_not_valid_for_es(catalogs_ready: Path, homelang) -> None:
    settings = load_settings(catalogs_ready)
    so, _ = invites.create(settings, "so", "Ayaan")
    es_path = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    before = es_path.read_bytes()
    items = online.queue(settings, so)
    assert items
    first = items[0]
    done = online.save(settings, so, first.key, first.base, "Guddiga Waxbarashada MPS.", True)
    assert done.outcome == "reviewed"
    assert es_path.read_bytes() == before  # the same entry in Spanish is untouched
    somali = (catalogs_ready / "locales/so/LC_MESSAGES/sanctuary-resolution.po").read_text()
    assert 'msgstr "Guddiga Waxbarashada MPS."' in somali


def test_documents_scope_an_invitation(catalogs_ready: Path, homelang) -> None:
    token = invite(homelang, "-l", "so", "-r", "Ayaan", "--doc", "sanctuary-resolution-faq")
    settings = load_settings(catalogs_ready)
    found = invites.lookup(settings, token)
    assert found.docs == ("sanctuary-resolution-faq",) and not found.allows("sanctuary-resolution")
    items = online.queue(settings, found)
    assert {i.doc_id for i in items} == {"sanctuary-resolution-faq"}
    everyone, _ = invites.create(settings, "so", "Hodan")
    outside = next(
        i for i in online.queue(settings, everyone) if i.doc_id == "sanctuary-resolution"
    )
    with pytest.raises(online.OnlineError, match="no such entry for this invitation"):
        online.item(settings, found, outside.key)
    with pytest.raises(online.OnlineError, match="not part of this invitation"):
        online.queue(settings, found, "sanctuary-resolution")
    with pytest.raises(online.OnlineError):
        online.save(settings, found, outside.key, outside.base, "Qoraal.", True)


def test_expired_and_revoked_are_refused_with_the_reason(
    catalogs_ready: Path, homelang, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(catalogs_ready)
    now = int(time.time())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now))
    short, short_token = invites.create(settings, "so", "Ayaan", days=1)
    kept, kept_token = invites.create(settings, "so", "Hodan", days=30)
    gone, gone_token = invites.create(settings, "am", "Ayaan")
    assert invites.lookup(settings, short_token) == short
    result = homelang("review", "revoke", "--reviewer", "Ayaan")
    assert f"revoked {short.id} (so, Ayaan)" in result.output
    assert f"revoked {gone.id} (am, Ayaan)" in result.output
    with pytest.raises(InviteError, match=f"invitation {gone.id} revoked on 20"):
        invites.lookup(settings, gone_token)
    homelang("review", "revoke", kept.id)
    with pytest.raises(InviteError, match="revoked on"):
        invites.lookup(settings, kept_token)
    assert "no invitations to revoke" in homelang("review", "revoke", kept.id).output
    fresh, fresh_token = invites.create(settings, "so", "Idil", days=1)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(now + 3 * 86400))
    with pytest.raises(InviteError, match=f"invitation {fresh.id} expired on {fresh.expires}"):
        invites.lookup(settings, fresh_token)
    table = homelang("review", "invites", "--lang", "so").output
    assert f"expired on {fresh.expires}" in table and "revoked on" in table
    result = homelang("review", "revoke", "nosuch-invite-000000", expect=2)
    assert "no such invitation: nosuch-invite-000000" in result.output


def test_an_invitation_names_a_person_and_documents_of_the_project(
    catalogs_ready: Path, homelang
) -> None:
    before = snapshot(catalogs_ready)
    result = homelang("review", "invite", "-l", "so", "-r", "Ayaan", "--doc", "nope", expect=2)
    assert "no document 'nope'" in result.output
    result = homelang("review", "invite", "-l", "so", "-r", " \u200f\n", expect=2)
    assert "name the reviewer" in result.output
    # found by a fresh-eyed tester: a 250-character name was written, then refused on every
    # read of the file, which shut every review page and the dashboard
    result = homelang("review", "invite", "-l", "so", "-r", "B" * 250, expect=2)
    assert "at most 80 characters" in result.output
    assert snapshot(catalogs_ready) == before
    token = invite(homelang, "-l", "so", "-r", "Ayaan\u202e  Warsame\n")  # controls dropped
    found = invites.lookup(load_settings(catalogs_ready), token)
    assert found.reviewer == "Ayaan Warsame"
    assert f"revoked {found.id}" in homelang("review", "revoke", "-r", " Ayaan Warsame").output


def _damaged(entry: dict) -> str:
    return json.dumps({"invites": [entry]})


GOOD = {
    "id": "so-ayaan-3f9a1c",
    "lang": "so",
    "reviewer": "Ayaan",
    "docs": [],
    "created": "2026-12-01 03:00+0000",
    "expires": "2026-12-15",
    "revoked": "",
    "sha256": "0" * 64,
}
#: case -> (file text, what the one-line error must name)
DAMAGED = {
    "not-json": ("{", "not valid JSON"),
    "not-utf8": (b"\xff\xfe".decode("latin-1"), "not"),
    "no-list": ('{"invites": {}}', 'no "invites" list'),
    "entry-not-object": ('{"invites": [3]}', "invites[0]: expected an object"),
    "id-number": (_damaged({**GOOD, "id": 7}), "invites[0].id: expected a short string"),
    "id-path": (_damaged({**GOOD, "id": "../../etc"}), "invites[0].id: not a valid value"),
    "lang-unknown": (_damaged({**GOOD, "lang": "xx-nope"}), "invites[0].lang"),
    "reviewer-control": (
        _damaged({**GOOD, "reviewer": "Ayaan\u202e"}),
        "invites[0].reviewer: not a name homelang wrote",
    ),
    "created-text": (_damaged({**GOOD, "created": "\u001b]52;c;x"}), "invites[0].created"),
    "date-invalid": (_damaged({**GOOD, "expires": "2026-02-30"}), "invites[0].expires: not a date"),
    "revoked-text": (
        _damaged({**GOOD, "revoked": "soon"}),
        "invites[0].revoked: not a valid value",
    ),
    "digest-short": (_damaged({**GOOD, "sha256": "abc"}), "invites[0].sha256: not a valid value"),
    "docs-path": (_damaged({**GOOD, "docs": ["../x"]}), "invites[0].docs: expected a list"),
    "token-stored": (_damaged({**GOOD, "token": "secret"}), "invites[0].token: unknown key"),
    "twice": (
        json.dumps({"invites": [GOOD, GOOD]}),
        "invites[1].id: so-ayaan-3f9a1c is listed twice",
    ),
    "huge-number": ('{"invites": [' + "9" * 5000 + "]}", "not valid JSON"),
}


@pytest.mark.parametrize("case", sorted(DAMAGED))
def test_a_damaged_invites_file_is_one_line_naming_file_and_key(
    catalogs_ready: Path, homelang, case: str
) -> None:
    text, named = DAMAGED[case]
    path = catalogs_ready / INVITES
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("latin-1") if case == "not-utf8" else text.encode("utf-8"))
    before = snapshot(catalogs_ready)
    for args in (
        ("review", "invites"),
        ("review", "invite", "--lang", "so", "--reviewer", "Ayaan"),
        ("review", "revoke", "--reviewer", "Ayaan"),
    ):
        result = homelang(*args, expect=2)
        message = result.output.strip()
        assert "\n" not in message and "Traceback" not in message, message
        assert message.startswith(f"Error: {INVITES}"), message
        assert named in message, message
    assert snapshot(catalogs_ready) == before
    with pytest.raises(InviteError, match=re.escape(INVITES)):
        invites.lookup(load_settings(catalogs_ready), "x" * 43)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


@trials(300)
@given(key=st.sampled_from([*GOOD, "extra"]), value=JSON)
def test_any_value_in_an_invitation_is_valid_or_one_error(key: str, value: object) -> None:
    """Every field replaced by any JSON value: an invitation, or an InviteError naming the key."""
    data = _damaged({**GOOD, key: value}).encode("utf-8")
    try:
        [(found, _)] = invites.parse(data, Path(INVITES))
    except InviteError as error:
        assert str(error).startswith(f"{INVITES}: invites[0]"), error
        assert key in str(error) or "expected an object" in str(error), error
    else:
        assert found.id == (value if key == "id" else GOOD["id"])


SERVE = "\n[tool.homelang.serve]\n"


@pytest.mark.parametrize(
    "table, named",
    [
        ("port = 0", "tool.homelang.serve.port: must be between 1 and 65535"),
        ("port = 70000", "tool.homelang.serve.port: must be between 1 and 65535"),
        ('port = "80"', "tool.homelang.serve.port: expected int"),
        ("invite_days = 400", "tool.homelang.serve.invite_days: must be between 1 and 365"),
        ('public_url = "ftp://x.org"', "tool.homelang.serve.public_url: not an http(s) URL"),
        ('public_url = "https://x.org/?a=1"', "tool.homelang.serve.public_url: the address"),
        ('host = "0.0.0.0; rm"', "tool.homelang.serve.host: not a host name"),
        ("prot = 1", "tool.homelang.serve.prot: unknown setting; did you mean 'port'?"),
    ],
)
def test_serve_settings_are_validated(catalogs_ready: Path, homelang, table: str, named: str):
    settings_file = catalogs_ready / "pyproject.toml"
    settings_file.write_text(settings_file.read_text() + SERVE + table + "\n")
    result = homelang("review", "invites", expect=2)
    assert named in result.output
    assert "pyproject.toml:" in result.output


def test_serve_settings_make_the_link(catalogs_ready: Path, homelang) -> None:
    settings = load_settings(catalogs_ready)
    assert settings.serve.base_url == "http://127.0.0.1:8765"
    settings_file = catalogs_ready / "pyproject.toml"
    text = 'public_url = "https://translate.example.org/"\ninvite_days = 3\n'
    settings_file.write_text(settings_file.read_text() + SERVE + text)
    output = homelang("review", "invite", "-l", "so", "-r", "Ayaan", "--json").output
    made = json.loads(output)
    assert made["link"].startswith("https://translate.example.org/invite/")
    settings = load_settings(catalogs_ready)
    assert invites.lookup(settings, made["link"].rsplit("/", 1)[1]).expires == made["expires"]
    created = made["created"][:10]
    assert made["expires"] > created


def test_an_invitation_past_the_last_date_is_refused(
    catalogs_ready: Path, homelang, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "253402300799")  # 9999-12-31 23:59:59
    result = homelang("review", "invite", "-l", "so", "-r", "Ayaan", expect=2)
    # the clock itself is refused past 8999, so every date derived from it can be written
    assert result.output.startswith("Error: environment variable SOURCE_DATE_EPOCH")
    assert result.output.count("\n") == 1
    assert not (catalogs_ready / INVITES).exists()
