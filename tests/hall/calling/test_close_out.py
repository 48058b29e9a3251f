"""The end of the hall's day: what close-out does, that it happens once, and on time.

The truth is the rule of SPEC.md: at closing (plus the grace) windows are signed out,
tickets still waiting, called or being served are recorded unserved, parked ones expire,
and the screens start the next day clean.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from hall.analytics.periods import DateRange
from hall.analytics.records import load_hall_info, load_records
from hall.analytics.service import hall_kpis
from hall.calling import tickets
from hall.calling.board import load_board
from hall.calling.close_out import close_day, close_due_days, close_out_time, days_due
from hall.calling.queue import window_rows
from hall.calling.rows import read_window
from hall.calling.writer import QueueWriter
from hall.catalogue.loader import demo_config_path, load_config
from hall.errors import InvalidInput
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import EventRow, HallDayRow, TicketRow, WindowRow
from hall.store.unit import reading, unit_of_work
from tests.conftest import fresh_postgres_database, load_demo

pytestmark = pytest.mark.asyncio

HALL = "district"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PUB = NullPublisher()
BOSS = StaffMember(1, "boss", "S001", Role.SUPERVISOR, (HALL,))
SUNDAY, MONDAY, TUESDAY = date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)


def local(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def open_windows(db: Database, *numbers: int, at: datetime | None = None) -> None:
    """Open windows as a sign-in does (the row and its ``window_signed_in`` event)."""
    async with unit_of_work(db, None, "test", HALL, at or local(9)) as unit:
        for number in numbers:
            row = await read_window(unit.session, HALL, number)
            assert row is not None
            row.status = "open"
            await unit.part(QueueWriter).write_window(row)
            unit.record("window_signed_in", "window", number, after={"status": "open"})


async def a_busy_day(db: Database) -> dict[str, str]:
    """Six tickets: one finished, one being served, one called, one parked, two waiting.

    The server ran through the Sunday before: it was closed at its first moment."""
    await close_day(db, PUB, HALL, SUNDAY, local(0, day=22))
    ids = [(await tickets.issue_ticket(db, PUB, HALL, "SI-REG", local(9, n))).id for n in range(6)]
    await open_windows(db, 1, 2, 3, 4)
    at = local(10)

    async def act(window: int, *actions: str) -> None:
        assert await tickets.call_next(db, PUB, BOSS, HALL, window, at) is not None
        for action in actions:
            options = {"outcome": "completed"} if action == "finish" else {}
            await tickets.act_on_held(db, PUB, BOSS, HALL, window, at, action, **options)

    await act(1, "start", "finish")
    await act(2, "start")
    await act(3)
    await act(4, "park")
    return {"finished": ids[0], "serving": ids[1], "called": ids[2], "parked": ids[3]}


async def due(db: Database, now: datetime) -> list[date]:
    """The district hall's days due (the street hall has its own hours)."""
    return [day for hall, day in await days_due(db, now) if hall == HALL]


async def closed_days(db: Database) -> list[date]:
    async with db.read() as session:
        query = select(HallDayRow.service_day).where(HallDayRow.hall_id == HALL)
        return sorted((await session.scalars(query)).all())


async def statuses(db: Database) -> Counter[str]:
    async with db.read() as session:
        rows = (await session.scalars(select(TicketRow.status))).all()
    return Counter(rows)


async def kinds(db: Database) -> Counter[str]:
    async with db.read() as session:
        return Counter((await session.scalars(select(EventRow.kind))).all())


async def test_close_out_ends_the_day_once(db: Database) -> None:
    await a_busy_day(db)
    before = await kinds(db)
    done = await close_day(db, PUB, HALL, MONDAY, local(17, 30))
    assert (done.unserved, done.expired, done.windows_signed_out) == (4, 1, 4)
    assert not done.already
    assert await statuses(db) == Counter({"finished": 1, "unserved": 5})
    async with db.read() as session:
        windows = await window_rows(session, HALL)
        unserved = (
            await session.scalars(select(TicketRow).where(TicketRow.status == "unserved"))
        ).all()
    assert {w.status for w in windows} == {"closed"}
    assert all(not (w.dispatch_state or {}).get("ticket_id") for w in windows)
    assert all(t.state["ended_at"] is not None for t in unserved)
    new = await kinds(db) - before
    assert new == Counter(
        {"ticket_unserved": 4, "ticket_expired": 1, "window_signed_out": 4, "day_closed": 1}
    )
    again = await close_day(db, PUB, HALL, MONDAY, local(18))
    assert again.already
    assert (again.unserved, again.closed_at) == (4, local(17, 30))
    assert await kinds(db) - before == new  # nothing more happened


async def test_the_screens_and_the_records_start_clean(db: Database) -> None:
    await a_busy_day(db)
    board = await load_board(db, HALL, local(16))
    assert board.recent_calls
    assert sum(g["waiting"] for g in board.waiting) == 2
    await close_day(db, PUB, HALL, MONDAY, local(17, 30))
    board = await load_board(db, HALL, local(17, 31))
    assert board.recent_calls == []
    assert all(w["ticket"] is None and w["status"] == "closed" for w in board.windows)
    assert sum(g["waiting"] for g in board.waiting) == 0
    async with reading(db) as tx:
        info = await load_hall_info(tx, HALL)
        records = await load_records(tx.session, info, MONDAY, MONDAY, MONDAY)
    assert Counter(r.outcome for r in records) == Counter({"completed": 1, "unserved": 5})
    assert not any(r.open for r in records)
    # The KPIs count them as the hall's miss, not as citizens who left.
    report = await hall_kpis(db, BOSS, HALL, DateRange(MONDAY, MONDAY), local(17, 40))
    assert report.figures["unserved_rate"].value == round(5 / 6, 4)
    assert report.figures["abandonment_rate"].value == 0.0


async def test_the_server_closes_a_day_when_it_is_due(db: Database) -> None:
    hall = load_config(demo_config_path()).hall(HALL)
    assert hall is not None
    assert close_out_time(hall, MONDAY) == local(17, 30)  # 17:00 closing + 30 min
    assert close_out_time(hall, date(2026, 11, 24)) == local(19, 30, day=24)  # evening session
    await a_busy_day(db)
    assert await due(db, local(17, 29)) == []
    await close_due_days(db, PUB, local(17, 29))
    assert await closed_days(db) == [SUNDAY]
    assert await due(db, local(17, 30)) == [MONDAY]
    # The server was down that evening: the next morning closes Monday all the same.
    await close_due_days(db, PUB, local(8, day=24))
    assert await closed_days(db) == [SUNDAY, MONDAY]
    assert await due(db, local(8, day=24)) == []
    assert await statuses(db) == Counter({"finished": 1, "unserved": 5})


async def window_status(db: Database, number: int) -> str | None:
    async with db.read() as session:
        return await session.scalar(
            select(WindowRow.status).where(WindowRow.hall_id == HALL, WindowRow.number == number)
        )


async def test_a_window_left_open_is_signed_out_even_without_tickets(db: Database) -> None:
    await open_windows(db, 7)
    # The Sunday before was never closed (no server ran) and a window is staffed: it is
    # due, but window 7 was signed in on Monday and stays open when Sunday is closed.
    assert await due(db, local(17, 29)) == [SUNDAY]
    await close_due_days(db, PUB, local(17, 29))
    assert await window_status(db, 7) == "open"
    await close_due_days(db, PUB, local(17, 31))  # Monday, due at 17:30
    assert await closed_days(db) == [SUNDAY, MONDAY]
    assert await window_status(db, 7) == "closed"


async def test_a_late_close_out_keeps_the_windows_of_the_day_after(db: Database) -> None:
    await close_day(db, PUB, HALL, SUNDAY, local(0, day=22))
    await open_windows(db, 1)  # Monday 09:00; the server is down that evening
    await open_windows(db, 2, at=local(8, 50, day=24))  # Tuesday morning, a new sign-in
    await close_due_days(db, PUB, local(9, day=24))  # Monday, closed late
    assert await closed_days(db) == [SUNDAY, MONDAY]
    assert (await window_status(db, 1), await window_status(db, 2)) == ("closed", "open")
    # Overtime after Tuesday's close-out (19:30, evening session) is left alone.
    await close_due_days(db, PUB, local(19, 30, day=24))
    assert await closed_days(db) == [SUNDAY, MONDAY, TUESDAY]
    assert await window_status(db, 2) == "closed"
    await open_windows(db, 3, at=local(19, 40, day=24))
    await close_due_days(db, PUB, local(19, 45, day=24))
    assert await due(db, local(19, 45, day=24)) == []
    assert await window_status(db, 3) == "open"


async def test_a_day_that_has_not_begun_cannot_be_closed(db: Database) -> None:
    with pytest.raises(InvalidInput):
        await close_day(db, PUB, HALL, date(2026, 11, 24), local(17, 30))


@pytest.mark.postgres
async def test_two_processes_close_a_day_once() -> None:
    """Two Database objects (two server processes) on one PostgreSQL database race."""
    async with fresh_postgres_database() as url:
        first, second = Database(url), Database(url)
        try:
            await upgrade(first)
            await load_demo(first)
            await a_busy_day(first)
            await open_windows(first, 5, 6)
            for _ in range(3):  # three rounds of both sweeps and an operator at once
                *_, by_hand = await asyncio.gather(
                    close_due_days(first, PUB, local(17, 45)),
                    close_due_days(second, PUB, local(17, 45)),
                    close_day(second, PUB, HALL, MONDAY, local(17, 45), "operator"),
                )
                assert by_hand.day == MONDAY
            async with first.read() as session:
                days = (
                    await session.scalars(select(HallDayRow).where(HallDayRow.hall_id == HALL))
                ).all()
                closed_events = await session.scalar(
                    select(func.count()).where(
                        EventRow.kind == "day_closed", EventRow.hall_id == HALL
                    )
                )
                per_ticket = Counter(
                    (
                        await session.scalars(
                            select(EventRow.subject_id).where(
                                EventRow.kind.in_(("ticket_unserved", "ticket_expired"))
                            )
                        )
                    ).all()
                )
            assert sorted((d.hall_id, d.service_day) for d in days) == [
                (HALL, SUNDAY),
                (HALL, MONDAY),
            ]
            assert closed_events == 2  # Sunday's (closed before) and Monday's, once
            assert sorted(per_ticket.values()) == [1] * 5
            assert await statuses(first) == Counter({"finished": 1, "unserved": 5})
        finally:
            await first.dispose()
            await second.dispose()
