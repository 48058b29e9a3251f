"""The cheapest roster of given shift patterns that covers an hourly staffing requirement.

A shift pattern (`[plan] shift_patterns` in a scenario, or the patterns `shifts.py`
generates from the plan's rules) is a set of working intervals with a cost per person.
Person-on-pattern *p* is at a window for the share a[p][h] of hour *h* (1 for a whole
hour, 0.75 if a break takes a quarter of it). The roster is the number of people x[p] on
each pattern, and the problem is the small integer program

    minimise   Σ cost[p] · x[p]
    subject to Σ a[p][h] · x[p] ≥ required[h]   for every hour h,   x[p] ∈ {0, 1, 2, ...}

solved exactly by HiGHS's branch and cut (`scipy.optimize.milp`): a day of hours and a
few dozen patterns solve in milliseconds. (A hand-written depth-first branch and bound
did well on a handful of patterns but stopped at its node limit, unproven and sometimes
dearer, on the forty patterns the generated rosters use.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from simulation.errors import InvalidInputError
from simulation.scenario_model import ShiftPattern

__all__ = ["Roster", "cheapest_roster", "hourly_coverage"]

EPS = 1e-9
TIME_LIMIT = 30.0  # seconds; a roster found by then is used but not called proven


@dataclass(frozen=True)
class Roster:
    """People per pattern (in the patterns' order), the total cost, and whether it is proven
    the cheapest (False only when the time limit stopped the solver)."""

    counts: tuple[int, ...]
    cost: float
    optimal: bool = True


def hourly_coverage(pattern: ShiftPattern, hours: int, end: float) -> tuple[float, ...]:
    """The share of each hour from opening (the last one ends at `end`) someone on this
    pattern is at a window."""
    shares = []
    for h in range(hours):
        lo, hi = 60.0 * h, min(60.0 * (h + 1), end)
        worked = sum(max(0.0, min(s.end, hi) - max(s.start, lo)) for s in pattern.available())
        shares.append(worked / (hi - lo) if hi > lo else 0.0)
    return tuple(shares)


def cheapest_roster(
    required: Sequence[float],
    coverage: Sequence[Sequence[float]],
    costs: Sequence[float],
    time_limit: float = TIME_LIMIT,
) -> Roster:
    """Solve the covering program above for `coverage[p][h]` and `costs[p]`.

    Raises InvalidInputError if an hour needs staff that no pattern covers, or for a
    negative requirement or a cost that is not positive.
    """
    hours, count = len(required), len(costs)
    if any(len(row) != hours for row in coverage) or len(coverage) != count:
        raise InvalidInputError("coverage needs one row per pattern and one share per hour.")
    if any(not (math.isfinite(c) and c > 0) for c in costs):
        raise InvalidInputError("Shift pattern costs must be finite numbers > 0.")
    if any(not math.isfinite(r) or r < 0 for r in required):
        raise InvalidInputError("Requirements must be finite numbers >= 0.")
    for h, need in enumerate(required):
        if need > EPS and not any(row[h] > EPS for row in coverage):
            raise InvalidInputError(f"No shift pattern works in hour {h + 1} of the day.")
    if all(need <= EPS for need in required):
        return Roster((0,) * count, 0.0)
    matrix = np.asarray(coverage, dtype=np.float64).T
    result = milp(
        np.asarray(costs, dtype=np.float64),
        constraints=LinearConstraint(matrix, lb=np.asarray(required, dtype=np.float64) - EPS),
        integrality=np.ones(count),
        bounds=Bounds(0.0, np.inf),
        options={"time_limit": time_limit},
    )
    if result.x is None:  # pragma: no cover - a covered program always has a solution
        raise InvalidInputError(f"The roster program could not be solved: {result.message}")
    counts = tuple(round(float(x)) for x in result.x)
    cost = math.fsum(c * x for c, x in zip(costs, counts, strict=True))
    return Roster(counts, cost, bool(result.status == 0))
