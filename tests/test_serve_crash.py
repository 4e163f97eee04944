"""SIGKILL of ``homelang serve`` while a volunteer saves: every catalog stays valid, and
every save the server answered is on disk (one not answered is there whole or not at all).
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests
from conftest import all_catalogs, load, msgfmt_check
from serving import STAFF

from pipeline import invites, online
from pipeline.settings import load as load_settings

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def trial(project: Path, rng: random.Random, round_: int) -> tuple[int, int]:
    """One server, killed after a random moment; (saves answered, saves cut off)."""
    settings = load_settings(project)
    invite, token = invites.create(settings, "so", f"Ayaan {round_}")
    items = online.queue(settings, invite)
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-C", str(project), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    site = next(m.group(1) for line in server.stdout if (m := STAFF.search(line)))
    session = requests.Session()
    page = session.get(f"{site}/invite/{token}", timeout=30)
    csrf = CSRF.search(page.text).group(1)
    killer = threading.Timer(rng.uniform(0.2, 2.0), server.send_signal, (signal.SIGKILL,))
    killer.start()
    answered, cut = {}, {}
    try:
        for n in range(len(items) * 100):  # far more than 2 s of saves: the kill lands first
            item = items[n % len(items)]
            text = f"Qoraal {round_} {n} oo la hubiyay."
            try:
                answer = session.post(
                    f"{site}/review/{invite.id}/{item.key}",
                    data={"csrf_token": csrf, "action": "confirm", "base": item.base, "text": text},
                    allow_redirects=False,
                    timeout=30,
                )
            except requests.RequestException:  # refused, or cut in the middle of the answer
                cut[item.key] = (answered.get(item.key, item.text), text)
                break
            assert answer.status_code in (200, 303), answer.text[:300]
            answered[item.key] = text
            items[n % len(items)] = online.item(settings, invite, item.key)
    finally:
        killer.join()
        server.communicate(timeout=30)
    texts = {key: i.text for i in online.queue(settings, invite) for key in [i.key]}
    for path in all_catalogs(project):
        msgfmt_check(path)
        load(path)
    for key, text in answered.items():
        if key not in cut:
            assert texts[key] == text, f"answered save lost: {key}"
    for key, (before, after) in cut.items():
        assert texts[key] in (before, after), f"half a save: {key}"
    return len(answered), len(cut)


def trials(project: Path, count: int, figures: dict) -> None:
    rng = random.Random(20261201)
    totals = [trial(project, rng, n) for n in range(count)]
    assert sum(a for a, _ in totals) > 0
    assert [c for _, c in totals] == [1] * count  # every server was killed while saving
    figures["serve SIGKILL trials"] = figures.get("serve SIGKILL trials", 0) + count
    figures["serve saves answered"] = figures.get("serve saves answered", 0) + sum(
        a for a, _ in totals
    )


def test_serve_killed_mid_save_fast(catalogs_ready: Path, figures: dict) -> None:
    trials(catalogs_ready, 2, figures)


@pytest.mark.slow
def test_serve_killed_mid_save_long(catalogs_ready: Path, figures: dict) -> None:
    trials(catalogs_ready, 15, figures)
