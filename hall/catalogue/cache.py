"""A per-process cache of parsed hall configurations, checked against the database.

Reading a hall's configuration means four queries and the validating parser; booking
needs it on every request. The parsed ``Hall`` is kept in the Database's memo with the hall
row's ``updated_at``, which ``stored.apply_config`` (the only way the configuration
changes) bumps on every application. Each use still reads that one column inside the
caller's transaction, so a change made by any server process is seen at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hall.catalogue import stored
from hall.catalogue.schema import Hall
from hall.store.models import HallRow
from hall.store.unit import Tx


async def hall_config(tx: Tx, hall_id: str) -> Hall:
    """One active hall's configuration, parsed once per change; raises NotFound."""
    session = tx.session
    row = (
        await session.execute(
            select(HallRow.updated_at, HallRow.active).where(HallRow.id == hall_id)
        )
    ).first()
    if row is None or not row.active:
        return await stored.read_hall(session, hall_id)  # raises NotFound
    return await tx.memo.remembered(
        f"config:{hall_id}", row.updated_at, lambda: stored.read_hall(session, hall_id)
    )


async def hall_config_at(tx: Tx, hall_id: str, version: datetime) -> Hall:
    """The configuration of a hall whose ``updated_at`` the caller has just read (the
    hall context does), without reading it again."""
    session = tx.session
    return await tx.memo.remembered(
        f"config:{hall_id}", version, lambda: stored.read_hall(session, hall_id)
    )
