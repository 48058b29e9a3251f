"""Ranges of service days: parsing ``from``/``to``, the periods compared, and buckets."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from hall.errors import InvalidInput

MAX_DAYS = 400  # a year and a bit: a year-on-year report of a whole year fits


class Bucket(enum.StrEnum):
    """How a period's series is cut: by day, ISO week (Monday first) or calendar month."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True, slots=True)
class DateRange:
    """Service days ``start`` … ``end``, both included."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def each_day(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]

    def previous(self) -> DateRange:
        """The same number of days just before (环比)."""
        return DateRange(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def year_before(self) -> DateRange:
        """The same dates one year earlier (同比); 29 February becomes the 28th."""
        return DateRange(_year_back(self.start), _year_back(self.end))

    def buckets(self, by: Bucket) -> list[DateRange]:
        """The range cut by day, week or month (the first and last may be partial)."""
        found, cursor = [], self.start
        while cursor <= self.end:
            if by is Bucket.DAY:
                last = cursor
            elif by is Bucket.WEEK:
                last = cursor + timedelta(days=6 - cursor.weekday())
            else:
                last = _month_end(cursor)
            found.append(DateRange(cursor, min(last, self.end)))
            cursor = found[-1].end + timedelta(days=1)
        return found


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


# Days a report may name: the calendar's own edges overflowed "the year before" and
# "the previous period" (year 1 minus a year).
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)


def two_months(today: date) -> DateRange:
    """The current bi-monthly period (January–February, March–April, …) up to today."""
    first = today.replace(month=today.month - (today.month - 1) % 2, day=1)
    return DateRange(first, today)


def parse_day(raw: str | None, name: str) -> date:
    """A YYYY-MM-DD query value from EARLIEST to LATEST; raises InvalidInput."""
    try:
        found = date.fromisoformat(raw or "")
    except ValueError:
        raise InvalidInput(
            f"The {name!r} date must look like 2026-11-23, not {raw!r}.",
            f"参数“{name}”须为“2026-11-23”格式的日期。",
            fields={name: "YYYY-MM-DD"},
        ) from None
    if not EARLIEST <= found <= LATEST:
        raise InvalidInput(
            f"The {name!r} date must lie between {EARLIEST} and {LATEST}.",
            f"参数“{name}”须在 {EARLIEST} 至 {LATEST} 之间。",
            fields={name: f"between {EARLIEST} and {LATEST}"},
        )
    return found


def parse_range(raw_from: str | None, raw_to: str | None) -> DateRange | None:
    """``from``/``to`` (inclusive; one alone means that day), or None when both are
    absent; checked for order and length. Raises InvalidInput."""
    if not raw_from and not raw_to:
        return None
    start = parse_day(raw_from or raw_to, "from" if raw_from else "to")
    end = parse_day(raw_to or raw_from, "to" if raw_to else "from")
    if end < start:
        raise InvalidInput(
            f"The period ends ({end}) before it starts ({start}).",
            f"结束日期（{end}）早于开始日期（{start}）。",
            fields={"to": "on or after 'from'"},
        )
    found = DateRange(start, end)
    if found.days > MAX_DAYS:
        raise InvalidInput(
            f"The period has {found.days} days; at most {MAX_DAYS} are reported at once.",
            f"所选时段共 {found.days} 天，一次最多统计 {MAX_DAYS} 天。",
            fields={"from": f"at most {MAX_DAYS} days before 'to'"},
        )
    return found


def last_month(today: date) -> DateRange:
    """The calendar month before today's (the monthly report's default)."""
    end = today.replace(day=1) - timedelta(days=1)
    return DateRange(end.replace(day=1), end)


def parse_bucket(raw: str | None) -> Bucket:
    """``by=day|week|month`` (default day); raises InvalidInput."""
    try:
        return Bucket(raw or "day")
    except ValueError:
        raise InvalidInput(
            f"'by' must be day, week or month, not {raw!r}.",
            "参数“by”须为 day（按日）、week（按周）或 month（按月）。",
            fields={"by": "day, week or month"},
        ) from None
