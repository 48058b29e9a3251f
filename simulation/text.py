"""Plain-text summaries of results for the terminal, bilingual where a planner reads them."""

from __future__ import annotations

from typing import Any

from queueing.vocabulary import KPIS

__all__ = ["format_results", "level_text", "number"]

_VERDICT = {"met": "达标 met", "not_met": "未达标 not met", "undecided": "待定 undecided"}


def number(value: object, digits: int = 2) -> str:
    """A number with `digits` decimals, or "—" for a missing value."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    if abs(value) < 0.5 * 10.0**-digits:
        value = 0.0  # never "-0.00" for a difference of rounding dust
    return f"{value:.{digits}f}"


def level_text(level: float) -> str:
    """A confidence level as a percentage: 0.95 → "95 %", 0.975 → "97.5 %"."""
    return f"{level * 100:.4g} %"


def _interval(ci: object) -> str:
    if isinstance(ci, list | tuple) and len(ci) == 2:
        return f"[{number(ci[0])}, {number(ci[1])}]"
    return "[—]"


def _kpi_line(name: str, entry: dict[str, Any]) -> str:
    definition = KPIS.get(name)
    label = definition.label if definition else name
    line = f"  {label}: mean {number(entry.get('mean'))} {_interval(entry.get('ci'))}"
    if "p90" in entry:
        line += f", p90 {number(entry['p90'])}, max {number(entry.get('max'))}"
    if "called_after_closing" in entry:
        line += f", called after closing {number(entry['called_after_closing'], 1)}/day"
    if entry.get("target") is not None:
        share = entry.get("share_met")
        days = f", on {share:.0%} of days" if isinstance(share, float) else ""
        symbol = "≤" if entry.get("direction") == "at most" else "≥"
        verdict = _VERDICT.get(str(entry.get("met")), "—")
        line += f"  target {symbol} {number(entry['target'])}: {verdict}{days}"
    if entry.get("p90_target") is not None:
        verdict = _VERDICT.get(str(entry.get("p90_met")), "—")
        line += f"; p90 target ≤ {number(entry['p90_target'])}: {verdict}"
    if entry.get("reason"):
        line += f"  ({entry['reason']})"
    return line


def format_results(results: dict[str, Any]) -> str:
    """The verdict table, the worst hour and every warning as plain text."""
    level = level_text(float(results.get("confidence", 0.95)))
    share = results.get("share_required")
    need = f"; each target must hold on ≥ {share:.0%} of days" if share is not None else ""
    lines = [
        f"{results['scenario']}: {results['replications']} replications ({results['mode']}), "
        f"{level} confidence intervals{need}"
    ]
    lines += [_kpi_line(name, entry) for name, entry in results["kpis"].items()]
    worst = results.get("worst_hour")
    if worst is not None:
        label = KPIS[worst["kpi"]].label
        lines.append(
            f"  最差时段 worst hour {worst['hour']}: {label} {number(worst['mean'])} min "
            f"{_interval(worst['ci'])}, target ≤ {number(worst['target'])}: "
            f"{_VERDICT.get(str(worst['met']), '—')}"
        )
    lines += [f"  警告 WARNING: {note}" for note in results.get("warnings", [])]
    return "\n".join(lines)
