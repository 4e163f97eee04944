"""``homelang serve`` without a browser: who may open what, CSRF, headers, rate limits, saves.

Flask's test client drives the real application (``create_app``) over a copied project;
the judges are the catalogs on disk (GNU ``msgfmt --check``) and the responses' codes
and headers. The browser tests are in ``test_serve_browser.py``.
"""

from __future__ import annotations

import json
import re
import socket
import stat
import subprocess
import sys
from pathlib import Path

import polib
import pytest
import requests
from conftest import REPO, load, msgfmt_check
from flask.testing import FlaskClient
from serving import serving

from pipeline import invites, lock, states
from pipeline.assignments import entry_key
from pipeline.settings import load as load_settings
from pipeline.web import create_app, security
from pipeline.web.diff import word_diff

STAFF = "staff-token-for-the-tests"
NOTICE = "sanctuary-resolution"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def client(project: Path) -> FlaskClient:
    return create_app(load_settings(project), STAFF).test_client()


def csrf(response) -> str:
    [token] = CSRF.findall(response.get_data(as_text=True))
    return token


def opened(project: Path, lang: str, reviewer: str = "Ayaan") -> tuple[FlaskClient, str]:
    """A browser (test client) that opened a fresh invitation for ``lang``; its invite id."""
    made, token = invites.create(load_settings(project), lang, reviewer)
    browser = client(project)
    response = browser.get(f"/invite/{token}")
    assert response.status_code == 303
    return browser, made.id


def catalog(project: Path, lang: str, doc: str = NOTICE) -> Path:
    return project / "locales" / lang / "LC_MESSAGES" / f"{doc}.po"


def test_the_staff_pages_open_with_this_runs_token_only(catalogs_ready: Path) -> None:
    browser = client(catalogs_ready)
    assert browser.get("/").status_code == 403
    assert browser.get("/?staff=wrong").status_code == 403
    assert browser.get(f"/preview/es/{NOTICE}/web").status_code == 403
    assert browser.post("/invitations", data={"lang": "so"}).status_code in (400, 403)
    response = browser.get(f"/?staff={STAFF}")
    assert (
        response.status_code == 303 and response.headers["Location"] == "/"
    )  # token leaves the URL
    page = browser.get("/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "MPS Board of Education Passes Sanctuary Resolution" in text
    assert "Sanctuary resolution FAQ" in text and "words left" in text
    # another run of serve (a new token) does not accept the old session
    again = create_app(load_settings(catalogs_ready), "another-token").test_client()
    again.set_cookie("homelang", browser.get_cookie("homelang").value)
    assert again.get("/").status_code == 403


def test_every_answer_carries_the_security_headers(catalogs_ready: Path) -> None:
    browser = client(catalogs_ready)
    for address in ("/", "/static/homelang.css", "/nope"):
        response = browser.get(address)
        response.close()  # a static file's answer holds it open
        policy = response.headers["Content-Security-Policy"]
        for part in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'none'",
        ):
            assert part in policy
        assert "unsafe-inline" not in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
    cookie = browser.get(f"/?staff={STAFF}").headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    big = browser.post("/invitations", data={"reviewer": "x" * (security.MAX_REQUEST + 1)})
    assert big.status_code == 413


def test_cookies_are_secure_behind_an_https_address(catalogs_ready: Path) -> None:
    settings_file = catalogs_ready / "pyproject.toml"
    settings_file.write_text(
        settings_file.read_text("utf-8")
        + '\n[tool.homelang.serve]\npublic_url = "https://translate.example.org"\n',
        "utf-8",
    )
    cookie = client(catalogs_ready).get(f"/?staff={STAFF}").headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie


def test_the_secret_key_is_made_once_readable_by_its_owner_only(catalogs_ready: Path) -> None:
    first = security.secret_key(load_settings(catalogs_ready))
    path = catalogs_ready / ".homelang" / security.SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert security.secret_key(load_settings(catalogs_ready)) == first
    assert len(first) >= 32


def test_an_invitation_token_is_exchanged_for_a_cookie(catalogs_ready: Path) -> None:
    made, token = invites.create(load_settings(catalogs_ready), "so", "Ayaan")
    browser = client(catalogs_ready)
    response = browser.get(f"/invite/{token}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/review/{made.id}/"
    assert token not in response.headers["Location"]
    page = browser.get(f"/review/{made.id}/")
    assert page.status_code == 200
    assert re.search(r"\d+ of \d+ left", page.get_data(as_text=True))
    assert client(catalogs_ready).get(f"/review/{made.id}/").status_code == 403  # no cookie


def test_a_so_invitation_cannot_read_or_write_es(catalogs_ready: Path) -> None:
    settings = load_settings(catalogs_ready)
    es, es_token = invites.create(settings, "es", "Maria")
    browser, so_id = opened(catalogs_ready, "so")
    before = {lang: catalog(catalogs_ready, lang).read_bytes() for lang in ("es", "so")}
    page = browser.get(f"/review/{so_id}/")
    token = csrf(page)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page.get_data(as_text=True)).group(1)
    assert browser.get(f"/review/{es.id}/").status_code == 403
    assert browser.get(f"/review/{es.id}/{key}").status_code == 403
    refused = browser.post(
        f"/review/{es.id}/{key}",
        data={"csrf_token": token, "action": "confirm", "base": "", "text": "Hola"},
    )
    assert refused.status_code == 403
    assert (
        browser.post(f"/review/{es.id}/{key}/check", data={"csrf_token": token}).status_code == 403
    )
    assert {c: catalog(catalogs_ready, c).read_bytes() for c in ("es", "so")} == before
    # the session's own invitation works, and writes Somali only
    item = browser.get(f"/review/{so_id}/{key}")
    base = re.search(r'name="base" value="([^"]*)"', item.get_data(as_text=True)).group(1)
    saved = browser.post(
        f"/review/{so_id}/{key}",
        data={"csrf_token": token, "action": "confirm", "base": base, "text": "Guddiga MPS."},
    )
    assert saved.status_code == 303
    assert catalog(catalogs_ready, "es").read_bytes() == before["es"]
    assert catalog(catalogs_ready, "so").read_bytes() != before["so"]
    assert invites.lookup(settings, es_token).lang == "es"  # untouched, still valid


def test_revoked_and_expired_invitations_get_403(catalogs_ready: Path) -> None:
    settings = load_settings(catalogs_ready)
    browser, so_id = opened(catalogs_ready, "so")
    assert browser.get(f"/review/{so_id}/").status_code == 200
    invites.revoke(settings, (so_id,))
    assert browser.get(f"/review/{so_id}/").status_code == 403  # checked on every request

    browser, am_id = opened(catalogs_ready, "am", "Amina")
    made, token = invites.create(settings, "ar", "Layla")
    path = catalogs_ready / ".homelang" / "invites.json"
    data = json.loads(path.read_text("utf-8"))
    for record in data["invites"]:
        if record["id"] in (am_id, made.id):
            record["expires"] = "2001-01-01"
    path.write_text(json.dumps(data), "utf-8")
    assert browser.get(f"/review/{am_id}/").status_code == 403
    assert client(catalogs_ready).get(f"/invite/{token}").status_code == 403


def test_a_post_without_the_csrf_token_is_refused(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page).group(1)
    before = catalog(catalogs_ready, "so").read_bytes()
    for data in (
        {"action": "confirm", "base": "", "text": "Guddiga"},
        {"action": "confirm", "base": "", "text": "Guddiga", "csrf_token": "forged"},
    ):
        assert browser.post(f"/review/{so_id}/{key}", data=data).status_code == 400
    assert browser.post(f"/review/{so_id}/{key}/check", data={"text": "x"}).status_code == 400
    assert catalog(catalogs_ready, "so").read_bytes() == before
    staff = client(catalogs_ready)
    staff.get(f"/?staff={STAFF}")
    refused = staff.post("/invitations", data={"lang": "so", "reviewer": "Mallory", "days": "3"})
    assert refused.status_code == 400
    assert invites.load(load_settings(catalogs_ready)) == invites.load(
        load_settings(catalogs_ready)
    )
    assert all(i.reviewer != "Mallory" for i in invites.load(load_settings(catalogs_ready)))


def test_token_guessing_is_slowed_down(catalogs_ready: Path) -> None:
    made, token = invites.create(load_settings(catalogs_ready), "so", "Ayaan")
    browser, opened_id = opened(catalogs_ready, "am", "Amina")
    codes = [browser.get(f"/invite/guess{n:040d}").status_code for n in range(12)]
    assert codes[:10] == [403] * 10 and codes[10:] == [429, 429]
    assert browser.get(f"/invite/{token}").status_code == 303  # the right one always opens
    # behind one proxy everyone shares an address: pages opened already go on working,
    # however many refused requests others make (a cookie is signed: nothing to guess)
    stranger = client(catalogs_ready)
    assert {stranger.get(f"/review/{opened_id}/").status_code for _ in range(12)} == {403}
    assert browser.get(f"/review/{opened_id}/").status_code == 200
    assert browser.get(f"/?staff={STAFF}").status_code == 303  # another limit: staff unaffected


def test_only_refused_tokens_count_never_a_valid_token_or_session(catalogs_ready: Path) -> None:
    staff = client(catalogs_ready)
    assert staff.get(f"/?staff={STAFF}").status_code == 303
    stranger = client(catalogs_ready)  # the same address (loopback, or behind one proxy)
    assert {stranger.get("/").status_code for _ in range(11)} == {403}  # no token: not counted
    assert staff.get("/").status_code == 200
    assert client(catalogs_ready).get(f"/?staff={STAFF}").status_code == 303
    codes = [stranger.get(f"/?staff=wrong{n}").status_code for n in range(11)]
    assert codes == [403] * 10 + [429]  # wrong staff tokens count
    assert staff.get("/").status_code == 200  # the logged-in dashboard goes on working
    assert client(catalogs_ready).get(f"/?staff={STAFF}").status_code == 303  # and the link
    # an expired or revoked invitation is a volunteer's old link, not a guess: not counted
    made, token = invites.create(load_settings(catalogs_ready), "so", "Ayaan")
    invites.revoke(load_settings(catalogs_ready), (made.id,))
    assert {stranger.get(f"/invite/{token}").status_code for _ in range(12)} == {403}


def test_a_volunteer_confirms_saves_a_draft_and_meets_check_findings(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so", "Ayaan Warsame")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    keys = re.findall(rf"/review/{so_id}/([0-9a-f]{{16}})", page)
    entry = browser.get(f"/review/{so_id}/{keys[0]}")
    html = entry.get_data(as_text=True)
    assert 'lang="so" dir="ltr"' in html and "<textarea" in html
    token, base = csrf(entry), re.search(r'name="base" value="([^"]*)"', html).group(1)
    title = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    done = browser.post(
        f"/review/{so_id}/{keys[0]}",
        data={"csrf_token": token, "action": "confirm", "base": base, "text": title},
    )
    assert done.status_code == 303 and done.headers["Location"].endswith(keys[1])
    # a text missing the link the English has: findings shown, kept as a draft
    path = catalog(catalogs_ready, "so")
    link_key = next(entry_key(NOTICE, e) for e in load(path) if "entire resolution" in e.msgid)
    html = browser.get(f"/review/{so_id}/{link_key}").get_data(as_text=True)
    base = re.search(r'name="base" value="([^"]*)"', html).group(1)
    findings = browser.post(
        f"/review/{so_id}/{link_key}/check", data={"csrf_token": token, "text": "Akhri halkan."}
    ).get_json()["findings"]
    assert any(f["level"] == "error" for f in findings)
    shown = browser.post(
        f"/review/{so_id}/{link_key}",
        data={"csrf_token": token, "action": "confirm", "base": base, "text": "Akhri halkan."},
    )
    assert shown.status_code == 200 and "error:" in shown.get_data(as_text=True)
    msgfmt_check(path)
    entries = {e.msgid: e for e in load(path)}
    first = entries["MPS Board of Education Passes Sanctuary Resolution"]
    assert states.state(first) == "reviewed" and states.reviewer(first)[0] == "Ayaan Warsame"
    linked = next(e for m, e in entries.items() if "entire resolution" in m)
    assert states.state(linked) != "reviewed" and linked.msgstr == "Akhri halkan."


def test_the_dashboard_makes_and_revokes_invitations(catalogs_ready: Path) -> None:
    staff = client(catalogs_ready)
    staff.get(f"/?staff={STAFF}")
    token = csrf(staff.get("/"))
    made = staff.post(
        "/invitations",
        data={"csrf_token": token, "lang": "am", "reviewer": "Amina", "doc": NOTICE, "days": "7"},
    )
    assert made.status_code == 303  # POST, redirect, GET: a reload makes no second one
    shown = staff.get(made.headers["Location"])
    [link] = re.findall(
        r"http://127\.0\.0\.1:8765/invite/([A-Za-z0-9_-]{43})", shown.get_data(as_text=True)
    )
    settings = load_settings(catalogs_ready)
    found = invites.lookup(settings, link)
    assert (found.lang, found.reviewer, found.docs) == ("am", "Amina", (NOTICE,))
    reloaded = staff.get(made.headers["Location"])  # the link is shown once
    assert link not in reloaded.get_data(as_text=True)
    assert len(invites.load(settings)) == 1
    board = staff.get("/").get_data(as_text=True)
    assert link not in board and "Amina: invitation until" in board
    # Revoke asks first: the dashboard's button opens a page that says whose it is
    assert f'href="/invitations/{found.id}/revoke"' in board
    asking = staff.get(f"/invitations/{found.id}/revoke")
    assert asking.status_code == 200 and "Amina" in asking.get_data(as_text=True)
    assert [i.revoked for i in invites.load(settings)] == [""]
    refused = staff.post(
        "/invitations", data={"csrf_token": token, "lang": "xx", "reviewer": "A", "days": "7"}
    )
    assert refused.status_code == 303
    assert (
        staff.post(f"/invitations/{found.id}/revoke", data={"csrf_token": token}).status_code == 303
    )
    assert [i.revoked != "" for i in invites.load(settings)] == [True]


@pytest.mark.parametrize(
    "address",
    [
        "/preview/private/sanctuary-resolution/letter",
        "/preview/es/..%2F..%2Fpyproject/web",
        "/preview/es/sanctuary-resolution/mo",
        "/preview/es/..%2Fprivate%2Fsanctuary-resolution/letter",
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/../../settings.py",
    ],
)
def test_nothing_but_the_builds_previews_is_served(
    catalogs_ready: Path, homelang, address: str
) -> None:
    homelang("build", "--draft", "--format", "web", "--lang", "es", "--doc", NOTICE)
    staff = client(catalogs_ready)
    staff.get(f"/?staff={STAFF}")
    preview = staff.get(f"/preview/es/{NOTICE}/web")
    html = preview.get_data(as_text=True)
    preview.close()
    assert preview.status_code == 200 and "<section" in html
    assert "sandbox" in preview.headers["Content-Security-Policy"]
    assert "script-src" not in preview.headers["Content-Security-Policy"]
    board = staff.get("/").get_data(as_text=True)
    assert f'href="/preview/es/{NOTICE}/web"' in board  # linked where it exists only
    assert f'href="/preview/es/{NOTICE}/letter"' not in board
    assert staff.get(address).status_code == 404


def test_serve_prints_the_staff_address_and_binds_loopback(catalogs_ready: Path) -> None:
    with serving(catalogs_ready) as site:
        assert site.url.startswith("http://127.0.0.1:") and "proxy" not in site.output
        assert f"{site.url}/invite/" in site.output  # the links the dashboard makes
        assert requests.get(site.url + "/", timeout=10).status_code == 403
        staff = requests.Session()
        assert staff.get(site.staff, timeout=10).status_code == 200  # redirected, cookie kept
        assert site.staff.split("?")[1] not in staff.get(site.url + "/", timeout=10).url


def test_serve_on_another_address_says_how_to_put_it_behind_https(catalogs_ready: Path) -> None:
    with serving(catalogs_ready, "--host", "127.0.0.2") as site:
        assert site.url.startswith("http://127.0.0.2:")
        assert "HTTPS proxy" in site.output and "public_url" in site.output


def test_make_all_ends_by_printing_the_serve_command() -> None:
    recipe = (REPO / "Makefile").read_text("utf-8").split("\nall:")[1].split("\n\n")[0]
    last = recipe.strip().splitlines()[-1]
    assert last.startswith("\t@echo") and "$(HL) serve" in last and "http://127.0.0.1:8765/" in last


@pytest.mark.parametrize(
    ("old", "new", "runs"),
    [
        ("Closed at 3 pm.", "Closed at 3 pm.", [("same", "Closed at 3 pm.")]),
        (
            "Closed at 3 pm.",
            "Closed at 2 pm on Friday.",
            [
                ("same", "Closed at "),
                ("removed", "3"),
                ("added", "2"),
                ("same", " "),
                ("removed", "pm."),
                ("added", "pm on Friday."),
            ],
        ),
        ("", "New words", [("added", "New words")]),
        ("Old words", "", [("removed", "Old words")]),
    ],
)
def test_word_diff_spells_the_new_english_with_the_old_words_between(old, new, runs) -> None:
    assert word_diff(old, new) == runs
    assert "".join(text for kind, text in runs if kind != "removed") == new


def test_the_english_shows_what_changed_since_the_translation(catalogs_ready: Path) -> None:
    path = catalog(catalogs_ready, "so")
    po = load(path)
    changed = next(e for e in po if e.msgid.startswith("We are committed"))
    changed.previous_msgid = changed.msgid.replace("safety", "security")
    changed.msgstr = "Waxaan u heellan nahay badbaadada ardaydeenna."
    changed.flags.append("fuzzy")
    po.save(str(path))
    browser, so_id = opened(catalogs_ready, "so")
    html = browser.get(f"/review/{so_id}/{entry_key(NOTICE, changed)}").get_data(as_text=True)
    assert "<del>security</del><ins>safety</ins>" in html
    assert "Waxaan u heellan nahay badbaadada ardaydeenna." in html


def test_plural_entries_get_one_box_per_form(catalogs_ready: Path) -> None:
    path = catalog(catalogs_ready, "so")
    po = load(path)
    plural = polib.POEntry(
        msgid="{count} day left", msgid_plural="{count} days left", msgstr_plural={0: "", 1: ""}
    )
    po.append(plural)
    po.save(str(path))
    browser, so_id = opened(catalogs_ready, "so")
    key = entry_key(NOTICE, plural)
    page = browser.get(f"/review/{so_id}/{key}")
    html = page.get_data(as_text=True)
    assert 'id="text-0"' in html and 'id="text-1"' in html and 'name="text"' not in html
    base = re.search(r'name="base" value="([^"]*)"', html).group(1)
    form = {"csrf_token": csrf(page), "action": "confirm", "base": base, "next": ""}
    form |= {"text-0": "{count} maalin ayaa haray", "text-1": "{count} maalmood ayaa haray"}
    saved = browser.post(f"/review/{so_id}/{key}", data=form)
    assert saved.status_code == 303 and saved.headers["Location"] == f"/review/{so_id}/"
    msgfmt_check(path)
    done = next(e for e in load(path) if e.msgid_plural)
    assert done.msgstr_plural == {0: "{count} maalin ayaa haray", 1: "{count} maalmood ayaa haray"}
    assert states.state(done) == "reviewed"


def test_a_check_without_any_text_is_an_empty_text(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/")
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page.get_data(as_text=True)).group(1)
    answer = browser.post(f"/review/{so_id}/{key}/check", data={"csrf_token": csrf(page)})
    assert answer.status_code == 200 and answer.get_json()["findings"] == []


def test_a_port_in_use_is_one_line(catalogs_ready: Path, homelang) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = homelang("serve", "--port", str(port), expect=2)
    assert "in use" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("trusted", [False, True])
def test_behind_a_trusted_proxy_each_volunteer_has_their_own_limit(
    catalogs_ready: Path, trusted: bool
) -> None:
    args = ("--trusted-proxy", "127.0.0.1") if trusted else ()
    with serving(catalogs_ready, *args) as site:

        def opening(address: str) -> int:
            headers = {"X-Forwarded-For": address}
            guess = f"{site.url}/invite/{'x' * 43}"
            return requests.get(guess, headers=headers, timeout=10).status_code

        assert [opening("203.0.113.7") for _ in range(11)] == [403] * 10 + [429]
        # the header counts only from the proxy named: else anyone could claim any address
        assert opening("198.51.100.2") == (403 if trusted else 429)


def test_slow_connections_do_not_hold_the_site(catalogs_ready: Path) -> None:
    """120 sockets each sending half a request (a slowloris) leave room for a real one."""
    with serving(catalogs_ready, "--host", "127.0.0.2") as site:
        assert "required" in site.output and "HTTPS proxy" in site.output
        host, port = site.url.removeprefix("http://").split(":")
        held = []
        try:
            for _ in range(120):
                slow = socket.create_connection((host, int(port)), timeout=10)
                slow.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                held.append(slow)
            answer = requests.get(f"{site.url}/static/homelang.css", timeout=20)
            assert answer.status_code == 200
        finally:
            for slow in held:
                slow.close()


def test_checks_are_rate_limited_per_invitation(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    other, am_id = opened(catalogs_ready, "am", "Amina")
    keys = {}
    for who, invite_id in ((browser, so_id), (other, am_id)):
        page = who.get(f"/review/{invite_id}/").get_data(as_text=True)
        keys[invite_id] = re.search(rf"/review/{invite_id}/([0-9a-f]{{16}})", page).group(1)
    entry = browser.get(f"/review/{so_id}/{keys[so_id]}")
    html = entry.get_data(as_text=True)
    assert re.search(r'<textarea[^>]* maxlength="\d+"', html)
    token = csrf(entry)
    codes = [
        browser.post(
            f"/review/{so_id}/{keys[so_id]}/check", data={"csrf_token": token, "text": "Haa"}
        ).status_code
        for _ in range(security.CHECKS_PER_MINUTE + 1)
    ]
    assert codes == [200] * security.CHECKS_PER_MINUTE + [429]
    theirs = other.get(f"/review/{am_id}/{keys[am_id]}")
    answer = other.post(
        f"/review/{am_id}/{keys[am_id]}/check", data={"csrf_token": csrf(theirs), "text": "x"}
    )
    assert answer.status_code == 200  # another invitation has its own count


def test_a_damaged_catalog_marks_its_cell_and_the_rest_carries_on(catalogs_ready: Path) -> None:
    damaged = catalog(catalogs_ready, "so", "templates")
    assert damaged.is_file()
    with damaged.open("a", encoding="utf-8") as file:
        file.write("<<<<<<< HEAD\n")
    settings = load_settings(catalogs_ready)
    made, token = invites.create(settings, "so", "Ayaan", (NOTICE,))
    staff = client(catalogs_ready)
    staff.get(f"/?staff={STAFF}")
    page = staff.get("/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "locales/so/LC_MESSAGES/templates.po:" in html and "damaged" in html
    assert html.count("words left") > 1  # every other cell is shown
    made_too = staff.post(
        "/invitations",
        data={"csrf_token": csrf(page), "lang": "so", "reviewer": "Hodan", "days": "7"},
    )
    assert made_too.status_code in (200, 303)
    assert any(i.reviewer == "Hodan" for i in invites.load(settings))
    # a so volunteer whose invitation does not cover the templates' words works on
    volunteer = client(catalogs_ready)
    volunteer.get(f"/invite/{token}")
    listed = volunteer.get(f"/review/{made.id}/")
    assert listed.status_code == 200 and re.search(
        r"\d+ of \d+ left", listed.get_data(as_text=True)
    )


@pytest.mark.parametrize("field", ["text-²", "text-x", "text-123"])
def test_a_strange_plural_field_is_a_400_on_the_apps_page(catalogs_ready: Path, field) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page).group(1)
    entry = browser.get(f"/review/{so_id}/{key}")
    base = re.search(r'name="base" value="([^"]*)"', entry.get_data(as_text=True)).group(1)
    data = {"csrf_token": csrf(entry), "action": "confirm", "base": base, field: "Haa"}
    before = catalog(catalogs_ready, "so").read_bytes()
    for address in (f"/review/{so_id}/{key}", f"/review/{so_id}/{key}/check"):
        answer = browser.post(address, data=data)
        assert answer.status_code == 400
        assert 'class="problem"' in answer.get_data(as_text=True)
    assert catalog(catalogs_ready, "so").read_bytes() == before


def test_a_save_while_a_command_holds_the_lock_shows_the_text_again(
    catalogs_ready: Path, monkeypatch
) -> None:
    monkeypatch.setattr(lock, "SHORT_WAIT", 0.2)  # how long a save waits for the lock
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page).group(1)
    entry = browser.get(f"/review/{so_id}/{key}")
    base = re.search(r'name="base" value="([^"]*)"', entry.get_data(as_text=True)).group(1)
    mine = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    data = {"csrf_token": csrf(entry), "action": "confirm", "base": base, "text": mine}
    before = catalog(catalogs_ready, "so").read_bytes()
    with lock.project_lock(catalogs_ready / ".homelang", "homelang update"):
        answer = browser.post(f"/review/{so_id}/{key}", data=data)
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    html = answer.get_data(as_text=True)
    assert "wuxuu ansixiyay go&#39;aanka magangalyada</textarea>" in html
    assert "Try again" in html and "pid" not in html and "homelang update" not in html
    assert catalog(catalogs_ready, "so").read_bytes() == before
    again = browser.post(f"/review/{so_id}/{key}", data={**data, "csrf_token": csrf(answer)})
    assert again.status_code == 303
    assert mine in catalog(catalogs_ready, "so").read_text("utf-8")


def test_a_public_url_with_a_path_prefixes_every_link(catalogs_ready: Path) -> None:
    settings_file = catalogs_ready / "pyproject.toml"
    settings_file.write_text(
        settings_file.read_text("utf-8")
        + '\n[tool.homelang.serve]\npublic_url = "https://example.org/translate/"\n',
        "utf-8",
    )
    made, token = invites.create(load_settings(catalogs_ready), "so", "Ayaan")
    assert invites.link(load_settings(catalogs_ready), token).startswith(
        "https://example.org/translate/invite/"
    )
    browser = client(catalogs_ready)
    # a proxy that strips the prefix, and one that passes it on
    for opening in (f"/invite/{token}", f"/translate/invite/{token}"):
        answer = browser.get(opening)
        assert answer.headers["Location"] == f"/translate/review/{made.id}/"
    for listing in (f"/review/{made.id}/", f"/translate/review/{made.id}/"):
        page = browser.get(listing)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and 'href="/translate/static/homelang.css"' in html
        assert f'href="/translate/review/{made.id}/' in html
    staff = client(catalogs_ready)  # on the machine itself, no proxy: the printed address
    assert staff.get(f"/?staff={STAFF}").headers["Location"] == "/translate/"
    assert staff.get("/translate/").status_code == 200


def test_review_invite_links_name_the_port_serve_listens_on(catalogs_ready: Path, homelang) -> None:
    with serving(catalogs_ready) as site:  # --port 0: any free port
        printed = homelang("review", "invite", "--lang", "so", "--reviewer", "Ayaan").output
        [address] = re.findall(r"http://\S+/invite/[A-Za-z0-9_-]{43}", printed)
        assert address.startswith(f"{site.url}/invite/")
        assert requests.get(address, allow_redirects=False, timeout=10).status_code == 303
    printed = homelang("review", "invite", "--lang", "so", "--reviewer", "Hodan").output
    assert "http://127.0.0.1:8765/invite/" in printed  # serve stopped: the configured address


def _entry_form(browser: FlaskClient, invite_id: str, key: str) -> dict[str, str]:
    entry = browser.get(f"/review/{invite_id}/{key}")
    base = re.search(r'name="base" value="([^"]*)"', entry.get_data(as_text=True)).group(1)
    return {"csrf_token": csrf(entry), "base": base}


def test_keeping_the_saved_version_settles_the_conflict(catalogs_ready: Path) -> None:
    ayaan, ayaan_id = opened(catalogs_ready, "so", "Ayaan")
    hodan, hodan_id = opened(catalogs_ready, "so", "Hodan")
    page = ayaan.get(f"/review/{ayaan_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{ayaan_id}/([0-9a-f]{{16}})", page).group(1)
    shown = _entry_form(ayaan, ayaan_id, key)
    theirs = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    saved = hodan.post(
        f"/review/{hodan_id}/{key}",
        data={**_entry_form(hodan, hodan_id, key), "action": "confirm", "text": theirs},
    )
    assert saved.status_code == 303
    mine = "Guddiga MPS waxay ansixiyeen go'aanka magangalyada"
    clash = ayaan.post(
        f"/review/{ayaan_id}/{key}", data={**shown, "action": "confirm", "text": mine}
    )
    html = clash.get_data(as_text=True)
    assert clash.status_code == 200 and "Someone saved this entry meanwhile" in html
    conflicts_file = catalogs_ready / "locales" / "so" / "review-conflicts.po"
    [kept] = [e for e in polib.pofile(str(conflicts_file)) if not e.obsolete]
    assert kept.msgstr == mine
    conflict = re.search(r'name="conflict" value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": csrf(clash),
        "base": re.search(r'name="base" value="([^"]*)"', html).group(1),
    }
    before = catalog(catalogs_ready, "so").read_bytes()
    kept_answer = ayaan.post(
        f"/review/{ayaan_id}/{key}", data={**form, "action": "keep", "conflict": conflict}
    )
    assert kept_answer.status_code == 303
    assert catalog(catalogs_ready, "so").read_bytes() == before  # theirs stays
    left = [] if not conflicts_file.exists() else polib.pofile(str(conflicts_file))
    assert [e for e in left if not e.obsolete] == []  # settled: nothing left for staff
    msgfmt_check(catalog(catalogs_ready, "so"))


def test_the_conflict_page_says_when_the_english_changed(catalogs_ready: Path, homelang) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    items = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    keys = re.findall(rf"/review/{so_id}/([0-9a-f]{{16}})", items)
    key = keys[2]
    first = "Guddiga Waxbarashada MPS ayaa ansixiyay"
    done = browser.post(
        f"/review/{so_id}/{key}",
        data={**_entry_form(browser, so_id, key), "action": "draft", "text": first},
    )
    assert done.status_code == 303
    shown = _entry_form(browser, so_id, key)  # a page opened before the English changed
    english = polib.pofile(str(catalog(catalogs_ready, "so")))
    [entry] = [e for e in english if not e.obsolete and entry_key(NOTICE, e) == key]
    source = catalogs_ready / "source/notices/sanctuary-resolution.md"
    words = entry.msgid.split()[:3]
    old = " ".join(words)
    assert old in source.read_text("utf-8")
    source.write_text(source.read_text("utf-8").replace(old, old + " unanimously", 1), "utf-8")
    homelang("extract")
    homelang("update")
    clash = browser.post(
        f"/review/{so_id}/{key}", data={**shown, "action": "confirm", "text": "Guddiga ayaa"}
    )
    html = clash.get_data(as_text=True)
    assert "The English changed since you opened it" in html
    assert "Someone saved this entry meanwhile" not in html


def test_the_session_keeps_the_tokens_digest_never_the_token(catalogs_ready: Path) -> None:
    app = create_app(load_settings(catalogs_ready), STAFF)
    made, token = invites.create(load_settings(catalogs_ready), "so", "Ayaan")
    browser = app.test_client()
    browser.get(f"/invite/{token}")
    cookie = browser.get_cookie("homelang").value
    with app.test_request_context():
        session = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert token not in json.dumps(session)
    assert session["invites"] == {made.id: invites.digest(token)}
    assert browser.get(f"/review/{made.id}/").status_code == 200
    invites.revoke(load_settings(catalogs_ready), (made.id,))
    assert browser.get(f"/review/{made.id}/").status_code == 403  # looked up again: revoked


def test_context_and_notes_carry_the_language_they_are_in(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    entries = [e for e in polib.pofile(str(catalog(catalogs_ready, "so"))) if not e.obsolete]
    first, second = (entry_key(NOTICE, e) for e in entries[:2])
    title = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    done = browser.post(
        f"/review/{so_id}/{first}",
        data={**_entry_form(browser, so_id, first), "action": "confirm", "text": title},
    )
    assert done.status_code == 303
    html = browser.get(f"/review/{so_id}/{second}").get_data(as_text=True)
    before = html.index('<div class="context">')
    context = html[before : html.index("</div>", before)]
    assert '<p lang="so" dir="auto">Guddiga Waxbarashada MPS' in context  # the title, in Somali
    assert re.search(r'<p lang="en" dir="auto">[^<]', context)  # the next one, still English
    assert re.search(r'<p class="here" lang="en" dir="auto">', context)  # not translated yet
    notes = re.findall(r"<li[^>]*>", html[html.index('class="notes"') :])
    assert notes and all('lang="en"' in li for li in notes)


@pytest.mark.parametrize(
    ("note", "parts"),
    [
        (
            "Glossary: 'MPS': keep as is, do not translate",
            ("Glossary: 'MPS': keep as is, do not translate", ""),
        ),
        (
            "Reviewed translation (92% similar, faq): Haa: maya",
            ("Reviewed translation (92% similar, faq): ", "Haa: maya"),
        ),
        (
            "Earlier suggestion, Ayaan 2026-11-30 (online so-ayaan-1a2b3c): Haa",
            ("Earlier suggestion, Ayaan 2026-11-30 (online so-ayaan-1a2b3c): ", "Haa"),
        ),
    ],
)
def test_a_note_is_split_into_english_and_the_translation_it_quotes(note, parts) -> None:
    from pipeline.web.volunteer import note_parts

    assert note_parts(note) == parts


def _first_key(browser: FlaskClient, invite_id: str) -> str:
    page = browser.get(f"/review/{invite_id}/").get_data(as_text=True)
    return re.search(rf"/review/{invite_id}/([0-9a-f]{{16}})", page).group(1)


@pytest.mark.parametrize("rewrite", ["rewritten", "removed"])
def test_text_for_english_rewritten_meanwhile_comes_back_with_a_way_on(
    catalogs_ready: Path, homelang, rewrite
) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    path = catalog(catalogs_ready, "so")
    [paragraph] = [e for e in load(path) if e.msgid.startswith("We are committed")]
    key = entry_key(NOTICE, paragraph)
    shown = _entry_form(browser, so_id, key)  # the page is open while the English goes
    source = catalogs_ready / "source/notices/sanctuary-resolution.md"
    new = "Every family is welcome in our schools, whatever their papers say."
    # the paragraph's lines, up to the blank line after them
    text = source.read_text("utf-8")
    lines = re.search(r"We are committed.*?\n\n", text, re.DOTALL).group(0)
    source.write_text(text.replace(lines, new + "\n\n" if rewrite == "rewritten" else ""), "utf-8")
    homelang("extract")
    homelang("update")
    before = path.read_bytes()
    mine = "Waxaan u heellan nahay <badbaadada> ardaydeenna."
    answer = browser.post(
        f"/review/{so_id}/{key}", data={**shown, "action": "confirm", "text": mine}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Waxaan u heellan nahay &lt;badbaadada&gt; ardaydeenna.</textarea>" in html
    assert 'lang="so"' in html and "rewritten or removed" in html
    assert f'href="/review/{so_id}/"' in html  # on to the entries as they are now
    assert path.read_bytes() == before
    # the live check says so while they type, and the old address links on
    [finding] = browser.post(
        f"/review/{so_id}/{key}/check", data={"csrf_token": shown["csrf_token"], "text": mine}
    ).get_json()["findings"]
    assert finding["level"] == "error" and "rewritten or removed" in finding["message"]
    assert f'href="/review/{so_id}/"' in browser.get(f"/review/{so_id}/{key}").get_data(
        as_text=True
    )


def test_a_stray_line_break_at_the_ends_is_dropped_before_the_save(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    key = _first_key(browser, so_id)
    form = _entry_form(browser, so_id, key)
    title = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    findings = browser.post(
        f"/review/{so_id}/{key}/check",
        data={"csrf_token": form["csrf_token"], "text": title + "\r\n"},
    ).get_json()["findings"]
    assert not any(f["check"] == "shape" for f in findings)
    saved = browser.post(
        f"/review/{so_id}/{key}", data={**form, "action": "confirm", "text": "\n" + title + "\r\n"}
    )
    assert saved.status_code == 303
    path = catalog(catalogs_ready, "so")
    msgfmt_check(path)
    [done] = [e for e in load(path) if entry_key(NOTICE, e) == key]
    assert done.msgstr == title and states.state(done) == "reviewed"


@pytest.mark.parametrize(
    "sent, shown",
    [
        ({"text": "Guddiga\x00 MPS"}, "Guddiga\x00 MPS</textarea>"),
        ({"text-0": "Guddiga MPS"}, 'name="text" lang="so" dir="ltr"'),
    ],
)
def test_a_refused_text_comes_back_on_the_entry_page(catalogs_ready: Path, sent, shown) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    key = _first_key(browser, so_id)
    form = _entry_form(browser, so_id, key)
    before = catalog(catalogs_ready, "so").read_bytes()
    answer = browser.post(f"/review/{so_id}/{key}", data={**form, "action": "confirm", **sent})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert shown in html and "Guddiga" in html and "Not saved" in html
    assert 'value="confirm"' in html and f'href="/review/{so_id}/"' in html
    assert catalog(catalogs_ready, "so").read_bytes() == before
    checked = browser.post(
        f"/review/{so_id}/{key}/check", data={"csrf_token": form["csrf_token"], **sent}
    )
    assert checked.status_code == 200
    assert [f["level"] for f in checked.get_json()["findings"]][:1] == ["error"]


def test_a_draft_over_a_reviewed_entry_says_why_it_was_kept_aside(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    key = _first_key(browser, so_id)
    title = "Guddiga Waxbarashada MPS wuxuu ansixiyay go'aanka magangalyada"
    form = _entry_form(browser, so_id, key)
    assert (
        browser.post(
            f"/review/{so_id}/{key}", data={**form, "action": "confirm", "text": title}
        ).status_code
        == 303
    )
    form = _entry_form(browser, so_id, key)
    answer = browser.post(
        f"/review/{so_id}/{key}", data={**form, "action": "draft", "text": title + " (qabyo)"}
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "A draft does not replace a reviewed translation" in html
    assert "Someone saved this entry meanwhile" not in html
    # a confirmed text the checks find errors in is kept aside too, and says why
    form = _entry_form(browser, so_id, key)
    answer = browser.post(
        f"/review/{so_id}/{key}", data={**form, "action": "confirm", "text": "{name} {{"}
    )
    html = answer.get_data(as_text=True)
    assert "The checks found errors: the reviewed translation stays" in html
    assert "Someone saved this entry meanwhile" not in html and "error:" in html


def test_a_damaged_catalog_leaves_its_document_out_of_the_volunteers_pages(
    catalogs_ready: Path,
) -> None:
    with catalog(catalogs_ready, "so", "templates").open("a", encoding="utf-8") as file:
        file.write("<<<<<<< HEAD\n")
    browser, so_id = opened(catalogs_ready, "so")  # every document, the damaged one too
    listed = browser.get(f"/review/{so_id}/")
    html = listed.get_data(as_text=True)
    assert listed.status_code == 200 and re.search(r"\d+ of \d+ left", html)
    assert "cannot be read just now" in html and "Greetings and labels" in html
    assert "LC_MESSAGES" not in html and "HEAD" not in html  # no path, no parse error
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", html).group(1)
    page = browser.get(f"/review/{so_id}/{key}")  # another document's entry
    assert page.status_code == 200
    checked = browser.post(
        f"/review/{so_id}/{key}/check", data={"csrf_token": csrf(page), "text": "Haa"}
    )
    assert checked.status_code == 200
    form = _entry_form(browser, so_id, key) | {"action": "draft", "text": "Qoraal"}
    assert browser.post(f"/review/{so_id}/{key}", data=form).status_code == 303
    assert 'msgstr "Qoraal"' in catalog(catalogs_ready, "so").read_text(encoding="utf-8")


def test_a_stranger_cannot_use_up_an_invitations_checks(catalogs_ready: Path) -> None:
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page).group(1)
    stranger = client(catalogs_ready)  # no invitation: the id is not secret
    token = csrf(stranger.get("/review/nope/"))
    codes = {
        stranger.post(
            f"/review/{so_id}/{key}/check", data={"text": "x"}, headers={"X-CSRFToken": token}
        ).status_code
        for _ in range(security.CHECKS_PER_MINUTE + 1)
    }
    assert codes == {403}
    entry = browser.get(f"/review/{so_id}/{key}")
    answer = browser.post(f"/review/{so_id}/{key}/check", data={"csrf_token": csrf(entry)})
    assert answer.status_code == 200  # the volunteer's own checks are all theirs


def test_refused_staff_and_invitation_tokens_share_one_limit(catalogs_ready: Path) -> None:
    guesser = client(catalogs_ready)
    codes = [guesser.get(f"/invite/guess{n:040d}").status_code for n in range(5)]
    codes += [guesser.get(f"/?staff=wrong{n}").status_code for n in range(5)]
    assert codes == [403] * 10
    assert guesser.get("/?staff=wrong-again").status_code == 429
    assert guesser.get(f"/invite/guess{99:040d}").status_code == 429
    assert client(catalogs_ready).get(f"/?staff={STAFF}").status_code == 303  # the right one


def test_a_second_serve_on_the_same_project_is_refused(catalogs_ready: Path, homelang) -> None:
    with serving(catalogs_ready) as site:
        second = subprocess.run(  # its own process: it would serve until stopped
            [sys.executable, "-m", "pipeline", "-C", str(catalogs_ready), "serve", "--port", "0"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 2 and second.stdout == ""
        assert "already" in second.stderr and site.url in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
        printed = homelang("review", "invite", "--lang", "so", "--reviewer", "Ayaan").output
        assert f"{site.url}/invite/" in printed  # the first one's note is still there


def test_a_note_left_by_a_killed_serve_is_ignored(catalogs_ready: Path, homelang) -> None:
    dead = subprocess.Popen(["true"])  # a process that has ended: its pid runs nothing
    dead.wait()
    state = catalogs_ready / ".homelang"
    state.mkdir(exist_ok=True)
    (state / invites.SERVING).write_text(f"http://127.0.0.1:1\n{dead.pid}\n", encoding="ascii")
    printed = homelang("review", "invite", "--lang", "so", "--reviewer", "Ayaan").output
    assert "http://127.0.0.1:8765/invite/" in printed  # the configured address
    with serving(catalogs_ready) as site:  # starts over it, and its links name it
        printed = homelang("review", "invite", "--lang", "so", "--reviewer", "Hodan").output
        assert f"{site.url}/invite/" in printed


def test_serve_on_every_address_says_links_need_a_public_url(catalogs_ready: Path) -> None:
    from pipeline.cli.serve import links_warning

    shown = links_warning("0.0.0.0", "http://127.0.0.1:8765", public_url="")
    assert "http://127.0.0.1:8765" in shown and "phone" in shown and "public_url" in shown
    assert links_warning("0.0.0.0", "http://127.0.0.1:8765", "https://t.example.org") == ""
    assert links_warning("127.0.0.1", "http://127.0.0.1:8765", public_url="") == ""
    with serving(catalogs_ready, "--host", "127.0.0.2") as site:  # one machine's address
        [line] = [line for line in site.output.splitlines() if "No public_url" in line]
        assert site.url in line


def test_a_project_problem_shows_volunteers_no_path_and_staff_the_line(
    catalogs_ready: Path,
) -> None:
    (catalogs_ready / "glossary.csv").write_bytes(b"\xff\xfe not text")
    browser, so_id = opened(catalogs_ready, "so")
    listed = browser.get(f"/review/{so_id}/")
    html = listed.get_data(as_text=True)
    assert listed.status_code == 500 and "glossary.csv" not in html and "UTF-8" not in html
    assert "cannot be read just now" in html
    coordinator = client(catalogs_ready)
    assert coordinator.get(f"/?staff={STAFF}").status_code == 303
    made, token = invites.create(load_settings(catalogs_ready), "so", "Staff")
    coordinator.get(f"/invite/{token}")
    assert "glossary.csv:" in coordinator.get(f"/review/{made.id}/").get_data(as_text=True)


def test_keeping_the_saved_version_while_the_catalogs_are_held_is_busy_not_refused(
    catalogs_ready: Path, monkeypatch
) -> None:
    """A held lock is "busy" (503, try again), never "Not allowed" (403)."""
    monkeypatch.setattr(lock, "SHORT_WAIT", 0.2)
    browser, so_id = opened(catalogs_ready, "so")
    page = browser.get(f"/review/{so_id}/").get_data(as_text=True)
    key = re.search(rf"/review/{so_id}/([0-9a-f]{{16}})", page).group(1)
    entry = browser.get(f"/review/{so_id}/{key}")
    data = {"csrf_token": csrf(entry), "action": "keep", "conflict": "0123abcd"}
    with lock.project_lock(catalogs_ready / ".homelang", "homelang update"):
        answer = browser.post(f"/review/{so_id}/{key}", data=data)
    assert answer.status_code == 503 and "homelang update" not in answer.get_data(as_text=True)
