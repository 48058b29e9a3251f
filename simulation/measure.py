"""One day's trace turned into ticket records and KPI values, by the queueing core's KPI code.

Every KPI here comes from `queueing.kpi` applied to `queueing.Ticket` records, exactly as the
dashboard computes it from the live hall's tickets; only the hourly queue length (a time
average, which the dashboard does not define) is computed here with numpy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus, kpi
from queueing.policy import MINUTE
from simulation.arrivals import Arrivals
from simulation.engine import Model, Trace, ticket_ids

__all__ = ["DayResult", "Hour", "build_records", "measure_day"]

_FINISHED = TicketStatus.FINISHED
_WAITING = TicketStatus.WAITING
_COMPLETED = Outcome.COMPLETED
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class Hour:
    """One hour of the day (by arrival): counts, mean waits in minutes, mean queue length."""

    arrivals: int
    walkin_wait: float | None
    appointment_wait: float | None
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
    calls: tuple[tuple[int, int], ...] = ()  # (ticket index, window) in call order, if asked


def build_records(model: Model, arrivals: Arrivals, trace: Trace) -> list[Ticket]:
    """Build the ticket record of every citizen, as the live hall would have stored it."""
    codes, classes = model.codes, model.classes
    records: list[Ticket] = []
    append = records.append
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
    ids = ticket_ids(len(trace.arrival))
    sources = (Source.WALK_IN, Source.APPOINTMENT)
    for number, row in zip(ids, rows, strict=True):
        arrived, due, service, called, window, m, green, booked = row
        source = sources[booked]
        slot = due if booked else None
        if window:
            done = called + service
            append(
                Ticket(
                    number,
                    number,
                    codes[m],
                    classes[m],
                    source,
                    arrived,
                    green,
                    True,
                    _FINISHED,
                    slot,
                    arrived,
                    window,
                    None,
                    called,
                    called,
                    called,
                    done,
                    None,
                    None,  # ended_at: set only for tickets that leave without finishing
                    0,
                    0,
                    _COMPLETED,
                )
            )
        else:
            append(
                Ticket(
                    number,
                    number,
                    codes[m],
                    classes[m],
                    source,
                    arrived,
                    green,
                    True,
                    _WAITING,
                    slot,
                    arrived,
                )
            )
    return records


def _open_intervals(model: Model, trace: Trace) -> dict[int, list[tuple[float, float]]]:
    """Each window's staffed intervals; "until the queue is empty" ends at its last finish."""
    finished = trace.called + trace.service
    result: dict[int, list[tuple[float, float]]] = {}
    for w, spans in enumerate(model.shifts):
        mine = finished[trace.window == w + 1]
        last = float(mine.max()) if mine.size else 0.0
        result[w + 1] = [
            (start, max(model.arrival_end, last) if math.isinf(end) else end)
            for start, end in spans
        ]
    return result


def _mean(values: list[float]) -> float | None:
    return kpi.mean(values)


def _hours(model: Model, trace: Trace, records: list[Ticket]) -> tuple[Hour, ...]:
    start = model.warmup
    count = max(1, math.ceil((model.arrival_end - start) / HOUR - 1e-9))
    buckets: list[list[Ticket]] = [[] for _ in range(count)]
    for ticket in records:
        index = int((ticket.issued_at - start) // HOUR)
        if 0 <= index < count:
            buckets[index].append(ticket)
    called = np.where(np.isnan(trace.called), trace.end, trace.called)
    hours = []
    for h, bucket in enumerate(buckets):
        lo, hi = start + h * HOUR, min(start + (h + 1) * HOUR, model.arrival_end)
        overlap = np.clip(np.minimum(called, hi) - np.maximum(trace.arrival, lo), 0.0, None)
        open_time = sum(
            max(0.0, min(end, hi) - max(begin, lo))
            for spans in model.shifts
            for begin, end in spans
        )
        hours.append(
            Hour(
                arrivals=len(bucket),
                walkin_wait=_mean(kpi.walk_in_waits(bucket)),
                appointment_wait=_mean(kpi.appointment_waits(bucket)),
                queue_length=float(overlap.sum()) / (hi - lo),
                windows_open=open_time / (hi - lo),
            )
        )
    return tuple(hours)


def measure_day(model: Model, arrivals: Arrivals, trace: Trace) -> DayResult:
    """Compute one replication's KPIs with `queueing.kpi` (steady mode: after the warm-up)."""
    everyone = build_records(model, arrivals, trace)
    records = everyone
    if model.warmup > 0:
        records = [t for t in everyone if t.issued_at >= model.warmup]
    by_class = kpi.appointment_wait_by_class(records)
    walk = kpi.summarise(kpi.walk_in_waits(records))
    handling = kpi.mean(kpi.handling_times(records))
    utilisation = kpi.window_utilisation(everyone, _open_intervals(model, trace))
    used = [u for u in utilisation.values() if u is not None]
    general, complex_ = by_class[MatterClass.GENERAL], by_class[MatterClass.COMPLEX]
    values: dict[str, float | None] = {
        "appointment_wait_general": None if general is None else general.mean,
        "appointment_wait_complex": None if complex_ is None else complex_.mean,
        "handling_time": handling,
        "walkin_wait_mean": None if walk is None else walk.mean,
        "walkin_wait_p90": None if walk is None else walk.p90,
        "walkin_wait_max": None if walk is None else walk.maximum,
        "utilisation": sum(used) / len(used) if used else None,
    }
    served = np.bincount(trace.window, minlength=len(model.windows) + 1)[1:]
    measured = trace.arrival >= model.warmup
    called = trace.called[measured]
    waits = (called - trace.arrival[measured])[~np.isnan(called)] / MINUTE
    span = (model.arrival_end - model.warmup) / MINUTE
    mean_wait = float(waits.mean()) if waits.size else 0.0
    little = (trace.queue_area / MINUTE / span, len(records) / span, mean_wait)
    return DayResult(
        kpis=values,
        utilisation=tuple(utilisation[w + 1] for w in range(len(model.windows))),
        served=tuple(int(s) for s in served),
        hours=_hours(model, trace, records),
        arrivals=len(records),
        unserved=int(np.isnan(called).sum()),
        little=little,
    )
