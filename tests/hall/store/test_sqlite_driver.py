"""The one-trip SQLite driver answers as the standard library's sqlite3 does, in one trip
(or none, inside a write transaction).

The truth is a plain ``sqlite3`` connection running the same statements on a copy of
the same data: rows, row counts, last row ids and errors must agree.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from hall.store import sqlite_driver
from hall.store.db import Database

pytestmark = pytest.mark.asyncio


class Failed(Exception):
    pass


SETUP = (
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER)",
    "INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)",
)
STATEMENTS = (
    ("SELECT id, name, n FROM t ORDER BY id", {}),
    ("UPDATE t SET n = n + 1 WHERE n >= :low", {"low": 2}),
    ("INSERT INTO t (name, n) VALUES (:name, 7)", {"name": "d"}),
    ("UPDATE t SET n = 0 WHERE name = :name RETURNING id, n", {"name": "b"}),
    ("DELETE FROM t WHERE n > :high", {"high": 100}),
    ("SELECT count(*), sum(n) FROM t", {}),
)


class Trips:
    count = 0


def trip_counter() -> tuple[Trips, Any, Any]:
    """A stand-in for ``OneTripConnection._execute`` that counts the trips it makes."""
    trips = Trips()
    original = sqlite_driver.OneTripConnection._execute

    async def counted(
        self: sqlite_driver.OneTripConnection, *args: object, **kwargs: object
    ) -> object:
        trips.count += 1
        return await original(self, *args, **kwargs)

    return trips, counted, original


def truth(path: Path) -> list[tuple[list[tuple[object, ...]], int, int | None]]:
    conn = sqlite3.connect(path, isolation_level=None)
    answers = []
    for sql, params in STATEMENTS:
        cursor = conn.execute(sql, params)
        rows = cursor.fetchall() if cursor.description else []
        answers.append(([tuple(r) for r in rows], cursor.rowcount, cursor.lastrowid))
    conn.close()
    return answers


@pytest.mark.parametrize("kind", ["write", "read"])
async def test_rows_counts_and_ids_are_those_of_sqlite3(tmp_path: Path, kind: str) -> None:
    for name in ("ours.db", "plain.db"):
        plain = sqlite3.connect(tmp_path / name)
        for sql in SETUP:
            plain.execute(sql)
        plain.commit()
        plain.close()
    expected = truth(tmp_path / "plain.db")
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'ours.db'}")
    trips, counted, original = trip_counter()

    try:
        async with db.write() if kind == "write" else db.read() as session:
            conn = await session.connection()  # BEGIN IMMEDIATE (write) or BEGIN (read)
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, sqlite_driver.OneTripConnection)
            assert driver.writing == (kind == "write")
            sqlite_driver.OneTripConnection._execute = counted  # type: ignore[method-assign]
            got = []
            for sql, params in STATEMENTS:
                result = await session.execute(text(sql), params)
                rows = [tuple(r) for r in result.all()] if result.returns_rows else []
                cursor = result.context.cursor
                got.append((rows, result.rowcount, cursor.lastrowid))
            sqlite_driver.OneTripConnection._execute = original  # type: ignore[method-assign]
        assert got == expected
        # Holding the write lock, statements run in place; otherwise one trip each.
        assert trips.count == (0 if kind == "write" else len(STATEMENTS))
        assert not driver.writing  # the transaction ended
        async with db.read() as session:  # what the write committed, seen by another reader
            final = (await session.execute(text(STATEMENTS[-1][0]))).one()
        assert tuple(final) == expected[-1][0][0]
    finally:
        sqlite_driver.OneTripConnection._execute = original  # type: ignore[method-assign]
        await db.dispose()


async def test_many_rows_and_errors(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    try:
        async with db.write() as session:
            await session.execute(text(SETUP[0]))
            rows = [{"name": f"n{i}", "n": i} for i in range(500)]
            await session.execute(text("INSERT INTO t (name, n) VALUES (:name, :n)"), rows)
            result = await session.execute(text("SELECT n FROM t ORDER BY n"))
            assert [r[0] for r in result] == list(range(500))
        with pytest.raises(IntegrityError):
            async with db.write() as session:
                await session.execute(text("INSERT INTO t (name, n) VALUES ('n1', 0)"))
        with contextlib.suppress(Failed):  # a write that succeeded, then the action failed
            async with db.write() as session:
                await session.execute(text("INSERT INTO t (name, n) VALUES ('late', 0)"))
                raise Failed
        async with db.read() as session:
            assert await session.scalar(text("SELECT count(*) FROM t")) == 500
        assert (await db.fetch_one(text("SELECT count(*) FROM t"))) == (500,)
    finally:
        await db.dispose()


async def test_no_trip_to_end_a_transaction_that_is_not_open(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    try:
        async with db.write() as session:
            raw = (await (await session.connection()).get_raw_connection()).driver_connection
        assert isinstance(raw, sqlite_driver.OneTripConnection)
        trips = 0
        original = raw._execute

        async def counted(*args: object) -> object:
            nonlocal trips
            trips += 1
            return await original(*args)

        raw._execute = counted  # type: ignore[method-assign]
        await raw.commit()
        await raw.rollback()
        assert trips == 0
        await (await raw.cursor().execute("BEGIN")).close()
        await raw.rollback()
        assert trips == 2  # BEGIN, then a real rollback
        assert raw._idle()
    finally:
        await db.dispose()


async def test_waiting_for_another_writer_does_not_hold_up_the_event_loop(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE waits on the connection's thread, never on the event loop's."""
    path = tmp_path / "h.db"
    db = Database(f"sqlite+aiosqlite:///{path}")
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with db.write() as session:
            await session.execute(text(SETUP[0]))
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock

        async def write() -> None:
            async with db.write() as session:
                await session.execute(text("INSERT INTO t (name, n) VALUES ('x', 1)"))

        writer = asyncio.create_task(write())
        # The loop keeps turning while the writer waits (were it blocked, these sleeps
        # would not end before the writer gave up with "database is locked").
        for _ in range(20):
            await asyncio.sleep(0.01)
        assert not writer.done()
        other.execute("COMMIT")
        await asyncio.wait_for(writer, 10)
        assert (await db.fetch_one(text("SELECT count(*) FROM t"))) == (1,)
    finally:
        other.close()
        await db.dispose()


async def test_a_single_lookup_runs_in_place(tmp_path: Path) -> None:
    """Database.fetch_one makes no trip on SQLite, and leaves later reads on the thread."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'h.db'}")
    trips, counted, original = trip_counter()

    try:
        async with db.write() as session:
            await session.execute(text(SETUP[0]))
            await session.execute(text(SETUP[1]))
        lookup = text("SELECT n FROM t WHERE name = :name")
        await db.fetch_one(lookup, {"name": "a"})  # opens the connection kept for lookups
        async with db.read() as session:  # and the pool opens another one for the rest
            await session.execute(text("SELECT 1"))
        sqlite_driver.OneTripConnection._execute = counted  # type: ignore[method-assign]
        row = await db.fetch_one(lookup, {"name": "b"})
        assert row == (2,)
        assert trips.count == 0
        assert not sqlite_driver.IN_PLACE.get()
        async with db.read() as session:
            await session.execute(text("SELECT n FROM t"))
        assert trips.count == 3  # BEGIN, the statement and COMMIT, on the connection's thread
        # The lookup connection is kept, and each lookup sees what committed before it.
        async with db.write() as session:
            await session.execute(text("UPDATE t SET n = 21 WHERE name = 'b'"))
        trips.count = 0
        assert await db.fetch_one(lookup, {"name": "b"}) == (21,)
        with pytest.raises(OperationalError):  # a failed lookup drops its connection ...
            await db.fetch_one(text("SELECT nothing FROM t"))
        assert await db.fetch_one(lookup, {"name": "b"}) == (21,)  # ... and the next opens one
        assert trips.count == 0
    finally:
        sqlite_driver.OneTripConnection._execute = original  # type: ignore[method-assign]
        await db.dispose()
