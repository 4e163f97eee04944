"""The volunteer's pages: an invitation opens one language's entries, one at a time or listed.

``/invite/<token>`` puts the token's SHA-256 (never the token) in the session cookie
and redirects, so the token leaves the address bar and the history; every later request
looks the invitation up again by it (a revoked or expired one gets 403 at once). Saves go through
:func:`pipeline.online.save`, the code path of packet import.
"""

from __future__ import annotations

import re

import flask
from flask_limiter import Limiter

from pipeline import invites, languages, online
from pipeline.web import security
from pipeline.web.current import project
from pipeline.web.diff import word_diff

#: How many invitations one browser keeps open at once (the cookie stays small).
KEPT_INVITES = 8
ACTIONS = ("confirm", "draft", "skip", "keep")  # keep: the saved version, beside a conflict
#: Why a text cannot be saved for an entry the invitation no longer shows.
GONE = (
    "This paragraph's English was rewritten or removed since you opened it, so a text "
    "cannot be saved for it here: copy yours, then find the paragraph in the entries as "
    "they are now."
)
#: An entry key as a form may name one (assignments.entry_key: 16 hex digits).
_KEY = re.compile(r"[0-9a-f]{16}")
#: A plural form's text box (ASCII digits only: "²" is a digit to str.isdigit).
_PLURAL_FIELD = re.compile(r"text-([0-9]{1,2})")
#: A note that quotes a translation after its English label (see review.entry_notes).
_QUOTING = re.compile(r"((?:Reviewed translation|Earlier suggestion)\b.*?\): )(.*)", re.DOTALL)


def register(app: flask.Flask, limiter: Limiter) -> None:
    guessing = security.guarding(limiter, exempt_when=_known_token)
    app.add_url_rule("/invite/<token>", "open_invitation", guessing(open_invitation))
    # The pages behind it hold no token to guess (the cookie is signed): their refusals are
    # not counted, or one stranger behind the district's proxy would lock everyone out.
    app.add_url_rule("/review/<invite_id>/", "entries", entries)
    app.add_url_rule("/review/<invite_id>/<key>", "entry", entry, methods=["GET", "POST"])
    per_invitation = limiter.limit(
        f"{security.CHECKS_PER_MINUTE} per minute",
        key_func=lambda: flask.request.view_args["invite_id"],
        exempt_when=_not_opened,  # the id is not secret: a stranger's 403s use up nothing
    )
    app.add_url_rule(
        "/review/<invite_id>/<key>/check", "check", per_invitation(check), methods=["POST"]
    )
    app.register_error_handler(invites.InviteError, _refused)
    app.register_error_handler(online.OnlineError, _refused)


def open_invitation(token: str) -> flask.Response:
    invite = invites.lookup(project(), token)
    kept = dict(flask.session.get("invites", {}))
    kept.pop(invite.id, None)
    kept[invite.id] = invites.digest(token)  # enough to look it up again; the token stays out
    flask.session["invites"] = dict(list(kept.items())[-KEPT_INVITES:])
    flask.session.permanent = True
    return flask.redirect(flask.url_for("entries", invite_id=invite.id), 303)


def _known_token() -> bool:
    """Whether the address's token is one an invitation was made with (valid, or a
    volunteer's expired or revoked link): only unknown tokens count as guesses."""
    try:
        invites.lookup(project(), flask.request.view_args["token"])
    except invites.UnknownInvite:
        return False
    except invites.InviteError:
        return True
    return True


def _not_opened() -> bool:
    """Whether this browser never opened the address's invitation (the cookie is signed)."""
    return flask.request.view_args["invite_id"] not in flask.session.get("invites", {})


def current(invite_id: str) -> invites.Invite:
    """The session's invitation ``invite_id``, looked up again now (revoked, expired: 403)."""
    digest = flask.session.get("invites", {}).get(invite_id)
    if not isinstance(digest, str):
        flask.abort(403, "Open your invitation link again to come back to this page.")
    invite = invites.find(project(), digest)
    if invite.id != invite_id:
        flask.abort(403)
    return invite


def entries(invite_id: str) -> str:
    invite = current(invite_id)
    queue = online.queue(project(), invite)
    return flask.render_template(
        "entries.html",
        invite=invite,
        language=_language(invite),
        queue=queue,
        unreadable=online.unreadable(project(), invite),
        **_progress(queue),
    )


def entry(invite_id: str, key: str) -> flask.typing.ResponseReturnValue:
    invite = current(invite_id)
    settings = project()
    if flask.request.method == "GET":
        return _page(invite, online.item(settings, invite, key))
    form = flask.request.form
    action = form.get("action", "")
    if action not in ACTIONS:
        flask.abort(400, "Choose Confirm, Save draft or Skip.")
    if action == "skip":
        return _next(invite, key)
    if action == "keep":
        online.keep_saved(settings, invite, key, form.get("conflict", ""))
        flask.flash("Kept the saved version.", "saved")
        return _next(invite, key)
    text = _text(form)
    try:
        result = online.save(settings, invite, key, form.get("base", ""), text, action == "confirm")
    except online.OnlineError as error:  # busy, the entry gone, or the text refused
        return _not_saved(invite, key, text, action, error.message, isinstance(error, online.Busy))
    if result.outcome == "refused":
        return _not_saved(invite, key, text, action, result.detail, busy=False)
    if result.item is None:  # removed from the document meanwhile, and the text was empty
        flask.flash(result.detail or "This entry is no longer in the document.", "warning")
        return _next(invite, key)
    if result.outcome == "conflict":
        return flask.render_template(
            "conflict.html",
            invite=invite,
            language=_language(invite),
            item=result.item,
            mine=text,
            result=result,
            why=_why_kept_aside(result, key, form.get("base", "")),
        )
    if result.outcome == "check-error":
        return _page(invite, result.item, text=text, result=result)
    for finding in result.findings:
        flask.flash(f"{finding.level}: {finding.message}", "warning")
    flask.flash(_SAVED.get(result.outcome, result.detail), "saved")
    return _next(invite, key)


def _not_saved(
    invite: invites.Invite, key: str, text: online.Text, action: str, why: str, busy: bool
) -> flask.Response:
    """The volunteer's text back in front of them, with why it was not saved: the entry's
    page (busy: 503, to send again; refused: 422), or, its English rewritten or removed
    meanwhile, the text to copy and the entries as they are now (409)."""
    shown = _still_there(invite, key)
    if shown is None:
        page = flask.render_template(
            "error.html",
            title="Not saved: this paragraph changed",
            message=GONE,
            language=_language(invite),
            kept=text,
            back=flask.url_for("entries", invite_id=invite.id),
        )
        return flask.make_response(page, 409)
    if busy:  # another command (or many saves) holds the catalogs
        answer = flask.make_response(_page(invite, shown, text, busy=action), 503)
        answer.headers["Retry-After"] = "5"
        return answer
    return flask.make_response(_page(invite, shown, text, refused=why), 422)


def _still_there(invite: invites.Invite, key: str) -> online.Item | None:
    """The entry ``key`` as the invitation shows it now, or None (its English rewritten
    or removed since the page was opened)."""
    try:
        return online.item(project(), invite, key)
    except online.OnlineError:
        return None


def _why_kept_aside(result: online.SaveResult, key: str, base: str) -> str:
    """Why a save was kept aside: "english" (it changed), "meanwhile" (someone saved the
    entry since the page was opened), "errors" (the checks', on a reviewed text) or
    "draft" (a draft never replaces a reviewed translation)."""
    if result.item.key != key:
        return "english"
    if result.item.base != base:
        return "meanwhile"
    return "errors" if any(f.level == "error" for f in result.findings) else "draft"


def check(invite_id: str, key: str) -> flask.Response:
    """The findings of the quality checks on a text not saved yet (JSON, for review.js)."""
    invite = current(invite_id)
    try:
        findings = online.check(project(), invite, key, _text(flask.request.form))
    except online.OnlineError as error:  # the text refused, or the entry gone: said at once
        why = error.message if _still_there(invite, key) else GONE
        return flask.jsonify(findings=[{"level": "error", "check": "text", "message": why}])
    return flask.jsonify(
        findings=[{"level": f.level, "check": f.check_id, "message": f.message} for f in findings]
    )


_SAVED = {
    "reviewed": "Confirmed. Thank you!",
    "draft": "Draft saved.",
    "unchanged": "Already saved as it is.",
    "left": "Nothing changed: left as it was.",
}


def _text(form) -> online.Text:
    """The text the form sent (``text``, or ``text-0``, ``text-1``... for plural forms),
    with a browser's CRLF line ends made LF again."""
    if "text" in form:
        return form["text"].replace("\r\n", "\n")
    forms = {}
    for name, value in form.items():
        if name.startswith("text-"):
            number = _PLURAL_FIELD.fullmatch(name)
            if number is None:
                flask.abort(400, "A translation comes in the field text, or text-0, text-1...")
            forms[int(number.group(1))] = value.replace("\r\n", "\n")
    return forms


def _page(
    invite: invites.Invite,
    item: online.Item,
    text=None,
    result=None,
    busy: str = "",
    refused: str = "",
) -> str:
    """The entry's page; ``busy``: the action a busy lock kept from saving ``text``;
    ``refused``: why ``text`` was not saved."""
    queue = online.queue(project(), invite)
    keys = [i.key for i in queue]
    where = keys.index(item.key) if item.key in keys else None
    return flask.render_template(
        "entry.html",
        invite=invite,
        language=_language(invite),
        item=item,
        text=item.text if text is None else _in_boxes(text, item.text),
        result=result,
        busy=busy,
        refused=refused,
        notes=[note_parts(note) for note in item.notes],
        changes=word_diff(item.previous_msgid, item.msgid) if item.previous_msgid else None,
        previous=keys[where - 1] if where else None,
        following=keys[where + 1] if where is not None and where + 1 < len(keys) else None,
        upcoming=_upcoming(queue, item.key),
        **_progress(queue),
    )


def _in_boxes(text: online.Text, boxes: online.Text) -> online.Text:
    """The volunteer's ``text`` in the entry's boxes (one, or one per plural form): a
    form sent in other fields is shown whole, never dropped."""
    if isinstance(boxes, str):
        return text if isinstance(text, str) else "\n".join(v for _, v in sorted(text.items()))
    forms = dict(text) if isinstance(text, dict) else {0: text}
    shown = {n: forms.pop(n, "") for n in boxes}
    extra = [v for _, v in sorted(forms.items()) if v]
    if extra:  # more forms than the language has: on to the last box
        last = max(shown)
        shown[last] = "\n".join(filter(None, [shown[last], *extra]))
    return shown


def note_parts(note: str) -> tuple[str, str]:
    """(the English of a note, the translation it quotes or ""): each read in its own
    language by a screen reader."""
    quoting = _QUOTING.fullmatch(note)
    return (quoting.group(1), quoting.group(2)) if quoting else (note, "")


def _upcoming(queue: list[online.Item], after: str) -> str:
    """The next entry that still needs a person after ``after`` (round the list), or ""."""
    keys = [i.key for i in queue]
    start = keys.index(after) + 1 if after in keys else 0
    for item in queue[start:] + queue[:start]:
        if item.state != "reviewed" and item.key != after:
            return item.key
    return ""


def _next(invite: invites.Invite, after: str) -> flask.Response:
    """On to the entry the page named as next (saves need not build the queue again), or
    the one :func:`_upcoming` finds now; the list when none is left."""
    upcoming = flask.request.form.get("next")
    if upcoming is None or not (upcoming == "" or _KEY.fullmatch(upcoming)):
        upcoming = _upcoming(online.queue(project(), invite), after)
    if upcoming:
        return flask.redirect(flask.url_for("entry", invite_id=invite.id, key=upcoming), 303)
    return flask.redirect(flask.url_for("entries", invite_id=invite.id), 303)


def _progress(queue: list[online.Item]) -> dict[str, int]:
    return {"left": sum(i.state != "reviewed" for i in queue), "total": len(queue)}


def _language(invite: invites.Invite) -> dict[str, str]:
    language = languages.get(invite.lang)
    return {
        "code": invite.lang,
        "tag": invite.lang.replace("_", "-"),
        "dir": language.direction,
        "name": language.native_name,
        "english_name": language.english_name,
    }


def _refused(error: invites.InviteError | online.OnlineError) -> tuple[str, int]:
    """403 for an invitation or entry out of reach (503 when the catalogs are busy); for
    an entry, with the way back to the invitation's entries."""
    invite_id = (flask.request.view_args or {}).get("invite_id")
    back = {}
    if isinstance(error, online.OnlineError) and invite_id in flask.session.get("invites", {}):
        back["back"] = flask.url_for("entries", invite_id=invite_id)
    if isinstance(error, online.Busy):  # "Keep the saved version" while the catalogs are held
        message = "Another homelang task is saving the translations: try again in a moment."
        page = flask.render_template("error.html", title="Busy", message=message, **back)
        return page, 503
    page = flask.render_template("error.html", title="Not allowed", message=str(error), **back)
    return page, 403
