"""The hall right now, as plain data: what the planner's what-if starts its simulation from.

Today's tickets (waiting ones with their ages and classes, those at a window with the time
they were called and started, and those already done), the windows with their kind,
skills, status and fairness state, when each window has been open today, today's opening
periods, and the bookings still to come. Times are POSIX seconds. ``to_json`` and
``snapshot_from_json`` keep it in a file (``tongban whatif --state``); no names, ID
numbers or phone numbers are in it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.records import HallInfo, load_hall_info, load_records
from hall.analytics.sessions import load_window_events, window_sessions
from hall.calling.core_rows import window_state
from hall.calling.queue import window_rows
from hall.catalogue.calendar import open_periods
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import AppointmentRow, AppointmentStatus
from hall.store.unit import reading

__all__ = [
    "HallSnapshot",
    "SnapshotBooking",
    "SnapshotMatter",
    "SnapshotTicket",
    "SnapshotWindow",
    "hall_snapshot",
    "load_snapshot",
    "snapshot_from_json",
]

FORMAT = 1  # the file format of `to_json`


@dataclass(frozen=True, slots=True)
class SnapshotTicket:
    """One of today's tickets (times in POSIX seconds, None for "not yet")."""

    id: str
    number: str
    matter: str
    matter_class: str
    source: str
    green: bool
    status: str
    issued_at: float
    due_at: float | None = None
    checked_in_at: float | None = None
    first_called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    window: int | None = None


@dataclass(frozen=True, slots=True)
class SnapshotWindow:
    """A window: kind as the queueing core sees it, skills, status, and today's open time."""

    number: int
    name: str
    kind: str
    skills: tuple[str, ...]
    status: str
    priority_streak: int = 0
    opened: tuple[tuple[float, float], ...] = ()  # today so far, pauses left out


@dataclass(frozen=True, slots=True)
class SnapshotMatter:
    """A matter of the catalogue."""

    code: str
    name: str
    name_en: str
    matter_class: str
    expected_minutes: float


@dataclass(frozen=True, slots=True)
class SnapshotBooking:
    """A booking of today not checked in yet."""

    slot_start: float
    slot_end: float
    matter: str


@dataclass(frozen=True, slots=True)
class HallSnapshot:
    """A hall at one moment (``now``), with today's opening periods."""

    hall: str
    name: str
    timezone: str
    now: float
    day: str
    periods: tuple[tuple[float, float], ...]
    policy: dict[str, Any]
    matters: tuple[SnapshotMatter, ...]
    windows: tuple[SnapshotWindow, ...]
    tickets: tuple[SnapshotTicket, ...]
    bookings: tuple[SnapshotBooking, ...] = field(default=())

    def to_json(self) -> dict[str, Any]:
        """Plain data for a JSON file."""
        return {"format": FORMAT, **asdict(self)}


def snapshot_from_json(data: Any) -> HallSnapshot:
    """A snapshot back from `to_json`'s data; raises InvalidInput for anything else."""
    try:
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}")
        return HallSnapshot(
            hall=str(data["hall"]),
            name=str(data["name"]),
            timezone=str(data["timezone"]),
            now=float(data["now"]),
            day=str(data["day"]),
            periods=tuple((float(a), float(b)) for a, b in data["periods"]),
            policy=dict(data["policy"]),
            matters=tuple(SnapshotMatter(**m) for m in data["matters"]),
            windows=tuple(_window(w) for w in data["windows"]),
            tickets=tuple(SnapshotTicket(**t) for t in data["tickets"]),
            bookings=tuple(SnapshotBooking(**b) for b in data["bookings"]),
        )
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        raise InvalidInput(
            f"This is not a saved hall snapshot (format {FORMAT}): {error}.",
            f"这不是保存的大厅快照（格式 {FORMAT}）：{error}。",
        ) from error


def _window(data: dict[str, Any]) -> SnapshotWindow:
    opened = tuple((float(a), float(b)) for a, b in data["opened"])
    return SnapshotWindow(**{**data, "skills": tuple(data["skills"]), "opened": opened})


def _periods(info: HallInfo, day: Any) -> tuple[tuple[float, float], ...]:
    def at(moment: time) -> float:
        return datetime.combine(day, moment, tzinfo=info.zone).timestamp()

    found = open_periods(info.hall, day, [m.code for m in info.hall.matters])
    return tuple((at(p.start), at(p.end)) for p in found)


async def _windows(
    session: AsyncSession, info: HallInfo, now: datetime
) -> tuple[SnapshotWindow, ...]:
    day = now.astimezone(info.zone).date()
    events = await load_window_events(
        session, info.id, info.day_start(day), now + timedelta(seconds=1)
    )
    opened: dict[int, list[tuple[float, float]]] = {}
    for s in window_sessions(events, now.timestamp()):
        opened.setdefault(s.window, []).extend(s.open_intervals())
    found = []
    for row in await window_rows(session, info.id):
        state = window_state(row)
        found.append(
            SnapshotWindow(row.number, row.name or row.kind, state.kind.value, tuple(row.skills),
                           row.status, state.priority_streak, tuple(opened.get(row.number, ())))
        )  # fmt: skip
    return tuple(found)


async def _bookings(
    session: AsyncSession, info: HallInfo, now: datetime
) -> tuple[SnapshotBooking, ...]:
    a = AppointmentRow
    query = (
        select(a.starts_at, a.ends_at, a.matter_code)
        .where(a.hall_id == info.id, a.service_day == now.astimezone(info.zone).date())
        .where(a.status == AppointmentStatus.BOOKED.value, a.checked_in_at.is_(None))
        .order_by(a.starts_at, a.id)
    )
    rows = (await session.execute(query)).all()
    return tuple(SnapshotBooking(s.timestamp(), e.timestamp(), m) for s, e, m in rows)


async def load_snapshot(db: Database, hall_id: str, now: datetime) -> HallSnapshot:
    """The hall as it is at ``now``, read in one transaction; raises NotFound."""
    async with reading(db) as tx:
        info = await load_hall_info(tx, hall_id)
        day = now.astimezone(info.zone).date()
        records = await load_records(tx.session, info, day, day, day)
        windows = await _windows(tx.session, info, now)
        bookings = await _bookings(tx.session, info, now)
    tickets = tuple(
        SnapshotTicket(
            t.id, t.number, t.matter, t.matter_class.value, t.source.value, t.green,
            t.status.value, t.issued_at, t.due_at, t.checked_in_at, t.first_called_at,
            t.started_at, t.finished_at, t.window,
        )
        for t in (r.ticket for r in records)
    )  # fmt: skip
    matters = tuple(
        SnapshotMatter(m.code, m.name, m.name_en, m.matter_class.value, m.expected_minutes)
        for m in info.hall.matters
    )
    return HallSnapshot(
        info.id, info.hall.name, info.hall.timezone, now.timestamp(), day.isoformat(),
        _periods(info, day), dict(info.hall.policy), matters, windows, tickets, bookings,
    )  # fmt: skip


async def hall_snapshot(
    db: Database, staff: StaffMember | None, hall_id: str, now: datetime
) -> HallSnapshot:
    """The snapshot for a supervisor or admin of the hall; raises Unauthorized, Forbidden,
    NotFound."""
    require(staff, Role.SUPERVISOR, hall_id)
    return await load_snapshot(db, hall_id, now)
