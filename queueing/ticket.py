"""The ticket: one citizen's visit for one matter, as an immutable record."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Source(enum.Enum):
    """How the ticket came to be: taken at the kiosk, or an appointment checked in."""

    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"


class MatterClass(enum.Enum):
    """The matter's class, which selects the appointment-wait target (10 or 30 minutes)."""

    GENERAL = "general"
    COMPLEX = "complex"


class TicketStatus(enum.Enum):
    """Where the ticket is in its lifecycle."""

    EXPECTED = "expected"  # an appointment ticket issued before the citizen checked in
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    UNSERVED = "unserved"  # still open when the hall's day was closed out (the hall's miss)


class Outcome(enum.Enum):
    """How a finished service ended."""

    COMPLETED = "completed"
    MATERIALS_MISSING = "materials_missing"
    REJECTED = "rejected"
    REFERRED = "referred"


HELD = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
ENDED = frozenset(
    {TicketStatus.FINISHED, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.UNSERVED}
)


@dataclass(frozen=True, slots=True)
class Ticket:
    """One ticket; times are seconds on the caller's timeline, `None` meaning "not yet"."""

    id: str
    number: str
    matter: str
    matter_class: MatterClass
    source: Source
    issued_at: float
    green: bool = False
    first_visit: bool = True
    status: TicketStatus = TicketStatus.WAITING
    due_at: float | None = None
    checked_in_at: float | None = None
    window: int | None = None
    assigned_window: int | None = None
    called_at: float | None = None
    first_called_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    parked_at: float | None = None
    ended_at: float | None = None
    recalls: int = 0
    transfers: int = 0
    outcome: Outcome | None = None


def describe_state(ticket: Ticket) -> str:
    """Say in a few words what state the ticket is in, for error messages."""
    status = ticket.status
    if status is TicketStatus.CALLED:
        return f"it has already been called to window {ticket.window}"
    if status is TicketStatus.SERVING:
        return f"it is already being served at window {ticket.window}"
    return _STATE_WORDS[status]


_STATE_WORDS = {
    TicketStatus.EXPECTED: "it has not checked in yet",
    TicketStatus.WAITING: "it is waiting",
    TicketStatus.PARKED: "it is parked",
    TicketStatus.FINISHED: "it has already finished",
    TicketStatus.NO_SHOW: "it was marked as a no-show",
    TicketStatus.CANCELLED: "it was cancelled",
    TicketStatus.UNSERVED: "it was not served before the day was closed",
}
