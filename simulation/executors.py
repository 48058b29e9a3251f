"""One interface for running replications: in this process, on a local process pool, or on
a Dask distributed cluster.

A replication's result depends only on (scenario, seed, replication), and results are
always gathered in task order, so every executor gives identical results for a seed.
`executor_for("dask://HOST:8786")` needs the optional extra `cluster` (dask[distributed]);
the local pool needs nothing beyond the standard library.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Protocol

from simulation.errors import ExecutorError

__all__ = ["DaskExecutor", "Executor", "ExecutorError", "LocalExecutor", "executor_for"]

DASK_SCHEME = "dask://"


class Executor(Protocol):
    """Runs `fn(*args)` for every task and yields the results in task order."""

    workers: int

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Start every task at once; yield each result in task order as it is ready."""
        ...

    def close(self) -> None:
        """Release the workers (a closed executor may be used again: it starts anew)."""
        ...


class LocalExecutor:
    """Tasks in this process (1 worker) or on a local process pool kept until `close`."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers if workers > 0 else os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Run the tasks (in this process when there is one worker or one task)."""
        if self.workers <= 1 or len(tasks) <= 1:
            for args in tasks:
                yield fn(*args)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers)
        futures: list[Future[Any]] = [self._pool.submit(fn, *args) for args in tasks]
        for future in futures:
            yield future.result()

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


class DaskExecutor:
    """Tasks on a Dask distributed cluster whose scheduler listens at `address`."""

    def __init__(self, address: str, timeout: str = "10s") -> None:
        try:
            from distributed import Client
        except ImportError as error:
            raise ExecutorError(
                "Cannot use a Dask executor: dask[distributed] is not installed; install "
                "the extra with pip install 'tongban[cluster]'."
            ) from error
        try:
            self._client = Client(address, timeout=timeout)  # type: ignore[no-untyped-call]
        except (OSError, TimeoutError) as error:
            raise ExecutorError(
                f"Cannot reach the Dask scheduler at {address}: {error}."
            ) from error
        self.address = address
        threads = self._client.nthreads()  # type: ignore[no-untyped-call]
        self.workers = max(1, sum(threads.values()))

    def run(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> Iterator[Any]:
        """Submit every task to the cluster; yield the results in task order."""
        futures = [self._client.submit(fn, *args, pure=False) for args in tasks]
        for future in futures:
            yield future.result()

    def close(self) -> None:
        """Disconnect from the scheduler (the cluster keeps running)."""
        self._client.close()  # type: ignore[no-untyped-call]


def executor_for(spec: str | None, workers: int = 1) -> Executor:
    """The executor a `--executor` option names: None or "local" (a pool of `workers`
    processes, 0 = one per CPU) or "dask://HOST:PORT" (a Dask scheduler).

    Raises ExecutorError for another scheme, a missing extra or an unreachable scheduler.
    """
    if spec is None or spec == "local":
        return LocalExecutor(workers)
    if spec.startswith(DASK_SCHEME) and len(spec) > len(DASK_SCHEME):
        return DaskExecutor("tcp://" + spec[len(DASK_SCHEME) :])
    raise ExecutorError(
        f"Cannot use executor {spec!r}: give local or dask://HOST:PORT "
        "（执行器须为 local 或 dask://主机:端口）。"
    )
