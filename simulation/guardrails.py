"""Guardrails: the offered load hour by hour, the stability check, and inputs too big to run.

A queue whose offered load reaches its windows (ρ = a/c ≥ 1) grows without bound: in
steady state no answer exists, and in a hall day the queue of that hour spills into the
next ones. The check here is on the pooled load against every staffed window, which is
necessary, not sufficient (skills can overload one group of windows while others idle):
the simulation itself shows the rest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulation.arrivals import profile_rate
from simulation.errors import UnstableQueueError
from simulation.scenario_model import Mode, Scenario, WindowKind

__all__ = [
    "HourLoad",
    "check_steady_state",
    "hour_labels",
    "hourly_loads",
    "mean_service",
    "staffed_per_hour",
    "unstable_hours",
]


@dataclass(frozen=True)
class HourLoad:
    """One hour's offered load (Erlangs) against the windows staffed in it (on average)."""

    hour: int  # from the first measured hour
    label: str
    offered: float
    windows: float

    @property
    def rho(self) -> float:
        """Offered load per staffed window; infinite when work arrives and nobody is on."""
        if self.windows > 0:
            return self.offered / self.windows
        return math.inf if self.offered > 0 else 0.0

    @property
    def stable(self) -> bool:
        """ρ < 1: the hour's windows can keep up with its work."""
        return self.rho < 1.0

    def to_dict(self) -> dict[str, object]:
        """The JSON form: hour label, offered load, windows and ρ (null if infinite)."""
        rho = self.rho
        return {
            "hour": self.label,
            "offered_load": self.offered,
            "windows": self.windows,
            "rho": rho if math.isfinite(rho) else None,
            "stable": self.stable,
        }


def _measured_start(scenario: Scenario) -> float:
    return scenario.run.warmup_minutes if scenario.run.mode is Mode.STEADY else 0.0


def _hour_count(scenario: Scenario) -> int:
    return max(1, math.ceil(scenario.run.horizon_minutes / 60 - 1e-9))


def hour_labels(scenario: Scenario) -> list[str]:
    """Each measured hour's label: its clock time in day mode ("09:00"), else hours after
    the warm-up ("5 h"), which stays readable over a long steady-state horizon."""
    if scenario.run.mode is Mode.STEADY:
        return [f"{h} h" for h in range(_hour_count(scenario))]
    return [scenario.clock(60.0 * h) for h in range(_hour_count(scenario))]


def mean_service(scenario: Scenario, walkin_rate: float, booked_rate: float) -> float:
    """The mean handling time of a mix of walk-ins and appointment holders (per hour rates)."""
    weights = [
        m.walkin_share * walkin_rate + m.appointment_share * booked_rate for m in scenario.matters
    ]
    total = math.fsum(weights)
    if total <= 0:
        return math.fsum(m.service.mean for m in scenario.matters) / len(scenario.matters)
    pairs = zip(weights, scenario.matters, strict=True)
    return math.fsum(w * m.service.mean for w, m in pairs) / total


def _rates(scenario: Scenario, minute: float) -> tuple[float, float]:
    book = scenario.appointments
    walk = profile_rate(scenario.walkin_per_hour, minute)
    return walk, profile_rate(book.per_hour, minute) * (1 - book.no_show)


def staffed_per_hour(scenario: Scenario, kind: WindowKind | None = None) -> list[float]:
    """The average number of windows (of `kind`, or all) staffed in each measured hour."""
    start, end = _measured_start(scenario), scenario.arrival_minutes
    plans = [p for p in scenario.window_plans() if kind is None or p.kind is kind]
    staffed = []
    for h in range(_hour_count(scenario)):
        lo, hi = start + 60.0 * h, min(start + 60.0 * (h + 1), end)
        worked = math.fsum(
            max(0.0, min(s.end, hi) - max(s.start, lo)) for p in plans for s in p.available
        )
        staffed.append(worked / (hi - lo) if hi > lo else 0.0)
    return staffed


def hourly_loads(scenario: Scenario) -> list[HourLoad]:
    """The offered load (arrival rate × mean handling time) and staffed windows per hour."""
    start = _measured_start(scenario)
    windows = staffed_per_hour(scenario)
    loads = []
    for h, label in enumerate(hour_labels(scenario)):
        walk, booked = _rates(scenario, start + 60.0 * h + 1e-6)
        offered = (walk + booked) * mean_service(scenario, walk, booked) / 60.0
        loads.append(HourLoad(h, label, offered, windows[h]))
    return loads


def unstable_hours(scenario: Scenario) -> list[HourLoad]:
    """The hours whose offered load reaches their staffed windows (ρ ≥ 1)."""
    return [load for load in hourly_loads(scenario) if not load.stable]


def check_steady_state(scenario: Scenario) -> None:
    """Refuse a steady-state run whose offered load reaches its windows: no steady state exists.

    Raises UnstableQueueError naming the load, the windows and ρ.
    """
    if scenario.run.mode is not Mode.STEADY:
        return
    worst = max(hourly_loads(scenario), key=lambda load: load.rho)
    if not worst.stable:
        rho = "∞" if math.isinf(worst.rho) else f"{worst.rho:.2f}"
        raise UnstableQueueError(
            f"Cannot simulate a steady state: the offered load of {worst.offered:.1f} Erlangs "
            f"at {worst.label} reaches its {worst.windows:g} windows (ρ = {rho}), so the "
            "queue grows without bound; add windows or lower the arrival rate "
            f"（无法模拟稳态：负荷 ρ = {rho} ≥ 1，队列将无限增长；请增加窗口或降低到达率）。"
        )
