"""Calling at a window: the streak for the priority cap, busy windows, out-of-order calls."""

from __future__ import annotations

import pytest

from queueing.calling import apply_decision, call_chosen, call_next
from queueing.dispatch import Rule
from queueing.errors import InvalidCommand, NotEligible, WindowBusy, WindowMismatch
from queueing.events import CallOrderOverridden, TicketCalled
from queueing.policy import Policy
from queueing.ticket import TicketStatus
from queueing.window import WindowKind, release
from tests.queueing.queueing_builders import at, booked, green, walk_in, window

POLICY = Policy(priority_cap=2)


def test_call_next_holds_the_ticket_and_counts_priority_calls() -> None:
    tickets = [walk_in("A1", 0), booked("P1", 0, 0), green("G1", 1)]
    first = call_next(window(4), tickets, at(2), POLICY)
    assert first is not None
    assert (first.ticket.id, first.ticket.status, first.ticket.window) == (
        "G1",
        TicketStatus.CALLED,
        4,
    )
    assert (first.window.ticket_id, first.window.priority_streak) == ("G1", 1)
    assert first.events == (TicketCalled("G1", at(2), "G1", 4, "green"),)
    second = call_next(release(first.window, "G1"), tickets[:2], at(3), POLICY)
    assert second is not None
    assert (second.ticket.id, second.window.priority_streak) == ("P1", 2)
    third = call_next(release(second.window, "P1"), tickets[:2], at(4), POLICY)
    assert third is not None
    assert (third.ticket.id, third.decision.rule, third.window.priority_streak) == (
        "A1",
        Rule.PRIORITY_CAP,
        0,
    )


def test_call_next_with_nobody_waiting() -> None:
    assert call_next(window(), [], at(0), POLICY) is None


def test_a_busy_window_cannot_call() -> None:
    busy = call_next(window(4), [walk_in("A1", 0)], at(1), POLICY)
    assert busy is not None
    with pytest.raises(WindowBusy, match="Cannot call at window 4: it still holds ticket A1"):
        call_next(busy.window, [walk_in("A2", 0)], at(2), POLICY)
    with pytest.raises(WindowBusy):
        apply_decision(busy.window, busy.decision, at(2))


def test_release_only_the_held_ticket() -> None:
    with pytest.raises(
        WindowMismatch, match="Cannot release ticket A1 from window 1: it holds nothing"
    ):
        release(window(1), "A1")


def test_call_chosen_records_the_reason_and_the_skipped_ticket() -> None:
    tickets = [walk_in("A1", 0), walk_in("A2", 5)]
    result = call_chosen(window(2), tickets[1], tickets, at(6), POLICY, "interpreter ready now")
    assert (result.ticket.id, result.decision.rule, result.decision.priority) == (
        "A2",
        Rule.CHOSEN,
        False,
    )
    assert result.events[-1] == CallOrderOverridden("A2", at(6), 2, "interpreter ready now", "A1")
    assert result.window.priority_streak == 0


def test_call_chosen_of_a_priority_ticket_counts_for_the_cap() -> None:
    ticket = green("G1", 0)
    result = call_chosen(window(2, streak=1), ticket, [ticket], at(1), POLICY, "same family")
    assert result.window.priority_streak == 2
    assert result.events[-1] == CallOrderOverridden("G1", at(1), 2, "same family", "G1")


def test_call_chosen_needs_a_reason_and_an_eligible_ticket() -> None:
    ticket = walk_in("A1", 0, "A")
    with pytest.raises(InvalidCommand, match="give a reason"):
        call_chosen(window(2), ticket, [ticket], at(1), POLICY, "  ")
    specialist = window(3, WindowKind.SPECIALISED, {"B"})
    with pytest.raises(NotEligible, match="window does not serve matter A"):
        call_chosen(specialist, ticket, [ticket], at(1), POLICY, "asked")
