"""Appointment slots from a hall's opening hours: which days, which times, how many seats.

Pure functions over the hall configuration; the caller passes every date and ``now``.

Which hours a day has
    A holiday has no regular hours and no weekday extended sessions. A makeup workday
    (调休上班日) is run as a Monday: Monday's hours and Monday's weekday sessions. An
    extended session listed by date applies on that date even when it is a holiday (the
    hall chose to open). A session that names matters opens only for groups that hold
    one of them, and its slots accept only those matters (``SlotSpec.matters``).
    Overlapping periods are merged (their matters united); touching ones stay separate.
    A date listed both as a holiday and as a makeup workday is a holiday. Only bookable
    matters open slots, so a group without one (出件, 办不成事) has none.

Slots
    ``slot_minutes`` long on a wall-clock grid from each period's start; a trailing partial
    slot is dropped. Every slot lasts exactly ``slot_minutes`` of real time (UTC). Around a
    DST change a wall time that does not exist is skipped, an ambiguous one means its first
    occurrence (fold=0), and a slot that would start before the previous one ends is
    dropped, so UTC starts are unique, sorted and never overlap.

Capacity
    floor(windows_able × slot_minutes ÷ expected_minutes × (1 − walkin_reserve)): the
    customers the able windows can serve in one slot, less the share kept for walk-ins.

Release (放号) and same-day booking
    The horizon counts working days (days with regular hours) after today. At
    ``release_time`` (08:30) each day a new working day goes on sale, so before it the
    horizon ends one working day earlier. Every open day from today up to that last
    working day is bookable, days with only extended sessions included. Today is bookable
    too, but only for slots starting at least ``min_notice_minutes`` from now.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

from hall.catalogue.calendar import (
    ANY,
    OpenPeriod,
    is_working_day,
    open_periods,
    sessions_for_day,
)
from hall.catalogue.schema import Hall, WindowKind
from hall.errors import NotFound

NOT_SERVING_BOOKINGS = frozenset({WindowKind.PICKUP, WindowKind.COULD_NOT_GET_IT_DONE})
_SEARCH_LIMIT_DAYS = 400  # a hall without a working day in this long is closed for good


@dataclass(frozen=True, slots=True)
class SlotSpec:
    """One appointment slot of a matter group, before it is stored."""

    group: str
    day: date  # the hall-local date
    starts_at: datetime  # aware, UTC
    ends_at: datetime  # aware, UTC; always starts_at + slot_minutes
    # Aware, in the hall's time zone, for display only. Compare instants through starts_at
    # and ends_at: Python never finds a time in a repeated (fall-back) hour equal to a
    # datetime in another zone (PEP 495).
    local_start: datetime
    local_end: datetime
    capacity: int
    matters: tuple[str, ...] = (ANY,)

    def accepts(self, matter_code: str) -> bool:
        """Whether a booking for this matter may take the slot."""
        return ANY in self.matters or matter_code in self.matters


def slot_capacity(
    windows_able: int, slot_minutes: int, expected_minutes: float, walkin_reserve: float
) -> int:
    """Bookable seats in one slot (see the module docstring); raises ValueError on bad input."""
    if windows_able < 0 or slot_minutes <= 0 or expected_minutes <= 0:
        raise ValueError("need windows_able >= 0, slot_minutes > 0 and expected_minutes > 0")
    if not 0 <= walkin_reserve <= 1:
        raise ValueError("walkin_reserve is a share between 0 and 1")
    # Exact decimal arithmetic: 0.3 as a float would make 10 × 30 ÷ 10 × 0.7 = 20.999…
    seats = (
        Fraction(windows_able)
        * slot_minutes
        / Fraction(repr(float(expected_minutes)))
        * (1 - Fraction(repr(float(walkin_reserve))))
    )
    return max(0, math.floor(seats))


def group_matters(hall: Hall, group_code: str, *, bookable_only: bool = False) -> tuple[str, ...]:
    """The codes of the group's matters; raises NotFound for an unknown group."""
    if not any(group.code == group_code for group in hall.groups):
        raise NotFound(
            f"There is no matter group {group_code!r} in hall {hall.id}.",
            f"大厅 {hall.id} 没有事项分组“{group_code}”。",
            fields={"group": "unknown"},
        )
    return tuple(
        matter.code
        for matter in hall.matters
        if matter.group == group_code and (matter.bookable or not bookable_only)
    )


def windows_able_to_serve(hall: Hall, group_code: str) -> int:
    """Windows that may take some matter of the group; raises NotFound for an unknown group."""
    matters = set(group_matters(hall, group_code))
    return sum(
        1
        for window in hall.windows
        if window.kind not in NOT_SERVING_BOOKINGS
        and (ANY in window.skills or matters.intersection(window.skills))
    )


def slots_for_day(
    hall: Hall,
    group_code: str,
    day: date,
    *,
    windows_able: int,
    expected_minutes: float,
    matter_codes: Collection[str] | None = None,
) -> list[SlotSpec]:
    """The group's slots on a hall-local day; raises NotFound for an unknown group.

    ``matter_codes`` are the matters to open for (default: the group's bookable ones); a
    group with none gets no slots.
    """
    if matter_codes is None:
        matter_codes = group_matters(hall, group_code, bookable_only=True)
    else:
        group_matters(hall, group_code)  # still reject an unknown group
    if not matter_codes:
        return []
    capacity = slot_capacity(
        windows_able, hall.booking.slot_minutes, expected_minutes, hall.booking.walkin_reserve
    )
    periods = open_periods(hall, day, tuple(matter_codes))
    return _lay_out(hall, group_code, day, capacity, periods)


def _lay_out(
    hall: Hall, group_code: str, day: date, capacity: int, periods: list[OpenPeriod]
) -> list[SlotSpec]:
    """Slots on the periods' grids, dropping any that would overlap the one before."""
    tz = ZoneInfo(hall.timezone)
    step = timedelta(minutes=hall.booking.slot_minutes)
    starts = sorted(
        (start, period.matters)
        for period in periods
        for start in _period_starts(day, period, step, tz)
    )
    slots: list[SlotSpec] = []
    for start, accepted in starts:
        if slots and start < slots[-1].ends_at:
            continue  # a DST change folded this wall time onto the previous slot
        end = start + step
        local = (start.astimezone(tz), end.astimezone(tz))
        slots.append(SlotSpec(group_code, day, start, end, *local, capacity, accepted))
    return slots


def _period_starts(
    day: date, period: OpenPeriod, step: timedelta, tz: ZoneInfo
) -> Iterator[datetime]:
    wall = datetime.combine(day, period.start)
    end = datetime.combine(day, period.end)
    while wall + step <= end:
        start = _to_utc(wall, tz)
        if start is not None:
            yield start
        wall += step


def _to_utc(wall: datetime, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a naive local wall time (fold=0), or None if it does not exist."""
    instant = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None  # inside a spring-forward gap
    return instant


def nth_working_day_after(hall: Hall, day: date, count: int) -> date:
    """The count-th working day after ``day`` (``day`` itself for count <= 0)."""
    found = day
    current = day
    for _ in range(_SEARCH_LIMIT_DAYS + 7 * max(count, 0)):
        if count <= 0:
            return found
        current += timedelta(days=1)
        if is_working_day(hall, current):
            found = current
            count -= 1
    return found


def _release_end(hall: Hall, today: date, now_local_time: time, horizon_days: int) -> date:
    released = horizon_days if now_local_time >= hall.booking.release_time else horizon_days - 1
    return nth_working_day_after(hall, today, released)


def released_through(hall: Hall, now: datetime) -> date:
    """The last hall-local day whose slots are on sale at ``now``; raises ValueError if naive."""
    local = _local(hall, now)
    return _release_end(hall, local.date(), local.time(), hall.booking.horizon_days)


def bookable_days(hall: Hall, today: date, horizon_days: int, now_local_time: time) -> list[date]:
    """Open days from today through the last released working day (release rule above)."""
    last = _release_end(hall, today, now_local_time, horizon_days)
    days = (today + timedelta(days=offset) for offset in range((last - today).days + 1))
    return [day for day in days if is_working_day(hall, day) or sessions_for_day(hall, day)]


def is_on_sale(hall: Hall, slot: SlotSpec, now: datetime) -> bool:
    """Whether the slot may be booked at ``now`` (released, min notice); raises ValueError."""
    last_day = released_through(hall, now)
    notice = timedelta(minutes=hall.booking.min_notice_minutes)
    return slot.day <= last_day and slot.starts_at >= now + notice


def before_cutoff(hall: Hall, starts_at: datetime, now: datetime) -> bool:
    """Whether a booking starting at ``starts_at`` may still be cancelled or moved at ``now``."""
    return now <= starts_at - timedelta(minutes=hall.booking.cutoff_minutes)


def _local(hall: Hall, now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(ZoneInfo(hall.timezone))
