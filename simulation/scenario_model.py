"""The validated scenario as frozen dataclasses for the engine (`scenario.py` loads one).

Times inside a scenario are minutes after opening; clock strings in the file ("12:00") are
converted on load. A hall day starts empty at opening (minute 0).
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from queueing.policy import Policy
from queueing.ticket import MatterClass
from queueing.window import WindowKind
from simulation.arrivals import AppointmentBook, ArrivalPlan
from simulation.distributions import ServiceTime
from simulation.stats import Direction, Target

__all__ = [
    "ALL_MATTERS",
    "DEFAULT_OVERTIME",
    "DEFAULT_SHARE_OF_DAYS",
    "DEFAULT_WALKIN_WAIT",
    "HallSource",
    "Interval",
    "Matter",
    "MatterClass",
    "Mode",
    "PlanRules",
    "RunSettings",
    "Scenario",
    "ShiftPattern",
    "Staff",
    "Targets",
    "WindowGroup",
    "WindowKind",
    "WindowPlan",
]

ALL_MATTERS = "*"


class Mode(enum.StrEnum):
    """Day: open to close, then the queue is drained. Steady: warm-up, then a long horizon."""

    DAY = "day"
    STEADY = "steady"


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open time interval [start, end) in minutes after opening."""

    start: float
    end: float

    @property
    def minutes(self) -> float:
        return self.end - self.start


def subtract(spans: tuple[Interval, ...], holes: tuple[Interval, ...]) -> tuple[Interval, ...]:
    """Return `spans` with every `holes` interval cut out (both sorted, non-overlapping)."""
    result: list[Interval] = []
    for span in spans:
        start = span.start
        for hole in holes:
            if hole.end <= start or hole.start >= span.end:
                continue
            if hole.start > start:
                result.append(Interval(start, hole.start))
            start = max(start, hole.end)
        if start < span.end:
            result.append(Interval(start, span.end))
    return tuple(result)


@dataclass(frozen=True)
class Matter:
    """A matter (事项): class, service-time distribution and its shares of the arrivals."""

    code: str
    name: str
    matter_class: MatterClass
    service: ServiceTime
    walkin_share: float
    appointment_share: float
    green_share: float


@dataclass(frozen=True)
class WindowGroup:
    """`count` identical windows: skills, kind, working shifts and breaks (None = whole day)."""

    count: int
    skills: frozenset[str]
    kind: WindowKind
    shifts: tuple[Interval, ...] | None = None
    breaks: tuple[Interval, ...] = ()
    name: str = ""

    def serves(self, code: str) -> bool:
        """Whether these windows may take tickets of matter `code`."""
        return ALL_MATTERS in self.skills or code in self.skills

    def available(self, day: Interval) -> tuple[Interval, ...]:
        """When a window of this group is staffed: its shifts (default `day`) minus its breaks."""
        return subtract(self.shifts if self.shifts is not None else (day,), self.breaks)


@dataclass(frozen=True)
class Staff:
    """One person rostered at one window: their own skills, shifts and breaks.

    With a `[[staff]]` roster a window is open exactly when someone is rostered at it, and
    takes the matters both the window and that person may handle. A person who moves
    between windows has one entry per window.
    """

    name: str
    window: int  # the window's number (from 1, in file order)
    skills: frozenset[str]
    shifts: tuple[Interval, ...] | None = None  # None: open to close
    breaks: tuple[Interval, ...] = ()

    def available(self, day: Interval) -> tuple[Interval, ...]:
        """When this person is at the window: shifts (default `day`) minus breaks."""
        return subtract(self.shifts if self.shifts is not None else (day,), self.breaks)


@dataclass(frozen=True)
class ShiftPattern:
    """A shift a planner may roster comprehensive staff on, and what one person costs."""

    name: str
    shifts: tuple[Interval, ...]
    breaks: tuple[Interval, ...] = ()
    cost: float = 1.0

    def available(self) -> tuple[Interval, ...]:
        """When someone on this pattern is at a window."""
        return subtract(self.shifts, self.breaks)


@dataclass(frozen=True)
class PlanRules:
    """What `tongban plan` may roster: the shortest shift, and a lunch break for every shift
    longer than `lunch_after_minutes`, taken inside `lunch_window` (minutes after opening)."""

    min_shift_minutes: float = 240.0
    lunch_minutes: float = 45.0
    lunch_window: Interval = Interval(120.0, 300.0)  # 11:00-14:00 for a 09:00 opening
    lunch_after_minutes: float = 300.0

    def pattern_problem(self, pattern: ShiftPattern) -> str | None:
        """Why a shift pattern breaks these rules, or None if it keeps them."""
        span = pattern.shifts[-1].end - pattern.shifts[0].start
        if span < self.min_shift_minutes - 1e-9:
            return f"lasts {span / 60:g} h, shorter than min_shift_hours"
        if span > self.lunch_after_minutes + 1e-9 and self.lunch_minutes > 0:
            worked = pattern.available()
            gaps = [b.start - a.end for a, b in itertools.pairwise(worked)]
            if max(gaps, default=0.0) < self.lunch_minutes - 1e-9:
                return (
                    f"lasts {span / 60:g} h with no break of lunch_minutes "
                    f"({self.lunch_minutes:g} min)"
                )
        return None


def common_skills(window: frozenset[str], person: frozenset[str]) -> frozenset[str]:
    """What a person may handle at a window: both sets, `*` standing for every matter."""
    if ALL_MATTERS in window:
        return person
    if ALL_MATTERS in person:
        return window
    return window & person


@dataclass(frozen=True)
class WindowPlan:
    """One numbered window as the engine sees it: kind, skills and staffed intervals."""

    number: int
    name: str
    kind: WindowKind
    skills: frozenset[str]
    available: tuple[Interval, ...]


@dataclass(frozen=True)
class RunSettings:
    """How to run: replications, warm-up and horizon in minutes, day or steady-state mode."""

    replications: int = 30
    warmup_minutes: float = 0.0
    horizon_minutes: float = 480.0
    mode: Mode = Mode.DAY


DEFAULT_WALKIN_WAIT = 15.0  # minutes, mean: a hall is judged on its walk-ins too
DEFAULT_OVERTIME = 30.0  # minutes from closing to the last service end, mean over days
DEFAULT_SHARE_OF_DAYS = 0.8  # the share of simulated days on which each target must hold


@dataclass(frozen=True)
class Targets:
    """Service targets in minutes (SPEC.md defaults and the simulator's own), the share of
    days each must hold on, and the confidence level of the intervals.

    A target of None is off; `green_wait` None means the policy's green bound.
    """

    appointment_wait_general: float = 10.0
    appointment_wait_complex: float = 30.0
    handling_time: float = 20.0
    walkin_wait: float | None = DEFAULT_WALKIN_WAIT
    walkin_wait_p90: float | None = None
    green_wait: float | None = None
    overtime: float | None = DEFAULT_OVERTIME
    share_of_days: float = DEFAULT_SHARE_OF_DAYS
    confidence: float = 0.95

    def as_targets(self, green_bound: float) -> dict[str, Target]:
        """The targets keyed by KPI name (plus "walkin_wait_p90"), each an upper bound."""
        values = {
            "appointment_wait_general": self.appointment_wait_general,
            "appointment_wait_complex": self.appointment_wait_complex,
            "handling_time": self.handling_time,
            "walkin_wait": self.walkin_wait,
            "walkin_wait_p90": self.walkin_wait_p90,
            "green_wait": green_bound if self.green_wait is None else self.green_wait,
            "overtime": self.overtime,
        }
        return {k: Target(v, Direction.AT_MOST) for k, v in values.items() if v is not None}


@dataclass(frozen=True)
class HallSource:
    """Where matters and windows come from when a scenario names a hall configuration file."""

    path: str
    hall: str


@dataclass(frozen=True)
class Scenario:
    """A complete, validated scenario; `open_minute`/`close_minute` are minutes after midnight."""

    name: str
    seed: int
    source: str
    open_minute: int
    close_minute: int
    run: RunSettings
    matters: tuple[Matter, ...]
    windows: tuple[WindowGroup, ...]
    walkin_per_hour: tuple[float, ...]
    appointments: AppointmentBook
    targets: Targets
    policy: Mapping[str, Any] = field(default_factory=dict)
    hall_source: HallSource | None = None
    staff: tuple[Staff, ...] = ()  # a staff roster; empty: windows follow their own shifts
    shift_patterns: tuple[ShiftPattern, ...] = ()  # [plan] shift_patterns for `tongban plan`
    plan_rules: PlanRules = PlanRules()  # [plan] rules for the rosters `tongban plan` writes
    # From a hall file's [day] rules: when walk-ins get tickets (empty: always), daily caps.
    walkin_issuing: tuple[Interval, ...] = ()
    walkin_caps: tuple[tuple[tuple[str, ...], int], ...] = ()

    @property
    def green_bound(self) -> float:
        """The policy's green bound in minutes (the green wait's default target)."""
        value = self.policy.get("green_max_wait_minutes", Policy().green_max_wait_minutes)
        return float(value)

    def targets_by_kpi(self) -> dict[str, Target]:
        """The scenario's targets keyed by KPI name (see `Targets.as_targets`)."""
        return self.targets.as_targets(self.green_bound)

    @property
    def arrival_minutes(self) -> float:
        """How long citizens keep arriving: warm-up plus horizon (opening hours in day mode)."""
        return self.run.warmup_minutes + self.run.horizon_minutes

    def matter_index(self) -> dict[str, int]:
        """Matter code → index used in the arrival arrays."""
        return {m.code: i for i, m in enumerate(self.matters)}

    def arrival_plan(self) -> ArrivalPlan:
        """The inputs of `arrivals.generate_arrivals` for one replication."""
        return ArrivalPlan(
            horizon=self.arrival_minutes,
            walkin_per_hour=self.walkin_per_hour,
            walkin_shares=tuple(m.walkin_share for m in self.matters),
            green_shares=tuple(m.green_share for m in self.matters),
            appointment_shares=tuple(m.appointment_share for m in self.matters),
            book=self.appointments,
            issuing=tuple((i.start, i.end) for i in self.walkin_issuing),
            caps=tuple(
                (tuple(self.matter_index()[c] for c in codes if c in self.matter_index()), limit)
                for codes, limit in self.walkin_caps
            ),
        )

    def window_plans(self) -> list[WindowPlan]:
        """Every window numbered from 1 in file order, with its staffed intervals.

        With a staff roster: one plan per `[[staff]]` entry, in roster order, for the
        window they sit at (so a window appears once per person rostered at it).
        """
        day = Interval(0.0, self.arrival_minutes)
        plans: list[WindowPlan] = []
        for group in self.windows:
            for _ in range(group.count):
                number = len(plans) + 1
                name = group.name or f"{group.kind.value} {number}"
                available = group.available(day)
                plans.append(WindowPlan(number, name, group.kind, group.skills, available))
        if not self.staff:
            return plans
        return [
            WindowPlan(
                person.window,
                f"{plans[person.window - 1].name} · {person.name}",
                plans[person.window - 1].kind,
                common_skills(plans[person.window - 1].skills, person.skills),
                person.available(day),
            )
            for person in self.staff
        ]

    def clock(self, minute: float) -> str:
        """The wall-clock time "HH:MM" of a simulation minute (for reports)."""
        total = round(self.open_minute + minute)
        return f"{total // 60:02d}:{total % 60:02d}"
