"""Per-class waits against Cobham's non-preemptive priority formula, priority cap off."""

from __future__ import annotations

import math
from typing import Any

import pytest

from simulation import theory
from simulation.results import summarise_runs
from simulation.runner import run_replications
from simulation.scenario import parse_scenario


def cobham(servers: int, rates: list[float], mean: float) -> list[float]:
    """Non-preemptive priority M/M/c mean waits per class (highest first), written out here
    independently of simulation.theory: Wq_k = C / (cμ (1 − σ_{k−1}) (1 − σ_k))."""
    load = sum(rates) * mean
    erlang_b = 1.0
    for k in range(1, servers + 1):
        erlang_b = load * erlang_b / (k + load * erlang_b)
    wait_prob = servers * erlang_b / (servers - load * (1 - erlang_b))
    capacity = servers / mean
    waits, before = [], 0.0
    for rate in rates:
        after = before + rate / capacity
        waits.append(wait_prob / (capacity * (1 - before) * (1 - after)))
        before = after
    return waits


def priority_hall(cap: Any) -> dict[str, Any]:
    return {
        "seed": 11,
        "run": {"mode": "steady", "warmup_minutes": 300.0, "horizon_minutes": 3000.0},
        "matters": [{"code": "A", "service": {"dist": "exponential", "mean": 4.0},
                     "walkin_share": 1.0, "green_share": 0.3}],
        "windows": [{"count": 5}],
        "walkins": {"per_hour": [66.0]},  # ρ = 0.88; 30 % of them green
        # No ageing or green bound within the horizon: a plain two-class priority queue.
        "policy": {"priority_cap": cap, "walkin_ageing_minutes": 1440.0,
                   "green_max_wait_minutes": 1440.0},
        "targets": {"walkin_wait": "off", "overtime": "off"},
    }  # fmt: skip


def test_per_class_waits_match_cobham_with_the_cap_off() -> None:
    results = summarise_runs(run_replications(parse_scenario(priority_hall("off")), 12))
    green, walkin = cobham(5, [66.0 * 0.3 / 60, 66.0 * 0.7 / 60], 4.0)
    for name, expected in (("green_wait", green), ("walkin_wait", walkin)):
        low, high = results["kpis"][name]["ci"]
        assert low <= expected <= high, (name, low, expected, high)
    assert green < 1.0 < 4.0 < walkin  # the classes are far apart: the test can tell them


def test_the_cap_serves_walk_ins_between_priority_calls() -> None:
    """With a cap of 1 a walk-in is served after every priority call, so green citizens
    wait longer than Cobham's upper class: turning the cap off is what the test above needs."""
    results = summarise_runs(run_replications(parse_scenario(priority_hall(1)), 6))
    green, _ = cobham(5, [66.0 * 0.3 / 60, 66.0 * 0.7 / 60], 4.0)
    assert results["kpis"]["green_wait"]["ci"][0] > green


def test_cobham_here_equals_the_theory_module() -> None:
    assert cobham(5, [0.33, 0.77], 4.0) == pytest.approx(
        theory.priority_mean_waits(5, [0.33, 0.77], 4.0), rel=1e-12
    )
    assert math.isclose(sum(cobham(3, [0.5], 4.0)), theory.mean_wait(3, 0.5, 4.0))
