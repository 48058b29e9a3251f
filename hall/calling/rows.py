"""Ticket and window rows of the ticket actions, read and written with prebuilt statements.

A window action is a handful of small statements, and on SQLite the ORM's loading and
unit of work cost several times what the statements do. So the ticket actions read a
ticket or a window with one prebuilt ``SELECT`` into a plain (transient) ``TicketRow`` or
``WindowRow`` that is never added to the session, change it in memory with
``hall.ticket_store``, and write it back with one prebuilt ``UPDATE``. Every such write is
noted for the queue copy (``hall.queue_cache.note_written``) exactly as the ORM's writes
are noted before each flush, so the hall's ``queue_version`` still moves with it.

Rows read here must not also be loaded through the session in the same transaction.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.core_rows import TICKET_COLUMNS, store_ticket
from hall.calling.queue_copy import note_written
from hall.store.models import TicketRow, WindowRow
from queueing import Ticket


class ConcurrentChange(RuntimeError):
    """A row changed under a transaction that holds the hall's lock: a defect, not input."""


_TICKETS = cast(Table, TicketRow.__table__)
_WINDOWS = cast(Table, WindowRow.__table__)

# Built once: composing a statement costs more than running it on SQLite.
_TICKET = select(_TICKETS).where(_TICKETS.c.id == bindparam("b_id"))
_SAVE_TICKET = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("b_id"), _TICKETS.c.status == bindparam("b_status"))
    .values({name: bindparam(f"v_{name}") for name in TICKET_COLUMNS})
)
_INSERT_TICKET = insert(_TICKETS)
_WINDOW = select(_WINDOWS).where(
    _WINDOWS.c.hall_id == bindparam("b_hall"),
    _WINDOWS.c.number == bindparam("b_number"),
    _WINDOWS.c.active,
)
_WINDOW_FOR_UPDATE = _WINDOW.with_for_update()
_SAVE_WINDOW = (
    update(_WINDOWS)
    .where(_WINDOWS.c.id == bindparam("b_id"))
    .values(dispatch_state=bindparam("v_dispatch_state"))
)


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


async def insert_ticket(session: AsyncSession, row: TicketRow) -> None:
    """Insert a new ticket's row (every column set, as ``new_ticket`` builds it)."""
    connection = await session.connection()
    await connection.execute(_INSERT_TICKET, {c.key: getattr(row, c.key) for c in _TICKETS.c})
    note_written(session, row, None)


async def write_ticket(session: AsyncSession, row: TicketRow, was: str) -> None:
    """Write back what ``store_ticket`` changed in a row that had status ``was``.

    The hall is locked, so the row is still as read; if it is not, the action stops
    (ConcurrentChange) rather than overwrite a change it did not see.
    """
    values: dict[str, Any] = {f"v_{name}": getattr(row, name) for name in TICKET_COLUMNS}
    connection = await session.connection()
    result = await connection.execute(_SAVE_TICKET, {"b_id": row.id, "b_status": was, **values})
    if result.rowcount != 1:
        raise ConcurrentChange(f"ticket {row.id} is no longer {was}")
    note_written(session, row, was)


async def read_window(
    session: AsyncSession, hall_id: str, number: int, *, lock: bool = False
) -> WindowRow | None:
    """A hall's active window by number as a plain row (locked on PostgreSQL), or None."""
    connection = await session.connection()
    query = _WINDOW_FOR_UPDATE if lock else _WINDOW
    found = (await connection.execute(query, {"b_hall": hall_id, "b_number": number})).first()
    return None if found is None else WindowRow(**found._mapping)


async def write_window(session: AsyncSession, row: WindowRow) -> None:
    """Write back the dispatch state ``store_window`` changed in a row from ``read_window``."""
    connection = await session.connection()
    await connection.execute(_SAVE_WINDOW, {"b_id": row.id, "v_dispatch_state": row.dispatch_state})
    note_written(session, row, None)
