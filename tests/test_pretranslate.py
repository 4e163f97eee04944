"""``homelang pretranslate`` end to end: the real LibreTranslator client against our loopback server."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import libre_server
import polib
import pytest
from conftest import all_catalogs, load, msgfmt_check
from libre_server import LibreServer

from pipeline import markup, states

libre = libre_server.libre  # the loopback server fixture

KEPT = ("link_target", "autolink", "url", "email", "phone", "placeholder", "code", "html_tag")
LIBRE_LANGS = (
    "es",
    "ar",
    "vi",
)  # the sample languages deep-translator's Libre client has routes for


def configure_libre(root: Path, url: str, **options: object) -> None:
    """Point the copied project at the loopback server, with short retries for tests."""
    values = {"url": url, "backoff": 0.01, "timeout": 5.0, **options}
    lines = "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items())
    with (root / "pyproject.toml").open("a", encoding="utf-8") as f:
        f.write(f"\n[tool.homelang.providers.libre]\n{lines}")


def per_language(root: Path) -> int:
    """Entries of one language's catalogs (every language has the same)."""
    return sum(len(entries(p)) for p in root.glob("locales/es/LC_MESSAGES/*.po"))


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in all_catalogs(root)}


def entries(path: Path) -> list[polib.POEntry]:
    return [e for e in load(path) if not e.obsolete]


def run_json(homelang, *args: str, expect: int = 0) -> dict:
    result = homelang("pretranslate", "--json", *args, expect=expect)
    return json.loads(result.stdout)


def test_pseudo_fills_every_empty_entry_offline_with_links_and_placeholders_intact(
    catalogs_ready: Path, homelang
) -> None:
    result = homelang("pretranslate", "--provider", "pseudo")
    assert f"{len(all_catalogs(catalogs_ready))} catalogs changed" in result.output
    for path in all_catalogs(catalogs_ready):
        msgfmt_check(path)
        for entry in entries(path):
            assert states.state(entry) == "machine" and states.machine_provider(entry) == "pseudo"
            assert markup.inventory(entry.msgstr, KEPT) == markup.inventory(entry.msgid, KEPT), (
                entry.msgid
            )
            assert entry.msgid.count("MPS") == entry.msgstr.count("MPS")  # a glossary keep-term
    # GNU msgcat (what msgmerge and Poedit also do) keeps the machine mark and the fuzzy flag
    path = catalogs_ready / "locales/am/LC_MESSAGES/sanctuary-resolution.po"
    copied = subprocess.run(
        ["msgcat", str(path)], capture_output=True, text=True, check=True
    ).stdout
    roundtrip = polib.pofile(copied)
    assert all(states.state(e) == "machine" for e in roundtrip)
    assert [states.machine_provider(e) for e in roundtrip] == ["pseudo"] * len(roundtrip)
    before = snapshot(catalogs_ready)
    assert "0 catalogs changed" in homelang("pretranslate", "--provider", "pseudo").output
    assert snapshot(catalogs_ready) == before


def test_libre_drafts_are_marked_and_a_second_run_sends_nothing(
    catalogs_ready: Path, homelang, libre: LibreServer
) -> None:
    configure_libre(catalogs_ready, libre.url)
    n = per_language(catalogs_ready)
    first = run_json(homelang, "--provider", "libre")
    sent = {s["lang"]: s for s in first["languages"]}
    requests_made = len(libre.translations)
    assert requests_made == sum(s["requests"] for s in sent.values()) and requests_made < 3 * n
    assert {r.target for r in libre.translations} == set(LIBRE_LANGS)
    assert sent["so"]["skipped"] == n and "no route" in sent["so"]["notes"][0]
    for path in all_catalogs(catalogs_ready):
        msgfmt_check(path)
        lang = path.parts[-3]
        for entry in entries(path):
            if lang not in LIBRE_LANGS:
                assert entry.msgstr == ""
                continue
            assert states.machine_provider(entry) == "libre" and "fuzzy" in entry.flags
            assert entry.msgstr.startswith(f"{lang}: ") and "⟦" not in entry.msgstr
            assert markup.inventory(entry.msgstr, KEPT) == markup.inventory(entry.msgid, KEPT)
    faq_es = entries(catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution-faq.po")
    assert any(
        "Oficina del Consejo General" in e.msgstr for e in faq_es
    )  # the glossary's required name
    assert not any("MPS" in r.q for r in libre.translations)
    assert not any(
        "Office of General Counsel" in r.q for r in libre.translations if r.target == "es"
    )

    run_json(homelang, "--provider", "libre")
    assert len(libre.translations) == requests_made  # nothing left to send

    for path in catalogs_ready.glob("locales/*/LC_MESSAGES/*.po"):
        path.unlink()
    homelang("update")
    again = run_json(homelang, "--provider", "libre", "-l", "es")
    assert len(libre.translations) == requests_made  # every draft came from the cache
    assert again["languages"][0]["from_cache"] == n and again["languages"][0]["sent"] == 0


def test_reviewed_translations_are_reused_from_memory_before_sending(
    catalogs_ready: Path, homelang, libre: LibreServer
) -> None:
    paragraph = (
        "We are committed to the safety and emotional well-being of our students and will "
        "continue to provide a safe and welcoming learning environment for all."
    )
    (catalogs_ready / "source/notices/repeat.md").write_text(
        f"---\nid: repeat\nkind: notice\ntitle: A second notice\ndate: 2017-01-20\n---\n\n{paragraph}\n",
        encoding="utf-8",
    )
    homelang("extract")
    homelang("update", "-l", "es")
    notice = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    catalog = load(notice)
    catalog.find(paragraph).msgstr = "Nos comprometemos con la seguridad de nuestros estudiantes."
    states.mark_reviewed(catalog.find(paragraph), "Amina", "2026-11-30")
    catalog.save(str(notice))
    configure_libre(catalogs_ready, libre.url)
    summary = run_json(homelang, "--provider", "libre", "-l", "es", "-d", "repeat")["languages"][0]
    assert summary["from_memory"] == 1 and summary["sent"] == 1  # the title still went out
    repeated = load(catalogs_ready / "locales/es/LC_MESSAGES/repeat.po").find(paragraph)
    assert repeated.msgstr == "Nos comprometemos con la seguridad de nuestros estudiantes."
    assert states.machine_provider(repeated) == "memory" and "fuzzy" in repeated.flags
    assert not any("committed" in r.q for r in libre.translations)


def test_a_persons_translation_is_never_overwritten(
    catalogs_ready: Path, homelang, libre: LibreServer
) -> None:
    path = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution-faq.po"
    catalog = load(path)
    work = [e for e in catalog if not e.obsolete]
    work[1].msgstr = "Traducción revisada por una persona."
    work[2].msgstr = "Borrador de una persona, aún difuso."
    work[2].flags.append("fuzzy")
    catalog.save(str(path))
    late = work[3].msgid

    def person_saves_meanwhile(fields: dict) -> None:  # Poedit saving while the request is out
        on_disk = load(path)
        if not on_disk.find(late).msgstr:
            on_disk.find(late).msgstr = "Guardado por una persona durante la traducción."
            on_disk.save(str(path))

    libre.behavior.on_request = person_saves_meanwhile
    configure_libre(catalogs_ready, libre.url)
    result = homelang("pretranslate", "--provider", "libre", "-l", "es")
    assert "1 drafts not written: a person filled those entries meanwhile" in result.output
    after = {e.msgid: e for e in entries(path)}
    assert (
        after[work[1].msgid].msgstr == "Traducción revisada por una persona."
        and not after[work[1].msgid].flags
    )
    assert after[work[2].msgid].msgstr == "Borrador de una persona, aún difuso."
    assert states.machine_provider(after[work[2].msgid]) is None
    assert after[late].msgstr == "Guardado por una persona durante la traducción."
    assert sum(states.machine_provider(e) == "libre" for e in after.values()) == len(after) - 3
    msgfmt_check(path)


def test_max_chars_caps_what_is_sent(catalogs_ready: Path, homelang, libre: LibreServer) -> None:
    configure_libre(catalogs_ready, libre.url)
    summaries = run_json(homelang, "--provider", "libre", "--max-chars", "1500")["languages"]
    assert 0 < libre.chars <= 1500 + 2 * len(libre.translations) * 20  # texts plus blank-line joins
    assert sum(len(r.q.replace("\n\n", "")) for r in libre.translations) <= 1500
    assert sum(s["chars"] for s in summaries) <= 1500
    assert any("budget of 1500 characters reached" in n for s in summaries for n in s["notes"])


def test_dry_run_shows_the_cost_and_sends_and_writes_nothing(
    catalogs_ready: Path, homelang, libre: LibreServer
) -> None:
    configure_libre(catalogs_ready, libre.url, price_per_million_chars=20.0)
    before = snapshot(catalogs_ready)
    result = homelang("pretranslate", "--provider", "libre", "--dry-run")
    rows = {line.split()[0]: line.split() for line in result.output.splitlines()[1:4]}
    assert rows["es"][1] == "libre" and rows["es"][5] == str(per_language(catalogs_ready))
    chars = int(rows["es"][9].replace(",", ""))
    assert float(rows["es"][10]) == pytest.approx(round(chars * 20 / 1e6, 2))
    assert libre.log == [] and snapshot(catalogs_ready) == before
    assert not (catalogs_ready / ".homelang/cache.sqlite").exists()


@pytest.mark.parametrize(
    ("behavior", "message"),
    [
        ({"always_status": 500}, "server error (500)"),
        ({"always_status": 429}, "rate limiting us"),
        ({"garbage": True}, "not a translation"),
        ({"hang": True}, "did not answer within 0.3 s"),
    ],
)
def test_provider_failures_are_reported_and_nothing_is_written(
    catalogs_ready: Path, homelang, libre: LibreServer, behavior: dict, message: str
) -> None:
    for key, value in behavior.items():
        setattr(libre.behavior, key, value)
    configure_libre(catalogs_ready, libre.url, retries=1, timeout=0.3)
    before = snapshot(catalogs_ready)
    result = homelang("pretranslate", "--provider", "libre", expect=1)
    for lang in LIBRE_LANGS:
        assert f"{lang}: libre:" in result.output and message in result.output
    assert snapshot(catalogs_ready) == before


@pytest.mark.parametrize("damage", ["drop_tokens", "alter_tokens"])
def test_broken_tokens_reject_the_entry_and_keep_the_rest(
    catalogs_ready: Path, homelang, libre: LibreServer, damage: str
) -> None:
    setattr(libre.behavior, damage, True)
    configure_libre(catalogs_ready, libre.url)
    summary = run_json(homelang, "--provider", "libre", "-l", "es", expect=1)["languages"][0]
    assert 1 <= summary["failed"] <= summary["requests"]  # one token damaged per request
    assert summary["sent"] + summary["failed"] == per_language(catalogs_ready)
    assert "broken tokens rejected" in summary["errors"][0]
    for path in catalogs_ready.glob("locales/es/LC_MESSAGES/*.po"):
        msgfmt_check(path)
        for entry in entries(path):
            if entry.msgstr:
                assert markup.inventory(entry.msgstr, KEPT) == markup.inventory(entry.msgid, KEPT)
    empty = [
        e
        for p in catalogs_ready.glob("locales/es/LC_MESSAGES/*.po")
        for e in entries(p)
        if not e.msgstr
    ]
    assert len(empty) == summary["failed"]
    assert all(
        markup.spans(e.msgid) or "MPS" in e.msgid or "Minneapolis Public Schools" in e.msgid
        for e in empty
    )


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_unreachable_server_fails_fast_one_line_per_language(
    catalogs_ready: Path, homelang
) -> None:
    configure_libre(catalogs_ready, closed_port_url())
    before = snapshot(catalogs_ready)
    result = homelang("pretranslate", "--provider", "libre", expect=1)
    lines = [line for line in result.output.splitlines() if "cannot reach" in line]
    assert sorted(line.split(":")[0] for line in lines) == sorted(LIBRE_LANGS)
    assert snapshot(catalogs_ready) == before


def test_offline_google_fails_fast_and_damages_nothing(
    catalogs_ready: Path, homelang, monkeypatch
) -> None:
    # "Offline" without touching the network: every request must go through a proxy nobody runs.
    monkeypatch.setenv("HTTPS_PROXY", closed_port_url())
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    before = snapshot(catalogs_ready)
    result = homelang("pretranslate", "-l", "es", "-l", "am", "-l", "kar", expect=1)
    assert "es: google: cannot reach https://translate.google.com:443" in result.output
    assert "am: google: cannot reach https://translate.google.com:443" in result.output
    assert "kar: no provider configured" in result.output
    assert snapshot(catalogs_ready) == before


def test_the_api_key_is_sent_but_never_written(
    catalogs_ready: Path, homelang, libre: LibreServer, monkeypatch
) -> None:
    monkeypatch.setenv("HOMELANG_LIBRE_API_KEY", "sekrit-key-123")
    monkeypatch.setenv("HOMELANG_LIBRE_URL", libre.url)
    result = homelang("pretranslate", "--provider", "libre", "-l", "es")
    assert {r.api_key for r in libre.translations} == {"sekrit-key-123"}
    assert "sekrit" not in result.output
    for path in catalogs_ready.rglob("*"):
        if path.is_file():
            assert b"sekrit" not in path.read_bytes(), path


def start_slow_run(root: Path, libre: LibreServer) -> subprocess.Popen:
    """A real ``homelang pretranslate`` process, one small request at a time, that takes
    Ctrl-C as a terminal's run does: a suite started in the background (``make test &``)
    passes its children SIGINT ignored, and the run would finish regardless."""
    libre.behavior.latency = 0.15
    configure_libre(root, libre.url, max_chars_per_request=300)
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeline",
            "-C",
            str(root),
            "pretranslate",
            "--provider",
            "libre",
            "--workers",
            "1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def machine_entries(root: Path) -> dict[str, str]:
    return {
        f"{p}:{e.msgid}": e.msgstr
        for p in all_catalogs(root)
        for e in entries(p)
        if states.machine_provider(e)
    }


def wait_for_checkpoint(root: Path, proc: subprocess.Popen) -> dict[str, str]:
    for _ in range(600):
        found = machine_entries(root)
        if found or proc.poll() is not None:
            return found
        time.sleep(0.02)
    return {}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_killed_run_leaves_valid_catalogs_that_keep_finished_entries(
    catalogs_ready: Path, libre: LibreServer, homelang, sig: int
) -> None:
    proc = start_slow_run(catalogs_ready, libre)
    seen = wait_for_checkpoint(catalogs_ready, proc)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert seen and proc.returncode != 0
    for path in all_catalogs(catalogs_ready):
        msgfmt_check(path)
    kept = machine_entries(catalogs_ready)
    assert seen.items() <= kept.items()
    total = len(kept)
    sent_before = len(libre.translations)
    summaries = run_json(homelang, "--provider", "libre")["languages"]
    if sig != signal.SIGKILL:  # Ctrl-C and SIGTERM write every finished entry before exiting
        assert sum(s["from_cache"] for s in summaries) == 0
    assert len(machine_entries(catalogs_ready)) == 3 * per_language(catalogs_ready) > total
    resent = {(r.target, r.q) for r in libre.translations[sent_before:]} & {
        (r.target, r.q) for r in libre.translations[:sent_before]
    }
    assert len(resent) <= 1  # at most the request in flight when the run died


def test_pseudo_text_is_a_preview_only(catalogs_ready: Path, homelang, libre) -> None:
    """Pseudo drafts show in --draft builds, are never published or handed to people,
    and a real provider replaces them."""
    homelang("pretranslate", "--provider", "pseudo", "--lang", "es")
    es = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    assert all(states.is_pseudo(e) for e in load(es))
    homelang("build", "--lang", "es", "--doc", "sanctuary-resolution", "--format", "web", "--draft")
    page = (catalogs_ready / "build/es/sanctuary-resolution.web.html").read_text("utf-8")
    assert "«" in page
    packet = catalogs_ready / "packet.po"
    homelang("review", "export", "--lang", "es", "--doc", "sanctuary-resolution", "-o", str(packet))
    assert all(e.msgstr == "" for e in load(packet))
    homelang("review", "release", load(packet).metadata["X-Homelang-Packet"])
    configure_libre(catalogs_ready, libre.url)
    homelang("pretranslate", "--provider", "libre", "--lang", "es", "--doc", "sanctuary-resolution")
    assert all(states.machine_provider(e) == "libre" for e in load(es))


def test_a_persons_text_under_a_leftover_pseudo_mark_is_kept(
    catalogs_ready: Path, homelang, libre
) -> None:
    """Found by a fresh-eyed tester: text typed over a pseudo draft in a text editor,
    its fuzzy flag and ``# machine: pseudo`` comment left in place, was blanked in
    packets and replaced by the next real pretranslate."""
    homelang("pretranslate", "--provider", "pseudo", "--lang", "es")
    es = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    catalog = load(es)
    typed, inside = catalog[1], catalog[2]
    typed.msgstr = "Estamos comprometidos con la seguridad de nuestros estudiantes."
    inside.msgstr = inside.msgstr.replace(inside.msgstr[1:6], "Junta escolar", 1)
    catalog.save(str(es))
    mine = {typed.msgid: typed.msgstr, inside.msgid: inside.msgstr}
    assert not any(states.is_pseudo(e) for e in load(es) if e.msgid in mine)
    packet = catalogs_ready / "packet.po"
    homelang("review", "export", "--lang", "es", "--doc", "sanctuary-resolution", "-o", str(packet))
    assert {e.msgid: e.msgstr for e in load(packet) if e.msgid in mine} == mine
    homelang("review", "release", load(packet).metadata["X-Homelang-Packet"])
    configure_libre(catalogs_ready, libre.url)
    homelang("pretranslate", "--provider", "libre", "--lang", "es", "--doc", "sanctuary-resolution")
    assert {e.msgid: e.msgstr for e in load(es) if e.msgid in mine} == mine
    assert sum(states.machine_provider(e) == "libre" for e in load(es)) == len(load(es)) - 2


def test_entries_out_in_a_packet_are_left_to_their_reviewer(
    catalogs_ready: Path, homelang, libre
) -> None:
    """Found by a fresh-eyed tester: a real pretranslate over the pseudo drafts of a packet
    that was out made every returned translation a conflict ("changed meanwhile")."""
    homelang("pretranslate", "--provider", "pseudo", "--lang", "es")
    packet = catalogs_ready / "packet.po"
    homelang("review", "export", "--lang", "es", "--doc", "sanctuary-resolution", "-o", str(packet))
    configure_libre(catalogs_ready, libre.url)
    done = homelang("pretranslate", "--provider", "libre", "--lang", "es", "--json")
    assert "left to their reviewers" in done.output, done.output
    returned = load(packet)
    for entry in returned:
        if entry.msgid and not entry.msgctxt.startswith("homelang:"):
            entry.msgstr = f"Revisado: {entry.msgid}"
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    returned.save(str(packet))
    result = homelang("review", "import", str(packet), expect=None)
    assert " 0 conflict," in result.output, result.output
    es = catalogs_ready / "locales/es/LC_MESSAGES/sanctuary-resolution.po"
    assert all(e.msgstr.startswith("Revisado: ") for e in load(es))
