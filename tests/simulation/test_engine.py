"""The engine decides with the queueing core's policy and measures with its KPI functions."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from queueing import (
    Outcome,
    Source,
    TicketStatus,
    call_next,
    coverage_of,
    issue,
    kpi,
    lifecycle,
    release,
)
from simulation.arrivals import generate_arrivals, replication_streams, service_times
from simulation.engine import Model, Trace, compile_model, run_day, ticket_id
from simulation.measure import build_records, measure_day
from simulation.scenario import Scenario, load_scenario, parse_scenario


def skilled_hall(**run: Any) -> Scenario:
    """Three matters, a comprehensive pair, a specialist, a green window; breaks apart."""
    return parse_scenario(
        {
            "open": "09:00",
            "close": "13:00",
            "run": run,
            "matters": [
                {"code": "A", "service": {"dist": "exponential", "mean": 4.0},
                 "walkin_share": 0.5, "appointment_share": 0.3, "green_share": 0.1},
                {"code": "B", "class": "complex", "service": {"dist": "lognormal", "mean": 9.0,
                 "cv": 0.5}, "walkin_share": 0.3, "appointment_share": 0.5},
                {"code": "C", "service": {"dist": "gamma", "mean": 6.0, "cv": 0.6},
                 "walkin_share": 0.2, "appointment_share": 0.2, "green_share": 0.2},
            ],
            "windows": [
                {"count": 1, "breaks": [["10:07", "10:31"]]},
                {"count": 1, "breaks": [["11:13", "11:41"]]},
                {"count": 1, "kind": "specialised", "skills": ["B"],
                 "shifts": [["09:00", "10:52"], ["11:20", "13:00"]]},
                {"count": 1, "kind": "green", "breaks": [["11:55", "12:17"]]},
            ],
            "walkins": {"per_hour": [40.0, 55.0, 45.0, 35.0]},
            "appointments": {"per_hour": [0.0, 12.0, 12.0, 8.0], "slot_minutes": 15,
                             "no_show": 0.1, "punctuality": {"early_mean": 4.0, "sd": 12.0}},
            "policy": {"priority_cap": 2, "walkin_ageing_minutes": 20.0},
        }
    )  # fmt: skip


def simulate(scenario: Scenario, replication: int = 0) -> tuple[Model, Any, Trace]:
    model = compile_model(scenario)
    streams = replication_streams(scenario.seed, replication)
    arrivals = generate_arrivals(streams.arrivals, scenario.arrival_plan())
    services = service_times(
        streams.service, arrivals.matter, [m.service for m in scenario.matters]
    )
    return model, arrivals, run_day(model, arrivals, services)


def staffed_at(model: Model, w: int, now: float) -> bool:
    return any(start <= now < end for start, end in model.shifts[w])


EXAMPLES = Path(__file__).parents[2] / "simulation" / "examples"


def staff_roster() -> Scenario:
    return load_scenario(EXAMPLES / "street_centre_staff.toml")


@pytest.mark.parametrize(
    ("make", "replication"), [(skilled_hall, 0), (skilled_hall, 1), (skilled_hall, 2),
                              (staff_roster, 0)]
)  # fmt: skip
def test_call_order_is_the_policys_call_next_by_hand(make: Any, replication: int) -> None:
    model, arrivals, trace = simulate(make(), replication)
    records = build_records(model, arrivals, trace)
    waiting = {}
    next_arrival = 0
    windows = list(model.windows)
    rules = set()
    for i in trace.order.tolist():
        now, w = float(trace.called[i]), int(trace.window[i]) - 1
        while next_arrival < len(records) and records[next_arrival].issued_at <= now:
            t = records[next_arrival]
            source = t.source
            ticket, _ = issue(
                t.id, t.number, t.matter, t.matter_class, t.issued_at, source=source,
                green=t.green, due_at=t.due_at if source is Source.APPOINTMENT else None,
            )  # fmt: skip
            waiting[t.id] = ticket
            next_arrival += 1
        coverage = coverage_of(s for k, s in enumerate(windows) if staffed_at(model, k, now))
        call = call_next(windows[w], list(waiting.values()), now, model.policy, coverage)
        assert call is not None
        assert call.ticket.id == ticket_id(i), f"window {w + 1} at {now:.1f}s"
        rules.add(call.decision.rule.value)
        del waiting[call.ticket.id]
        windows[w] = release(call.window, call.ticket.id)
    assert not waiting or next_arrival == len(records)
    assert {"walk_in", "appointment", "green"} <= rules


def test_everyone_is_served_once_and_windows_respect_skills_and_rosters() -> None:
    scenario = skilled_hall()
    model, arrivals, trace = simulate(scenario)
    assert len(trace.order) == len(set(trace.order.tolist())) == len(arrivals)
    assert np.all(trace.window > 0)
    for i in trace.order.tolist():
        w = int(trace.window[i]) - 1
        skills = model.windows[w].skills
        assert "*" in skills or model.codes[int(arrivals.matter[i])] in skills
        assert staffed_at(model, w, float(trace.called[i]))
        assert trace.called[i] >= trace.arrival[i]
    for w in range(len(model.windows)):  # one citizen at a time per window
        mine = np.sort(trace.called[trace.window == w + 1])
        starts = trace.called[trace.window == w + 1]
        ends = starts + trace.service[trace.window == w + 1]
        order = np.argsort(starts)
        assert np.all(starts[order][1:] >= ends[order][:-1] - 1e-9)
        assert mine.size > 0


def test_records_are_what_the_lifecycle_would_store() -> None:
    model, arrivals, trace = simulate(skilled_hall())
    records = build_records(model, arrivals, trace)
    for t in records[:60]:
        ticket, _ = issue(
            t.id, t.number, t.matter, t.matter_class, t.issued_at, source=t.source,
            green=t.green, due_at=t.due_at,
        )  # fmt: skip
        assert t.called_at is not None
        assert t.finished_at is not None
        assert t.window is not None
        ticket, _ = lifecycle.call(ticket, t.window, t.called_at, "walk_in")
        ticket, _ = lifecycle.start(ticket, t.called_at)
        ticket, _ = lifecycle.finish(ticket, t.finished_at, Outcome.COMPLETED)
        assert ticket == t
        assert t.status is TicketStatus.FINISHED


def test_day_kpis_are_the_queueing_kpi_functions() -> None:
    model, arrivals, trace = simulate(skilled_hall())
    day = measure_day(model, arrivals, trace)
    records = build_records(model, arrivals, trace)
    walk = kpi.summarise(kpi.walk_in_waits(records))
    assert walk is not None
    by_class = kpi.appointment_wait_by_class(records)
    assert day.kpis["walkin_wait"] == walk.mean
    assert day.kpis["walkin_wait_p90"] == walk.p90
    assert day.kpis["walkin_wait_max"] == walk.maximum
    assert day.kpis["handling_time"] == kpi.mean(kpi.handling_times(records))
    for key, summary in zip(
        ("appointment_wait_general", "appointment_wait_complex"), by_class.values(), strict=True
    ):
        assert day.kpis[key] == (None if summary is None else summary.mean)
    assert day.arrivals == len(records)
    assert day.unserved == 0
    assert sum(day.served) == len(records)
    assert sum(h.arrivals for h in day.hours) == len(records)
    assert all(u is not None and 0 < u <= 1 for u in day.utilisation)


def test_a_kpi_with_nothing_to_measure_is_none() -> None:
    scenario = parse_scenario(
        {
            "matters": [{"code": "G", "service": {"dist": "exponential", "mean": 3.0},
                         "walkin_share": 1.0}],
            "windows": [{"count": 3}],
            "walkins": {"per_hour": [40.0]},
        }
    )  # fmt: skip
    day = measure_day(*simulate(scenario))
    assert day.kpis["appointment_wait_general"] is None
    assert day.kpis["appointment_wait_complex"] is None
    assert day.kpis["walkin_wait"] is not None


def test_citizens_without_a_window_on_shift_are_left_unserved() -> None:
    scenario = parse_scenario(
        {
            "matters": [{"code": "G", "service": {"dist": "exponential", "mean": 3.0},
                         "walkin_share": 1.0}],
            "windows": [{"count": 2, "shifts": [["09:00", "16:00"]]}],
            "walkins": {"per_hour": [40.0]},
        }
    )  # fmt: skip
    model, arrivals, trace = simulate(scenario)
    day = measure_day(model, arrivals, trace)
    late = int(np.sum(arrivals.time >= 7 * 60))
    assert day.unserved >= late > 0
    assert day.unserved + sum(day.served) == len(arrivals)
    assert math.isfinite(trace.end)


@pytest.mark.parametrize("make", [skilled_hall, staff_roster])
def test_no_window_idles_while_someone_it_may_serve_waits(make: Any) -> None:
    """Work conservation, checked from the trace alone: the engine queues arrivals lazily
    (only while a window is idle does an arrival get its own event), and this shows that
    no citizen was ever left waiting while a staffed window that may serve them was free."""
    model, arrivals, trace = simulate(make())
    called = np.where(np.isnan(trace.called), np.inf, trace.called)
    finished = called + trace.service
    for w, spans in enumerate(model.shifts):
        mine = np.flatnonzero(trace.window == w + 1)
        services = sorted(zip(called[mine].tolist(), finished[mine].tolist(), strict=True))
        idle: list[tuple[float, float]] = []  # staffed and free
        for begin, end in spans:
            start = begin
            for s, f in services:
                if f <= start or s >= end:
                    continue
                if s > start:
                    idle.append((start, s))
                start = max(start, f)
            if start < end:
                idle.append((start, end))
        skills = model.skills[w]
        may = (
            np.ones(len(arrivals), dtype=bool)
            if skills is None
            else np.isin(arrivals.matter, skills)
        )
        for lo, hi in idle:
            overlap = np.minimum(called, hi) - np.maximum(trace.arrival, lo)
            assert not np.any(may & (overlap > 1e-9)), (w, lo, hi)
