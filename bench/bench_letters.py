"""Mail merge speed: `homelang letters` against a plain WeasyPrint loop, side by side.

A generated project (the sample notice, reviewed in 8 languages) and generated
rosters of fake families in those 8 languages. Figures: letters per second of
`homelang letters` (median of 3 runs on 500 families) and of a loop rendering each
letter as its own WeasyPrint document (the same 500 families' letters, once: it is
the slow side); then `homelang letters` alone on 2,000 and 30,000 families with the
peak memory of each run (max RSS of the main process or its largest worker process);
at 30,000 families the same run with the code of ``--before REV`` (default: the
commit before fallback fonts, exported with ``git archive``), best of 2 each,
alternating, and the after/before ratio (fallback fonts may cost at most 10 %); and
10,000 families in one school (printed in parts, memory flat). Everything is written
under a temporary folder.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polib

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
LANGS = ("es", "so", "hmn", "kar", "om", "am", "ar", "vi")
# A few words in each language's script, so every font and direction is exercised.
SAMPLE = {
    "es": "Información para las familias: la escuela es un lugar seguro.",
    "so": "Macluumaad loogu talagalay qoysaska: dugsigu waa meel ammaan ah.",
    "hmn": "Cov ntaub ntawv rau tsev neeg: tsev kawm ntawv muaj kev nyab xeeb.",
    "kar": "ကညီကျိာ် တၢ်ကစီၣ် လၢ ဖိသ့ဖိ အဟံၣ်ဖိဃီဖိ",
    "om": "Odeeffannoo maatiiwwaniif: manni barumsaa bakka nageenyaati.",
    "am": "ለቤተሰቦች መረጃ፡ ትምህርት ቤቱ ደህንነቱ የተጠበቀ ቦታ ነው።",
    "ar": "معلومات للعائلات: المدرسة مكان آمن لجميع الطلاب.",
    "vi": "Thông tin cho gia đình: trường học là nơi an toàn cho mọi học sinh.",
}
FIRST = (
    "Amina Hodan Lucía Nhia Hsa Lensa Meron Yusuf Minh Kari Pa Eh Layla Selam Chaltu Lan".split()
)
LAST = "Warsame Ramírez Vang Paw Tolosa Tesfaye Haddad Nguyen Olson Abdi Moua Htoo".split()
RUNNER = """
import resource, sys
from pipeline.cli import main
try:
    main(sys.argv[1:], prog_name="homelang", standalone_mode=False)
finally:  # the larger of this process and its biggest worker process
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(max(own, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss), file=sys.stderr)
"""


def make_project(root: Path) -> None:
    """The sample project, extracted and updated, with every entry of every language reviewed."""
    from pipeline import settings, states
    from pipeline.extract import extract
    from pipeline.update import update

    (root / "source").mkdir(parents=True)
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    shutil.copytree(REPO / "source" / "notices", root / "source" / "notices")
    cfg = settings.load(root)
    extract(cfg)
    update(cfg)
    for path in root.glob("locales/*/LC_MESSAGES/*.po"):
        lang = path.parts[-3]
        catalog = polib.pofile(str(path), wrapwidth=0)
        for entry in catalog:
            keep = " ".join(re.findall(r"\[[^\]]*\]\([^)]*\)|%\(\w+\)s", entry.msgid))
            entry.msgstr = f"{SAMPLE[lang]} {keep}".strip()
            states.mark_reviewed(entry, "Bench Reviewer", "2026-11-29")
        catalog.save(str(path))


#: The code measured as "before": the last commit before fallback fonts.
BEFORE = "ff1fa91"


def make_roster(path: Path, families: int, seed: int = 5, schools_count: int = 0) -> None:
    """``families`` fake families in 8 languages, about 500 to a school (a large district has more schools)."""
    rng = random.Random(seed)
    schools = [f"School {n:03d}" for n in range(schools_count or max(1, families // 500))]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "guardian", "school", "language", "address"])
        for _ in range(families):
            last = rng.choice(LAST)
            writer.writerow(
                [
                    f"{rng.choice(FIRST)} {last}",
                    f"{rng.choice(FIRST)} {last}",
                    rng.choice(schools),
                    rng.choice(LANGS),
                    f"{rng.randint(100, 9999)} Maple Street, Minneapolis, MN 55411",
                ]
            )


def run_letters(root: Path, roster: Path, out: Path, code: Path | None = None) -> tuple[float, int]:
    """Seconds and peak memory (KiB) of one `homelang letters` run in a fresh process
    (with the ``pipeline`` package of the folder ``code``, if given)."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    start = time.perf_counter()
    proc = subprocess.run(
        [
            PY,
            "-c",
            RUNNER,
            "-C",
            str(root),
            "letters",
            "--roster",
            str(roster),
            "--doc",
            "sanctuary-resolution",
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"homelang letters failed:\n{proc.stdout}\n{proc.stderr}")
    return seconds, int(proc.stderr.strip().splitlines()[-1])


def weasyprint_loop(root: Path, roster: Path, out: Path) -> tuple[float, int]:
    """The baseline: each family's letter as its own WeasyPrint document (HTML from our web snippets)."""
    import weasyprint

    from pipeline import settings
    from pipeline.build import Library, select_documents
    from pipeline.render import web

    cfg = settings.load(root)
    library = Library(cfg, draft=False)
    document = select_documents(cfg, ("sanctuary-resolution",))[0]
    snippets = {lang: web.snippet(root, library.edition(document, lang).page) for lang in LANGS}
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    start = time.perf_counter()
    with roster.open(encoding="utf-8") as f:
        for i, row in enumerate(csv.DictReader(f)):
            html = (
                f"<html><body><p>{row['guardian']}<br>{row['address']}</p>"
                f"<p>Dear {row['guardian']}, family of {row['student']},</p>{snippets[row['language']]}</body></html>"
            )
            weasyprint.HTML(string=html).write_pdf(out / f"{i}.pdf")
            count += 1
    return time.perf_counter() - start, count


def export(rev: str, folder: Path) -> Path | None:
    """The ``pipeline`` package as it was at ``rev`` (``git archive``), or None if it cannot be had."""
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", rev, "pipeline"],
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        print(f"  (before: commit {rev} not found: {archive.stderr.decode().strip()})")
        return None
    folder.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def before_after(project: Path, roster: Path, work: Path, rev: str, families: int) -> None:
    """Letters per second of the code at ``rev`` and of this code, best of 2 each, alternating."""
    old = export(rev, work / "before")
    if old is None:
        return
    runs: dict[str, list[float]] = {"before": [], "after": []}
    for i in range(2):
        for name, code in (("before", old), ("after", None)):
            out = work / f"out-{name}-{i}"
            runs[name].append(run_letters(project, roster, out, code)[0])
            shutil.rmtree(out)
    rates = {name: families / min(seconds) for name, seconds in runs.items()}
    for name, seconds in runs.items():
        print(
            f"  {name:6s} ({rev if name == 'before' else 'this code'})  {min(seconds):7.2f} s  "
            f"{rates[name]:8.0f} letters/s   (runs: {', '.join(f'{s:.2f}' for s in seconds)})"
        )
    ratio = rates["after"] / rates["before"]
    verdict = "within" if ratio >= 0.9 else "NOT within"
    print(f"  after/before {ratio:7.2f}   ({verdict} the 10 % allowed for fallback fonts)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default=BEFORE, help="git revision measured as 'before'")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-letters-") as tmp:
        work = Path(tmp)
        project = work / "project"
        make_project(project)
        side = work / "roster-500.csv"
        make_roster(side, 500)
        print(
            "letters on 500 families in 8 languages (homelang: median of 3 runs; WeasyPrint loop: 1 run)"
        )
        runs = [run_letters(project, side, work / f"out-{i}")[0] for i in range(3)]
        ours = statistics.median(runs)
        base_seconds, count = weasyprint_loop(project, side, work / "weasy")
        ours_rate, base_rate = 500 / ours, count / base_seconds
        print(
            f"  homelang letters     {ours:7.2f} s  {ours_rate:8.0f} letters/s   (runs: {', '.join(f'{r:.2f}' for r in runs)})"
        )
        print(f"  WeasyPrint loop      {base_seconds:7.2f} s  {base_rate:8.1f} letters/s")
        print(f"  ratio                {ours_rate / base_rate:7.0f}x")
        print("homelang letters alone (one process each, about 500 families a school)")
        for families in (2_000, 30_000):
            roster = work / f"roster-{families}.csv"
            make_roster(roster, families)
            seconds, peak = run_letters(project, roster, work / f"out-{families}")
            print(
                f"  {families:6d} families  {seconds:7.2f} s  {families / seconds:8.0f} letters/s  peak memory {peak / 1024:6.0f} MiB"
            )
            shutil.rmtree(work / f"out-{families}")
        goal = "met" if families / seconds >= 500 else "NOT met"
        print(f"goal (30,000 letters in under a minute): {goal}")
        print("30,000 families, before and after fallback fonts (best of 2, alternating)")
        before_after(project, roster, work, args.before, families)
        print("10,000 families in one school (printed in parts of 1,000)")
        big = work / "roster-one-school.csv"
        make_roster(big, 10_000, schools_count=1)
        seconds, peak = run_letters(project, big, work / "out-one-school")
        print(
            f"  {10_000:6d} families  {seconds:7.2f} s  {10_000 / seconds:8.0f} letters/s  peak memory {peak / 1024:6.0f} MiB"
        )


if __name__ == "__main__":
    main()
