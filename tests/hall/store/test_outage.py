"""Which errors are a database outage, and the bounded, backed-off wait at start."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import exc as sa_exc

from hall.store.db import Database
from hall.store.outage import FIRST_DELAY, MAX_DELAY, is_outage, wait_for_database
from tests.tcp_proxy import TcpProxy, free_port


def wrapped(orig: Exception, kind: type[sa_exc.DBAPIError] = sa_exc.OperationalError) -> Exception:
    return kind("SELECT 1", {}, orig)


@pytest.mark.parametrize(
    "error",
    [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        ConnectionResetError(errno.ECONNRESET, "reset by peer"),
        OSError(errno.EHOSTUNREACH, "no route to host"),
        OSError("Multiple exceptions: [Errno 111] Connect call failed ('127.0.0.1', 5432)"),
        TimeoutError(),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.AdminShutdownError("terminating connection"),
        wrapped(sqlite3.OperationalError("unable to open database file")),
        wrapped(sqlite3.OperationalError("database is locked")),
        wrapped(Exception("connection is closed"), sa_exc.InterfaceError),
        sa_exc.TimeoutError("QueuePool limit reached"),
    ],
    ids=repr,
)
def test_connection_failures_are_outages(error: Exception) -> None:
    assert is_outage(error)


@pytest.mark.parametrize(
    "error",
    [
        ValueError("bad value"),
        FileNotFoundError(errno.ENOENT, "no such file"),
        wrapped(sqlite3.OperationalError("no such table: tickets")),
        wrapped(sqlite3.IntegrityError("UNIQUE constraint failed"), sa_exc.IntegrityError),
        asyncpg.exceptions.UniqueViolationError("duplicate key"),
    ],
    ids=repr,
)
def test_other_errors_are_not(error: Exception) -> None:
    assert not is_outage(error)


def test_a_cause_chain_is_followed() -> None:
    outer = RuntimeError("could not run the query")
    outer.__cause__ = ConnectionRefusedError(errno.ECONNREFUSED, "refused")
    assert is_outage(outer)
    assert not is_outage(RuntimeError("a bug"))


class FakeTime:
    """A clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def closed_database() -> Database:
    return Database(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none")


@pytest.mark.asyncio
async def test_the_wait_backs_off_and_gives_up_when_its_time_is_up() -> None:
    db, time = closed_database(), FakeTime()
    wait = 30.0
    try:
        with pytest.raises(OSError, match="Connect call failed") as raised:
            await wait_for_database(db, wait, sleep=time.sleep, clock=time.clock)
    finally:
        await db.dispose()
    assert is_outage(raised.value)
    assert time.sleeps[0] == FIRST_DELAY
    assert all(b >= a for a, b in zip(time.sleeps[:-1], time.sleeps[1:-1], strict=False))
    assert max(time.sleeps) == MAX_DELAY
    assert sum(time.sleeps) == pytest.approx(wait)


@pytest.mark.asyncio
async def test_no_wait_means_one_try() -> None:
    db, time = closed_database(), FakeTime()
    try:
        with pytest.raises(OSError, match="Connect call failed"):
            await wait_for_database(db, 0, sleep=time.sleep, clock=time.clock)
    finally:
        await db.dispose()
    assert time.sleeps == []


@pytest.mark.asyncio
async def test_the_wait_ends_once_the_database_answers(tmp_path: Path) -> None:
    """A SQLite file behind nothing answers at once; a retry loop counts no failure."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path}/ok.db")
    time = FakeTime()
    try:
        assert await wait_for_database(db, 10, sleep=time.sleep, clock=time.clock) == 0
    finally:
        await db.dispose()
    assert time.sleeps == []


@pytest.mark.asyncio
async def test_the_wait_retries_until_the_network_comes_back() -> None:
    """The port opens (a proxy to nowhere answers nothing useful) on the third try: the
    wait keeps retrying through refused and reset connections, then gives up on time."""
    proxy = TcpProxy("127.0.0.1", free_port())  # the target is closed: connections reset
    db = Database(f"postgresql+asyncpg://postgres@127.0.0.1:{proxy.port}/none")
    time = FakeTime()

    async def sleep(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.sleeps) == 2:
            await proxy.open()

    try:
        with pytest.raises(Exception) as raised:  # noqa: PT011 - refused, reset or closed
            await wait_for_database(db, 20, sleep=sleep, clock=time.clock)
    finally:
        await proxy.cut()
        await db.dispose()
    assert is_outage(raised.value)
    assert proxy.connections > 0  # it went on trying after the port opened
    assert len(time.sleeps) > 2
