"""Simulator speed: the full hall model against a plain SimPy M/M/20, measured in the same run.

Run by hand: `.venv/bin/python benchmarks/bench_simulator.py [--days N] [--rounds R]`.

- **hall model**: `simulation/examples/demo_weekday.toml`, a demo-hall day of ~1,920
  citizens and 20 windows (14 comprehensive with staggered lunches, 5 specialised, 1 green),
  30 % appointments with punctuality and no-shows, green citizens; every call decided by
  the queueing core's dispatch policy, every KPI by the `queueing.kpi` definitions; arrivals
  generated, simulated and measured (each `run_replication` is a whole replication).
- **plain M/M/20**: the textbook SimPy model (a `Resource` with 20 servers, one process per
  customer), λ = 250/h, exponential 4-minute services, 480 minutes, inter-arrival and service
  times pre-drawn with numpy like the hall model's; it records each wait and nothing else.

Both run on one core, alternating, R rounds; the figures are the medians, in wall-clock
time and in CPU time (the CPU figures are steadier on a machine shared with other work).
Then 100 hall days on a 2-process pool (`run_replications(workers=2)`, pool start-up
included): wall time, and the CPU time the workers used. Last, the staffing search on the
demo weekday (`find_plan`, its replications and seed) against one simulation of the same
scenario (its 30 replications), both in this process, alternating, the median of R rounds.

Goals (issue 18): hall / plain ≥ 2; plan / simulate < 10.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import simpy

from simulation.engine import compile_model
from simulation.plan import find_plan
from simulation.results import summarise_runs
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


def _rates(citizens: int, wall: float, cpu: float) -> tuple[float, float]:
    return citizens / wall, citizens / cpu


def time_plain(days: int, offset: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    citizens = sum(plain_mm20(offset + d) for d in range(days))
    return _rates(citizens, time.perf_counter() - wall, time.process_time() - cpu)


def time_hall(days: int, offset: int) -> tuple[float, float]:
    scenario = load_scenario(SCENARIO)
    model = compile_model(scenario)
    wall, cpu = time.perf_counter(), time.process_time()
    citizens = sum(
        run_replication(scenario, model, scenario.seed, offset + d).arrivals for d in range(days)
    )
    return _rates(citizens, time.perf_counter() - wall, time.process_time() - cpu)


def time_plan_and_simulate() -> tuple[float, float, int]:
    """Seconds for one `simulate` (30 days, summarised) and one `plan` of the demo weekday,
    and how many rosters the plan simulated."""
    scenario = load_scenario(SCENARIO)
    started = time.perf_counter()
    summarise_runs(run_replications(scenario))
    simulate = time.perf_counter() - started
    started = time.perf_counter()
    found = find_plan(scenario)
    return simulate, time.perf_counter() - started, found.evaluations


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=20, help="days per round and model")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    time_hall(2, 10_000)  # warm caches (imports) before measuring
    plain: list[tuple[float, float]] = []
    hall: list[tuple[float, float]] = []
    for r in range(args.rounds):
        plain.append(time_plain(args.days, r * args.days))
        hall.append(time_hall(args.days, r * args.days))
        print(
            f"round {r + 1}: plain {plain[-1][0]:,.0f}/s, hall {hall[-1][0]:,.0f}/s (wall); "
            f"ratio {hall[-1][0] / plain[-1][0]:.2f} wall, {hall[-1][1] / plain[-1][1]:.2f} CPU",
            file=sys.stderr,
        )
    plain_wall = statistics.median(p[0] for p in plain)
    plain_cpu = statistics.median(p[1] for p in plain)
    hall_wall = statistics.median(h[0] for h in hall)
    hall_cpu = statistics.median(h[1] for h in hall)
    scenario = load_scenario(SCENARIO)
    children = _children_cpu()
    started, cpu = time.perf_counter(), time.process_time()
    runs = run_replications(scenario, replications=100, workers=2)
    hundred = time.perf_counter() - started
    parent = time.process_time() - cpu
    workers = _children_cpu() - children
    citizens = sum(day.arrivals for day in runs.days)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"                               wall clock      CPU time   (median of {args.rounds})")
    print(f"plain SimPy M/M/20:          {plain_wall:10,.0f}/s  {plain_cpu:10,.0f}/s")
    print(f"hall model (demo weekday):   {hall_wall:10,.0f}/s  {hall_cpu:10,.0f}/s")
    print(
        f"ratio hall / plain:          {hall_wall / plain_wall:10.2f}   "
        f"{hall_cpu / plain_cpu:10.2f}    (goal: >= 2)"
    )
    print(
        f"100 hall days, 2 workers:    {hundred:10.2f} s  "
        f"({citizens:,} citizens, {citizens / hundred:,.0f}/s; goal: < 2 s)"
    )
    print(
        f"  CPU time: workers {workers:.2f} s (about {workers / 2:.2f} s each), "
        f"parent {parent:.2f} s"
    )
    timings = [time_plan_and_simulate() for _ in range(args.rounds)]
    simulate = statistics.median(t[0] for t in timings)
    planning = statistics.median(t[1] for t in timings)
    print(
        f"demo plan / one simulate:    {planning / simulate:10.2f}     "
        f"({planning:.2f} s / {simulate:.2f} s, {timings[0][2]} rosters simulated; goal: < 10)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
