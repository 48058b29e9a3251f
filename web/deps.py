"""Access to the objects the app factory built, from inside a request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from starlette.requests import HTTPConnection

from hall.publish import Publisher
from hall.settings import Settings
from hall.store.db import Database


def database(conn: HTTPConnection) -> Database:
    """The app's Database."""
    db: Database = conn.app.state.db
    return db


def settings(conn: HTTPConnection) -> Settings:
    """The app's Settings."""
    value: Settings = conn.app.state.settings
    return value


def publisher(conn: HTTPConnection) -> Publisher:
    """Where committed events go (the displays hub)."""
    value: Publisher = conn.app.state.publisher
    return value


def clock(conn: HTTPConnection) -> Callable[[], datetime]:
    """The app's clock (aware UTC); tests may replace it."""
    value: Callable[[], datetime] = conn.app.state.clock
    return value
