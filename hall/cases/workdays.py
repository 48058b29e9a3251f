"""Working days of a hall's calendar, and deadlines counted in them (pure: no I/O, no clock).

A working day is Monday to Friday, unless it is one of the hall's holidays; a makeup
workday (调休上班, usually a Saturday or Sunday) is a working day whatever its weekday.
A deadline of N working days from a moment ends at 24:00 (local) of the N-th working
day after the moment's local date: a case opened on Monday with one working day is due
at the end of Tuesday, one opened on a Saturday at the end of Monday (the 12345 rule of
counting from the next working day). N = 0 ("on the spot") ends with the day itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660  # no deadline is further away than ten years of working days


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    """Which days a hall counts as working days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[date], makeup_workdays: Iterable[date]) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(makeup_workdays))

    def is_workday(self, day: date) -> bool:
        """Makeup workdays work; holidays do not; otherwise Monday to Friday."""
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself for 0).

        Raises ValueError for a negative count or a calendar with no working day ahead.
        """
        if count < 0:
            raise ValueError(f"cannot count {count} working days")
        day, found = start, 0
        for _ in range(MAX_DAYS * 2):
            if found == count:
                return day
            day += timedelta(days=1)
            if self.is_workday(day):
                found += 1
        raise ValueError("the calendar has no working day within ten years")

    def workdays_between(self, first: date, last: date) -> int:
        """Working days in (first, last]; negative when ``last`` comes before ``first``."""
        if last < first:
            return -self.workdays_between(last, first)
        return sum(
            1 for n in range(1, (last - first).days + 1) if self.is_workday(first + timedelta(n))
        )


def deadline(opened: datetime, count: int, calendar: WorkCalendar, zone: ZoneInfo) -> datetime:
    """The end (24:00 local) of the ``count``-th working day after ``opened``'s local date."""
    local_day = opened.astimezone(zone).date()
    last = calendar.add_workdays(local_day, count)
    return end_of_day(last, zone)


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    """24:00 of a local day, as an aware datetime in ``zone``."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=zone)


def extend(due: datetime, count: int, calendar: WorkCalendar, zone: ZoneInfo) -> datetime:
    """A deadline moved on by ``count`` working days (an approved extension)."""
    last_day = (due.astimezone(zone) - timedelta(microseconds=1)).date()
    return end_of_day(calendar.add_workdays(last_day, count), zone)
