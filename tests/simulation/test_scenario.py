"""Scenario files: shipped examples load, defaults, derived plans, complete error reports."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from hall.catalogue.loader import demo_config_path
from simulation.distributions import Exponential, Lognormal
from simulation.errors import ScenarioError
from simulation.scenario import (
    Interval,
    MatterClass,
    Mode,
    Targets,
    WindowKind,
    load_scenario,
    parse_scenario,
)
from simulation.scenario_model import PlanRules, subtract
from simulation.stats import Direction

EXAMPLES = sorted((Path(__file__).parents[2] / "simulation" / "examples").glob("*.toml"))


def minimal(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "matters": [
            {"code": "G", "service": {"dist": "exponential", "mean": 4.0}, "walkin_share": 1.0}
        ],
        "windows": [{"count": 2}],
        "walkins": {"per_hour": [30.0]},
    }
    data.update(extra)
    return data


def problems(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data, source="bad.toml")
    return info.value.lines()


def test_examples_are_shipped() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"mmc20.toml", "demo_weekday.toml", "monday_peak.toml", "lunch_dip.toml"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_shipped_example_loads(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.matters
    assert scenario.window_plans()
    plan = scenario.arrival_plan()
    assert math.fsum(plan.walkin_shares) == pytest.approx(1.0)
    for matter in scenario.matters:
        assert any(w.serves(matter.code) for w in scenario.windows)


def test_mmc20_example() -> None:
    scenario = load_scenario(next(p for p in EXAMPLES if p.name == "mmc20.toml"))
    assert scenario.name == "M/M/20 check"
    assert scenario.seed == 1
    assert len(scenario.window_plans()) == 20
    assert scenario.walkin_per_hour == (250.0,)
    assert scenario.matters[0].service == Exponential(4.0)
    assert scenario.run.horizon_minutes == 480.0
    assert scenario.run.mode is Mode.DAY


def test_demo_weekday_is_a_district_hall() -> None:
    scenario = load_scenario(next(p for p in EXAMPLES if p.name == "demo_weekday.toml"))
    kinds = [w.kind for w in scenario.window_plans()]
    assert len(kinds) == 20
    assert kinds.count(WindowKind.COMPREHENSIVE) == 14
    assert kinds.count(WindowKind.GREEN) == 1
    walkins = sum(scenario.walkin_per_hour)
    booked = sum(scenario.appointments.per_hour) * (1 - scenario.appointments.no_show)
    assert 1800 <= walkins + booked <= 2200
    assert 0.25 <= booked / (walkins + booked) <= 0.35
    assert {m.matter_class for m in scenario.matters} == set(MatterClass)


def test_defaults() -> None:
    scenario = parse_scenario(minimal(), source="x/minimal.toml")
    assert scenario.name == "minimal"
    assert scenario.seed == 0
    assert (scenario.open_minute, scenario.close_minute) == (9 * 60, 17 * 60)
    assert scenario.run.replications == 30
    assert scenario.run.horizon_minutes == 480.0
    assert scenario.run.mode is Mode.DAY
    assert scenario.targets == Targets(10.0, 30.0, 20.0, 15.0, None, None, 30.0, 0.8, 0.95)
    assert scenario.targets_by_kpi()["green_wait"].value == 10.0  # the policy's green bound
    assert scenario.plan_rules == PlanRules()  # 4-hour shifts, 45-minute lunch in 11:00-14:00
    assert scenario.appointments.per_hour == (0.0,)
    assert scenario.policy == {}
    assert scenario.matters[0].appointment_share == 1.0
    assert scenario.matters[0].matter_class is MatterClass.GENERAL
    as_targets = scenario.targets_by_kpi()
    assert set(as_targets) == {
        "appointment_wait_general",
        "appointment_wait_complex",
        "handling_time",
        "walkin_wait",
        "green_wait",
        "overtime",
    }
    assert all(t.direction is Direction.AT_MOST for t in as_targets.values())


def test_steady_mode_is_inferred_from_warmup() -> None:
    scenario = parse_scenario(minimal(run={"warmup_minutes": 600, "horizon_minutes": 6000}))
    assert scenario.run.mode is Mode.STEADY
    assert scenario.arrival_minutes == 6600
    assert scenario.arrival_plan().horizon == 6600


def test_window_plans_subtract_breaks_from_shifts() -> None:
    windows = [
        {"count": 2, "skills": ["G"], "kind": "specialised", "name": "专窗",
         "shifts": [["13:00", "17:00"], ["09:00", "12:00"]], "breaks": [["10:00", "10:15"]]},
        {"count": 1, "kind": "green", "breaks": [["12:00", "12:30"]]},
    ]  # fmt: skip
    scenario = parse_scenario(minimal(windows=windows, open="08:30", close="17:30"))
    plans = scenario.window_plans()
    assert [p.number for p in plans] == [1, 2, 3]
    assert plans[0].name == "专窗"
    assert plans[2].name == "green 3"
    assert plans[0].available == (Interval(30, 90), Interval(105, 210), Interval(270, 510))
    assert plans[2].available == (Interval(0, 210), Interval(240, 540))
    assert scenario.clock(90) == "10:00"


def test_subtract() -> None:
    spans = (Interval(0, 100),)
    assert subtract(spans, ()) == spans
    assert subtract(spans, (Interval(-10, 10), Interval(50, 60), Interval(90, 200))) == (
        Interval(10, 50),
        Interval(60, 90),
    )
    assert subtract(spans, (Interval(0, 100),)) == ()


def test_policy_is_kept_as_a_plain_mapping_checked_by_the_queueing_core() -> None:
    knobs = {"walkin_ageing_minutes": 20.0, "priority_cap": 2}
    assert parse_scenario(minimal(policy=knobs)).policy == knobs
    lines = problems(minimal(policy={"priority_cap": 1.5, "green_first": True}))
    assert len(lines) == 2
    assert lines[0].startswith("bad.toml: policy.priority_cap: ")
    assert lines[1].startswith("bad.toml: policy.green_first: ")


def test_every_problem_is_reported_at_once() -> None:
    data = {
        "nmae": "typo",
        "open": "9am",
        "run": {"replications": 0, "horizon_minutes": 400},
        "matters": [
            {"code": "G", "class": "easy", "service": {"dist": "lognormal", "mean": -1, "cv": 0.5},
             "walkin_share": 0.5},
            {"code": "G", "service": {"dist": "exponential", "mean": 2}, "walkin_share": 0.2},
            {"code": "H", "service": {"dist": "exponential"}, "walkin_share": 0.3},
            {"code": "K", "service": {"dist": "deterministic", "mean": 1}, "walkin_share": 0.5},
        ],
        "windows": [
            {"count": 0, "skills": ["G", "Z"], "kind": "vip",
             "shifts": [["09:00", "12:00"], ["11:00", "13:00"]], "breaks": [["14:00", "14:30"]]},
            {"skills": ["G"], "shifts": [["12:00", "11:00"]]},
        ],
        "walkins": {"per_hour": [10.0, 20.0]},
        "appointments": {"per_hour": [1.0], "slot_minutes": 25, "no_show": 1.0,
                         "punctuality": {"sd": -1}},
        "targets": {"confidence": 1.5, "handling_time": 0},
    }  # fmt: skip
    lines = problems(data)
    expected = [
        "bad.toml: open: must be a clock time like \"09:00\", got '9am'",
        "bad.toml: run.replications: must be >= 1, got 0",
        "bad.toml: run.horizon_minutes: is 400 but the opening hours (close - open) are 480 "
        "minutes; in day mode set one of them only",
        "bad.toml: matters[0].class: must be one of general, complex; got 'easy'",
        "bad.toml: matters[0].service.mean: must be a finite number > 0, got -1",
        "bad.toml: matters[1].code: duplicates matter 'G'",
        "bad.toml: matters[2].service.mean: is required",
        "bad.toml: windows[0].count: must be >= 1, got 0",
        "bad.toml: windows[0].skills: names unknown matter 'Z'",
        "bad.toml: windows[0].kind: must be one of comprehensive, specialised, green; got 'vip'",
        "bad.toml: windows[0].shifts: intervals must not overlap",
        "bad.toml: windows[0].breaks[0]: must lie within one of the window's shifts",
        "bad.toml: windows[1].shifts[0]: must end after it starts, got ['12:00', '11:00']",
        "bad.toml: walkins.per_hour: has 2 values; give one (a constant rate) or one per hour (8)",
        "bad.toml: appointments.slot_minutes: must divide 60 (5, 10, 15, 20, 30, 60), got 25",
        "bad.toml: appointments.no_show: must be below 1 (somebody has to come)",
        "bad.toml: appointments.punctuality.sd: must be >= 0, got -1",
        "bad.toml: targets.handling_time: must be > 0, got 0",
        "bad.toml: targets.confidence: must be below 1, e.g. 0.95",
        "bad.toml: nmae: unknown key; did you mean 'name'?",
    ]
    assert sorted(lines) == sorted(expected)


def test_cross_checks_run_once_every_matter_is_valid() -> None:
    data = minimal(windows=[{"count": 1, "skills": ["G"]}])
    data["matters"][0]["walkin_share"] = 0.5
    data["matters"].append({"code": "K", "service": {"dist": "deterministic", "mean": 1},
                            "walkin_share": 0.4, "appointment_share": 0.0})  # fmt: skip
    data["appointments"] = {"per_hour": [2.0]}
    assert sorted(problems(data)) == [
        "bad.toml: matters: appointment_share values must add up to 1, they add up to 0.5",
        "bad.toml: matters: walkin_share values must add up to 1, they add up to 0.9",
        "bad.toml: windows: no window has the skill for matter 'K'",
    ]


def test_missing_sections() -> None:
    lines = problems({"walkins": {"per_hour": [1.0]}})
    assert "bad.toml: matters: at least one [[matters]] entry is required" in lines
    assert "bad.toml: windows: at least one [[windows]] entry is required" in lines
    assert "bad.toml: run: must be a table" in problems(minimal(run=5))
    assert "bad.toml: windows: must be an array of tables ([[windows]])" in problems(
        minimal(windows={"count": 1})
    )


def test_walkin_shares_must_add_up() -> None:
    data = minimal()
    data["matters"].append({"code": "H", "service": {"dist": "exponential", "mean": 1.0},
                            "walkin_share": 0.5})  # fmt: skip
    assert (
        "bad.toml: matters: walkin_share values must add up to 1, they add up to 1.5"
        in problems(data)
    )


def test_day_mode_rejects_warmup_and_close_before_open() -> None:
    lines = problems(
        minimal(run={"mode": "day", "warmup_minutes": 30}, open="17:00", close="09:00")
    )
    assert "bad.toml: close: must be later than open" in lines
    assert any(
        line.startswith("bad.toml: run.warmup_minutes: must be 0 in day mode") for line in lines
    )


def test_hall_config_problems_are_reported() -> None:
    lines = problems(minimal(hall_config="hall.toml", hall="district"))
    assert lines == ["bad.toml: hall_config: hall.toml: file not found"]
    assert problems(minimal(hall_config="demo", hall="nowhere")) == [
        f"bad.toml: hall: no hall 'nowhere' in {demo_config_path()}; it has district, street"
    ]
    assert problems(minimal(hall="district")) == [
        "bad.toml: hall_config: hall_config and hall go together"
    ]


def test_load_reports_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read the file"):
        load_scenario(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("name = \n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(broken)
    assert info.value.lines()[0].startswith(f"{broken}: not valid TOML")


def test_loaded_file_matches_parsed_mapping(tmp_path: Path) -> None:
    path = tmp_path / "lognormal.toml"
    path.write_text(
        'name = "t"\n[[matters]]\ncode = "C"\nclass = "complex"\n'
        'service = { dist = "lognormal", mean = 12.0, cv = 0.6 }\nwalkin_share = 1.0\n'
        "[[windows]]\ncount = 3\n[walkins]\nper_hour = [10.0]\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert scenario.matters[0].service == Lognormal(12.0, 0.6)
    assert scenario.matters[0].matter_class is MatterClass.COMPLEX
    assert scenario.source == str(path)


def test_targets_can_be_set_turned_off_and_the_old_walk_in_name_still_reads() -> None:
    targets = parse_scenario(minimal(targets={
        "walkin_wait": "off", "overtime": 20.0, "green_wait": 5.0, "share_of_days": 0.9,
        "walkin_wait_p90": 25.0,
    })).targets  # fmt: skip
    assert (targets.walkin_wait, targets.overtime, targets.green_wait) == (None, 20.0, 5.0)
    assert (targets.share_of_days, targets.walkin_wait_p90) == (0.9, 25.0)
    assert parse_scenario(minimal(targets={"walkin_wait_mean": 12.0})).targets.walkin_wait == 12.0
    lines = problems(minimal(targets={"green_wait": "off", "share_of_days": 1.5,
                                      "walkin_wait": 10.0, "walkin_wait_mean": 12.0}))  # fmt: skip
    assert any("bad.toml: targets.green_wait: cannot be off" in line for line in lines)
    assert any("targets.share_of_days: must be <= 1" in line for line in lines)
    assert any("walkin_wait_mean: is the older name of walkin_wait" in line for line in lines)


@pytest.mark.parametrize("rate", [1e12, 3e5])
def test_absurd_arrival_rates_are_refused_before_any_memory_is_spent(rate: float) -> None:
    lines = problems(minimal(walkins={"per_hour": [rate]}))
    assert len(lines) == 1
    assert lines[0].startswith("bad.toml: walkins.per_hour: gives about ")
    assert "more than the 2,000,000 the simulator holds; rates are citizens per hour" in lines[0]


def test_plan_rules_are_read_and_checked_against_shift_patterns() -> None:
    rules = parse_scenario(minimal(plan={
        "min_shift_hours": 3, "lunch_minutes": 60, "lunch_between": [["11:30", "13:30"]],
        "lunch_after_hours": 6,
    })).plan_rules  # fmt: skip
    assert rules == PlanRules(180.0, 60.0, Interval(150.0, 270.0), 360.0)
    lines = problems(minimal(plan={"shift_patterns": [
        {"name": "short", "shifts": [["09:00", "11:00"]]},
        {"name": "no lunch", "shifts": [["09:00", "17:00"]]},
        {"name": "ok", "shifts": [["09:00", "12:00"], ["13:00", "17:00"]]},
    ]}))  # fmt: skip
    assert lines == [
        "bad.toml: plan.shift_patterns[0].shifts: lasts 2 h, shorter than min_shift_hours",
        "bad.toml: plan.shift_patterns[1].shifts: lasts 8 h with no break of lunch_minutes "
        "(45 min)",
    ]
