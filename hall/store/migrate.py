"""Bring a database's schema up to date with the Alembic migrations shipped in hall/."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config

from hall.store.db import Database


def alembic_config(connection: Any | None = None) -> Config:
    """An Alembic config pointing at hall/store/migrations, bound to an open connection."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("hall.store") / "migrations"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


async def upgrade(db: Database, revision: str = "head") -> None:
    """Apply every pending migration in one transaction."""
    async with db.engine.connect() as conn:
        conn = await conn.execution_options(tongban_write=True)
        async with conn.begin():
            await conn.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def current_revision(db: Database) -> str | None:
    """The revision the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )
