"""Hour-by-hour results: per-class waits with intervals and verdicts, load and stability.

A day that meets its targets on average can still break them for an hour (the lunch hour,
the morning peak); these rows show each hour by the arrival hour of its citizens, and
`worst_hour` names the hour furthest over a target.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from simulation.guardrails import hourly_loads
from simulation.measure import WAIT_CLASSES
from simulation.runner import Runs
from simulation.stats import Target, evaluate

__all__ = ["hourly_rows", "worst_hour"]


def _class_entry(values: list[float | None], target: float | None, level: float) -> dict[str, Any]:
    result = evaluate(values, None if target is None else Target(target), level).to_dict()
    entry = {"mean": result["mean"], "ci": result["ci"], "level": level, "n": result["n"]}
    if target is not None:
        entry |= {"target": target, "met": result["met"], "share_met": result["share_met"]}
    return entry


def hourly_rows(runs: Runs) -> list[dict[str, Any]]:
    """One row per measured hour: arrivals, offered load, staffed windows, ρ, stability,
    mean queue length, and each wait class's mean with interval and verdict."""
    scenario = runs.scenario
    targets = scenario.targets_by_kpi()
    level = scenario.targets.confidence
    loads = hourly_loads(scenario)
    count = min(min(len(day.hours) for day in runs.days), len(loads))
    rows = []
    for h in range(count):
        hours = [day.hours[h] for day in runs.days]
        load = loads[h].to_dict()
        classes = {}
        for name in WAIT_CLASSES:
            target = targets.get(name)
            values = [x.waits[name] for x in hours]
            classes[name] = _class_entry(values, None if target is None else target.value, level)
        rows.append(
            {
                "hour": load["hour"],
                "arrivals": sum(x.arrivals for x in hours) / len(hours),
                "offered_load": load["offered_load"],
                "windows_open": sum(x.windows_open for x in hours) / len(hours),
                "rho": load["rho"],
                "stable": load["stable"],
                "queue_length": sum(x.queue_length for x in hours) / len(hours),
                "kpis": classes,
            }
        )
    return rows


def worst_hour(rows: list[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The hour and wait class whose mean is furthest above its target (as a ratio), or None
    when no hour has a targeted wait with observations."""
    worst: dict[str, Any] | None = None
    for row in rows:
        for name, entry in row["kpis"].items():
            mean, target = entry.get("mean"), entry.get("target")
            if mean is None or not target:
                continue
            ratio = mean / target
            if worst is None or ratio > worst["ratio"]:
                worst = {"hour": row["hour"], "kpi": name, "mean": mean, "ci": entry["ci"]}
                worst |= {"target": target, "met": entry["met"], "ratio": ratio}
    return worst
