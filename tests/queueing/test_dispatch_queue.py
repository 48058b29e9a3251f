"""DispatchQueue housekeeping: what it accepts, refuses and reports."""

from __future__ import annotations

import pytest

from queueing.dispatch import Rule
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import DuplicateTicket, IllegalTransition, UnknownTicket
from queueing.policy import Policy
from queueing.ticket import TicketStatus
from queueing.window import WindowKind
from tests.queueing.queueing_builders import at, booked, walk_in, window


def test_add_remove_and_iterate() -> None:
    queue = DispatchQueue(Policy(), [walk_in("A1", 0), walk_in("A2", 1)])
    assert (len(queue), "A1" in queue, "Z" in queue) == (2, True, False)
    assert queue.remove("A1").id == "A1"
    assert [t.id for t in queue] == ["A2"]


def test_refuses_duplicates_unknowns_and_tickets_not_waiting() -> None:
    queue = DispatchQueue(Policy(), [walk_in("A1", 0)])
    with pytest.raises(DuplicateTicket, match="Cannot queue A1: it is already queued"):
        queue.add(walk_in("A1", 0))
    with pytest.raises(UnknownTicket, match="Cannot remove ticket Z9: it is not queued"):
        queue.remove("Z9")
    with pytest.raises(IllegalTransition, match="Cannot queue A2: it has not checked in yet"):
        queue.add(walk_in("A2", 0, status=TicketStatus.EXPECTED, checked_in_at=None))


def test_take_removes_the_choice() -> None:
    queue = DispatchQueue(Policy(), [walk_in("A1", 0)])
    decision = queue.take(window(), at(1))
    assert decision is not None
    assert (decision.ticket.id, decision.rule, len(queue)) == ("A1", Rule.WALK_IN, 0)
    assert queue.take(window(), at(2)) is None


def test_a_specialist_sees_only_its_lines() -> None:
    queue = DispatchQueue(Policy(), [walk_in("A1", 0, "A")])
    assert queue.choose(window(3, WindowKind.SPECIALISED, {"B"}), at(1)) is None
    queue.add(walk_in("B1", 1, "B"))  # a new line after the window's lines were cached
    decision = queue.choose(window(3, WindowKind.SPECIALISED, {"B"}), at(2))
    assert decision is not None
    assert decision.ticket.id == "B1"


def test_appointment_removed_before_its_slot_leaves_no_trace() -> None:
    queue = DispatchQueue(Policy(), [booked("P1", 60, 0), walk_in("A1", 1)])
    queue.remove("P1")
    decision = queue.choose(window(), at(70))
    assert decision is not None
    assert decision.ticket.id == "A1"
