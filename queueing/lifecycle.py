"""The ticket state machine, main path: issue, check in, call, recall, no-show, start, finish."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from queueing.errors import IllegalTransition, InvalidCommand, NoShowTooEarly
from queueing.events import (
    Event,
    ServiceStarted,
    TicketCalled,
    TicketCheckedIn,
    TicketExpired,
    TicketFinished,
    TicketIssued,
    TicketMarkedNoShow,
    TicketRecalled,
    TicketUnserved,
)
from queueing.policy import MINUTE, Policy
from queueing.ticket import MatterClass, Outcome, Source, Ticket, TicketStatus, describe_state

Transition = tuple[Ticket, tuple[Event, ...]]

_WAITING = TicketStatus.WAITING
_CALLED = TicketStatus.CALLED
_SERVING = TicketStatus.SERVING


def require(ticket: Ticket, action: str, allowed: Collection[TicketStatus]) -> None:
    """Check that `action` is allowed in the ticket's state.

    Raises IllegalTransition naming the ticket, the action and the state found.
    """
    if ticket.status not in allowed:
        raise IllegalTransition(ticket.number, action, describe_state(ticket), ticket.status.value)


def issue(
    ticket_id: str,
    number: str,
    matter: str,
    matter_class: MatterClass,
    now: float,
    *,
    source: Source = Source.WALK_IN,
    green: bool = False,
    first_visit: bool = True,
    due_at: float | None = None,
    checked_in: bool = True,
) -> Transition:
    """Issue a ticket; an appointment ticket issued before arrival waits in EXPECTED.

    Raises InvalidCommand if an appointment has no slot start, a walk-in has one, or a
    walk-in is not checked in.
    """
    if (source is Source.APPOINTMENT) != (due_at is not None):
        raise InvalidCommand(f"Cannot issue {number}: only appointments carry a slot start.")
    if source is Source.WALK_IN and not checked_in:
        raise InvalidCommand(f"Cannot issue {number}: a walk-in is present when issued.")
    ticket = Ticket(
        id=ticket_id,
        number=number,
        matter=matter,
        matter_class=matter_class,
        source=source,
        issued_at=now,
        green=green,
        first_visit=first_visit,
        status=_WAITING if checked_in else TicketStatus.EXPECTED,
        due_at=due_at,
        checked_in_at=now if checked_in else None,
    )
    issued = TicketIssued(ticket_id, now, number, matter, source, green)
    if not checked_in:
        return ticket, (issued,)
    return ticket, (issued, TicketCheckedIn(ticket_id, now))


def check_in(ticket: Ticket, now: float) -> Transition:
    """Record an appointment holder's arrival; the ticket joins the queue.

    Raises IllegalTransition unless the ticket is EXPECTED.
    """
    require(ticket, "check in", (TicketStatus.EXPECTED,))
    return (
        replace(ticket, status=_WAITING, checked_in_at=now),
        (TicketCheckedIn(ticket.id, now),),
    )


def call(ticket: Ticket, window: int, now: float, rule: str = "chosen") -> Transition:
    """Call a waiting ticket to a window (dispatch decides which one; see `calling`).

    Raises IllegalTransition unless the ticket is WAITING.
    """
    require(ticket, "call", (_WAITING,))
    called = replace(
        ticket,
        status=_CALLED,
        window=window,
        assigned_window=None,
        called_at=now,
        first_called_at=now if ticket.first_called_at is None else ticket.first_called_at,
        recalls=0,
    )
    return called, (TicketCalled(ticket.id, now, ticket.number, window, rule),)


def recall(ticket: Ticket, now: float) -> Transition:
    """Announce a called ticket again (重呼); the no-show grace restarts.

    Raises IllegalTransition unless the ticket is CALLED.
    """
    require(ticket, "recall", (_CALLED,))
    assert ticket.window is not None  # a called ticket is always at a window
    recalled = replace(ticket, called_at=now, recalls=ticket.recalls + 1)
    event = TicketRecalled(ticket.id, now, ticket.number, ticket.window, recalled.recalls)
    return recalled, (event,)


def mark_no_show(ticket: Ticket, now: float, policy: Policy) -> Transition:
    """Record that the called citizen did not come (过号).

    Raises IllegalTransition unless the ticket is CALLED, and NoShowTooEarly before the
    policy's recalls and grace time have passed.
    """
    action = "mark as no-show"
    require(ticket, action, (_CALLED,))
    assert ticket.window is not None
    assert ticket.called_at is not None
    needed = policy.recalls_before_no_show
    left = max(0.0, ticket.called_at + policy.no_show_grace_minutes * MINUTE - now)
    if ticket.recalls < needed:
        found = f"it has been recalled {ticket.recalls} of the {needed} required times"
        missing = needed - ticket.recalls
        raise NoShowTooEarly(
            ticket.number, action, found, recalls_missing=missing, seconds_left=left
        )
    if left > 0:
        waited = (now - ticket.called_at) / MINUTE
        grace = policy.no_show_grace_minutes
        found = f"its last call was {waited:.1f} min ago, within the {grace:g}-minute grace"
        raise NoShowTooEarly(ticket.number, action, found, recalls_missing=0, seconds_left=left)
    gone = replace(ticket, status=TicketStatus.NO_SHOW, ended_at=now)
    return gone, (TicketMarkedNoShow(ticket.id, now, ticket.window),)


def start(ticket: Ticket, now: float) -> Transition:
    """Start serving a called ticket at its window.

    Raises IllegalTransition unless the ticket is CALLED.
    """
    require(ticket, "start serving", (_CALLED,))
    assert ticket.window is not None
    serving = replace(ticket, status=_SERVING, started_at=now)
    return serving, (ServiceStarted(ticket.id, now, ticket.window),)


def finish(ticket: Ticket, now: float, outcome: Outcome) -> Transition:
    """Finish service with an outcome; the ticket keeps the window it finished at.

    Raises IllegalTransition unless the ticket is SERVING.
    """
    require(ticket, "finish", (_SERVING,))
    assert ticket.window is not None
    done = replace(ticket, status=TicketStatus.FINISHED, finished_at=now, outcome=outcome)
    return done, (TicketFinished(ticket.id, now, ticket.window, outcome),)


_OPEN = (
    TicketStatus.EXPECTED,
    _WAITING,
    _CALLED,
    _SERVING,
    TicketStatus.PARKED,
)


def close_out(ticket: Ticket, now: float) -> Transition:
    """End a ticket still open when the hall's day is closed out: it was not served.

    A parked ticket expires; any other open ticket (expected, waiting, called, being
    served) becomes UNSERVED, a miss of the hall's, not the citizen's. The ticket keeps
    the window it was at. Raises IllegalTransition if the ticket has already ended.
    """
    require(ticket, "close out", _OPEN)
    gone = replace(ticket, status=TicketStatus.UNSERVED, ended_at=now)
    if ticket.status is TicketStatus.PARKED:
        return gone, (TicketExpired(ticket.id, now),)
    return gone, (TicketUnserved(ticket.id, now, ticket.window, ticket.status.value),)
