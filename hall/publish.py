"""What the hall's services hand to the outside world after a commit.

``hall/`` never imports ``displays/`` or ``web/``; the composition root injects a
``Publisher`` (the displays hub, or ``NullPublisher`` in the CLI and some tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class HallEvent:
    """A committed change in a hall, in the order the audit log recorded it."""

    hall_id: str
    kind: str
    at: datetime
    event_id: int
    data: dict[str, Any] = field(default_factory=dict)


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
