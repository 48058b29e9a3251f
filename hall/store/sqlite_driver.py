"""aiosqlite with one trip to the connection's thread per statement.

SQLAlchemy's aiosqlite adapter makes four trips to the driver's thread for each
statement (open a cursor, execute, fetch, close), and every trip costs the event loop a
wake-up and a thread switch: about a tenth of a millisecond of the server's CPU, which
for a ticket action of ten statements was more than the work itself. Here a cursor runs
the statement, reads all its rows and closes in one function on the connection's
thread; the rows, ``description``, ``rowcount`` and ``lastrowid`` are then plain
attributes. A commit or rollback with no transaction open (the pool's rollback after
every commit) makes no trip. Everything else (the thread, errors) is aiosqlite's own.

Once a connection holds SQLite's write lock (its ``BEGIN IMMEDIATE`` has returned), its
statements run at once on the caller's thread, with no trip at all, until the
transaction ends; the ``COMMIT`` (which waits for the disk) and ``ROLLBACK`` go to the
connection's thread again. Inside a write transaction a statement waits for no lock
(WAL mode: readers never block the one writer) and the hall's statements are small
indexed ones, so running them in place costs the event loop less than the trip would,
and the write lock is held for a shorter time. ``BEGIN IMMEDIATE`` itself stays on the
thread, since it may wait for another process's write lock.

It relies on aiosqlite 0.22's private parts: ``Connection._execute`` (queue a function
for the connection's thread), ``_tx`` (that queue) and ``_thread``; the whole test suite
runs through them. The connection's thread runs ``_worker`` below rather than
aiosqlite's own loop, which raises in the thread when an answer is due to an event loop
that has closed meanwhile (a connection dropped without being closed, its stop queued
from the garbage collector just before its loop ended).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextvars import ContextVar
from functools import partial
from threading import Thread
from typing import Any, cast

import aiosqlite
from aiosqlite.core import _STOP_RUNNING_SENTINEL

_Outcome = tuple[Any, int, int | None, list[Any]]
BEGIN_WRITE = "BEGIN IMMEDIATE"  # what hall.store.db issues to start a write transaction

# Set around one small read that is to run in place too (``Database.fetch_one``: a
# lookup by key, made on every staff request; a WAL reader waits for no writer).
IN_PLACE: ContextVar[bool] = ContextVar("tongban_sqlite_in_place", default=False)


def _run(conn: sqlite3.Connection, many: bool, sql: str, parameters: Any) -> _Outcome:
    cursor = conn.executemany(sql, parameters) if many else conn.execute(sql, parameters)
    try:
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _settle(future: Any, result: Any, error: BaseException | None) -> None:
    if future.done():  # the caller was cancelled meanwhile
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


def _worker(queue: Any) -> None:
    """Run the connection's queued functions in order until the stop function has run.

    An answer due to an event loop that has closed meanwhile is dropped: nobody can
    wait for it any more."""
    while True:
        future, function = queue.get()
        result: Any = None
        error: BaseException | None = None
        try:
            result = function()
        except BaseException as exc:
            error = exc
        if future is not None:
            with contextlib.suppress(RuntimeError):  # "Event loop is closed"
                future.get_loop().call_soon_threadsafe(_settle, future, result, error)
        if result is _STOP_RUNNING_SENTINEL:
            return


class OneTripCursor:
    """The part of aiosqlite's cursor that SQLAlchemy uses, one thread trip per statement."""

    __slots__ = ("_connection", "_rows", "arraysize", "description", "lastrowid", "rowcount")

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self.arraysize = 1

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def _go(self, many: bool, sql: str, parameters: Any) -> OneTripCursor:
        connection = self._connection
        if connection.writing or IN_PLACE.get():
            outcome = _run(connection._conn, many, sql, parameters)
        else:
            queue_call = cast(Callable[..., Awaitable[_Outcome]], connection._execute)
            outcome = await queue_call(partial(_run, connection._conn, many), sql, parameters)
            if sql == BEGIN_WRITE:
                connection.writing = True
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> OneTripCursor:
        return await self._go(False, sql, () if parameters is None else parameters)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> OneTripCursor:
        return await self._go(True, sql, parameters)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self.arraysize if size is None else size
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    """An aiosqlite connection whose cursors make one thread trip per statement, and
    none inside a write transaction."""

    writing = False  # holds the write lock: statements run on the caller's thread

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        self._thread = Thread(target=_worker, args=(self._tx,))

    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def _idle(self) -> bool:
        # Read on the event loop's thread: only this connection's user could start a
        # transaction, and it is here, not on the driver's thread.
        return self._connection is not None and not self._connection.in_transaction

    async def commit(self) -> None:
        self.writing = False
        if not self._idle():  # nothing to commit: no trip
            await super().commit()

    async def rollback(self) -> None:
        self.writing = False
        # The pool rolls back every connection it takes back, most often right after a
        # commit: then there is nothing to roll back, and no trip is made.
        if not self._idle():
            await super().rollback()


def connect(database: str, **kwargs: Any) -> OneTripConnection:
    """Like ``aiosqlite.connect``: await the result to open the connection."""

    def connector() -> sqlite3.Connection:
        # Used from the event loop's thread inside write transactions (never at the same
        # time as from its own thread: every trip is awaited); SQLite serialises anyway.
        options = {**kwargs, "check_same_thread": False}
        return sqlite3.connect(database, **options)  # type: ignore[no-any-return]

    return OneTripConnection(connector, iter_chunk_size=64)
