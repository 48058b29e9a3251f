"""Appointment slots: opening hours, holidays, makeup days, extended sessions, DST, release."""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.booking.slots import (
    SlotSpec,
    before_cutoff,
    bookable_days,
    is_on_sale,
    released_through,
    slot_capacity,
    slots_for_day,
    windows_able_to_serve,
)
from hall.catalogue.calendar import is_working_day
from hall.catalogue.loader import demo_config_path, load_config
from hall.catalogue.schema import (
    WEEKDAYS,
    BookingRules,
    ExtendedSession,
    Hall,
    Matter,
    MatterClass,
    MatterGroup,
    Period,
    Window,
    WindowKind,
    Zone,
)
from hall.errors import NotFound

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEDNESDAY = date(2026, 3, 4)
MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
SATURDAY = date(2026, 3, 7)


@pytest.fixture(scope="module")
def district() -> Hall:
    hall = load_config(demo_config_path()).hall("district")
    assert hall is not None
    return hall


def slots(
    hall: Hall, group: str, day: date, windows: int = 4, minutes: float = 10
) -> list[SlotSpec]:
    return slots_for_day(hall, group, day, windows_able=windows, expected_minutes=minutes)


def local_starts(found: list[SlotSpec]) -> list[time]:
    return [slot.local_start.time() for slot in found]


def minutes(period: Period) -> int:
    start = period.start.hour * 60 + period.start.minute
    return period.end.hour * 60 + period.end.minute - start


def matter(code: str, group: str) -> Matter:
    return Matter(code, code, code, MatterClass.GENERAL, 10, "A", Zone.COMPREHENSIVE, group)


def small_hall(
    timezone: str = "Asia/Shanghai",
    hours: tuple[Period, ...] = (Period(time(9), time(12)),),
    sessions: tuple[ExtendedSession, ...] = (),
    slot_minutes: int = 30,
    windows: tuple[Window, ...] = (),
) -> Hall:
    return Hall(
        id="t",
        name="测试",
        name_en="Test",
        timezone=timezone,
        opening_hours=dict.fromkeys(WEEKDAYS, hours),
        extended_sessions=sessions,
        groups=(MatterGroup("a", "甲", "A"), MatterGroup("b", "乙", "B")),
        matters=(matter("A1", "a"), matter("A2", "a"), matter("B1", "b")),
        windows=windows,
        booking=BookingRules(slot_minutes=slot_minutes),
    )


# --- the demo hall ----------------------------------------------------------------------


def test_a_weekday_has_slots_filling_each_period(district: Hall) -> None:
    periods = district.opening_hours["wed"]
    size = district.booking.slot_minutes
    found = slots(district, "estate", WEDNESDAY)
    assert len(found) == sum(minutes(p) // size for p in periods)
    assert found[0].local_start == datetime.combine(WEDNESDAY, periods[0].start, SHANGHAI)
    assert found[0].starts_at == found[0].local_start.astimezone(UTC)
    assert found[0].starts_at.tzinfo is UTC
    for slot in found:
        assert slot.ends_at - slot.starts_at == timedelta(minutes=size)
        assert any(
            p.start <= slot.local_start.time() and slot.local_end.time() <= p.end for p in periods
        )
        assert slot.day == WEDNESDAY
        assert slot.group == "estate"
        assert slot.matters == ("*",)


def test_capacity_comes_from_the_formula(district: Hall) -> None:
    found = slots(district, "estate", WEDNESDAY, windows=16, minutes=20)
    expected = slot_capacity(16, district.booking.slot_minutes, 20, district.booking.walkin_reserve)
    assert {slot.capacity for slot in found} == {expected}


def test_holidays_have_no_slots(district: Hall) -> None:
    national_day = date(2026, 10, 1)  # a Thursday: neither hours nor the Thursday session
    assert national_day in district.holidays
    for group in district.groups:
        assert slots(district, group.code, national_day) == []
    assert not is_working_day(district, national_day)


def test_a_sunday_is_closed(district: Hall) -> None:
    assert slots(district, "social", date(2026, 3, 8)) == []


@pytest.mark.parametrize("makeup", [date(2026, 2, 28), date(2026, 1, 4)])
def test_a_makeup_workday_gets_mondays_hours_and_sessions(district: Hall, makeup: date) -> None:
    assert makeup.weekday() >= 5
    assert makeup in district.makeup_workdays
    assert is_working_day(district, makeup)
    for group in ("estate", "business", "social"):
        assert local_starts(slots(district, group, makeup)) == local_starts(
            slots(district, group, MONDAY)
        )


def test_the_weekday_extended_session_opens_only_for_groups_with_its_matters(
    district: Hall,
) -> None:
    session = next(s for s in district.extended_sessions if "tue" in s.weekdays)
    regular_end = district.opening_hours["tue"][-1].end
    for group in district.groups:
        codes = {m.code for m in district.matters if m.group == group.code and m.bookable}
        late = [
            s for s in slots(district, group.code, TUESDAY) if s.local_start.time() >= regular_end
        ]
        if codes & set(session.matters):
            assert late, group.code
            assert late[-1].local_end.time() == session.end
            assert all(set(s.matters) == codes & set(session.matters) for s in late)
        else:
            assert late == [], group.code


def test_extended_slots_accept_only_the_sessions_matters(district: Hall) -> None:
    late = slots(district, "social", TUESDAY)[-1]
    assert late.local_start.time() == time(18, 30)
    assert late.accepts("SI-CARD")
    assert late.accepts("MI-RES")
    assert not late.accepts("UI-CLAIM")
    assert slots(district, "social", TUESDAY)[0].accepts("UI-CLAIM")


def test_saturday_session_only(district: Hall) -> None:
    assert not is_working_day(district, SATURDAY)
    business = slots(district, "business", SATURDAY)
    assert local_starts(business)[0] == time(9)
    assert business[-1].local_end.time() == time(12)
    assert {s.matters for s in business} == {("IND-REG",)}
    assert slots(district, "care", SATURDAY) == []


# --- extended sessions on a small hall --------------------------------------------------


def test_a_session_by_date_opens_even_on_a_holiday() -> None:
    holiday = date(2026, 5, 1)
    session = ExtendedSession(time(10), time(11), dates=(holiday,), matters=("B1",))
    hall = small_hall(sessions=(session,))
    hall = dataclasses.replace(hall, holidays=(holiday,))
    assert local_starts(slots(hall, "b", holiday)) == [time(10), time(10, 30)]
    assert slots(hall, "a", holiday) == []


def test_a_session_for_every_matter_overlapping_the_hours_is_merged() -> None:
    session = ExtendedSession(time(11), time(13), weekdays=("wed",))
    found = slots(small_hall(sessions=(session,)), "a", WEDNESDAY)
    assert local_starts(found) == [time(9 + i // 2, 30 * (i % 2)) for i in range(8)]
    assert {s.matters for s in found} == {("*",)}


def test_overlapping_restricted_sessions_unite_their_matters() -> None:
    first = ExtendedSession(time(13), time(14), weekdays=("wed",), matters=("A1",))
    second = ExtendedSession(time(13, 30), time(15), weekdays=("wed",), matters=("A2", "B1"))
    found = slots(small_hall(sessions=(first, second)), "a", WEDNESDAY)
    late = [s for s in found if s.local_start.time() >= time(13)]
    assert local_starts(late) == [time(13), time(13, 30), time(14), time(14, 30)]
    assert {s.matters for s in late} == {("A1", "A2")}


def test_a_trailing_partial_slot_is_dropped() -> None:
    hall = small_hall(hours=(Period(time(9), time(10, 50)),), slot_minutes=20)
    found = slots(hall, "a", WEDNESDAY)
    assert local_starts(found) == [time(9), time(9, 20), time(9, 40), time(10), time(10, 20)]
    assert found[-1].local_end.time() == time(10, 40)


def test_an_unknown_group_is_not_found(district: Hall) -> None:
    with pytest.raises(NotFound):
        slots(district, "nope", WEDNESDAY)
    with pytest.raises(NotFound):
        windows_able_to_serve(district, "nope")


# --- daylight saving time ---------------------------------------------------------------


def assert_well_formed(found: list[SlotSpec], size: int) -> None:
    starts = [slot.starts_at for slot in found]
    assert starts == sorted(set(starts))
    for slot in found:
        assert slot.starts_at.utcoffset() == timedelta(0)
        assert slot.ends_at - slot.starts_at == timedelta(minutes=size)
        assert slot.local_start.astimezone(UTC) == slot.starts_at
        assert slot.local_end.astimezone(UTC) == slot.ends_at
    for earlier, later in itertools.pairwise(found):
        assert earlier.ends_at <= later.starts_at


def utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


@pytest.mark.parametrize(
    ("zone", "day", "hours", "expected_utc"),
    [
        # Berlin spring forward, 2026-03-29 02:00 CET -> 03:00 CEST: 02:00-03:00 is skipped.
        ("Europe/Berlin", date(2026, 3, 29), (1, 4), [(0, 0), (0, 30), (1, 0), (1, 30)]),
        # Berlin fall back, 2026-10-25 03:00 CEST -> 02:00 CET: 02:00-03:00 means the first one.
        (
            "Europe/Berlin",
            date(2026, 10, 25),
            (1, 4),
            [(-1, 0), (-1, 30), (0, 0), (0, 30), (2, 0), (2, 30)],
        ),
        # New York spring forward, 2026-03-08 02:00 EST -> 03:00 EDT.
        (
            "America/New_York",
            date(2026, 3, 8),
            (0, 4),
            [(5, 0), (5, 30), (6, 0), (6, 30), (7, 0), (7, 30)],
        ),
        # New York fall back, 2026-11-01 02:00 EDT -> 01:00 EST: 01:00-02:00 happens twice.
        (
            "America/New_York",
            date(2026, 11, 1),
            (0, 4),
            [(4, 0), (4, 30), (5, 0), (5, 30), (7, 0), (7, 30), (8, 0), (8, 30)],
        ),
    ],
)
def test_dst_days_give_unique_sorted_slots_of_real_length(
    zone: str, day: date, hours: tuple[int, int], expected_utc: list[tuple[int, int]]
) -> None:
    hall = small_hall(timezone=zone, hours=(Period(time(hours[0]), time(hours[1])),))
    found = slots(hall, "a", day)
    assert_well_formed(found, 30)
    assert [s.starts_at for s in found] == [
        utc(day, 0) + timedelta(hours=h, minutes=m) for h, m in expected_utc
    ]
    assert all(s.local_start.tzinfo == ZoneInfo(zone) for s in found)
    assert all(s.local_start.fold == 0 for s in found)


def test_a_half_hour_dst_shift_never_makes_overlapping_slots() -> None:
    # Lord Howe Island springs forward 30 minutes (02:00 -> 02:30) on 2026-10-04. With hour
    # slots from 01:30, the wall-clock 02:30 slot would start inside the 01:30 one.
    hall = small_hall(
        timezone="Australia/Lord_Howe", hours=(Period(time(1, 30), time(4, 30)),), slot_minutes=60
    )
    found = slots(hall, "a", date(2026, 10, 4))
    assert_well_formed(found, 60)
    assert local_starts(found) == [time(1, 30), time(3, 30)]


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Europe/London",
    "Asia/Shanghai",
    "Pacific/Chatham",
]


@functools.cache
def dst_days(zone: str) -> list[date]:
    """Days of 2026-2027 on which the zone's UTC offset changes (and the day after)."""
    tz = ZoneInfo(zone)
    days = [date(2026, 1, 1) + timedelta(days=n) for n in range(731)]
    offsets = [datetime.combine(day, time(), tz).utcoffset() for day in days]
    changes = [days[i - 1] for i in range(1, len(days)) if offsets[i] != offsets[i - 1]]
    return sorted({d for day in changes for d in (day, day + timedelta(days=1))})


any_day = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def zone_and_day(draw: st.DrawFn) -> tuple[str, date]:
    zone = draw(st.sampled_from(ZONES))
    changes = dst_days(zone)
    day = draw(st.sampled_from(changes) | any_day if changes else any_day)
    return zone, day


@given(
    zone_and_day(),
    st.integers(0, 22 * 4),
    st.integers(1, 12 * 4),
    st.sampled_from([10, 15, 20, 30, 45, 60]),
)
def test_slots_are_well_formed_in_any_zone_on_any_day(
    zone_day: tuple[str, date], start_quarter: int, length_quarters: int, size: int
) -> None:
    zone, day = zone_day
    start = start_quarter * 15
    end = min(start + length_quarters * 15, 23 * 60 + 59)
    period = Period(time(start // 60, start % 60), time(end // 60, end % 60))
    hall = small_hall(timezone=zone, hours=(period,), slot_minutes=size)
    found = slots(hall, "a", day)
    assert_well_formed(found, size)
    assert len(found) <= (end - start) // size
    for slot in found:
        assert period.start <= slot.local_start.time()
        assert slot.local_start.date() == day


# --- capacity and windows ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("windows", "size", "expected_minutes", "reserve", "capacity"),
    [
        (10, 30, 10, 0.3, 21),  # 10 × 30 ÷ 10 = 30 seats, 30 % kept: 21
        (12, 30, 8, 0.3, 31),  # 45 × 0.7 = 31.5
        (3, 60, 7.5, 0.25, 18),  # 24 × 0.75
        (1, 30, 40, 0.0, 0),  # 0.75 of a customer
        (0, 30, 10, 0.3, 0),
        (5, 30, 6, 1.0, 0),  # everything kept for walk-ins
        (1, 10, 1, 0.9, 1),  # 10 × 0.1 = 1 exactly (binary floats would give 0.999…)
        (7, 30, 25, 0.0, 8),  # 8.4
    ],
)
def test_slot_capacity_by_hand(
    windows: int, size: int, expected_minutes: float, reserve: float, capacity: int
) -> None:
    assert slot_capacity(windows, size, expected_minutes, reserve) == capacity
    assert capacity == math.floor(round(windows * size / expected_minutes * (1 - reserve), 9))


@pytest.mark.parametrize(
    "args",
    [(-1, 30, 10, 0.3), (1, 0, 10, 0.3), (1, 30, 0, 0.3), (1, 30, 10, -0.1), (1, 30, 10, 1.5)],
)
def test_slot_capacity_rejects_nonsense(args: tuple[int, int, float, float]) -> None:
    with pytest.raises(ValueError, match=r"need|share"):
        slot_capacity(*args)


def test_windows_able_to_serve_counts_skills_and_skips_pickup_and_complaints() -> None:
    windows = (
        Window(1, WindowKind.COMPREHENSIVE, ("*",)),
        Window(2, WindowKind.SPECIALISED, ("A2",)),
        Window(3, WindowKind.SPECIALISED, ("B1",)),
        Window(4, WindowKind.GREEN, ("*",)),
        Window(5, WindowKind.PICKUP, ("*",)),
        Window(6, WindowKind.COULD_NOT_GET_IT_DONE, ("*", "A1")),
    )
    hall = small_hall(windows=windows)
    assert windows_able_to_serve(hall, "a") == 3  # 1, 2, 4
    assert windows_able_to_serve(hall, "b") == 3  # 1, 3, 4


def test_windows_able_in_the_demo_hall(district: Hall) -> None:
    estate = {m.code for m in district.matters if m.group == "estate"}
    expected = sum(
        1
        for w in district.windows
        if w.kind in {WindowKind.COMPREHENSIVE, WindowKind.SPECIALISED, WindowKind.GREEN}
        and ("*" in w.skills or estate & set(w.skills))
    )
    assert windows_able_to_serve(district, "estate") == expected


def test_groups_without_bookable_matters_get_no_slots(district: Hall) -> None:
    assert all(not m.bookable for m in district.matters if m.group == "pickup")
    assert slots(district, "pickup", WEDNESDAY) == []
    assert slots(district, "pickup", TUESDAY) == []


def test_matter_codes_narrow_the_slots_to_one_matter(district: Hall) -> None:
    def only(code: str) -> list[SlotSpec]:
        return slots_for_day(
            district, "social", TUESDAY, windows_able=1, expected_minutes=10, matter_codes=[code]
        )

    assert only("SI-CARD")[-1].local_end.time() == time(19)
    assert only("UI-CLAIM")[-1].local_end.time() == time(17)
    with pytest.raises(NotFound):
        slots_for_day(
            district, "nope", TUESDAY, windows_able=1, expected_minutes=10, matter_codes=[]
        )


# --- release and bookable days ----------------------------------------------------------


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), SHANGHAI)


def test_release_time_adds_one_working_day(district: Hall) -> None:
    assert district.booking.horizon_days == 5
    assert district.booking.release_time == time(8, 30)
    assert released_through(district, shanghai(WEDNESDAY, 8, 29)) == date(2026, 3, 10)
    assert released_through(district, shanghai(WEDNESDAY, 8, 30)) == date(2026, 3, 11)
    # the same instants given in UTC
    assert released_through(district, datetime(2026, 3, 4, 0, 29, tzinfo=UTC)) == date(2026, 3, 10)
    assert released_through(district, datetime(2026, 3, 4, 0, 30, tzinfo=UTC)) == date(2026, 3, 11)


def test_release_skips_holidays_and_counts_makeup_days(district: Hall) -> None:
    # 30 Sep 2026: 1-7 Oct are holidays, Sat 10 Oct is a makeup workday, Sun 11 Oct is closed.
    assert released_through(district, shanghai(date(2026, 9, 30), 9)) == date(2026, 10, 13)


def test_released_through_needs_an_aware_now(district: Hall) -> None:
    with pytest.raises(ValueError, match="aware"):
        released_through(district, datetime(2026, 3, 4, 9))


def test_bookable_days_run_from_today_and_include_session_days(district: Hall) -> None:
    days = bookable_days(district, WEDNESDAY, 5, time(9))
    assert days == [date(2026, 3, d) for d in (4, 5, 6, 7, 9, 10, 11)]
    assert bookable_days(district, WEDNESDAY, 5, time(8))[-1] == date(2026, 3, 10)
    assert bookable_days(district, date(2026, 3, 8), 1, time(9)) == [date(2026, 3, 9)]
    assert bookable_days(district, WEDNESDAY, 1, time(8)) == [WEDNESDAY]


def test_a_hall_that_never_opens_has_no_bookable_days() -> None:
    hall = dataclasses.replace(small_hall(), opening_hours={})
    assert bookable_days(hall, WEDNESDAY, 5, time(9)) == []


def test_on_sale_needs_release_and_minimum_notice(district: Hall) -> None:
    today = slots(district, "estate", WEDNESDAY)
    at_nine, at_ten = today[0], today[2]
    assert at_nine.local_start.time() == time(9)
    assert district.booking.min_notice_minutes == 30
    assert is_on_sale(district, at_nine, shanghai(WEDNESDAY, 8, 30))
    assert not is_on_sale(district, at_nine, shanghai(WEDNESDAY, 8, 31))
    assert is_on_sale(district, at_ten, shanghai(WEDNESDAY, 9))
    last_day = slots(district, "estate", date(2026, 3, 11))[0]
    assert not is_on_sale(district, last_day, shanghai(WEDNESDAY, 8, 29))
    assert is_on_sale(district, last_day, shanghai(WEDNESDAY, 8, 30))
    with pytest.raises(ValueError, match="aware"):
        is_on_sale(district, last_day, datetime(2026, 3, 4, 9))


def test_cancel_and_move_close_at_the_cutoff(district: Hall) -> None:
    starts = shanghai(WEDNESDAY, 10)
    assert district.booking.cutoff_minutes == 120
    assert before_cutoff(district, starts, shanghai(WEDNESDAY, 8))
    assert not before_cutoff(district, starts, shanghai(WEDNESDAY, 8, 1))
