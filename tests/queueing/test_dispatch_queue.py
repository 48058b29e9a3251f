"""DispatchQueue housekeeping: what it accepts, refuses and reports."""

from __future__ import annotations

import pytest

from queueing.dispatch import Rule, choose_next
from queueing.dispatch_queue import DispatchQueue, WaitingLines
from queueing.errors import DuplicateTicket, IllegalTransition, UnknownTicket
from queueing.policy import Policy
from queueing.ticket import TicketStatus
from queueing.window import WindowKind, WindowState, coverage_of
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


def test_a_star_window_skips_the_matters_reserved_to_special_windows() -> None:
    reserved = frozenset({"Z"})  # e.g. 办不成事: only its own window takes it
    queue = DispatchQueue(Policy(), [walk_in("Z1", 0, "Z")])
    comprehensive = WindowState(1, WindowKind.COMPREHENSIVE, frozenset({"*"}), excluded=reserved)
    assert queue.choose(comprehensive, at(1)) is None
    assert choose_next(comprehensive, [walk_in("Z1", 0, "Z")], at(1), Policy()) is None
    queue.add(walk_in("A1", 1, "A"))
    decision = queue.choose(comprehensive, at(2))
    assert decision is not None
    assert decision.ticket.id == "A1"
    special = window(24, WindowKind.SPECIALISED, {"Z"})
    decision = queue.choose(special, at(3))
    assert decision is not None
    assert decision.ticket.id == "Z1"


def test_appointment_removed_before_its_slot_leaves_no_trace() -> None:
    queue = DispatchQueue(Policy(), [booked("P1", 60, 0), walk_in("A1", 1)])
    queue.remove("P1")
    decision = queue.choose(window(), at(70))
    assert decision is not None
    assert decision.ticket.id == "A1"


def test_waiting_lines_by_key_decide_as_the_ticket_queue() -> None:
    policy = Policy()
    tickets = [walk_in("A1", 0), booked("P1", 10, 2), walk_in("A2", 3, green=True)]
    queue = DispatchQueue(policy, tickets)
    lines: WaitingLines[int] = WaitingLines(policy)
    for key, ticket in enumerate(tickets):
        due = ticket.due_at if ticket.source.value == "appointment" else None
        assert ticket.checked_in_at is not None
        lines.add(key, ticket.matter, ticket.checked_in_at, ticket.green, due)
    assert (len(lines), 1 in lines, 9 in lines, sorted(lines)) == (3, True, False, [0, 1, 2])
    for minute in (11, 12, 13):
        decision = queue.take(window(), at(minute))
        choice = lines.take(window(), at(minute))
        assert decision is not None
        assert choice is not None
        assert (tickets[choice[0]], choice[1]) == (decision.ticket, decision.rule)
    assert lines.take(window(), at(14)) is None


def test_waiting_lines_refuse_duplicates_and_unknown_keys() -> None:
    lines: WaitingLines[int] = WaitingLines(Policy())
    lines.add(7, "A", at(0))
    with pytest.raises(DuplicateTicket, match="Cannot queue 7: it is already queued"):
        lines.add(7, "A", at(1))
    with pytest.raises(UnknownTicket, match="Cannot remove ticket 8: it is not queued"):
        lines.remove(8)


def test_a_comprehensive_window_follows_the_coverage_it_is_given() -> None:
    tickets = [walk_in("A1", 0, "A"), walk_in("B1", 1, "B"), walk_in("B2", 2, "B")]
    queue = DispatchQueue(Policy(), tickets)
    covers_a = coverage_of([window(5, WindowKind.SPECIALISED, {"A"})])
    covers_b = coverage_of([window(6, WindowKind.SPECIALISED, {"B"})])
    picks = []
    for minute, coverage in ((3, covers_a), (4, covers_a), (5, covers_b)):
        expected = choose_next(window(), list(queue), at(minute), Policy(), coverage)
        decision = queue.take(window(), at(minute), coverage)
        assert decision == expected
        assert decision is not None
        picks.append(decision.ticket.id)
    assert picks == ["B1", "B2", "A1"]  # A is the open specialist's until B's turn
