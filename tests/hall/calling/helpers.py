"""Builders for the calling service tests: the demo hall's clock, its staff and tickets.

Times are minutes after 09:00 in Shanghai on Monday 2026-11-23, a working day of the
demo district hall; the services get them as ``now``, never from the wall clock.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from functools import cache
from typing import Any

from sqlalchemy import select

from hall.calling.context import load_context
from hall.calling.core_rows import ticket_of
from hall.calling.rows import read_window
from hall.calling.tickets import new_ticket
from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.catalogue.schema import DayRules, Period
from hall.publish import HallEvent, RecordingPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import EventRow, StaffRow, TicketRow, WindowRow
from hall.store.unit import unit_of_work
from queueing import Source, Ticket

HALL = "district"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DAY = timedelta(days=1)


def at(minutes: float, base: datetime = MONDAY) -> datetime:
    """``minutes`` after 09:00 (Shanghai) of the base day."""
    return base + timedelta(minutes=minutes)


@cache
def demo_file() -> dict[str, Any]:
    """The demo configuration file as written (the test's own reading of it)."""
    with demo_config_path().open("rb") as file:
        return tomllib.load(file)


def demo_hall(hall_id: str = HALL) -> dict[str, Any]:
    found: dict[str, Any] = next(h for h in demo_file()["halls"] if h["id"] == hall_id)
    return found


def prefix_of(matter: str, hall_id: str = HALL) -> str:
    """The ticket prefix the demo file gives a matter."""
    return str(next(m["prefix"] for m in demo_hall(hall_id)["matters"] if m["code"] == matter))


def group_of(matter: str, hall_id: str = HALL) -> str:
    return str(next(m["group"] for m in demo_hall(hall_id)["matters"] if m["code"] == matter))


async def add_staff(
    db: Database,
    username: str,
    job_number: str,
    role: Role = Role.CLERK,
    halls: Sequence[str] = ("*",),
) -> StaffMember:
    """A staff account (no password: the services only need who acts)."""
    async with db.write() as session:
        row = StaffRow(username=username, job_number=job_number, role=role.value, halls=list(halls))
        session.add(row)
        await session.flush()
        return StaffMember(row.id, username, job_number, role, tuple(halls))


async def add_clerks(db: Database, count: int) -> list[StaffMember]:
    """Clerks k01… with job numbers K0001… working in every hall."""
    return [await add_staff(db, f"k{i:02d}", f"K{i:04d}") for i in range(1, count + 1)]


async def appointment_ticket(db: Database, now: datetime, matter: str, due: datetime) -> str:
    """An appointment ticket checked in at ``now`` for a slot starting at ``due``.

    Made as check-in makes it (hall.booking.checkin), without the booking around it.
    """
    async with unit_of_work(db, None, "kiosk", HALL, now) as unit:
        ctx = await load_context(unit, HALL, lock=True)
        row = await new_ticket(unit, ctx, matter, now, source=Source.APPOINTMENT, due_at=due)
    return row.id


async def ticket(db: Database, ticket_id: str) -> Ticket:
    """The stored ticket, read directly."""
    async with db.read() as session:
        row = await session.get(TicketRow, ticket_id)
        assert row is not None
        return ticket_of(row)


async def window_row(db: Database, number: int, hall_id: str = HALL) -> WindowRow:
    async with db.read() as session:
        row = await read_window(session, hall_id, number)
        assert row is not None
        return row


async def audit(db: Database, kind: str) -> list[EventRow]:
    """The audit events of one kind, in order."""
    async with db.read() as session:
        query = select(EventRow).where(EventRow.kind == kind).order_by(EventRow.id)
        return list((await session.scalars(query)).all())


def published(publisher: RecordingPublisher, kind: str | None = None) -> list[HallEvent]:
    """What the screens were told, optionally of one kind."""
    return [e for e in publisher.events if kind is None or e.kind == kind]


async def open_around_the_clock(db: Database) -> None:
    """The demo halls issuing tickets at any hour of any day: for the tests that are not
    about the hall's day (its issuing rules have tests of their own, test_issuing.py)."""
    config = load_config(demo_config_path())
    always = (Period(time(0, 0), time(23, 59)),)
    halls = tuple(
        dataclasses.replace(
            hall,
            opening_hours={day: always for day in WEEKDAYS},
            holidays=(),
            day=DayRules(tickets_from_minutes=0, tickets_until_minutes=0),
        )
        for hall in config.halls
    )
    async with unit_of_work(db, None, "test", None, MONDAY) as unit:
        await stored.apply_config(unit, dataclasses.replace(config, halls=halls))
