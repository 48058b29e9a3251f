"""Replication results summarised: per target mean, 95 % interval, verdict and share of days met.

`summarise_runs` returns the plain dict written by `tongban simulate --json` and read by
`report.render_report`; its shape is documented in docs/simulator.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from simulation.errors import InvalidInputError
from simulation.measure import DayResult
from simulation.runner import Runs
from simulation.scenario_model import Mode
from simulation.stats import Verdict, evaluate

__all__ = ["TARGET_KPIS", "all_met", "summarise_runs", "verdicts"]

TARGET_KPIS = ("appointment_wait_general", "appointment_wait_complex", "handling_time")


def _column(days: Sequence[DayResult], key: str) -> list[float | None]:
    return [day.kpis[key] for day in days]


def _mean_of(values: Sequence[float | None]) -> float | None:
    seen = [v for v in values if v is not None and not math.isnan(v)]
    return sum(seen) / len(seen) if seen else None


def _kpis(runs: Runs) -> dict[str, dict[str, Any]]:
    days = runs.days
    targets = runs.scenario.targets.as_targets()
    confidence = runs.scenario.targets.confidence
    kpis: dict[str, dict[str, Any]] = {}
    for key in TARGET_KPIS:
        kpis[key] = evaluate(_column(days, key), targets.get(key), confidence).to_dict()
    walk = evaluate(_column(days, "walkin_wait_mean"), targets.get("walkin_wait_mean"), confidence)
    walkin = walk.to_dict()
    p90 = evaluate(_column(days, "walkin_wait_p90"), targets.get("walkin_wait_p90"), confidence)
    longest = [v for v in _column(days, "walkin_wait_max") if v is not None]
    walkin["p90"] = p90.summary.mean if p90.summary is not None else None
    walkin["p90_ci95"] = p90.to_dict()["ci95"]
    walkin["max"] = max(longest) if longest else None
    kpis["walkin_wait"] = walkin
    if "walkin_wait_p90" in targets:
        kpis["walkin_wait_p90"] = p90.to_dict()
    kpis["utilisation"] = evaluate(_column(days, "utilisation"), None, confidence).to_dict()
    return kpis


def _windows(runs: Runs) -> list[dict[str, Any]]:
    plans = runs.scenario.window_plans()
    rows = []
    for w, plan in enumerate(plans):
        rows.append(
            {
                "number": plan.number,
                "name": plan.name,
                "kind": plan.kind.value,
                "skills": sorted(plan.skills),
                "utilisation": _mean_of([day.utilisation[w] for day in runs.days]),
                "served": sum(day.served[w] for day in runs.days) / len(runs.days),
            }
        )
    return rows


def _hourly(runs: Runs) -> list[dict[str, Any]]:
    scenario = runs.scenario
    start = scenario.run.warmup_minutes if runs.days and scenario.run.mode is Mode.STEADY else 0.0
    count = min(len(day.hours) for day in runs.days)
    rows = []
    for h in range(count):
        hours = [day.hours[h] for day in runs.days]
        rows.append(
            {
                "hour": scenario.clock(start + 60 * h),
                "arrivals": sum(x.arrivals for x in hours) / len(hours),
                "walkin_wait": _mean_of([x.walkin_wait for x in hours]),
                "appointment_wait": _mean_of([x.appointment_wait for x in hours]),
                "queue_length": sum(x.queue_length for x in hours) / len(hours),
                "windows_open": sum(x.windows_open for x in hours) / len(hours),
            }
        )
    return rows


def summarise_runs(runs: Runs) -> dict[str, Any]:
    """Summarise replications into the JSON-ready results dict (see docs/simulator.md).

    Raises InvalidInputError if there are no replications.
    """
    days = runs.days
    if not days:
        raise InvalidInputError("Cannot summarise: there are no replications.")
    scenario = runs.scenario
    return {
        "scenario": scenario.name,
        "seed": runs.seed,
        "replications": len(days),
        "mode": str(scenario.run.mode),
        "confidence": scenario.targets.confidence,
        "kpis": _kpis(runs),
        "citizens": {
            "arrivals": sum(d.arrivals for d in days) / len(days),
            "unserved": sum(d.unserved for d in days) / len(days),
        },
        "windows": _windows(runs),
        "hourly": _hourly(runs),
    }


def verdicts(results: dict[str, Any]) -> dict[str, str | None]:
    """The verdict of every KPI that has a target: "met", "not_met", "undecided" or None."""
    return {k: v.get("met") for k, v in results["kpis"].items() if v.get("target") is not None}


def all_met(results: dict[str, Any]) -> bool:
    """Whether every target with observations is met (an unobserved KPI cannot fail)."""
    return all(
        verdict == Verdict.MET
        for key, verdict in verdicts(results).items()
        if results["kpis"][key]["mean"] is not None
    )
