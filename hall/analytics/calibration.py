"""What the planner's calibration reads from the database: the ticket records (the very
rows of the CSV export) and when each window was open (its sessions, pauses left out)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hall.analytics.export import TICKET_COLUMNS, day_chunks, record_rows
from hall.analytics.periods import DateRange
from hall.analytics.records import HallInfo, load_hall_info
from hall.analytics.sessions import load_window_events, window_sessions
from hall.catalogue.schema import Hall
from hall.errors import InvalidInput
from hall.store.db import Database
from hall.store.unit import reading

__all__ = ["CalibrationSource", "OpenInterval", "calibration_source"]

MAX_DAYS = 400  # a year and a bit; longer periods are calibrated in pieces


@dataclass(frozen=True, slots=True)
class OpenInterval:
    """A window open (signed in, not paused) on a hall-local day, in minutes after midnight."""

    day: date
    window: int
    start: float
    end: float


@dataclass(frozen=True, slots=True)
class CalibrationSource:
    """The records of a period as the CSV export has them, the windows' open intervals and
    the hall's configuration."""

    hall: Hall
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    open_intervals: list[OpenInterval]


def _minutes(info: HallInfo, day: date, moment: float) -> float:
    return (moment - info.day_start(day).timestamp()) / 60.0


def _intervals(info: HallInfo, sessions: Iterator[tuple[float, float, int]]) -> list[OpenInterval]:
    found = []
    for start, end, window in sessions:
        day = info.day_of(start)
        found.append(
            OpenInterval(day, window, _minutes(info, day, start), _minutes(info, day, end))
        )
    return found


async def calibration_source(
    db: Database, hall_id: str, start: date, end: date, now: datetime
) -> CalibrationSource:
    """The hall's records of service days ``start``…``end``; raises NotFound for an unknown
    hall and InvalidInput for a period that runs backwards or is too long."""
    if end < start:
        raise InvalidInput(
            f"The period ends ({end}) before it starts ({start}).",
            f"时段的结束日期（{end}）早于开始日期（{start}）。",
            fields={"to": "before from"},
        )
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(
            f"Calibrate at most {MAX_DAYS} days at a time.",
            f"每次最多校准 {MAX_DAYS} 天的记录。",
            fields={"from": "too long a period"},
        )
    rows: list[tuple[str, ...]] = []
    intervals: list[OpenInterval] = []
    async with reading(db) as tx:
        info = await load_hall_info(tx, hall_id)
    for chunk in day_chunks(DateRange(start, end)):
        async with reading(db) as tx:
            rows.extend(await record_rows(tx.session, info, chunk, now))
            begin = info.day_start(chunk.start)
            finish = info.day_start(chunk.end + timedelta(days=1))
            events = await load_window_events(tx.session, hall_id, begin, finish)
        sessions = window_sessions(events, now.timestamp(), day_end=info.day_end_of)
        intervals.extend(
            _intervals(info, ((a, b, s.window) for s in sessions for a, b in s.open_intervals()))
        )
    return CalibrationSource(info.hall, TICKET_COLUMNS, rows, intervals)
