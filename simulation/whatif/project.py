"""The what-if answer: the rest of today projected from the hall's state, with and without
the changes (the JSON of ``POST /api/halls/{hall}/whatif``, docs/api.md).

Each side has ``clear_at`` (when the last citizen is expected to leave, with the 10–90 %
range of the simulated days), ``kpis`` (every KPI of the vocabulary the simulator measures:
the mean over the simulated days with its confidence interval, the target and the
probability that today meets it), ``p_met`` (those probabilities by KPI), ``tickets`` (each
waiting ticket's expected call time with its 10–90 % range) and ``hourly`` (the mean number
waiting in each remaining hour). With no changes the scenario is the baseline itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from hall.analytics.snapshot import HallSnapshot
from queueing.vocabulary import kpi
from simulation.results import summarise_runs
from simulation.runner import Runs
from simulation.stats import evaluate
from simulation.whatif.changes import Question
from simulation.whatif.day import Day, build_day
from simulation.whatif.profile import Profile
from simulation.whatif.run import Outcome, Variant, draw, simulate, variant

__all__ = ["project"]

LOW, HIGH = 10, 90  # the percentiles of a range


class _Clock:
    def __init__(self, day: Day) -> None:
        self.zone = ZoneInfo(day.snapshot.timezone)
        self.origin = day.origin

    def __call__(self, seconds: float) -> str:
        moment = datetime.fromtimestamp(self.origin + seconds, self.zone)
        return moment.replace(microsecond=0).isoformat()


def _kpis(results: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for name, entry in results["kpis"].items():
        definition = kpi(name)
        found[name] = {
            "label": definition.label_en,
            "label_zh": definition.label_zh,
            "unit": entry["unit"],
            "mean": entry.get("mean"),
            "ci": entry.get("ci"),
            "level": entry.get("level"),
            "target": entry.get("target"),
            "direction": None if definition.direction is None else str(definition.direction),
            "p_met": entry.get("share_met") if entry.get("target") is not None else None,
            "reason": entry.get("reason"),
        }
    return found


def _tickets(day: Day, outcomes: list[Outcome], clock: _Clock) -> list[dict[str, Any]]:
    calls = np.vstack([o.calls for o in outcomes]) if outcomes and day.waiting_tickets else None
    found = []
    for i, ticket in enumerate(day.waiting_tickets):
        values = calls[:, i] if calls is not None else np.empty(0)
        seen = values[~np.isnan(values)]
        entry: dict[str, Any] = {
            "ticket": ticket.id,
            "number": ticket.number,
            "matter": ticket.matter,
            "p_called": float(seen.size / max(values.size, 1)),
        }
        if seen.size:
            low, high = np.percentile(seen, [LOW, HIGH]).tolist()
            mean = float(seen.mean())
            entry |= {"expected_call": clock(mean), "range": [clock(low), clock(high)],
                      "wait_minutes": max(mean - day.now, 0.0) / 60}  # fmt: skip
        else:
            entry |= {"expected_call": None, "range": None, "wait_minutes": None}
        found.append(entry)
    return found


def _hourly(day: Day, outcomes: list[Outcome], level: float, clock: _Clock) -> list[dict[str, Any]]:
    first = int(day.now // 3600)
    rows = []
    for h in range(first, len(outcomes[0].day.hours)):
        values: list[float | None] = [o.day.hours[h].queue_length for o in outcomes]
        summary = evaluate(values, None, level).to_dict()
        rows.append(
            {"hour": clock(h * 3600.0)[11:16], "queue": summary["mean"], "ci": summary["ci"]}
        )
    return rows


def _side(day: Day, v: Variant, outcomes: list[Outcome], seed: int) -> dict[str, Any]:
    clock = _Clock(day)
    results = summarise_runs(Runs(v.scenario, seed, tuple(o.day for o in outcomes)))
    clears = np.asarray([o.clear for o in outcomes])
    low, high = np.percentile(clears, [LOW, HIGH]).tolist()
    kpis = _kpis(results)
    return {
        "clear_at": clock(float(clears.mean())),
        "clear_range": [clock(low), clock(high)],
        "kpis": kpis,
        "p_met": {n: k["p_met"] for n, k in kpis.items() if k["target"] is not None},
        "tickets": _tickets(day, outcomes, clock),
        "hourly": _hourly(day, outcomes, v.scenario.targets.confidence, clock),
        "warnings": results["warnings"],
    }


def project(snapshot: HallSnapshot, profile: Profile, question: Question) -> dict[str, Any]:
    """Answer a what-if question about the rest of today (see the module's notes).

    Raises InvalidInputError when the hall is closed today.
    """
    day = build_day(snapshot, profile)
    demand = question.demand
    top = max(1.0, demand)
    base = variant(day, (), 1.0)
    changed = bool(question.changes)
    other = variant(day, question.changes, demand) if changed else base
    services = [m.service for m in base.scenario.matters]
    base_days: list[Outcome] = []
    other_days: list[Outcome] = []
    for r in range(question.replications):
        d = draw(day, services, question.seed, r, top)
        base_days.append(simulate(day, base, d, top))
        if changed:
            other_days.append(simulate(day, other, d, top))
    baseline = _side(day, base, base_days, question.seed)
    scenario = _side(day, other, other_days, question.seed) if changed else baseline
    clock = _Clock(day)
    return {
        "hall": snapshot.hall,
        "as_of": clock(snapshot.now - day.origin),
        "replications": question.replications,
        "seed": question.seed,
        "level": base.scenario.targets.confidence,
        "profile": {"source": profile.source, "source_zh": profile.source_zh},
        "changes": [c.to_json() for c in question.changes],
        "baseline": baseline,
        "scenario": scenario,
    }
