"""Replication results summarised: every KPI of the vocabulary the simulator measures, with
its interval at the scenario's confidence level, verdict, share of days met and the value
of every replication; per class and per hour; and the stability of every hour.

`summarise_runs` returns the plain dict written by `tongban simulate --json` and read by
`report.render_report`; its shape is documented in docs/simulator.md.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from queueing.vocabulary import kpi
from simulation.errors import InvalidInputError
from simulation.guardrails import unstable_hours
from simulation.hourly import hourly_rows, worst_hour
from simulation.measure import DayResult
from simulation.runner import Runs
from simulation.stats import Target, Verdict, evaluate

__all__ = [
    "SIMULATED_KPIS",
    "acceptable",
    "all_met",
    "combined_verdict",
    "summarise_runs",
    "verdicts",
]

# The vocabulary's KPIs the simulator measures (it has no ratings, cases or outcomes).
SIMULATED_KPIS = (
    "appointment_wait_general",
    "appointment_wait_complex",
    "handling_time",
    "walkin_wait",
    "green_wait",
    "overtime",
    "utilisation",
    "arrivals",
    "served",
)
# Per-citizen statistics reported beside a KPI's daily mean, by their day-value keys.
_EXTRA = {
    "walkin_wait": ("p90", "max"),
    "green_wait": ("p90", "max"),
    "overtime": ("called_after_closing", "overtime_unavoidable"),
}


def _column(days: Sequence[DayResult], key: str) -> list[float | None]:
    return [day.kpis[key] for day in days]


def _mean_of(values: Sequence[float | None]) -> float | None:
    seen = [v for v in values if v is not None and not math.isnan(v)]
    return sum(seen) / len(seen) if seen else None


def combined_verdict(mean_met: str | None, share: float | None, required: float) -> str | None:
    """The verdict a planner reads: the interval's, but "not_met" when the target held on
    fewer than `required` of the days."""
    if mean_met is None:
        return None
    if share is not None and share < required - 1e-12:
        return str(Verdict.NOT_MET)
    return mean_met


def _entry(
    name: str, values: list[float | None], target: Target | None, level: float, required: float
) -> dict[str, Any]:
    definition = kpi(name)
    entry: dict[str, Any] = {"label": definition.label, "unit": str(definition.unit)}
    entry |= evaluate(values, target, level).to_dict()
    if target is not None:
        entry["mean_met"] = entry["met"]
        entry["share_required"] = required
        entry["met"] = combined_verdict(entry["met"], entry["share_met"], required)
    return entry


def _extra(entry: dict[str, Any], name: str, stat: str, days: Sequence[DayResult]) -> None:
    """Add a per-citizen statistic: p90 (mean of the daily 90th percentiles, with interval),
    max (the longest of any day) or a daily count."""
    values = _column(days, f"{name}_{stat}" if stat in ("p90", "max") else stat)
    summary = evaluate(values, None, entry["level"]).to_dict()
    if stat == "overtime_unavoidable" and entry.get("target") is not None:
        target = Target(entry["target"])  # would the target hold had nobody waited?
        share = sum(target.is_met_by(v) for v in values if v is not None) / len(values)
        entry["unavoidable_share_met"] = share
    if stat == "max":
        seen = [v for v in values if v is not None]
        entry["max"] = max(seen) if seen else None
    else:
        entry[stat] = summary["mean"]
        entry[f"{stat}_ci"] = summary["ci"]
    entry[f"{stat}_values"] = summary["values"]


def _kpis(runs: Runs) -> dict[str, dict[str, Any]]:
    scenario = runs.scenario
    targets = scenario.targets_by_kpi()
    level, required = scenario.targets.confidence, scenario.targets.share_of_days
    kpis: dict[str, dict[str, Any]] = {}
    for name in SIMULATED_KPIS:
        entry = _entry(name, _column(runs.days, name), targets.get(name), level, required)
        for stat in _EXTRA.get(name, ()):
            _extra(entry, name, stat, runs.days)
        kpis[name] = entry
    p90_target = targets.get("walkin_wait_p90")
    if p90_target is not None:
        judged = _entry("walkin_wait", _column(runs.days, "walkin_wait_p90"), p90_target,
                        level, required)  # fmt: skip
        walkin = kpis["walkin_wait"]
        for key in ("target", "met", "mean_met", "share_met"):
            walkin[f"p90_{key}"] = judged[key]
    return kpis


def _windows(runs: Runs) -> list[dict[str, Any]]:
    plans = runs.scenario.window_plans()
    rows = []
    for w, plan in enumerate(plans):
        rows.append(
            {
                "row": w + 1,
                "number": plan.number,
                "name": plan.name,
                "kind": plan.kind.value,
                "skills": sorted(plan.skills),
                "utilisation": _mean_of([day.utilisation[w] for day in runs.days]),
                "served": sum(day.served[w] for day in runs.days) / len(runs.days),
            }
        )
    return rows


def _stability(runs: Runs) -> dict[str, Any]:
    unstable = [load.to_dict() for load in unstable_hours(runs.scenario)]
    return {"stable": not unstable, "unstable_hours": unstable}


def _warnings(results: dict[str, Any]) -> list[str]:
    """Loud, bilingual notes a planner must not miss."""
    notes = []
    for hour in results["stability"]["unstable_hours"]:
        rho = "∞" if hour["rho"] is None else f"{hour['rho']:.2f}"
        notes.append(
            f"{hour['hour']}：负荷 {hour['offered_load']:.1f} 爱尔兰超过在岗窗口 "
            f"{hour['windows']:.1f} 个（ρ = {rho} ≥ 1），该时段队列只增不减。"
            f" {hour['hour']}: offered load {hour['offered_load']:.1f} Erlangs on "
            f"{hour['windows']:.1f} windows (ρ = {rho} ≥ 1): the queue grows all hour."
        )
    unserved = results["citizens"]["unserved"]
    if unserved:
        notes.append(
            f"平均每天 {unserved:.1f} 人未获办理。 {unserved:.1f} citizens a day were never served."
        )
    return notes


def summarise_runs(runs: Runs) -> dict[str, Any]:
    """Summarise replications into the JSON-ready results dict (see docs/simulator.md).

    Raises InvalidInputError if there are no replications.
    """
    days = runs.days
    if not days:
        raise InvalidInputError("Cannot summarise: there are no replications.")
    scenario = runs.scenario
    results: dict[str, Any] = {
        "scenario": scenario.name,
        "seed": runs.seed,
        "replications": len(days),
        "mode": str(scenario.run.mode),
        "confidence": scenario.targets.confidence,
        "share_required": scenario.targets.share_of_days,
        "kpis": _kpis(runs),
        "citizens": {
            "arrivals": sum(d.arrivals for d in days) / len(days),
            "unserved": sum(d.unserved for d in days) / len(days),
        },
        "stability": _stability(runs),
        "windows": _windows(runs),
        "hourly": hourly_rows(runs),
    }
    results["worst_hour"] = worst_hour(results["hourly"])
    results["warnings"] = _warnings(results)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, str | None]:
    """The verdict of every KPI that has a target: "met", "not_met", "undecided" or None."""
    found = {k: v.get("met") for k, v in results["kpis"].items() if v.get("target") is not None}
    walkin = results["kpis"].get("walkin_wait", {})
    if walkin.get("p90_target") is not None:
        found["walkin_wait_p90"] = walkin.get("p90_met")
    return found


def all_met(results: dict[str, Any]) -> bool:
    """Whether every target with observations is met on the required share of days (an
    unobserved KPI cannot fail)."""
    return all(verdict == Verdict.MET for verdict in verdicts(results).values() if verdict)


def acceptable(results: dict[str, Any]) -> bool:
    """Whether a plan can be trusted: every target met and every hour stable (ρ < 1)."""
    return all_met(results) and bool(results["stability"]["stable"])
