"""Small builders shared by the queueing tests (imported as a plain module)."""

from __future__ import annotations

from typing import Any

from queueing.policy import MINUTE
from queueing.ticket import MatterClass, Source, Ticket, TicketStatus
from queueing.window import ANY_MATTER, WindowKind, WindowState

T0 = 9 * 3600.0  # 09:00 on the test day's timeline


def at(minutes: float) -> float:
    """Return the time `minutes` after 09:00."""
    return T0 + minutes * MINUTE


def walk_in(ticket_id: str, minute: float, matter: str = "A", **changes: Any) -> Ticket:
    """A waiting walk-in that arrived at 09:00 + `minute`."""
    fields: dict[str, Any] = {
        "id": ticket_id,
        "number": ticket_id,
        "matter": matter,
        "matter_class": MatterClass.GENERAL,
        "source": Source.WALK_IN,
        "issued_at": at(minute),
        "checked_in_at": at(minute),
        "status": TicketStatus.WAITING,
    }
    fields.update(changes)
    return Ticket(**fields)


def green(ticket_id: str, minute: float, matter: str = "A", **changes: Any) -> Ticket:
    """A waiting green-channel walk-in."""
    return walk_in(ticket_id, minute, matter, green=True, **changes)


def booked(
    ticket_id: str, slot_minute: float, arrived_minute: float, matter: str = "A", **changes: Any
) -> Ticket:
    """A checked-in appointment whose slot starts at 09:00 + `slot_minute`."""
    return walk_in(
        ticket_id,
        arrived_minute,
        matter,
        source=Source.APPOINTMENT,
        due_at=at(slot_minute),
        **changes,
    )


def window(
    number: int = 1,
    kind: WindowKind = WindowKind.COMPREHENSIVE,
    skills: frozenset[str] | set[str] | None = None,
    streak: int = 0,
) -> WindowState:
    """A free window."""
    chosen = frozenset({ANY_MATTER}) if skills is None else frozenset(skills)
    return WindowState(number, kind, chosen, streak)
