"""The event engine: one simulated hall day on SimPy, every call decided by `queueing`.

The day's citizens are pre-generated arrays (`arrivals.generate_arrivals`) with pre-drawn
handling times, so the hot path draws no random numbers. A citizen is a row index, not a
SimPy process: the engine schedules plain SimPy events with callbacks (an arrival chain,
one completion per service, the roster's shift and break changes). A `queueing.Ticket` is
built when a citizen joins the queue, and every "which ticket next" decision is
`DispatchQueue.take` of the queueing core, with the window's priority streak carried
exactly as `queueing.apply_decision` does. The engine only records when each citizen was
called and by which window; `measure.py` turns that trace into ticket records and KPIs.

Time inside the engine is seconds after opening, the queueing core's unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from queueing import (
    DispatchQueue,
    MatterClass,
    Policy,
    Source,
    Ticket,
    TicketStatus,
    WindowKind,
    WindowState,
    coverage_of,
)
from queueing.policy import MINUTE
from simulation.arrivals import Arrivals
from simulation.scenario_model import Mode, Scenario

__all__ = ["Model", "Trace", "compile_model", "run_day", "ticket_id", "ticket_ids"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Span = tuple[float, float]

_WAITING = TicketStatus.WAITING
_WALK_IN = Source.WALK_IN
_APPOINTMENT = Source.APPOINTMENT
_INF = math.inf
# Who is woken first when a citizen arrives and several windows are free: the windows
# meant for the work (specialised; green windows for green citizens), then the rest.
_WAKE_RANK = {
    False: {WindowKind.SPECIALISED: 0, WindowKind.COMPREHENSIVE: 1, WindowKind.GREEN: 2},
    True: {WindowKind.GREEN: 0, WindowKind.SPECIALISED: 1, WindowKind.COMPREHENSIVE: 2},
}


_IDS: list[str] = []


def ticket_id(index: int) -> str:
    """The ticket id (and number) of citizen `index`: zero-padded, so ids sort by arrival."""
    return f"{index:06d}"


def ticket_ids(count: int) -> list[str]:
    """The ids of citizens 0 … count-1 (cached: every day numbers its citizens alike)."""
    if len(_IDS) < count:
        _IDS.extend(ticket_id(i) for i in range(len(_IDS), count))
    return _IDS[:count] if len(_IDS) > count else _IDS


@dataclass(frozen=True)
class Model:
    """A scenario compiled for the engine; built once, reused by every replication."""

    policy: Policy
    codes: tuple[str, ...]
    classes: tuple[MatterClass, ...]
    windows: tuple[WindowState, ...]
    names: tuple[str, ...]
    shifts: tuple[tuple[Span, ...], ...]  # seconds; the last end may be inf (serve until empty)
    wake: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]  # per matter: (plain, green)
    warmup: float  # seconds; statistics start here (0 in day mode)
    arrival_end: float  # seconds; no arrivals after it (closing time in day mode)


def compile_model(scenario: Scenario) -> Model:
    """Prepare a scenario for `run_day`: policy, numbered windows, rosters and wake orders.

    Raises queueing.errors.InvalidPolicy if the [policy] knobs are invalid.
    """
    end = scenario.arrival_minutes
    plans = scenario.window_plans()
    windows = tuple(WindowState(p.number, p.kind, p.skills) for p in plans)
    shifts: list[tuple[Span, ...]] = []
    for plan in plans:
        spans = [(s.start * MINUTE, s.end * MINUTE) for s in plan.available]
        if spans and plan.available[-1].end >= end:
            spans[-1] = (spans[-1][0], _INF)  # on shift at closing: serve until the queue is empty
        shifts.append(tuple(spans))
    wake: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for matter in scenario.matters:
        able = [
            w for w, plan in enumerate(plans) if "*" in plan.skills or matter.code in plan.skills
        ]
        plain = tuple(sorted(able, key=lambda w: (_WAKE_RANK[False][plans[w].kind], w)))
        green = tuple(sorted(able, key=lambda w: (_WAKE_RANK[True][plans[w].kind], w)))
        wake.append((plain, green))
    warmup = scenario.run.warmup_minutes if scenario.run.mode is Mode.STEADY else 0.0
    return Model(
        policy=Policy.from_mapping(scenario.policy),
        codes=tuple(m.code for m in scenario.matters),
        classes=tuple(m.matter_class for m in scenario.matters),
        windows=windows,
        names=tuple(p.name for p in plans),
        shifts=tuple(shifts),
        wake=tuple(wake),
        warmup=warmup * MINUTE,
        arrival_end=end * MINUTE,
    )


@dataclass(frozen=True)
class Trace:
    """What happened in one day: per citizen (seconds) the call time and window (0 = never)."""

    arrival: FloatArray
    due: FloatArray  # slot start, NaN for walk-ins
    service: FloatArray
    called: FloatArray  # NaN if never called
    window: IntArray
    order: IntArray  # citizens in the order they were called
    end: float  # when the last event happened
    queue_area: float  # ∫ len(queue) dt over [warmup, arrival_end], from the queue itself


class _Day:
    """The mutable state of one simulated day; callbacks are bound methods."""

    def __init__(self, model: Model, arrivals: Arrivals, service_minutes: FloatArray) -> None:
        self.model = model
        self.env = simpy.Environment()
        self.queue = DispatchQueue(model.policy)
        self.arrival = (arrivals.time * MINUTE).tolist()
        self.due = (arrivals.slot_start * MINUTE).tolist()
        self.matter = arrivals.matter.tolist()
        self.green = arrivals.green.tolist()
        self.appointment = arrivals.appointment.tolist()
        self.service = (service_minutes * MINUTE).tolist()
        n = len(self.arrival)
        self.ids = ticket_ids(n)
        self.waiting = [0] * len(model.codes)
        self.skills = [
            None
            if "*" in s.skills
            else tuple(model.codes.index(c) for c in s.skills if c in model.codes)
            for s in model.windows
        ]
        self.kinds = list(zip(model.codes, model.classes, strict=True))
        self.called = [math.nan] * n
        self.by = [0] * n
        self.order: list[int] = []
        count = len(model.windows)
        self.states: list[WindowState] = list(model.windows)
        self.streaks: list[dict[int, WindowState]] = [{0: s} for s in model.windows]
        self.staffed = [False] * count
        self.busy = [False] * count
        self.coverage = coverage_of(())
        self.area = 0.0
        self.last = 0.0
        self.marks: list[float] = []

    def start(self) -> None:
        env = self.env
        for w, spans in enumerate(self.model.shifts):
            for begin, finish in spans:
                self._at(begin, self._shift_start, w)
                if finish < _INF:
                    self._at(finish, self._shift_end, w)
        for moment in (self.model.warmup, self.model.arrival_end):
            self._at(moment, self._mark, 0)
        if self.arrival:
            env.timeout(self.arrival[0], 0).callbacks.append(self._arrive)

    def _at(self, moment: float, action: Callable[[simpy.Event], None], value: int) -> None:
        self.env.timeout(moment - self.env.now, value).callbacks.append(action)

    def _account(self, now: float) -> None:
        self.area += len(self.queue) * (now - self.last)
        self.last = now

    def _mark(self, event: simpy.Event) -> None:
        self._account(self.env.now)
        self.marks.append(self.area)

    def _arrive(self, event: simpy.Event) -> None:
        i: int = event.value  # type: ignore[assignment]
        env = self.env
        now = env.now
        arrival = self.arrival
        if i + 1 < len(arrival):
            env.timeout(arrival[i + 1] - now, i + 1).callbacks.append(self._arrive)
        queue = self.queue
        self.area += len(queue) * (now - self.last)
        self.last = now
        m = self.matter[i]
        green = self.green[i]
        number = self.ids[i]
        code, matter_class = self.kinds[m]
        if self.appointment[i]:
            ticket = Ticket(
                number, number, code, matter_class, _APPOINTMENT, now,
                green, True, _WAITING, self.due[i], now,
            )  # fmt: skip
        else:
            ticket = Ticket(
                number, number, code, matter_class, _WALK_IN, now, green, True, _WAITING, None, now
            )  # fmt: skip
        queue.add(ticket)
        self.waiting[m] += 1
        staffed, busy = self.staffed, self.busy
        for w in self.model.wake[m][green]:
            if staffed[w] and not busy[w] and self._call(w, now):
                return

    def _call(self, w: int, now: float) -> bool:
        """Ask the policy which ticket window `w` calls now; start serving it."""
        queue = self.queue
        skills = self.skills[w]
        if not queue or (skills is not None and not any(self.waiting[m] for m in skills)):
            return False  # nothing this window may serve: the policy would return None
        state = self.states[w]
        decision = queue.take(state, now, self.coverage)
        if decision is None:
            return False
        self.area += (len(queue) + 1) * (now - self.last)
        self.last = now
        # The streak rule of queueing.apply_decision, on cached window states.
        streak = state.priority_streak + 1 if decision.priority else 0
        if streak != state.priority_streak:
            states = self.streaks[w]
            cached = states.get(streak)
            if cached is None:
                base = self.model.windows[w]
                cached = states[streak] = WindowState(base.number, base.kind, base.skills, streak)
            self.states[w] = cached
        i = int(decision.ticket.id)
        self.waiting[self.matter[i]] -= 1
        self.called[i] = now
        self.order.append(i)
        self.by[i] = w + 1
        self.busy[w] = True
        self.env.timeout(self.service[i], w).callbacks.append(self._complete)
        return True

    def _complete(self, event: simpy.Event) -> None:
        w: int = event.value  # type: ignore[assignment]
        self.busy[w] = False
        if self.staffed[w]:
            self._call(w, self.env.now)

    def _shift_start(self, event: simpy.Event) -> None:
        w: int = event.value  # type: ignore[assignment]
        self.staffed[w] = True
        self._update_coverage(w)
        if not self.busy[w]:
            self._call(w, self.env.now)

    def _shift_end(self, event: simpy.Event) -> None:
        w: int = event.value  # type: ignore[assignment]
        self.staffed[w] = False  # a citizen being served is finished first (no pre-emption)
        self._update_coverage(w)

    def _update_coverage(self, w: int) -> None:
        if self.model.windows[w].kind is not WindowKind.COMPREHENSIVE:
            self.coverage = coverage_of(
                s for s, on in zip(self.model.windows, self.staffed, strict=True) if on
            )

    def trace(self) -> Trace:
        marks = self.marks + [self.area] * (2 - len(self.marks))
        return Trace(
            arrival=np.asarray(self.arrival, dtype=np.float64),
            due=np.asarray(self.due, dtype=np.float64),
            service=np.asarray(self.service, dtype=np.float64),
            called=np.asarray(self.called, dtype=np.float64),
            window=np.asarray(self.by, dtype=np.int64),
            order=np.asarray(self.order, dtype=np.int64),
            end=float(self.env.now),
            queue_area=marks[1] - marks[0],
        )


def run_day(model: Model, arrivals: Arrivals, service_minutes: FloatArray) -> Trace:
    """Simulate one day (or one steady-state run) to the end: every citizen served or stuck.

    Raises queueing errors only on an engine bug (a ticket queued twice, time going back).
    """
    day = _Day(model, arrivals, service_minutes)
    day.start()
    day.env.run()
    return day.trace()
