"""Simulator speed: the full hall model against a plain SimPy M/M/20, measured in the same run.

Run by hand: `.venv/bin/python benchmarks/bench_simulator.py [--days N] [--rounds R]`.

- **hall model**: `simulation/examples/demo_weekday.toml`, a demo-hall day of ~1,950
  citizens and 20 windows (14 comprehensive with staggered lunches, 5 specialised, 1 green),
  30 % appointments with punctuality and no-shows, green citizens; every call decided by
  `queueing.DispatchQueue`, every KPI by `queueing.kpi` (ticket records built per citizen).
- **plain M/M/20**: the textbook SimPy model (a `Resource` with 20 servers, one process per
  customer), λ = 250/h, exponential 4-minute services, 480 minutes, inter-arrival and service
  times pre-drawn with numpy like the hall model's; it records each wait and nothing else.

Both run on one core, alternating, R rounds; the figures are the medians. Then 100 hall days
on a 2-process pool (`run_replications(workers=2)`, pool start-up included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from simulation.engine import compile_model
from simulation.runner import run_replication, run_replications
from simulation.scenario import load_scenario

SCENARIO = Path(__file__).parents[1] / "simulation" / "examples" / "demo_weekday.toml"


def plain_mm20(
    seed: int, per_hour: float = 250.0, mean: float = 4.0, minutes: float = 480.0
) -> int:
    """One day of the plain SimPy M/M/20; returns the number of customers."""
    rng = np.random.default_rng(seed)
    count = int(rng.poisson(per_hour * minutes / 60))
    arrivals = np.sort(rng.uniform(0.0, minutes, count)).tolist()
    services = rng.exponential(mean, count).tolist()
    env = simpy.Environment()
    windows = simpy.Resource(env, capacity=20)
    waits: list[float] = []

    def customer(service: float) -> simpy.events.ProcessGenerator:
        arrived = env.now
        with windows.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(service)

    def source() -> simpy.events.ProcessGenerator:
        last = 0.0
        for at, service in zip(arrivals, services, strict=True):
            yield env.timeout(at - last)
            last = at
            env.process(customer(service))

    env.process(source())
    env.run()
    return count


def time_plain(days: int, offset: int) -> float:
    started = time.perf_counter()
    citizens = sum(plain_mm20(offset + d) for d in range(days))
    return citizens / (time.perf_counter() - started)


def time_hall(days: int, offset: int) -> float:
    scenario = load_scenario(SCENARIO)
    model = compile_model(scenario)
    started = time.perf_counter()
    citizens = sum(
        run_replication(scenario, model, scenario.seed, offset + d).arrivals for d in range(days)
    )
    return citizens / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20, help="days per round and model")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    time_hall(2, 10_000)  # warm caches (imports, ticket ids) before measuring
    plain, hall = [], []
    for r in range(args.rounds):
        plain.append(time_plain(args.days, r * args.days))
        hall.append(time_hall(args.days, r * args.days))
        print(f"round {r + 1}: plain {plain[-1]:,.0f}/s, hall {hall[-1]:,.0f}/s", file=sys.stderr)
    plain_rate, hall_rate = statistics.median(plain), statistics.median(hall)
    scenario = load_scenario(SCENARIO)
    started = time.perf_counter()
    runs = run_replications(scenario, replications=100, workers=2)
    hundred = time.perf_counter() - started
    citizens = sum(day.arrivals for day in runs.days)
    print(f"plain SimPy M/M/20:          {plain_rate:10,.0f} citizens/s (median of {args.rounds})")
    print(f"hall model (demo weekday):   {hall_rate:10,.0f} citizens/s (median of {args.rounds})")
    print(f"ratio hall / plain:          {hall_rate / plain_rate:10.2f}  (goal: >= 1)")
    print(
        f"100 hall days, 2 workers:    {hundred:10.2f} s  "
        f"({citizens:,} citizens, {citizens / hundred:,.0f}/s; goal: < 2 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
