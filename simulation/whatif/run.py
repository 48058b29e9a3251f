"""Simulate the rest of today, with and without the changes, on common random numbers.

Replication r draws from stream r of the seed: the walk-ins still to come (a Poisson
process at the profile's rate for each clock hour of today's remaining opening periods,
drawn at the larger of the two demands and thinned, so both runs see the same citizens),
which bookings still to come show up and when, every service time, and the remaining time
of each citizen at a window (conditioned on the time already spent, `residual.py`). The
baseline and the scenario differ only in the roster and the demand, so their difference is
the changes' effect. Each replication's whole day (the tickets done, at a window, waiting
and to come) is measured by the simulator's KPI code (`measure.measure_day`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.arrivals import Arrivals, replication_streams, service_times
from simulation.distributions import ServiceTime
from simulation.engine import Model, Start, Trace, run_day
from simulation.measure import DayResult, measure_day
from simulation.scenario_model import Scenario
from simulation.whatif.changes import Change
from simulation.whatif.day import Day, day_scenario, minute_of_day
from simulation.whatif.residual import remaining_times

__all__ = ["Draw", "Outcome", "Variant", "draw", "simulate"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
MINUTE = 60.0


@dataclass(frozen=True)
class Draw:
    """One replication's random part: the citizens still to come and every service time."""

    time: FloatArray  # arrivals still to come, seconds after opening, sorted
    matter: IntArray
    appointment: BoolArray
    green: BoolArray
    due: FloatArray
    mark: FloatArray  # walk-ins: uniform thinning mark (bookings: -1, always kept)
    waiting_service: FloatArray  # minutes, per waiting ticket
    future_service: FloatArray  # minutes, per arrival still to come
    remaining: FloatArray  # minutes, per ticket at a window


@dataclass(frozen=True)
class Variant:
    """A roster and a demand: the baseline (no changes) or the scenario."""

    scenario: Scenario
    model: Model
    demand: float


@dataclass(frozen=True)
class Outcome:
    """What one replication of one variant gives: the day's KPIs, when the hall empties and
    when each waiting ticket is called (seconds after opening; NaN: not today)."""

    day: DayResult
    clear: float
    calls: FloatArray


def variant(day: Day, changes: Sequence[Change], demand: float) -> Variant:
    scenario, model = day_scenario(day, changes, demand)
    return Variant(scenario, model, demand)


def _walkins(
    day: Day, rng: np.random.Generator, top: float
) -> tuple[FloatArray, IntArray, BoolArray, FloatArray]:
    """Walk-ins still to come at `top` times the profile's rate, piece by piece (each clock
    hour of the remaining opening periods), with a uniform mark each for thinning."""
    profile, pieces = day.profile, []
    start_minute = float(minute_of_day(day.snapshot, day.origin))
    for a, b in day.periods:
        edge = max(a, day.now)
        while edge < b:
            nxt = min(b, (math.floor(edge / 3600) + 1) * 3600)
            rate = profile.rate_at(start_minute + (edge + nxt) / 2 / MINUTE) * top
            count = int(rng.poisson(rate * (nxt - edge) / 3600)) if rate > 0 else 0
            pieces.append(rng.uniform(edge, nxt, count))
            edge = nxt
    times = np.sort(np.concatenate(pieces)) if pieces else np.empty(0)
    shares = np.asarray([profile.walkin_shares.get(c, 0.0) for c in day.codes], dtype=np.float64)
    if shares.sum() <= 0 or times.size == 0:
        return np.empty(0), np.empty(0, np.int64), np.empty(0, np.bool_), np.empty(0)
    matter = rng.choice(shares.size, size=times.size, p=shares / shares.sum()).astype(np.int64)
    green_p = np.asarray([profile.green_shares.get(c, 0.0) for c in day.codes])
    green = rng.random(times.size) < green_p[matter]
    return times, matter, green, rng.random(times.size)


def draw(
    day: Day, services: Sequence[ServiceTime], seed: int, replication: int, top_demand: float
) -> Draw:
    """Replication `replication`'s draws (the same for the baseline and the scenario)."""
    streams = replication_streams(seed, replication)
    rng = streams.arrivals
    walk_time, walk_matter, walk_green, mark = _walkins(day, rng, top_demand)
    profile = day.profile
    shows = rng.random(day.bookings.size) >= profile.no_show
    early = rng.normal(profile.early_mean, profile.early_sd, day.bookings.size) * MINUTE
    came = np.maximum(day.bookings - early, day.now)[shows]
    time = np.concatenate([walk_time, came])
    order = np.argsort(time, kind="stable")
    matter = np.concatenate([walk_matter, day.booking_matter[shows]])[order]
    waiting_service = service_times(streams.service, day.waiting.matter, services)
    future_service = service_times(streams.service, matter, services)
    remaining = np.asarray(
        [remaining_times(services[int(m)], e, streams.behaviour, 1)[0]
         for m, e in zip(day.serving.matter.tolist(), day.serving_elapsed.tolist(), strict=True)],
        dtype=np.float64,
    )  # fmt: skip
    return Draw(
        time=time[order],
        matter=matter,
        appointment=np.concatenate(
            [np.zeros(walk_time.size, np.bool_), np.ones(came.size, np.bool_)]
        )[order],
        green=np.concatenate([walk_green, np.zeros(came.size, np.bool_)])[order],
        due=np.concatenate([np.full(walk_time.size, np.nan), day.bookings[shows]])[order],
        mark=np.concatenate([mark, np.full(came.size, -1.0)])[order],
        waiting_service=waiting_service,
        future_service=future_service,
        remaining=remaining,
    )


def _start(day: Day, model: Model, d: Draw) -> Start:
    remaining: list[float | None] = [None] * len(model.windows)
    for w, left in zip(day.serving_window.tolist(), d.remaining.tolist(), strict=True):
        remaining[w] = left * MINUTE
    streaks = tuple(w.priority_streak for w in day.snapshot.windows)
    return Start(day.now, tuple(remaining), streaks)


def simulate(day: Day, v: Variant, d: Draw, top_demand: float) -> Outcome:
    """Run one replication of one variant from now to the end of the day."""
    keep = d.mark < v.demand / top_demand if top_demand > 0 else d.mark < 0
    n = day.waiting.time.size
    queue = Arrivals(
        time=np.concatenate([day.waiting.time, d.time[keep]]),
        matter=np.concatenate([day.waiting.matter, d.matter[keep]]),
        appointment=np.concatenate([day.waiting.appointment, d.appointment[keep]]),
        green=np.concatenate([day.waiting.green, d.green[keep]]),
        slot_start=np.concatenate([day.waiting.due, d.due[keep]]) / MINUTE,
    )
    order = np.argsort(queue.time, kind="stable")
    sorted_queue = Arrivals(
        *(
            getattr(queue, f)[order]
            for f in ("time", "matter", "appointment", "green", "slot_start")
        )
    )
    services = np.concatenate([d.waiting_service, d.future_service[keep]])[order]
    engine_arrivals = Arrivals(
        sorted_queue.time / MINUTE, sorted_queue.matter, sorted_queue.appointment,
        sorted_queue.green, sorted_queue.slot_start,
    )  # fmt: skip
    trace = run_day(v.model, engine_arrivals, services, _start(day, v.model, d))
    back = np.empty_like(order)
    back[order] = np.arange(order.size)
    calls = trace.called[back[:n]]
    return _measure(day, v, sorted_queue, services, trace, calls, d)


def _measure(
    day: Day, v: Variant, queue: Arrivals, services: FloatArray, trace: Trace, calls: FloatArray,
    d: Draw,
) -> Outcome:  # fmt: skip
    """The whole day's KPIs: recorded tickets, those at a window, and the simulated ones.

    Citizens who came before opening count their waits from opening, as the simulator's
    day does.
    """
    p, s = day.past, day.serving
    served = day.serving_elapsed + d.remaining
    time = np.concatenate([p.time, s.time, queue.time])
    arrivals = Arrivals(
        time=np.maximum(time, 0.0) / MINUTE,
        matter=np.concatenate([p.matter, s.matter, queue.matter]),
        appointment=np.concatenate([p.appointment, s.appointment, queue.appointment]),
        green=np.concatenate([p.green, s.green, queue.green]),
        slot_start=np.concatenate([p.due, s.due, queue.slot_start * MINUTE]) / MINUTE,
    )
    called = np.concatenate([day.past_called, day.serving_called, trace.called])
    service = np.concatenate([day.past_service, served, services])
    whole = Trace(
        arrival=arrivals.time * MINUTE,
        due=arrivals.slot_start * MINUTE,
        service=service * MINUTE,
        called=called,
        window=np.concatenate([day.past_window, day.serving_window + 1, trace.window]),
        order=np.argsort(called, kind="stable"),
        end=max(trace.end, day.now),
        queue_area=0.0,
    )
    finished = np.concatenate([day.past_finished, np.ones(s.time.size + queue.time.size, np.bool_)])
    ends = [day.now, *(day.now + d.remaining * MINUTE).tolist()]
    simulated = trace.called + services * MINUTE
    if np.any(~np.isnan(simulated)):
        ends.append(float(np.nanmax(simulated)))
    return Outcome(measure_day(v.model, arrivals, whole, finished), max(ends), calls)
