"""The KPI response's tables: the day by hour, and the figures of every window and clerk."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from hall.analytics.erlang import windows_needed
from hall.analytics.figures import Workload, wait_observations, workload
from hall.analytics.records import HallInfo, Record
from hall.analytics.sessions import StaffAt, WindowSession
from queueing import kpi
from queueing.policy import MINUTE
from queueing.ticket import Ticket, TicketStatus

HOUR = 3600.0
NEEDED_FOR = "appointment_wait_general"  # windows needed: meet the 10-minute target
WAIT_NAMES = ("appointment_wait_general", "appointment_wait_complex", "walkin_wait", "green_wait")


@dataclass(frozen=True, slots=True)
class HourRow:
    """One hour of the hall-local day, averaged per day over the period."""

    hour: int
    arrivals: float
    served: float
    queue: float | None  # waiting at the end of the hour (None: the hour has not ended)
    waits: dict[str, float | None]
    windows_open: float
    windows_needed: int | None


@dataclass(frozen=True, slots=True)
class WorkRow:
    """A window's or a clerk's figures over the period."""

    key: str
    served: int
    handling_time: float | None
    utilisation: float | None
    signed_in_minutes: float
    serving_minutes: float
    matters: int
    staff: tuple[str, ...] = ()


class _Days:
    """Hour of the hall-local day of a moment, per service day (one offset a day)."""

    def __init__(self, info: HallInfo) -> None:
        self.info = info
        self._starts: dict[date, float] = {}

    def start(self, day: date) -> float:
        if day not in self._starts:
            self._starts[day] = self.info.day_start(day).timestamp()
        return self._starts[day]

    def hour(self, day: date, moment: float) -> int:
        return int((moment - self.start(day)) // HOUR)


def hourly(
    records: Sequence[Record], sessions: Sequence[WindowSession], now: float, info: HallInfo
) -> list[HourRow]:
    """Arrivals, served, queue, waits by class, windows open and needed, per hour."""
    days = _Days(info)
    active = sorted({r.day for r in records} | {info.day_of(s.start) for s in sessions})
    if not active:
        return []
    arrivals: dict[int, int] = defaultdict(int)
    served: dict[int, int] = defaultdict(int)
    queue: dict[int, int] = defaultdict(int)  # +1 where a wait starts, -1 where it ends
    by_call: dict[int, list[Record]] = defaultdict(list)
    for r in records:
        t = r.ticket
        if t.checked_in_at is None:
            continue
        joined = days.hour(r.day, t.checked_in_at)
        arrivals[joined] += 1
        if t.finished_at is not None:
            served[days.hour(r.day, t.finished_at)] += 1
        if t.first_called_at is not None:
            called = days.hour(r.day, t.first_called_at)
            by_call[called].append(r)
            queue[joined] += 1
            queue[called] -= 1
        elif t.status is not TicketStatus.CANCELLED or r.unserved:
            queue[joined] += 1
            if r.open:
                by_call[days.hour(r.day, now)].append(r)  # in progress: counts now
    open_time = _open_per_hour(sessions, days, info)
    handling = _handling_per_hour(records, days)
    hours = sorted(set(arrivals) | set(by_call) | set(open_time))
    count = len(active)
    rows, waiting = [], 0
    today_hour = days.hour(info.day_of(now), now) if info.day_of(now) in active else None
    for hour in range(max(0, hours[0]), min(23, hours[-1]) + 1):
        waiting += queue.get(hour, 0)
        observed = wait_observations(by_call.get(hour, []), now)
        per_hour = arrivals.get(hour, 0) / count
        service = kpi.mean(handling.get(hour, [])) or kpi.mean(_all(handling))
        rows.append(
            HourRow(
                hour=hour,
                arrivals=round(per_hour, 2),
                served=round(served.get(hour, 0) / count, 2),
                queue=None if today_hour is not None and hour >= today_hour and count == 1
                else round(waiting / count, 2),
                waits={n: _mean2(observed[n].values) for n in WAIT_NAMES},
                windows_open=round(open_time.get(hour, 0.0) / HOUR / count, 2),
                windows_needed=None if service is None else windows_needed(per_hour, service, 10.0),
            )
        )  # fmt: skip
    return rows


def _mean2(values: list[float]) -> float | None:
    found = kpi.mean(values)
    return None if found is None else round(found, 2)


def _all(by_hour: dict[int, list[float]]) -> list[float]:
    return [v for values in by_hour.values() for v in values]


def _handling_per_hour(records: Sequence[Record], days: _Days) -> dict[int, list[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    for r in records:
        t = r.ticket
        if t.status is TicketStatus.FINISHED and t.started_at is not None and t.finished_at:
            found[days.hour(r.day, t.started_at)].append((t.finished_at - t.started_at) / MINUTE)
    return found


def _open_per_hour(
    sessions: Sequence[WindowSession], days: _Days, info: HallInfo
) -> dict[int, float]:
    """Seconds of open (signed in, not paused) window time per hour of the day."""
    found: dict[int, float] = defaultdict(float)
    for s in sessions:
        day = info.day_of(s.start)
        base = days.start(day)
        for begin, end in s.open_intervals():
            hour = int((begin - base) // HOUR)
            while begin < end:
                edge = min(end, base + (hour + 1) * HOUR)
                found[hour] += edge - begin
                begin, hour = edge, hour + 1
    return found


def work_rows(
    records: Sequence[Record],
    sessions: Sequence[WindowSession],
    now: float,
    *,
    by_staff: bool,
    work: Workload | None = None,
) -> list[WorkRow]:
    """Per window (or per clerk): served, handling, utilisation, signed-in and serving time."""
    staff_at = StaffAt(sessions)
    work = work or workload(records, sessions, now)
    finished: dict[str, list[Ticket]] = defaultdict(list)
    for t in work.busy:
        if t.status is TicketStatus.FINISHED:
            key = staff_at(t.window, t.started_at) if by_staff else str(t.window)
            if key is not None:
                finished[key].append(t)
    serving: dict[str, float] = defaultdict(float)
    signed_in: dict[str, float] = defaultdict(float)
    staff: dict[str, set[str]] = defaultdict(set)
    for s, seconds in zip(sessions, work.serving, strict=True):
        key = s.staff if by_staff else str(s.window)
        if key is None:
            continue
        serving[key] += seconds
        signed_in[key] += s.signed_in_seconds
        if s.staff:
            staff[key].add(s.staff)
    rows = []
    for key in sorted(set(finished) | set(signed_in), key=_natural):
        done = finished.get(key, [])
        handling = kpi.mean(kpi.handling_times(done))
        rows.append(
            WorkRow(
                key=key,
                served=len(done),
                handling_time=None if handling is None else round(handling, 2),
                utilisation=round(serving[key] / signed_in[key], 4) if signed_in[key] else None,
                signed_in_minutes=round(signed_in[key] / MINUTE, 1),
                serving_minutes=round(serving[key] / MINUTE, 1),
                matters=len({t.matter for t in done}),
                staff=tuple(sorted(staff.get(key, ()))),
            )
        )
    return rows


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)
