"""Wait estimates: position among tickets competing for the same windows, and minutes."""

from __future__ import annotations

import pytest

from queueing.estimates import WaitEstimate, estimate_waits, recent_handling_minutes
from queueing.policy import Policy
from queueing.ticket import Outcome, TicketStatus
from queueing.window import WindowKind
from tests.queueing.queueing_builders import at, booked, green, walk_in, window

POLICY = Policy()


def test_positions_follow_the_dispatch_order() -> None:
    tickets = [walk_in("A1", 0), walk_in("A2", 1), green("G1", 2), booked("P1", 0, 0)]
    waits = estimate_waits(tickets, [window(1), window(2)], at(3), POLICY, {"A": 10})
    assert [waits[i].position for i in ("G1", "P1", "A1", "A2")] == [1, 2, 3, 4]
    assert waits["G1"] == WaitEstimate("G1", 1, 0.0, 2)
    assert waits["A2"].minutes == pytest.approx(15.0)  # 3 tickets x 10 min over 2 windows


def test_tickets_for_other_windows_do_not_count() -> None:
    a_only = window(1, WindowKind.SPECIALISED, {"A"})
    b_only = window(3, WindowKind.SPECIALISED, {"B"})
    tickets = [walk_in("B1", 0, "B"), walk_in("A1", 1, "A"), walk_in("B2", 2, "B")]
    waits = estimate_waits(tickets, [a_only, b_only], at(3), POLICY, {}, 12.0)
    assert (waits["A1"].position, waits["A1"].minutes) == (1, 0.0)
    assert (waits["B2"].position, waits["B2"].minutes) == (2, 12.0)


def test_shared_windows_share_the_load() -> None:
    specialist = window(3, WindowKind.SPECIALISED, {"B"})
    tickets = [walk_in("B1", 0, "B"), walk_in("A1", 1, "A"), walk_in("B2", 2, "B")]
    waits = estimate_waits(tickets, [window(1), specialist], at(3), POLICY, {}, 12.0)
    assert (waits["A1"].position, waits["B2"].position) == (2, 3)
    assert waits["A1"].minutes == pytest.approx(6.0)  # half of B1 lands on window 1
    assert waits["B2"].minutes == pytest.approx(12.0)  # B1 and A1 over windows 1 and 3


def test_no_open_window_gives_no_minutes() -> None:
    waits = estimate_waits(
        [walk_in("C1", 0, "C")], [window(3, WindowKind.SPECIALISED, {"B"})], at(1), POLICY, {}
    )
    assert waits["C1"] == WaitEstimate("C1", 1, None, 0)


def test_only_waiting_tickets_get_estimates() -> None:
    tickets = [walk_in("A1", 0, status=TicketStatus.CALLED, window=1)]
    assert estimate_waits(tickets, [window(1)], at(1), POLICY, {}) == {}


def test_recent_handling_minutes_per_matter() -> None:
    def done(i: str, matter: str, started: float, finished: float) -> object:
        return walk_in(
            i,
            0,
            matter,
            status=TicketStatus.FINISHED,
            started_at=at(started),
            finished_at=at(finished),
            outcome=Outcome.COMPLETED,
        )

    records = [
        done("1", "A", 10, 20),
        done("2", "A", 20, 26),
        done("3", "A", 30, 44),
        done("4", "B", 30, 40),
        done("5", "A", -100, -90),
        walk_in("6", 0),
    ]
    assert recent_handling_minutes(records, at(60)) == {"A": 10.0}  # B has too few
    assert recent_handling_minutes(records, at(60), minimum=1) == {"A": 10.0, "B": 10.0}
