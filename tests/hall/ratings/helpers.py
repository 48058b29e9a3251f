"""Helpers of the rating and case tests: staff members, served tickets, a calendar."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from hall.calling import tickets, windows
from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import StaffRow
from hall.store.unit import unit_of_work

HALL = "district"
# Monday 23 November 2026, 09:00 in Shanghai.
MONDAY = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
# Friday 27 November 2026, 10:00 in Shanghai.
FRIDAY = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
HOLIDAY = date(2026, 12, 1)  # a Tuesday, made a holiday for these tests
MAKEUP = date(2026, 12, 5)  # a Saturday, made a working day


async def add_staff(db: Database, username: str, role: Role = Role.CLERK) -> StaffMember:
    """Create an account (no password) and return it as a member."""
    async with db.write() as session:
        row = StaffRow(
            username=username,
            job_number=f"J{abs(hash(username)) % 10000:04d}",
            role=role.value,
            halls=[HALL],
            active=True,
        )
        session.add(row)
        await session.flush()
        return StaffMember(row.id, row.username, row.job_number, role, (HALL,))


async def member(db: Database, username: str) -> StaffMember:
    async with db.read() as session:
        row = await session.scalar(select(StaffRow).where(StaffRow.username == username))
    assert row is not None
    return StaffMember(row.id, row.username, row.job_number, Role(row.role), tuple(row.halls))


async def with_calendar(db: Database) -> None:
    """The demo halls, with a holiday and a makeup workday in the week after FRIDAY."""
    config = load_config(demo_config_path())
    district = config.halls[0]
    changed = dataclasses.replace(
        district,
        holidays=(*district.holidays, HOLIDAY),
        makeup_workdays=(*district.makeup_workdays, MAKEUP),
    )
    config = dataclasses.replace(config, halls=(changed, *config.halls[1:]))
    async with unit_of_work(db, None, "test", None, datetime.now(UTC)) as unit:
        await stored.apply_config(unit, config)


async def serve_one(
    db: Database,
    clerk: StaffMember,
    window: int,
    at: datetime,
    *,
    matter: str = "SI-CARD",
    outcome: str = "completed",
    sign_in: bool = True,
) -> str:
    """Issue a ticket at ``at``, call the next one, start and finish it; the finished id.

    The window calls by the dispatch policy: with nobody else waiting for it, that is the
    ticket just issued."""
    publisher = NullPublisher()
    if sign_in:
        await windows.sign_in(db, publisher, clerk, HALL, window, at)
    await tickets.issue_ticket(db, publisher, HALL, matter, at)
    called = await tickets.call_next(db, publisher, clerk, HALL, window, at + timedelta(minutes=1))
    assert called is not None
    await tickets.act_on_held(
        db, publisher, clerk, HALL, window, at + timedelta(minutes=2), "start"
    )
    await tickets.act_on_held(
        db, publisher, clerk, HALL, window, at + timedelta(minutes=8), "finish", outcome=outcome
    )
    ticket_id: str = called.id
    return ticket_id
