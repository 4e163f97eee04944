"""Commands that make and maintain catalogs: languages, extract, update, compile."""

from __future__ import annotations

import click

from pipeline import languages as language_registry
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
from pipeline.errors import CheckFailed


@main.command()
@json_option
@click.pass_context
def languages(ctx: click.Context, as_json: bool) -> None:
    """List the configured target languages: names, script, direction, plural rule, provider codes."""
    cfg = settings(ctx)
    entries = [language_registry.get(code) for code in cfg.languages]
    if as_json:
        echo(to_json([{**_plain(lang), "provider_codes": lang.provider_codes} for lang in entries]))
        return
    rows = [
        [
            lang.code,
            lang.english_name,
            lang.native_name,
            lang.direction,
            lang.script_name,
            f"{lang.nplurals} form{'s' if lang.nplurals > 1 else ''}",
            " ".join(f"{p}={c}" for p, c in sorted(lang.provider_codes.items())) or "-",
        ]
        for lang in entries
    ]
    echo_table(
        rows, ["code", "language", "native name", "dir", "script", "plurals", "machine translation"]
    )


def _plain(lang: language_registry.Language) -> dict:
    return {
        "code": lang.code,
        "english_name": lang.english_name,
        "native_name": lang.native_name,
        "direction": lang.direction,
        "script": lang.script,
        "script_name": lang.script_name,
        "plural_forms": lang.plural_forms,
    }


@main.command()
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a template is out of date.")
@json_option
@click.pass_context
def extract(ctx: click.Context, check: bool, as_json: bool) -> None:
    """Extract source documents (source/**/*.md) into templates, locales/<doc-id>.pot."""
    from pipeline.extract import extract as run

    results = run(settings(ctx), check=check)
    if as_json:
        echo(to_json(results))
    else:
        for r in results:
            state = ("out of date" if check else "written") if r.changed else "unchanged"
            echo(f"{r.path}: {r.entries} entries, {r.words} words, {state}")
    if check and any(r.changed for r in results):
        raise CheckFailed("templates are out of date; run 'homelang extract'")


@main.command()
@lang_option
@doc_option
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a catalog is out of date.")
@json_option
@click.pass_context
def update(
    ctx: click.Context, langs: tuple[str, ...], docs: tuple[str, ...], check: bool, as_json: bool
) -> None:
    """Create or update each language's catalogs from the templates.

    Changed English keeps the old translation as a fuzzy draft with the previous
    English shown (#| msgid); removed entries become obsolete (#~), never lost.
    """
    from pipeline.update import update as run

    results = run(settings(ctx), langs=langs, docs=docs, check=check)
    if as_json:
        echo(to_json(results))
    else:
        for r in results:
            if r.changed or r.created:
                verb = "would change" if check else ("created" if r.created else "updated")
                echo(
                    f"{r.path}: {verb} ({r.kept} kept, {r.new} new, {r.fuzzy} fuzzy, {r.obsolete} obsolete)"
                )
        unchanged = sum(not r.changed for r in results)
        echo(f"{len(results)} catalogs, {len(results) - unchanged} changed, {unchanged} unchanged")
    if check and any(r.changed for r in results):
        raise CheckFailed("catalogs are out of date; run 'homelang update'")


@main.command(name="compile")
@lang_option
@doc_option
@json_option
@click.pass_context
def compile_(
    ctx: click.Context, langs: tuple[str, ...], docs: tuple[str, ...], as_json: bool
) -> None:
    """Compile each catalog to a .mo file beside it (fuzzy entries left out, as msgfmt does)."""
    from pipeline.update import compile_catalogs

    results = compile_catalogs(settings(ctx), langs=langs, docs=docs)
    if as_json:
        echo(to_json(results))
    else:
        changed = sum(r.changed for r in results)
        echo(f"{len(results)} catalogs compiled ({changed} changed)")
