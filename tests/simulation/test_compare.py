"""`tongban compare`: paired differences on common random numbers, with their intervals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats as sps

from queueing.vocabulary import KPIS
from tests.simulation.test_cli import run

HALL = """
name = "{name}"
seed = 5
open = "09:00"
close = "12:00"
[run]
replications = 10
[[matters]]
code = "A"
service = {{ dist = "exponential", mean = 5.0 }}
walkin_share = 1.0
green_share = 0.1
[[windows]]
count = {windows}
[walkins]
per_hour = [40.0, 55.0, 35.0]
"""


def write(tmp_path: Path, name: str, windows: int) -> Path:
    path = tmp_path / f"{name}.toml"
    path.write_text(HALL.format(name=name, windows=windows), encoding="utf-8")
    return path


def compare(tmp_path: Path, a: Path, b: Path) -> dict[str, object]:
    out = tmp_path / f"{a.stem}-{b.stem}.json"
    assert run("compare", str(a), str(b), "-q", "--json", str(out)) == 0
    result: dict[str, object] = json.loads(out.read_text(encoding="utf-8"))
    return result


def test_a_scenario_compared_with_itself_differs_by_nothing(tmp_path: Path) -> None:
    a, copy = write(tmp_path, "A", 5), write(tmp_path, "copy of A", 5)
    result = compare(tmp_path, a, copy)
    kpis = result["kpis"]
    assert isinstance(kpis, dict)
    assert set(kpis) <= set(KPIS)
    measured = {n: e for n, e in kpis.items() if e["difference"] is not None}
    assert set(kpis) - set(measured) == {"appointment_wait_general", "appointment_wait_complex"}
    for name, entry in measured.items():
        assert {"a", "b", "difference", "ci", "level"} <= entry.keys()
        assert entry["level"] == 0.95
        low, high = entry["ci"]
        assert low <= 0.0 <= high, name
        assert entry["differences"] == [0.0] * 10  # the same citizens, day by day
        assert entry["better"] is None


def test_one_more_window_is_a_significant_improvement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = write(tmp_path, "A", 5), write(tmp_path, "B", 6)
    result = compare(tmp_path, a, b)
    walkin = result["kpis"]["walkin_wait"]  # type: ignore[index]
    assert walkin["ci"][1] < 0.0
    assert walkin["better"] == "b"
    assert walkin["b"] < walkin["a"]
    assert walkin["difference"] == pytest.approx(
        np.mean(walkin["differences"]), rel=1e-12
    )  # the mean of the paired differences
    assert "B 更好 B is better on 现场取号等候 Walk-in wait by" in capsys.readouterr().out
    # Pairing pays: the paired interval is narrower than Welch's for two independent samples
    # of the same daily values (scipy computes the latter, independently of our statistics).
    half = (walkin["ci"][1] - walkin["ci"][0]) / 2
    a_values, b_values = _daily(tmp_path, a), _daily(tmp_path, b)
    welch = sps.ttest_ind(b_values, a_values, equal_var=False).confidence_interval(0.95)
    assert half < (welch.high - welch.low) / 2
    assert math.isclose(np.mean(b_values) - np.mean(a_values), walkin["difference"])


def _daily(tmp_path: Path, scenario: Path) -> list[float]:
    out = tmp_path / f"{scenario.stem}-days.json"
    assert run("simulate", str(scenario), "-q", "--json", str(out)) == 0
    values: list[float] = json.loads(out.read_text())["kpis"]["walkin_wait"]["values"]
    return values
