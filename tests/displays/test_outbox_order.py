"""A feed with an outbox: events in outbox order whatever order they arrive in, a gap
read from the outbox, reads retried with back-off through a database outage."""

from __future__ import annotations

import asyncio

import pytest

from displays.hub import Hub
from displays.messages import ScreenEvent
from tests.displays.hub_support import AT, FakeBoard, FakeClock, Screen, called, settle

pytestmark = pytest.mark.asyncio


class FakeOutbox:
    """The hall's numbered events as a list; ``down`` makes reads fail (an outage)."""

    def __init__(self) -> None:
        self.events: list[ScreenEvent] = []
        self.down = False
        self.reads = 0

    def add(self, seq: int, number: str, window: int = 1) -> None:
        self.events.append(ScreenEvent(seq, "ticket_called", AT.isoformat(), number, window))

    async def after(self, hall_id: str, seq: int, limit: int) -> list[ScreenEvent]:
        self.reads += 1
        await asyncio.sleep(0)
        if self.down:
            raise ConnectionError("the database is down")
        return [e for e in self.events if e.seq > seq][:limit]

    async def head(self, hall_id: str, upto: int, kinds: tuple[str, ...]) -> int:
        return max((e.seq for e in self.events if e.seq <= upto and e.kind in kinds), default=0)


async def started(clock: FakeClock | None = None) -> tuple[Hub, FakeBoard, FakeOutbox, Screen]:
    board, outbox = FakeBoard(), FakeOutbox()
    hub = Hub(heartbeat_seconds=3600, clock=clock)
    await hub.start(board, outbox)
    screen = Screen(hub)
    assert await hub.subscribe("h1", screen.conn)
    await settle()
    return hub, board, outbox, screen


def calls(screen: Screen) -> list[tuple[int, str]]:
    return [(m["seq"], m["ticket"]) for m in screen.sent if m["type"] == "called"]


async def test_events_out_of_order_go_out_in_outbox_order_once() -> None:
    hub, board, outbox, screen = await started()
    for seq in (1, 2, 3):
        outbox.add(seq, f"A00{seq}")
    board.seq = 3
    await hub.publish([called(1, "A001", 1)])
    await hub.publish([called(3, "A003", 1)])  # 2's notification is still on its way
    await settle()
    await hub.publish([called(2, "A002", 1)])
    await settle()
    assert calls(screen) == [(1, "A001"), (2, "A002"), (3, "A003")]
    screen.replay_into_state()  # one chain, no gap
    await screen.close()
    await hub.stop()


async def test_a_gap_is_read_from_the_outbox_after_an_outage_with_back_off() -> None:
    clock = FakeClock()
    hub, board, outbox, screen = await started(clock)
    outbox.add(1, "A001")
    await hub.publish([called(1, "A001", 1)])
    await settle()
    # Calls 2 to 4 are made through another process while this one's database is out of
    # reach; their notifications never come. Call 5's does.
    outbox.down = True
    for seq in (2, 3, 4, 5):
        outbox.add(seq, f"A00{seq}")
    board.seq = 5
    await hub.publish([called(5, "A005", 1)])
    await settle()
    reads = outbox.reads
    clock.advance(0.25)
    await settle()
    assert outbox.reads == reads + 1  # retried after the first back-off, not in a loop
    assert calls(screen) == [(1, "A001")]  # nothing out of order meanwhile
    outbox.down = False
    for _ in range(4):  # back-off grows; the next read succeeds
        clock.advance(5)
        await settle()
    assert calls(screen) == [(n, f"A00{n}") for n in range(1, 6)]
    screen.replay_into_state()
    await screen.close()
    await hub.stop()


async def test_since_from_another_process_is_rebuilt_from_the_outbox() -> None:
    hub, board, outbox, screen = await started()
    for seq in range(1, 6):
        outbox.add(seq, f"A00{seq}")
    board.seq = 5
    await hub.publish([called(seq, f"A00{seq}", 1) for seq in range(1, 6)])
    await settle()
    feed = hub.feeds["h1"]
    feed._history.clear()  # as if the screen had been on another process
    late = Screen(hub)
    await hub.subscribe("h1", late.conn, since=2)
    await settle()
    assert calls(late) == [(3, "A003"), (4, "A004"), (5, "A005")]
    assert late.types()[-2:] == ["board", "heartbeat"]
    assert [m["prev"] for m in late.sent if m["type"] == "called"] == [2, 3, 4]
    for screen_ in (screen, late):
        await screen_.close()
    await hub.stop()
