"""Engines and transactions: one code path for SQLite (default) and PostgreSQL (scale).

SQLite runs in WAL mode with ``synchronous=FULL`` (a confirmed booking must survive a
power cut). Write transactions start with ``BEGIN IMMEDIATE`` and are handed out one
at a time, first come first served, through an ``asyncio.Lock``; reads use deferred
transactions on other connections and never wait for the writer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Row, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.sql.base import Executable

from hall.store import sqlite_driver
from hall.store.memo import Memo

WRITE_OPTION = "tongban_write"
_SINGLE_OPTION = "tongban_single_statement"  # SQLite: no BEGIN (see Database.fetch_one)


class Database:
    """The hall's database: engine plus read and write transaction factories."""

    def __init__(self, url: str | URL, *, connect_args: Mapping[str, Any] | None = None) -> None:
        self.url = make_url(url)
        self.is_sqlite = self.url.get_backend_name() == "sqlite"
        if self.is_sqlite:
            self.engine = _sqlite_engine(self.url)
        else:
            self.engine = create_async_engine(
                self.url,
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                connect_args=dict(connect_args or {}),
            )
        self._write_lock: asyncio.Lock | None = None
        self._lookup_lock: asyncio.Lock | None = None
        self._lookup: AsyncConnection | None = None  # SQLite: kept for fetch_one
        # Per-process copies that readers check against the database before use.
        self.memo = Memo()

    def _session(self, bind: Any) -> AsyncSession:
        return AsyncSession(bind=bind, expire_on_commit=False)

    @property
    def write_lock(self) -> asyncio.Lock:
        # Created lazily so that it binds to the running event loop.
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        return self._write_lock

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: commits on success, rolls back on any exception."""
        if not self.is_sqlite:
            async with self._session(self.engine) as session, session.begin():
                yield session
            return
        async with self.write_lock, self.engine.connect() as conn:
            conn = await conn.execution_options(**{WRITE_OPTION: True})
            async with self._session(conn) as session, session.begin():
                yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        """A read-only transaction (a consistent snapshot; never blocks on writers)."""
        async with self._session(self.engine) as session, session.begin():
            yield session

    async def fetch_one(
        self, statement: Executable, params: Mapping[str, Any] | None = None
    ) -> Row[Any] | None:
        """The first row of one small read-only statement, outside any ORM session.

        For lookups made on every request. On SQLite it runs on the event loop's thread,
        on one connection kept for these lookups (no pool checkout, no BEGIN: one
        statement is its own snapshot): keep it to a lookup by key, never a scan.
        """
        values = dict(params or {})
        if not self.is_sqlite:
            async with self.engine.connect() as conn:
                return (await conn.execute(statement, values)).first()
        if self._lookup_lock is None:  # created lazily, on the running loop
            self._lookup_lock = asyncio.Lock()
        async with self._lookup_lock:
            if self._lookup is None:
                conn = await self.engine.connect()
                self._lookup = await conn.execution_options(**{_SINGLE_OPTION: True})
            in_place = sqlite_driver.IN_PLACE.set(True)
            try:
                row = (await self._lookup.execute(statement, values)).first()
                await self._lookup.rollback()  # ends SQLAlchemy's transaction: no trip
                return row
            except BaseException:
                await self._close_lookup()  # never keep a connection in an unknown state
                raise
            finally:
                sqlite_driver.IN_PLACE.reset(in_place)

    async def _close_lookup(self) -> None:
        lookup, self._lookup = self._lookup, None
        if lookup is not None:
            with contextlib.suppress(Exception):
                await lookup.close()

    async def dispose(self) -> None:
        await self._close_lookup()
        await self.engine.dispose()


def _one_trip_creator(url: URL) -> Callable[[], Awaitable[sqlite_driver.OneTripConnection]]:
    """Connections that make one trip to their thread per statement (hall.store.sqlite_driver)."""
    dialect = create_async_engine(url).dialect  # only asked for the connect arguments
    args, kwargs = dialect.create_connect_args(url)
    kwargs = {**kwargs, "timeout": 30}

    async def create() -> sqlite_driver.OneTripConnection:
        connection = sqlite_driver.connect(*args, **kwargs)
        connection._thread.daemon = True  # as SQLAlchemy does: never hold up an exit
        return cast(sqlite_driver.OneTripConnection, await connection)

    return create


def _sqlite_engine(url: URL) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, async_creator=_one_trip_creator(url))

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own
        # deferred BEGIN leads to SQLITE_BUSY on read-then-write).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            "PRAGMA foreign_keys=ON",
            "PRAGMA busy_timeout=30000",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        options = conn.get_execution_options()
        if options.get(_SINGLE_OPTION, False):
            return
        begin = sqlite_driver.BEGIN_WRITE if options.get(WRITE_OPTION, False) else "BEGIN"
        conn.exec_driver_sql(begin)

    return engine
