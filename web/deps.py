"""Access to the objects the app factory built, from inside a request."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from hall.db import Database
from hall.settings import Settings


def database(conn: HTTPConnection) -> Database:
    """The app's Database."""
    db: Database = conn.app.state.db
    return db


def settings(conn: HTTPConnection) -> Settings:
    """The app's Settings."""
    value: Settings = conn.app.state.settings
    return value
