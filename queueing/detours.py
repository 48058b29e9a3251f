"""The ticket state machine, side paths: transfer, park (挂起), resume and cancel."""

from __future__ import annotations

from dataclasses import replace

from queueing.errors import InvalidCommand
from queueing.events import TicketCancelled, TicketParked, TicketResumed, TicketTransferred
from queueing.lifecycle import Transition, require
from queueing.ticket import MatterClass, Ticket, TicketStatus

_S = TicketStatus
_TRANSFERABLE = (_S.WAITING, _S.CALLED, _S.SERVING)
_CANCELLABLE = (_S.EXPECTED, _S.WAITING, _S.CALLED, _S.PARKED)


def transfer(
    ticket: Ticket,
    now: float,
    *,
    matter: str | None = None,
    matter_class: MatterClass | None = None,
    to_window: int | None = None,
) -> Transition:
    """Send a ticket to another matter and/or window; it keeps its issue and check-in times.

    Raises IllegalTransition unless the ticket is WAITING, CALLED or SERVING, and
    InvalidCommand if neither a matter nor a window is named.
    """
    require(ticket, "transfer", _TRANSFERABLE)
    if matter is None and to_window is None:
        raise InvalidCommand(f"Cannot transfer {ticket.number}: name a matter or a window.")
    moved = replace(
        ticket,
        status=_S.WAITING,
        matter=ticket.matter if matter is None else matter,
        matter_class=ticket.matter_class if matter_class is None else matter_class,
        window=None,
        assigned_window=to_window,
        called_at=None,
        started_at=None,
        recalls=0,
        transfers=ticket.transfers + 1,
    )
    event = TicketTransferred(ticket.id, now, ticket.window, ticket.matter, moved.matter, to_window)
    return moved, (event,)


def park(ticket: Ticket, now: float, reason: str = "") -> Transition:
    """Put a called or served ticket on hold while the citizen fetches something.

    Raises IllegalTransition unless the ticket is CALLED or SERVING.
    """
    require(ticket, "park", (_S.CALLED, _S.SERVING))
    assert ticket.window is not None
    parked = replace(ticket, status=_S.PARKED, window=None, parked_at=now)
    return parked, (TicketParked(ticket.id, now, ticket.window, reason),)


def resume(ticket: Ticket, now: float, *, to_window: int | None = None) -> Transition:
    """Put a parked ticket back in the queue at its old place, optionally for one window only.

    Raises IllegalTransition unless the ticket is PARKED.
    """
    require(ticket, "resume", (_S.PARKED,))
    back = replace(
        ticket,
        status=_S.WAITING,
        assigned_window=to_window,
        called_at=None,
        started_at=None,
        recalls=0,
    )
    return back, (TicketResumed(ticket.id, now, to_window),)


def cancel(ticket: Ticket, now: float, reason: str) -> Transition:
    """Withdraw a ticket that is not being served (the citizen left, or the day ended).

    Raises IllegalTransition if the ticket is being served or has already ended.
    """
    require(ticket, "cancel", _CANCELLABLE)
    gone = replace(ticket, status=_S.CANCELLED, window=None, ended_at=now)
    return gone, (TicketCancelled(ticket.id, now, ticket.window, reason),)
