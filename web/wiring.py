"""Build the hub the settings ask for, and the board loader it reads the database with."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.engine import make_url

from displays.announce import Voice
from displays.backends import Backend, MemoryBackend, PostgresBackend, RedisBackend
from displays.feed import Loader
from displays.hub import Hub
from displays.messages import ScreenEvent
from hall.calling.board import last_seq_of, load_board, read_outbox
from hall.errors import NotFound
from hall.settings import Settings
from hall.store.db import Database

BACKENDS = ("memory", "postgres", "redis")
# A board re-read after calls waits up to this long to ride on the next call's message.
BOARD_HOLD_SECONDS = 1.0


def asyncpg_dsn(database_url: str) -> str:
    """A SQLAlchemy ``postgresql+asyncpg://`` URL as a plain DSN for asyncpg."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        raise ValueError(
            "HALL_DISPLAY_BACKEND=postgres needs a PostgreSQL HALL_DATABASE_URL, "
            f"not {url.get_backend_name()}"
        )
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def redis_channel(database_url: str) -> str:
    """The Redis channel of the processes on one database (a Redis may serve several:
    a batch numbered by another database's outbox must never reach these screens)."""
    url = make_url(database_url)
    identity = f"{url.get_backend_name()}://{url.host}:{url.port}/{url.database}"
    return f"tongban:screens:{hashlib.sha256(identity.encode()).hexdigest()[:16]}"


def make_backend(settings: Settings) -> Backend:
    """The backend named by HALL_DISPLAY_BACKEND; raises ValueError for an unknown one."""
    name = settings.display_backend
    if name == "memory":
        return MemoryBackend()
    if name == "postgres":
        return PostgresBackend(asyncpg_dsn(settings.database_url))
    if name == "redis":
        return RedisBackend(settings.redis_url, channel=redis_channel(settings.database_url))
    raise ValueError(f"HALL_DISPLAY_BACKEND must be one of {', '.join(BACKENDS)}, not {name!r}")


def make_hub(settings: Settings) -> Hub:
    """The hub for a server process, from its settings."""
    return Hub(
        make_backend(settings),
        Voice(settings.announce_languages, settings.announce_repeat),
        max_queue=settings.screen_queue,
        heartbeat_seconds=settings.screen_heartbeat_seconds,
        board_hold_seconds=BOARD_HOLD_SECONDS,
    )


def database_loader(db: Database, clock: Callable[[], datetime]) -> Loader:
    """Read a hall's board from the database (None for an unknown hall)."""

    async def load(hall_id: str) -> dict[str, Any] | None:
        try:
            board = await load_board(db, hall_id, clock())
        except NotFound:
            return None
        return board.to_json()

    return load


class DatabaseOutbox:
    """The hall's numbered screen events from ``screen_outbox`` (``displays.feed.Outbox``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def after(self, hall_id: str, seq: int, limit: int) -> list[ScreenEvent]:
        entries = await read_outbox(self.db, hall_id, seq, limit)
        return [
            ScreenEvent(
                seq=entry.seq,
                kind=entry.kind,
                at=entry.at.isoformat(),
                ticket=entry.payload.get("ticket"),
                window=entry.payload.get("window"),
                status=entry.payload.get("status"),
            )
            for entry in entries
        ]

    async def head(self, hall_id: str, upto: int, kinds: tuple[str, ...]) -> int:
        return await last_seq_of(self.db, hall_id, upto, kinds)
