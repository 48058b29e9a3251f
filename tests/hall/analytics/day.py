"""A scripted hall day driven through the real services, for the analytics tests.

Times are minutes after 09:00 in Shanghai on Monday 2026-11-23 (negative: before
opening); the previous Friday leaves one ticket unserved at closing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import queueing
from hall.calling import tickets, windows
from hall.calling.context import load_context
from hall.calling.core_rows import seconds, store_ticket, ticket_of
from hall.calling.rows import read_ticket
from hall.calling.tickets import new_ticket, record_events
from hall.calling.writer import QueueWriter
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import StaffRow
from hall.store.unit import unit_of_work
from queueing import Source

HALL = "district"
OPENING = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Shanghai
FRIDAY = OPENING - timedelta(days=3)
NOW = OPENING + timedelta(minutes=60)  # 10:00: the day is still running
PUB = NullPublisher()


def at(minutes: float, base: datetime = OPENING) -> datetime:
    return base + timedelta(minutes=minutes)


async def add_clerks(db: Database, count: int) -> list[StaffMember]:
    """Clerks T001… (rows without passwords: the services only need their ids)."""
    found = []
    async with db.write() as session:
        for i in range(1, count + 1):
            row = StaffRow(username=f"t{i}", job_number=f"T{i:03d}", role="clerk", halls=["*"])
            session.add(row)
            await session.flush()
            found.append(StaffMember(row.id, row.username, row.job_number, Role.CLERK, ("*",)))
    return found


@dataclass
class Day:
    """What the script did that the events do not say: the appointments' slot starts."""

    db: Database
    clerks: list[StaffMember]
    due: dict[str, datetime] = field(default_factory=dict)

    async def walk_in(
        self, minutes: float, matter: str = "SI-REG", base: datetime = OPENING
    ) -> str:
        view = await tickets.issue_ticket(self.db, PUB, HALL, matter, at(minutes, base))
        return view.id

    async def green(self, minutes: float) -> str:
        view = await tickets.issue_ticket(
            self.db, PUB, HALL, "SI-REG", at(minutes), green=True, staff=self.clerks[0]
        )
        return view.id

    async def appointment(self, minutes: float, matter: str, due_minutes: float) -> str:
        """An appointment checked in at ``minutes`` for a slot starting at ``due_minutes``."""
        now, due = at(minutes), at(due_minutes)
        async with unit_of_work(self.db, PUB, "kiosk", HALL, now) as unit:
            ctx = await load_context(unit, HALL, lock=True)
            row = await new_ticket(unit, ctx, matter, now, source=Source.APPOINTMENT, due_at=due)
        self.due[row.id] = due
        return row.id

    async def leave(self, ticket_id: str, minutes: float) -> None:
        """The citizen gives up and leaves before being called (the kiosk cancels)."""
        now = at(minutes)
        async with unit_of_work(self.db, PUB, "kiosk", HALL, now) as unit:
            await load_context(unit, HALL, lock=True)
            row = await read_ticket(unit.session, ticket_id)
            assert row is not None
            before = row.status
            ticket, events = queueing.cancel(ticket_of(row), seconds(now), "left the hall")
            store_ticket(row, ticket)
            await unit.part(QueueWriter).write_ticket(row, before)
            record_events(unit, row, events, before)

    def clerk(self, window: int) -> StaffMember:
        return self.clerks[window - 1]

    async def window(
        self, action: str, window: int, minutes: float, base: datetime = OPENING
    ) -> None:
        change: Callable[..., Awaitable[object]] = getattr(windows, action)
        await change(self.db, PUB, self.clerk(window), HALL, window, at(minutes, base))

    async def call(self, window: int, minutes: float, base: datetime = OPENING) -> str | None:
        view = await tickets.call_next(
            self.db, PUB, self.clerk(window), HALL, window, at(minutes, base)
        )
        return None if view is None else view.number

    async def act(
        self, window: int, minutes: float, action: str, base: datetime = OPENING, **options: object
    ) -> None:
        await tickets.act_on_held(
            self.db, PUB, self.clerk(window), HALL, window, at(minutes, base), action, **options
        )


async def friday(day: Day) -> None:
    """Friday: one citizen served; one called, parked to fetch a document and never back
    (unserved at closing; a ticket left waiting would be called on Monday, issue 15)."""
    await day.window("sign_in", 1, 0, FRIDAY)
    await day.walk_in(10, base=FRIDAY)
    await day.call(1, 12, FRIDAY)
    await day.act(1, 13, "start", FRIDAY)
    await day.act(1, 25, "finish", FRIDAY, outcome="completed")
    await day.walk_in(420, base=FRIDAY)  # 16:00
    await day.call(1, 422, FRIDAY)
    await day.act(1, 423, "park", FRIDAY, reason="复印材料")
    await day.window("sign_out", 1, 470, FRIDAY)  # 16:50


async def monday(day: Day) -> None:
    """Monday until 10:00: calls, a no-show, a transfer, a pause, one who left, waits."""
    await day.window("sign_in", 1, -5)
    await day.window("sign_in", 2, -4)
    await day.walk_in(0)
    await day.walk_in(2, "RES-PERMIT")
    await day.green(3)
    await day.call(1, 5)  # the green ticket first
    await day.act(1, 6, "start")
    await day.call(2, 7)
    await day.act(2, 8, "start")
    await day.appointment(10, "SI-CARD", 30)  # early for its 09:30 slot
    await day.appointment(12, "RE-TRANSFER", 0)  # complex, 12 minutes late
    left = await day.walk_in(15)
    await day.act(1, 20, "finish", outcome="completed")
    await day.call(1, 21)
    await day.act(1, 22, "recall")
    await day.act(1, 23, "recall")
    await day.act(1, 27, "no_show")
    await day.leave(left, 30)
    await day.act(2, 40, "finish", outcome="materials_missing")
    await day.window("pause", 2, 41)
    await day.call(1, 42)
    await day.act(1, 43, "start")
    await day.walk_in(45)  # still waiting at 10:00
    await day.window("resume", 2, 50)
    await day.call(2, 50)
    await day.act(2, 51, "start")
    await day.act(2, 55, "transfer", matter="HF-WITHDRAW")
    await day.act(1, 56, "finish", outcome="completed")
    await day.call(1, 57)  # the transferred ticket, or the next in line
    await day.act(1, 58, "start")  # still being served at 10:00
    await day.appointment(59, "SI-CARD", 55)  # waiting 1 minute at 10:00
    await day.appointment(59.5, "SI-CARD", 90)  # early for 10:30: not waiting yet
