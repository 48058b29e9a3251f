"""The KPI response's tables: the day by hour, and the figures of every window and clerk."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from hall.analytics.erlang import windows_needed
from hall.analytics.figures import Observations, Workload, wait_observations, workload
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


@dataclass(frozen=True, slots=True)
class HourParts:
    """What the hourly table needs of some days, by hour of the day, added up across days."""

    active: frozenset[date]  # days with tickets or window sessions
    arrivals: dict[int, int]
    served: dict[int, int]
    queue: dict[int, int]  # +1 where a wait starts, -1 where it ends
    waits: dict[int, dict[str, Observations]]  # by the hour of the first call (or now)
    open_time: Mapping[int, Sequence[float]]  # seconds of open window time, per session
    handling: Mapping[int, Sequence[float]]  # minutes, by the hour the service started


def hour_parts(
    records: Sequence[Record], sessions: Sequence[WindowSession], now: float, info: HallInfo
) -> HourParts:
    """The hourly table's parts of the days whose records and sessions these are."""
    days = _Days(info)
    arrivals: dict[int, int] = defaultdict(int)
    served: dict[int, int] = defaultdict(int)
    queue: dict[int, int] = defaultdict(int)
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
    return HourParts(
        active=frozenset({r.day for r in records} | {info.day_of(s.start) for s in sessions}),
        arrivals=dict(arrivals),
        served=dict(served),
        queue=dict(queue),
        waits={hour: wait_observations(found, now) for hour, found in by_call.items()},
        open_time=_open_per_hour(sessions, days, info),
        handling=_handling_per_hour(records, days),
    )


def merge_hours(parts: Sequence[HourParts]) -> HourParts:
    """The hourly parts of several sets of days as one."""
    waits: dict[int, dict[str, Observations]] = {}
    for p in parts:
        for hour, observed in p.waits.items():
            known = waits.setdefault(hour, {n: Observations([]) for n in observed})
            for name, o in observed.items():
                kept = known[name]
                known[name] = Observations(
                    [*kept.values, *o.values], kept.in_progress + o.in_progress
                )
    return HourParts(
        active=frozenset().union(*(p.active for p in parts)),
        arrivals=_add([p.arrivals for p in parts]),
        served=_add([p.served for p in parts]),
        queue=_add([p.queue for p in parts]),
        waits=waits,
        open_time=_join([p.open_time for p in parts]),
        handling=_join([p.handling for p in parts]),
    )


def _add(counts: Sequence[dict[int, int]]) -> dict[int, int]:
    found: dict[int, int] = defaultdict(int)
    for c in counts:
        for key, value in c.items():
            found[key] += value
    return dict(found)


def _join(lists: Sequence[Mapping[int, Sequence[float]]]) -> dict[int, Sequence[float]]:
    found: dict[int, list[float]] = defaultdict(list)
    for c in lists:
        for key, values in c.items():
            found[key].extend(values)
    return dict(found)


def hour_rows(parts: HourParts, now: float, info: HallInfo) -> list[HourRow]:
    """Arrivals, served, queue, waits by class, windows open and needed, per hour, averaged
    per active day."""
    if not parts.active:
        return []
    days = _Days(info)
    hours = sorted(set(parts.arrivals) | set(parts.waits) | set(parts.open_time))
    count = len(parts.active)
    rows, waiting = [], 0
    today = info.day_of(now)
    today_hour = days.hour(today, now) if today in parts.active else None
    every = [v for values in parts.handling.values() for v in values]
    overall = kpi.mean(every)  # an hour with no service of its own takes the period's
    for hour in range(max(0, hours[0]), min(23, hours[-1]) + 1):
        waiting += parts.queue.get(hour, 0)
        observed = parts.waits.get(hour, {})
        per_hour = parts.arrivals.get(hour, 0) / count
        service = kpi.mean(parts.handling.get(hour, [])) or overall
        rows.append(
            HourRow(
                hour=hour,
                arrivals=round(per_hour, 2),
                served=round(parts.served.get(hour, 0) / count, 2),
                queue=None if today_hour is not None and hour >= today_hour and count == 1
                else round(waiting / count, 2),
                waits={n: _mean2(observed[n].values if n in observed else []) for n in WAIT_NAMES},
                windows_open=round(math.fsum(parts.open_time.get(hour, [])) / HOUR / count, 2),
                windows_needed=None if service is None else windows_needed(per_hour, service, 10.0),
            )
        )  # fmt: skip
    return rows


def _mean2(values: Sequence[float]) -> float | None:
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
    return dict(found)


def _open_per_hour(
    sessions: Sequence[WindowSession], days: _Days, info: HallInfo
) -> dict[int, list[float]]:
    """Seconds of open (signed in, not paused) window time per hour of the day."""
    found: dict[int, list[float]] = defaultdict(list)
    for s in sessions:
        day = info.day_of(s.start)
        base = days.start(day)
        for begin, end in s.open_intervals():
            hour = int((begin - base) // HOUR)
            while begin < end:
                edge = min(end, base + (hour + 1) * HOUR)
                found[hour].append(edge - begin)
                begin, hour = edge, hour + 1
    return dict(found)


@dataclass(frozen=True, slots=True)
class WorkParts:
    """What the windows' (or clerks') table needs of some days, added up across days."""

    handling: Mapping[str, Sequence[float]]  # minutes, per finished ticket
    matters: Mapping[str, Collection[str]]  # matters finished (each once)
    serving: Mapping[str, Sequence[float]]  # seconds, per session
    signed_in: Mapping[str, Sequence[float]]  # seconds, per session
    staff: Mapping[str, Collection[str]]  # clerks signed in (each once)


def work_parts(
    records: Sequence[Record],
    sessions: Sequence[WindowSession],
    now: float,
    *,
    by_staff: bool,
    work: Workload | None = None,
) -> WorkParts:
    """The table's parts of the days whose records and sessions these are."""
    work = work or workload(records, sessions, now)
    done = finished_work(work.busy, sessions, by_staff=by_staff)
    return replace(session_work(sessions, work.serving, by_staff=by_staff),
                   handling=done.handling, matters=done.matters)  # fmt: skip


def finished_work(
    busy: Sequence[Ticket], sessions: Sequence[WindowSession], *, by_staff: bool
) -> WorkParts:
    """The table's parts from the finished services among ``busy`` (handling times and
    matters), by window or by the clerk signed in at its window when it started."""
    staff_at = StaffAt(sessions) if by_staff else None
    finished: dict[str, list[Ticket]] = defaultdict(list)
    for t in busy:
        if t.status is TicketStatus.FINISHED:
            key = staff_at(t.window, t.started_at) if staff_at else str(t.window)
            if key is not None:
                finished[key].append(t)
    return WorkParts(
        handling={key: kpi.handling_times(done) for key, done in finished.items()},
        matters={key: frozenset(t.matter for t in done) for key, done in finished.items()},
        serving={},
        signed_in={},
        staff={},
    )


def session_work(
    sessions: Sequence[WindowSession], serving_seconds: Sequence[float], *, by_staff: bool
) -> WorkParts:
    """The table's parts from the sessions (``serving_seconds``: each one's serving time):
    serving and signed-in time and the clerks, by window or by clerk."""
    serving: dict[str, list[float]] = defaultdict(list)
    signed_in: dict[str, list[float]] = defaultdict(list)
    staff: dict[str, set[str]] = defaultdict(set)
    for s, seconds in zip(sessions, serving_seconds, strict=True):
        key = s.staff if by_staff else str(s.window)
        if key is None:
            continue
        serving[key].append(seconds)
        signed_in[key].append(s.signed_in_seconds)
        if s.staff:
            staff[key].add(s.staff)
    return WorkParts(
        handling={},
        matters={},
        serving=dict(serving),
        signed_in=dict(signed_in),
        staff={key: frozenset(found) for key, found in staff.items()},
    )


def merge_work(parts: Sequence[WorkParts]) -> WorkParts:
    """The table's parts of several sets of days as one."""
    return WorkParts(
        handling=_join_keys([p.handling for p in parts]),
        matters=_union_keys([p.matters for p in parts]),
        serving=_join_keys([p.serving for p in parts]),
        signed_in=_join_keys([p.signed_in for p in parts]),
        staff=_union_keys([p.staff for p in parts]),
    )


def _join_keys(lists: Sequence[Mapping[str, Sequence[float]]]) -> dict[str, Sequence[float]]:
    found: dict[str, list[float]] = defaultdict(list)
    for c in lists:
        for key, values in c.items():
            found[key].extend(values)
    return dict(found)


def _union_keys(sets: Sequence[Mapping[str, Collection[str]]]) -> dict[str, frozenset[str]]:
    found: dict[str, frozenset[str]] = {}
    for c in sets:
        for key, values in c.items():
            found[key] = found.get(key, frozenset()).union(values)
    return found


def work_table(parts: WorkParts) -> list[WorkRow]:
    """Per window (or per clerk): served, handling, utilisation, signed-in and serving time."""
    rows = []
    for key in sorted(set(parts.handling) | set(parts.signed_in), key=_natural):
        done = parts.handling.get(key, [])
        handling = kpi.mean(done)
        serving = math.fsum(parts.serving.get(key, []))
        signed_in = math.fsum(parts.signed_in.get(key, []))
        rows.append(
            WorkRow(
                key=key,
                served=len(done),
                handling_time=None if handling is None else round(handling, 2),
                utilisation=round(serving / signed_in, 4) if signed_in else None,
                signed_in_minutes=round(signed_in / MINUTE, 1),
                serving_minutes=round(serving / MINUTE, 1),
                matters=len(parts.matters.get(key, ())),
                staff=tuple(sorted(parts.staff.get(key, ()))),
            )
        )
    return rows


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)
