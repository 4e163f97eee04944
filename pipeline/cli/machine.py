"""The machine translation command: ``homelang pretranslate``."""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

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
from pipeline.errors import ProviderError
from pipeline.languages import PROVIDERS


@main.command()
@lang_option
@doc_option
@click.option(
    "--provider",
    "-p",
    type=click.Choice([*PROVIDERS, "pseudo"]),
    help="Use this provider for every language (pseudo: offline, for previewing layouts).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Send and change nothing; show segments, characters, requests and cost.",
)
@click.option(
    "--max-chars",
    type=click.IntRange(min=0),
    metavar="N",
    help="Send at most N characters in this run (0: no cap).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    metavar="N",
    help="Requests in flight at once (default: settings, 8).",
)
@json_option
@click.pass_context
def pretranslate(
    ctx: click.Context,
    langs: tuple[str, ...],
    docs: tuple[str, ...],
    provider: str | None,
    dry_run: bool,
    max_chars: int | None,
    workers: int | None,
    as_json: bool,
) -> None:
    """Fill empty catalog entries with machine drafts (fuzzy, marked '# machine: <provider> <date>').

    A person's translation, fuzzy or not, is never overwritten. Reviewed translations
    from every catalog are reused first, then the local cache; only the rest is sent.
    """
    from pipeline.pretranslate import pretranslate as run

    cfg = settings(ctx)
    with ExitStack() as stack:
        stack.enter_context(_terminate_as_interrupt())
        progress = _progress(stack) if sys.stderr.isatty() and not as_json else None
        result = run(
            cfg,
            langs=langs,
            docs=docs,
            provider=provider,
            dry_run=dry_run,
            max_chars=max_chars,
            workers=workers,
            progress=progress,
        )
    if as_json:
        echo(to_json(result))
    else:
        _print(result)
    if not result.ok:
        raise ProviderError(
            "some entries were not pretranslated (see above); they are left for people"
        )


def _progress(stack: ExitStack) -> Callable[[int, int], None]:
    """A progress bar on the terminal, opened when the first results arrive (total known)."""
    bars: list[Any] = []

    def advance(done: int, total: int) -> None:
        if not bars:
            bar = click.progressbar(length=total, label="pretranslating", file=sys.stderr)
            bars.append(stack.enter_context(bar))
        bars[0].update(done)

    return advance


def _print(result: Any) -> None:
    verb = "would send" if result.dry_run else "sent"
    rows = []
    for s in result.languages:
        cost = f"{s.cost:.2f}" if s.cost else "-"
        rows.append(
            [
                s.lang,
                s.provider,
                str(s.empty),
                str(s.from_memory),
                str(s.from_cache),
                str(s.sent) if not result.dry_run else str(_to_send(s)),
                str(s.failed),
                str(s.skipped),
                f"{s.requests}",
                f"{s.chars:,}",
                cost,
            ]
        )
    echo_table(
        rows,
        [
            "lang",
            "provider",
            "empty",
            "memory",
            "cache",
            verb,
            "failed",
            "skipped",
            "requests",
            "chars",
            "cost",
        ],
    )
    for s in result.languages:
        for note in s.notes:
            echo(f"{s.lang}: {note}")
        for error in s.errors:
            echo(f"{s.lang}: {error}", err=True)
    if result.kept_by_person:
        echo(f"{result.kept_by_person} drafts not written: a person filled those entries meanwhile")
    if not result.dry_run:
        echo(f"{len(result.changed)} catalogs changed")


def _to_send(s: Any) -> int:
    return s.empty - s.from_memory - s.from_cache - s.failed - s.skipped


class _terminate_as_interrupt:
    """SIGTERM (a kill from a scheduler) ends the run like Ctrl-C: finished entries are written."""

    def __enter__(self) -> None:
        self.previous = signal.getsignal(signal.SIGTERM)
        try:
            signal.signal(signal.SIGTERM, self._raise)
        except ValueError:  # not the main thread: leave signals alone
            self.previous = None

    def __exit__(self, *exc: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def _raise(signum: int, frame: object) -> None:
        raise KeyboardInterrupt
