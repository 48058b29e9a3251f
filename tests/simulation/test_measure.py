"""The simulator's KPIs (computed on arrays) equal the `queueing.kpi` functions on tickets.

Each day is measured twice: by `measure_day` (numpy arrays, what every replication uses)
and by the queueing core's KPI functions on the ticket record of every citizen, built as
the live hall stores them. Every value must be *equal*, not merely close.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from queueing import MatterClass, Ticket, TicketStatus, kpi
from queueing.policy import MINUTE
from simulation.measure import HOUR, build_records, measure_day, open_intervals
from simulation.scenario import Scenario, load_scenario, parse_scenario
from tests.simulation.test_engine import simulate, skilled_hall

EXAMPLES = Path(__file__).parents[2] / "simulation" / "examples"


def steady_mm5() -> Scenario:
    return parse_scenario(
        {
            "run": {"mode": "steady", "warmup_minutes": 60.0, "horizon_minutes": 240.0},
            "matters": [{"code": "G", "service": {"dist": "exponential", "mean": 5.0},
                         "walkin_share": 1.0}],
            "windows": [{"count": 5}],
            "walkins": {"per_hour": [54.0]},
        }
    )  # fmt: skip


def short_shifts() -> Scenario:
    """Nobody on shift for the last hour: some citizens are never served."""
    return parse_scenario(
        {
            "matters": [{"code": "G", "service": {"dist": "exponential", "mean": 3.0},
                         "walkin_share": 1.0}],
            "windows": [{"count": 2, "shifts": [["09:00", "16:00"]]}],
            "walkins": {"per_hour": [40.0]},
        }
    )  # fmt: skip


CASES: list[tuple[str, Any]] = [
    ("skilled hall", skilled_hall),
    ("demo weekday", lambda: load_scenario(EXAMPLES / "demo_weekday.toml")),
    ("staff roster", lambda: load_scenario(EXAMPLES / "street_centre_staff.toml")),
    ("steady state", steady_mm5),
    ("short shifts", short_shifts),
]


def by_kpi(
    records: list[Ticket], everyone: list[Ticket], intervals: Any, closing: float
) -> dict[str, Any]:
    walk = kpi.summarise(kpi.walk_in_waits(records))
    green = kpi.summarise(kpi.green_waits(records))
    by_class = kpi.appointment_wait_by_class(records)
    general, complex_ = by_class[MatterClass.GENERAL], by_class[MatterClass.COMPLEX]
    utilisation = kpi.window_utilisation(everyone, intervals)
    used = [u for u in utilisation.values() if u is not None]
    return {
        "appointment_wait_general": None if general is None else general.mean,
        "appointment_wait_complex": None if complex_ is None else complex_.mean,
        "handling_time": kpi.mean(kpi.handling_times(records)),
        "walkin_wait": None if walk is None else walk.mean,
        "walkin_wait_p90": None if walk is None else walk.p90,
        "walkin_wait_max": None if walk is None else walk.maximum,
        "green_wait": None if green is None else green.mean,
        "green_wait_p90": None if green is None else green.p90,
        "green_wait_max": None if green is None else green.maximum,
        "utilisation": sum(used) / len(used) if used else None,
        "overtime": kpi.overtime(everyone, closing),
        "called_after_closing": kpi.called_after_closing(everyone, closing),
        "overtime_unavoidable": unavoidable(everyone, closing),
        "arrivals": len(records),
        "served": sum(t.status is TicketStatus.FINISHED for t in records),
        "per_window": tuple(utilisation.values()),
    }


def unavoidable(everyone: list[Ticket], closing: float) -> float:
    """The overtime had every served citizen been called on arrival: arrival plus service."""
    ends = [t.issued_at + (t.finished_at - t.started_at) for t in everyone
            if t.finished_at is not None and t.started_at is not None]  # fmt: skip
    return max(0.0, (max(ends, default=closing) - closing) / MINUTE)


def hour_waits(bucket: list[Ticket]) -> dict[str, float | None]:
    """Each wait class's mean over the hour's citizens, by the queueing core's functions."""
    general = [t for t in bucket if t.matter_class is MatterClass.GENERAL]
    complex_ = [t for t in bucket if t.matter_class is MatterClass.COMPLEX]
    return {
        "walkin_wait": kpi.mean(kpi.walk_in_waits(bucket)),
        "green_wait": kpi.mean(kpi.green_waits(bucket)),
        "appointment_wait_general": kpi.mean(kpi.appointment_waits(general)),
        "appointment_wait_complex": kpi.mean(kpi.appointment_waits(complex_)),
    }


@pytest.mark.parametrize(("name", "make"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("replication", [0, 1])
def test_every_kpi_equals_the_queueing_kpi_functions(
    name: str, make: Any, replication: int
) -> None:
    model, arrivals, trace = simulate(make(), replication)
    day = measure_day(model, arrivals, trace)
    everyone = build_records(model, arrivals, trace)
    records = [t for t in everyone if t.issued_at >= model.warmup]
    expected = by_kpi(records, everyone, open_intervals(model, trace), model.arrival_end)
    assert day.utilisation == expected.pop("per_window")
    assert day.kpis == expected  # exactly equal: same arithmetic, same order
    assert day.arrivals == len(records)
    assert day.unserved == sum(t.first_called_at is None for t in records)
    assert sum(day.served) == sum(t.window is not None for t in everyone)
    for h, hour in enumerate(day.hours):
        bucket = [t for t in records if math.floor((t.issued_at - model.warmup) / HOUR) == h]
        assert hour.arrivals == len(bucket)
        assert hour.waits == hour_waits(bucket)
    assert sum(h.arrivals for h in day.hours) == len(records)


def test_the_cases_exercise_every_kpi() -> None:
    """The equality test above is only as good as the values it compares."""
    seen: set[str] = set()
    for _, make in CASES:
        day = measure_day(*simulate(make()))
        seen |= {key for key, value in day.kpis.items() if value is not None}
        if day.unserved:
            seen.add("unserved")
    assert seen == {
        "appointment_wait_general",
        "appointment_wait_complex",
        "handling_time",
        "walkin_wait",
        "walkin_wait_p90",
        "walkin_wait_max",
        "green_wait",
        "green_wait_p90",
        "green_wait_max",
        "utilisation",
        "overtime",
        "called_after_closing",
        "overtime_unavoidable",
        "arrivals",
        "served",
        "unserved",
    }
    overtimes = [measure_day(*simulate(make())).kpis["overtime"] for _, make in CASES]
    assert any(o > 0 for o in overtimes)  # someone was still served after closing


def test_waits_are_measured_in_minutes_from_the_right_moment() -> None:
    model, arrivals, trace = simulate(skilled_hall())
    records = build_records(model, arrivals, trace)
    late = [t for t in records if t.due_at is not None and t.issued_at > t.due_at]
    early = [t for t in records if t.due_at is not None and t.issued_at < t.due_at]
    assert late
    assert early  # the appointment wait starts at max(check-in, slot start)
    for t in late + early:
        assert t.first_called_at is not None
        start = max(t.issued_at, t.due_at)  # type: ignore[type-var]
        wait = kpi.appointment_waits([t])[0]
        assert wait == max(0.0, t.first_called_at - start) / MINUTE
