"""The end of the hall's day (日终清场): open windows signed out, open tickets ended.

At the last closing of a day plus ``close_out_minutes`` (the hall's ``[day]`` rules),
every ticket of the day still waiting, called or being served becomes ``unserved`` (the
hall's miss, not the citizen's), parked tickets expire, open and paused windows signed
in before the close-out time are signed out, and a ``day_closed`` event tells the screens
to start blank. Each step is an
audit event. A ``hall_days`` row per closed day, written in the same transaction under
the hall's lock (and unique), makes sure a day is closed once, whichever process or
operator gets there first; the server's task looks at the database, not at a timer, so
it catches up after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

import queueing
from hall.calling.context import load_context
from hall.calling.core_rows import seconds, store_ticket, store_window, ticket_of, window_state
from hall.calling.rows import read_ticket
from hall.calling.tickets import record_events
from hall.calling.writer import QueueWriter
from hall.catalogue.cache import hall_config, hall_config_at
from hall.catalogue.calendar import open_periods
from hall.catalogue.schema import Hall
from hall.errors import InvalidInput
from hall.publish import Publisher
from hall.store.db import Database
from hall.store.models import EventRow, HallDayRow, HallRow, TicketRow, WindowRow, WindowStatus
from hall.store.unit import Unit, reading, unit_of_work
from queueing import TicketStatus

log = logging.getLogger(__name__)

OPEN_STATUSES = ("expected", "waiting", "called", "serving", "parked")
LOOK_BACK_DAYS = 7  # the server closes days missed while it was down, this far back
_STAFFED = WindowRow.status.in_((WindowStatus.OPEN.value, WindowStatus.PAUSED.value))


@dataclass(frozen=True, slots=True)
class DayClosed:
    """What closing a day did (``already``: it had been closed before; nothing was done)."""

    hall: str
    day: date
    closed_at: datetime
    closed_by: str
    unserved: int = 0
    expired: int = 0
    windows_signed_out: int = 0
    already: bool = False


def close_out_time(hall: Hall, day: date) -> datetime:
    """When the day is closed out: the last closing plus the grace; a day the hall is
    closed, at its first moment (staff who then work on it were signed in after that, and
    stay signed in)."""
    zone = ZoneInfo(hall.timezone)
    periods = open_periods(hall, day, [m.code for m in hall.matters])
    if not periods:
        return datetime.combine(day, time(0), tzinfo=zone)
    end = max(p.end for p in periods)
    return datetime.combine(day, end, tzinfo=zone) + timedelta(minutes=hall.day.close_out_minutes)


async def close_day(
    db: Database,
    publisher: Publisher | None,
    hall_id: str,
    day: date,
    now: datetime,
    actor: str = "system",
) -> DayClosed:
    """Close out a hall's day once; a day already closed is left as it is (``already``).

    Raises NotFound for an unknown hall, InvalidInput for a day that has not begun.
    """
    async with unit_of_work(db, publisher, actor, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        if day > ctx.day(now):
            raise InvalidInput(
                f"Cannot close {day}: that day has not begun in hall {hall_id}.",
                f"无法对 {day} 进行日终处理：大厅 {hall_id} 的这一天还没有开始。",
                fields={"date": "a day that has begun"},
            )
        done = await _closed(unit, hall_id, day)
        if done is not None:
            return done
        unserved, expired = await _end_tickets(unit, hall_id, day)
        hall = await hall_config_at(unit, hall_id, ctx.hall.updated_at)
        # Windows signed in after the day's close-out time (overtime, or this morning when
        # a missed day is closed late) belong to a later day and stay open.
        cutoff = min(now, close_out_time(hall, day))
        signed_out = await _sign_out_windows(unit, hall_id, cutoff)
        summary = {"unserved": unserved, "expired": expired, "windows_signed_out": signed_out}
        unit.session.add(
            HallDayRow(
                hall_id=hall_id, service_day=day, closed_at=now, closed_by=actor, summary=summary
            )
        )
        await unit.session.flush()  # the unique (hall, day) stops a second close here
        unit.record("day_closed", "hall", hall_id, data={"day": day.isoformat(), **summary})
    return DayClosed(hall_id, day, now, actor, unserved, expired, signed_out)


async def _closed(unit: Unit, hall_id: str, day: date) -> DayClosed | None:
    query = select(HallDayRow).where(HallDayRow.hall_id == hall_id, HallDayRow.service_day == day)
    row = await unit.session.scalar(query)
    if row is None:
        return None
    s = row.summary or {}
    return DayClosed(
        hall_id,
        day,
        row.closed_at,
        row.closed_by,
        int(s.get("unserved", 0)),
        int(s.get("expired", 0)),
        int(s.get("windows_signed_out", 0)),
        already=True,
    )


async def _end_tickets(unit: Unit, hall_id: str, day: date) -> tuple[int, int]:
    ids = (
        await unit.session.scalars(
            select(TicketRow.id)
            .where(
                TicketRow.hall_id == hall_id,
                TicketRow.service_day <= day,
                TicketRow.status.in_(OPEN_STATUSES),
            )
            .order_by(TicketRow.issued_at)
        )
    ).all()
    unserved = expired = 0
    at = seconds(unit.now)
    for ticket_id in ids:
        row = await read_ticket(unit.session, ticket_id)
        assert row is not None
        before = row.status
        ticket, events = queueing.close_out(ticket_of(row), at)
        store_ticket(row, ticket)
        await unit.part(QueueWriter).write_ticket(row, before)
        record_events(unit, row, events, before)
        if before == TicketStatus.PARKED.value:
            expired += 1
        else:
            unserved += 1
    return unserved, expired


async def _sign_out_windows(unit: Unit, hall_id: str, cutoff: datetime) -> int:
    table = WindowRow.__table__
    query = select(table).where(table.c.hall_id == hall_id, _STAFFED)
    connection = await unit.session.connection()
    rows = [WindowRow(**found._mapping) for found in (await connection.execute(query)).all()]
    signed_in = await _last_sign_ins(unit, hall_id)
    rows = [r for r in rows if str(r.number) not in signed_in or signed_in[str(r.number)] < cutoff]
    writer = unit.part(QueueWriter)
    for row in rows:  # plain rows (hall.calling.rows); the hall is locked
        before = row.status
        row.status, row.staff_id = WindowStatus.CLOSED.value, None
        state = window_state(row)
        store_window(row, queueing.WindowState(state.number, state.kind, state.skills))
        await writer.write_window(row)
        unit.record(
            "window_signed_out",
            "window",
            row.number,
            before={"status": before},
            after={"window": row.number, "status": row.status, "staff": None},
            data={"reason": "close_out"},
        )
    return len(rows)


async def _last_sign_ins(unit: Unit, hall_id: str) -> dict[str, datetime]:
    """When each window of the hall was last signed in (by window number as text)."""
    query = (
        select(EventRow.subject_id, func.max(EventRow.at))
        .where(EventRow.hall_id == hall_id, EventRow.kind == "window_signed_in")
        .group_by(EventRow.subject_id)
    )
    return {str(number): at for number, at in (await unit.session.execute(query)).all()}


async def days_due(db: Database, now: datetime) -> list[tuple[str, date]]:
    """Every (hall, day) past its close-out time and not closed yet: today; an earlier day
    (looking back ``LOOK_BACK_DAYS``) only with tickets still open, or yesterday with
    windows still staffed. An earlier day with neither needs nothing done."""
    due = []
    async with reading(db) as tx:
        session = tx.session
        halls = (await session.scalars(select(HallRow.id).where(HallRow.active))).all()
        for hall_id in halls:
            hall = await hall_config(tx, hall_id)
            today = now.astimezone(ZoneInfo(hall.timezone)).date()
            first = today - timedelta(days=LOOK_BACK_DAYS)
            days = set(
                (
                    await session.scalars(
                        select(TicketRow.service_day)
                        .distinct()
                        .where(
                            TicketRow.hall_id == hall_id,
                            TicketRow.service_day >= first,
                            TicketRow.service_day <= today,
                            TicketRow.status.in_(OPEN_STATUSES),
                        )
                    )
                ).all()
            )
            # Today is closed (and recorded) once its time has come, even with nothing
            # open; the day before, if it never was (the server was down that evening) and
            # windows are still staffed: those signed in before its close-out are stale.
            days.add(today)
            staffed = select(WindowRow.id).where(WindowRow.hall_id == hall_id, _STAFFED)
            if await session.scalar(staffed.limit(1)):
                days.add(today - timedelta(days=1))
            days = {d for d in days if close_out_time(hall, d) <= now}
            if not days:
                continue
            closed = set(
                (
                    await session.scalars(
                        select(HallDayRow.service_day).where(
                            HallDayRow.hall_id == hall_id, HallDayRow.service_day >= first
                        )
                    )
                ).all()
            )
            due += [(hall_id, d) for d in sorted(days - closed)]
    return due


async def close_due_days(db: Database, publisher: Publisher | None, now: datetime) -> int:
    """Close every day that is due (see ``days_due``); returns how many this call closed."""
    closed = 0
    for hall_id, day in await days_due(db, now):
        result = await close_day(db, publisher, hall_id, day, now)
        closed += not result.already
    return closed


async def sweep_close_outs(
    db: Database,
    publisher: Publisher | None,
    clock: Callable[[], datetime],
    interval: float,
) -> None:
    """Close the days that are due now and then every ``interval`` seconds, until cancelled."""
    while True:
        try:
            closed = await close_due_days(db, publisher, clock())
            if closed:
                log.info("Closed out %d hall day(s)", closed)
        except Exception:  # keep going: one failed pass must not stop the task
            log.exception("Close-out failed")
        await asyncio.sleep(interval)
