"""Staffing search: the fewest comprehensive windows per hour, or the cheapest roster of
given shift patterns, for which every target is met.

The scenario's specialised and green windows stay as they are; its comprehensive windows
are replaced by the plan. Both searches start from the analytic suggestion (Erlang C per
hour on the pooled load, lagged by one mean service time when services are long, minus
the fixed windows) and confirm by simulation with common random numbers:

- **per hour** (`find_plan`): while a target is not met (or undecided) add a window in the
  most congested hour; once all are met remove windows, least congested hour first, as
  long as they stay met.
- **shift patterns** (`find_roster_plan`, when the scenario has `[plan] shift_patterns`):
  the hourly requirement is covered by the cheapest roster (`roster.cheapest_roster`);
  while a target is not met the requirement of the most congested hour is raised until
  the cheapest roster changes; once all are met requirements are lowered, least
  congested hour first, whenever that gives a cheaper roster that still meets them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from simulation import theory
from simulation.arrivals import profile_rate
from simulation.errors import InvalidInputError
from simulation.results import all_met, summarise_runs
from simulation.roster import Roster, cheapest_roster, hourly_coverage
from simulation.runner import ReplicationPool, run_replications
from simulation.scenario_model import (
    ALL_MATTERS,
    Interval,
    Mode,
    Scenario,
    Staff,
    WindowGroup,
    WindowKind,
)

__all__ = [
    "Plan",
    "RosterPlan",
    "analytic_counts",
    "apply_counts",
    "apply_roster",
    "find_plan",
    "find_roster_plan",
    "replace_comprehensive",
    "roster_for",
]

Log = Callable[[str], None]
LAG_MINUTES = 15.0  # services at least this long carry an hour's load into the next one


@dataclass(frozen=True)
class Plan:
    """The staffing found: comprehensive windows per hour, the start point and the proof."""

    counts: tuple[int, ...]
    analytic: tuple[int, ...]
    scenario: Scenario
    results: dict[str, Any]
    met: bool
    evaluations: int


def _hours(scenario: Scenario) -> int:
    return math.ceil(scenario.arrival_minutes / 60 - 1e-9)


def _mean_service(scenario: Scenario) -> float:
    """The mean handling time of the pooled arrivals (walk-ins and appointments who come)."""
    book = scenario.appointments
    walk = sum(scenario.walkin_per_hour) / len(scenario.walkin_per_hour)
    booked = sum(book.per_hour) / len(book.per_hour) * (1 - book.no_show)
    weights = [m.walkin_share * walk + m.appointment_share * booked for m in scenario.matters]
    total = sum(weights)
    if total <= 0:
        return sum(m.service.mean for m in scenario.matters) / len(scenario.matters)
    return sum(w * m.service.mean for w, m in zip(weights, scenario.matters, strict=True)) / total


def _fixed_open(scenario: Scenario, hour: int) -> float:
    """How many fixed (non-comprehensive) windows are staffed on average during `hour`."""
    day = Interval(0.0, scenario.arrival_minutes)
    lo, hi = 60.0 * hour, 60.0 * (hour + 1)
    total = 0.0
    for group in scenario.windows:
        if group.kind is WindowKind.COMPREHENSIVE:
            continue
        spans = group.available(day)
        total += group.count * sum(max(0.0, min(s.end, hi) - max(s.start, lo)) for s in spans) / 60
    return total


def analytic_counts(scenario: Scenario) -> tuple[int, ...]:
    """Erlang C (SIPP, lagged for long services) per hour, less the fixed windows, at least 1.

    The pooled M/M/c model ignores skills and priorities: it is a start, not a verdict.
    """
    hours = _hours(scenario)
    book = scenario.appointments
    rates = [
        profile_rate(scenario.walkin_per_hour, 60.0 * h + 1)
        + profile_rate(book.per_hour, 60.0 * h + 1) * (1 - book.no_show)
        for h in range(hours)
    ]
    service = _mean_service(scenario)
    wait = min(scenario.targets.appointment_wait_general, scenario.targets.appointment_wait_complex)
    if scenario.targets.walkin_wait_mean is not None:
        wait = min(wait, scenario.targets.walkin_wait_mean)
    suggestion = theory.staffing_by_period(
        rates, service, theory.MeanWaitTarget(wait), lagged=service >= LAG_MINUTES
    )
    return tuple(
        max(1, p.servers - math.floor(_fixed_open(scenario, h))) for h, p in enumerate(suggestion)
    )


def planned_groups(counts: tuple[int, ...], end: float) -> list[WindowGroup]:
    """Comprehensive window groups staffed per hour as `counts` says (window k works the
    hours whose count is at least k; identical rosters are grouped)."""
    rosters: dict[tuple[Interval, ...], int] = {}
    for k in range(1, max(counts, default=0) + 1):
        spans: list[Interval] = []
        for h, n in enumerate(counts):
            if n < k:
                continue
            lo, hi = 60.0 * h, min(60.0 * (h + 1), end)
            if spans and spans[-1].end == lo:
                spans[-1] = Interval(spans[-1].start, hi)
            else:
                spans.append(Interval(lo, hi))
        rosters[tuple(spans)] = rosters.get(tuple(spans), 0) + 1
    return [
        WindowGroup(count, frozenset({"*"}), WindowKind.COMPREHENSIVE, spans, (), f"综窗 plan {i}")
        for i, (spans, count) in enumerate(rosters.items(), start=1)
    ]


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


def apply_counts(scenario: Scenario, counts: tuple[int, ...]) -> Scenario:
    """The scenario with its comprehensive windows replaced by the hourly `counts`."""
    return replace_comprehensive(scenario, planned_groups(counts, scenario.arrival_minutes))


def apply_roster(scenario: Scenario, counts: tuple[int, ...]) -> Scenario:
    """The scenario with its comprehensive windows replaced by `counts[p]` windows working
    shift pattern p (in `scenario.shift_patterns` order)."""
    groups = [
        WindowGroup(
            n, frozenset({ALL_MATTERS}), WindowKind.COMPREHENSIVE, p.shifts, p.breaks, p.name
        )
        for p, n in zip(scenario.shift_patterns, counts, strict=True)
        if n > 0
    ]
    return replace_comprehensive(scenario, groups)


def _congestion(results: dict[str, Any], counts: tuple[int, ...]) -> list[float]:
    hourly = results["hourly"]
    return [
        float(hourly[h]["queue_length"]) / max(n, 1) if h < len(hourly) else 0.0
        for h, n in enumerate(counts)
    ]


def find_plan(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    max_windows: int = 60,
    log: Log | None = None,
) -> Plan:
    """Search the fewest comprehensive windows per hour meeting every target (day mode).

    Raises InvalidInputError for a steady-state scenario or one without a staffable target.
    """
    if scenario.run.mode is not Mode.DAY:
        raise InvalidInputError('Staffing plans are for day mode: set mode = "day".')
    say = log or (lambda _text: None)
    with ReplicationPool(workers) as pool:
        return _search_hourly(scenario, replications, seed, pool, max_windows, say)


def _search_hourly(
    scenario: Scenario,
    replications: int | None,
    seed: int | None,
    pool: ReplicationPool,
    max_windows: int,
    say: Log,
) -> Plan:
    cache: dict[tuple[int, ...], dict[str, Any]] = {}

    def evaluate(counts: tuple[int, ...]) -> dict[str, Any]:
        if counts not in cache:
            planned = apply_counts(scenario, counts)
            runs = run_replications(planned, replications, seed, pool=pool)
            cache[counts] = summarise_runs(runs)
            verdict = "all targets met" if all_met(cache[counts]) else "not all met"
            say(f"  {' '.join(f'{n:2d}' for n in counts)}  → {verdict}")
        return cache[counts]

    start = analytic_counts(scenario)
    say(f"Analytic start (Erlang C per hour): {' '.join(str(n) for n in start)}")
    counts = start
    results = evaluate(counts)
    while not all_met(results):
        handling = results["kpis"]["handling_time"]
        if handling.get("met") == "not_met":
            say("The handling-time target depends on service times, not on staffing.")
            break
        congestion = _congestion(results, counts)
        hour = max(range(len(counts)), key=lambda h: (congestion[h], -h))
        if counts[hour] >= max_windows:
            break
        counts = (*counts[:hour], counts[hour] + 1, *counts[hour + 1 :])
        results = evaluate(counts)
    if all_met(results):
        counts, results = _trim(counts, results, evaluate)
    final = apply_counts(scenario, counts)
    return Plan(counts, start, final, results, all_met(results), len(cache))


def _trim(
    counts: tuple[int, ...],
    results: dict[str, Any],
    evaluate: Callable[[tuple[int, ...]], dict[str, Any]],
) -> tuple[tuple[int, ...], dict[str, Any]]:
    """Remove windows hour by hour, least congested first, while every target stays met."""
    improved = True
    while improved:
        improved = False
        congestion = _congestion(results, counts)
        for hour in sorted(range(len(counts)), key=lambda h: (congestion[h], h)):
            if counts[hour] <= 1:
                continue
            trial = (*counts[:hour], counts[hour] - 1, *counts[hour + 1 :])
            trial_results = evaluate(trial)
            if all_met(trial_results):
                counts, results, improved = trial, trial_results, True
                break
    return counts, results


@dataclass(frozen=True)
class RosterPlan:
    """The cheapest roster of shift patterns found, the requirements behind it, the proof."""

    roster: Roster  # people per pattern, in `scenario.shift_patterns` order
    required: tuple[int, ...]  # comprehensive windows per hour the roster covers
    analytic: tuple[int, ...]  # the Erlang C start
    coverage: tuple[float, ...]  # comprehensive windows the roster staffs, per hour
    scenario: Scenario
    results: dict[str, Any]
    met: bool
    evaluations: int


def roster_for(scenario: Scenario, required: tuple[int, ...]) -> tuple[Roster, tuple[float, ...]]:
    """The cheapest roster of the scenario's shift patterns covering `required` per hour,
    and the windows it staffs per hour.

    Raises InvalidInputError if an hour that needs staff has no pattern working in it.
    """
    hours, end = _hours(scenario), scenario.arrival_minutes
    rows = [hourly_coverage(p, hours, end) for p in scenario.shift_patterns]
    roster = cheapest_roster(required, rows, [p.cost for p in scenario.shift_patterns])
    staffed = tuple(
        math.fsum(n * row[h] for n, row in zip(roster.counts, rows, strict=True))
        for h in range(hours)
    )
    return roster, staffed


def find_roster_plan(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    max_windows: int = 60,
    log: Log | None = None,
) -> RosterPlan:
    """Search the cheapest roster of `[plan] shift_patterns` meeting every target (day mode).

    Raises InvalidInputError for a steady-state scenario, one without shift patterns, or
    patterns that leave an hour needing staff uncovered.
    """
    if scenario.run.mode is not Mode.DAY:
        raise InvalidInputError('Staffing plans are for day mode: set mode = "day".')
    if not scenario.shift_patterns:
        raise InvalidInputError("The scenario has no [plan] shift_patterns to roster.")
    say = log or (lambda _text: None)
    with ReplicationPool(workers) as pool:
        return _RosterSearch(scenario, replications, seed, pool, max_windows, say).run()


class _RosterSearch:
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
        self.replications = replications
        self.seed = seed
        self.pool = pool
        self.max_windows = max_windows
        self.say = say
        self.cache: dict[tuple[int, ...], dict[str, Any]] = {}

    def evaluate(self, roster: Roster) -> dict[str, Any]:
        """Simulate a roster once (rosters, not requirements, are what gets simulated)."""
        if roster.counts not in self.cache:
            planned = apply_roster(self.scenario, roster.counts)
            runs = run_replications(planned, self.replications, self.seed, pool=self.pool)
            self.cache[roster.counts] = results = summarise_runs(runs)
            verdict = "all targets met" if all_met(results) else "not all met"
            names = ", ".join(
                f"{p.name} × {n}"
                for p, n in zip(self.scenario.shift_patterns, roster.counts, strict=True)
            )
            self.say(f"  {names}  (cost {roster.cost:g})  → {verdict}")
        return self.cache[roster.counts]

    def run(self) -> RosterPlan:
        start = analytic_counts(self.scenario)
        self.say(f"Analytic start (Erlang C per hour): {' '.join(str(n) for n in start)}")
        required = start
        roster, staffed = roster_for(self.scenario, required)
        results = self.evaluate(roster)
        while not all_met(results):
            if results["kpis"]["handling_time"].get("met") == "not_met":
                self.say("The handling-time target depends on service times, not on staffing.")
                break
            raised = self._raise(required, roster, results)
            if raised is None:
                break
            required, roster, staffed = raised
            results = self.evaluate(roster)
        if all_met(results):
            required, roster, staffed, results = self._lower(required, roster, staffed, results)
        final = apply_roster(self.scenario, roster.counts)
        return RosterPlan(
            roster, required, start, staffed, final, results, all_met(results), len(self.cache)
        )

    def _raise(
        self, required: tuple[int, ...], roster: Roster, results: dict[str, Any]
    ) -> tuple[tuple[int, ...], Roster, tuple[float, ...]] | None:
        """Raise the most congested hour's requirement until the cheapest roster changes."""
        congestion = _congestion(results, _open_per_hour(results, len(required)))
        hour = max(range(len(required)), key=lambda h: (congestion[h], -h))
        while required[hour] < self.max_windows:
            required = (*required[:hour], required[hour] + 1, *required[hour + 1 :])
            found, staffed = roster_for(self.scenario, required)
            if found.counts != roster.counts:
                return required, found, staffed
        return None

    def _lower(
        self,
        required: tuple[int, ...],
        roster: Roster,
        staffed: tuple[float, ...],
        results: dict[str, Any],
    ) -> tuple[tuple[int, ...], Roster, tuple[float, ...], dict[str, Any]]:
        """Lower requirements, least congested hour first, while the cheaper rosters this
        gives still meet every target (a lower requirement with the same roster is kept)."""
        improved = True
        while improved:
            improved = False
            congestion = _congestion(results, _open_per_hour(results, len(required)))
            for hour in sorted(range(len(required)), key=lambda h: (congestion[h], h)):
                if required[hour] <= 1:
                    continue
                trial = (*required[:hour], required[hour] - 1, *required[hour + 1 :])
                found, covered = roster_for(self.scenario, trial)
                if found.cost >= roster.cost - 1e-9:
                    if found.counts == roster.counts:
                        required = trial  # the same people: nothing to simulate
                    continue
                trial_results = self.evaluate(found)
                if all_met(trial_results):
                    required, roster, staffed, results = trial, found, covered, trial_results
                    improved = True
                    break
        return required, roster, staffed, results


def _open_per_hour(results: dict[str, Any], hours: int) -> tuple[int, ...]:
    """Windows staffed per hour (all kinds), rounded up: the divisor of the congestion."""
    hourly = results["hourly"]
    return tuple(
        math.ceil(float(hourly[h]["windows_open"]) - 1e-9) if h < len(hourly) else 1
        for h in range(hours)
    )
