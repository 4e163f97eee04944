"""Benchmark `homelang update` against GNU msgmerge on two generated project shapes.

50 documents x 100 paragraphs, and one document x 5,000 paragraphs; 12 languages,
80 % translated, then 5 % of the English edited. Same work for every contender, side
by side in one run:
  * homelang update (fuzzy matching included)
  * msgmerge --no-fuzzy-matching, one process per catalog (the speed goal)
  * msgmerge --previous, one process per catalog (the reference for fuzzy decisions)
Then the time of a no-op `extract` + `update` on the sample content.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from corpus import LANGS, make_project  # noqa: E402

from pipeline import catalogs  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HOMELANG = [sys.executable, "-m", "pipeline"]
REPEAT = 3


def restore(root: Path, snapshot: Path) -> None:
    for lang in LANGS:
        shutil.rmtree(root / "locales" / lang, ignore_errors=True)
        shutil.copytree(snapshot / lang, root / "locales" / lang)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run_homelang(root: Path) -> None:
    subprocess.run([*HOMELANG, "-C", str(root), "update"], check=True, stdout=subprocess.DEVNULL)


def run_msgmerge(
    root: Path, snapshot: Path, out: Path, *flags: str, langs: list[str] = LANGS
) -> None:
    for pot in sorted((root / "locales").glob("*.pot")):
        for lang in langs:
            old = snapshot / lang / "LC_MESSAGES" / f"{pot.stem}.po"
            target = out / lang / f"{pot.stem}.po"
            subprocess.run(
                ["msgmerge", *flags, "--no-wrap", "-q", "-o", str(target), str(old), str(pot)],
                check=True,
            )


def decisions(path: Path, edited: set[str]) -> dict[str, str | None]:
    """For each edited msgid: the previous msgid it was fuzzy-matched to, or None if new."""
    po = catalogs.read_catalog(path)
    return {
        e.msgid: (e.previous_msgid if "fuzzy" in e.flags else None)
        for e in po
        if e.msgid in edited and not e.obsolete
    }


#: (documents, paragraphs each, languages judged by msgmerge --previous). GNU's fuzzy
#: search takes about 90 s per language on the one-document shape (18 minutes for
#: 12), so its decisions are compared on three languages of different scripts there.
SHAPES = ((50, 100, LANGS), (1, 5000, ["es", "ar", "zh"]))


def bench_shape(work: Path, docs: int, per_doc: int, judged: list[str]) -> None:
    """Time every contender on one shape; print medians, ratios and fuzzy agreement."""
    root = work / "project"
    edits = make_project(root, docs=docs, per_doc=per_doc)
    snapshot = work / "snapshot"
    shutil.copytree(root / "locales", snapshot, ignore=shutil.ignore_patterns("*.pot"))
    entries = docs * per_doc * len(LANGS)
    print(
        f"update: {docs} document(s) x {per_doc:,} paragraphs x {len(LANGS)} languages "
        f"({entries:,} entries), {len(edits)} paragraphs edited"
    )
    ours, plain = [], []
    out_plain = work / "plain"
    for lang in LANGS:
        (out_plain / lang).mkdir(parents=True)
    for _ in range(REPEAT):  # interleaved, so load on the shared machine hits both alike
        restore(root, snapshot)
        ours.append(timed(lambda: run_homelang(root)))
        plain.append(timed(lambda: run_msgmerge(root, snapshot, out_plain, "--no-fuzzy-matching")))
    out_prev = work / "previous"
    for lang in judged:
        (out_prev / lang).mkdir(parents=True)
    previous = timed(lambda: run_msgmerge(root, snapshot, out_prev, "--previous", langs=judged))
    previous *= len(LANGS) / len(judged)  # the same work as the others: every language

    agree = total = 0
    edited = set(edits)
    for pot in sorted((root / "locales").glob("*.pot")):
        for lang in judged:
            mine = decisions(root / "locales" / lang / "LC_MESSAGES" / f"{pot.stem}.po", edited)
            gnu = decisions(out_prev / lang / f"{pot.stem}.po", edited)
            for msgid, prev in gnu.items():
                total += 1
                agree += mine.get(msgid, "missing") == prev

    med_ours, med_plain = statistics.median(ours), statistics.median(plain)
    fmt = ", ".join
    print(
        f"  homelang update                 median {med_ours:6.2f} s  ({fmt(f'{t:.2f}' for t in ours)})"
    )
    print(
        f"  msgmerge --no-fuzzy-matching    median {med_plain:6.2f} s  ({fmt(f'{t:.2f}' for t in plain)})"
    )
    scaled = (
        "" if judged == LANGS else f" (timed on {len(judged)} languages, scaled to {len(LANGS)})"
    )
    print(f"  msgmerge --previous             once   {previous:6.2f} s{scaled}")
    print(
        f"  ratio msgmerge --no-fuzzy-matching / homelang: {med_plain / med_ours:5.2f}x (goal >= 1.0x)"
    )
    print(f"  ratio msgmerge --previous / homelang:          {previous / med_ours:5.2f}x")
    print(
        f"  same fuzzy decision as msgmerge --previous: {agree}/{total} edited entries in "
        f"{', '.join(judged) if judged != LANGS else 'every language'} "
        f"({agree / total:.1%}, goal 100%)"
    )
    shutil.rmtree(root)
    shutil.rmtree(snapshot)
    shutil.rmtree(out_plain)
    shutil.rmtree(out_prev)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="homelang-bench-update-"))
    try:
        for docs, per_doc, judged in SHAPES:
            bench_shape(work, docs, per_doc, judged)

        sample = work / "sample"
        sample.mkdir()
        for name in ("pyproject.toml", "source", "glossary.csv"):
            src = REPO / name
            if src.is_dir():
                shutil.copytree(src, sample / name)
            elif src.exists():
                shutil.copy2(src, sample / name)
        both = lambda: [  # noqa: E731
            subprocess.run(
                [*HOMELANG, "-C", str(sample), cmd], check=True, stdout=subprocess.DEVNULL
            )
            for cmd in ("extract", "update")
        ]
        both()
        noop = [timed(both) for _ in range(5)]
        start = [
            timed(
                lambda: subprocess.run(
                    [*HOMELANG, "--version"], check=True, stdout=subprocess.DEVNULL
                )
            )
            for _ in range(5)
        ]
        print(
            f"no-op extract + update on the sample content: median {statistics.median(noop):.2f} s for two commands "
            f"(python + homelang start-up alone: median {statistics.median(start):.2f} s a command)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
