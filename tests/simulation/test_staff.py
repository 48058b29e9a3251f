"""Staff-level rosters: who sits at which window when, and what they may handle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simulation.errors import ScenarioError
from simulation.plan import apply_roster, find_plan, replace_comprehensive, roster_for
from simulation.results import all_met
from simulation.roster import cheapest_roster, hourly_coverage
from simulation.runner import ReplicationPool
from simulation.scenario import Interval, WindowKind, load_scenario, parse_scenario
from simulation.scenario_model import ALL_MATTERS, WindowGroup
from tests.simulation.test_cli import run
from tests.simulation.test_engine import simulate

EXAMPLE = Path(__file__).parents[2] / "simulation" / "examples" / "street_centre_staff.toml"


def hall(staff: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "open": "09:00",
        "close": "13:00",
        "matters": [
            {"code": "A", "service": {"dist": "exponential", "mean": 4.0}, "walkin_share": 0.6},
            {"code": "B", "service": {"dist": "exponential", "mean": 6.0}, "walkin_share": 0.4},
        ],
        "windows": [{"count": 2}, {"kind": "specialised", "skills": ["B"]}],
        "walkins": {"per_hour": [30.0]},
        "staff": staff,
    }
    data.update(extra)
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data, source="roster.toml")
    return caught.value.lines()


def test_each_person_makes_a_window_open_with_the_skills_both_have() -> None:
    scenario = parse_scenario(
        hall(
            [
                {"name": "甲", "window": 1, "skills": ["A"], "shifts": [["09:00", "11:00"]]},
                {"name": "乙", "window": 1, "shifts": [["11:00", "13:00"]],
                 "breaks": [["12:00", "12:15"]]},
                {"name": "丙", "window": 3},
            ]
        )
    )  # fmt: skip
    plans = scenario.window_plans()
    assert [(p.number, p.skills, p.available) for p in plans] == [
        (1, frozenset({"A"}), (Interval(0.0, 120.0),)),
        (1, frozenset({ALL_MATTERS}), (Interval(120.0, 180.0), Interval(195.0, 240.0))),
        (3, frozenset({"B"}), (Interval(0.0, 240.0),)),
    ]  # window 2 has nobody: it stays closed
    assert plans[0].name.endswith("· 甲")
    assert plans[2].kind is WindowKind.SPECIALISED


def test_calls_follow_the_roster() -> None:
    scenario = load_scenario(EXAMPLE)
    model, arrivals, trace = simulate(scenario)
    plans = scenario.window_plans()
    assert len(plans) == len(scenario.staff) == 8
    for i in trace.order.tolist():
        seat = plans[int(trace.window[i]) - 1]
        now = float(trace.called[i]) / 60.0
        assert any(s.start <= now < s.end for s in seat.available), seat.name
        code = model.codes[int(arrivals.matter[i])]
        assert ALL_MATTERS in seat.skills or code in seat.skills, (seat.name, code)
    li = next(w for w, p in enumerate(plans) if p.name.endswith("李强"))  # no "L" matters
    called_there = trace.window == li + 1
    assert called_there.any()
    assert not np.any(arrivals.matter[called_there] == model.codes.index("L"))


@pytest.mark.parametrize(
    ("staff", "message"),
    [
        ([{"name": "甲", "window": 4}], "staff[0].window: is 4 but the windows are numbered 1"),
        ([{"window": 1}], "staff[0].name: is required"),
        ([{"name": "甲"}], "staff[0].window: is required"),
        ([{"name": "甲", "window": 1, "skills": ["Z"]}], "staff[0].skills: names unknown matter"),
        ([{"name": "甲", "window": 3, "skills": ["A"]}], "no matter in common with window 3"),
        (
            [{"name": "甲", "window": 1, "shifts": [["09:00", "11:00"]]},
             {"name": "乙", "window": 1, "shifts": [["10:30", "13:00"]]}],
            "staff[1]: window 1 already has 甲 then (staff[0])",
        ),
        (
            [{"name": "甲", "window": 1, "shifts": [["09:00", "11:00"]]},
             {"name": "甲", "window": 2, "shifts": [["10:00", "12:00"]]}],
            "staff[1]: 甲 is already at window 1 then (staff[0])",
        ),
        (
            [{"name": "甲", "window": 1, "breaks": [["13:30", "14:00"]]}],
            "staff[0].breaks[0]: must lie within one of the person's shifts",
        ),
        ([{"name": "甲", "window": 1, "skills": ["A"]}, {"name": "乙", "window": 2,
          "skills": ["A"]}], "staff: no one has the skill for matter 'B'"),
    ],
)  # fmt: skip
def test_roster_mistakes_are_reported(staff: list[dict[str, Any]], message: str) -> None:
    lines = problems(hall(staff))
    assert any(message in line for line in lines), lines


def test_windows_have_no_shifts_of_their_own_under_a_roster() -> None:
    data = hall([{"name": "甲", "window": 1}])
    data["windows"][0]["breaks"] = [["11:00", "11:30"]]
    assert any("windows[0]: has shifts or breaks" in line for line in problems(data))


def test_a_break_covering_a_whole_pattern_is_refused() -> None:
    data = hall([{"name": "甲", "window": 1}], plan={"shift_patterns": [
        {"name": "x", "shifts": [["09:00", "10:00"]], "breaks": [["09:00", "10:00"]]},
        {"name": "x", "shifts": [["09:00", "10:00"]], "cost": 0},
        {"name": "y"},
    ]})  # fmt: skip
    lines = problems(data)
    for message in (
        "plan.shift_patterns[0].breaks: leave no working time",
        "plan.shift_patterns[1].cost: must be > 0, got 0",
        "plan.shift_patterns[2].shifts: is required",
        "plan.shift_patterns: names must be unique",
    ):
        assert any(message in line for line in lines), (message, lines)


def test_replacing_comprehensive_windows_keeps_the_fixed_staff() -> None:
    scenario = load_scenario(EXAMPLE)
    planned = replace_comprehensive(
        scenario,
        [WindowGroup(3, frozenset({ALL_MATTERS}), WindowKind.COMPREHENSIVE,
                     (Interval(0.0, 240.0),), (), "plan")],
    )  # fmt: skip
    kinds = [g.kind for g in planned.windows for _ in range(g.count)]
    assert kinds[:3] == [WindowKind.COMPREHENSIVE] * 3
    fixed_before = {p.name: p for p in scenario.staff if p.window >= 5}
    fixed_after = {p.name: p for p in planned.staff if p.window >= 4}
    assert {n: (p.window + 1, p.shifts) for n, p in fixed_after.items()} == {
        n: (p.window, p.shifts) for n, p in fixed_before.items()
    }  # same people and shifts; windows renumbered after 3 planned ones (there were 4)
    assert [p.name for p in planned.staff[:3]] == ["plan 1", "plan 2", "plan 3"]


def test_roster_plan_is_cheapest_for_its_requirement_and_meets_the_targets(
    tmp_path: Path,
) -> None:
    scenario = load_scenario(EXAMPLE)
    with ReplicationPool(2) as pool:
        found = find_plan(scenario, replications=8, pool=pool)
    assert found.met
    assert all_met(found.results)
    hours = len(found.required)
    rows = [hourly_coverage(p, hours, scenario.arrival_minutes) for p in scenario.shift_patterns]
    costs = [p.cost for p in scenario.shift_patterns]
    assert found.roster == cheapest_roster(found.required, rows, costs)
    for h in range(hours):
        assert found.coverage[h] >= found.required[h] - 1e-9
    planned = apply_roster(scenario, found.roster.counts)
    assert roster_for(scenario, found.required)[0] == found.roster
    comprehensive = sum(g.count for g in planned.windows if g.kind is WindowKind.COMPREHENSIVE)
    assert comprehensive == sum(found.roster.counts)
    out, report = tmp_path / "planned.toml", tmp_path / "plan.json"
    assert run("plan", str(EXAMPLE), "-q", "-n", "8", "--output", str(out),
               "--json", str(report)) == 0  # fmt: skip
    summary = json.loads(report.read_text(encoding="utf-8"))["plan"]
    assert summary["mode"] == "shift_patterns"
    assert [p["people"] for p in summary["patterns"]] == list(found.roster.counts)
    again = load_scenario(out)
    assert again.staff[: sum(found.roster.counts)] == planned.staff[: sum(found.roster.counts)]
    assert run("simulate", str(out), "-q", "-n", "8") == 0
