"""Replications: one day per (seed, replication), run serially or on a process pool.

Replication r draws everything from stream r of the seed (`arrivals.replication_streams`),
so its result does not depend on which worker ran it; results are gathered in replication
order, so the summaries are identical for any number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from simulation.arrivals import generate_arrivals, replication_streams, service_times
from simulation.engine import Model, compile_model, run_day
from simulation.measure import DayResult, measure_day
from simulation.scenario_model import Scenario

__all__ = ["Progress", "Runs", "run_replication", "run_replications"]

Progress = Callable[[int, int], None]  # (replications done, replications in all)


@dataclass(frozen=True)
class Runs:
    """The per-replication results of one scenario, in replication order."""

    scenario: Scenario
    seed: int
    days: tuple[DayResult, ...]


def run_replication(scenario: Scenario, model: Model, seed: int, replication: int) -> DayResult:
    """Simulate and measure replication `replication` of the scenario with root `seed`."""
    streams = replication_streams(seed, replication)
    arrivals = generate_arrivals(streams.arrivals, scenario.arrival_plan())
    services = service_times(
        streams.service, arrivals.matter, [m.service for m in scenario.matters]
    )
    return measure_day(model, arrivals, run_day(model, arrivals, services))


# Each worker process compiles the scenario once, then runs the chunks it is sent.
_WORKER: tuple[Scenario, Model] | None = None


def _init_worker(scenario: Scenario) -> None:
    global _WORKER
    _WORKER = (scenario, compile_model(scenario))


def _run_chunk(seed: int, replications: Sequence[int]) -> list[DayResult]:
    assert _WORKER is not None, "the pool initialiser did not run"
    scenario, model = _WORKER
    return [run_replication(scenario, model, seed, r) for r in replications]


def _chunks(count: int, workers: int) -> list[range]:
    size = max(1, min(25, -(-count // (4 * workers))))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Runs:
    """Run the scenario's replications (default from the scenario) on `workers` processes.

    `workers` = 0 means one per CPU. Raises queueing.errors.InvalidPolicy for bad knobs.
    """
    count = scenario.run.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    if workers <= 0:
        workers = os.cpu_count() or 1
    workers = min(workers, count)
    days: list[DayResult] = []
    if workers <= 1:
        model = compile_model(scenario)
        for r in range(count):
            days.append(run_replication(scenario, model, root, r))
            if progress is not None:
                progress(len(days), count)
        return Runs(scenario, root, tuple(days))
    compile_model(scenario)  # report a bad policy here, not from inside a worker
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(scenario,)) as pool:
        futures = [pool.submit(_run_chunk, root, chunk) for chunk in _chunks(count, workers)]
        for future in futures:  # in replication order, whatever finishes first
            days.extend(future.result())
            if progress is not None:
                progress(len(days), count)
    return Runs(scenario, root, tuple(days))
