"""`tongban sweep`: a grid of windows × demand, each cell as if simulated on its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simulation.errors import InvalidInputError
from simulation.results import summarise_runs
from simulation.runner import run_replications
from simulation.scenario import WindowKind, load_scenario
from simulation.sweep import parse_demand, parse_windows, resize, scale_demand
from tests.simulation.test_cli import EXAMPLES, SMALL, run


def test_grid_options_are_read_or_refused() -> None:
    assert parse_windows("8..11") == [8, 9, 10, 11]
    assert parse_windows("8,10") == [8, 10]
    assert parse_demand("0.8,1.0,1.2") == [0.8, 1.0, 1.2]
    for bad in ("8..", "x", "0..3", ""):
        with pytest.raises(InvalidInputError, match="Cannot read --windows"):
            parse_windows(bad)
    for bad in ("0", "-1", "a", "nan"):
        with pytest.raises(InvalidInputError, match="Cannot read --demand"):
            parse_demand(bad)


def test_resizing_spreads_windows_over_the_groups_keeping_their_breaks() -> None:
    demo = load_scenario(EXAMPLES / "demo_weekday.toml")  # comprehensive 5 + 5 + 4 = 14
    groups = [g for g in resize(demo, 8).windows if g.kind is WindowKind.COMPREHENSIVE]
    assert [g.count for g in groups] == [3, 3, 2]
    assert [g.breaks for g in groups] == [
        g.breaks for g in demo.windows if g.kind is WindowKind.COMPREHENSIVE
    ]
    assert sum(g.count for g in resize(demo, 14).windows) == sum(g.count for g in demo.windows)
    assert scale_demand(demo, 1.5).walkin_per_hour[1] == 1.5 * demo.walkin_per_hour[1]


def test_each_cell_is_the_same_as_simulating_it_alone(tmp_path: Path) -> None:
    path, out, report = tmp_path / "small.toml", tmp_path / "sweep.json", tmp_path / "s.html"
    path.write_text(SMALL)
    assert run("sweep", str(path), "-q", "-n", "4", "-j", "2", "--windows", "3..4",
               "--demand", "0.8,1.2", "--json", str(out), "--report", str(report)) == 0  # fmt: skip
    grid = json.loads(out.read_text(encoding="utf-8"))
    assert (grid["windows"], grid["demand"]) == ([3, 4], [0.8, 1.2])
    assert [(c["windows"], c["demand"]) for c in grid["cells"]] == [
        (3, 0.8), (3, 1.2), (4, 0.8), (4, 1.2)
    ]  # fmt: skip
    scenario = load_scenario(path)
    for cell in grid["cells"]:
        alone = scale_demand(resize(scenario, cell["windows"]), cell["demand"])
        results = summarise_runs(run_replications(alone, 4))
        assert cell["kpis"]["walkin_wait"]["mean"] == results["kpis"]["walkin_wait"]["mean"]
        targets = alone.targets_by_kpi()
        days = zip(*(results["kpis"][n]["values"] for n in ("walkin_wait", "overtime")),
                   strict=True)  # fmt: skip
        judged = [
            all(v is None or targets[n].is_met_by(v) for n, v in zip(("walkin_wait",
                "overtime"), day, strict=True)) and _appointments_met(results, i)
            for i, day in enumerate(days)
        ]  # fmt: skip
        assert cell["share_of_days_met"] == sum(judged) / 4
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 1  # the heat map
    assert "全部目标同时达标的天数比例" in page


def _appointments_met(results: dict[str, object], day: int) -> bool:
    kpis = results["kpis"]
    assert isinstance(kpis, dict)
    checks = []
    for name in ("appointment_wait_general", "appointment_wait_complex", "handling_time",
                 "green_wait"):  # fmt: skip
        value, target = kpis[name]["values"][day], kpis[name].get("target")
        checks.append(value is None or target is None or value <= target)
    return all(checks)


def test_a_staff_roster_cannot_be_swept_by_window_counts(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = EXAMPLES / "street_centre_staff.toml"
    assert run("sweep", str(path), "-q", "-n", "2", "--windows", "3..4") == 2
    assert "Cannot sweep windows of a [[staff]] roster" in capsys.readouterr().err
