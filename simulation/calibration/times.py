"""ISO 8601 times of the ticket records, parsed a column at a time into day numbers and minutes.

The export writes every time as ``2026-11-23T09:05:00.250000+08:00`` (the hall's UTC
offset, microseconds when not zero). Times are read as the clock written in the file: the
export writes the hall's local time, which is what opening hours and hourly profiles are
about. ``datetime.fromisoformat`` (C code) was measured faster than array arithmetic on
the characters for a year of records (docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray

__all__ = ["EPOCH_ORDINAL", "parse_times", "weekday_of"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def weekday_of(days: IntArray) -> IntArray:
    """Monday = 0 … Sunday = 6 of days counted from 1970-01-01 (a Thursday)."""
    return np.asarray((days + 3) % 7, dtype=np.int64)


def parse_times(values: Sequence[str]) -> tuple[IntArray, FloatArray, list[int]]:
    """Parse a column: (day since 1970-01-01, minutes after that day's midnight, bad rows).

    Empty values give day 0 and NaN minutes; values that are not ISO 8601 are listed by
    their index in `bad` (and also give NaN).
    """
    days = np.zeros(len(values), dtype=np.int64)
    minutes = np.full(len(values), np.nan)
    day_list: list[int] = []
    minute_list: list[float] = []
    where: list[int] = []
    bad: list[int] = []
    parse = datetime.fromisoformat
    epoch = EPOCH_ORDINAL
    for index, text in enumerate(values):
        if not text:
            continue
        try:
            moment = parse(text)
        except ValueError:
            bad.append(index)
            continue
        where.append(index)
        day_list.append(moment.toordinal() - epoch)
        minute_list.append(
            moment.hour * 60 + moment.minute + (moment.second + moment.microsecond * 1e-6) / 60.0
        )
    if where:
        positions = np.asarray(where, dtype=np.int64)
        days[positions] = day_list
        minutes[positions] = minute_list
    return days, minutes, bad
