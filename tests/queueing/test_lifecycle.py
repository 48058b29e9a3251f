"""The ticket state machine: legal paths, their events, and clear refusals."""

from __future__ import annotations

import pytest

from queueing.detours import cancel, park, resume, transfer
from queueing.errors import IllegalTransition, InvalidCommand, NoShowTooEarly
from queueing.events import (
    ServiceStarted,
    TicketCalled,
    TicketCancelled,
    TicketCheckedIn,
    TicketExpired,
    TicketFinished,
    TicketIssued,
    TicketMarkedNoShow,
    TicketParked,
    TicketRecalled,
    TicketResumed,
    TicketTransferred,
    TicketUnserved,
)
from queueing.lifecycle import (
    call,
    check_in,
    close_out,
    finish,
    issue,
    mark_no_show,
    recall,
    start,
)
from queueing.policy import Policy
from queueing.ticket import ENDED, MatterClass, Outcome, Source, Ticket, TicketStatus
from tests.queueing.queueing_builders import at

GENERAL = MatterClass.GENERAL


def walk_in(now: float = at(0)) -> Ticket:
    ticket, _ = issue("t1", "A012", "A", GENERAL, now)
    return ticket


def called(minute: float = 1) -> Ticket:
    ticket, _ = call(walk_in(), 3, at(minute), "walk_in")
    return ticket


def serving() -> Ticket:
    ticket, _ = start(called(), at(2))
    return ticket


def test_walk_in_is_issued_present_and_waiting() -> None:
    ticket, events = issue("t1", "A012", "A", GENERAL, at(0), green=True, first_visit=False)
    assert ticket.status is TicketStatus.WAITING
    assert ticket.checked_in_at == ticket.issued_at == at(0)
    assert (ticket.green, ticket.first_visit) == (True, False)
    assert events == (
        TicketIssued("t1", at(0), "A012", "A", Source.WALK_IN, True),
        TicketCheckedIn("t1", at(0)),
    )


def test_appointment_issued_before_arrival_waits_for_check_in() -> None:
    ticket, events = issue(
        "t2",
        "Y001",
        "A",
        GENERAL,
        at(0),
        source=Source.APPOINTMENT,
        due_at=at(30),
        checked_in=False,
    )
    assert ticket.status is TicketStatus.EXPECTED
    assert len(events) == 1
    arrived, events = check_in(ticket, at(25))
    assert (arrived.status, arrived.checked_in_at) == (TicketStatus.WAITING, at(25))
    assert events == (TicketCheckedIn("t2", at(25)),)
    with pytest.raises(IllegalTransition, match="Cannot check in Y001: it is waiting"):
        check_in(arrived, at(26))


@pytest.mark.parametrize(
    ("source", "due_at", "checked_in"),
    [(Source.APPOINTMENT, None, True), (Source.WALK_IN, 0.0, True), (Source.WALK_IN, None, False)],
)
def test_issue_refuses_contradictions(
    source: Source, due_at: float | None, checked_in: bool
) -> None:
    with pytest.raises(InvalidCommand, match="Cannot issue A001"):
        issue("t", "A001", "A", GENERAL, 0.0, source=source, due_at=due_at, checked_in=checked_in)


def test_main_path_waiting_called_serving_finished() -> None:
    ticket, events = call(walk_in(), 3, at(1), "walk_in")
    assert (ticket.status, ticket.window, ticket.called_at) == (TicketStatus.CALLED, 3, at(1))
    assert ticket.first_called_at == at(1)
    assert events == (TicketCalled("t1", at(1), "A012", 3, "walk_in"),)
    ticket, events = start(ticket, at(2))
    assert events == (ServiceStarted("t1", at(2), 3),)
    ticket, events = finish(ticket, at(12), Outcome.COMPLETED)
    assert (ticket.status, ticket.outcome, ticket.finished_at) == (
        TicketStatus.FINISHED,
        Outcome.COMPLETED,
        at(12),
    )
    assert ticket.window == 3  # kept: where it was served
    assert events == (TicketFinished("t1", at(12), 3, Outcome.COMPLETED),)


def test_illegal_transition_names_ticket_action_and_state() -> None:
    with pytest.raises(
        IllegalTransition, match=r"^Cannot call A012: it is already being served at window 3\.$"
    ):
        call(serving(), 4, at(3))
    with pytest.raises(IllegalTransition, match="Cannot start serving A012: it is waiting"):
        start(walk_in(), at(1))
    with pytest.raises(
        IllegalTransition, match="Cannot finish A012: it has already been called to window 3"
    ):
        finish(called(), at(2), Outcome.COMPLETED)
    done, _ = finish(serving(), at(5), Outcome.REJECTED)
    with pytest.raises(IllegalTransition, match="Cannot recall A012: it has already finished"):
        recall(done, at(6))
    with pytest.raises(IllegalTransition) as info:
        park(walk_in(), at(1))
    error = info.value
    assert (error.number, error.action, error.found, error.code) == (
        "A012",
        "park",
        "it is waiting",
        "illegal_transition",
    )


def test_recall_counts_and_restarts_the_grace() -> None:
    ticket, events = recall(called(), at(2))
    assert (ticket.recalls, ticket.called_at, ticket.first_called_at) == (1, at(2), at(1))
    assert events == (TicketRecalled("t1", at(2), "A012", 3, 1),)


def test_no_show_needs_the_recalls_and_the_grace() -> None:
    policy = Policy(recalls_before_no_show=2, no_show_grace_minutes=3)
    ticket = called(1)
    with pytest.raises(NoShowTooEarly, match="recalled 0 of the 2 required times"):
        mark_no_show(ticket, at(10), policy)
    ticket, _ = recall(ticket, at(2))
    ticket, _ = recall(ticket, at(4))
    with pytest.raises(NoShowTooEarly, match=r"2\.0 min ago, within the 3-minute grace"):
        mark_no_show(ticket, at(6), policy)
    gone, events = mark_no_show(ticket, at(7), policy)
    assert (gone.status, gone.ended_at) == (TicketStatus.NO_SHOW, at(7))
    assert events == (TicketMarkedNoShow("t1", at(7), 3),)
    with pytest.raises(IllegalTransition, match="it was marked as a no-show"):
        call(gone, 2, at(8))


def test_no_show_at_once_when_the_hall_sets_no_recalls_and_no_grace() -> None:
    gone, _ = mark_no_show(
        called(1), at(1), Policy(recalls_before_no_show=0, no_show_grace_minutes=0)
    )
    assert gone.status is TicketStatus.NO_SHOW


def test_transfer_keeps_the_original_times() -> None:
    ticket = serving()
    moved, events = transfer(ticket, at(5), matter="B", matter_class=MatterClass.COMPLEX)
    assert moved.status is TicketStatus.WAITING
    assert (moved.issued_at, moved.checked_in_at, moved.first_called_at) == (at(0), at(0), at(1))
    assert (moved.matter, moved.matter_class, moved.transfers) == ("B", MatterClass.COMPLEX, 1)
    assert (moved.window, moved.started_at, moved.called_at) == (None, None, None)
    assert events == (TicketTransferred("t1", at(5), 3, "A", "B", None),)


def test_transfer_to_a_window_keeps_the_matter() -> None:
    moved, events = transfer(walk_in(), at(5), to_window=8)
    assert (moved.matter, moved.assigned_window) == ("A", 8)
    assert events == (TicketTransferred("t1", at(5), None, "A", "A", 8),)
    called_again, _ = call(moved, 8, at(6))
    assert called_again.assigned_window is None


def test_transfer_needs_a_destination() -> None:
    with pytest.raises(InvalidCommand, match="Cannot transfer A012: name a matter or a window"):
        transfer(called(), at(5))


def test_park_and_resume_the_same_ticket() -> None:
    parked, events = park(serving(), at(5), "fetching household register")
    assert (parked.status, parked.window, parked.parked_at) == (TicketStatus.PARKED, None, at(5))
    assert events == (TicketParked("t1", at(5), 3, "fetching household register"),)
    with pytest.raises(IllegalTransition, match="Cannot call A012: it is parked"):
        call(parked, 3, at(6))
    back, events = resume(parked, at(30), to_window=3)
    assert (back.status, back.assigned_window, back.checked_in_at) == (
        TicketStatus.WAITING,
        3,
        at(0),
    )
    assert events == (TicketResumed("t1", at(30), 3),)


@pytest.mark.parametrize("minute", [0, 1])
def test_cancel_before_service(minute: int) -> None:
    ticket = walk_in() if minute == 0 else called()
    gone, events = cancel(ticket, at(2), "citizen left")
    assert (gone.status, gone.window, gone.ended_at) == (TicketStatus.CANCELLED, None, at(2))
    assert events == (TicketCancelled("t1", at(2), ticket.window, "citizen left"),)


def test_cancel_refuses_a_ticket_being_served() -> None:
    with pytest.raises(IllegalTransition, match="Cannot cancel A012: it is already being served"):
        cancel(serving(), at(5), "mistake")


def test_no_show_refusals_say_what_is_still_needed() -> None:
    policy = Policy(recalls_before_no_show=2, no_show_grace_minutes=3)
    ticket = called(1)
    with pytest.raises(NoShowTooEarly) as early:
        mark_no_show(ticket, at(2), policy)
    assert (early.value.recalls_missing, early.value.seconds_left) == (2, 120.0)
    assert early.value.status == "called"
    ticket, _ = recall(ticket, at(2))
    ticket, _ = recall(ticket, at(4))
    with pytest.raises(NoShowTooEarly) as grace:
        mark_no_show(ticket, at(6.5), policy)
    assert (grace.value.recalls_missing, grace.value.seconds_left) == (0, 30.0)


@pytest.mark.parametrize(
    ("ticket", "kind"),
    [
        (walk_in(), "waiting"),
        (called(), "called"),
        (serving(), "serving"),
        (issue("t1", "R001", "A", GENERAL, at(0), source=Source.APPOINTMENT, due_at=at(30),
               checked_in=False)[0], "expected"),
    ],
)  # fmt: skip
def test_close_out_leaves_an_open_ticket_unserved(ticket: Ticket, kind: str) -> None:
    gone, events = close_out(ticket, at(60))
    assert (gone.status, gone.ended_at, gone.window) == (
        TicketStatus.UNSERVED,
        at(60),
        ticket.window,
    )
    assert events == (TicketUnserved("t1", at(60), ticket.window, kind),)
    assert gone.status in ENDED
    with pytest.raises(IllegalTransition, match="not served before the day was closed") as again:
        close_out(gone, at(61))
    assert again.value.status == "unserved"


def test_close_out_expires_a_parked_ticket() -> None:
    parked, _ = park(called(), at(2), "fetching a copy")
    gone, events = close_out(parked, at(60))
    assert gone.status is TicketStatus.UNSERVED
    assert events == (TicketExpired("t1", at(60)),)
    with pytest.raises(IllegalTransition):
        close_out(finish(serving(), at(5), Outcome.COMPLETED)[0], at(60))
