"""The simulator reads a hall file's day as the server does: issuing hours, daily caps,
and special windows' matters out of "*"."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulation.arrivals import ArrivalPlan, generate_arrivals
from simulation.scenario import load_scenario
from simulation.scenario_model import AppointmentBook, Interval

EXAMPLES = Path(__file__).resolve().parents[2] / "simulation" / "examples"


def test_a_hall_file_brings_its_issuing_hours_caps_and_special_matters() -> None:
    scenario = load_scenario(EXAMPLES / "demo_hall_config.toml")
    # Monday 09:00-12:00 and 13:00-17:00, tickets from 30 min before opening until 30 min
    # before closing; the scenario's day starts at 09:00 (minute 0).
    assert scenario.walkin_issuing == (Interval(0.0, 150.0), Interval(210.0, 450.0))
    assert scenario.walkin_caps == ((("RE-TRANSFER",), 60),)
    comprehensive = scenario.window_plans()[0]
    assert "NOT-DONE" not in comprehensive.skills
    assert "PICKUP" not in comprehensive.skills
    assert "SI-CARD" in comprehensive.skills
    assert scenario.window_plans()[23].skills == frozenset({"NOT-DONE"})


def walk_ins(**rules: object) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    plan = ArrivalPlan(
        horizon=480.0,
        walkin_per_hour=(60.0,) * 8,
        walkin_shares=(0.5, 0.5),
        green_shares=(0.0, 0.2),
        appointment_shares=(0.5, 0.5),
        book=AppointmentBook(per_hour=(0.0,)),
        **rules,  # type: ignore[arg-type]
    )
    found = generate_arrivals(np.random.default_rng(7), plan)
    return found.time, found.matter, found.green


def test_walk_ins_get_tickets_only_in_the_issuing_hours() -> None:
    every_time, _, _ = walk_ins()
    times, _, _ = walk_ins(issuing=((0.0, 150.0), (210.0, 450.0)))
    outside = (every_time >= 150.0) & (every_time < 210.0) | (every_time >= 450.0)
    # The same draws, less those who came while no ticket was issued.
    assert np.array_equal(times, every_time[~outside])
    assert outside.sum() > 0


def test_a_daily_cap_turns_away_ordinary_walk_ins_but_not_green_ones() -> None:
    every_time, every_matter, every_green = walk_ins()
    times, matter, green = walk_ins(caps=(((1,), 40),))
    ones = matter == 1
    assert (ones & ~green).sum() <= 40
    # The first 40 walk-ins of matter 1 are all issued, in order; later ones only if green.
    first = every_time[every_matter == 1][:40]
    assert np.array_equal(times[ones][:40], first)
    later = (every_matter == 1) & (every_time > first[-1])
    assert np.array_equal(times[ones][40:], every_time[later & every_green])
    assert np.array_equal(times[~ones], every_time[every_matter == 0])
