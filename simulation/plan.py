"""Staffing search: the fewest comprehensive windows per hour for which every target is met.

The scenario's specialised and green windows stay as they are; its comprehensive windows
are replaced by a count per opening hour. The search starts from the analytic suggestion
(Erlang C per hour on the pooled load, lagged by one mean service time when services are
long, minus the fixed windows), then confirms by simulation with common random numbers:
while a target is not met (or undecided) it adds a window in the most congested hour;
once all are met it removes windows, least congested hour first, as long as they stay met.
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
from simulation.runner import run_replications
from simulation.scenario_model import Interval, Mode, Scenario, WindowGroup, WindowKind

__all__ = ["Plan", "analytic_counts", "apply_counts", "find_plan"]

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


def apply_counts(scenario: Scenario, counts: tuple[int, ...]) -> Scenario:
    """The scenario with its comprehensive windows replaced by the hourly `counts`."""
    fixed = [g for g in scenario.windows if g.kind is not WindowKind.COMPREHENSIVE]
    return replace(
        scenario, windows=tuple(planned_groups(counts, scenario.arrival_minutes) + fixed)
    )


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
    cache: dict[tuple[int, ...], dict[str, Any]] = {}

    def evaluate(counts: tuple[int, ...]) -> dict[str, Any]:
        if counts not in cache:
            runs = run_replications(apply_counts(scenario, counts), replications, seed, workers)
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
