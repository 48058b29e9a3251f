"""One day's trace turned into KPI values, by the queueing core's KPI definitions.

The KPIs are the `queueing.kpi` definitions (the dashboard's) evaluated on the day's arrays
instead of on a `Ticket` per citizen: each wait and handling time is the same arithmetic on
the same floats, and means, 90th percentiles and sums are taken in the same order, so every
value is *equal* to what `queueing.kpi` returns on the ticket records `build_records` builds
(tests/simulation/test_measure.py checks it on every KPI, hour and window). Only the hourly
queue length (a time average, which the dashboard does not define) is the simulator's own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus
from queueing.policy import MINUTE
from simulation.arrivals import Arrivals
from simulation.engine import Model, Trace, ticket_id

__all__ = ["DayResult", "Hour", "build_records", "measure_day", "open_intervals"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
HOUR = 60 * MINUTE


# The per-class waits measured per hour, by their KPI names in `queueing.vocabulary`.
WAIT_CLASSES = (
    "walkin_wait",
    "green_wait",
    "appointment_wait_general",
    "appointment_wait_complex",
)


@dataclass(frozen=True)
class Hour:
    """One hour of the day (by arrival): counts, mean waits per class (minutes; None when
    nobody of that class arrived), the mean queue length and the windows staffed."""

    arrivals: int
    waits: dict[str, float | None]
    queue_length: float
    windows_open: float


@dataclass(frozen=True)
class DayResult:
    """The KPI values of one replication; None means "nothing to measure that day"."""

    kpis: dict[str, float | None]
    utilisation: tuple[float | None, ...]  # per window, in window order
    served: tuple[int, ...]  # per window
    hours: tuple[Hour, ...]
    arrivals: int
    unserved: int  # still waiting when the day ended (no window on shift for them)
    little: tuple[float, float, float]  # (mean queue length, arrival rate /min, mean wait min)


def build_records(model: Model, arrivals: Arrivals, trace: Trace) -> list[Ticket]:
    """Build the ticket record of every citizen, as the live hall would have stored it.

    The engine does not need them (measure_day works on arrays); tests compare the two.
    """
    codes, classes = model.codes, model.classes
    records: list[Ticket] = []
    rows = zip(
        trace.arrival.tolist(),
        trace.due.tolist(),
        trace.service.tolist(),
        trace.called.tolist(),
        trace.window.tolist(),
        arrivals.matter.tolist(),
        arrivals.green.tolist(),
        arrivals.appointment.tolist(),
        strict=True,
    )
    for index, row in enumerate(rows):
        arrived, due, service, called, window, m, green, booked = row
        number = ticket_id(index)
        source = Source.APPOINTMENT if booked else Source.WALK_IN
        waiting = Ticket(
            number, number, codes[m], classes[m], source, arrived, green, True,
            TicketStatus.WAITING, due if booked else None, arrived,
        )  # fmt: skip
        if not window:
            records.append(waiting)
            continue
        finished = replace(waiting, status=TicketStatus.FINISHED, window=window)
        records.append(
            replace(
                finished,
                called_at=called,
                first_called_at=called,
                started_at=called,
                finished_at=called + service,
                outcome=Outcome.COMPLETED,
            )
        )
    return records


def open_intervals(model: Model, trace: Trace) -> dict[int, list[tuple[float, float]]]:
    """Each window's staffed intervals; "until the queue is empty" ends at its last finish."""
    return {w + 1: spans for w, (spans, _, _) in enumerate(_by_window(model, trace))}


def _by_window(
    model: Model, trace: Trace
) -> list[tuple[list[tuple[float, float]], FloatArray, FloatArray]]:
    """Per window: staffed intervals, and the start and finish of each service in
    citizen order."""
    small = np.int16 if len(model.windows) < np.iinfo(np.int16).max else np.int64
    order = np.argsort(trace.window.astype(small), kind="stable")  # a radix sort
    windows = trace.window[order]
    starts = trace.called[order]
    finishes = starts + trace.service[order]
    bounds = np.searchsorted(windows, np.arange(1, len(model.windows) + 2)).tolist()
    result = []
    for w, spans in enumerate(model.shifts):
        start, finish = starts[bounds[w] : bounds[w + 1]], finishes[bounds[w] : bounds[w + 1]]
        last = float(finish.max()) if finish.size else 0.0
        staffed = [
            (begin, max(model.arrival_end, last) if math.isinf(end) else end)
            for begin, end in spans
        ]
        result.append((staffed, start, finish))
    return result


def _mean(values: FloatArray) -> float | None:
    """`queueing.kpi.mean`: the sum in ascending order over the count, None if empty."""
    if not values.size:
        return None
    ordered: list[float] = np.sort(values).tolist()
    return sum(ordered) / len(ordered)


def _summary(values: FloatArray) -> tuple[float, float, float] | None:
    """`queueing.kpi.summarise`: (mean, nearest-rank 90th percentile, maximum)."""
    if not values.size:
        return None
    ordered: list[float] = np.sort(values).tolist()
    count = len(ordered)
    return sum(ordered) / count, ordered[math.ceil(0.9 * count) - 1], ordered[-1]


@dataclass(frozen=True)
class _Waits:
    """Per citizen: the waits `queueing.kpi` defines, and who is in which wait class."""

    queued: FloatArray  # minutes from arrival to first call (walk-in and green waits)
    appointment: FloatArray  # kpi.appointment_waits (NaN for walk-ins)
    handling: FloatArray  # kpi.handling_times
    classes: dict[str, BoolArray]  # WAIT_CLASSES → who has that wait


def _waits(model: Model, arrivals: Arrivals, trace: Trace) -> _Waits:
    called = trace.called
    booked, green = arrivals.appointment, arrivals.green
    started_late = np.maximum(trace.arrival, np.where(booked, trace.due, -np.inf))
    queued = (called - trace.arrival) / MINUTE
    appointment = np.where(booked, np.maximum(0.0, called - started_late) / MINUTE, np.nan)
    handling = ((called + trace.service) - called) / MINUTE
    general = np.asarray([c is MatterClass.GENERAL for c in model.classes], dtype=np.bool_)
    is_general = general[arrivals.matter]
    classes = {
        "walkin_wait": ~booked & ~green,
        "green_wait": green,
        "appointment_wait_general": booked & is_general,
        "appointment_wait_complex": booked & ~is_general,
    }
    return _Waits(queued, appointment, handling, classes)


def _utilisation(model: Model, trace: Trace) -> tuple[float | None, ...]:
    """`queueing.kpi.window_utilisation` over every citizen, summed in the same order.

    Each citizen's overlap with their window's staffed intervals is computed for all
    citizens at once (intervals padded with empty ones, which add exactly 0.0); each
    window's sum is then taken in citizen order, as `window_utilisation` takes it.
    """
    by_window = _by_window(model, trace)
    widest = max((len(spans) for spans, _, _ in by_window), default=0)
    if not widest:
        return tuple(None for _ in by_window)
    opened = np.zeros((len(by_window), widest))
    closed = np.zeros((len(by_window), widest))
    for w, (spans, _, _) in enumerate(by_window):
        for k, (begin, close) in enumerate(spans):
            opened[w, k], closed[w, k] = begin, close
    start = np.concatenate([start for _, start, _ in by_window])
    finish = np.concatenate([finish for _, _, finish in by_window])
    sizes = [start.size for _, start, _ in by_window]
    whose = np.repeat(np.arange(len(by_window)), sizes)
    overlap: FloatArray | int = 0
    for k in range(widest):
        overlap = overlap + np.maximum(
            0.0, np.minimum(finish, closed[whose, k]) - np.maximum(start, opened[whose, k])
        )
    served: list[float] = overlap.tolist() if isinstance(overlap, np.ndarray) else []
    result: list[float | None] = []
    first = 0
    for (spans, _, _), size in zip(by_window, sizes, strict=True):
        open_time = sum(max(0.0, close - begin) for begin, close in spans)
        result.append(sum(served[first : first + size]) / open_time if open_time > 0 else None)
        first += size
    return tuple(result)


def _sorted_means(values: FloatArray, groups: IntArray, count: int) -> list[float | None]:
    """`_mean` of the values of each group 0 … count-1: one sort by value, then a stable
    sort by group (a radix sort while the groups fit 16 bits), so each group's values are
    in ascending order and each mean is summed exactly as `_mean` sums it."""
    by_value = np.argsort(values)
    small = np.int16 if count <= np.iinfo(np.int16).max else np.int64
    order = by_value[np.argsort(groups[by_value].astype(small), kind="stable")]
    ordered: list[float] = values[order].tolist()
    result: list[float | None] = []
    first = 0
    for size in np.bincount(groups, minlength=count).tolist():
        result.append(sum(ordered[first : first + size]) / size if size else None)
        first += size
    return result


def _hours(model: Model, trace: Trace, waits: _Waits, seen: BoolArray) -> tuple[Hour, ...]:
    start = model.warmup
    count = max(1, math.ceil((model.arrival_end - start) / HOUR - 1e-9))
    bucket = np.where(trace.arrival >= start, (trace.arrival - start) // HOUR, -1)
    bucket = bucket.astype(np.int64)
    called = np.where(np.isnan(trace.called), trace.end, trace.called)
    arrivals = np.bincount(bucket[bucket >= 0], minlength=count)
    # Every (class, hour) mean from one sort: group = class × hours + hour.
    values, groups = [], []
    for c, name in enumerate(WAIT_CLASSES):
        wait = waits.appointment if name.startswith("appointment") else waits.queued
        mine = seen & waits.classes[name] & ~np.isnan(wait) & (bucket < count)
        values.append(wait[mine])
        groups.append(bucket[mine] + c * count)
    means = _sorted_means(np.concatenate(values), np.concatenate(groups), len(WAIT_CLASSES) * count)
    # The queue length: each citizen's time in the queue inside the hour. Arrivals are in
    # time order, so only a slice of them can have been waiting in a given hour: those who
    # arrived before its end and no longer before its start than the longest wait.
    arrival = trace.arrival
    longest = float((called - arrival).max()) + 1.0 if arrival.size else 0.0
    lo = start + np.arange(count) * HOUR
    hi = np.minimum(lo + HOUR, model.arrival_end)
    firsts = np.searchsorted(arrival, lo - longest).tolist()
    lasts = np.searchsorted(arrival, hi).tolist()
    queue = []
    for low, high, first, last in zip(lo.tolist(), hi.tolist(), firsts, lasts, strict=True):
        overlap = np.minimum(called[first:last], high) - np.maximum(arrival[first:last], low)
        queue.append(float(overlap[overlap > 0.0].sum()) / (high - low))
    return tuple(
        Hour(
            arrivals=int(arrivals[h]),
            waits={name: means[c * count + h] for c, name in enumerate(WAIT_CLASSES)},
            queue_length=queue[h],
            windows_open=model.staffed_per_hour[h],
        )
        for h in range(count)
    )


def _overtime(model: Model, trace: Trace) -> tuple[float, int, float]:
    """`queueing.kpi.overtime` and `called_after_closing`, closing = the end of arrivals;
    and the overtime no roster can avoid: the latest arrival plus own service time."""
    called = ~np.isnan(trace.called)
    ends = (trace.called + trace.service)[called]
    close = model.arrival_end
    last = float(ends.max()) if ends.size else close
    after = int((trace.called[called] > close).sum())
    own = (trace.arrival + trace.service)[called]
    floor = float(own.max()) if own.size else close
    return max(0.0, (last - close) / MINUTE), after, max(0.0, (floor - close) / MINUTE)


def measure_day(
    model: Model, arrivals: Arrivals, trace: Trace, finished: BoolArray | None = None
) -> DayResult:
    """Compute one replication's KPIs as `queueing.kpi` does (steady mode: after the warm-up).

    The keys are KPI names of `queueing.vocabulary`, plus `NAME_p90` and `NAME_max` for the
    walk-in and green waits, and `called_after_closing` and `overtime_unavoidable` (had
    nobody waited) for the overtime. `finished` (default: everyone called) marks whose
    service finished, for the handling time: the live what-if has called no-shows.
    """
    waits = _waits(model, arrivals, trace)
    measured = trace.arrival >= model.warmup
    called = ~np.isnan(trace.called)
    seen = measured & called
    classes = waits.classes
    walk = _summary(waits.queued[seen & classes["walkin_wait"]])
    green = _summary(waits.queued[seen & classes["green_wait"]])
    utilisation = _utilisation(model, trace)
    used = [u for u in utilisation if u is not None]
    overtime, after, unavoidable = _overtime(model, trace)
    count = int(measured.sum())
    values: dict[str, float | None] = {
        "appointment_wait_general": _mean(
            waits.appointment[seen & classes["appointment_wait_general"]]
        ),
        "appointment_wait_complex": _mean(
            waits.appointment[seen & classes["appointment_wait_complex"]]
        ),
        "handling_time": _mean(waits.handling[seen if finished is None else seen & finished]),
        "walkin_wait": None if walk is None else walk[0],
        "walkin_wait_p90": None if walk is None else walk[1],
        "walkin_wait_max": None if walk is None else walk[2],
        "green_wait": None if green is None else green[0],
        "green_wait_p90": None if green is None else green[1],
        "green_wait_max": None if green is None else green[2],
        "utilisation": sum(used) / len(used) if used else None,
        "overtime": overtime,
        "called_after_closing": float(after),
        "overtime_unavoidable": unavoidable,
        "arrivals": float(count),
        "served": float(int(seen.sum())),
    }
    served = np.bincount(trace.window, minlength=len(model.windows) + 1)[1:]
    waited = (trace.called[seen] - trace.arrival[seen]) / MINUTE
    span = (model.arrival_end - model.warmup) / MINUTE
    mean_wait = float(waited.mean()) if waited.size else 0.0
    little = (trace.queue_area / MINUTE / span, count / span, mean_wait)
    return DayResult(
        kpis=values,
        utilisation=utilisation,
        served=tuple(int(s) for s in served),
        hours=_hours(model, trace, waits, seen),
        arrivals=count,
        unserved=int((measured & ~called).sum()),
        little=little,
    )
