"""Guardrails: unstable hours named, steady states that cannot exist refused, absurd inputs
reported in one sentence (never a traceback or a confident number)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulation.errors import UnstableQueueError
from simulation.guardrails import check_steady_state, hourly_loads, unstable_hours
from simulation.runner import run_replications
from simulation.scenario import parse_scenario
from tests.simulation.test_cli import run

STEADY = """
[run]
mode = "steady"
warmup_minutes = 60.0
horizon_minutes = 600.0
[[matters]]
code = "A"
service = { dist = "exponential", mean = 5.0 }
walkin_share = 1.0
[[windows]]
count = 4
[walkins]
per_hour = [120.0]
"""  # offered load 120/h × 5 min = 10 Erlangs on 4 windows: ρ = 2.5


def test_a_steady_state_with_rho_above_one_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, out = tmp_path / "steady.toml", tmp_path / "out.json"
    path.write_text(STEADY)
    assert run("simulate", str(path), "-q", "--json", str(out)) == 2
    err = capsys.readouterr()
    assert "Cannot simulate a steady state" in err.err
    assert "ρ = 2.50" in err.err
    assert "Traceback" not in err.err
    assert err.out == ""  # no numbers at all
    assert not out.exists()
    with pytest.raises(UnstableQueueError):
        run_replications(parse_scenario({"run": {"mode": "steady", "warmup_minutes": 60.0},
                                         **_tables()}), 1)  # fmt: skip


def _tables() -> dict[str, object]:
    return {
        "matters": [{"code": "A", "service": {"dist": "exponential", "mean": 5.0},
                     "walkin_share": 1.0}],
        "windows": [{"count": 4}],
        "walkins": {"per_hour": [48.0]},  # exactly 4 Erlangs on 4 windows: ρ = 1
    }  # fmt: skip


def test_an_absurd_rate_is_one_sentence_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "huge.toml"
    path.write_text(STEADY.replace("per_hour = [120.0]", "per_hour = [1e12]"))
    assert run("simulate", str(path), "-q") == 2
    err = capsys.readouterr().err
    # 1e12 an hour over the warm-up and horizon (660 minutes) is 1.1e13 citizens.
    assert "walkins.per_hour: gives about 1.1e+13 citizens a replication" in err
    assert "Traceback" not in err


def test_an_overloaded_hour_of_a_day_is_named_with_its_load() -> None:
    scenario = parse_scenario({
        "open": "09:00", "close": "12:00",
        "matters": [{"code": "A", "service": {"dist": "exponential", "mean": 6.0},
                     "walkin_share": 1.0}],
        "windows": [{"count": 3}, {"count": 1, "shifts": [["09:00", "10:00"]]}],
        "walkins": {"per_hour": [30.0, 36.0, 20.0]},
    })  # fmt: skip
    loads = hourly_loads(scenario)
    # λ·E[S] by hand: 30/60·6 = 3, 36/60·6 = 3.6, 20/60·6 = 2 Erlangs on 4, 3, 3 windows.
    assert [(x.label, x.offered, x.windows) for x in loads] == [
        ("09:00", pytest.approx(3.0), 4.0), ("10:00", pytest.approx(3.6), 3.0),
        ("11:00", pytest.approx(2.0), 3.0),
    ]  # fmt: skip
    assert [x.label for x in unstable_hours(scenario)] == ["10:00"]
    check_steady_state(scenario)  # a day may be overloaded for an hour: no error, a warning
    results = json.loads(json.dumps(_summary(scenario)))
    assert results["stability"]["stable"] is False
    assert results["stability"]["unstable_hours"][0]["rho"] == pytest.approx(1.2)
    assert results["warnings"][0].startswith("10:00：负荷 3.6 爱尔兰")
    assert "10:00: offered load 3.6 Erlangs on 3.0 windows (ρ = 1.20 ≥ 1)" in results["warnings"][0]
    assert [row["stable"] for row in results["hourly"]] == [True, False, True]


def _summary(scenario: object) -> dict[str, object]:
    from simulation.results import summarise_runs

    return summarise_runs(run_replications(scenario, 2))  # type: ignore[arg-type]
