"""Staffing search: the cheapest roster of people, on shift patterns, that keeps every hour
stable and meets every target on the required share of days.

The scenario's specialised and green windows stay as they are; its comprehensive windows
are replaced by the plan. The patterns are the scenario's `[plan] shift_patterns`, or else
those the plan's rules allow (`shifts.generated_patterns`: one piece per person, at least
the shortest shift, a lunch break in the lunch window). The search:

1. **Floor**: in every hour the comprehensive windows must take the offered load the
   fixed windows leave (ρ < 1 for the hour); the plan never goes below it.
2. **Start**: Erlang C per hour (SIPP, lagged by one mean service time when services are
   long) on the pooled load, less the fixed windows, at least one and at least the floor.
3. **Cover**: the cheapest roster covering the requirement (`roster.cheapest_roster`).
4. **Up**: while a target is not met (or undecided, or met on too few days), the most
   congested hour's requirement is raised until the roster changes, and it is simulated.
5. **Down**: requirements are lowered, least congested hour first, never below the floor,
   whenever that gives a cheaper roster that still meets every target.

Every roster is simulated once, with the same seed (common random numbers).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from simulation import theory
from simulation.arrivals import profile_rate
from simulation.errors import InvalidInputError
from simulation.guardrails import hourly_loads, mean_service, staffed_per_hour
from simulation.results import acceptable, summarise_runs, verdicts
from simulation.roster import Roster, cheapest_roster, hourly_coverage
from simulation.runner import ReplicationPool, run_replications
from simulation.scenario_model import (
    ALL_MATTERS,
    Mode,
    Scenario,
    ShiftPattern,
    Staff,
    WindowGroup,
    WindowKind,
)
from simulation.shifts import generated_patterns

__all__ = [
    "RosterPlan",
    "analytic_counts",
    "apply_roster",
    "beyond_staffing",
    "failing",
    "find_plan",
    "hour_to_raise",
    "plan_patterns",
    "replace_comprehensive",
    "roster_for",
    "stability_floor",
]

Log = Callable[[str], None]
LAG_MINUTES = 15.0  # services at least this long carry an hour's load into the next one
FLOOR_MARGIN = 0.05  # windows above the load left by the fixed windows: ρ strictly below 1


def _hours(scenario: Scenario) -> int:
    return math.ceil(scenario.arrival_minutes / 60 - 1e-9)


def plan_patterns(scenario: Scenario) -> tuple[ShiftPattern, ...]:
    """The scenario's shift patterns, or those its plan rules generate."""
    return scenario.shift_patterns or generated_patterns(scenario)


def _fixed_per_hour(scenario: Scenario) -> list[float]:
    every = staffed_per_hour(scenario)
    comprehensive = staffed_per_hour(scenario, WindowKind.COMPREHENSIVE)
    return [a - c for a, c in zip(every, comprehensive, strict=True)]


def stability_floor(scenario: Scenario) -> tuple[float, ...]:
    """Per hour, the comprehensive windows that keep ρ < 1 given the fixed windows."""
    fixed = _fixed_per_hour(scenario)
    return tuple(
        max(0.0, load.offered - fixed[h] + FLOOR_MARGIN) if load.offered > 0 else 0.0
        for h, load in enumerate(hourly_loads(scenario))
    )


def analytic_counts(scenario: Scenario) -> tuple[int, ...]:
    """Erlang C (SIPP, lagged for long services) per hour, less the fixed windows, at least 1.

    The pooled M/M/c model ignores skills and priorities: it is a start, not a verdict.
    """
    hours = _hours(scenario)
    book = scenario.appointments
    walk = [profile_rate(scenario.walkin_per_hour, 60.0 * h + 1) for h in range(hours)]
    booked = [profile_rate(book.per_hour, 60.0 * h + 1) * (1 - book.no_show) for h in range(hours)]
    rates = [w + b for w, b in zip(walk, booked, strict=True)]
    service = mean_service(scenario, sum(walk), sum(booked))
    targets = scenario.targets
    waits = [targets.appointment_wait_general, targets.appointment_wait_complex]
    waits += [w for w in (targets.walkin_wait,) if w is not None]
    suggestion = theory.staffing_by_period(
        rates, service, theory.MeanWaitTarget(min(waits)), lagged=service >= LAG_MINUTES
    )
    fixed = _fixed_per_hour(scenario)
    return tuple(max(1, p.servers - math.floor(fixed[h])) for h, p in enumerate(suggestion))


def replace_comprehensive(scenario: Scenario, groups: list[WindowGroup]) -> Scenario:
    """The scenario with its comprehensive windows replaced by `groups` (placed first).

    With a `[[staff]]` roster, the people at the fixed windows keep their places (under
    the windows' new numbers), the people at comprehensive windows go, and each new window
    gets one person working the group's shifts and breaks (named after the group).
    """
    fixed = [g for g in scenario.windows if g.kind is not WindowKind.COMPREHENSIVE]
    if not scenario.staff:
        return replace(scenario, windows=tuple(groups + fixed))
    planned = sum(g.count for g in groups)
    renumber: dict[int, int] = {}  # a fixed window's old number → its new one
    number = 0
    for group in scenario.windows:
        for _ in range(group.count):
            number += 1
            if group.kind is not WindowKind.COMPREHENSIVE:
                renumber[number] = planned + len(renumber) + 1
    staff: list[Staff] = []
    window = 0
    for group in groups:
        for k in range(group.count):
            window += 1
            person = Staff(
                f"{group.name} {k + 1}", window, frozenset({ALL_MATTERS}), group.shifts,
                group.breaks,
            )  # fmt: skip
            staff.append(person)
    staff += [replace(p, window=renumber[p.window]) for p in scenario.staff if p.window in renumber]
    open_groups = [replace(g, shifts=None, breaks=()) for g in groups]
    return replace(scenario, windows=tuple(open_groups + fixed), staff=tuple(staff))


def apply_roster(
    scenario: Scenario, counts: tuple[int, ...], patterns: tuple[ShiftPattern, ...] = ()
) -> Scenario:
    """The scenario with its comprehensive windows replaced by `counts[p]` windows working
    pattern p (of `patterns`, default the scenario's shift patterns)."""
    chosen = patterns or scenario.shift_patterns
    groups = [
        WindowGroup(
            n, frozenset({ALL_MATTERS}), WindowKind.COMPREHENSIVE, p.shifts, p.breaks, p.name
        )
        for p, n in zip(chosen, counts, strict=True)
        if n > 0
    ]
    return replace_comprehensive(scenario, groups)


def roster_for(
    scenario: Scenario, required: tuple[float, ...], patterns: tuple[ShiftPattern, ...] = ()
) -> tuple[Roster, tuple[float, ...]]:
    """The cheapest roster of the patterns covering `required` per hour, and the windows it
    staffs per hour.

    Raises InvalidInputError if an hour that needs staff has no pattern working in it.
    """
    chosen = patterns or plan_patterns(scenario)
    hours, end = _hours(scenario), scenario.arrival_minutes
    rows = [hourly_coverage(p, hours, end) for p in chosen]
    roster = cheapest_roster(required, rows, [p.cost for p in chosen])
    staffed = tuple(
        math.fsum(n * row[h] for n, row in zip(roster.counts, rows, strict=True))
        for h in range(hours)
    )
    return roster, staffed


@dataclass(frozen=True)
class RosterPlan:
    """The cheapest roster found, the requirements behind it, and the proof by simulation."""

    patterns: tuple[ShiftPattern, ...]
    generated: bool  # the patterns come from the plan's rules, not the scenario
    roster: Roster  # people per pattern, in `patterns` order
    required: tuple[float, ...]  # comprehensive windows per hour the roster covers
    floor: tuple[float, ...]  # the stability floor per hour
    analytic: tuple[int, ...]  # the Erlang C start
    coverage: tuple[float, ...]  # comprehensive windows the roster staffs, per hour
    scenario: Scenario
    results: dict[str, Any]
    met: bool
    evaluations: int


def find_plan(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    pool: ReplicationPool | None = None,
    max_windows: int = 60,
    log: Log | None = None,
) -> RosterPlan:
    """Search the cheapest roster that keeps every hour stable and meets every target on
    the required share of days (day mode).

    Raises InvalidInputError for a steady-state scenario or patterns that leave an hour
    needing staff uncovered.
    """
    if scenario.run.mode is not Mode.DAY:
        raise InvalidInputError('Staffing plans are for day mode: set mode = "day".')
    say = log or (lambda _text: None)
    if pool is not None:
        return _Search(scenario, replications, seed, pool, max_windows, say).run()
    with ReplicationPool() as own:
        return _Search(scenario, replications, seed, own, max_windows, say).run()


class _Search:
    """Requirements up where simulation finds congestion, down while the roster gets cheaper."""

    def __init__(
        self,
        scenario: Scenario,
        replications: int | None,
        seed: int | None,
        pool: ReplicationPool,
        max_windows: int,
        say: Log,
    ) -> None:
        self.scenario = scenario
        self.patterns = plan_patterns(scenario)
        self.replications = replications
        self.seed = seed
        self.pool = pool
        self.max_windows = max_windows
        self.say = say
        self.cache: dict[tuple[int, ...], dict[str, Any]] = {}
        self.floor = stability_floor(scenario)

    def cover(self, required: tuple[float, ...]) -> tuple[Roster, tuple[float, ...]]:
        return roster_for(self.scenario, required, self.patterns)

    def evaluate(self, roster: Roster) -> dict[str, Any]:
        """Simulate a roster once (rosters, not requirements, are what gets simulated)."""
        if roster.counts not in self.cache:
            planned = apply_roster(self.scenario, roster.counts, self.patterns)
            runs = run_replications(planned, self.replications, self.seed, pool=self.pool)
            self.cache[roster.counts] = results = summarise_runs(runs)
            verdict = "every target met, every hour stable" if acceptable(results) else "not yet"
            people = sum(roster.counts)
            self.say(f"  {people} people, {roster.cost:g} paid hours → {verdict}")
        return self.cache[roster.counts]

    def run(self) -> RosterPlan:
        start = analytic_counts(self.scenario)
        self.say(f"Analytic start (Erlang C per hour): {' '.join(str(n) for n in start)}")
        required = tuple(max(float(n), f) for n, f in zip(start, self.floor, strict=True))
        roster, staffed = self.cover(required)
        results = self.evaluate(roster)
        while not acceptable(results):
            beyond = beyond_staffing(results)
            fixable = failing(results) - set(beyond)
            if not fixable and results["stability"]["stable"]:
                for reason in beyond.values():
                    self.say(reason)
                break
            raised = self._raise(required, roster, results, fixable)
            if raised is None:
                break
            required, roster, staffed = raised
            results = self.evaluate(roster)
        if acceptable(results):
            required, roster, staffed, results = self._lower(required, roster, staffed, results)
        final = apply_roster(self.scenario, roster.counts, self.patterns)
        return RosterPlan(
            self.patterns, not self.scenario.shift_patterns, roster, required, self.floor,
            start, staffed, final, results, acceptable(results), len(self.cache),
        )  # fmt: skip

    def _raise(
        self,
        required: tuple[float, ...],
        roster: Roster,
        results: dict[str, Any],
        targets: set[str],
    ) -> tuple[tuple[float, ...], Roster, tuple[float, ...]] | None:
        """Raise the requirement of the hour that most needs it (`hour_to_raise`) until the
        cheapest roster changes."""
        hour = hour_to_raise(results, len(required), targets)
        while required[hour] < self.max_windows:
            required = (*required[:hour], math.floor(required[hour]) + 1.0, *required[hour + 1 :])
            found, staffed = self.cover(required)
            if found.counts != roster.counts:
                return required, found, staffed
        return None

    def _lower(
        self,
        required: tuple[float, ...],
        roster: Roster,
        staffed: tuple[float, ...],
        results: dict[str, Any],
    ) -> tuple[tuple[float, ...], Roster, tuple[float, ...], dict[str, Any]]:
        """Lower requirements, least congested hour first and never below the floor, while
        the cheaper rosters this gives still meet every target."""
        improved = True
        while improved:
            improved = False
            congestion = _congestion(results, len(required))
            for hour in sorted(range(len(required)), key=lambda h: (congestion[h], h)):
                lowered = max(self.floor[hour], math.ceil(required[hour]) - 1.0)
                if lowered >= required[hour] or lowered <= 0:
                    continue
                trial = (*required[:hour], lowered, *required[hour + 1 :])
                found, covered = self.cover(trial)
                if found.cost >= roster.cost - 1e-9:
                    if found.counts == roster.counts:
                        required = trial  # the same people: nothing to simulate
                    continue
                trial_results = self.evaluate(found)
                if acceptable(trial_results):
                    required, roster, staffed, results = trial, found, covered, trial_results
                    improved = True
                    break
        return required, roster, staffed, results


def failing(results: dict[str, Any]) -> set[str]:
    """The targets not met (not met, undecided, or met on too few days)."""
    return {k for k, v in verdicts(results).items() if v is not None and v != "met"}


def beyond_staffing(results: dict[str, Any]) -> dict[str, str]:
    """The failing targets no roster can meet, with the reason: the handling time is the
    citizens' own, and so is the overtime when the last arrivals' own services already run
    past the limit on too many days."""
    kpis = results["kpis"]
    found = {}
    if kpis["handling_time"].get("met") == "not_met":
        found["handling_time"] = (
            "窗口办理时间取决于业务本身，与排班无关。 The handling-time target depends on "
            "service times, not on staffing."
        )
    overtime = kpis["overtime"]
    share = overtime.get("unavoidable_share_met")
    required = results["share_required"]
    if overtime.get("met") not in (None, "met") and share is not None and share < required:
        found["overtime"] = (
            f"即使无人等候，闭厅前最后到达者的办理也会超出加班上限（仅 {share:.0%} 的天数达标）。 "
            f"Even with nobody waiting, the last arrivals' own services run past the overtime "
            f"limit (met on {share:.0%} of days): no roster can meet it; raise [targets] overtime."
        )
    return found


def hour_to_raise(results: dict[str, Any], hours: int, targets: set[str]) -> int:
    """The hour where one more window helps the failing `targets` most: for a failing wait,
    the hour whose mean is furthest above its target; for an overtime failure alone, the
    congested hour nearest closing; else the most congested hour."""
    wanted = set(targets)
    if "walkin_wait_p90" in wanted:
        wanted.add("walkin_wait")
    hourly = results["hourly"][:hours]
    ratios = [
        (entry["mean"] / entry["target"], h)
        for h, row in enumerate(hourly)
        for name, entry in row["kpis"].items()
        if name in wanted and entry.get("mean") is not None and entry.get("target")
    ]
    congestion = _congestion(results, hours)
    if ratios and max(ratios)[0] > 0:
        return max(ratios)[1]
    if "overtime" in wanted:
        return max(range(hours), key=lambda h: (congestion[h] > 0, h))
    return max(range(hours), key=lambda h: (congestion[h], -h))


def _congestion(results: dict[str, Any], hours: int) -> list[float]:
    """The mean queue per staffed window in each hour: where another window helps most."""
    hourly = results["hourly"]
    return [
        float(hourly[h]["queue_length"]) / max(float(hourly[h]["windows_open"]), 1.0)
        if h < len(hourly)
        else 0.0
        for h in range(hours)
    ]
