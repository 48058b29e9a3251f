"""ISO 8601 times of the ticket records, parsed a column at a time into day numbers and minutes.

The export writes every time as ``2026-11-23T09:05:00.250000+08:00`` (the hall's UTC
offset, microseconds when not zero). A column of such strings is parsed as bytes with
array arithmetic on the characters (a year of one hall is over two million times; this is
three to four times faster than ``datetime.fromisoformat`` per value); any value in
another ISO 8601 form falls back to ``datetime.fromisoformat``. Times are read as the
clock written in the file: the export writes the hall's local time, which is what opening
hours and hourly profiles are about.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import numpy as np
from numpy.typing import NDArray

__all__ = ["EPOCH_ORDINAL", "parse_times", "weekday_of"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
WIDTH = 40  # bytes kept per value; the export's longest form has 32
_DIGITS = (0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18)
_SEPARATORS = {4: b"-", 7: b"-", 13: b":", 16: b":"}
_ZERO = ord("0")
# Lengths of the strict forms: no offset, "Z", or "+HH:MM"; without and with .ffffff.
_PLAIN_LENGTHS = (19, 20, 25)
_FRACTION_LENGTHS = (26, 27, 32)


def weekday_of(days: IntArray) -> IntArray:
    """Monday = 0 … Sunday = 6 of days counted from 1970-01-01 (a Thursday)."""
    return np.asarray((days + 3) % 7, dtype=np.int64)


def _days_from_civil(year: IntArray, month: IntArray, day: IntArray) -> IntArray:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return np.asarray(era * 146097 + doe - 719468, dtype=np.int64)


_DAYS_IN_MONTH = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _strict_parts(raw: NDArray[np.bytes_]) -> tuple[BoolArray, IntArray, FloatArray]:
    """(in the export's own form, day since 1970-01-01, minutes) of a column as bytes."""
    chars = raw.view(np.uint8).reshape(raw.size, WIDTH)
    digits = chars[:, _DIGITS].astype(np.int32) - _ZERO
    ok = ((digits >= 0) & (digits <= 9)).all(axis=1)
    for k, sep in _SEPARATORS.items():
        ok &= chars[:, k] == sep[0]
    ok &= (chars[:, 10] == ord("T")) | (chars[:, 10] == ord(" "))
    fraction = chars[:, 19] == ord(".")
    micro_digits = chars[:, 20:26].astype(np.int32) - _ZERO
    ok &= ~fraction | ((micro_digits >= 0) & (micro_digits <= 9)).all(axis=1)
    length = np.char.str_len(raw)
    ok &= np.where(fraction, np.isin(length, _FRACTION_LENGTHS), np.isin(length, _PLAIN_LENGTHS))
    year = digits[:, :4] @ np.array([1000, 100, 10, 1], dtype=np.int32)
    month = digits[:, 4] * 10 + digits[:, 5]
    day = digits[:, 6] * 10 + digits[:, 7]
    ok &= (month >= 1) & (month <= 12) & (day >= 1)
    ok &= day <= np.where(month == 2, 28 + _leap(year), _DAYS_IN_MONTH[np.clip(month, 0, 12)])
    seconds = digits[:, 8:14] @ np.array([36000, 3600, 600, 60, 10, 1], dtype=np.int32)
    micro = np.where(fraction, micro_digits @ np.array([10**k for k in range(5, -1, -1)]), 0)
    days = _days_from_civil(year.astype(np.int64), month.astype(np.int64), day.astype(np.int64))
    return ok, days, (seconds + micro * 1e-6) / 60.0


def _leap(year: NDArray[np.int32]) -> NDArray[np.int32]:
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return np.asarray(leap, dtype=np.int32)


def _fallback(text: str) -> tuple[int, float]:
    """(day, minutes) of one value in any ISO 8601 form; raises ValueError."""
    moment = datetime.fromisoformat(text.strip())
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second
    return moment.toordinal() - EPOCH_ORDINAL, (seconds + moment.microsecond * 1e-6) / 60.0


def parse_times(values: Sequence[str]) -> tuple[IntArray, FloatArray, list[int]]:
    """Parse a column: (day since 1970-01-01, minutes after that day's midnight, bad rows).

    Empty values give day 0 and NaN minutes; values that are not ISO 8601 are listed by
    their index in `bad` (and also give NaN).
    """
    try:
        raw = np.array(values, dtype=f"S{WIDTH}")
    except UnicodeEncodeError:  # not ASCII, so not the export's form: one at a time
        raw = np.zeros(len(values), dtype=f"S{WIDTH}")
    strict, day, minute = _strict_parts(raw)
    days = np.where(strict, day, 0).astype(np.int64)
    minutes = np.where(strict, minute, np.nan)
    bad: list[int] = []
    for index in np.flatnonzero(~strict).tolist():
        text = values[index]
        if not text:
            continue
        try:
            days[index], minutes[index] = _fallback(text)
        except ValueError:
            bad.append(index)
    return days, minutes, bad
