"""What the hall's screens show, read from the database in one transaction.

The board holds ticket numbers, window numbers and staff job numbers only: never a
name, an ID number or a ticket's private id (the phone page's address).
``set_notice`` is the one write here: the supervisors' scrolling notice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.context import HallContext, load_context
from hall.calling.estimates import estimates
from hall.calling.queue import waiting_tickets, window_rows
from hall.catalogue import stored
from hall.errors import InvalidInput
from hall.publish import Publisher
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store import outbox
from hall.store.db import Database
from hall.store.models import (
    EventRow,
    ScreenOutboxRow,
    StaffRow,
    TicketRow,
    WindowRow,
    WindowStatus,
)
from hall.store.outbox import OutboxEntry
from hall.store.unit import Tx, reading, unit_of_work

CALL_KINDS = ("ticket_called", "ticket_recalled")
RECENT_CALLS = 8
NOTICE_MAX = 500


@dataclass(frozen=True, slots=True)
class Board:
    """The full state of a hall's screens, as of the audit event ``seq``."""

    seq: int
    hall: dict[str, Any]
    recent_calls: list[dict[str, Any]] = field(default_factory=list)
    windows: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    average_wait_minutes: float | None = None
    as_of: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hall": self.hall,
            "recent_calls": self.recent_calls,
            "windows": self.windows,
            "waiting": self.waiting,
            "average_wait_minutes": self.average_wait_minutes,
            "as_of": self.as_of,
        }


async def load_board(db: Database, hall_id: str, now: datetime) -> Board:
    """The board of a hall now; raises NotFound for an unknown hall."""
    async with reading(db) as tx:
        session = tx.session
        # The screen sequence first: under READ COMMITTED everything read below is at
        # least as new.
        seq = await outbox.current_seq(session, hall_id)
        ctx = await load_context(tx, hall_id)
        windows = await window_rows(session, hall_id)
        return Board(
            seq=int(seq or 0),
            hall=_hall_view(ctx),
            recent_calls=await _recent_calls(session, ctx, now),
            windows=await _windows(session, hall_id, windows, ctx.day(now)),
            waiting=await _waiting(tx, ctx, windows, now),
            average_wait_minutes=await _average_wait(session, ctx, now),
            as_of=now.isoformat(),
        )


async def read_outbox(db: Database, hall_id: str, after: int, limit: int) -> list[OutboxEntry]:
    """The hall's screen events numbered after ``after``, in order (at most ``limit``)."""
    async with reading(db) as tx:
        return await outbox.entries_after(tx.session, hall_id, after, limit)


async def last_seq_of(db: Database, hall_id: str, upto: int, kinds: tuple[str, ...]) -> int:
    """The number of the hall's latest screen event of ``kinds`` up to ``upto`` (0: none)."""
    async with reading(db) as tx:
        return await outbox.last_seq_of(tx.session, hall_id, upto, kinds)


def _hall_view(ctx: HallContext) -> dict[str, Any]:
    hall = ctx.hall
    return {
        "id": hall.id,
        "name": hall.name,
        "name_en": hall.name_en,
        "notice": hall.notice,
        "timezone": hall.timezone,
    }


def _day_start(ctx: HallContext, now: datetime) -> datetime:
    return datetime.combine(ctx.day(now), time(0), tzinfo=ctx.zone)


def _last_close_out(hall_id: str, day: date) -> Any:
    return (
        select(func.coalesce(func.max(EventRow.id), 0))
        .where(
            EventRow.hall_id == hall_id,
            EventRow.kind == "day_closed",
            EventRow.data["day"].as_string() == day.isoformat(),
        )
        .scalar_subquery()
    )


async def _recent_calls(
    session: AsyncSession, ctx: HallContext, now: datetime
) -> list[dict[str, Any]]:
    query = (
        select(EventRow, ScreenOutboxRow.seq)
        .outerjoin(ScreenOutboxRow, ScreenOutboxRow.event_id == EventRow.id)
        .where(
            EventRow.hall_id == ctx.id,
            EventRow.kind.in_(CALL_KINDS),
            EventRow.at >= _day_start(ctx, now),
            # After the day's close-out the screens are blank (a late close-out of an earlier
            # day clears nothing of today's).
            EventRow.id > _last_close_out(ctx.id, ctx.day(now)),
        )
        .order_by(EventRow.id.desc())
        .limit(RECENT_CALLS)
    )
    calls = []
    for row, seq in (await session.execute(query)).all():
        after = row.after or {}
        calls.append(
            {
                "seq": row.id if seq is None else seq,
                "ticket": after.get("number"),
                "window": after.get("window"),
                "at": row.at.isoformat(),
                "recall": row.kind == "ticket_recalled",
            }
        )
    return calls


async def _windows(
    session: AsyncSession, hall_id: str, rows: list[WindowRow], day: date
) -> list[dict[str, Any]]:
    busy = await session.execute(
        select(TicketRow.window_number, TicketRow.number, TicketRow.status).where(
            TicketRow.hall_id == hall_id,
            TicketRow.service_day == day,  # a day never closed out shows nothing the next
            TicketRow.status.in_(("called", "serving")),
            TicketRow.window_number.is_not(None),
        )
    )
    held = {window: (number, status) for window, number, status in busy.all()}
    staff_ids = [r.staff_id for r in rows if r.staff_id is not None]
    jobs: dict[int, str] = {}
    if staff_ids:
        found = await session.execute(
            select(StaffRow.id, StaffRow.job_number).where(StaffRow.id.in_(staff_ids))
        )
        jobs = {staff_id: job for staff_id, job in found.all()}
    views = []
    for row in rows:
        number, status = held.get(row.number, (None, None))
        views.append(
            {
                "number": row.number,
                "name": row.name,
                "name_en": row.name_en,
                "status": row.status,
                "staff": jobs.get(row.staff_id) if row.staff_id is not None else None,
                "ticket": number,
                "ticket_status": status,
            }
        )
    return views


async def _waiting(
    tx: Tx, ctx: HallContext, windows: list[WindowRow], now: datetime
) -> list[dict[str, Any]]:
    """Waiting count and the estimated wait of the last in line, per matter group."""
    tickets = await waiting_tickets(tx, ctx, now)  # the checked queue copy
    waits = await estimates(tx, ctx, now, tickets, windows) if tickets else {}
    counts: dict[str, int] = defaultdict(int)
    longest: dict[str, float] = {}
    for ticket in tickets:
        matter = ctx.matters.get(ticket.matter)
        code = matter.group_code if matter is not None else ""
        counts[code] += 1
        minutes = waits[ticket.id].minutes if ticket.id in waits else None
        if minutes is not None:
            longest[code] = max(longest.get(code, 0.0), minutes)
    any_open = any(w.status == WindowStatus.OPEN for w in windows)
    lines = []
    for code, name, name_en in await _groups(tx, ctx):
        waiting = counts.get(code, 0)
        estimate: float | None = longest.get(code)
        if estimate is None and waiting == 0 and any_open:
            estimate = 0.0
        lines.append(
            {
                "line": code,
                "name": name,
                "name_en": name_en,
                "waiting": waiting,
                "estimated_wait_minutes": None if estimate is None else round(estimate),
            }
        )
    return lines


async def _groups(tx: Tx, ctx: HallContext) -> list[tuple[str, str, str]]:
    """The hall's matter groups, kept per process while its configuration is unchanged."""

    async def load() -> list[tuple[str, str, str]]:
        groups = await stored.list_groups(tx.session, ctx.id)
        return [(g.code, g.name, g.name_en) for g in groups]

    return await tx.memo.remembered(f"groups:{ctx.id}", ctx.hall.updated_at, load)


async def _average_wait(session: AsyncSession, ctx: HallContext, now: datetime) -> float | None:
    """Mean minutes from arrival (check-in, else issue) to the first call, over the last hour."""
    since = now - timedelta(hours=1)
    query = select(TicketRow.issued_at, TicketRow.checked_in_at, TicketRow.first_called_at).where(
        TicketRow.hall_id == ctx.id,
        TicketRow.service_day == ctx.day(now),
        TicketRow.first_called_at >= since,
    )
    waits = [
        (called - (checked_in or issued)).total_seconds() / 60
        for issued, checked_in, called in (await session.execute(query)).all()
        if called is not None
    ]
    return round(sum(waits) / len(waits), 1) if waits else None


@dataclass(frozen=True, slots=True)
class Notice:
    """A hall's scrolling notice as its screens now show it."""

    hall: str
    notice: str


async def set_notice(
    db: Database, publisher: Publisher, staff: StaffMember, hall_id: str, text: str, now: datetime
) -> Notice:
    """Change the scrolling notice of a hall's screens (supervisors); raises on bad input."""
    require(staff, Role.SUPERVISOR, hall_id)
    notice = " ".join(text.split())
    if len(notice) > NOTICE_MAX:
        raise InvalidInput(
            f"The notice is {len(notice)} characters long; at most {NOTICE_MAX} fit the screens.",
            f"通知共 {len(notice)} 个字，屏幕最多显示 {NOTICE_MAX} 个字。",
            fields={"notice": f"at most {NOTICE_MAX} characters"},
        )
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        hall = await stored.get_hall(unit.session, hall_id)
        before = hall.notice
        hall.notice = notice
        unit.record(
            "hall_notice_changed",
            "hall",
            hall_id,
            before={"notice": before},
            after={"notice": notice},
        )
    return Notice(hall_id, notice)
