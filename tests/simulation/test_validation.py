"""The engine against queueing theory (Erlang C, Little's law) and against itself (seeds)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from simulation import theory
from simulation.results import summarise_runs
from simulation.runner import run_replications
from simulation.scenario import Scenario, load_scenario, parse_scenario
from simulation.stats import summarize
from tests.simulation.test_engine import skilled_hall


def mmc(servers: int, per_hour: float, mean: float, warmup: float, horizon: float) -> Scenario:
    data: dict[str, Any] = {
        "seed": 7,
        "run": {"mode": "steady", "warmup_minutes": warmup, "horizon_minutes": horizon},
        "matters": [{"code": "G", "service": {"dist": "exponential", "mean": mean},
                     "walkin_share": 1.0}],
        "windows": [{"count": servers}],
        "walkins": {"per_hour": [per_hour]},
    }  # fmt: skip
    return parse_scenario(data)


CASES = [  # (servers, arrivals per hour, mean service, warm-up, horizon): light to heavy
    (1, 30.0, 1.0, 100.0, 2000.0),  # ρ = 0.5
    (3, 36.0, 4.0, 200.0, 3000.0),  # ρ = 0.8
    (20, 250.0, 4.0, 120.0, 1500.0),  # ρ = 0.83, the research's M/M/20
    (5, 54.0, 5.0, 300.0, 3000.0),  # ρ = 0.9
]


@pytest.mark.parametrize(("servers", "per_hour", "mean", "warmup", "horizon"), CASES)
def test_steady_state_waits_match_erlang_c(
    servers: int, per_hour: float, mean: float, warmup: float, horizon: float
) -> None:
    scenario = mmc(servers, per_hour, mean, warmup, horizon)
    runs = run_replications(scenario, replications=12)
    waits = [day.kpis["walkin_wait"] for day in runs.days]
    summary = summarize([w for w in waits if w is not None])
    expected = theory.mean_wait(servers, per_hour / 60, mean)
    assert summary.ci is not None
    assert summary.ci[0] <= expected <= summary.ci[1], (summary.ci, expected)
    load = [day.kpis["utilisation"] for day in runs.days]
    assert summarize([u for u in load if u is not None]).mean == pytest.approx(
        theory.occupancy(servers, per_hour / 60 * mean), abs=0.02
    )


def test_littles_law_holds_on_simulated_output() -> None:
    runs = run_replications(mmc(5, 54.0, 5.0, 300.0, 3000.0), replications=4)
    for day in runs.days:
        queue_length, rate, wait = day.little  # from the queue's own length over time
        assert queue_length == pytest.approx(rate * wait, rel=0.03)


def test_day_mode_is_reproducible_by_seed() -> None:
    scenario = skilled_hall()
    first = summarise_runs(run_replications(scenario, replications=4, seed=11))
    again = summarise_runs(run_replications(scenario, replications=4, seed=11))
    other = summarise_runs(run_replications(scenario, replications=4, seed=12))
    assert first == again
    assert first["kpis"] != other["kpis"]


def test_results_do_not_depend_on_the_number_of_workers() -> None:
    scenario = load_scenario(
        str(Path(__file__).parents[2] / "simulation" / "examples" / "demo_weekday.toml")
    )
    serial = summarise_runs(run_replications(scenario, replications=6, workers=1))
    pooled = summarise_runs(run_replications(scenario, replications=6, workers=2))
    assert serial == pooled


def test_day_mode_drains_the_queue_after_closing() -> None:
    scenario = skilled_hall()
    runs = run_replications(scenario, replications=3)
    assert all(day.unserved == 0 for day in runs.days)
