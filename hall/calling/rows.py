"""Ticket and window rows of the ticket actions, read with prebuilt statements.

A window action is a handful of small statements, and on SQLite the ORM's loading and
unit of work cost several times what the statements do. So the ticket actions read a
ticket or a window with one prebuilt ``SELECT`` into a plain (transient) ``TicketRow`` or
``WindowRow`` that is never added to the session, change it in memory with
``hall.calling.core_rows``, and write it back with one prebuilt ``UPDATE``. Every write goes
through the unit's writer (``hall.calling.writer``), which keeps the queue copy.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.core_rows import store_ticket
from hall.store.models import TicketRow, WindowRow
from queueing import Ticket

_TICKETS = cast(Table, TicketRow.__table__)
_WINDOWS = cast(Table, WindowRow.__table__)

# Built once: composing a statement costs more than running it on SQLite.
_TICKET = select(_TICKETS).where(_TICKETS.c.id == bindparam("b_id"))
_WINDOW = select(_WINDOWS).where(
    _WINDOWS.c.hall_id == bindparam("b_hall"),
    _WINDOWS.c.number == bindparam("b_number"),
    _WINDOWS.c.active,
)
_WINDOW_FOR_UPDATE = _WINDOW.with_for_update()


async def read_ticket(session: AsyncSession, ticket_id: str) -> TicketRow | None:
    """The ticket with this id as a plain row, or None."""
    connection = await session.connection()
    found = (await connection.execute(_TICKET, {"b_id": ticket_id})).first()
    return None if found is None else TicketRow(**found._mapping)


def waiting_row(hall_id: str, day: date, ticket: Ticket) -> TicketRow:
    """The row of one of the hall's waiting tickets of ``day`` as the queue gave it (no
    read needed to call it), as far as ``write_ticket`` and ``ticket_view`` use a row."""
    row = TicketRow(id=ticket.id, hall_id=hall_id, service_day=day, number=ticket.number)
    row.source = ticket.source.value
    store_ticket(row, ticket)
    return row


async def read_window(
    session: AsyncSession, hall_id: str, number: int, *, lock: bool = False
) -> WindowRow | None:
    """A hall's active window by number as a plain row (locked on PostgreSQL), or None."""
    connection = await session.connection()
    query = _WINDOW_FOR_UPDATE if lock else _WINDOW
    found = (await connection.execute(query, {"b_hall": hall_id, "b_number": number})).first()
    return None if found is None else WindowRow(**found._mapping)
