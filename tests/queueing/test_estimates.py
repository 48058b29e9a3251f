"""Wait estimates: position among tickets competing for the same windows, and minutes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from queueing.estimates import (
    Line,
    WaitEstimate,
    estimate_in_lines,
    estimate_one,
    estimate_waits,
    lines_of,
    recent_handling_minutes,
)
from queueing.policy import Policy
from queueing.ticket import Outcome, Ticket, TicketStatus
from queueing.window import ANY_MATTER, WindowKind, WindowState
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


# --- estimate_one gives exactly what estimate_waits gives for that one ticket -----------
_MATTERS = ("A", "B", "C")
_windows = st.lists(
    st.builds(
        WindowState,
        number=st.integers(1, 5),
        kind=st.sampled_from(WindowKind),
        skills=st.one_of(
            st.just(frozenset({ANY_MATTER})),
            st.frozensets(st.sampled_from(_MATTERS), min_size=1),
        ),
    ),
    max_size=5,
    unique_by=lambda w: w.number,
)


@st.composite
def _queue(draw: st.DrawFn) -> list[Ticket]:
    tickets = []
    for n in range(draw(st.integers(0, 25))):
        minute = draw(st.integers(-30, 30)) / 2  # ties and ageing thresholds are common
        kind = draw(st.sampled_from(("walk", "walk", "green", "booked")))
        changes: dict[str, object] = {
            "assigned_window": draw(st.one_of(st.none(), st.none(), st.integers(1, 5))),
            "status": draw(st.sampled_from((TicketStatus.WAITING,) * 4 + (TicketStatus.PARKED,))),
        }
        matter = draw(st.sampled_from(_MATTERS))
        if kind == "walk":
            tickets.append(walk_in(f"t{n:02d}", minute, matter, **changes))
        elif kind == "green":
            tickets.append(green(f"t{n:02d}", minute, matter, **changes))
        else:
            slot = draw(st.integers(-20, 40)) / 2
            tickets.append(booked(f"t{n:02d}", slot, minute, matter, **changes))
    return tickets


@settings(max_examples=400, deadline=None)
@given(
    queue=_queue(),
    opened=_windows,
    closed=_windows,
    handling=st.dictionaries(st.sampled_from(_MATTERS), st.floats(0.5, 40)),
    minute=st.integers(0, 40),
)
def test_estimate_one_agrees_with_estimate_waits(
    queue: list[Ticket],
    opened: list[WindowState],
    closed: list[WindowState],
    handling: dict[str, float],
    minute: int,
) -> None:
    numbers = {w.number for w in opened}
    everyone = opened + [w for w in closed if w.number not in numbers]
    now = at(minute)
    by_open = estimate_waits(queue, opened, now, POLICY, handling, 9.0)
    by_all = estimate_waits(queue, everyone, now, POLICY, handling, 9.0)
    # Lines as a queue copy keeps them: arrival bounds that are not tight, lines split.
    loose = [
        Line(line.matter, line.assigned_window, dict([item]), float("inf") if n % 2 else bound)
        for line in lines_of(queue)
        for n, item in enumerate(line.tickets.items())
        for bound in [max(line.latest_arrival, item[1].issued_at)]
    ]
    for ticket in queue:
        alone = estimate_one(ticket, queue, opened, now, POLICY, handling, 9.0)
        both = estimate_one(
            ticket, queue, opened, now, POLICY, handling, 9.0, position_windows=everyone
        )
        split = estimate_in_lines(
            ticket, loose, opened, now, POLICY, handling, 9.0, position_windows=everyone
        )
        if ticket.status is not TicketStatus.WAITING:
            assert alone is None
            assert both is None
            assert split is None
            continue
        assert alone is not None
        assert both is not None
        assert split is not None
        expected = by_open[ticket.id]
        assert (alone.position, alone.windows) == (expected.position, expected.windows)
        assert (both.position, both.windows) == (by_all[ticket.id].position, expected.windows)
        assert (split.position, split.windows) == (by_all[ticket.id].position, expected.windows)
        for got in (alone, both, split):
            if expected.minutes is None:
                assert got.minutes is None
            else:
                assert got.minutes == pytest.approx(expected.minutes, rel=1e-9, abs=1e-9)


def test_positions_count_only_the_position_windows() -> None:
    tickets = [walk_in("A1", 0), walk_in("A2", 1), walk_in("A3", 2)]
    opened = [window(1), window(2)]
    plain = estimate_one(tickets[2], tickets, opened, at(3), POLICY, {"A": 10})
    none_counted = estimate_one(
        tickets[2], tickets, opened, at(3), POLICY, {"A": 10}, position_windows=[]
    )
    assert plain is not None
    assert none_counted is not None
    assert (plain.position, plain.minutes) == (3, pytest.approx(10.0))  # 2 x 10 min / 2
    # No window counts for the position, so nobody is ahead; the wait is unchanged.
    assert (none_counted.position, none_counted.minutes) == (1, plain.minutes)
