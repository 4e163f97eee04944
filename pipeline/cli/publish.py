"""Commands that print what families read: build (letters, flyers, web snippets) and letters (mail merge)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipeline.cli import (
    doc_option,
    echo,
    echo_table,
    json_option,
    lang_option,
    main,
    settings,
    to_json,
)
from pipeline.settings import FORMATS

if TYPE_CHECKING:
    from pipeline.letters import MergeResult


def output_option(help: str):
    """``-o/--output DIR``: where a command writes its files."""
    return click.option(
        "-o",
        "--output",
        "out",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=help,
    )


@main.command()
@lang_option
@doc_option
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    type=click.Choice(FORMATS),
    help="Only this format (repeatable; default: settings build.formats).",
)
@click.option(
    "--draft", is_flag=True, help="Build every language, watermarked, with missing text in English."
)
@output_option("Output folder (default: the project's build folder).")
@json_option
@click.pass_context
def build(
    ctx: click.Context,
    langs: tuple[str, ...],
    docs: tuple[str, ...],
    formats: tuple[str, ...],
    draft: bool,
    out: Path | None,
    as_json: bool,
) -> None:
    """Build letters and flyers (PDF), web snippets (HTML) and MO files, plus build/index.html.

    A document publishes in a language only as the publishing policy allows (vital:
    fully reviewed and error-free; others: a reviewed share); other languages are
    skipped with the reason. Outputs whose inputs did not change are not rebuilt.
    A flyer steps its type down to fit one page; one that still does not fit is not
    written, and the build exits 1 naming it.
    """
    from pipeline.build import build as run

    result = run(settings(ctx), langs=langs, docs=docs, formats=formats, draft=draft, out=out)
    if as_json:
        echo(to_json(result))
        ctx.exit(1 if result.overflow else 0)
    rows = []
    for (lang, doc_id), group in _grouped(result.outputs).items():
        first = group[0]
        built = sum(o.rebuilt for o in group)
        formats_done = " ".join(o.format for o in group)
        rows.append(
            [
                lang,
                doc_id,
                first.status,
                formats_done,
                f"{built} rebuilt" if built else "up to date",
                first.reason,
            ]
        )
    echo_table(rows, ["lang", "document", "status", "formats", "outputs", "why"])
    skipped = sum(o.status == "skipped" for o in result.outputs)
    echo(
        f"{len(result.outputs) - skipped} outputs ({result.rebuilt} rebuilt), {skipped} skipped; see {result.index}"
    )
    for path in result.overflow:
        echo(f"{path}: does not fit one page, not written", err=True)
    ctx.exit(1 if result.overflow else 0)


def _grouped(outputs: list) -> dict[tuple[str, str], list]:
    groups: dict[tuple[str, str], list] = {}
    for o in outputs:
        groups.setdefault((o.lang, o.doc_id), []).append(o)
    return groups


@main.command()
@click.option(
    "--roster",
    "roster",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with student, guardian, school, language and address columns.",
)
@click.option("--doc", "-d", "doc_id", required=True, metavar="ID", help="The document to send.")
@output_option("Output folder (default: build/private/<doc-id>, git-ignored).")
@click.option(
    "--strict", is_flag=True, help="Print nothing if any row of the roster cannot be printed."
)
@json_option
@click.pass_context
def letters(
    ctx: click.Context, roster: Path, doc_id: str, out: Path | None, strict: bool, as_json: bool
) -> None:
    """Mail merge: one letter per family in its home language, one print-ready PDF per school.

    Families whose language may not publish get the English letter with a help line
    in every language reviewed. Every good row is printed; a row that cannot be
    (unknown language, a character no font has) is listed by row and column and the
    exit status is 1 (with --strict such a row prints nothing). Letters are written
    readable by their owner only, in a folder git ignores. Names never leave this
    machine and are never printed here.
    """
    from pipeline.letters import merge_letters

    result = merge_letters(settings(ctx), roster, doc_id, out, strict=strict)
    if as_json:
        echo(to_json(result))
    else:
        _letters_table(result)
    if not result.complete:
        ctx.exit(1)


def _letters_table(result: MergeResult) -> None:
    """The files printed, the languages sent in English and why, and the rows not printed."""
    rows = [
        [
            s.path,
            str(s.letters),
            " ".join(f"{k}={v}" for k, v in sorted(s.languages.items())),
            str(s.in_english),
        ]
        for s in result.schools
    ]
    echo_table(rows, ["file", "letters", "languages", "in English (fallback)"])
    for code, why in sorted(result.not_published.items()):
        echo(f"{code}: English letter ({why})")
    if result.not_published:
        helped = ", ".join(result.help_lines) or "none yet (no reviewed translation of it)"
        echo(f"help lines on English letters: {helped}")
    echo(f"{result.families} letters for {len(result.schools)} files in {result.folder}")
    for problem in result.rejected:
        echo(f"not printed: {problem}")
    if result.rejected:
        echo(f"{len(result.rejected)} row(s) not printed; fix them and run letters again")
