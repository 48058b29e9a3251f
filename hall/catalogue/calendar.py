"""A hall's calendar: which days are open, and the opening periods of a day per matter;
plus two readings of the catalogue the calendar's users share: the matters only the
special windows take, and the matters a daily cap counts.

Pure functions over the hall configuration. A holiday has no regular hours and no
weekday extended sessions. A makeup workday (调休上班日) is run as a Monday: Monday's hours
and Monday's weekday sessions. An extended session listed by date applies on that date
even when it is a holiday (the hall chose to open). A session that names matters opens
only for them (``OpenPeriod.matters``). Overlapping periods are merged (their matters
united); touching ones stay separate. A date listed both as a holiday and as a makeup
workday is a holiday.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, time

from hall.catalogue.schema import WEEKDAYS, DailyCap, ExtendedSession, Hall, Period, WindowKind

ANY = "*"
MAKEUP_WEEKDAY = "mon"


@dataclass(frozen=True, slots=True)
class OpenPeriod:
    """A stretch of local opening time and the matters it accepts (("*",) for all)."""

    start: time
    end: time
    matters: tuple[str, ...] = (ANY,)


def regular_periods(hall: Hall, day: date) -> tuple[Period, ...]:
    """The day's regular opening periods after holidays and makeup workdays."""
    if day in hall.holidays:
        return ()
    return hall.opening_hours.get(_weekday_key(hall, day), ())


def is_working_day(hall: Hall, day: date) -> bool:
    """Whether the day has regular opening hours (extended sessions do not count)."""
    return bool(regular_periods(hall, day))


def sessions_for_day(hall: Hall, day: date) -> tuple[ExtendedSession, ...]:
    """The extended sessions held on the day."""
    weekday = _weekday_key(hall, day)
    holiday = day in hall.holidays
    return tuple(
        session
        for session in hall.extended_sessions
        if day in session.dates or (not holiday and weekday in session.weekdays)
    )


def _weekday_key(hall: Hall, day: date) -> str:
    return MAKEUP_WEEKDAY if day in hall.makeup_workdays else WEEKDAYS[day.weekday()]


def open_periods(hall: Hall, day: date, matter_codes: Collection[str]) -> list[OpenPeriod]:
    """The day's opening for these matters, sorted, overlapping stretches merged."""
    periods = [OpenPeriod(p.start, p.end) for p in regular_periods(hall, day)]
    for session in sessions_for_day(hall, day):
        if ANY in session.matters:
            periods.append(OpenPeriod(session.start, session.end))
            continue
        accepted = tuple(code for code in session.matters if code in matter_codes)
        if accepted:
            periods.append(OpenPeriod(session.start, session.end, accepted))
    return _merge(periods)


def _merge(periods: list[OpenPeriod]) -> list[OpenPeriod]:
    merged: list[OpenPeriod] = []
    for period in sorted(periods, key=lambda p: (p.start, p.end)):
        if merged and period.start < merged[-1].end:
            last = merged.pop()
            merged.append(OpenPeriod(last.start, max(last.end, period.end), _unite(last, period)))
        else:
            merged.append(period)
    return merged


def _unite(a: OpenPeriod, b: OpenPeriod) -> tuple[str, ...]:
    if ANY in a.matters or ANY in b.matters:
        return (ANY,)
    return tuple(sorted(set(a.matters) | set(b.matters)))


SPECIAL_KINDS = frozenset({WindowKind.PICKUP, WindowKind.COULD_NOT_GET_IT_DONE})


def reserved_matters(hall: Hall) -> frozenset[str]:
    """Matters only the hall's special windows (出件, 办不成事) take: "*" elsewhere skips them."""
    return frozenset(
        skill
        for window in hall.windows
        if window.kind in SPECIAL_KINDS
        for skill in window.skills
        if skill != ANY
    )


def cap_matters(hall: Hall, cap: DailyCap) -> tuple[str, ...]:
    """The matters whose tickets a cap counts."""
    if cap.matter:
        return (cap.matter,)
    return tuple(m.code for m in hall.matters if m.group == cap.group)
