"""`tongban plan`: rosters of people that keep every hour stable and meet every target."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from simulation.plan import find_plan
from simulation.runner import ReplicationPool
from simulation.scenario import WindowKind, load_scenario, parse_scenario
from simulation.shifts import generated_patterns
from tests.simulation.test_cli import EXAMPLES, run
from tests.simulation.test_priority import cobham

RATES = [60.0, 150.0, 210.0, 120.0, 90.0]  # walk-ins per hour
SERVICE = 4.0
TARGET = 0.5  # minutes, mean walk-in wait: two windows above the load in every hour


def erlang_c_windows(per_hour: float) -> int:
    """The fewest windows whose M/M/c mean wait is within TARGET (one class of Cobham)."""
    servers = math.floor(per_hour / 60 * SERVICE) + 1
    while cobham(servers, [per_hour / 60], SERVICE)[0] > TARGET:
        servers += 1
    return servers


def test_plan_lands_within_one_window_of_erlang_c_and_never_below_the_load() -> None:
    scenario = parse_scenario({
        "seed": 2, "open": "09:00", "close": "14:00",
        "run": {"replications": 10},
        "matters": [{"code": "A", "service": {"dist": "exponential", "mean": SERVICE},
                     "walkin_share": 1.0}],
        "windows": [{"count": 1}],
        "walkins": {"per_hour": RATES},
        "targets": {"walkin_wait": TARGET, "overtime": "off"},
        "plan": {"min_shift_hours": 1, "lunch_minutes": 0},  # hours may differ freely
    })  # fmt: skip
    with ReplicationPool(2) as pool:
        found = find_plan(scenario, pool=pool)
    assert found.met
    expected = [erlang_c_windows(rate) for rate in RATES]
    floor = [math.floor(rate / 60 * SERVICE) + 1 for rate in RATES]  # the fewest with ρ < 1
    assert all(e >= f + 2 for e, f in zip(expected, floor, strict=True))  # so the test can fail
    for hour, (staffed, rate) in enumerate(zip(found.coverage, RATES, strict=True)):
        assert abs(staffed - expected[hour]) <= 1, (hour, found.coverage, expected)
        assert staffed > rate / 60 * SERVICE  # above the offered load: ρ < 1


def test_planned_people_work_one_piece_with_lunch(tmp_path: Path) -> None:
    scenario = load_scenario(EXAMPLES / "demo_weekday.toml")
    rules = scenario.plan_rules
    for pattern in generated_patterns(scenario):
        assert len(pattern.shifts) == 1  # no fragments such as 10-13 plus 15-16
        span = pattern.shifts[0]
        assert span.minutes >= rules.min_shift_minutes
        if span.minutes > rules.lunch_after_minutes:
            (lunch,) = pattern.breaks
            assert lunch.minutes == rules.lunch_minutes
            assert rules.lunch_window.start <= lunch.start < lunch.end <= rules.lunch_window.end
        else:
            assert pattern.breaks == ()


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    folder = tmp_path_factory.mktemp("plan")
    out, report, page = folder / "planned.toml", folder / "plan.json", folder / "plan.html"
    assert run("plan", str(EXAMPLES / "demo_weekday.toml"), "-q", "-j", "2", "--output",
               str(out), "--json", str(report), "--report", str(page)) == 0  # fmt: skip
    results = json.loads(report.read_text(encoding="utf-8"))
    html = page.read_text(encoding="utf-8")
    assert f"排班 Roster: {results['plan']['people']} 人 people" in html
    return out, results


def test_the_demo_plan_keeps_every_hour_stable_with_lunch_breaks(
    demo_plan: tuple[Path, dict[str, object]],
) -> None:
    out, results = demo_plan
    plan = results["plan"]
    assert isinstance(plan, dict)
    assert plan["hours"] == [f"{h:02d}:00" for h in range(9, 17)]
    assert len(plan["windows"]) == 8
    assert results["stability"] == {"stable": True, "unstable_hours": []}  # type: ignore[comparison-overlap]
    kpis = results["kpis"]
    assert isinstance(kpis, dict)
    for name in ("walkin_wait", "overtime", "green_wait", "appointment_wait_general"):
        assert kpis[name]["target"] is not None
        assert kpis[name]["met"] == "met"
        assert kpis[name]["share_met"] >= 0.8
    planned = load_scenario(out)
    for group in planned.windows:
        if group.kind is WindowKind.COMPREHENSIVE:
            assert group.shifts is not None
            assert len(group.shifts) == 1
            if group.shifts[0].minutes > planned.plan_rules.lunch_after_minutes:
                assert len(group.breaks) == 1


def test_the_demo_plan_holds_with_another_seed(
    demo_plan: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    out, results = demo_plan
    again = tmp_path / "again.json"
    seed = int(results["seed"]) + 1  # type: ignore[call-overload]
    assert run("simulate", str(out), "-q", "--seed", str(seed), "--json", str(again)) == 0
    kpis = json.loads(again.read_text(encoding="utf-8"))["kpis"]
    assert kpis["walkin_wait"]["met"] == "met"
    assert kpis["overtime"]["met"] == "met"
