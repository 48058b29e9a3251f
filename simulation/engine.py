"""The event engine: one simulated hall day on SimPy, every call decided by `queueing`.

The day's citizens are pre-generated arrays (`arrivals.generate_arrivals`) with pre-drawn
handling times, so the hot path draws no random numbers. A citizen is a row index, not a
SimPy process: the engine schedules plain SimPy events with callbacks (one completion per
service, the roster's shift and break changes); arrivals are not events (see
`_Day._catch_up` and `_Day._ahead`). Every "which citizen next" decision is
`WaitingLines.take` of the queueing core (the machinery behind `queueing.DispatchQueue`,
keyed by the citizen's row instead of a `Ticket`, one line per dispatch class), with the
window's priority streak carried exactly as `queueing.apply_decision` does. The engine
only records when each citizen was called and by which window; `measure.py` turns that
trace into KPIs.

Time inside the engine is seconds after opening, the queueing core's unit.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import simpy
from numpy.typing import NDArray

from queueing import MatterClass, Policy, Rule, WindowKind, WindowState, coverage_of
from queueing.dispatch_queue import WaitingLines
from queueing.policy import MINUTE
from simulation.arrivals import Arrivals
from simulation.scenario_model import Mode, Scenario

__all__ = ["Model", "Start", "Trace", "compile_model", "run_day", "ticket_id"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Span = tuple[float, float]

_INF = math.inf
_NORMAL = simpy.events.NORMAL
_UNSET = -1.0  # an alarm built but not yet set
_GREEN, _APPOINTMENT, _GREEN_BOUND = Rule.GREEN, Rule.APPOINTMENT, Rule.GREEN_BOUND
# Who is woken first when a citizen arrives and several windows are free: the windows
# meant for the work (specialised; green windows for green citizens), then the rest.
_WAKE_RANK = {
    False: {WindowKind.SPECIALISED: 0, WindowKind.COMPREHENSIVE: 1, WindowKind.GREEN: 2},
    True: {WindowKind.GREEN: 0, WindowKind.SPECIALISED: 1, WindowKind.COMPREHENSIVE: 2},
}


def ticket_id(index: int) -> str:
    """The ticket id (and number) of citizen `index`: zero-padded, so ids sort by arrival.

    The engine keys citizens by `index` itself, which sorts the same way.
    """
    return f"{index:06d}"


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
    able: tuple[frozenset[int], ...]  # per matter: the windows that may serve it
    # Matters that dispatch cannot tell apart (the same windows may serve them, so the same
    # open windows cover them) share one waiting line, a *dispatch class*:
    dispatch: tuple[int, ...]  # per matter: its dispatch class
    line_codes: tuple[str, ...]  # per dispatch class: the matter code its line goes by
    skills: tuple[tuple[int, ...] | None, ...]  # per window: dispatch classes, None = any
    warmup: float  # seconds; statistics start here (0 in day mode)
    arrival_end: float  # seconds; no arrivals after it (closing time in day mode)
    staffed_per_hour: tuple[float, ...]  # mean number of windows staffed, per measured hour


def compile_model(scenario: Scenario) -> Model:
    """Prepare a scenario for `run_day`: policy, numbered windows, rosters and wake orders.

    Raises queueing.errors.InvalidPolicy if the [policy] knobs are invalid.
    """
    end = scenario.arrival_minutes
    plans = scenario.window_plans()
    codes = tuple(m.code for m in scenario.matters)
    windows = tuple(WindowState(p.number, p.kind, p.skills) for p in plans)
    shifts: list[tuple[Span, ...]] = []
    for plan in plans:
        spans = [(s.start * MINUTE, s.end * MINUTE) for s in plan.available]
        if spans and plan.available[-1].end >= end:
            spans[-1] = (spans[-1][0], _INF)  # on shift at closing: serve until the queue is empty
        shifts.append(tuple(spans))
    wake: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    able: list[frozenset[int]] = []
    for matter in scenario.matters:
        mine = [
            w for w, plan in enumerate(plans) if "*" in plan.skills or matter.code in plan.skills
        ]
        plain = tuple(sorted(mine, key=lambda w: (_WAKE_RANK[False][plans[w].kind], w)))
        green = tuple(sorted(mine, key=lambda w: (_WAKE_RANK[True][plans[w].kind], w)))
        wake.append((plain, green))
        able.append(frozenset(mine))
    dispatch, line_codes = _dispatch_classes(codes, able)
    skills = tuple(
        None
        if "*" in p.skills
        else tuple(sorted({dispatch[i] for i, c in enumerate(codes) if c in p.skills}))
        for p in plans
    )
    warmup = scenario.run.warmup_minutes if scenario.run.mode is Mode.STEADY else 0.0
    return Model(
        policy=Policy.from_mapping(scenario.policy),
        codes=codes,
        classes=tuple(m.matter_class for m in scenario.matters),
        windows=windows,
        names=tuple(p.name for p in plans),
        shifts=tuple(shifts),
        wake=tuple(wake),
        able=tuple(able),
        dispatch=dispatch,
        line_codes=line_codes,
        skills=skills,
        warmup=warmup * MINUTE,
        arrival_end=end * MINUTE,
        staffed_per_hour=_staffed_per_hour(shifts, warmup * MINUTE, end * MINUTE),
    )


def _dispatch_classes(
    codes: tuple[str, ...], able: list[frozenset[int]]
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Group the matters that dispatch treats alike: those the same windows may serve.

    Dispatch reads a citizen's matter only through which windows take it (`WindowState.takes`)
    and which open specialised or green windows cover it (`Coverage`, built from the same
    windows' skills); matters with the same serving windows agree on both at every moment.
    Queued under one code, their citizens are ordered by (time, row) in one heap instead of
    several, which is the order the policy takes them in across the separate lines, so every
    decision is the same with fewer lines to look at. Returns each matter's class and each
    class's code (its first matter's).
    """
    classes: dict[frozenset[int], int] = {}
    dispatch = tuple(classes.setdefault(windows, len(classes)) for windows in able)
    line_codes = tuple(codes[dispatch.index(c)] for c in range(len(classes)))
    return dispatch, line_codes


def _staffed_per_hour(
    shifts: list[tuple[Span, ...]], start: float, end: float
) -> tuple[float, ...]:
    """The average number of windows staffed in each hour from `start` (the last may be
    shorter, ending at `end`)."""
    hour = 60 * MINUTE
    result = []
    for h in range(max(1, math.ceil((end - start) / hour - 1e-9))):
        lo, hi = start + h * hour, min(start + (h + 1) * hour, end)
        staffed = sum(
            max(0.0, min(finish, hi) - max(begin, lo))
            for spans in shifts
            for begin, finish in spans
        )
        result.append(staffed / (hi - lo))
    return tuple(result)


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
    queue_area: float  # ∫ (citizens waiting) dt over [warmup, arrival_end]


@dataclass(frozen=True)
class Start:
    """A day picked up in the middle (the live what-if): the time (seconds after opening),
    the seconds each window still needs for the citizen it is serving (None: free), and
    each window's priority streak. Citizens in the arrivals who arrived earlier are
    waiting; shifts are only followed from `time` on."""

    time: float
    remaining: tuple[float | None, ...]
    streaks: tuple[int, ...]


class _Alarm(simpy.Event):
    """A SimPy event that fires `delay` from now and calls `callback` (a lean Timeout).

    It can be set again once it has fired (`again`): SimPy marks a processed event by
    clearing its callbacks, and putting them back makes it pending once more. A window's
    completions and the next arrival each reuse one alarm instead of building an event
    per citizen.
    """

    def __init__(
        self, env: simpy.Environment, callback: Callable[[simpy.Event], None], delay: float
    ) -> None:
        self.env = env
        self._callbacks = [callback]
        self._value = None
        self._ok = True
        self.callbacks = None  # type: ignore[assignment]  # processed, as SimPy marks it
        if delay >= 0:
            self.again(delay)

    def again(self, delay: float) -> None:
        """Fire `delay` from now (the alarm must not be pending)."""
        self.callbacks = self._callbacks
        self.env.schedule(self, _NORMAL, delay)


class _Day:
    """The mutable state of one simulated day; callbacks are bound methods."""

    __slots__ = (
        "area",
        "arrival",
        "arrival_seconds",
        "busy",
        "by",
        "called",
        "clock",
        "coverage",
        "done",
        "due",
        "due_seconds",
        "env",
        "green",
        "idle",
        "last",
        "line",
        "lines",
        "marks",
        "matter",
        "model",
        "next",
        "order",
        "queued",
        "service",
        "service_seconds",
        "staffed",
        "states",
        "streaks",
        "upcoming",
        "waiting",
    )

    def __init__(
        self, model: Model, arrivals: Arrivals, service_minutes: FloatArray, begin: float = 0.0
    ) -> None:
        self.model = model
        self.env = simpy.Environment(initial_time=begin)
        self.lines: WaitingLines[int] = WaitingLines(model.policy)
        self.arrival_seconds = arrivals.time * MINUTE
        self.due_seconds = arrivals.slot_start * MINUTE
        self.service_seconds = service_minutes * MINUTE
        self.arrival: list[float] = self.arrival_seconds.tolist()
        self.arrival.append(_INF)  # a sentinel: "nobody else is coming"
        # The slot start of each appointment holder, None for walk-ins.
        due = self.due_seconds.astype(object)
        due[~arrivals.appointment] = None
        self.due: list[float | None] = due.tolist()
        self.matter: list[int] = arrivals.matter.tolist()
        # Each citizen's dispatch class (see `_dispatch_classes`).
        self.line: list[int] = np.asarray(model.dispatch, dtype=np.int64)[arrivals.matter].tolist()
        self.green: list[bool] = arrivals.green.tolist()
        self.service: list[float] = self.service_seconds.tolist()
        n = len(self.matter)
        self.next = 0  # the first citizen not yet queued
        self.upcoming = self.arrival[0]  # when they arrive
        self.queued = 0  # citizens in `lines`
        self.waiting = [0] * len(model.line_codes)  # per dispatch class
        self.called = [math.nan] * n
        self.by = [0] * n
        self.order: list[int] = []
        count = len(model.windows)
        self.states: list[WindowState] = list(model.windows)
        self.streaks: list[dict[int, WindowState]] = [{0: s} for s in model.windows]
        self.staffed = [False] * count
        self.busy = [False] * count
        self.idle: set[int] = set()  # staffed and not serving
        self.coverage = coverage_of(())
        self.done = [_Alarm(self.env, self._completion(w), _UNSET) for w in range(count)]
        self.area = 0.0
        self.last = begin
        self.clock = begin  # the time of the event being handled
        self.marks: list[float] = []

    def start(self, resume: Start | None = None) -> None:
        begin = self.env.now
        if resume is not None:
            self._resume(resume)
        for w, spans in enumerate(self.model.shifts):
            for on, off in spans:
                if off <= begin:
                    continue
                _Alarm(self.env, self._shift_change(w, True), max(on, begin) - begin)
                if off < _INF:
                    _Alarm(self.env, self._shift_change(w, False), off - begin)
        for moment in (self.model.warmup, self.model.arrival_end):
            if moment >= begin:
                _Alarm(self.env, self._mark, moment - begin)
            else:
                self.marks.append(self.area)

    def _resume(self, resume: Start) -> None:
        """Windows serving someone at the start finish them first; streaks carry on."""
        for w, left in enumerate(resume.remaining):
            if left is not None:
                self.busy[w] = True
                self.done[w].again(max(left, 0.0))
        for w, streak in enumerate(resume.streaks):
            state = self.states[w]
            if streak != state.priority_streak:
                self.states[w] = WindowState(state.number, state.kind, state.skills, streak)

    # Arrivals are not events. A citizen who arrives while no window is idle can only
    # wait, so nothing happens at their arrival: they are added to the queue, with their
    # own arrival time, at the next event (a completion, a shift change), before any
    # decision. While some window is idle, every event ends by looking ahead (`_ahead`):
    # each arrival due before the next scheduled event is handled then, at its own time,
    # and called at once if an idle window may serve them. Nothing else happens between
    # two events, so the policy sees the same waiting citizens at every decision as if
    # every arrival were an event.

    def _catch_up(self, now: float) -> int:
        """Queue every citizen who arrived by `now`; return the first one added."""
        first = i = self.next
        arrival = self.arrival
        lines = self.lines
        area = self.area + self.queued * (now - self.last)
        codes, line, green, due, waiting = (
            self.model.line_codes, self.line, self.green, self.due, self.waiting
        )  # fmt: skip
        at = arrival[i]
        while at <= now:
            area += now - at  # each has waited since their arrival, not since now
            c = line[i]
            lines.add(i, codes[c], at, green[i], due[i])
            waiting[c] += 1
            i += 1
            at = arrival[i]
        self.queued += i - first
        self.next = i
        self.upcoming = at
        self.area = area
        self.last = now
        return first

    def _ahead(self) -> None:
        """While a window is idle, handle each arrival due before the next event (see above)."""
        idle = self.idle
        peek = self.env.peek
        able, wake, matter, green = self.model.able, self.model.wake, self.matter, self.green
        while idle:
            at = self.upcoming
            if at >= peek():  # also when nobody else is coming (inf)
                return
            for i in range(self._catch_up(at), self.next):
                m = matter[i]
                if idle and not idle.isdisjoint(able[m]):
                    for w in wake[m][green[i]]:
                        if w in idle and self._call(w, at):
                            break

    def _mark(self, event: simpy.Event) -> None:
        self.clock = now = self.env.now
        if self.upcoming <= now:
            self._catch_up(now)
        self.area += self.queued * (now - self.last)
        self.last = now
        self.marks.append(self.area)
        if self.idle:
            self._ahead()

    def _call(self, w: int, now: float) -> bool:
        """Ask the policy which citizen window `w` calls now; start serving them."""
        skills = self.model.skills[w]
        if skills is None:
            if not self.queued:
                return False
        else:
            waiting = self.waiting
            for m in skills:
                if waiting[m]:
                    break
            else:
                return False  # nothing this window may serve: the policy would return None
        state = self.states[w]
        choice = self.lines.take(state, now, self.coverage)
        if choice is None:
            return False
        i, rule = choice
        self.area += self.queued * (now - self.last)
        self.last = now
        self.queued -= 1
        # The streak rule of queueing.apply_decision (rule.priority), on cached states.
        if rule is _GREEN or rule is _APPOINTMENT or rule is _GREEN_BOUND:
            streak = state.priority_streak + 1
        else:
            streak = 0
        if streak != state.priority_streak:
            states = self.streaks[w]
            cached = states.get(streak)
            if cached is None:
                cached = states[streak] = WindowState(
                    state.number, state.kind, state.skills, streak
                )
            self.states[w] = cached
        self.waiting[self.line[i]] -= 1
        self.called[i] = now
        self.order.append(i)
        self.by[i] = w + 1
        self.idle.discard(w)
        self.busy[w] = True
        # A call made ahead (`_ahead`) ends its service counted from its own time.
        clock = self.clock
        done = self.done[w]
        done.callbacks = done._callbacks  # done.again(…), inlined
        self.env.schedule(
            done, _NORMAL, self.service[i] if now == clock else now + self.service[i] - clock
        )
        return True

    def _completion(self, w: int) -> Callable[[simpy.Event], None]:
        def complete(event: simpy.Event) -> None:
            self.clock = now = self.env.now
            if self.staffed[w]:
                if self.upcoming <= now:
                    self._catch_up(now)
                if not self._call(w, now):
                    self.busy[w] = False
                    self.idle.add(w)
            else:
                self.busy[w] = False
            if self.idle:
                self._ahead()

        return complete

    def _shift_change(self, w: int, on: bool) -> Callable[[simpy.Event], None]:
        def change(event: simpy.Event) -> None:
            self.clock = now = self.env.now
            if self.upcoming <= now:
                self._catch_up(now)
            self.staffed[w] = on
            if self.model.windows[w].kind is not WindowKind.COMPREHENSIVE:
                self.coverage = coverage_of(
                    s
                    for s, staffed in zip(self.model.windows, self.staffed, strict=True)
                    if staffed
                )
            if not on:
                self.idle.discard(w)  # a citizen being served is finished first
            # After a break the window may still be finishing the citizen it had then.
            elif not self.busy[w] and not self._call(w, now):
                self.idle.add(w)
            if self.idle:
                self._ahead()

        return change

    def trace(self) -> Trace:
        assert self.queued == len(self.lines), "the engine lost count of the queue"
        marks = self.marks + [self.area] * (2 - len(self.marks))
        return Trace(
            arrival=self.arrival_seconds,
            due=self.due_seconds,
            service=self.service_seconds,
            called=np.asarray(self.called, dtype=np.float64),
            window=np.asarray(self.by, dtype=np.int64),
            order=np.asarray(self.order, dtype=np.int64),
            end=float(self.env.now),
            queue_area=marks[1] - marks[0],
        )


def run_day(
    model: Model, arrivals: Arrivals, service_minutes: FloatArray, start: Start | None = None
) -> Trace:
    """Simulate one day (or one steady-state run) to the end: every citizen served or stuck.

    With `start`, the day is picked up at `start.time` with windows still serving (the
    live what-if). Raises queueing errors only on an engine bug (a citizen queued twice,
    time going back).
    """
    day = _Day(model, arrivals, service_minutes, 0.0 if start is None else start.time)
    day.start(start)
    # The day allocates many small tuples and lists (heap entries) and frees nearly all of
    # them itself; the cyclic collector only walks them again and again, so it is paused.
    collecting = gc.isenabled()
    gc.disable()
    try:
        day.env.run()
    finally:
        if collecting:
            gc.enable()
    return day.trace()
