"""Commands that bring translations in from other tools and take reviewed ones out."""

from __future__ import annotations

from pathlib import Path

import click

from pipeline.cli import echo, json_option, main, settings, to_json


@main.group()
def memory() -> None:
    """Import translations (PO, TMX) into the translation memory; export reviewed ones."""


@memory.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    "-l",
    "lang",
    default=None,
    metavar="CODE",
    help="The language of the files (default: a PO file's Language header; every configured one in TMX).",
)
@json_option
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...], lang: str | None, as_json: bool) -> None:
    """Read PO and TMX files into locales/<lang>/memory.po; empty entries they match become memory drafts."""
    from pipeline.exchange import import_memory

    results = import_memory(settings(ctx), list(paths), lang=lang)
    if as_json:
        echo(to_json(results))
        return
    for r in results:
        echo(
            f"{r.path}: {r.added} added, {r.replaced} replaced, {r.unchanged} unchanged; "
            f"{r.drafts} empty entries filled as memory drafts"
        )


@memory.command(name="export")
@click.option(
    "--tmx",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The TMX file to write.",
)
@json_option
@click.pass_context
def export_(ctx: click.Context, output: Path, as_json: bool) -> None:
    """Write every reviewed translation of every catalog as one TMX 1.4 file."""
    from pipeline.exchange import export_tmx

    result = export_tmx(settings(ctx), output)
    if as_json:
        echo(to_json(result))
        return
    echo(
        f"{result.path}: {result.translations} reviewed translations "
        f"({', '.join(result.languages) or 'none yet'})"
    )
