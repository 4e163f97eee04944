"""Benchmark `homelang serve` under load: 50 reviewers saving at once, and no edit lost.

A generated project (one document of 50 x 8 short entries, machine drafted in Spanish
and Somali) is served by a real `homelang serve` (waitress, its own process) on
loopback. 50 simulated reviewers, each with their own invitation and eight entries of
their own, open their link (a cookie, a CSRF token), then confirm a new text for one of
their entries, wait 2 to 6 s (a fast reviewer: reading and typing take longer) and go on, for SECONDS
(60; `BENCH_SERVE_SECONDS` shortens it). Each save's latency is measured from request
to answer. Afterwards every entry must hold the last text its reviewer confirmed,
reviewed and credited: an edit whose 303 came back but is not on disk is lost.
Each save is posted from the entry's page as a browser shows it (its CSRF token and the
fingerprint of the entry shown). Printed: saves, busy answers (503, retried), lost
edits, p50 and p95 save latency, and the ratio of p50 to the baseline measured in the
same run: one save made in-process through ``pipeline.online.save``, nobody else saving.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import polib
import requests

from pipeline import catalogs, invites, languages, online, states
from pipeline.assignments import entry_key
from pipeline.settings import load

REVIEWERS = 50
PER_REVIEWER = 8
LANGS = ("es", "so")
SECONDS = float(os.environ.get("BENCH_SERVE_SECONDS", "60"))
PAUSE = (2.0, 6.0)  # seconds between one reviewer's saves: a fast typist's pace
DOC = "bench"
STAFF = re.compile(r"(http://127\.0\.0\.1:\d+)/\?staff=")
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
BASE = re.compile(r'name="base" value="([0-9a-f]*)"')


def make_project(root: Path) -> None:
    """Settings, a template, and machine-drafted catalogs in each language."""
    (root / "source").mkdir(parents=True)
    (root / "homelang.toml").write_text(f"languages = {list(LANGS)!r}\n".replace("'", '"'), "utf-8")
    english = [f"Notice line {n} for families." for n in range(REVIEWERS * PER_REVIEWER)]
    template = catalogs.new_template(DOC)
    for msgid in english:
        template.append(polib.POEntry(msgid=msgid))
    (root / "locales").mkdir()
    (root / "locales" / f"{DOC}.pot").write_bytes(catalogs.render(template))
    for lang in LANGS:
        po = polib.POFile(wrapwidth=0)
        po.metadata = catalogs.catalog_headers(template, languages.get(lang), None)
        for n, msgid in enumerate(english):
            entry = polib.POEntry(msgid=msgid, msgstr=f"Sadar {n} ogeysiis.", flags=["fuzzy"])
            states.mark_machine(entry, "google", "2026-11-28")
            po.append(entry)
        folder = root / "locales" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / f"{DOC}.po").write_bytes(catalogs.render(po))


class Reviewer(threading.Thread):
    """One volunteer: opens their link, then confirms their entries in turn until the end."""

    def __init__(self, site: str, number: int, token: str, invite: invites.Invite, keys, end):
        super().__init__(daemon=True)
        self.site, self.number, self.token, self.invite = site, number, token, invite
        self.keys = [key for key, _ in keys]
        self.end = end
        self.latencies: list[float] = []
        self.busy = 0
        self.saved = 0
        self.confirmed: dict[str, str] = {}  # key -> the last text the server said it saved
        self.failures: list[str] = []

    def run(self) -> None:
        session = requests.Session()
        session.get(f"{self.site}/invite/{self.token}", timeout=30)
        keys, n = self.keys, 0
        time.sleep(random.uniform(*PAUSE))  # reviewers do not all press Confirm at once
        while time.monotonic() < self.end:
            key = keys[n % len(keys)]
            address = f"{self.site}/review/{self.invite.id}/{key}"
            page = session.get(address, timeout=60).text  # as a browser shows it first
            text = f"Qoraal {self.number} tiro {n} oo cusub."
            start = time.monotonic()
            answer = session.post(
                address,
                data={
                    "csrf_token": CSRF.search(page).group(1),
                    "action": "confirm",
                    "base": BASE.search(page).group(1),
                    "text": text,
                },
                allow_redirects=False,
                timeout=60,
            )
            self.latencies.append(time.monotonic() - start)
            if answer.status_code == 303:
                self.confirmed[key] = text
                self.saved += 1
                n += 1
            elif answer.status_code == 503:
                self.busy += 1
            else:
                self.failures.append(f"{answer.status_code}: {answer.text[:200]}")
                return
            time.sleep(random.uniform(*PAUSE))


def in_process(root: Path, count: int = 40) -> float:
    """The baseline: median seconds of one save through pipeline.online.save, no HTTP."""
    settings = load(root)
    invite, _ = invites.create(settings, LANGS[0], "Baseline")
    items = online.queue(settings, invite)[:count]
    times = []
    for n, item in enumerate(items):
        start = time.monotonic()
        result = online.save(settings, invite, item.key, item.base, f"Qoraal {n} cusub.", True)
        times.append(time.monotonic() - start)
        assert result.outcome == "reviewed", result
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        make_project(root)
        settings = load(root)
        catalog = polib.pofile(str(settings.catalog_path(LANGS[0], DOC)))
        keyed = [(entry_key(DOC, e), e.msgstr) for e in catalog]
        server = subprocess.Popen(
            [sys.executable, "-m", "pipeline", "-C", str(root), "serve", "--port", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # waitress' "Task queue depth" warnings
            text=True,
        )
        try:
            site = next(m.group(1) for line in server.stdout if (m := STAFF.search(line)))
            end = time.monotonic() + SECONDS
            reviewers = []
            for number in range(REVIEWERS):
                lang = LANGS[number % len(LANGS)]
                invite, token = invites.create(settings, lang, f"Reviewer {number}")
                mine = keyed[number * PER_REVIEWER : (number + 1) * PER_REVIEWER]
                reviewers.append(Reviewer(site, number, token, invite, mine, end))
            for reviewer in reviewers:
                reviewer.start()
            for reviewer in reviewers:
                reviewer.join()
        finally:
            server.terminate()
            server.wait(30)
        lost = 0
        for lang in LANGS:
            on_disk = {
                entry_key(DOC, e): e for e in polib.pofile(str(settings.catalog_path(lang, DOC)))
            }
            for reviewer in reviewers:
                if reviewer.invite.lang != lang:
                    continue
                for key, text in reviewer.confirmed.items():
                    entry = on_disk[key]
                    credit = states.reviewer(entry)
                    if entry.msgstr != text or not credit or credit[0] != reviewer.invite.reviewer:
                        lost += 1
        baseline = in_process(root)
    latencies = sorted(t for r in reviewers for t in r.latencies)
    failures = [f for r in reviewers for f in r.failures]
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000
    print(f"{REVIEWERS} reviewers, {SECONDS:.0f} s on loopback, {os.cpu_count()} CPUs")
    saved = sum(r.saved for r in reviewers)
    print(f"saves confirmed: {saved} ({saved / SECONDS:.1f} a second; {len(latencies)} requests)")
    print(
        f"busy answers (503, retried): {sum(r.busy for r in reviewers)}; failures: {len(failures)}"
    )
    print(f"lost edits: {lost}")
    print(
        f"save latency: p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95:.0f} ms "
        "(goal: p95 under 200 ms)"
    )
    print(
        f"baseline, one save in-process (pipeline.online.save, no HTTP, no other saver): "
        f"{baseline * 1000:.1f} ms; p50 over HTTP under load / baseline: "
        f"{statistics.median(latencies) / baseline:.1f}x"
    )
    print(f"load average afterwards: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    for failure in failures[:5]:
        print("  failed:", failure)
    if lost or failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
