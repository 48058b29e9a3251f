"""Translate between database rows and the queueing core's values (tickets, windows, events).

The core works in float seconds; rows hold aware UTC datetimes. The full ``Ticket`` is
kept in the row's ``state`` JSON, and the columns that queries filter on are copied
next to it.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from datetime import UTC, datetime
from typing import Any

from hall.catalogue.schema import WindowKind as ConfigWindowKind
from hall.store.models import TicketRow, WindowRow
from queueing import MatterClass, Outcome, Source, Ticket, TicketStatus, WindowKind, WindowState

_KIND = {
    ConfigWindowKind.COMPREHENSIVE.value: WindowKind.COMPREHENSIVE,
    ConfigWindowKind.SPECIALISED.value: WindowKind.SPECIALISED,
    ConfigWindowKind.GREEN.value: WindowKind.GREEN,
    ConfigWindowKind.PICKUP.value: WindowKind.SPECIALISED,
    ConfigWindowKind.COULD_NOT_GET_IT_DONE.value: WindowKind.SPECIALISED,
}
_ENUMS: dict[str, type[enum.Enum]] = {
    "matter_class": MatterClass,
    "source": Source,
    "status": TicketStatus,
    "outcome": Outcome,
}
_TIMES = (
    "issued_at", "due_at", "checked_in_at", "called_at", "first_called_at",
    "started_at", "finished_at",
)  # fmt: skip
# The columns ``store_ticket`` writes (hall.calling.writer updates exactly these).
TICKET_COLUMNS = (
    "state", "status", "matter_code", "matter_class", "green", "window_number", "recalls",
    "outcome", *_TIMES,
)  # fmt: skip


def seconds(moment: datetime) -> float:
    """An aware datetime as POSIX seconds (the core's timeline)."""
    return moment.timestamp()


def moment(value: float | None) -> datetime | None:
    """POSIX seconds back to an aware UTC datetime."""
    return None if value is None else datetime.fromtimestamp(value, UTC)


def ticket_of(row: TicketRow) -> Ticket:
    """The core's ticket stored in a row."""
    return ticket_from_state(row.state)


def ticket_from_state(stored: dict[str, Any]) -> Ticket:
    """The core's ticket from the JSON kept in a row's ``state`` column."""
    state = dict(stored)
    for name, enum_type in _ENUMS.items():
        if state.get(name) is not None:
            state[name] = enum_type(state[name])
    return Ticket(**state)


def store_ticket(row: TicketRow, ticket: Ticket) -> None:
    """Write a ticket into its row: the JSON state and the indexed columns."""
    state = {f.name: _plain(getattr(ticket, f.name)) for f in dataclasses.fields(ticket)}
    row.state = state
    row.status = ticket.status.value
    row.matter_code = ticket.matter
    row.matter_class = ticket.matter_class.value
    row.green = ticket.green
    row.window_number = ticket.window
    row.recalls = ticket.recalls
    row.outcome = None if ticket.outcome is None else ticket.outcome.value
    for name in _TIMES:
        value = moment(getattr(ticket, name))
        if name == "issued_at":
            assert value is not None
            row.issued_at = value
        else:
            setattr(row, name, value)


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


def window_state(row: WindowRow) -> WindowState:
    """The core's view of a window row."""
    state = row.dispatch_state or {}
    return WindowState(
        number=row.number,
        kind=_KIND[row.kind],
        skills=frozenset(row.skills),
        priority_streak=int(state.get("priority_streak", 0)),
        ticket_id=state.get("ticket_id"),
        excluded=frozenset(row.excluded or ()),
    )


def store_window(row: WindowRow, window: WindowState) -> None:
    """Write back the fairness state and the held ticket of a window."""
    row.dispatch_state = {"priority_streak": window.priority_streak, "ticket_id": window.ticket_id}


def event_kind(event: object) -> str:
    """``TicketCalled`` → ``ticket_called``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


def event_data(event: object) -> dict[str, Any]:
    """A domain event's fields as JSON-safe data (times as ISO strings)."""
    data: dict[str, Any] = {}
    for f in dataclasses.fields(event):  # type: ignore[arg-type]
        value = getattr(event, f.name)
        if f.name == "at":
            stamp = moment(value)
            assert stamp is not None
            value = stamp.isoformat()
        data[f.name] = _plain(value)
    return data
