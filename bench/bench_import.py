"""Benchmark `homelang review import`: does the time grow linearly with the packet?

One generated document of N short entries in Spanish, machine drafted. A packet of
all of them is exported, then "reviewed": every entry corrected and confirmed. While
it is out, a tenth of the entries are reviewed by someone else in the catalog, so a
tenth of the import are conflicts kept aside. N doubles from 12,500 to 100,000 (the
packet, its conflicts and the entries per packet all double); each size is imported
REPEAT times from the same starting files and the median is printed with the growth
factor against the size before (linear: about 2).
"""

from __future__ import annotations

import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

from pipeline import catalogs, languages, states

HOMELANG = [sys.executable, "-m", "pipeline"]
SIZES = (12_500, 25_000, 50_000, 100_000)
REPEAT = 3
DOC = "bench"


def make_project(root: Path, entries: int) -> None:
    """Settings, a template and a machine-drafted Spanish catalog of ``entries`` entries."""
    (root / "source").mkdir(parents=True)
    (root / "homelang.toml").write_text('languages = ["es"]\n', "utf-8")
    template = catalogs.new_template(DOC)
    for n in range(entries):
        template.append(polib.POEntry(msgid=f"Notice line {n} for families."))
    (root / "locales" / "es" / "LC_MESSAGES").mkdir(parents=True)
    (root / "locales" / f"{DOC}.pot").write_bytes(catalogs.render(template))
    po = polib.POFile(wrapwidth=0)
    po.metadata = catalogs.catalog_headers(template, languages.get("es"), None)
    for n in range(entries):
        entry = polib.POEntry(msgid=f"Notice line {n} for families.", msgstr=f"Línea {n} aviso.")
        states.mark_machine(entry, "google", "2026-11-28")
        po.append(entry)
    (root / "locales" / "es" / "LC_MESSAGES" / f"{DOC}.po").write_bytes(catalogs.render(po))


def homelang(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HOMELANG, "-C", str(root), *args], capture_output=True, text=True)


def prepare(root: Path, entries: int) -> Path:
    """Export, review every entry in the packet, and review a tenth in the catalog meanwhile."""
    make_project(root, entries)
    packet = root / "packet.po"
    done = homelang(root, "review", "export", "--lang", "es", "-r", "Ana", "-o", str(packet))
    assert done.returncode == 0, done.stderr
    reviewed = polib.pofile(str(packet), wrapwidth=0)
    for entry in reviewed:
        if entry.msgctxt == DOC:
            entry.msgstr = entry.msgstr.replace("aviso", "aviso para las familias")
            entry.flags = []
    reviewed.save(str(packet))
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{DOC}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog[::10]:
        entry.msgstr = entry.msgstr.replace("aviso", "nota")
        states.mark_reviewed(entry, "Luis", "2026-11-29")
    path.write_bytes(catalogs.render(catalog))
    return packet


def timed_import(root: Path, packet: Path, snapshot: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one import from the same starting files."""
    shutil.rmtree(root / "locales")
    shutil.copytree(snapshot, root / "locales")
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = homelang(root, "review", "import", str(packet))
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert done.returncode == 1 and " conflict" in done.stdout, done.stderr  # conflicts kept
    return elapsed, after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime


def main() -> None:
    previous = None
    print(f"{'entries':>8} {'conflicts':>9} {'median s':>9} {'CPU s':>7} {'growth':>7}")
    with tempfile.TemporaryDirectory(prefix="homelang-bench-import-") as tmp:
        for size in SIZES:
            root = Path(tmp) / str(size)
            packet = prepare(root, size)
            snapshot = Path(tmp) / f"{size}-locales"
            shutil.copytree(root / "locales", snapshot)
            runs = [timed_import(root, packet, snapshot) for _ in range(REPEAT)]
            median = statistics.median(wall for wall, _ in runs)
            cpu = statistics.median(cpu for _, cpu in runs)
            growth = f"{median / previous:.2f}" if previous else "-"
            print(f"{size:>8} {size // 10:>9} {median:>9.2f} {cpu:>7.2f} {growth:>7}")
            previous = median
            shutil.rmtree(root)
            shutil.rmtree(snapshot)
    print(f"{SIZES[-1]:,}-entry packet imported in {previous:.1f} s (goal: under 10 s)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
