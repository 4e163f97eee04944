"""The coordinators' pages: the review matrix, draft previews, invitations.

Opened with the token ``homelang serve`` prints (``/?staff=...``), exchanged at once for
a session cookie holding its digest, so a volunteer who reaches the site through the
district's proxy can never open them; a restart prints a new token and ends old sessions.
"""

from __future__ import annotations

import re

import flask
from flask_limiter import Limiter

from pipeline import dashboard, invites, languages
from pipeline.assignments import today
from pipeline.documents import discover
from pipeline.errors import PipelineError
from pipeline.web import security
from pipeline.web.current import project, staff_token

#: What a language code and a document id may look like in a preview address.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,119}")
_TYPES = {
    "web": "text/html; charset=utf-8",
    "letter": "application/pdf",
    "flyer": "application/pdf",
}


def register(app: flask.Flask, limiter: Limiter) -> None:
    guarded = security.guarding(limiter, exempt_when=_no_wrong_token)
    app.add_url_rule("/", "dashboard", guarded(show_dashboard))
    # the pages behind it are opened with the session: no token to guess, nothing counted
    app.add_url_rule("/preview/<lang>/<doc_id>/<fmt>", "preview", preview)
    app.add_url_rule("/invitations", "invite", invite, methods=["POST"])
    app.add_url_rule("/invitations/<invite_id>", "made", made)
    app.add_url_rule("/invitations/<invite_id>/revoke", "revoke", revoke, methods=["GET", "POST"])


def _no_wrong_token() -> bool:
    """Whether the address carries no staff token (the session decides) or the right one."""
    given = flask.request.args.get("staff")
    return given is None or security.same_token(given, staff_token())


def is_staff() -> bool:
    """Whether this session was opened with this run's staff token."""
    expected = security.staff_digest(staff_token())
    return security.same_token(flask.session.get("staff", ""), expected)


def require_staff() -> None:
    if not is_staff():
        flask.abort(
            403,
            "The coordinators' pages open with the address `homelang serve` printed "
            "when it started (it ends with ?staff=...).",
        )


def show_dashboard() -> flask.typing.ResponseReturnValue:
    given = flask.request.args.get("staff")
    if given is not None:  # exchange the token for a cookie; it leaves the address bar
        token = staff_token()
        if not security.same_token(given, token):
            flask.abort(
                403,
                "This staff address is not (or no longer) valid: use the one "
                "`homelang serve` printed last.",
            )
        flask.session.clear()
        flask.session["staff"] = security.staff_digest(token)
        return flask.redirect(flask.url_for("dashboard"), 303)
    require_staff()
    settings = project()
    now = today()
    every = invites.load(settings)
    return flask.render_template(
        "dashboard.html",
        matrix=dashboard.matrix(settings, [i for i in every if not i.problem(now)]),
        bar_states=dashboard.BAR_STATES,
        invitations=sorted(every, key=lambda i: (bool(i.problem(now)), i.lang, i.reviewer)),
        now=now,
        languages=[languages.get(code) for code in settings.languages],
        documents=discover(settings.source_path, settings.root),
        days=settings.serve.invite_days,
    )


def invite() -> flask.typing.ResponseReturnValue:
    """Make an invitation from the dashboard's form; its link is shown this once."""
    require_staff()
    settings = project()
    form = flask.request.form
    try:
        days = int(form.get("days", ""))
    except ValueError:
        days = -1
    try:
        made, token = invites.create(
            settings,
            form.get("lang", ""),
            form.get("reviewer", ""),
            tuple(form.getlist("doc")),
            days,
        )
    except PipelineError as error:  # no such language or document, no name, days out of range
        flask.flash(f"No invitation made: {error}", "warning")
        return flask.redirect(flask.url_for("dashboard"), 303)
    # POST, redirect, GET: a reload or a double tap shows the page again, makes no second one
    flask.session["made"] = [made.id, invites.link(settings, token)]
    return flask.redirect(flask.url_for("made", invite_id=made.id), 303)


def made(invite_id: str) -> str:
    """The invitation just made, with its link the first time only (kept in the session
    until then: the staff member's own cookie)."""
    require_staff()
    pending = flask.session.pop("made", None)
    link = pending[1] if isinstance(pending, list) and pending[0] == invite_id else ""
    return flask.render_template("invitation.html", invite=_invitation(invite_id), link=link)


def _invitation(invite_id: str) -> invites.Invite:
    found = [i for i in invites.load(project()) if i.id == invite_id]
    if not found:
        flask.abort(404, f"No invitation {invite_id}.")
    return found[0]


def revoke(invite_id: str) -> flask.typing.ResponseReturnValue:
    """Revoke an invitation: GET asks first (whose, until when), POST does it."""
    require_staff()
    if flask.request.method == "GET":
        return flask.render_template("revoke.html", invite=_invitation(invite_id))
    try:
        done = invites.revoke(project(), (invite_id,))
    except invites.InviteError as error:
        flask.flash(str(error), "warning")
    else:
        flask.flash(f"Revoked {invite_id}." if done else f"{invite_id} was revoked already.")
    return flask.redirect(flask.url_for("dashboard"), 303)


def preview(lang: str, doc_id: str, fmt: str) -> flask.Response:
    """A draft output the build wrote (web snippet, letter or flyer PDF), never a letter
    of a mail merge: only the three per-document names under build/<lang>/ are served."""
    require_staff()
    settings = project()
    if (
        fmt not in _TYPES
        or lang not in settings.languages
        or not _NAME.fullmatch(doc_id)
        or not _NAME.fullmatch(lang)
    ):
        flask.abort(404)
    path = dashboard.preview_path(settings, lang, doc_id, fmt)
    inside = path.resolve().is_relative_to(settings.build_path.resolve() / lang)
    if path.is_symlink() or not inside or not path.is_file():
        flask.abort(404, "Not built: run `homelang build --draft`.")
    response = flask.send_file(path, mimetype=_TYPES[fmt], max_age=0)
    response.headers["Content-Security-Policy"] = security.PREVIEW_POLICY
    return response
