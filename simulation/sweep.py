"""Sweep a grid of comprehensive-window counts × demand factors: the share of days met per cell.

Each cell is the scenario with its comprehensive windows resized (spread over its window
groups in proportion, each group keeping its shifts and breaks) and every arrival rate
(walk-ins and bookings) multiplied by the demand factor. Every cell runs the same seed,
so neighbouring cells differ by the change alone (common random numbers), and all cells'
replications go to the executor at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from simulation.errors import InvalidInputError
from simulation.results import summarise_runs
from simulation.runner import Progress, ReplicationPool, Runs
from simulation.scenario_model import Scenario, WindowKind
from simulation.stats import Target

__all__ = ["SweepCell", "parse_demand", "parse_windows", "resize", "run_sweep", "scale_demand"]

_RANGE = re.compile(r"^\s*(\d+)\s*\.\.\s*(\d+)\s*$")


def parse_windows(text: str) -> list[int]:
    """ "8..14" → 8, 9, …, 14; "8,10,12" → those. Raises InvalidInputError otherwise."""
    match = _RANGE.match(text)
    try:
        values = (
            list(range(int(match.group(1)), int(match.group(2)) + 1))
            if match
            else [int(part) for part in text.split(",")]
        )
    except ValueError:
        values = []
    if not values or any(v < 1 for v in values):
        raise InvalidInputError(
            f"Cannot read --windows {text!r}: give a range like 8..14 or a list like 8,10,12 "
            "of at least 1（窗口数须为 8..14 或 8,10,12 形式）。"
        )
    return values


def parse_demand(text: str) -> list[float]:
    """ "0.8,1.0,1.2" → those factors. Raises InvalidInputError for anything else."""
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        values = []
    if not values or any(not (math.isfinite(v) and 0 < v <= 100) for v in values):
        raise InvalidInputError(
            f"Cannot read --demand {text!r}: give factors like 0.8,1.0,1.2, each above 0 "
            "（需求系数须为 0.8,1.0,1.2 形式）。"
        )
    return values


def resize(scenario: Scenario, windows: int) -> Scenario:
    """The scenario with `windows` comprehensive windows spread over its comprehensive groups
    in proportion (largest remainders), each group keeping its shifts and breaks.

    Raises InvalidInputError for a scenario with a [[staff]] roster or no comprehensive group.
    """
    if scenario.staff:
        raise InvalidInputError("Cannot sweep windows of a [[staff]] roster: size it by staff.")
    groups = [g for g in scenario.windows if g.kind is WindowKind.COMPREHENSIVE]
    if not groups:
        raise InvalidInputError("Cannot sweep windows: the scenario has no comprehensive ones.")
    total = sum(g.count for g in groups)
    shares = [windows * g.count / total for g in groups]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(len(groups)), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: windows - sum(counts)]:
        counts[i] += 1
    resized = iter(counts)
    new = []
    for group in scenario.windows:
        if group.kind is not WindowKind.COMPREHENSIVE:
            new.append(group)
        elif (count := next(resized)) > 0:
            new.append(replace(group, count=count))
    return replace(scenario, windows=tuple(new))


def scale_demand(scenario: Scenario, factor: float) -> Scenario:
    """The scenario with every walk-in and booking rate multiplied by `factor`."""
    book = scenario.appointments
    return replace(
        scenario,
        walkin_per_hour=tuple(r * factor for r in scenario.walkin_per_hour),
        appointments=replace(book, per_hour=tuple(r * factor for r in book.per_hour)),
    )


@dataclass(frozen=True)
class SweepCell:
    """One grid cell: its windows and demand, results, and the share of days met."""

    windows: int
    demand: float
    results: dict[str, Any]
    share_of_days: float  # days on which every target held at once

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: windows, demand, the share of days met, stability and every KPI."""
        kpis = {
            name: {k: entry.get(k) for k in ("mean", "ci", "level", "target", "met", "share_met")}
            for name, entry in self.results["kpis"].items()
        }
        return {
            "windows": self.windows,
            "demand": self.demand,
            "share_of_days_met": self.share_of_days,
            "stable": self.results["stability"]["stable"],
            "worst_hour": self.results["worst_hour"],
            "kpis": kpis,
        }


def days_met(runs: Runs) -> float:
    """The share of days on which every target with an observation that day held."""
    targets: dict[str, Target] = runs.scenario.targets_by_kpi()
    good = 0
    for day in runs.days:
        values = {name: day.kpis.get(name) for name in targets}  # walkin_wait_p90 included
        good += all(v is None or targets[name].is_met_by(v) for name, v in values.items())
    return good / len(runs.days)


def run_sweep(
    scenario: Scenario,
    windows: list[int],
    demand: list[float],
    replications: int | None,
    seed: int | None,
    pool: ReplicationPool,
    progress: Progress | None = None,
) -> list[SweepCell]:
    """Simulate every (windows, demand) cell, all at once on the pool, in grid order."""
    count = scenario.run.replications if replications is None else replications
    root = scenario.seed if seed is None else seed
    cells = [(w, d, scale_demand(resize(scenario, w), d)) for w in windows for d in demand]
    days = pool.run_many([(cell, count, root) for _, _, cell in cells], progress)
    found = []
    for (w, d, cell), cell_days in zip(cells, days, strict=True):
        runs = Runs(cell, root, cell_days)
        found.append(SweepCell(w, d, summarise_runs(runs), days_met(runs)))
    return found
