"""Today's summary kept up to date from the rows written since the last look equals the
one worked out from all of today's records at once, after every action of a scripted
day, in a process that looks after every action and in one that looks now and then; the
end of the day (close-out) included. The truth of the figures themselves (from the
events) is ``test_kpis``'s; here it is the whole report, read without anything kept.
"""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import delete, select, update

from hall.analytics.periods import DateRange
from hall.analytics.records import load_changed, load_hall_info
from hall.analytics.service import KpiReport, hall_kpis
from hall.analytics.today import KeptToday
from hall.calling.close_out import close_day
from hall.calling.core_rows import store_ticket, ticket_of
from hall.calling.rows import read_ticket
from hall.calling.writer import QueueWriter
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import EventRow, HallRow, TicketRow
from hall.store.unit import reading, unit_of_work
from tests.hall.analytics.day import HALL, OPENING, PUB, Day, add_clerks, at, monday
from tests.hall.analytics.test_daily import from_records, same

pytestmark = pytest.mark.asyncio

BOSS = StaffMember(0, "boss", "S9", Role.SUPERVISOR, (HALL,))
MONDAY = date(2026, 11, 23)
TODAY = DateRange(MONDAY, MONDAY)


async def look(db: Database, now: datetime, records_of: Database | None = None) -> KpiReport:
    """Today's KPIs as the dashboard gets them (``db``'s process, with what it kept), held
    equal to the report worked out from all of today's records (read on ``records_of``,
    default ``db``) at once."""
    report = await hall_kpis(db, BOSS, HALL, None, now)
    same(report, await from_records(records_of or db, TODAY, now))
    return report


class Watched(Day):
    """The scripted day, with the dashboard of one process looking after every action and
    that of another (its own ``Database``: nothing kept in common) after every third."""

    other: Database
    actions: int = 0

    async def looked(self, minutes: float) -> None:
        self.actions += 1
        now = at(minutes) + timedelta(seconds=20)
        expected = await from_records(self.db, TODAY, now)
        same(await hall_kpis(self.db, BOSS, HALL, None, now), expected)
        if self.actions % 3 == 0:
            same(await hall_kpis(self.other, BOSS, HALL, None, now), expected)

    async def walk_in(
        self, minutes: float, matter: str = "SI-REG", base: datetime = OPENING
    ) -> str:
        found = await super().walk_in(minutes, matter, base)
        await self.looked(minutes)
        return found

    async def green(self, minutes: float) -> str:
        found = await super().green(minutes)
        await self.looked(minutes)
        return found

    async def appointment(self, minutes: float, matter: str, due_minutes: float) -> str:
        found = await super().appointment(minutes, matter, due_minutes)
        await self.looked(minutes)
        return found

    async def leave(self, ticket_id: str, minutes: float) -> None:
        await super().leave(ticket_id, minutes)
        await self.looked(minutes)

    async def window(
        self, action: str, window: int, minutes: float, base: datetime = OPENING
    ) -> None:
        await super().window(action, window, minutes, base)
        await self.looked(minutes)

    async def call(self, window: int, minutes: float, base: datetime = OPENING) -> str | None:
        found = await super().call(window, minutes, base)
        await self.looked(minutes)
        return found

    async def act(
        self, window: int, minutes: float, action: str, base: datetime = OPENING, **options: object
    ) -> None:
        await super().act(window, minutes, action, base, **options)
        await self.looked(minutes)


@pytest_asyncio.fixture
async def watched(db: Database) -> Watched:
    day = Watched(db, await add_clerks(db, 3))
    day.other = Database(db.url)
    try:
        await monday(day)
    except BaseException:
        await day.other.dispose()
        raise
    return day


async def test_kept_today_equals_all_records_after_every_action(watched: Watched) -> None:
    try:
        assert watched.actions >= 30
        shelf = watched.db.memo.kept(KeptToday)
        async with reading(watched.db) as tx:
            info = await load_hall_info(tx, HALL)
        seen = shelf.get(HALL, MONDAY, info.hall)
        assert seen is not None  # the process kept its last look
        assert seen.seq == watched.actions - 4  # sign-ins, a pause and a resume write no ticket
        assert len(seen.ended.ids) == sum(not r.open for r in seen.records.values()) > 0
        # Later the same day, nothing written: the waits in progress grow all the same.
        later = at(60) + timedelta(minutes=25)
        report = await look(watched.db, later)
        assert report.figures["walkin_wait"].in_progress == 1
        # The end of the day: window 2 signs out; close-out signs out window 1 (still
        # serving) and records the tickets still open as unserved.
        await watched.window("sign_out", 2, 480)
        evening = at(8 * 60 + 30)
        await close_day(watched.db, PUB, HALL, MONDAY, evening)
        for db in (watched.db, watched.other):
            closed = await look(db, evening, watched.db)
            assert closed.figures["overtime"].value is not None
            assert closed.outcomes["unserved"] >= 1
            assert "open" not in closed.outcomes
    finally:
        await watched.other.dispose()


async def test_only_the_rows_written_after_a_sequence_number_are_read(db: Database) -> None:
    day = Day(db, await add_clerks(db, 1))
    await day.window("sign_in", 1, -5)
    first = await day.walk_in(0)
    second = await day.walk_in(1)
    async with reading(db) as tx:
        info = await load_hall_info(tx, HALL)

        async def changed(after: int) -> list[str]:
            found = await load_changed(tx.session, info, MONDAY, after, MONDAY)
            return sorted(r.ticket.id for r in found)

        assert await changed(0) == sorted([first, second])
        assert await changed(1) == [second]
        assert await changed(2) == []
    await day.call(1, 2)  # the first ticket: one unit, one more number
    async with reading(db) as tx:
        assert [r.ticket.id for r in await load_changed(tx.session, info, MONDAY, 2, MONDAY)] == [
            first
        ]
        # another day's rows are not today's
        assert await load_changed(tx.session, info, MONDAY + timedelta(days=1), 0, MONDAY) == []


async def test_an_ended_ticket_written_again_is_counted_as_written(db: Database) -> None:
    """Nothing rewrites an ended ticket today; if something did (a correction), the kept
    summary of the ended tickets would be worked out again, not added to."""
    day = Day(db, await add_clerks(db, 1))
    await day.window("sign_in", 1, -5)
    ticket_id = await day.walk_in(0)
    await day.call(1, 1)
    await day.act(1, 2, "start")
    await day.act(1, 12, "finish", outcome="completed")
    now = at(20)
    before = await hall_kpis(db, BOSS, HALL, None, now)
    assert before.figures["handling_time"].value == 10.0
    async with unit_of_work(db, None, "test", HALL, now) as unit:
        row = await read_ticket(unit.session, ticket_id)
        assert row is not None
        ticket = ticket_of(row)
        assert ticket.finished_at is not None
        later = dataclasses.replace(ticket, finished_at=ticket.finished_at + 300)
        store_ticket(row, later)
        await unit.part(QueueWriter).write_ticket(row, "finished")
    after = await look(db, now)
    assert after.figures["handling_time"].value == 15.0


async def test_window_events_written_since_the_last_look_credit_services_afresh(
    db: Database,
) -> None:
    """A service is credited to the clerk signed in at its window when it started: an
    event recorded later with an earlier time (a clock put right) changes that clerk."""
    day = Day(db, await add_clerks(db, 2))
    await day.window("sign_in", 1, -5)
    await day.walk_in(0)
    await day.call(1, 1)
    await day.act(1, 2, "start")
    await day.act(1, 12, "finish", outcome="completed")
    first = await hall_kpis(db, BOSS, HALL, None, at(20))
    assert [row.key for row in first.staff] == ["T001"]
    async with unit_of_work(db, None, "test", HALL, at(1.5)) as unit:
        unit.record("window_signed_in", "window", 1, after={"status": "open", "staff": "T002"})
    again = await look(db, at(21))
    assert {row.key: row.served for row in again.staff} == {"T001": 0, "T002": 1}


async def test_a_database_gone_back_to_an_earlier_state_is_read_afresh(db: Database) -> None:
    """A restore (or a fail-over to a standby a little behind) moves the hall's ticket
    sequence back: what the process kept is newer than the database, so it reads again."""
    day = Day(db, await add_clerks(db, 1))
    await day.window("sign_in", 1, -5)
    await day.walk_in(0)
    await day.walk_in(1)
    now = at(5)
    assert (await hall_kpis(db, BOSS, HALL, None, now)).figures["arrivals"].value == 2
    async with db.write() as session:  # the restored database: the second ticket never was
        last = await session.scalar(select(TicketRow.id).where(TicketRow.change_seq == 2))
        await session.execute(delete(EventRow).where(EventRow.subject_id == last))
        await session.execute(delete(TicketRow).where(TicketRow.id == last))
        await session.execute(  # the hall's configuration did not change
            update(HallRow)
            .where(HallRow.id == HALL)
            .values(ticket_seq=1, updated_at=HallRow.updated_at)
        )
    report = await look(db, now)
    assert report.figures["arrivals"].value == 1


async def test_concurrent_looks_each_see_one_state_and_the_next_look_is_right(
    db: Database,
) -> None:
    """Six looks at once while a clerk calls and a citizen takes a ticket: each look is
    the report before, between or after the two writes, never a mix; the look after
    them all is the report after."""
    day = Day(db, await add_clerks(db, 1))
    await day.window("sign_in", 1, -5)
    for minute in range(4):
        await day.walk_in(minute)
    now = at(10)
    await hall_kpis(db, BOSS, HALL, None, now)  # something kept
    states = [await from_records(db, TODAY, now)]
    looks = [asyncio.create_task(hall_kpis(db, BOSS, HALL, None, now)) for _ in range(3)]
    await day.call(1, 9)
    states.append(await from_records(db, TODAY, now))
    looks += [asyncio.create_task(hall_kpis(db, BOSS, HALL, None, now)) for _ in range(3)]
    await day.walk_in(9.5)
    states.append(await from_records(db, TODAY, now))
    assert states[0].figures != states[1].figures != states[2].figures  # three states
    for report in await asyncio.gather(*looks):
        assert any(matches(report, state) for state in states)
    same(await hall_kpis(db, BOSS, HALL, None, now), states[-1])


def matches(found: KpiReport, expected: KpiReport) -> bool:
    try:
        same(found, expected)
    except AssertionError:
        return False
    return True
