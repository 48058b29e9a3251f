"""Replications: one day per (seed, replication), run serially or on a process pool.

Replication r draws everything from stream r of the seed (`arrivals.replication_streams`),
so its result does not depend on which worker ran it; results are gathered in replication
order, so the summaries are identical for any number of workers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from simulation.arrivals import generate_arrivals, replication_streams, service_times
from simulation.engine import Model, compile_model, run_day
from simulation.executors import Executor, LocalExecutor
from simulation.guardrails import check_steady_state
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


_compiled: list[tuple[Scenario, Model]] = []  # the last scenario compiled in this process


def _run_chunk(scenario: Scenario, seed: int, replications: range) -> list[DayResult]:
    """One task: a few consecutive replications (the scenario is small to send)."""
    if not _compiled or _compiled[0][0] is not scenario:
        _compiled[:] = [(scenario, compile_model(scenario))]
    model = _compiled[0][1]
    return [run_replication(scenario, model, seed, r) for r in replications]


def _chunks(count: int, workers: int) -> list[range]:
    # Several chunks per worker balance the load; chunks of many days keep the messages few.
    if workers <= 1:
        return [range(r, r + 1) for r in range(count)]  # one by one: progress after each day
    size = max(1, min(25, -(-count // (4 * workers))))
    return [range(start, min(start + size, count)) for start in range(0, count, size)]


class ReplicationPool:
    """An executor kept for several scenarios (a staffing search or a sweep runs dozens).

    Use as a context manager; `workers` = 0 means one per CPU, 1 means no processes; an
    `executor` (e.g. a `DaskExecutor`) replaces the local pool.
    """

    def __init__(self, workers: int = 1, executor: Executor | None = None) -> None:
        self.executor: Executor = executor if executor is not None else LocalExecutor(workers)
        self.workers = self.executor.workers

    def __enter__(self) -> ReplicationPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the executor's workers (they are started again if needed)."""
        self.executor.close()

    def run(
        self, scenario: Scenario, count: int, seed: int, progress: Progress | None = None
    ) -> tuple[DayResult, ...]:
        """Replications 0 … count-1 of the scenario, in replication order.

        Raises queueing.errors.InvalidPolicy for bad knobs (before any task starts).
        """
        return self.run_many([(scenario, count, seed)], progress)[0]

    def run_many(
        self, jobs: Sequence[tuple[Scenario, int, int]], progress: Progress | None = None
    ) -> list[tuple[DayResult, ...]]:
        """Several scenarios' replications at once (a sweep's grid), each in replication order.

        Every chunk of every job is handed to the executor before any result is awaited,
        so the workers stay busy across jobs. Raises InvalidPolicy for bad knobs and
        UnstableQueueError for a steady state whose offered load reaches its windows.
        """
        for scenario, _, _ in jobs:
            check_steady_state(scenario)
            compile_model(scenario)  # bad knobs fail here, before any task starts
        tasks: list[tuple[Scenario, int, range]] = []
        owners: list[int] = []
        for j, (scenario, count, seed) in enumerate(jobs):
            for chunk in _chunks(count, self.workers):
                tasks.append((scenario, seed, chunk))
                owners.append(j)
        total = sum(count for _, count, _ in jobs)
        days: list[list[DayResult]] = [[] for _ in jobs]
        done = 0
        for owner, chunk_days in zip(owners, self.executor.run(_run_chunk, tasks), strict=True):
            days[owner].extend(chunk_days)
            done += len(chunk_days)
            if progress is not None:
                progress(done, total)
        return [tuple(d) for d in days]


def run_replications(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    pool: ReplicationPool | None = None,
    executor: Executor | None = None,
) -> Runs:
    """Run the scenario's replications (default from the scenario) on `workers` processes.

    `workers` = 0 means one per CPU; a `pool` (whose own worker count then applies) keeps
    its processes for the next call. Raises queueing.errors.InvalidPolicy for bad knobs and
    UnstableQueueError for a steady state whose offered load reaches its windows.
    """
    count = scenario.run.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    if pool is not None:
        return Runs(scenario, root, pool.run(scenario, count, root, progress))
    with ReplicationPool(workers, executor) as own:
        return Runs(scenario, root, own.run(scenario, count, root, progress))
