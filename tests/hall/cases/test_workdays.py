"""Working-day arithmetic against calendars counted by hand."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from hall.cases.workdays import WorkCalendar, deadline, end_of_day, extend

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A made-up fortnight: Tuesday 1 December is a holiday, Saturday 5 December is worked.
#   Fri 27 Nov  work        Mon 30 Nov  work
#   Sat 28 Nov  weekend     Tue  1 Dec  HOLIDAY
#   Sun 29 Nov  weekend     Wed  2 Dec  work
#                           Thu  3 Dec  work
#                           Fri  4 Dec  work
#                           Sat  5 Dec  MAKEUP (work)
#                           Sun  6 Dec  weekend
#                           Mon  7 Dec  work
CALENDAR = WorkCalendar.of([date(2026, 12, 1)], [date(2026, 12, 5)])


@pytest.mark.parametrize(
    ("day", "works"),
    [
        (date(2026, 11, 27), True),
        (date(2026, 11, 28), False),
        (date(2026, 11, 29), False),
        (date(2026, 12, 1), False),
        (date(2026, 12, 5), True),
        (date(2026, 12, 6), False),
    ],
)
def test_which_days_work(day: date, works: bool) -> None:
    assert CALENDAR.is_workday(day) is works


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (0, date(2026, 11, 27)),
        (1, date(2026, 11, 30)),  # over the weekend
        (2, date(2026, 12, 2)),  # over the holiday
        (3, date(2026, 12, 3)),
        (4, date(2026, 12, 4)),
        (5, date(2026, 12, 5)),  # the makeup Saturday counts
        (6, date(2026, 12, 7)),  # Sunday does not
    ],
)
def test_adding_working_days_from_a_friday(count: int, expected: date) -> None:
    assert CALENDAR.add_workdays(date(2026, 11, 27), count) == expected


def test_counting_starts_the_day_after_even_from_a_weekend() -> None:
    assert CALENDAR.add_workdays(date(2026, 11, 28), 1) == date(2026, 11, 30)
    assert CALENDAR.add_workdays(date(2026, 11, 29), 1) == date(2026, 11, 30)


def test_working_days_between_two_days() -> None:
    # (Fri 27 Nov, Mon 7 Dec]: 30 Nov, 2, 3, 4, 5, 7 Dec = 6
    assert CALENDAR.workdays_between(date(2026, 11, 27), date(2026, 12, 7)) == 6
    assert CALENDAR.workdays_between(date(2026, 12, 7), date(2026, 11, 27)) == -6
    assert CALENDAR.workdays_between(date(2026, 12, 1), date(2026, 12, 1)) == 0


def test_a_deadline_ends_at_midnight_local_time() -> None:
    opened = datetime(2026, 11, 27, 16, 30, tzinfo=SHANGHAI)
    assert deadline(opened, 1, CALENDAR, SHANGHAI) == datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)
    assert deadline(opened, 0, CALENDAR, SHANGHAI) == datetime(2026, 11, 28, tzinfo=SHANGHAI)


def test_the_local_date_decides_not_the_utc_date() -> None:
    # 23:30 UTC on Thursday 26 Nov is already Friday 07:30 in Shanghai.
    opened = datetime.fromisoformat("2026-11-26T23:30:00+00:00")
    assert deadline(opened, 1, CALENDAR, SHANGHAI) == end_of_day(date(2026, 11, 30), SHANGHAI)


def test_national_day_2026_with_its_makeup_saturday() -> None:
    # The State Council's 2026 schedule as in the demo hall: 1-7 October off,
    # Saturday 10 October worked. Opened Wednesday 30 September:
    # Thu 8 Oct = 1, Fri 9 = 2, Sat 10 (makeup) = 3, Mon 12 = 4, Tue 13 = 5.
    national = WorkCalendar.of([date(2026, 10, d) for d in range(1, 8)], [date(2026, 10, 10)])
    opened = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert deadline(opened, 1, national, SHANGHAI) == end_of_day(date(2026, 10, 8), SHANGHAI)
    assert deadline(opened, 5, national, SHANGHAI) == end_of_day(date(2026, 10, 13), SHANGHAI)


def test_an_extension_moves_a_deadline_on_by_working_days() -> None:
    due = end_of_day(date(2026, 11, 30), SHANGHAI)  # end of Monday
    # Tue is a holiday: Wed 2 = 1, Thu 3 = 2, Fri 4 = 3, Sat 5 (makeup) = 4
    assert extend(due, 4, CALENDAR, SHANGHAI) == end_of_day(date(2026, 12, 5), SHANGHAI)


def test_negative_counts_and_calendars_without_working_days_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot count"):
        CALENDAR.add_workdays(date(2026, 11, 27), -1)

    class NeverWorks(WorkCalendar):
        def is_workday(self, day: date) -> bool:
            return False

    with pytest.raises(ValueError, match="no working day"):
        NeverWorks().add_workdays(date(2026, 1, 1), 1)
