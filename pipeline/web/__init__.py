"""``homelang serve``: the review site over the project's own catalogs (Flask, served by waitress).

Two kinds of visitor: coordinators on the machine that runs it (the staff pages, opened
with the token ``serve`` prints) and volunteers holding a personal invitation (one
language, its documents). What a volunteer saves goes through :mod:`pipeline.online`,
the code path of packet import, straight into ``locales/``: there is no second store.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse

import flask
import jinja2
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFError, CSRFProtect

from pipeline.errors import PipelineError
from pipeline.settings import Settings
from pipeline.web import security, staff, volunteer

#: What a volunteer reads of a project problem (a damaged file) the pages cannot get past.
VOLUNTEERS_PROBLEM = (
    "Part of the project cannot be read just now (the coordinators see why on their "
    "page). Please try again later."
)


def create_app(settings: Settings, staff_token: str) -> flask.Flask:
    """The application over ``settings``' project; ``staff_token`` opens the staff pages."""
    app = flask.Flask(__name__)
    app.config.update(
        SECRET_KEY=security.secret_key(settings),
        MAX_CONTENT_LENGTH=security.MAX_REQUEST,
        MAX_FORM_MEMORY_SIZE=security.MAX_REQUEST,
        SESSION_COOKIE_NAME="homelang",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.serve.base_url.startswith("https:"),
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=30),
        WTF_CSRF_TIME_LIMIT=None,  # a volunteer may keep a page open all evening
        WTF_CSRF_SSL_STRICT=False,  # the Referer is never sent (no-referrer): the token decides
        RATELIMIT_STORAGE_URI="memory://",
        RATELIMIT_HEADERS_ENABLED=False,
    )
    app.jinja_env.undefined = jinja2.StrictUndefined
    app.jinja_env.globals["max_text"] = security.MAX_TEXT
    app.extensions["homelang"] = settings
    app.extensions["homelang.staff"] = staff_token
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app)
    staff.register(app, limiter)
    volunteer.register(app, limiter)
    prefix = urllib.parse.unquote(urllib.parse.urlsplit(settings.serve.base_url).path)
    if prefix.rstrip("/"):
        app.wsgi_app = _Prefixed(app.wsgi_app, prefix.rstrip("/"))
    app.after_request(security.secure_headers)
    app.register_error_handler(CSRFError, _csrf_refused)
    app.register_error_handler(PipelineError, _pipeline_error)
    for code in (400, 403, 404, 405, 413, 429, 500):  # 500: a bug still shows our page
        app.register_error_handler(code, _http_error)
    return app


class _Prefixed:
    """The site under the path of ``public_url`` (``/translate``): every link it makes
    carries the prefix, and a request is served with it (a proxy that passes the path
    on) or without it (a proxy that strips it; staff on this machine)."""

    def __init__(self, wsgi_app, prefix: str):
        self.wsgi_app, self.prefix = wsgi_app, prefix

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


def _csrf_refused(error: CSRFError) -> tuple[str, int]:
    message = "This form has expired or did not come from this site. Go back, reload and try again."
    return flask.render_template("error.html", title="Not saved", message=message), 400


def _pipeline_error(error: PipelineError) -> tuple[str, int]:
    """A project problem (a damaged file): its one line for staff, never a traceback; a
    volunteer is told no path or error (the dashboard shows it)."""
    flask.current_app.logger.error("%s", error)
    message = str(error) if staff.is_staff() else VOLUNTEERS_PROBLEM
    return flask.render_template("error.html", title="Cannot go on", message=message), 500


def _http_error(error) -> tuple[str, int]:
    return flask.render_template(
        "error.html", title=error.name, message=error.description
    ), error.code
