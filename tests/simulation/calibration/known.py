"""A hall with known parameters, and records of simulated weeks of it (the truth to recover)."""

from __future__ import annotations

import csv
import functools
from datetime import date
from pathlib import Path

from hall.analytics.export import TICKET_COLUMNS
from simulation.calibration.synthetic import SimulatedDay, simulate_days, workdays
from simulation.scenario import parse_scenario
from simulation.scenario_model import Scenario

RATES = [70.0, 100.0, 90.0, 50.0, 45.0, 85.0, 95.0, 75.0]
NO_SHOW = 0.12
EARLY_MEAN, EARLY_SD = 6.0, 5.0
SERVICES = {
    "SI-REG": ("lognormal", 4.0, 0.6),
    "RE-QUERY": ("gamma", 6.0, 0.5),
    "MI-RES": ("exponential", 3.0, 1.0),
}
KNOWN_TOML = f"""
name = "known hall"
seed = 11
open = "09:00"
close = "17:00"
[[matters]]
code = "SI-REG"
service = {{ dist = "lognormal", mean = 4.0, cv = 0.6 }}
walkin_share = 0.5
appointment_share = 0.4
green_share = 0.1
[[matters]]
code = "RE-QUERY"
class = "complex"
service = {{ dist = "gamma", mean = 6.0, cv = 0.5 }}
walkin_share = 0.2
appointment_share = 0.4
[[matters]]
code = "MI-RES"
service = {{ dist = "exponential", mean = 3.0 }}
walkin_share = 0.3
appointment_share = 0.2
[[windows]]
count = 5
breaks = [["12:00", "12:45"]]
[[windows]]
count = 4
breaks = [["12:45", "13:30"]]
[[windows]]
count = 1
kind = "specialised"
skills = ["RE-QUERY"]
[walkins]
per_hour = {RATES}
[appointments]
per_hour = [10.0]
slot_minutes = 30
no_show = {NO_SHOW}
punctuality = {{ early_mean = {EARLY_MEAN}, sd = {EARLY_SD} }}
"""
FIRST_DAY = date(2026, 9, 7)  # a Monday
DAYS = 20  # four weeks of weekdays to fit on
HELD_OUT = 5  # and one more week for the back-test


def known_scenario() -> Scenario:
    import tomllib

    return parse_scenario(tomllib.loads(KNOWN_TOML), source="known.toml")


@functools.cache
def known_days() -> tuple[SimulatedDay, ...]:
    """Five weeks of weekdays of the known hall, simulated once per test process."""
    return tuple(simulate_days(known_scenario(), workdays(FIRST_DAY, DAYS + HELD_OUT)))


def write_csv(path: Path, days: tuple[SimulatedDay, ...]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(TICKET_COLUMNS)
        for day in days:
            writer.writerows(day.rows)
    return path
