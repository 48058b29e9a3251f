"""The serving time inside sessions against ``queueing.kpi.window_utilisation``'s definition,
and the tiles' verdicts."""

from __future__ import annotations

import random

import pytest

from hall.analytics.figures import RISK_SHARE, session_serving, status_of
from hall.analytics.sessions import WindowSession
from queueing import kpi
from queueing.ticket import MatterClass, Source, Ticket, TicketStatus


def test_serving_per_session_adds_up_to_queueing_kpi_window_utilisation() -> None:
    rng = random.Random(17)
    sessions, busy = [], []
    for window in range(1, 6):
        cursor = 0.0
        for _ in range(3):  # three sessions a window, apart
            start = cursor + rng.uniform(0, 600)
            end = start + rng.uniform(1200, 7200)
            sessions.append(WindowSession(window, f"C{window}", start, end))
            cursor = end
        moment = 0.0
        for n in range(60):  # services, some across a session's edge or outside any
            begin = moment + rng.uniform(0, 300)
            moment = begin + rng.uniform(30, 1500)
            busy.append(
                Ticket(
                    id=f"{window}-{n}", number="D001", matter="M", matter_class=MatterClass.GENERAL,
                    source=Source.WALK_IN, issued_at=0.0, status=TicketStatus.FINISHED,
                    window=window, started_at=begin, finished_at=moment,
                )
            )  # fmt: skip
    serving = session_serving(busy, sessions)
    intervals: dict[int, list[tuple[float, float]]] = {}
    for s in sessions:
        intervals.setdefault(s.window, []).append((s.start, s.end))
    shares = kpi.window_utilisation(busy, intervals)
    for window, spans in intervals.items():
        mine = sum(x for s, x in zip(sessions, serving, strict=True) if s.window == window)
        open_time = sum(b - a for a, b in spans)
        assert mine == pytest.approx((shares[window] or 0.0) * open_time)
        assert 0 < mine < open_time


def test_tile_verdicts() -> None:
    assert status_of("handling_time", 12.0, 20.0) == "met"
    assert status_of("handling_time", RISK_SHARE * 20 + 0.1, 20.0) == "at_risk"
    assert status_of("handling_time", 20.0, 20.0) == "at_risk"  # on the target still passes
    assert status_of("handling_time", 20.1, 20.0) == "missed"
    assert status_of("first_visit_success", 0.97, 0.9) == "met"
    assert status_of("first_visit_success", 0.92, 0.9) == "at_risk"
    assert status_of("first_visit_success", 0.85, 0.9) == "missed"
    assert status_of("arrivals", 100, None) is None
    assert status_of("walkin_wait", 30.0, None) is None
