"""Benchmark `homelang serve`: 50 volunteers saving at once on loopback, for 60 seconds.

A generated document of 400 short entries, machine drafted in five languages (three
Latin-script, Arabic, Amharic). Ten reviewers per language, each with an invitation
from `homelang review invite` and forty entries of their own, open their link in a
real HTTP client (requests, with the session cookie and CSRF token a browser keeps)
and loop: load an entry's page, think (0.5-1.5 s: a volunteer really takes a minute),
confirm a new text. The server is `homelang serve` in its own process, as staff run it.

Printed: saves, errors, edits lost (the last text each reviewer confirmed for each
entry, looked up in the catalogs afterwards: must be 0), save latency median / p95 /
p99, and the ratio against the baseline measured in the same run: the same save made
in-process through `pipeline.online.save` (no HTTP, no Flask), one at a time. A second,
shorter phase drops the think time (saturation) and prints the throughput.
"""

from __future__ import annotations

import json
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
from pipeline.settings import load

HOMELANG = [sys.executable, "-m", "pipeline"]
DOC = "bench"
ENTRIES = 400
LANGS = {"es": "Aviso", "so": "Ogeysiis", "vi": "Thông báo", "ar": "إشعار", "am": "ማስታወቂያ"}
#: Revision numbers written as letters of the language's script: a digit in a
#: translation that is not in the English is a check error.
LETTERS = {"ar": "ابتثجحخدذر", "am": "ሀለሐመሠረሰቀበተ"}
PER_LANG = 10
SECONDS, SATURATION_SECONDS = 60, 15
THINK = (0.5, 1.5)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
BASE = re.compile(r'name="base" value="([0-9a-f]*)"')


def make_project(root: Path) -> None:
    (root / "source").mkdir(parents=True)
    (root / "homelang.toml").write_text(f"languages = {json.dumps(list(LANGS))}\n", "utf-8")
    template = catalogs.new_template(DOC)
    for n in range(ENTRIES):
        template.append(polib.POEntry(msgid=f"Notice line {n} for families."))
    (root / "locales").mkdir()
    (root / "locales" / f"{DOC}.pot").write_bytes(catalogs.render(template))
    for lang, word in LANGS.items():
        po = polib.POFile(wrapwidth=0)
        po.metadata = catalogs.catalog_headers(template, languages.get(lang), None)
        for n in range(ENTRIES):
            entry = polib.POEntry(msgid=f"Notice line {n} for families.", msgstr=f"{word} {n}.")
            states.mark_machine(entry, "google", "2026-11-28")
            po.append(entry)
        folder = root / "locales" / lang / "LC_MESSAGES"
        folder.mkdir(parents=True)
        (folder / f"{DOC}.po").write_bytes(catalogs.render(po))


def revision(lang: str, number: int) -> str:
    digits = LETTERS.get(lang, "abcdefghij")
    return "".join(digits[int(d)] for d in str(number))


def text_for(lang: str, n: int, reviewer: int, number: int) -> str:
    return f"{LANGS[lang]} {n} {revision(lang, reviewer)} {revision(lang, number)}."


def start_server(root: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [*HOMELANG, "-C", str(root), "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    first = server.stdout.readline()
    match = re.search(r"(http://[^/]+)/", first)
    if not match:
        server.kill()
        raise SystemExit(f"serve did not start: {first}{server.stdout.read()}")
    return server, match.group(1)


class Reviewer(threading.Thread):
    def __init__(self, address: str, token: str, lang: str, number: int, keys, stop, think):
        super().__init__(daemon=True)
        self.address, self.token, self.lang, self.number = address, token, lang, number
        self.keys, self.stop, self.think = keys, stop, think
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.confirmed: dict[str, str] = {}  # entry key -> last text the server confirmed
        self.saves = 0

    def run(self) -> None:
        import random

        rng = random.Random(self.number)
        http = requests.Session()
        opened = http.get(f"{self.address}/invite/{self.token}", timeout=30)
        page_of = opened.url  # .../review/<invite id>/
        while not self.stop.is_set():
            key, n = self.keys[self.saves % len(self.keys)]
            url = f"{page_of}{key}"
            try:
                page = http.get(url, timeout=30).text
                time.sleep(rng.uniform(*self.think) if self.think else 0)
                text = text_for(self.lang, n, self.number, self.saves)
                form = {
                    "csrf_token": CSRF.search(page).group(1),
                    "base": BASE.search(page).group(1),
                    "text": text,
                    "action": "confirm",
                }
                began = time.perf_counter()
                done = http.post(url, data=form, allow_redirects=False, timeout=30)
                self.latencies.append(time.perf_counter() - began)
            except (requests.RequestException, AttributeError) as exc:
                self.errors.append(repr(exc))
                continue
            if done.status_code == 303:
                self.confirmed[key] = text
            else:
                self.errors.append(f"HTTP {done.status_code}")
            self.saves += 1


def run_phase(address: str, team, seconds: float, think) -> tuple[list[Reviewer], float]:
    stop = threading.Event()
    reviewers = [Reviewer(address, *member, stop, think) for member in team]
    began = time.perf_counter()
    for reviewer in reviewers:
        reviewer.start()
    time.sleep(seconds)
    stop.set()
    for reviewer in reviewers:
        reviewer.join(60)
    return reviewers, time.perf_counter() - began


def lost_edits(root: Path, reviewers: list[Reviewer]) -> int:
    """Confirmed texts that are not in the catalog now, reviewed and credited."""
    found = {}
    for lang in LANGS:
        path = root / "locales" / lang / "LC_MESSAGES" / f"{DOC}.po"
        for entry in polib.pofile(str(path), wrapwidth=0):
            found[(lang, entry.msgid)] = entry
    lost = 0
    for reviewer in reviewers:
        for key, text in reviewer.confirmed.items():
            n = dict(reviewer.keys)[key]
            entry = found[(reviewer.lang, f"Notice line {n} for families.")]
            if entry.msgstr != text or states.state(entry) != "reviewed":
                lost += 1
    return lost


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def baseline(root: Path, count: int = 60) -> float:
    """Median seconds of one in-process save (pipeline.online.save), one at a time."""
    settings = load(root)
    invite, _ = invites.create(settings, "es", "Baseline")
    items = online.queue(settings, invite)[:count]
    times = []
    for number, item in enumerate(items):
        n = int(item.msgid.split()[2])
        began = time.perf_counter()
        result = online.save(
            settings, invite, item.key, item.base, text_for("es", n, 99, number), True
        )
        times.append(time.perf_counter() - began)
        assert result.outcome == "reviewed", result
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        make_project(root)
        settings = load(root)
        team = []
        for lang in LANGS:
            for number in range(PER_LANG):
                invite, token = invites.create(settings, lang, f"Volunteer {lang} {number}")
                mine = [
                    (item.key, int(item.msgid.split()[2]))
                    for item in online.queue(settings, invite)
                ][number::PER_LANG]
                team.append((token, lang, len(team), mine))
        server, address = start_server(root)
        try:
            print(
                f"{len(team)} reviewers, {len(LANGS)} languages, {ENTRIES} entries each, "
                f"think {THINK[0]}-{THINK[1]} s, {SECONDS} s"
            )
            reviewers, elapsed = run_phase(address, team, SECONDS, THINK)
            saturated, busy_elapsed = run_phase(address, team, SATURATION_SECONDS, None)
        finally:
            server.terminate()
            server.wait(30)
        lost = lost_edits(root, reviewers + saturated)
        in_process = baseline(root)
    for name, group, seconds in (
        ("with think time", reviewers, elapsed),
        ("saturated (no think time)", saturated, busy_elapsed),
    ):
        latencies = [t for r in group for t in r.latencies]
        errors = [e for r in group for e in r.errors]
        median = statistics.median(latencies)
        print(
            f"{name}: {len(latencies)} saves in {seconds:.0f} s "
            f"({len(latencies) / seconds:.1f}/s), {len(errors)} errors {sorted(set(errors))[:3]}; "
            f"save latency median {median * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms; "
            f"median / in-process save {median / in_process:.2f}x"
        )
    print(f"baseline: one in-process online.save {in_process * 1000:.1f} ms (median)")
    print(f"edits lost: {lost}")


if __name__ == "__main__":
    main()
