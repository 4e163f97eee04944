"""Growth of the text patterns under hostile input: does doubling the input double the time?

Each hostile shape (the ones that were quadratic: ``a.`` x n, ``{`` x n, ``aaaa``, and
long URLs, long phone-like runs, many links, runs of spaces in an engine's answer) is
made n units long for n = 2,500 to 40,000 and put through everything a paragraph
meets: the protected spans (``markup.spans``), the quality checks of an entry whose
English and translation both hold it (``checks.check_entry``), and protection for a
machine engine and back (``protect`` / ``restore``), and print rendering (``inline.runs``). Then ``check_catalog`` over
catalogs of 1,000 to 16,000 entries. Prints the median of 3 runs per size and the
growth factor per doubling, which must stay near 2 (quadratic code gives 4).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import polib

from pipeline import checks, languages, markup
from pipeline.glossary import Glossary
from pipeline.protect import protect, restore
from pipeline.render import inline

REPEAT = 3
SIZES = (2_500, 5_000, 10_000, 20_000, 40_000)
ENTRIES = (1_000, 2_000, 4_000, 8_000, 16_000)
SPANISH = languages.get("es")

#: name -> one unit of the shape, repeated n times
SHAPES: dict[str, str] = {
    "a.": "a.",
    "字": "字",
    "{": "{",
    "{{": "{{",
    "{%": "{%",
    "a": "a",
    "1-": "1-",
    "a-": "a-",
    "_a": "_a",
    "x@": "x@",
    "long URL": "a/",
    "long phone": "612-",
    "many links": "[x](https://www.mpls.k12.mn.us/a) ",
    "spaces": " ",
}


def paragraph(name: str, n: int) -> str:
    text = SHAPES[name] * n
    return "https://www.mpls.k12.mn.us/" + text if name == "long URL" else text


def through_everything(text: str) -> None:
    """What a paragraph meets: spans, the checks, protection and restoring an answer."""
    markup.spans(text)
    inline.runs(text)  # print rendering
    checks.check_entry(polib.POEntry(msgid=text, msgstr=text), SPANISH, Glossary())
    protected = protect(text)
    # an engine that puts spaces around every token
    restore(protected, protected.text.replace("⟦", "  ⟦").replace("⟧", "⟧  "))


def catalog(entries: int) -> polib.POFile:
    """Spanish entries of a notice, long enough for the language identifier, with a
    hostile one every 500."""
    po = polib.POFile()
    for i in range(entries):
        english = (
            f"We are committed to the safety of our {i} students. Call 612-668-{i % 10000:04d} "
            f"or visit https://www.mpls.k12.mn.us/p{i}."
        )
        spanish = (
            f"Estamos comprometidos con la seguridad de nuestros {i} estudiantes. Llame al "
            f"612-668-{i % 10000:04d} o visite https://www.mpls.k12.mn.us/p{i}."
        )
        if i % 500 == 0:
            spanish += " " + "a." * 200
        po.append(polib.POEntry(msgid=english, msgstr=spanish))
    return po


def median_time(work: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def growth(
    label: str, sizes: tuple[int, ...], work: Callable[[int], Callable[[], object]]
) -> float:
    """Print the medians per size and the growth per doubling; return the largest growth."""
    times = [median_time(work(n)) for n in sizes]
    factors = [b / a for a, b in zip(times, times[1:], strict=False)]
    cells = "  ".join(f"{t * 1000:8.1f}" for t in times)
    print(
        f"{label:<14}{cells}   x{'  x'.join(f'{f:.2f}' for f in factors)}   "
        f"(median x{statistics.median(factors):.2f})"
    )
    return statistics.median(factors)


def main() -> None:
    through_everything("warm up the language identifier: " + "palabras " * 10)
    print(f"milliseconds per paragraph of n units, n = {', '.join(map(str, SIZES))}")
    worst = 0.0
    for name in SHAPES:
        worst = max(
            worst,
            growth(
                name, SIZES, lambda n, name=name: lambda: through_everything(paragraph(name, n))
            ),
        )
    print(f"\nmilliseconds for check_catalog, entries = {', '.join(map(str, ENTRIES))}")
    worst = max(
        worst,
        growth(
            "entries",
            ENTRIES,
            lambda n: (lambda po: lambda: checks.check_catalog(po, SPANISH, Glossary()))(
                catalog(n)
            ),
        ),
    )
    print(f"\nlargest median growth per doubling: x{worst:.2f} (linear: x2, quadratic: x4)")


if __name__ == "__main__":
    main()
