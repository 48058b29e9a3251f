"""A hub over a fake board and recording screens, for the displays unit tests."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from displays.connection import ScreenConnection
from displays.hub import Hub
from displays.screen_state import ScreenState
from hall.publish import HallEvent

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


class FakeBoard:
    """A hall whose board is whatever the test last set; counts the reads."""

    def __init__(self, halls: tuple[str, ...] = ("h1",)) -> None:
        self.halls = halls
        self.seq = 0
        self.calls: list[dict[str, Any]] = []
        self.windows: list[dict[str, Any]] = []
        self.waiting: list[dict[str, Any]] = []
        self.loads = 0
        self.gate: asyncio.Event | None = None  # when set: reads wait for it to open

    async def __call__(self, hall_id: str) -> dict[str, Any] | None:
        self.loads += 1
        await asyncio.sleep(0)
        if self.gate is not None:
            await self.gate.wait()
        if hall_id not in self.halls:
            return None
        return {
            "seq": self.seq,
            "hall": {"id": hall_id, "name": hall_id, "notice": ""},
            "recent_calls": list(self.calls),
            "windows": [dict(w) for w in self.windows],
            "waiting": [dict(w) for w in self.waiting],
            "average_wait_minutes": None,
            "as_of": AT.isoformat(),
        }


class Screen:
    """A recording screen socket; ``stuck`` makes every send hang (a dead TV)."""

    def __init__(self, hub: Hub, *, stuck: bool = False) -> None:
        self.sent: list[dict[str, Any]] = []
        self.stuck = stuck
        self.conn: ScreenConnection = hub.connection(self.send, name="test")
        self.task = asyncio.create_task(self.conn.run())
        self.state = ScreenState()

    async def send(self, text: str) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.sent.append(json.loads(text))

    def types(self) -> list[str]:
        return [m["type"] for m in self.sent]

    def replay_into_state(self) -> ScreenState:
        for message in self.sent:
            self.state.apply(message)
        return self.state

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


def called(seq: int, number: str, window: int, hall: str = "h1") -> HallEvent:
    return HallEvent(
        hall,
        "ticket_called",
        AT,
        seq,
        {"number": number, "window": window, "status": "called", "id": "secret-token"},
    )


def event(seq: int, kind: str, hall: str = "h1", **data: Any) -> HallEvent:
    return HallEvent(hall, kind, AT, seq, data)


class FakeClock:
    """A feed clock that moves only when the test says so."""

    def __init__(self) -> None:
        self.moment = 1000.0
        self._moved = asyncio.Event()

    def now(self) -> float:
        return self.moment

    async def sleep_until(self, moment: float) -> None:
        while self.moment < moment:
            await self._moved.wait()

    def advance(self, seconds: float) -> None:
        self.moment += seconds
        self._moved.set()
        self._moved = asyncio.Event()


async def settle(rounds: int = 20) -> None:
    """Let the feed workers and senders run."""
    for _ in range(rounds):
        await asyncio.sleep(0)
