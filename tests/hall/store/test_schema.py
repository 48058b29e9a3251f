"""Migrations build exactly the models' schema, on SQLite and PostgreSQL; SQLite is durable."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from hall.store.db import Database
from hall.store.migrate import current_revision, upgrade
from hall.store.models import Base

pytestmark = pytest.mark.asyncio


async def test_migrations_create_the_models_schema(db_url: str) -> None:
    db = Database(db_url)
    try:
        assert await current_revision(db) is None
        await upgrade(db)
        assert await current_revision(db) is not None
        await upgrade(db)  # idempotent

        def diff(sync_conn: Any) -> list[Any]:
            context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.engine.connect() as conn:
            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()


async def test_sqlite_runs_in_wal_with_full_sync(tmp_path: Any) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with db.read() as session:
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar_one()
            sync = (await session.execute(text("PRAGMA synchronous"))).scalar_one()
            fks = (await session.execute(text("PRAGMA foreign_keys"))).scalar_one()
        assert (mode, sync, fks) == ("wal", 2, 1)  # 2 = FULL
    finally:
        await db.dispose()


async def test_sqlite_write_transactions_are_serialised_in_arrival_order(tmp_path: Any) -> None:
    """Concurrent read-modify-write transactions lose no update and run first come first served."""
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    order: list[int] = []
    try:
        async with db.write() as session:
            await session.execute(text("CREATE TABLE counter (n INTEGER)"))
            await session.execute(text("INSERT INTO counter VALUES (0)"))

        async def bump(i: int) -> None:
            async with db.write() as session:
                order.append(i)
                n = (await session.execute(text("SELECT n FROM counter"))).scalar_one()
                await asyncio.sleep(0)  # give every other writer a chance to interleave
                await session.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

        tasks = []
        for i in range(40):
            tasks.append(asyncio.create_task(bump(i)))
            await asyncio.sleep(0)  # tasks reach the lock in creation order
        await asyncio.gather(*tasks)
        async with db.read() as session:
            assert (await session.execute(text("SELECT n FROM counter"))).scalar_one() == 40
        assert order == list(range(40))
    finally:
        await db.dispose()
