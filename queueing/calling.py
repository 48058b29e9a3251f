"""Calling at a window: a dispatch decision applied to the ticket and the window together."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from queueing import lifecycle
from queueing.dispatch import Decision, Rule, choose_next, priority_class
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import InvalidCommand, NotEligible, WindowBusy
from queueing.events import CallOrderOverridden, Event
from queueing.policy import Policy
from queueing.ticket import Ticket, TicketStatus
from queueing.window import NO_COVERAGE, Coverage, WindowState, may_serve

_PRIORITY_CLASSES = frozenset({"green", "appointment"})


@dataclass(frozen=True, slots=True)
class Call:
    """The result of a call: the window and the ticket as they now are, and the events."""

    window: WindowState
    ticket: Ticket
    decision: Decision
    events: tuple[Event, ...]


def call_next(
    window: WindowState,
    waiting: Iterable[Ticket],
    now: float,
    policy: Policy,
    coverage: Coverage = NO_COVERAGE,
) -> Call | None:
    """Call the ticket the policy chooses for this free window, or return None if none.

    Raises WindowBusy if the window still holds a ticket.
    """
    _require_free(window)
    decision = choose_next(window, waiting, now, policy, coverage)
    return None if decision is None else apply_decision(window, decision, now)


def call_next_in(
    window: WindowState, queue: DispatchQueue, now: float, coverage: Coverage = NO_COVERAGE
) -> Call | None:
    """`call_next`, with the decision from a `DispatchQueue` (it decides as `choose_next`).

    The queue is not changed: the caller removes the called ticket when it is stored.
    Raises WindowBusy if the window still holds a ticket, TimeWentBackwards if `now` is
    earlier than the queue's previous decision.
    """
    _require_free(window)
    decision = queue.choose(window, now, coverage)
    return None if decision is None else apply_decision(window, decision, now)


def apply_decision(window: WindowState, decision: Decision, now: float) -> Call:
    """Carry out a decision (from `choose_next` or a `DispatchQueue`) at a free window.

    Raises WindowBusy if the window holds a ticket, IllegalTransition if the ticket is
    not waiting.
    """
    _require_free(window)
    ticket, events = lifecycle.call(decision.ticket, window.number, now, decision.rule.value)
    streak = window.priority_streak + 1 if decision.priority else 0
    held = replace(window, ticket_id=ticket.id, priority_streak=streak)
    return Call(held, ticket, decision, events)


def call_chosen(
    window: WindowState,
    ticket: Ticket,
    waiting: Iterable[Ticket],
    now: float,
    policy: Policy,
    reason: str,
    coverage: Coverage = NO_COVERAGE,
) -> Call:
    """Call a ticket staff picked out of order; the reason is recorded as an event.

    Raises InvalidCommand without a reason, WindowBusy if the window holds a ticket,
    NotEligible if the window may not serve the ticket, IllegalTransition if it is not
    waiting.
    """
    if not reason.strip():
        raise InvalidCommand(f"Cannot call {ticket.number} out of order: give a reason.")
    _require_free(window)
    if ticket.status is TicketStatus.WAITING and not may_serve(window, ticket):
        raise NotEligible(
            f"Cannot call {ticket.number} to window {window.number}: "
            f"the window does not serve matter {ticket.matter}."
        )
    expected = choose_next(window, waiting, now, policy, coverage)
    cls = priority_class(ticket, now, policy).value
    call = apply_decision(window, Decision(ticket, Rule.CHOSEN, cls in _PRIORITY_CLASSES), now)
    expected_id = None if expected is None else expected.ticket.id
    override = CallOrderOverridden(ticket.id, now, window.number, reason, expected_id)
    return replace(call, events=(*call.events, override))


def _require_free(window: WindowState) -> None:
    if window.ticket_id is not None:
        raise WindowBusy(
            f"Cannot call at window {window.number}: it still holds ticket {window.ticket_id}."
        )
