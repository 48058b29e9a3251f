"""The back-test: does the calibrated scenario reproduce the days it was not fitted on?

The held-out days' KPIs are computed from their records by the vocabulary's own functions
(`queueing.kpi`, as the dashboard computes them); the scenario is simulated (replications
on the simulator's streams) and each KPI's daily values give a mean m and a spread s. If
the model is right, the mean of the N held-out days differs from m by noise of variance
s²/N (the held-out days), s²/R (the replications) and about s²/T (the T fitted days the
parameters were estimated from). The KPI is reproduced when the observed mean lies within
m ± t·s·√(1/N + 1/R + 1/T), at a level corrected for testing several KPIs at once
(Bonferroni: 1 − α/k each, so a right model fails somewhere with probability ≤ α).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus, kpi
from simulation.calibration.records import OUTCOMES, Records
from simulation.runner import ReplicationPool
from simulation.scenario_model import Scenario
from simulation.stats import t_critical

__all__ = ["BACKTEST_KPIS", "Backtest", "KpiCheck", "backtest", "observed_kpis"]

BACKTEST_KPIS = (
    "walkin_wait",
    "green_wait",
    "appointment_wait_general",
    "appointment_wait_complex",
    "handling_time",
    "arrivals",
)
ALPHA = 0.05
_STATUS = {"no_show": TicketStatus.NO_SHOW, "cancelled": TicketStatus.CANCELLED}
_OUTCOME = {o.value: o for o in Outcome}


@dataclass(frozen=True)
class KpiCheck:
    """One KPI of the back-test: observed held-out days against the model."""

    name: str
    observed: list[float | None]  # per held-out day
    observed_mean: float | None
    model_mean: float | None
    model_sd: float | None
    low: float | None
    high: float | None
    reproduced: bool | None  # None: nothing to compare (no observations on either side)


@dataclass(frozen=True)
class Backtest:
    """The back-test's verdict, per KPI and overall."""

    days: int
    replications: int
    training_days: int
    level: float  # per KPI, after the correction
    checks: list[KpiCheck]

    @property
    def missed(self) -> list[str]:
        return [c.name for c in self.checks if c.reproduced is False]

    @property
    def passed(self) -> bool:
        return not self.missed


def _ticket(records: Records, i: int) -> Ticket:
    def sec(values: np.ndarray) -> float | None:
        value = float(values[i])
        return None if math.isnan(value) else value * 60.0

    outcome = OUTCOMES[int(records.outcome[i])]
    finished = outcome in _OUTCOME
    return Ticket(
        id=str(i),
        number=str(i),
        matter=records.codes[int(records.matter[i])],
        matter_class=records.classes[int(records.matter[i])]
        if records.classes
        else MatterClass.GENERAL,
        source=Source.APPOINTMENT if records.appointment[i] else Source.WALK_IN,
        issued_at=sec(records.issued) or 0.0,
        green=bool(records.green[i]),
        status=TicketStatus.FINISHED if finished else _STATUS.get(outcome, TicketStatus.WAITING),
        due_at=sec(records.slot) if records.appointment[i] else None,
        checked_in_at=sec(records.checked_in),
        first_called_at=sec(records.called),
        started_at=sec(records.started),
        finished_at=sec(records.finished),
        outcome=_OUTCOME.get(outcome),
    )


def observed_kpis(records: Records) -> dict[str, float | None]:
    """One day's KPIs from its records, by the vocabulary's functions (queueing.kpi)."""
    tickets = [_ticket(records, i) for i in np.flatnonzero(~records.ticketless).tolist()]
    return {
        "walkin_wait": kpi.mean(kpi.walk_in_waits(tickets)),
        "green_wait": kpi.mean(kpi.green_waits(tickets)),
        "appointment_wait_general": kpi.mean(kpi.appointment_waits(tickets, MatterClass.GENERAL)),
        "appointment_wait_complex": kpi.mean(kpi.appointment_waits(tickets, MatterClass.COMPLEX)),
        "handling_time": kpi.mean(kpi.handling_times(tickets)),
        "arrivals": float(len(tickets)),
    }


def _check(name: str, observed: list[float | None], simulated: list[float | None],
           training: int, level: float) -> KpiCheck:  # fmt: skip
    seen = [v for v in observed if v is not None]
    model = [v for v in simulated if v is not None]
    if not seen or len(model) < 2:
        return KpiCheck(name, observed, None, None, None, None, None, None)
    o_mean, m_mean = float(np.mean(seen)), float(np.mean(model))
    sd = float(np.std(model, ddof=1))
    half = (
        t_critical(level, len(model) - 1)
        * sd
        * math.sqrt(1 / len(seen) + 1 / len(model) + 1 / max(training, 1))
    )
    low, high = m_mean - half, m_mean + half
    return KpiCheck(name, observed, o_mean, m_mean, sd, low, high, low <= o_mean <= high)


def backtest(
    scenario: Scenario,
    held_out: Sequence[Records],
    training_days: int,
    replications: int = 30,
    seed: int | None = None,
    pool: ReplicationPool | None = None,
) -> Backtest:
    """Simulate the scenario and compare it with each held-out day's records."""
    root = scenario.seed if seed is None else seed
    own = pool or ReplicationPool(1)
    try:
        days = own.run(scenario, replications, root)
    finally:
        if pool is None:
            own.close()
    observed = [observed_kpis(day) for day in held_out]
    level = 1 - ALPHA / len(BACKTEST_KPIS)
    checks = [
        _check(
            name, [o[name] for o in observed], [d.kpis[name] for d in days], training_days, level
        )
        for name in BACKTEST_KPIS
    ]
    return Backtest(len(held_out), replications, training_days, level, checks)
