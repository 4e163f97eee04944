"""Commands of the review stage: status, check, review export|import|release|conflicts|invite."""

from __future__ import annotations

import dataclasses
from pathlib import Path

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
from pipeline.errors import CheckFailed


@main.command()
@lang_option
@doc_option
@json_option
@click.pass_context
def status(
    ctx: click.Context, langs: tuple[str, ...], docs: tuple[str, ...], as_json: bool
) -> None:
    """Show what waits per language and document: review states, check errors, publishing, packets out."""
    from pipeline.status import status as run

    results = run(settings(ctx), langs=langs, docs=docs)
    if as_json:
        echo(to_json(results))
        return
    rows = [
        [
            r.lang,
            r.doc_id,
            *(
                f"{r.entries[s]} ({r.words[s]} w)"
                for s in ("untranslated", "machine", "needs-update", "reviewed")
            ),
            str(r.errors),
            ("yes: " if r.publish else "no: ") + r.reason,
        ]
        for r in results
    ]
    echo_table(
        rows,
        [
            "lang",
            "document",
            "untranslated",
            "machine",
            "needs-update",
            "reviewed",
            "errors",
            "publish",
        ],
    )
    notes = []
    for lang in dict.fromkeys(r.lang for r in results):
        if not next(r for r in results if r.lang == lang).machine_route:
            notes.append(f"{lang}: no machine translation route; people translate everything")
    for r in results:
        for p in r.packets:
            until = f"expired {p.expires}" if p.expired else f"until {p.expires}"
            notes.append(
                f"{r.lang} {r.doc_id}: {p.entries} entries out with {p.reviewer} (packet {p.packet}, {until})"
            )
        if r.conflicts_warning and r.conflicts_warning not in notes:
            notes.append(r.conflicts_warning)
        if r.conflicts:
            notes.append(
                f"{r.lang} {r.doc_id}: {r.conflicts} returned translation(s) kept aside "
                f"(homelang review conflicts --lang {r.lang})"
            )
    if notes:
        echo()
        for note in notes:
            echo(note)


@main.command()
@lang_option
@doc_option
@json_option
@click.pass_context
def check(ctx: click.Context, langs: tuple[str, ...], docs: tuple[str, ...], as_json: bool) -> None:
    """Run the quality checks; print 'path:line: [check-id] level: message'; exit 1 on errors."""
    from pipeline.status import check as run

    results = run(settings(ctx), langs=langs, docs=docs)
    findings = [(r.path, f) for r in results for f in r.findings]
    errors = sum(f.level == "error" for _, f in findings)
    if as_json:
        echo(
            to_json(
                {
                    "errors": errors,
                    "warnings": len(findings) - errors,
                    "findings": [{"path": path, **vars(f)} for path, f in findings],
                }
            )
        )
    else:
        for path, f in findings:
            echo(f"{path}:{f.line}: [{f.check_id}] {f.level}: {f.message}")
        echo(f"{len(results)} catalogs checked: {errors} errors, {len(findings) - errors} warnings")
    if errors:
        raise CheckFailed(f"{errors} quality check error(s)")


@main.group()
def review() -> None:
    """Hand review packets to volunteers and take them back."""


@review.command(name="export")
@click.option("--lang", "-l", "lang", required=True, metavar="CODE", help="The packet's language.")
@doc_option
@click.option(
    "--reviewer", "-r", default="", metavar="NAME", help="Who will review (recorded, credited)."
)
@click.option(
    "--max-words",
    type=click.IntRange(min=1),
    default=None,
    help="Stop adding entries at this many English words.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the packet (default: build/review/<packet>.po).",
)
@json_option
@click.pass_context
def export_(
    ctx: click.Context,
    lang: str,
    docs: tuple[str, ...],
    reviewer: str,
    max_words: int | None,
    output: Path | None,
    as_json: bool,
) -> None:
    """Write a PO packet of the entries that need a person and record who holds them."""
    from pipeline.review import export as run

    result = run(
        settings(ctx), lang, docs=docs, reviewer=reviewer, max_words=max_words or 0, output=output
    )
    if as_json:
        echo(to_json(result))
        return
    echo(
        f"{result.path}: packet {result.packet}, {result.entries} entries, {result.words} words, "
        f"for {result.reviewer} until {result.expires}"
    )
    if result.skipped_held:
        echo(f"{result.skipped_held} entries left out: already out in other packets")
    if result.warning:
        echo(f"warning: {result.warning}")


@review.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@json_option
@click.pass_context
def import_(ctx: click.Context, paths: tuple[Path, ...], dry_run: bool, as_json: bool) -> None:
    """Take packets back: confirmed entries become reviewed; conflicts and check errors are kept and reported."""
    from pipeline.packets import import_packets

    results = import_packets(settings(ctx), list(paths), dry_run=dry_run)
    if as_json:
        echo(to_json(results))
    else:
        for r in results:
            _echo_import(r, dry_run)
    pending = [r.packet for r in results if not r.settled]
    if pending:
        raise CheckFailed(
            f"not everything applied (packet {', '.join(pending)}): entries kept aside, "
            "refused or left as drafts"
        )


def _echo_import(r, dry_run: bool) -> None:
    """Each entry that needs attention with its packet line, then the packet's counts."""
    from pipeline.apply import OUTCOMES

    for o in r.outcomes:
        where = f"{r.path}:{o.line}"
        if o.outcome == "conflict":
            echo(f"{where}: conflict {o.conflict} kept aside: {o.detail}")
            echo(f"    English: {o.msgid}")
            echo(f"    yours:   {o.incoming}")
            if o.current:
                echo(f"    current: {o.current}")
        elif o.outcome == "refused":
            echo(f"{where}: refused, not applied: {o.detail}")
        elif o.outcome == "check-error":
            echo(f"{where}: kept as a draft, not reviewed: {o.detail}")
        elif o.detail and o.outcome == "draft":
            echo(f"{where}: draft kept: {o.detail}")
        for f in o.findings:
            if f.level == "warning":
                echo(f"{where}: [{f.check_id}] warning: {f.message}")
    counts = ", ".join(f"{r.count(k)} {k}" for k in OUTCOMES)
    verb = "would change" if dry_run else "changed"
    echo(
        f"{r.path}: packet {r.packet} from {r.reviewer}: {counts}; "
        f"{verb}: {', '.join(r.changed) or 'nothing'}"
    )


@review.command(name="release")
@click.argument("packets", nargs=-1)
@click.option("--expired", is_flag=True, help="Release every packet past its return date.")
@json_option
@click.pass_context
def release(ctx: click.Context, packets: tuple[str, ...], expired: bool, as_json: bool) -> None:
    """Give a packet's entries back to the queue (named packets, or --expired ones)."""
    from pipeline.review import release as run

    if not packets and not expired:
        raise click.UsageError("name a packet (see homelang status) or pass --expired")
    results = run(settings(ctx), packets, expired=expired)
    if as_json:
        echo(to_json(results))
        return
    for r in results:
        echo(f"released {r.packet} ({r.lang}, {r.reviewer}, {r.entries} entries)")
    if not results:
        echo("no packets to release")


@review.command(name="conflicts")
@lang_option
@click.option("--resolve", "conflict_id", metavar="ID", help="Settle this conflict (see the list).")
@click.option(
    "--take",
    type=click.Choice(["mine", "theirs", "text"]),
    help="mine: keep the catalog's text; theirs: the returned one; text: the --text given.",
)
@click.option("--text", default=None, help="The translation to use with --take text.")
@click.option("--reviewer", "-r", default="", metavar="NAME", help="Who settles it (credited).")
@json_option
@click.pass_context
def conflicts_(
    ctx: click.Context,
    langs: tuple[str, ...],
    conflict_id: str | None,
    take: str | None,
    text: str | None,
    reviewer: str,
    as_json: bool,
) -> None:
    """List returned translations kept aside, or settle one with --resolve ID --take."""
    from pipeline.resolve import list_conflicts, resolve

    if conflict_id is None:
        if take or text is not None:
            raise click.UsageError("--take and --text go with --resolve ID")
        found = list_conflicts(settings(ctx), langs)
        if as_json:
            echo(to_json(found))
            return
        for c in found:
            echo(f"{c.id}  {c.lang} {c.doc_id}  {c.path}:{c.line}: {c.note}: {c.reason}")
            echo(f"    English: {c.english}")
            echo(f"    theirs:  {c.theirs}")
            echo(f"    mine:    {c.mine}")
        echo(f"{len(found)} conflict(s) to settle")
        return
    if take is None:
        raise click.UsageError("--resolve needs --take mine|theirs|text")
    done = resolve(settings(ctx), conflict_id, take, text, reviewer, langs)
    if as_json:
        echo(to_json(done))
    else:
        echo(f"{done.id} ({done.lang} {done.doc_id}): took {done.take}, {done.outcome}")
        echo(f"    now:     {done.kept}")
        echo(f"    dropped: {done.dropped}")
        if done.detail:
            echo(f"    kept as a draft, not reviewed: {done.detail}")
    if done.outcome not in ("kept", "reviewed"):
        raise CheckFailed(
            f"conflict {done.id} settled as a {done.outcome}: the entry needs a person"
        )


@review.command(name="invite")
@click.option("--lang", "-l", "lang", required=True, metavar="CODE", help="The language to review.")
@click.option("--reviewer", "-r", required=True, metavar="NAME", help="Who is invited (credited).")
@doc_option
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=None,
    help="How long the link works (default: serve.invite_days, 14).",
)
@json_option
@click.pass_context
def invite(
    ctx: click.Context,
    lang: str,
    reviewer: str,
    docs: tuple[str, ...],
    days: int | None,
    as_json: bool,
) -> None:
    """Make a personal review link for homelang serve (printed once: send it to the reviewer)."""
    from pipeline.invites import create, link

    project = settings(ctx)
    made, token = create(project, lang, reviewer, docs=docs, days=days)
    address = link(project, token)
    if as_json:
        echo(to_json({**dataclasses.asdict(made), "link": address}))
        return
    scope = ", ".join(made.docs) or "every document"
    echo(f"invitation {made.id} for {made.reviewer}: {made.lang}, {scope}, until {made.expires}")
    echo(address)
    echo("This link is shown once and opens the review page; send it to the reviewer only.")


@review.command(name="revoke")
@click.argument("ids", nargs=-1)
@click.option("--reviewer", "-r", default=None, metavar="NAME", help="Every invitation of NAME.")
@json_option
@click.pass_context
def revoke(ctx: click.Context, ids: tuple[str, ...], reviewer: str | None, as_json: bool) -> None:
    """Revoke invitations (by id, see 'review invites', or every one of --reviewer)."""
    from pipeline.invites import revoke as run

    if not ids and reviewer is None:
        raise click.UsageError("name an invitation (see homelang review invites) or --reviewer")
    done = run(settings(ctx), ids, reviewer)
    if as_json:
        echo(to_json(done))
        return
    for i in done:
        echo(f"revoked {i.id} ({i.lang}, {i.reviewer})")
    if not done:
        echo("no invitations to revoke")


@review.command(name="invites")
@lang_option
@json_option
@click.pass_context
def invites_(ctx: click.Context, langs: tuple[str, ...], as_json: bool) -> None:
    """List the review invitations (never their links) and whether each still works."""
    from pipeline.assignments import today
    from pipeline.invites import load

    project = settings(ctx)
    wanted = project.select_languages(langs)
    found = [i for i in load(project) if i.lang in wanted]
    if as_json:
        echo(to_json(found))
        return
    now = today()
    rows = [
        [i.id, i.lang, i.reviewer, ", ".join(i.docs) or "all", i.expires, i.problem(now) or "valid"]
        for i in found
    ]
    echo_table(rows, ["id", "lang", "reviewer", "documents", "expires", "state"])
