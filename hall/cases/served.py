"""Who served a ticket, at which window: read from the ticket's audit events.

The actor of the ticket's last call, start or finish is the clerk who had it (a
supervisor acting for a window counts as the one who served). Nothing is added to the
ticket rows for this, so the calling code stays as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.store.models import AppointmentRow, EventRow, StaffRow, TicketRow

SERVICE_KINDS = ("ticket_called", "service_started", "ticket_finished")


@dataclass(frozen=True, slots=True)
class Served:
    """Where and by whom a ticket was (last) served."""

    window: int | None
    staff_id: int | None
    staff_job: str | None


NOBODY = Served(None, None, None)


async def served_by(session: AsyncSession, tickets: Sequence[TicketRow]) -> dict[str, Served]:
    """Each ticket's last serving window and clerk (NOBODY when never called)."""
    if not tickets:
        return {}
    ids = [t.id for t in tickets]
    query = (
        select(EventRow.subject_id, EventRow.actor, EventRow.data, EventRow.after)
        .where(
            EventRow.subject_type == "ticket",
            EventRow.subject_id.in_(ids),
            EventRow.kind.in_(SERVICE_KINDS),
        )
        .order_by(EventRow.id)
    )
    last: dict[str, tuple[str, int | None]] = {}
    for subject, actor, data, after in (await session.execute(query)).all():
        window = (data or {}).get("window") or (after or {}).get("window")
        last[subject] = (actor, window if isinstance(window, int) else None)
    actors = {actor for actor, _ in last.values()}
    staff: dict[str, tuple[int, str]] = {}
    if actors:
        rows = await session.execute(
            select(StaffRow.username, StaffRow.id, StaffRow.job_number).where(
                StaffRow.username.in_(actors)
            )
        )
        staff = {name: (sid, job) for name, sid, job in rows.all()}
    found: dict[str, Served] = {}
    for ticket in tickets:
        if ticket.id not in last:
            found[ticket.id] = NOBODY
            continue
        actor, window = last[ticket.id]
        sid, job = staff.get(actor, (None, None))
        found[ticket.id] = Served(window or ticket.window_number, sid, job)
    return found


async def contact_of(session: AsyncSession, ticket: TicketRow) -> str | None:
    """The masked phone of the booking behind a ticket, if any (never the full number)."""
    if ticket.appointment_id is None:
        return None
    phone: str | None = await session.scalar(
        select(AppointmentRow.phone_masked).where(AppointmentRow.id == ticket.appointment_id)
    )
    return phone
