"""Benchmark: ``homelang pretranslate`` against a plain loop over deep-translator's translate_batch.

2,000 segments x 3 languages, sent to our LibreTranslate-compatible loopback server
(tests/libre_server.py) answering each request after 50 ms, as a nearby service
would. The baseline is what a script would do with deep-translator alone:
``LibreTranslator(...).translate_batch(texts)`` per language, sequentially. It makes
one request per segment, so it is timed on a documented subset and extrapolated.
Also printed: characters sent on a first run and on a second run (goal: 0).
Everything is written under a temporary folder.
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from deep_translator import LibreTranslator  # noqa: E402
from libre_server import LibreServer  # noqa: E402

SEGMENTS = 2000
LANGUAGES = ("es", "ar", "vi")
LATENCY = 0.05
REPEATS = 3
BASELINE_SUBSET = 60  # segments per language for the sequential baseline
WORDS = (
    "school family student board policy safe place notice district meeting teacher bus lunch "
    "calendar report card conference health office counselor class grade reading math science "
    "parent guardian week month today tomorrow please contact information language support"
).split()


def segment(rng: random.Random, n: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 22)))
    text = f"{words.capitalize()} number {n}."
    if n % 10 == 0:
        text += f" Read [the notice](https://www.mpls.k12.mn.us/notice-{n}) here."
    if n % 7 == 0:
        text += " Call 612-668-0000 or write to info@mpls.k12.mn.us."
    return text


def make_project(root: Path, url: str) -> list[str]:
    rng = random.Random(2026)
    texts = [segment(rng, n) for n in range(SEGMENTS - 1)]
    (root / "source").mkdir(parents=True)
    body = "\n\n".join(texts)
    (root / "source/bench.md").write_text(
        f"---\nid: bench\nkind: notice\ntitle: Benchmark notice\ndate: 2026-11-29\n---\n\n{body}\n"
    )
    (root / "homelang.toml").write_text(
        f"languages = {list(LANGUAGES)!r}\n".replace("'", '"')
        + f'[providers.libre]\nurl = "{url}"\n'
    )
    homelang(root, "extract")
    homelang(root, "update")
    return ["Benchmark notice", *texts]


def homelang(root: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "-C", str(root), *args], check=True, capture_output=True
    )
    return time.perf_counter() - start


def reset(root: Path, pristine: Path, keep_cache: bool) -> None:
    shutil.rmtree(root / "locales")
    shutil.copytree(pristine, root / "locales")
    if not keep_cache:
        shutil.rmtree(root / ".homelang", ignore_errors=True)


def baseline(server: LibreServer, texts: list[str]) -> float:
    """deep-translator as documented: one translator per language, translate_batch, sequential."""
    start = time.perf_counter()
    for lang in LANGUAGES:
        LibreTranslator(
            source="en", target=lang, api_key="any", custom_url=server.url
        ).translate_batch(texts)
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp, LibreServer() as server:
        server.behavior.latency = LATENCY
        root = Path(tmp) / "project"
        texts = make_project(root, server.url)
        pristine = Path(tmp) / "pristine-locales"
        shutil.copytree(root / "locales", pristine)
        print(
            f"{len(texts)} segments x {len(LANGUAGES)} languages, loopback LibreTranslate with {LATENCY * 1000:.0f} ms a request"
        )

        ours, first_chars, first_requests = [], 0, 0
        for _ in range(REPEATS):
            reset(root, pristine, keep_cache=False)
            before_chars, before_requests = server.chars, len(server.translations)
            ours.append(homelang(root, "pretranslate", "--provider", "libre"))
            first_chars, first_requests = (
                server.chars - before_chars,
                len(server.translations) - before_requests,
            )
        before = server.chars
        homelang(root, "pretranslate", "--provider", "libre")
        second_same = server.chars - before
        reset(root, pristine, keep_cache=True)
        before = server.chars
        homelang(root, "pretranslate", "--provider", "libre")
        second_fresh = server.chars - before

        subset = texts[:BASELINE_SUBSET]
        runs = [baseline(server, subset) for _ in range(REPEATS)]
        base_subset = statistics.median(runs)
        base_full = base_subset * len(texts) / len(subset)

        ours_median = statistics.median(ours)
        print(f"{'':34}{'median s':>10}  runs")
        print(
            f"{'homelang pretranslate (8 workers)':34}{ours_median:10.2f}  {', '.join(f'{t:.2f}' for t in ours)}"
        )
        print(
            f"{'deep-translator loop, subset':34}{base_subset:10.2f}  {', '.join(f'{t:.2f}' for t in runs)}"
            f"  ({len(subset)} segments x {len(LANGUAGES)} languages)"
        )
        print(
            f"{'deep-translator loop, full (extr.)':34}{base_full:10.2f}  extrapolated linearly from the subset"
        )
        print(
            f"speed-up: {base_full / ours_median:.1f}x  (requests: ours {first_requests}, baseline {len(texts) * len(LANGUAGES)})"
        )
        print(
            f"characters sent: first run {first_chars:,}; second run {second_same:,}; "
            f"second run on fresh catalogs (cache only) {second_fresh:,}  (goal: 0)"
        )


if __name__ == "__main__":
    main()
