"""Which days a calibration uses (the day type, the held-out days) and the hall's opening.

A day type is a set of weekdays: ``mon-fri`` (the default), ``sat-sun``, one weekday
(``mon``) or a list (``tue,thu``). Opening hours come from the hall's configuration when
given; otherwise they are inferred from the records: the median of the days' first
arrivals rounded down to the half hour, and the median of their last arrivals rounded up.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from simulation.calibration.records import Records
from simulation.errors import CalibrationError, InvalidInputError

__all__ = ["DayType", "Opening", "infer_opening", "parse_day_type", "split_days"]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ROUND_MINUTES = 30  # opening times inferred to the half hour


@dataclass(frozen=True)
class DayType:
    """The weekdays calibrated together (Monday = 0), and how the user wrote them."""

    weekdays: frozenset[int]
    text: str

    @property
    def first(self) -> str:
        """The first weekday's name (whose opening hours a hall configuration gives)."""
        return WEEKDAYS[min(self.weekdays)]


def parse_day_type(text: str) -> DayType:
    """Parse ``mon-fri``, ``sat``, ``tue,thu``; raises InvalidInputError naming the problem."""
    days: set[int] = set()
    for part in text.lower().replace(" ", "").split(","):
        ends = part.split("-")
        if len(ends) > 2 or any(e not in WEEKDAYS for e in ends):
            raise InvalidInputError(
                f"--weekdays {text!r}: write weekdays as mon … sun, a range (mon-fri) or a list "
                "(tue,thu)."
            )
        first, last = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        if last < first:
            raise InvalidInputError(f"--weekdays {text!r}: the range {part} runs backwards.")
        days.update(range(first, last + 1))
    return DayType(frozenset(days), text.lower())


@dataclass(frozen=True)
class Opening:
    """Opening and closing time (minutes after midnight), and where they came from."""

    open_minute: int
    close_minute: int
    source: str

    @property
    def minutes(self) -> int:
        return self.close_minute - self.open_minute

    @property
    def hours(self) -> int:
        return max(1, math.ceil(self.minutes / 60))


def split_days(records: Records, day_type: DayType, holdout: int) -> tuple[list[int], list[int]]:
    """(training days, held-out days) of the day type: the last `holdout` days are held out.

    Raises CalibrationError if the day type has no days, or leaves fewer than two to fit.
    """
    days = [d for d in records.days() if (d + 3) % 7 in day_type.weekdays]
    if not days:
        raise CalibrationError(
            f"The records hold no day of the day type {day_type.text!r}: "
            "choose other --weekdays or export another period."
        )
    if holdout < 0:
        raise InvalidInputError("--holdout must be 0 or more days.")
    if len(days) - holdout < 2:
        raise CalibrationError(
            f"The records hold {len(days)} day(s) of type {day_type.text!r}; holding out "
            f"{holdout} leaves fewer than 2 to calibrate from."
        )
    cut = len(days) - holdout
    return days[:cut], days[cut:]


def infer_opening(records: Records, days: list[int]) -> Opening:
    """Opening hours from the days' first and last arrivals (tickets and booked slots)."""
    came = np.where(records.ticketless, records.slot, records.issued)
    mine = np.isin(records.day, days) & ~np.isnan(came)
    order = np.lexsort((came[mine], records.day[mine]))
    day, time = records.day[mine][order], came[mine][order]
    if not day.size:
        raise CalibrationError("The chosen days hold no arrivals to infer opening hours from.")
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    firsts = time[starts]
    lasts = time[np.r_[starts[1:], day.size] - 1]
    first, last = float(np.median(firsts)), float(np.median(lasts))
    start = math.floor(first / ROUND_MINUTES) * ROUND_MINUTES
    end = math.ceil((last + 1e-6) / ROUND_MINUTES) * ROUND_MINUTES
    source = (
        f"inferred from the records: median first arrival {_clock(first)}, "
        f"median last arrival {_clock(last)} over {starts.size} days"
    )
    return Opening(start, max(end, start + ROUND_MINUTES), source)


def _clock(minutes: float) -> str:
    total = round(float(minutes) * 60)
    return f"{total // 3600:02d}:{total // 60 % 60:02d}:{total % 60:02d}"
