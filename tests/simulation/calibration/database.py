"""Simulated days written into the hall's database as the services would leave them:
tickets (the core's record in each row), the windows' sign-in and sign-out events, and the
bookings nobody came to (with their slots)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert

from hall.calling.core_rows import store_ticket
from hall.store.db import Database
from hall.store.models import AppointmentRow, BookingSlotRow, EventRow, TicketRow
from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus
from simulation.calibration.synthetic import SimulatedDay

ZONE = ZoneInfo("Asia/Shanghai")
COLUMNS = (
    "ticket", "hall", "number", "matter", "matter_class", "group", "source", "green",
    "issued_at", "checked_in_at", "slot_start", "called_at", "started_at", "finished_at",
    "outcome", "window", "staff", "transferred_from", "rating",
)  # fmt: skip


def _seconds(text: str) -> float | None:
    return datetime.fromisoformat(text).timestamp() if text else None


def _ticket(hall: str, row: dict[str, str]) -> dict[str, Any]:
    finished = row["outcome"] == "completed"
    ticket = Ticket(
        id=f"{hall}-{row['ticket']}",
        number=row["number"],
        matter=row["matter"],
        matter_class=MatterClass(row["matter_class"]),
        source=Source(row["source"]),
        issued_at=_seconds(row["issued_at"]) or 0.0,
        green=row["green"] == "true",
        status=TicketStatus.FINISHED if finished else TicketStatus.WAITING,
        due_at=_seconds(row["slot_start"]),
        checked_in_at=_seconds(row["checked_in_at"]),
        window=int(row["window"]) if row["window"] else None,
        called_at=_seconds(row["called_at"]),
        first_called_at=_seconds(row["called_at"]),
        started_at=_seconds(row["started_at"]),
        finished_at=_seconds(row["finished_at"]),
        outcome=Outcome.COMPLETED if finished else None,
    )
    day = datetime.fromisoformat(row["issued_at"]).date()
    stored = TicketRow(id=ticket.id, hall_id=hall, service_day=day, number=ticket.number,
                       source=ticket.source.value)  # fmt: skip
    store_ticket(stored, ticket)
    return {
        c.key: getattr(stored, c.key) for c in TicketRow.__table__.columns if c.key != "change_seq"
    }


def _event(hall: str, kind: str, window: int, at: datetime) -> dict[str, Any]:
    after = {"window": window, "staff": f"C{window:04d}"} if kind == "window_signed_in" else {}
    return {
        "hall_id": hall, "at": at.astimezone(UTC), "actor": "generator", "kind": kind,
        "subject_type": "window", "subject_id": str(window), "before": None, "after": after,
        "data": {},
    }  # fmt: skip


def _local(day: date, minutes: float) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZONE) + timedelta(minutes=minutes)


async def load_days(db: Database, hall: str, days: tuple[SimulatedDay, ...]) -> None:
    """Write the days' tickets, window events and missed bookings."""
    tables = {
        m: cast(Table, m.__table__) for m in (TicketRow, EventRow, BookingSlotRow, AppointmentRow)
    }
    for day in days:
        rows = [dict(zip(COLUMNS, r, strict=True)) for r in day.rows]
        tickets = [_ticket(hall, r) for r in rows if r["ticket"]]
        events = [
            _event(hall, kind, s.window, _local(day.day, at))
            for s in day.sessions
            for kind, at in (("window_signed_in", s.start), ("window_signed_out", s.end))
        ]
        missed = [r for r in rows if not r["ticket"]]
        async with db.write() as session:
            await session.execute(insert(tables[TicketRow]), tickets)
            await session.execute(insert(tables[EventRow]), events)
            slots: dict[str, int] = {}
            for k, r in enumerate(missed):
                start = datetime.fromisoformat(r["slot_start"])
                if r["slot_start"] not in slots:
                    slot = BookingSlotRow(hall_id=hall, group_code="social", service_day=day.day,
                                          starts_at=start, ends_at=start + timedelta(minutes=30),
                                          capacity=50, booked=0)  # fmt: skip
                    session.add(slot)
                    await session.flush()
                    slots[r["slot_start"]] = slot.id
                session.add(
                    AppointmentRow(
                        code=f"N{day.day:%m%d}{k:04d}", hall_id=hall, matter_code=r["matter"],
                        slot_id=slots[r["slot_start"]], service_day=day.day, starts_at=start,
                        ends_at=start + timedelta(minutes=30), person_key=f"p{k}",
                        phone_key=f"q{k}",
                        name_masked="*", id_masked="*", phone_masked="*", status="no_show",
                        no_show_at=start + timedelta(minutes=45),
                    )
                )  # fmt: skip
