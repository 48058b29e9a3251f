"""Compare two scenarios on common random numbers: paired differences for every KPI.

Replication r of both scenarios uses stream r of the same seed, so both see the same
citizens with the same handling times; the difference B − A of each day's KPI is then
mostly the effect of what differs between the scenarios, and its interval is much
narrower than that of two independent runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from queueing.vocabulary import Direction, Unit, kpi
from simulation.results import SIMULATED_KPIS
from simulation.runner import Runs
from simulation.stats import evaluate
from simulation.text import level_text, number

__all__ = ["compare_runs", "format_comparison"]

DUST = 1e-9


def _values(runs: Runs, name: str) -> list[float | None]:
    return [day.kpis[name] for day in runs.days]


def _mean(values: Sequence[float | None]) -> float | None:
    seen = [v for v in values if v is not None]
    return math.fsum(seen) / len(seen) if seen else None


def _better(name: str, ci: list[float] | None) -> str | None:
    """Which scenario is better on KPI `name` ("a" or "b"), None if the interval holds 0
    or the KPI has no better side."""
    direction = kpi(name).direction
    if ci is None or direction is None or ci[0] <= 0.0 <= ci[1]:
        return None
    lower_is_better = direction is Direction.AT_MOST
    b_lower = ci[1] < 0.0
    return "b" if b_lower == lower_is_better else "a"


def _amount(name: str, difference: float, half: float | None) -> str:
    unit = kpi(name).unit
    spread = f" ± {number(half)}" if half is not None else ""
    if unit is Unit.FRACTION:
        spread = f" ± {number(half * 100, 1)}" if half is not None else ""
        return f"{number(abs(difference) * 100, 1)}{spread} percentage points"
    suffix = " min" if unit is Unit.MINUTES else ""
    return f"{number(abs(difference))}{spread}{suffix}"


def _verdict(name: str, entry: dict[str, Any]) -> str:
    definition = kpi(name)
    difference, better = entry["difference"], entry["better"]
    if difference is None:
        return f"{definition.label}：无观测 no observations"
    amount = _amount(name, difference, entry["half_width"])
    if better is not None:
        winner = "B" if better == "b" else "A"
        return f"{winner} 更好 {winner} is better on {definition.label} by {amount}"
    ci = entry["ci"]
    if ci is not None and not ci[0] <= 0.0 <= ci[1]:
        side, zh = ("higher", "更高") if difference > 0 else ("lower", "更低")
        return f"B 的{definition.label_zh}{zh} B is {side} on {definition.label_en} by {amount}"
    return f"{definition.label}：无显著差异 no significant difference ({number(difference)})"


def compare_runs(a: Runs, b: Runs, level: float = 0.95) -> dict[str, Any]:
    """Paired differences B − A per KPI with an interval at `level` and a verdict.

    The JSON shape is {"kpis": {NAME: {"a", "b", "difference", "ci": [lo, hi], "level", ...}}}.
    """
    kpis: dict[str, Any] = {}
    for name in SIMULATED_KPIS:
        left, right = _values(a, name), _values(b, name)
        pairs = [
            (x, y) for x, y in zip(left, right, strict=True) if x is not None and y is not None
        ]
        # The same citizens can give float dust (a handling time of (c + s) - c at another
        # call time c): below a nanominute a difference is none.
        differences = [0.0 if abs(y - x) < DUST else y - x for x, y in pairs]
        summary = evaluate(differences, None, level).to_dict()
        entry: dict[str, Any] = {
            "a": _mean(left),
            "b": _mean(right),
            "difference": summary["mean"],
            "ci": summary["ci"],
            "level": level,
            "half_width": summary.get("half_width"),
            "pairs": len(pairs),
            "unit": str(kpi(name).unit),
        }
        entry["better"] = _better(name, entry["ci"])
        entry["verdict"] = _verdict(name, entry)
        entry["differences"] = summary["values"]
        kpis[name] = entry
    return {
        "a": a.scenario.name,
        "b": b.scenario.name,
        "seed": a.seed,
        "replications": len(a.days),
        "level": level,
        "kpis": kpis,
    }


def format_comparison(comparison: dict[str, Any]) -> str:
    """The paired differences as plain text, one KPI a line."""
    lines = [
        f"A = {comparison['a']}",
        f"B = {comparison['b']}",
        f"{comparison['replications']} paired replications (seed {comparison['seed']}), "
        f"{level_text(comparison['level'])} intervals of B − A:",
    ]
    for name, entry in comparison["kpis"].items():
        ci = entry["ci"]
        interval = f"[{number(ci[0])}, {number(ci[1])}]" if ci else "[—]"
        lines.append(
            f"  {kpi(name).label}: A {number(entry['a'])}, B {number(entry['b'])}, "
            f"B − A {number(entry['difference'])} {interval}  → {entry['verdict']}"
        )
    return "\n".join(lines)
