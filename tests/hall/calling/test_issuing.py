"""The issuing rules on the demo district hall, with an injected clock.

The truth is the demo file as a person reads it: Monday to Friday 09:00–12:00 and
13:00–17:00, Tuesday and Thursday 17:00–19:00 for high-frequency matters, Saturday
09:00–12:00 for some matters, the 2026 National Day holiday (1–7 October) and a makeup
workday on Saturday 10 October; tickets from 30 minutes before opening until 30 minutes
before closing (``[halls.day]``). Times below are Shanghai local (UTC+8).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from hall.booking import appointments, checkin
from hall.calling import tickets
from hall.calling.issuing import (
    DailyCapReached,
    HallClosed,
    MatterNotServedNow,
    cap_states,
    current_or_next,
    next_time_text,
)
from hall.catalogue import stored
from hall.catalogue.cache import hall_config
from hall.catalogue.loader import demo_config_path, load_config
from hall.catalogue.schema import DailyCap, DayRules
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.unit import reading, unit_of_work
from tests.hall.booking.helpers import SECRET, request

pytestmark = pytest.mark.asyncio

HALL = "district"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PUB = NullPublisher()
GUIDE = StaffMember(1, "clerk01", "C01", Role.CLERK, ("*",))


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


async def issue(db: Database, matter: str, now: datetime) -> tickets.TicketView:
    return await tickets.issue_ticket(db, PUB, HALL, matter, now)


async def test_tickets_start_30_minutes_before_opening(db: Database) -> None:
    with pytest.raises(HallClosed) as refused:
        await issue(db, "SI-REG", local(2026, 11, 23, 8, 29))
    assert refused.value.fields["next_open"] == "2026-11-23T09:00:00+08:00"
    assert refused.value.fields["next_issue_from"] == "2026-11-23T08:30:00+08:00"
    assert "09:00" in refused.value.message_zh
    assert "08:30起可取号" in refused.value.message_zh
    assert refused.value.status == 409
    assert refused.value.code == "hall_closed"
    ticket = await issue(db, "SI-REG", local(2026, 11, 23, 8, 30))
    assert ticket.status == "waiting"


async def test_tickets_stop_30_minutes_before_each_closing(db: Database) -> None:
    await issue(db, "SI-REG", local(2026, 11, 23, 11, 29))
    with pytest.raises(HallClosed) as lunch:
        await issue(db, "SI-REG", local(2026, 11, 23, 11, 30))
    assert lunch.value.fields["next_open"] == "2026-11-23T13:00:00+08:00"
    await issue(db, "SI-REG", local(2026, 11, 23, 12, 30))  # tickets again 30 min before 13:00
    await issue(db, "SI-REG", local(2026, 11, 23, 16, 29))
    with pytest.raises(HallClosed) as evening:
        await issue(db, "SI-REG", local(2026, 11, 23, 16, 30))
    assert evening.value.fields["next_open"] == "2026-11-24T09:00:00+08:00"  # Tuesday


async def test_a_closed_day_names_the_next_working_day(db: Database) -> None:
    with pytest.raises(HallClosed) as sunday:
        await issue(db, "SI-REG", local(2026, 11, 22, 10, 30))
    assert sunday.value.fields["next_open"] == "2026-11-23T09:00:00+08:00"
    assert "11月23日（周一）09:00" in sunday.value.message_zh
    assert "Mon 23 Nov at 09:00" in sunday.value.message


async def test_a_holiday_is_closed_and_the_makeup_workday_is_open(db: Database) -> None:
    with pytest.raises(HallClosed) as holiday:
        await issue(db, "FOOD-LIC", local(2026, 10, 1, 10))  # a Thursday, National Day
    assert holiday.value.fields["next_open"] == "2026-10-08T09:00:00+08:00"
    # Saturday 10 October is worked as a Monday: every matter, Monday's hours.
    ticket = await issue(db, "FOOD-LIC", local(2026, 10, 10, 14))
    assert ticket.matter == "FOOD-LIC"
    with pytest.raises(MatterNotServedNow):  # an ordinary Saturday serves only some matters
        await issue(db, "FOOD-LIC", local(2026, 11, 21, 10))


async def test_an_extended_session_serves_only_its_matters(db: Database) -> None:
    tuesday_evening = local(2026, 11, 24, 17, 30)
    assert (await issue(db, "SI-CARD", tuesday_evening)).matter == "SI-CARD"
    with pytest.raises(MatterNotServedNow) as refused:
        await issue(db, "FOOD-LIC", tuesday_evening)
    assert refused.value.code == "matter_not_served_now"
    assert refused.value.fields["next_open"] == "2026-11-25T09:00:00+08:00"
    # The day's hours run straight into the session: no stop at 16:30 for SI-CARD.
    await issue(db, "SI-CARD", local(2026, 11, 24, 16, 45))
    with pytest.raises(MatterNotServedNow):
        await issue(db, "FOOD-LIC", local(2026, 11, 24, 16, 45))
    with pytest.raises(HallClosed):  # the session's own stop time, 30 min before 19:00
        await issue(db, "SI-CARD", local(2026, 11, 24, 18, 30))


async def with_cap(db: Database, cap: DailyCap) -> None:
    config = load_config(demo_config_path())
    halls = tuple(
        dataclasses.replace(h, day=DayRules(caps=(cap,))) if h.id == HALL else h
        for h in config.halls
    )
    async with unit_of_work(db, None, "test", None, local(2026, 11, 23, 8)) as unit:
        await stored.apply_config(unit, dataclasses.replace(config, halls=halls))


async def remaining(db: Database, matter: str, day: date) -> list[tuple[int, bool]]:
    async with reading(db) as tx:
        hall = await hall_config(tx, HALL)
        return [(s.remaining, s.warning) for s in await cap_states(tx.session, hall, day, matter)]


async def test_a_group_cap_counts_its_matters_warns_and_then_refuses(db: Database) -> None:
    await with_cap(db, DailyCap(limit=3, group="estate", warn_remaining=1))
    monday, at = date(2026, 11, 23), local(2026, 11, 23, 10)
    await issue(db, "RE-TRANSFER", at)
    await issue(db, "RE-QUERY", at)
    await issue(db, "SI-REG", at)  # another group: not counted
    assert await remaining(db, "RE-NEW", monday) == [(1, True)]
    await issue(db, "RE-NEW", at)
    with pytest.raises(DailyCapReached) as refused:
        await issue(db, "RE-MORTGAGE", at)
    assert refused.value.status == 409
    assert refused.value.fields["next_open"] == "2026-11-24T09:00:00+08:00"
    assert "3 个号已全部发完" in refused.value.message_zh
    # A green-channel ticket from the guide desk is still issued, and counts.
    green = await tickets.issue_ticket(db, PUB, HALL, "RE-MORTGAGE", at, green=True, staff=GUIDE)
    assert green.green
    assert await remaining(db, "RE-NEW", monday) == [(0, False)]
    # The next day starts afresh.
    await issue(db, "RE-MORTGAGE", local(2026, 11, 24, 9))


async def test_a_late_check_in_after_the_stop_time_gets_no_walk_in_ticket(db: Database) -> None:
    booked = await appointments.book(
        db, request(1, start=local(2026, 11, 23, 16)), local(2026, 11, 23, 9), SECRET
    )
    # Slot 16:00–16:30; the late grace (15 min) ends 16:15; at 16:40 tickets have stopped.
    with pytest.raises(HallClosed):
        await checkin.check_in(db, PUB, HALL, local(2026, 11, 23, 16, 40), SECRET, code=booked.code)
    # At 16:20 the fallback walk-in ticket is still issued.
    done = await checkin.check_in(
        db, PUB, HALL, local(2026, 11, 23, 16, 20), SECRET, code=booked.code
    )
    assert done.late
    assert done.ticket.source == "walk_in"


async def test_an_on_time_check_in_is_not_held_to_the_stop_time(db: Database) -> None:
    booked = await appointments.book(
        db, request(2, start=local(2026, 11, 23, 16, 30)), local(2026, 11, 23, 9), SECRET
    )
    done = await checkin.check_in(
        db, PUB, HALL, local(2026, 11, 23, 16, 40), SECRET, code=booked.code
    )
    assert not done.late
    assert done.ticket.source == "appointment"


async def test_the_search_for_the_next_time_gives_up_after_two_months() -> None:
    hall = load_config(demo_config_path()).hall(HALL)
    assert hall is not None
    closed = dataclasses.replace(hall, opening_hours={}, extended_sessions=())
    assert current_or_next(closed, "SI-REG", local(2026, 11, 23, 9)) is None
    en, zh = next_time_text(None)
    assert "guide desk" in en
    assert "导办台" in zh
