"""Telling a database outage from a bug, and waiting for the database at start.

During an outage (the server down or restarting, the network cut, the SQLite file on a
disk that went away) every request fails the same way; the web layer answers 503
``database_unavailable`` with ``Retry-After`` for the errors ``is_outage`` accepts, and
the server's start waits for the database with back-off (``wait_for_database``) instead
of exiting at once. A PostgreSQL pool checks a connection before lending it
(``pool_pre_ping``), so once the database is back, requests succeed again.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from hall.store.db import Database

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5  # what a client is told to wait during an outage
FIRST_DELAY = 0.5
MAX_DELAY = 5.0

# Errors of the connection itself (never of a statement's content).
_CONNECTION_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ENETDOWN,
        errno.EHOSTDOWN,
    }
)
# PostgreSQL SQLSTATE classes of an unavailable server: 08 connection exception,
# 57P01-57P03 admin shutdown, crash shutdown, cannot connect now; 53300 too many
# connections.
_UNAVAILABLE_STATES = ("08", "57P01", "57P02", "57P03", "53300")


def _asyncpg_outage(error: BaseException) -> bool:
    try:
        import asyncpg
    except ImportError:  # pragma: no cover - only without the postgres extra
        return False
    if isinstance(error, asyncpg.exceptions.ConnectionDoesNotExistError):
        return True
    if isinstance(error, asyncpg.exceptions.PostgresError):
        state = str(getattr(error, "sqlstate", "") or "")
        return state.startswith(_UNAVAILABLE_STATES)
    return isinstance(error, asyncpg.exceptions.InterfaceError) and "closed" in str(error)


# SQLite raises OperationalError for bad SQL too; only these mean the file is out of reach.
_SQLITE_OUTAGES = ("unable to open database", "disk i/o error", "database is locked")


def _one_outage(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, sqlite3.Error):
        return any(part in str(error).lower() for part in _SQLITE_OUTAGES)
    if isinstance(error, sa_exc.DBAPIError) and isinstance(error.orig, sqlite3.Error):
        return _one_outage(error.orig)
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DisconnectionError | ConnectionError | TimeoutError):
        return True
    if isinstance(error, OSError) and error.errno in _CONNECTION_ERRNOS:
        return True
    if isinstance(error, OSError) and "connect" in str(error).lower():
        return True  # e.g. "Multiple exceptions: [Errno 111] Connect call failed ..."
    return _asyncpg_outage(error)


def is_outage(error: BaseException) -> bool:
    """True if ``error`` (or what caused it) means the database cannot be reached now."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if _one_outage(current):
            return True
        seen.add(id(current))
        original = getattr(current, "orig", None)
        current = original if isinstance(original, BaseException) else current.__cause__
    return False


async def ping(db: Database) -> None:
    """One round trip to the database; raises what the driver raises."""
    async with db.read() as session:
        await session.execute(text("SELECT 1"))


async def wait_for_database(
    db: Database,
    wait_seconds: float,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Ping until the database answers, backing off from 0.5 s to 5 s between tries, for
    at most ``wait_seconds``; returns the failed tries. Re-raises the last outage error
    when the time is up, and any other error at once."""
    deadline = clock() + max(0.0, wait_seconds)
    delay, failures = FIRST_DELAY, 0
    while True:
        try:
            await ping(db)
            return failures
        except Exception as error:
            if not is_outage(error):
                raise
            left = deadline - clock()
            if left <= 0:
                log.error("The database is still unreachable; giving up: %s", error)
                raise
            failures += 1
            pause = min(delay, left)
            log.warning("The database is unreachable (%s); trying again in %.1f s", error, pause)
            await sleep(pause)
            delay = min(delay * 2, MAX_DELAY)
