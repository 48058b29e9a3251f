"""The cheapest roster of given shift patterns that covers an hourly staffing requirement.

A shift pattern (`[plan] shift_patterns` in a scenario) is a set of working intervals
with a cost per person. Person-on-pattern *p* is at a window for the share a[p][h] of
hour *h* (1 for a whole hour, 0.75 if a break takes a quarter of it). The roster is the
number of people x[p] on each pattern, and the problem is the small integer program

    minimise   Σ cost[p] · x[p]
    subject to Σ a[p][h] · x[p] ≥ required[h]   for every hour h,   x[p] ∈ {0, 1, 2, ...}

solved exactly by depth-first branch and bound: patterns are taken cheapest coverage
first, each count from the most useful down to zero, and a branch is cut when even the
cheapest remaining coverage of its worst hour cannot beat the best roster found. Scenario
sizes (a handful of patterns, a day of hours, tens of people) solve in milliseconds; a
node limit guards against pathological inputs (the answer is then flagged not proven).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simulation.errors import InvalidInputError
from simulation.scenario_model import ShiftPattern

__all__ = ["Roster", "cheapest_roster", "hourly_coverage"]

EPS = 1e-9
MAX_NODES = 2_000_000


@dataclass(frozen=True)
class Roster:
    """People per pattern (in the patterns' order), the total cost, and whether it is proven
    the cheapest (False only when the node limit stopped the search)."""

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
    max_nodes: int = MAX_NODES,
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
    return _Search(required, coverage, costs, max_nodes).run()


class _Search:
    """Depth-first branch and bound over the patterns (see the module docstring)."""

    def __init__(
        self,
        required: Sequence[float],
        coverage: Sequence[Sequence[float]],
        costs: Sequence[float],
        max_nodes: int,
    ) -> None:
        count = len(costs)

        def value(p: int) -> float:  # coverage bought per unit of cost
            return sum(coverage[p]) / costs[p]

        self.order = sorted(range(count), key=lambda p: (-value(p), p))
        self.rows = [tuple(coverage[p]) for p in self.order]
        self.costs = [costs[p] for p in self.order]
        hours = len(required)
        # cheapest[k][h]: the least cost of one hour-h unit from patterns k, k+1, ...
        self.cheapest = [[math.inf] * hours for _ in range(count + 1)]
        for k in range(count - 1, -1, -1):
            for h in range(hours):
                share = self.rows[k][h]
                own = self.costs[k] / share if share > EPS else math.inf
                self.cheapest[k][h] = min(own, self.cheapest[k + 1][h])
        self.required = list(required)
        self.best_cost = math.inf
        self.best: list[int] | None = None
        self.nodes = 0
        self.max_nodes = max_nodes
        self.counts = [0] * count

    def run(self) -> Roster:
        self._branch(0, self.required, 0.0)
        assert self.best is not None  # zero people meets a zero requirement; else feasible
        counts = [0] * len(self.best)
        for k, p in enumerate(self.order):
            counts[p] = self.best[k]
        cost = math.fsum(c * x for c, x in zip(self.costs, self.best, strict=True))
        return Roster(tuple(counts), cost, self.nodes <= self.max_nodes)

    def _branch(self, k: int, deficit: list[float], spent: float) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes and self.best is not None:
            return
        if all(d <= EPS for d in deficit):
            if spent < self.best_cost - EPS:
                self.best_cost, self.best = spent, list(self.counts)
            return
        if k == len(self.costs):
            return
        bound = spent + max(
            d * self.cheapest[k][h] if d > EPS else 0.0 for h, d in enumerate(deficit)
        )
        if bound >= self.best_cost - EPS:  # also cuts uncoverable branches (bound = inf)
            return
        row, cost = self.rows[k], self.costs[k]
        useful = max(
            (math.ceil(d / share - EPS) for d, share in zip(deficit, row, strict=True)
             if d > EPS and share > EPS),
            default=0,
        )  # fmt: skip
        for x in range(useful, -1, -1):
            self.counts[k] = x
            rest = [d - x * share for d, share in zip(deficit, row, strict=True)]
            self._branch(k + 1, rest, spent + x * cost)
        self.counts[k] = 0
