"""CSV exports: the ticket records in the planner's format, and any table for Excel.

Every file starts with a UTF-8 byte-order mark, so that Excel opens Chinese text
correctly; Python's ``csv`` reads it back with ``encoding="utf-8-sig"``.
"""

from __future__ import annotations

import csv
import heapq
import io
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.periods import DateRange
from hall.analytics.ratings import ratings_source
from hall.analytics.records import UNSERVED, HallInfo, load_hall_info
from hall.analytics.sessions import StaffAt, load_window_events, window_sessions
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import AppointmentRow, AppointmentStatus, EventRow, TicketRow
from hall.store.unit import reading

BOM = "\ufeff"
TICKET_COLUMNS = (
    "ticket", "hall", "number", "matter", "matter_class", "group", "source", "green",
    "issued_at", "checked_in_at", "slot_start", "called_at", "started_at", "finished_at",
    "outcome", "window", "staff", "transferred_from", "rating",
)  # fmt: skip
CHUNK_DAYS = 7  # days read per transaction while streaming a long export
_ENDED = {"finished", "no_show", "cancelled"}


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]], *, bom: bool = True) -> str:
    """A whole table as CSV text (CRLF line ends, as Excel writes them)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return (BOM if bom else "") + out.getvalue()


def iso(moment: datetime | None, zone: ZoneInfo) -> str:
    """ISO 8601 with the hall's UTC offset, or '' when absent."""
    return "" if moment is None else moment.astimezone(zone).isoformat()


def outcome_label(status: str, outcome: str | None, day: date, today: date) -> str:
    """The export's outcome of a ticket (see docs/api.md); '' while it is open today."""
    if status == "finished":
        return outcome or "completed"
    if status in ("no_show", "cancelled"):
        return status
    if status not in ("expected", "waiting", "called", "serving", "parked") or day < today:
        return UNSERVED
    return ""


@dataclass(frozen=True, slots=True)
class TicketExport:
    """The ticket records of a hall over a period, read in chunks while they are sent."""

    db: Database
    info: HallInfo
    period: DateRange
    now: datetime

    @property
    def filename(self) -> str:
        return f"tickets-{self.info.id}-{self.period.start}-{self.period.end}.csv"

    async def chunks(self) -> AsyncIterator[str]:
        """The CSV text: the BOM and header, then one piece per few days of records."""
        yield csv_text(TICKET_COLUMNS, [])
        for chunk in day_chunks(self.period):
            async with reading(self.db) as tx:
                rows = await record_rows(tx.session, self.info, chunk, self.now)
            if rows:
                yield csv_text((), rows, bom=False).lstrip("\r\n")


def day_chunks(period: DateRange) -> list[DateRange]:
    found, cursor = [], period.start
    while cursor <= period.end:
        last = min(period.end, cursor + timedelta(days=CHUNK_DAYS - 1))
        found.append(DateRange(cursor, last))
        cursor = last + timedelta(days=1)
    return found


async def ticket_export(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    period: DateRange | None,
    now: datetime,
) -> TicketExport:
    """The ticket records export (supervisors and admins of the hall); raises
    Unauthorized, Forbidden or NotFound before anything is sent."""
    require(staff, Role.SUPERVISOR, hall_id)
    async with reading(db) as tx:
        info = await load_hall_info(tx, hall_id)
    day = now.astimezone(info.zone).date()
    return TicketExport(db, info, period or DateRange(day, day), now)


async def ticket_rows(
    session: AsyncSession, info: HallInfo, period: DateRange, now: datetime
) -> list[tuple[str, ...]]:
    """One row per ticket of the period, in TICKET_COLUMNS order, by day and issue time."""
    t = TicketRow
    query = (
        select(
            t.id, t.number, t.matter_code, t.matter_class, t.source, t.green, t.issued_at,
            t.checked_in_at, t.due_at, t.first_called_at, t.started_at, t.finished_at,
            t.status, t.outcome, t.window_number, t.service_day,
        )
        .where(t.hall_id == info.id, t.service_day >= period.start, t.service_day <= period.end)
        .order_by(t.service_day, t.issued_at, t.id)
    )  # fmt: skip
    found = (await session.execute(query)).all()
    begin, end = info.day_start(period.start), info.day_start(period.end + timedelta(days=1))
    events = await load_window_events(session, info.id, begin, end)
    staff_at = StaffAt(window_sessions(events, now.timestamp(), day_end=info.day_end_of))
    moved = await _transferred_from(session, info.id, begin, end)
    ratings = await ratings_source(session, info.id, period.start, period.end)
    today, zone = now.astimezone(info.zone).date(), info.zone
    rows: list[tuple[str, ...]] = []
    for r in found:
        served_at = r.started_at or r.first_called_at
        staff = staff_at(r.window_number, None if served_at is None else served_at.timestamp())
        score = ratings.scores.get(r.id)
        rows.append(
            (
                r.id, info.id, r.number, r.matter_code, r.matter_class,
                info.groups.get(r.matter_code, ""), r.source, "true" if r.green else "false",
                iso(r.issued_at, zone), iso(r.checked_in_at, zone), iso(r.due_at, zone),
                iso(r.first_called_at, zone), iso(r.started_at, zone), iso(r.finished_at, zone),
                outcome_label(r.status, r.outcome, r.service_day, today),
                "" if r.window_number is None else str(r.window_number), staff or "",
                moved.get(r.id, ""), "" if score is None else str(score),
            )
        )  # fmt: skip
    return rows


async def record_rows(
    session: AsyncSession, info: HallInfo, period: DateRange, now: datetime
) -> list[tuple[str, ...]]:
    """The export's rows of a period: the tickets, and the bookings nobody came to, by
    day and time (a ticket's issue time, a booking's slot start)."""
    tickets = await ticket_rows(session, info, period, now)
    missed = await no_show_rows(session, info, period, now)
    return list(heapq.merge(tickets, missed, key=lambda row: row[8] or row[10]))


async def no_show_rows(
    session: AsyncSession, info: HallInfo, period: DateRange, now: datetime
) -> list[tuple[str, ...]]:
    """One row per booking of the period never checked in: marked a no-show, or still
    booked when its day was over. It has no ticket (``ticket``, ``number`` and the times
    but ``slot_start`` are empty) and the outcome ``no_show``; the planner's calibration
    counts them for the no-show rate and the appointment book."""
    a = AppointmentRow
    today = now.astimezone(info.zone).date()
    query = (
        select(a.matter_code, a.starts_at, a.status, a.service_day)
        .where(a.hall_id == info.id, a.service_day >= period.start, a.service_day <= period.end)
        .where(a.checked_in_at.is_(None), a.ticket_id.is_(None))
        .where(a.status.in_([AppointmentStatus.NO_SHOW.value, AppointmentStatus.BOOKED.value]))
        .order_by(a.service_day, a.starts_at, a.id)
    )
    classes = {m.code: m.matter_class.value for m in info.hall.matters}
    rows: list[tuple[str, ...]] = []
    for matter, starts_at, status, day in (await session.execute(query)).all():
        if status == AppointmentStatus.BOOKED.value and day >= today:
            continue  # the citizen may still come
        rows.append(
            ("", info.id, "", matter, classes.get(matter, "general"), info.groups.get(matter, ""),
             "appointment", "false", "", "", iso(starts_at, info.zone), "", "", "", "no_show",
             "", "", "", "")
        )  # fmt: skip
    return rows


async def _transferred_from(
    session: AsyncSession, hall_id: str, begin: datetime, end: datetime
) -> dict[str, str]:
    """Ticket id → the matter its last change of matter came from."""
    query = (
        select(EventRow.subject_id, EventRow.data)
        .where(
            EventRow.hall_id == hall_id,
            EventRow.kind == "ticket_transferred",
            EventRow.at >= begin,
            EventRow.at < end,
        )
        .order_by(EventRow.id)
    )
    found: dict[str, str] = {}
    for ticket, data in (await session.execute(query)).all():
        origin, target = (data or {}).get("from_matter"), (data or {}).get("to_matter")
        if isinstance(origin, str) and origin != target:
            found[ticket] = origin
    return found
