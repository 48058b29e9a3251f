"""A per-process cache of parsed hall configurations, checked against the database.

Reading a hall's configuration means four queries and the validating parser; booking
needs it on every request. The cache keeps the parsed ``Hall`` together with the hall
row's ``updated_at``, which ``catalogue.apply_config`` (the only way the configuration
changes) bumps on every application. Each use still reads that one column inside the
caller's transaction, so a change made by any server process is seen at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall import catalogue
from hall.config_schema import Hall
from hall.models import HallRow

_MAX_ENTRIES = 64
_cache: dict[tuple[str, str], tuple[datetime, Hall]] = {}


async def hall_config(session: AsyncSession, hall_id: str) -> Hall:
    """One active hall's configuration, parsed once per change; raises NotFound."""
    row = (
        await session.execute(
            select(HallRow.updated_at, HallRow.active).where(HallRow.id == hall_id)
        )
    ).first()
    if row is None or not row.active:
        return await catalogue.read_hall(session, hall_id)  # raises NotFound
    connection = await session.connection()
    key = (connection.engine.url.render_as_string(hide_password=True), hall_id)
    cached = _cache.get(key)
    if cached is not None and cached[0] == row.updated_at:
        return cached[1]
    hall = await catalogue.read_hall(session, hall_id)
    if len(_cache) >= _MAX_ENTRIES:
        _cache.clear()
    _cache[key] = (row.updated_at, hall)
    return hall
