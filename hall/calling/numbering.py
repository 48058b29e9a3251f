"""Ticket numbers: the next sequence of a prefix on a hall's day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.store.models import TicketCounterRow

# Built once: composing a statement costs more than running it on SQLite.
_NEXT_SEQ = (
    update(TicketCounterRow)
    .where(
        TicketCounterRow.hall_id == bindparam("b_hall"),
        TicketCounterRow.service_day == bindparam("b_day"),
        TicketCounterRow.prefix == bindparam("b_prefix"),
    )
    .values(last_seq=TicketCounterRow.last_seq + 1)
    .returning(TicketCounterRow.last_seq)
    .execution_options(synchronize_session=False)
)


_FIRST_SEQ = insert(TicketCounterRow).values(
    hall_id=bindparam("b_hall"),
    service_day=bindparam("b_day"),
    prefix=bindparam("b_prefix"),
    last_seq=1,
)


async def next_number_seq(session: AsyncSession, hall_id: str, day: date, prefix: str) -> int:
    """The next sequence for a prefix on a day (call with the hall locked)."""
    connection = await session.connection()
    params = {"b_hall": hall_id, "b_day": day, "b_prefix": prefix}
    bumped = (await connection.execute(_NEXT_SEQ, params)).scalar()
    if bumped is not None:
        return int(bumped)
    await connection.execute(_FIRST_SEQ, params)
    return 1
