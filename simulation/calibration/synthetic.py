"""Ticket records of simulated days, in the export format: a known truth to calibrate against.

Each simulated day keeps what the live hall records: every citizen who came (a ticket:
issued, checked in for appointments, called, started, finished, the window), every booking
that never came (a row without a ticket, outcome ``no_show``), and when each window was
staffed (its sessions, for the database path). Tests calibrate these records and check
that the scenario comes back; the calibration benchmark uses a year of them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hall.analytics.export import TICKET_COLUMNS
from simulation.arrivals import (
    Arrivals,
    booked_slot_starts,
    nhpp_times,
    replication_streams,
    service_times,
)
from simulation.engine import Model, compile_model, run_day
from simulation.scenario_model import Scenario

__all__ = ["Session", "SimulatedDay", "simulate_days", "workdays"]

Row = tuple[str, ...]


@dataclass(frozen=True)
class Session:
    """A window staffed from `start` to `end` (minutes after the day's midnight)."""

    window: int
    start: float
    end: float


@dataclass(frozen=True)
class SimulatedDay:
    """One simulated day: its date, its rows (TICKET_COLUMNS order) and window sessions."""

    day: date
    rows: list[Row]
    sessions: list[Session]


def workdays(start: date, count: int, weekdays: frozenset[int] = frozenset(range(5))) -> list[date]:
    """The first `count` days from `start` whose weekday (Monday = 0) is in `weekdays`."""
    found: list[date] = []
    day = start
    while len(found) < count:
        if day.weekday() in weekdays:
            found.append(day)
        day += timedelta(days=1)
    return found


def _choose(rng: np.random.Generator, shares: tuple[float, ...], size: int) -> np.ndarray:
    weights = np.asarray(shares, dtype=np.float64)
    if size == 0 or weights.sum() <= 0:
        return np.zeros(size, dtype=np.int64)
    return rng.choice(weights.size, size=size, p=weights / weights.sum()).astype(np.int64)


def _arrivals(
    scenario: Scenario, seed: int, replication: int
) -> tuple[Arrivals, np.ndarray, np.ndarray, np.random.Generator]:
    """The day's arrivals (as `generate_arrivals` draws them) plus the no-show bookings."""
    streams = replication_streams(seed, replication)
    rng, plan = streams.arrivals, scenario.arrival_plan()
    walk = nhpp_times(rng, plan.walkin_per_hour, plan.horizon)
    walk_matter = _choose(rng, plan.walkin_shares, walk.size)
    walk_green = rng.random(walk.size) < np.asarray(plan.green_shares)[walk_matter]
    slots = booked_slot_starts(plan.book, plan.horizon)
    shows = rng.random(slots.size) >= plan.book.no_show
    early = rng.normal(plan.book.early_mean, plan.book.early_sd, slots.size)
    booked_matter = _choose(rng, plan.appointment_shares, slots.size)
    came = np.maximum(slots - early, 0.0)[shows]
    time_ = np.concatenate([walk, came])
    order = np.argsort(time_, kind="stable")
    arrivals = Arrivals(
        time=time_[order],
        matter=np.concatenate([walk_matter, booked_matter[shows]])[order],
        appointment=np.concatenate([np.zeros(walk.size, np.bool_), np.ones(came.size, np.bool_)])[
            order
        ],
        green=np.concatenate([walk_green, np.zeros(came.size, np.bool_)])[order],
        slot_start=np.concatenate([np.full(walk.size, np.nan), slots[shows]])[order],
    )
    return arrivals, slots[~shows], booked_matter[~shows], streams.service


class _Clock:
    """ISO 8601 text of minutes after opening on one day, as the export writes it."""

    def __init__(self, day: date, open_minute: int, zone: ZoneInfo) -> None:
        self.base = datetime.combine(day, time(0), tzinfo=zone) + timedelta(minutes=open_minute)
        self.open_minute = open_minute

    def __call__(self, minute: float) -> str:
        if math.isnan(minute):
            return ""
        return (self.base + timedelta(microseconds=round(minute * 60e6))).isoformat()


def _rows(
    scenario: Scenario, model: Model, day: date, replication: int, seed: int, zone: ZoneInfo
) -> tuple[list[Row], np.ndarray, np.ndarray]:
    arrivals, missed, missed_matter, service_rng = _arrivals(scenario, seed, replication)
    services = service_times(service_rng, arrivals.matter, [m.service for m in scenario.matters])
    trace = run_day(model, arrivals, services)
    clock, hall = _Clock(day, scenario.open_minute, zone), "sim"
    called = trace.called / 60.0
    finished = called + services
    rows: list[Row] = []
    for i in range(len(arrivals)):
        m = scenario.matters[int(arrivals.matter[i])]
        booked = bool(arrivals.appointment[i])
        issued = clock(float(arrivals.time[i]))
        served = not math.isnan(called[i])
        rows.append((
            f"{day:%Y%m%d}-{i:05d}", hall, f"{'B' if booked else 'A'}{i:04d}", m.code,
            m.matter_class.value, "", "appointment" if booked else "walk_in",
            "true" if arrivals.green[i] else "false", issued, issued if booked else "",
            clock(float(arrivals.slot_start[i])) if booked else "", clock(called[i]),
            clock(called[i]), clock(finished[i]), "completed" if served else "unserved",
            str(int(trace.window[i])) if served else "", "", "", "",
        ))  # fmt: skip
    for slot, matter in zip(missed.tolist(), missed_matter.tolist(), strict=True):
        m = scenario.matters[matter]
        rows.append(("", hall, "", m.code, m.matter_class.value, "", "appointment", "false",
                     "", "", clock(slot), "", "", "", "no_show", "", "", "", ""))  # fmt: skip
    ends = np.where(np.isnan(called), -np.inf, finished)
    return rows, ends, trace.window


def _sessions(
    model: Model, ends: np.ndarray, windows: np.ndarray, open_minute: int
) -> list[Session]:
    sessions = []
    for w, spans in enumerate(model.shifts):
        mine = ends[windows == w + 1]
        last = float(mine.max()) if mine.size else 0.0
        for begin, end in spans:
            stop = max(model.arrival_end / 60.0, last) if math.isinf(end) else end / 60.0
            sessions.append(Session(w + 1, open_minute + begin / 60.0, open_minute + stop))
    return sessions


def simulate_days(
    scenario: Scenario, days: list[date], seed: int | None = None, zone: str = "Asia/Shanghai"
) -> Iterator[SimulatedDay]:
    """Simulate each of `days` (replication k for the k-th day) and yield its records."""
    model = compile_model(scenario)
    root = scenario.seed if seed is None else seed
    where = ZoneInfo(zone)
    for k, day in enumerate(days):
        rows, ends, windows = _rows(scenario, model, day, k, root, where)
        yield SimulatedDay(day, rows, _sessions(model, ends, windows, scenario.open_minute))


assert len(TICKET_COLUMNS) == 19  # the rows above are written in this order
