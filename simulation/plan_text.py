"""A staffing plan as text for the terminal and as the `plan` object of `plan --json`."""

from __future__ import annotations

from typing import Any

from simulation.plan import RosterPlan
from simulation.scenario_model import Interval, Scenario

__all__ = ["format_plan", "plan_summary"]


def _spans(scenario: Scenario, spans: tuple[Interval, ...]) -> list[list[str]]:
    return [[scenario.clock(s.start), scenario.clock(s.end)] for s in spans]


def _hours(scenario: Scenario, found: RosterPlan) -> list[str]:
    return [scenario.clock(60.0 * h) for h in range(len(found.required))]


def plan_summary(scenario: Scenario, found: RosterPlan) -> dict[str, Any]:
    """The `plan` object: per hour the comprehensive windows staffed (`windows`), the
    requirement, the stability floor and the Erlang C start; the people per pattern."""
    rules = scenario.plan_rules
    used = [
        {
            "name": p.name,
            "shifts": _spans(scenario, p.shifts),
            "breaks": _spans(scenario, p.breaks),
            "cost": p.cost,
            "people": n,
        }
        for p, n in zip(found.patterns, found.roster.counts, strict=True)
        if n > 0 or not found.generated
    ]
    return {
        "mode": "generated" if found.generated else "shift_patterns",
        "hours": _hours(scenario, found),
        "windows": list(found.coverage),
        "required": list(found.required),
        "stability_floor": list(found.floor),
        "analytic": list(found.analytic),
        "people": sum(found.roster.counts),
        "cost": found.roster.cost,
        "proven_cheapest": found.roster.optimal,
        "patterns": used,
        "rules": {
            "min_shift_hours": rules.min_shift_minutes / 60,
            "lunch_minutes": rules.lunch_minutes,
            "lunch_between": _spans(scenario, (rules.lunch_window,))[0],
            "lunch_after_hours": rules.lunch_after_minutes / 60,
        },
        "met": found.met,
        "evaluations": found.evaluations,
    }


def format_plan(scenario: Scenario, found: RosterPlan) -> str:
    """The roster (people per shift, with lunch) and the windows per hour, as text."""
    what = "generated shifts" if found.generated else "the scenario's shift patterns"
    proven = "" if found.roster.optimal else " (solver stopped at its limit: not proven)"
    lines = [
        f"排班 Roster: {sum(found.roster.counts)} people on {what}, "
        f"{found.roster.cost:g} paid hours{proven}:"
    ]
    for pattern, count in zip(found.patterns, found.roster.counts, strict=True):
        if count:
            lines.append(f"  {count:3d} × {pattern.name}")
    lines.append(
        "综合窗口每小时 Comprehensive windows per hour "
        "(Erlang C start / stability floor → required → staffed):"
    )
    for h, hour in enumerate(_hours(scenario, found)):
        lines.append(
            f"  {hour}  {found.analytic[h]:3d} / {found.floor[h]:5.2f} → "
            f"{found.required[h]:5.2f} → {found.coverage[h]:5.2f}"
        )
    lines.append(f"{found.evaluations} rosters simulated.")
    return "\n".join(lines)
