"""Replications: one day per (seed, replication), run serially or on a process pool.

Replication r draws everything from stream r of the seed (`arrivals.replication_streams`),
so its result does not depend on which worker ran it; results are gathered in replication
order, so the summaries are identical for any number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from simulation.arrivals import generate_arrivals, replication_streams, service_times
from simulation.engine import Model, compile_model, run_day
from simulation.measure import DayResult, measure_day
from simulation.scenario_model import Scenario

__all__ = ["Progress", "ReplicationPool", "Runs", "run_replication", "run_replications"]

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


def _run_chunk(scenario: Scenario, seed: int, replications: range) -> list[DayResult]:
    """One pool task: a few consecutive replications (the scenario is small to send)."""
    model = compile_model(scenario)
    return [run_replication(scenario, model, seed, r) for r in replications]


def _chunks(count: int, workers: int) -> list[range]:
    # Several chunks per worker balance the load; chunks of many days keep the messages few.
    size = max(1, min(25, -(-count // (4 * workers))))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class ReplicationPool:
    """Worker processes kept for several scenarios (a staffing search simulates dozens).

    Use as a context manager; `workers` = 0 means one per CPU, 1 means no processes.
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers if workers > 0 else os.cpu_count() or 1
        self._executor: ProcessPoolExecutor | None = None

    def __enter__(self) -> ReplicationPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker processes (they are started again if needed)."""
        if self._executor is not None:
            self._executor.shutdown()
            self._executor = None

    def run(
        self, scenario: Scenario, count: int, seed: int, progress: Progress | None = None
    ) -> tuple[DayResult, ...]:
        """Replications 0 … count-1 of the scenario, in replication order.

        Raises queueing.errors.InvalidPolicy for bad knobs (before any process starts).
        """
        model = compile_model(scenario)
        days: list[DayResult] = []
        workers = min(self.workers, count)
        if workers <= 1:
            for r in range(count):
                days.append(run_replication(scenario, model, seed, r))
                if progress is not None:
                    progress(len(days), count)
            return tuple(days)
        if self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers)
        chunks = _chunks(count, self.workers)
        futures = [self._executor.submit(_run_chunk, scenario, seed, c) for c in chunks]
        for future in futures:  # in replication order, whatever finishes first
            days.extend(future.result())
            if progress is not None:
                progress(len(days), count)
        return tuple(days)


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    pool: ReplicationPool | None = None,
) -> Runs:
    """Run the scenario's replications (default from the scenario) on `workers` processes.

    `workers` = 0 means one per CPU; a `pool` (whose own worker count then applies) keeps
    its processes for the next call. Raises queueing.errors.InvalidPolicy for bad knobs.
    """
    count = scenario.run.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    if pool is not None:
        return Runs(scenario, root, pool.run(scenario, count, root, progress))
    with ReplicationPool(workers) as own:
        return Runs(scenario, root, own.run(scenario, count, root, progress))
