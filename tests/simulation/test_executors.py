"""One executor interface: in process, a local pool, or a real Dask cluster; same results."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from distributed import LocalCluster

from simulation.executors import DaskExecutor, ExecutorError, LocalExecutor, executor_for
from simulation.runner import ReplicationPool
from simulation.scenario import load_scenario
from tests.simulation.test_cli import EXAMPLES, run


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """A real local Dask cluster: a scheduler and two worker processes."""
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


def test_dask_gives_the_same_days_as_local_runs(cluster: LocalCluster) -> None:
    scenario = load_scenario(EXAMPLES / "demo_weekday.toml")
    address = str(cluster.scheduler_address).removeprefix("tcp://")
    executor = executor_for(f"dask://{address}")
    assert isinstance(executor, DaskExecutor)
    assert executor.workers == 2
    with ReplicationPool(executor=executor) as pool:
        on_dask = pool.run_many([(scenario, 6, 3), (scenario, 2, 4)])
    with ReplicationPool(1) as serial, ReplicationPool(2) as local:
        assert on_dask == serial.run_many([(scenario, 6, 3), (scenario, 2, 4)])
        assert on_dask == local.run_many([(scenario, 6, 3), (scenario, 2, 4)])


def test_the_cli_runs_on_a_cluster_with_identical_output(
    cluster: LocalCluster, tmp_path: Path
) -> None:
    address = "dask://" + str(cluster.scheduler_address).removeprefix("tcp://")
    scenario = str(EXAMPLES / "demo_weekday.toml")
    remote, here = tmp_path / "remote.json", tmp_path / "here.json"
    assert run("simulate", scenario, "-q", "-n", "4", "--executor", address,
               "--json", str(remote)) == 0  # fmt: skip
    assert run("simulate", scenario, "-q", "-n", "4", "--json", str(here)) == 0
    assert json.loads(remote.read_text()) == json.loads(here.read_text())


def test_bad_executors_are_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ExecutorError, match="give local or dask://HOST:PORT"):
        executor_for("ray://x:1")
    assert isinstance(executor_for(None, 2), LocalExecutor)
    assert isinstance(executor_for("local"), LocalExecutor)
    scenario = str(EXAMPLES / "mmc20.toml")
    assert run("simulate", scenario, "-q", "-n", "1", "--executor", "spark://x") == 2
    assert "Cannot use executor 'spark://x'" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_reported() -> None:
    with pytest.raises(
        ExecutorError, match=r"Cannot reach the Dask scheduler at tcp://127\.0\.0\.1:9"
    ):
        DaskExecutor("tcp://127.0.0.1:9", timeout="0.5s")
