"""The ``homelang`` command: parses arguments, calls one stage, prints its result.

Stages raise :class:`~pipeline.errors.PipelineError`; this is the one place that
turns them into a one-line message and an exit code (2 for bad input, 1 for
``--check`` findings and provider failures). No stage imports this package.
"""

from __future__ import annotations

import dataclasses
import gc
import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from pipeline import __version__
from pipeline.errors import PipelineError

if TYPE_CHECKING:
    from pipeline.settings import Settings


#: C0 and C1 control characters but line feed and tab: in a terminal they start escape
#: sequences (OSC 52 sets the clipboard, OSC 8 makes links, OSC 0 the title).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """``text`` as a terminal may print it: control characters written as ``\\u001b``
    (which JSON reads back as the same character). A translation, a packet or a
    conflicts file is untrusted, and so is anything quoted from them."""
    return _CONTROLS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(message: str = "", err: bool = False) -> None:
    """The one way commands print: every line through :func:`shown`."""
    click.echo(shown(message), err=err)


class UserError(click.ClickException):
    """A :class:`PipelineError` as click shows it: ``Error: path:line: message``."""

    #: An error quotes at most a screenful of what it names (a packet may hold a
    #: megabyte where a document id should be).
    LONGEST = 4000

    def __init__(self, error: PipelineError):
        message = shown(str(error))
        if len(message) > self.LONGEST:
            message = (
                message[: self.LONGEST] + f"... ({len(message) - self.LONGEST} more characters)"
            )
        super().__init__(message)
        self.exit_code = error.exit_code


class Group(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse a NUL byte anywhere in the arguments: no file name or code can hold one."""
        if any("\0" in arg for arg in args):
            raise UserError(PipelineError("an argument holds a NUL byte"))
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PipelineError as error:
            raise UserError(error) from None
        except OSError as error:
            # The last net under the stages' own checks: a disk that is full or read-only,
            # a file of the wrong kind or permissions. One line naming the file, never a
            # traceback; a network error never gets here (providers turn them into results).
            where = error.filename if isinstance(error.filename, str) else None
            raise UserError(
                PipelineError(f"cannot go on: {error.strerror or error}", where)
            ) from None


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "-C",
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Project folder (default: the nearest folder with homelang settings).",
)
@click.version_option(__version__, prog_name="homelang")
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """homelang: translate school notices and FAQs into families' home languages.

    \b
    The pipeline, in order:
      extract       source/*.md     -> locales/<doc>.pot
      update        templates       -> locales/<lang>/LC_MESSAGES/<doc>.po
      pretranslate  empty entries   -> machine drafts (fuzzy), for review
      review        packets out to volunteers and back in; check; status
      build         reviewed text   -> letters, flyers (PDF), web snippets
      letters       a roster        -> one letter per family, in its language
    """
    ctx.obj = {"project": project}


#: Commands that never write, so they run beside a writing run without the lock.
READ_ONLY = {"languages", "status", "check", "invites"}
#: Commands whose stage takes the lock itself, only while it writes (``serve`` runs for
#: hours; invitations are made and revoked from it too).
OWN_LOCK = {"serve", "invite", "revoke"}


def settings(ctx: click.Context) -> Settings:
    """The project's settings, loaded on first use; a writing command also takes the project lock."""
    from pipeline.lock import CLI_WAIT, project_lock
    from pipeline.settings import load

    root = ctx.find_root()
    state = root.obj
    if "settings" not in state:
        state["settings"] = load(state["project"])
        writes = ctx.info_name not in READ_ONLY | OWN_LOCK and not (
            ctx.params.get("check") or ctx.params.get("dry_run")
        )
        if writes:
            lock = project_lock(state["settings"].state_path, ctx.command_path, CLI_WAIT)
            root.with_resource(lock)
    return state["settings"]


def to_json(value: Any) -> str:
    """Results (dataclasses, lists, dicts) as stable, indented JSON."""

    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return {k: plain(x) for k, x in dataclasses.asdict(v).items()}
        if isinstance(v, dict):
            return {str(k): plain(x) for k, x in v.items()}
        if isinstance(v, list | tuple):
            return [plain(x) for x in v]
        if isinstance(v, Path):
            return v.as_posix()
        return v

    return json.dumps(plain(value), ensure_ascii=False, indent=2, sort_keys=False, default=str)


lang_option = click.option(
    "--lang", "-l", "langs", multiple=True, metavar="CODE", help="Only this language (repeatable)."
)
doc_option = click.option(
    "--doc", "-d", "docs", multiple=True, metavar="ID", help="Only this document (repeatable)."
)
json_option = click.option(
    "--json", "as_json", is_flag=True, help="Print the result as JSON for scripts."
)


def echo_table(rows: list[list[str]], header: list[str]) -> None:
    """A plain aligned table on stdout."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        echo("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# Commands live in one module per stage; importing registers them on `main`.
from pipeline.cli import catalog, machine, memory, publish, review, serve  # noqa: E402,F401


def run() -> None:  # pragma: no cover - entry point shim for `python -m pipeline`
    # A command holds whole catalogs (100,000s of entries) until it ends; at Python's
    # default threshold (700) the cycle collector walks them again and again, a fifth of
    # a large review import (bench/bench_import.py).
    gc.set_threshold(100_000, 50, 100)
    main(prog_name="homelang")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(run())
