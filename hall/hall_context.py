"""What every ticket action needs to know about its hall, loaded once per transaction."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from hall import catalogue
from hall.errors import InvalidInput
from hall.models import HallRow, MatterRow, TicketCounterRow, TicketRow, WindowRow
from hall.ticket_store import seconds, ticket_from_state, ticket_of, window_state
from queueing import Policy, Ticket, TicketStatus, WindowState
from queueing.estimates import WaitEstimate, estimate_waits, recent_handling_minutes


@dataclass(frozen=True, slots=True)
class HallContext:
    """A hall's row, time zone, policy knobs and matters."""

    hall: HallRow
    zone: ZoneInfo
    policy: Policy
    matters: dict[str, MatterRow]

    @property
    def id(self) -> str:
        return self.hall.id

    def day(self, now: datetime) -> date:
        """The hall's local calendar day at ``now`` (numbers restart every day)."""
        return now.astimezone(self.zone).date()

    def matter(self, code: Any, field: str = "matter") -> MatterRow:
        """An active matter of this hall; raises InvalidInput naming the field."""
        matter = self.matters.get(code) if isinstance(code, str) else None
        if matter is None:
            raise InvalidInput(
                f"Hall {self.id!r} has no matter {code!r}; "
                f"GET /api/halls/{self.id}/matters lists them.",
                f"大厅 {self.id!r} 没有事项 {code!r}；"
                f"可通过 GET /api/halls/{self.id}/matters 查看。",
                fields={field: "unknown matter"},
            )
        return matter

    def appointment_prefix(self) -> str:
        booking = self.hall.settings.get("booking", {})
        prefix: str = booking.get("appointment_prefix", "")
        return prefix


async def load_context(session: AsyncSession, hall_id: str) -> HallContext:
    """Load a hall's context; raises NotFound for an unknown hall."""
    hall = await catalogue.get_hall(session, hall_id)
    matters = await catalogue.list_matters(session, hall_id)
    policy = Policy.from_mapping(hall.settings.get("policy", {}))
    return HallContext(hall, ZoneInfo(hall.timezone), policy, {m.code: m for m in matters})


async def lock_hall(session: AsyncSession, hall_id: str) -> None:
    """Serialise the hall's queue changes until the transaction ends.

    SQLite already runs one write transaction at a time; PostgreSQL takes a
    transaction-scoped advisory lock per hall, so two windows calling at once queue up
    here and never pick the same ticket.
    """
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await session.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": f"hall:{hall_id}"}
        )


async def next_number_seq(session: AsyncSession, hall_id: str, day: date, prefix: str) -> int:
    """The next sequence for a prefix on a day (call with the hall locked)."""
    counter = await session.get(TicketCounterRow, (hall_id, day, prefix))
    if counter is None:
        counter = TicketCounterRow(hall_id=hall_id, service_day=day, prefix=prefix, last_seq=0)
        session.add(counter)
    counter.last_seq += 1
    return counter.last_seq


async def waiting_rows(session: AsyncSession, ctx: HallContext, now: datetime) -> list[TicketRow]:
    """Today's waiting tickets of the hall."""
    query = select(TicketRow).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day == ctx.day(now),
        TicketRow.status == TicketStatus.WAITING.value,
    )
    return list((await session.scalars(query)).all())


async def waiting_tickets(session: AsyncSession, ctx: HallContext, now: datetime) -> list[Ticket]:
    """Today's waiting tickets as the core's values, read without building ORM objects."""
    query = select(TicketRow.state).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day == ctx.day(now),
        TicketRow.status == TicketStatus.WAITING.value,
    )
    return [ticket_from_state(state) for state in (await session.scalars(query)).all()]


async def window_rows(session: AsyncSession, hall_id: str) -> list[WindowRow]:
    query = select(WindowRow).where(WindowRow.hall_id == hall_id, WindowRow.active)
    return list((await session.scalars(query.order_by(WindowRow.position))).all())


def open_states(rows: list[WindowRow]) -> list[WindowState]:
    """Windows staffed and not paused, as the core sees them."""
    return [window_state(r) for r in rows if r.status == "open"]


async def estimates(
    session: AsyncSession, ctx: HallContext, now: datetime, waiting: list[Ticket] | None = None
) -> dict[str, WaitEstimate]:
    """Position and estimated wait of every waiting ticket.

    The position counts the tickets ahead that compete for any of the hall's windows
    (so it is meaningful before the windows open); the minutes come from the windows
    open now and recent handling times, and are None when no open window serves it.
    """
    if waiting is None:
        waiting = await waiting_tickets(session, ctx, now)
    rows = await window_rows(session, ctx.id)
    handling = {code: m.expected_minutes for code, m in ctx.matters.items()}
    handling.update(await _recent_handling(session, ctx, now))
    at = seconds(now)
    by_open = estimate_waits(waiting, open_states(rows), at, ctx.policy, handling)
    by_all = estimate_waits(waiting, [window_state(r) for r in rows], at, ctx.policy, handling)
    return {
        key: dataclasses.replace(by_open[key], position=estimate.position)
        for key, estimate in by_all.items()
    }


async def _recent_handling(
    session: AsyncSession, ctx: HallContext, now: datetime
) -> dict[str, float]:
    since = now - timedelta(hours=1)
    query = select(TicketRow).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.finished_at >= since,
        TicketRow.status == TicketStatus.FINISHED.value,
    )
    finished = [ticket_of(r) for r in (await session.scalars(query)).all()]
    return recent_handling_minutes(finished, seconds(now))


async def count_waiting(session: AsyncSession, hall_id: str, day: date) -> int:
    query = (
        select(func.count())
        .select_from(TicketRow)
        .where(
            TicketRow.hall_id == hall_id,
            TicketRow.service_day == day,
            TicketRow.status == TicketStatus.WAITING.value,
        )
    )
    return int(await session.scalar(query) or 0)
