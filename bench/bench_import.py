"""Benchmark `homelang review import`: does the time grow linearly with the packet?

One generated document of N entries in Spanish, machine drafted. A packet of all of
them is exported, then "reviewed": every entry corrected and confirmed. While it is
out, a tenth of the entries are reviewed by someone else in the catalog, so a tenth
of the import are conflicts kept aside. Two shapes: short lines (too short for the
language identifier to judge) and sentences (each one judged by it, as a notice's
paragraphs are). N doubles from 12,500 to 100,000 lines, or 6,250 to 50,000
sentences (100,000 of them make a packet over the 20 MB a packet may hold); the
packet, its conflicts and the entries per packet all double. Each size is imported REPEAT times from the same
starting files and the medians of wall and CPU seconds are printed with the growth
factor of CPU time against the size before (linear: about 2), beside the baseline
measured in the same run: polib reading the packet and the catalog and writing the
catalog back, the file work an import cannot avoid, done by the PO library most
Python tools use. CPU seconds are compared: on shared cores wall time measures the
neighbours.
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
#: shape -> packet sizes, doubling
SIZES = {"lines": (12_500, 25_000, 50_000, 100_000), "sentences": (6_250, 12_500, 25_000, 50_000)}
REPEAT = 3
DOC = "bench"
#: shape -> (English, machine draft, (the reviewer's edit), (the edit meanwhile in the catalog))
SHAPES = {
    "lines": (
        "Notice line {n} for families.",
        "Línea {n} aviso.",
        ("aviso", "aviso para las familias"),
        ("aviso", "nota"),
    ),
    "sentences": (
        "Notice {n}: the school bus leaves at eight from the main door.",
        "Aviso {n}: el autobús sale a las ocho.",
        ("ocho", "ocho desde la puerta principal"),
        ("autobús", "bus"),
    ),
}
#: polib reads the packet and the catalog and writes the catalog back
BASELINE = (
    "import polib, sys; polib.pofile(sys.argv[1], wrapwidth=0); "
    "polib.pofile(sys.argv[2], wrapwidth=0).save(sys.argv[3])"
)


def make_project(root: Path, entries: int, shape: str) -> None:
    """Settings, a template and a machine-drafted Spanish catalog of ``entries`` entries."""
    english, draft, _, _ = SHAPES[shape]
    (root / "source").mkdir(parents=True)
    (root / "homelang.toml").write_text('languages = ["es"]\n', "utf-8")
    template = catalogs.new_template(DOC)
    for n in range(entries):
        template.append(polib.POEntry(msgid=english.format(n=n)))
    (root / "locales" / "es" / "LC_MESSAGES").mkdir(parents=True)
    (root / "locales" / f"{DOC}.pot").write_bytes(catalogs.render(template))
    po = polib.POFile(wrapwidth=0)
    po.metadata = catalogs.catalog_headers(template, languages.get("es"), None)
    for n in range(entries):
        entry = polib.POEntry(msgid=english.format(n=n), msgstr=draft.format(n=n))
        states.mark_machine(entry, "google", "2026-11-28")
        po.append(entry)
    (root / "locales" / "es" / "LC_MESSAGES" / f"{DOC}.po").write_bytes(catalogs.render(po))


def homelang(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*HOMELANG, "-C", str(root), *args], capture_output=True, text=True)


def prepare(root: Path, entries: int, shape: str) -> Path:
    """Export, review every entry in the packet, and review a tenth in the catalog meanwhile."""
    _, _, reviewed_edit, catalog_edit = SHAPES[shape]
    make_project(root, entries, shape)
    packet = root / "packet.po"
    done = homelang(root, "review", "export", "--lang", "es", "-r", "Ana", "-o", str(packet))
    assert done.returncode == 0, done.stderr
    reviewed = polib.pofile(str(packet), wrapwidth=0)
    for entry in reviewed:
        if entry.msgctxt == DOC:
            entry.msgstr = entry.msgstr.replace(*reviewed_edit)
            entry.flags = []
    reviewed.save(str(packet))
    path = root / "locales" / "es" / "LC_MESSAGES" / f"{DOC}.po"
    catalog = polib.pofile(str(path), wrapwidth=0)
    for entry in catalog[::10]:
        entry.msgstr = entry.msgstr.replace(*catalog_edit)
        states.mark_reviewed(entry, "Luis", "2026-11-29")
    path.write_bytes(catalogs.render(catalog))
    return packet


def timed_import(root: Path, packet: Path, snapshot: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one import from the same starting files."""
    shutil.rmtree(root / "locales")
    shutil.copytree(snapshot, root / "locales")
    cpu, start = child_cpu(), time.perf_counter()
    done = homelang(root, "review", "import", str(packet))
    elapsed = time.perf_counter() - start
    assert done.returncode == 1 and " conflict" in done.stdout, done.stderr  # conflicts kept
    return elapsed, child_cpu() - cpu


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def baseline(root: Path, packet: Path) -> tuple[float, float]:
    """(wall, CPU seconds) of polib reading the packet and the catalog and writing the catalog."""
    catalog = root / "locales" / "es" / "LC_MESSAGES" / f"{DOC}.po"
    out = root / "polib-out.po"
    cpu, start = child_cpu(), time.perf_counter()
    subprocess.run([sys.executable, "-c", BASELINE, packet, catalog, out], check=True)
    return time.perf_counter() - start, child_cpu() - cpu


def measure(shape: str, tmp: Path) -> float:
    """Print one line per size; return the median seconds of the largest."""
    previous = 0.0
    print(f"{shape}: review import against polib read + write, medians of {REPEAT} runs")
    print(
        f"{'entries':>8} {'conflicts':>9} {'wall s':>7} {'CPU s':>6} {'polib wall':>10}"
        f" {'polib CPU':>9} {'CPU ratio':>9} {'growth':>6}"
    )
    for size in SIZES[shape]:
        root = tmp / f"{shape}-{size}"
        packet = prepare(root, size, shape)
        snapshot = tmp / f"{shape}-{size}-locales"
        shutil.copytree(root / "locales", snapshot)
        runs = [timed_import(root, packet, snapshot) for _ in range(REPEAT)]
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        polib_runs = [baseline(root, packet) for _ in range(REPEAT)]
        polib_wall = statistics.median(w for w, _ in polib_runs)
        polib_cpu = statistics.median(c for _, c in polib_runs)
        growth = f"{cpu / previous:.2f}" if previous else "-"
        print(
            f"{size:>8} {size // 10:>9} {wall:>7.2f} {cpu:>6.2f} {polib_wall:>10.2f}"
            f" {polib_cpu:>9.2f} {cpu / polib_cpu:>8.2f}x {growth:>6}"
        )
        previous = cpu
        shutil.rmtree(root)
        shutil.rmtree(snapshot)
    return previous


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="homelang-bench-import-") as tmp:
        for shape in SHAPES:
            largest = measure(shape, Path(tmp))
            print(f"{SIZES[shape][-1]:,} {shape}: {largest:.1f} CPU s (goal: 100,000 under 10 s)\n")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
