"""`tongban simulate` and `tongban plan` through the simulator's own argparse registration."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from queueing.vocabulary import KPIS
from simulation import cli
from simulation.plan import analytic_counts
from simulation.scenario import load_scenario

EXAMPLES = Path(__file__).parents[2] / "simulation" / "examples"

SMALL = """
name = "small"
seed = 3
open = "09:00"
close = "13:00"
[run]
replications = 8
[[matters]]
code = "A"
service = { dist = "exponential", mean = 5.0 }
walkin_share = 0.7
[[matters]]
code = "B"
class = "complex"
service = { dist = "lognormal", mean = 10.0, cv = 0.5 }
walkin_share = 0.3
[[windows]]
count = 4
[[windows]]
count = 1
kind = "specialised"
skills = ["B"]
[walkins]
per_hour = [30.0, 60.0, 50.0, 20.0]
[appointments]
per_hour = [6.0, 6.0, 6.0, 6.0]
[targets]
walkin_wait = 15.0
overtime = 30.0
"""


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="tongban")
    cli.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.run(args, object())
    return code


def test_simulate_writes_json_and_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, report = tmp_path / "out.json", tmp_path / "out.html"
    scenario = str(EXAMPLES / "demo_weekday.toml")
    assert run("simulate", scenario, "-n", "4", "--json", str(out), "--report", str(report)) == 0
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["replications"] == 4
    for key in ("appointment_wait_general", "appointment_wait_complex", "handling_time",
                "walkin_wait", "green_wait", "overtime"):  # fmt: skip
        kpi = results["kpis"][key]
        assert {"mean", "ci", "level", "target", "met", "share_met", "values"} <= kpi.keys()
        assert kpi["met"] in {"met", "not_met", "undecided"}
        assert len(kpi["values"]) == 4
    assert {"mean", "ci", "p90", "p90_ci", "max", "p90_values"} <= results["kpis"][
        "walkin_wait"
    ].keys()
    assert set(results["kpis"]) <= set(KPIS)  # the one vocabulary
    assert len(results["windows"]) == 20
    assert len(results["hourly"]) == 8
    assert results["hourly"][0]["hour"] == "09:00"
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    captured = capsys.readouterr()
    assert "4/4 replications" in captured.err
    assert "met" in captured.out


def test_a_kpi_without_observations_is_null_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "walkins.toml"
    path.write_text(SMALL.replace("per_hour = [6.0, 6.0, 6.0, 6.0]", "per_hour = [0.0]"))
    out = tmp_path / "out.json"
    assert run("simulate", str(path), "-q", "--json", str(out)) == 0
    kpi = json.loads(out.read_text(encoding="utf-8"))["kpis"]["appointment_wait_general"]
    assert kpi["mean"] is None
    assert kpi["ci"] is None
    assert "no observations" in kpi["reason"]


def test_a_bad_scenario_is_reported_not_raised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(SMALL.replace("walkin_share = 0.3", "walkin_share = 0.5"))
    assert run("simulate", str(path), "-q") == 2
    assert "add up to 1" in capsys.readouterr().err


def test_plan_finds_a_roster_meeting_every_target(tmp_path: Path) -> None:
    path, out = tmp_path / "small.toml", tmp_path / "planned.toml"
    path.write_text(SMALL)
    assert run("plan", str(path), "-q", "-j", "2", "--output", str(out)) == 0
    planned = load_scenario(out)
    again = tmp_path / "again.json"
    assert run("simulate", str(out), "-q", "--json", str(again)) == 0
    verdicts = {k: v.get("met") for k, v in json.loads(again.read_text())["kpis"].items()}
    assert verdicts["walkin_wait"] == "met"
    assert planned.windows[-1].kind.value == "specialised"


def test_the_analytic_start_has_a_count_per_hour() -> None:
    scenario = load_scenario(EXAMPLES / "demo_weekday.toml")
    start = analytic_counts(scenario)
    assert len(start) == 8
    assert all(n >= 1 for n in start)


def test_a_scenario_can_take_its_hall_from_a_hall_configuration() -> None:
    scenario = load_scenario(EXAMPLES / "demo_hall_config.toml")
    assert len(scenario.matters) == 28
    assert len(scenario.window_plans()) == 24
    assert scenario.window_plans()[0].available[0].end == 180.0  # closed 12:00-13:00
    assert run("simulate", str(EXAMPLES / "demo_hall_config.toml"), "-q", "-n", "3") == 0
