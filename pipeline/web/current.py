"""What a request handler needs of the app it runs in: the project and the staff token."""

from __future__ import annotations

import flask

from pipeline.settings import Settings


def project() -> Settings:
    """The settings of the project the current app serves."""
    return flask.current_app.extensions["homelang"]


def staff_token() -> str:
    """This run's staff token (printed by ``homelang serve``)."""
    return flask.current_app.extensions["homelang.staff"]
