"""What the hall's services hand to the outside world after a commit.

``hall/`` never imports ``displays/`` or ``web/``; the composition root injects a
``Publisher`` (the displays hub, or ``NullPublisher`` in the CLI and some tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

# The kinds that go through the hall's screen outbox (``hall.store.outbox``), numbered
# by the hall's screen sequence: what screens show and what wakes the staff-side pages
# (``displays.messages`` maps them to screen messages).
OUTBOX_KINDS = frozenset(
    {
        "ticket_called",
        "ticket_recalled",
        "ticket_issued",
        "ticket_checked_in",
        "service_started",
        "ticket_finished",
        "ticket_marked_no_show",
        "ticket_transferred",
        "ticket_parked",
        "ticket_resumed",
        "ticket_cancelled",
        "ticket_unserved",
        "ticket_expired",
        "day_closed",
        "window_signed_in",
        "window_pause",
        "window_resume",
        "window_signed_out",
        "hall_notice_changed",
        "rating_given",
        "rating_changed",
    }
)
OUTBOX_PREFIXES = ("case_",)  # the steps of 帮办 requests


def in_outbox(kind: str) -> bool:
    """Whether events of this kind are numbered in the hall's screen outbox."""
    return kind in OUTBOX_KINDS or kind.startswith(OUTBOX_PREFIXES)


@dataclass(frozen=True, slots=True)
class HallEvent:
    """A committed change in a hall, in the order the audit log recorded it.

    ``seq`` is the hall's screen sequence number (``hall.store.outbox``) for the kinds
    that go through the outbox, else None.
    """

    hall_id: str
    kind: str
    at: datetime
    event_id: int
    data: dict[str, Any] = field(default_factory=dict)
    seq: int | None = None


class Publisher(Protocol):
    """Receives committed events; must not raise for a slow or missing consumer."""

    async def publish(self, events: Sequence[HallEvent]) -> None: ...


class NullPublisher:
    """A publisher that drops everything (CLI commands, tests that don't watch screens)."""

    async def publish(self, events: Sequence[HallEvent]) -> None:
        return None


class RecordingPublisher:
    """A publisher that keeps what it received (tests)."""

    def __init__(self) -> None:
        self.events: list[HallEvent] = []

    async def publish(self, events: Sequence[HallEvent]) -> None:
        self.events.extend(events)
