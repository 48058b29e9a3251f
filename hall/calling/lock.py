"""The hall's lock: one ticket action at a time per hall, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def lock_hall(session: AsyncSession, hall_id: str) -> None:
    """Serialise the hall's queue changes until the transaction ends.

    SQLite already runs one write transaction at a time; PostgreSQL takes a
    transaction-scoped advisory lock per hall, so two windows calling at once queue up
    here and never pick the same ticket.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(_LOCK_HALL, {"key": f"hall:{hall_id}"})


_LOCK_HALL = text("SELECT pg_advisory_xact_lock(hashtext(:key))")
