"""Domain events: past-tense facts returned by every state change, for the audit log and screens."""

from __future__ import annotations

from dataclasses import dataclass

from queueing.ticket import Outcome, Source


@dataclass(frozen=True, slots=True)
class TicketIssued:
    """A ticket number was issued."""

    ticket_id: str
    at: float
    number: str
    matter: str
    source: Source
    green: bool


@dataclass(frozen=True, slots=True)
class TicketCheckedIn:
    """An appointment holder checked in and joined the queue."""

    ticket_id: str
    at: float


@dataclass(frozen=True, slots=True)
class TicketCalled:
    """A ticket was called to a window; `rule` names the dispatch rule that chose it."""

    ticket_id: str
    at: float
    number: str
    window: int
    rule: str


@dataclass(frozen=True, slots=True)
class CallOrderOverridden:
    """Staff called a ticket of their choice instead of the one the policy would call."""

    ticket_id: str
    at: float
    window: int
    reason: str
    expected_ticket_id: str | None


@dataclass(frozen=True, slots=True)
class TicketRecalled:
    """A called ticket was announced again."""

    ticket_id: str
    at: float
    number: str
    window: int
    recalls: int


@dataclass(frozen=True, slots=True)
class TicketMarkedNoShow:
    """A called citizen did not come after the recalls and the grace time."""

    ticket_id: str
    at: float
    window: int


@dataclass(frozen=True, slots=True)
class ServiceStarted:
    """The citizen arrived at the window and service began."""

    ticket_id: str
    at: float
    window: int


@dataclass(frozen=True, slots=True)
class TicketFinished:
    """Service ended with an outcome."""

    ticket_id: str
    at: float
    window: int
    outcome: Outcome


@dataclass(frozen=True, slots=True)
class TicketTransferred:
    """A ticket was sent to another matter or window, keeping its place in time."""

    ticket_id: str
    at: float
    from_window: int | None
    from_matter: str
    to_matter: str
    to_window: int | None


@dataclass(frozen=True, slots=True)
class TicketParked:
    """A ticket was put on hold (挂起), e.g. while the citizen fetches a document."""

    ticket_id: str
    at: float
    window: int
    reason: str


@dataclass(frozen=True, slots=True)
class TicketResumed:
    """A parked ticket rejoined the queue."""

    ticket_id: str
    at: float
    to_window: int | None


@dataclass(frozen=True, slots=True)
class TicketCancelled:
    """A ticket was withdrawn before service; `window` is set if it had been called."""

    ticket_id: str
    at: float
    window: int | None
    reason: str


@dataclass(frozen=True, slots=True)
class TicketUnserved:
    """A ticket was still open when the hall's day was closed out (`was`: its status then)."""

    ticket_id: str
    at: float
    window: int | None
    was: str


@dataclass(frozen=True, slots=True)
class TicketExpired:
    """A parked ticket's citizen did not come back before the day was closed out."""

    ticket_id: str
    at: float


Event = (
    TicketIssued
    | TicketCheckedIn
    | TicketCalled
    | CallOrderOverridden
    | TicketRecalled
    | TicketMarkedNoShow
    | ServiceStarted
    | TicketFinished
    | TicketTransferred
    | TicketParked
    | TicketResumed
    | TicketCancelled
    | TicketUnserved
    | TicketExpired
)
