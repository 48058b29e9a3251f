"""The hub: ordering, snapshots and replay, gaps, slow and silent screens, privacy."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from displays.connection import CLOSE_SILENT, CLOSE_TOO_SLOW
from displays.hub import HEARTBEAT_SLICES, Hub
from displays.screen_state import Gap, ScreenState
from tests.displays.hub_support import FakeBoard, FakeClock, Screen, called, event, settle

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def board() -> FakeBoard:
    return FakeBoard()


@pytest_asyncio.fixture
async def hub(board: FakeBoard) -> AsyncIterator[Hub]:
    hub = Hub(max_queue=8, heartbeat_seconds=3600)
    await hub.start(board)
    yield hub
    await hub.stop()


async def test_snapshot_then_every_event_in_order(hub: Hub, board: FakeBoard) -> None:
    board.seq = 10
    screen = Screen(hub)
    assert await hub.subscribe("h1", screen.conn)
    for seq, number in ((11, "A001"), (12, "A002"), (13, "A003")):
        await hub.publish([called(seq, number, 5)])
    await settle()
    assert screen.types() == ["snapshot", "called", "called", "called"]
    assert [m["seq"] for m in screen.sent] == [10, 11, 12, 13]
    assert [m.get("prev") for m in screen.sent[1:]] == [10, 11, 12]
    state = screen.replay_into_state()
    assert [a["text"] for a in state.announcements] == [
        f"请 A00{i} 号 到 5 号窗口 办理" for i in (1, 2, 3)
    ]
    await screen.close()


async def test_a_burst_is_one_board_read_and_still_one_message_per_event(
    hub: Hub, board: FakeBoard
) -> None:
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    loads = board.loads
    await hub.publish([event(1, "ticket_issued", number="A001")])
    await hub.publish([event(2, "ticket_issued", number="A002")])
    await hub.publish([called(3, "A001", 1), event(4, "call_order_overridden")])
    await settle()
    assert board.loads == loads + 1
    assert screen.types() == ["snapshot", "update", "update", "called"]
    await screen.close()


async def test_a_call_to_an_idle_feed_is_on_the_screens_before_publish_returns(
    hub: Hub, board: FakeBoard
) -> None:
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    await settle()
    loads = board.loads
    await hub.publish([called(1, "A001", 5)])
    assert screen.types() == ["snapshot", "called"]  # no loop turn in between
    await settle()
    assert board.loads == loads + 1  # the worker still re-reads the board
    await screen.close()


async def test_calls_during_a_board_read_wait_for_it_and_keep_their_order(
    hub: Hub, board: FakeBoard
) -> None:
    """A call must not overtake a board read that began before it: that read's board
    does not have the call, and sent after it would take its number off the screens."""
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    await settle()
    board.gate = asyncio.Event()
    await hub.publish([called(1, "A001", 1)])
    await settle()  # the worker now reads the board, and waits at the gate
    await hub.publish([called(2, "A002", 2)])
    await settle()
    assert [m.get("ticket") for m in screen.sent[1:]] == ["A001"]
    board.gate.set()
    await settle()
    assert [m.get("ticket") for m in screen.sent[1:]] == ["A001", "A002"]
    assert [m.get("prev") for m in screen.sent[1:]] == [0, 1]
    state = screen.replay_into_state()
    assert [a["text"] for a in state.announcements] == [
        "请 A001 号 到 1 号窗口 办理",
        "请 A002 号 到 2 号窗口 办理",
    ]
    await screen.close()


async def test_screens_never_see_private_fields(hub: Hub) -> None:
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    await hub.publish([called(1, "A001", 2)])
    await settle()
    assert "secret-token" not in str(screen.sent)
    await screen.close()


async def test_events_of_other_halls_and_unknown_halls(hub: Hub, board: FakeBoard) -> None:
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    await hub.publish([called(1, "B001", 2, hall="elsewhere")])
    await settle()
    assert screen.types() == ["snapshot"]
    assert not await hub.subscribe("nowhere", Screen(hub).conn)
    assert "nowhere" not in hub.feeds
    await screen.close()


async def test_reconnect_since_replays_exactly_what_was_missed(hub: Hub) -> None:
    first = Screen(hub)
    await hub.subscribe("h1", first.conn)
    await hub.publish([called(1, "A001", 1)])
    await settle()
    hub.unsubscribe("h1", first.conn)
    await hub.publish([called(2, "A002", 2)])
    await hub.publish([event(3, "window_pause", window=2, status="paused")])
    await settle()
    again = Screen(hub)
    await hub.subscribe("h1", again.conn, since=1)
    await settle()
    # The missed messages, then the whole board (it may come from another process) and
    # a heartbeat; the board message does not advance the chain.
    assert again.types() == ["called", "window", "board", "heartbeat"]
    assert again.sent[2]["seq"] == again.sent[2]["prev"] == 3
    state = first.replay_into_state()
    for message in again.sent:
        state.apply(message)
    assert state.seq == 3
    current = Screen(hub)
    await hub.subscribe("h1", current.conn, since=3)
    await settle()
    assert current.types() == ["heartbeat"]
    for screen in (first, again, current):
        await screen.close()


async def test_since_the_feed_no_longer_has_gets_a_snapshot(board: FakeBoard) -> None:
    hub = Hub(history=2, heartbeat_seconds=3600)
    await hub.start(board)
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    for seq in range(1, 6):
        await hub.publish([called(seq, f"A00{seq}", 1)])
    await settle()
    late = Screen(hub)
    await hub.subscribe("h1", late.conn, since=1)
    await settle()
    assert late.types() == ["snapshot"]
    assert late.sent[0]["seq"] == 5
    await screen.close()
    await late.close()
    await hub.stop()


async def test_a_gap_is_detected_by_the_screen() -> None:
    state = ScreenState()
    state.apply({"type": "snapshot", "seq": 4, "hall": {}})
    state.apply({"type": "update", "seq": 7, "prev": 4, "board": {"x": 1}})
    with pytest.raises(Gap):
        state.apply({"type": "called", "seq": 9, "prev": 8, "board": {}})
    with pytest.raises(Gap):
        state.apply({"type": "heartbeat", "seq": 9})
    assert (state.seq, state.since()) == (7, "?since=7")


async def test_a_slow_screen_is_dropped_and_the_others_get_everything(hub: Hub) -> None:
    stuck, fast = Screen(hub, stuck=True), Screen(hub)
    await hub.subscribe("h1", stuck.conn)
    await hub.subscribe("h1", fast.conn)
    for seq in range(1, 21):
        await hub.publish([called(seq, f"A{seq:03d}", 1)])
        await settle(3)
    await settle()
    assert stuck.conn.close_code == CLOSE_TOO_SLOW
    assert stuck.conn not in hub.feeds["h1"].subscribers
    assert [m["seq"] for m in fast.sent[1:]] == list(range(1, 21))
    await stuck.close()
    await fast.close()


async def test_silent_screens_are_dropped_and_live_ones_get_heartbeats(board: FakeBoard) -> None:
    hub = Hub(heartbeat_seconds=0.05)
    await hub.start(board)
    silent, live = Screen(hub), Screen(hub)
    await hub.subscribe("h1", silent.conn)
    await hub.subscribe("h1", live.conn)
    for _ in range(10):
        live.conn.seen()
        await asyncio.sleep(0.03)
    assert silent.conn.close_code == CLOSE_SILENT
    assert live.conn.open
    assert "heartbeat" in live.types()
    await silent.close()
    await live.close()
    await hub.stop()


async def test_heartbeats_go_out_in_turns_and_each_screen_gets_one_per_period(
    hub: Hub, board: FakeBoard
) -> None:
    screens = [Screen(hub) for _ in range(3 * HEARTBEAT_SLICES + 1)]
    for screen in screens:
        await hub.subscribe("h1", screen.conn)
    await settle()
    feed = hub.feeds["h1"]
    per_turn = []
    for turn in range(HEARTBEAT_SLICES):
        before = [s.types().count("heartbeat") for s in screens]
        hub._beat(feed, asyncio.get_running_loop().time(), turn)
        await settle()
        after = [s.types().count("heartbeat") for s in screens]
        per_turn.append(sum(a - b for a, b in zip(after, before, strict=True)))
    assert [s.types().count("heartbeat") for s in screens] == [1] * len(screens)
    assert max(per_turn) == 4  # 31 screens in 10 turns: never all at once
    for screen in screens:
        await screen.close()


async def test_reset_sends_every_screen_a_fresh_snapshot(hub: Hub, board: FakeBoard) -> None:
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    board.seq = 42
    board.calls = [{"ticket": "A009", "window": 3}]
    hub._on_reset()
    await settle()
    assert screen.types() == ["snapshot", "snapshot"]
    assert screen.sent[-1]["seq"] == 42
    assert screen.sent[-1]["recent_calls"] == [{"ticket": "A009", "window": 3}]
    await screen.close()


async def test_stopping_the_hub_closes_screens_for_a_restart(board: FakeBoard) -> None:
    hub = Hub(heartbeat_seconds=3600)
    await hub.start(board)
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    await hub.stop()
    assert screen.conn.close_code == 1012
    await screen.close()


async def test_a_send_stuck_past_its_timeout_is_dropped_by_the_heartbeat(board: FakeBoard) -> None:
    hub = Hub(heartbeat_seconds=0.05)
    await hub.start(board)
    stuck = Screen(hub, stuck=True)
    stuck.conn.send_timeout = 0.1
    await hub.subscribe("h1", stuck.conn)
    for _ in range(10):
        stuck.conn.seen()
        await asyncio.sleep(0.05)
    assert stuck.conn.close_code == CLOSE_TOO_SLOW
    await stuck.close()
    await hub.stop()


async def test_a_held_board_rides_on_the_next_call_then_goes_out_alone(board: FakeBoard) -> None:
    """With a hold, calls in a stream are one message each and screens still end exact."""
    clock = FakeClock()
    hub = Hub(heartbeat_seconds=3600, board_hold_seconds=0.3, clock=clock)
    await hub.start(board)
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    board.calls = [{"ticket": "A001", "window": 1, "extra": "only on re-read"}]
    await hub.publish([called(1, "A001", 1)])
    await settle()
    assert screen.types() == ["snapshot", "called"]  # the re-read board is held back
    board.calls = [{"ticket": "A002", "window": 2, "extra": "second re-read"}, *board.calls]
    await hub.publish([called(2, "A002", 2)])
    await settle()
    assert screen.types() == ["snapshot", "called", "called"]
    # The second call carried what the first re-read found, so nothing was lost ...
    first_read = {"ticket": "A001", "window": 1, "extra": "only on re-read"}
    assert first_read in screen.replay_into_state().board["recent_calls"]
    # ... and once the stream pauses, the last re-read goes out on its own, when the
    # hold ends and not before.
    clock.advance(0.29)
    await settle()
    assert screen.types() == ["snapshot", "called", "called"]
    clock.advance(0.02)
    await settle()
    assert screen.types() == ["snapshot", "called", "called", "board"]
    expected = await board("h1")
    assert expected is not None
    final = ScreenState()  # fed everything the screen received
    for message in screen.sent:
        final.apply(message)
    assert final.board == {k: v for k, v in expected.items() if k != "seq"}
    await screen.close()
    await hub.stop()


def _window(number: int, ticket: str | None = None, status: str | None = None) -> dict[str, Any]:
    return {"number": number, "status": "open", "ticket": ticket, "ticket_status": status}


async def test_with_a_hold_only_calls_go_out_and_carry_the_changes_before_them(
    board: FakeBoard,
) -> None:
    """Start, finish and issue ride on the next call: one message per call, nothing lost."""
    hub = Hub(heartbeat_seconds=3600, board_hold_seconds=30)
    await hub.start(board)
    board.windows = [_window(1, "A001", "called"), _window(2)]
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    # Window 1 starts and finishes A001, a ticket is issued, then window 1 calls A002.
    board.windows = [_window(1, "A001", "serving"), _window(2)]
    await hub.publish([event(1, "service_started", number="A001", window=1)])
    await settle()
    board.windows = [_window(1), _window(2)]
    board.waiting = [{"line": "A", "count": 1}]
    await hub.publish([event(2, "ticket_finished", number="A001", window=1)])
    await hub.publish([event(3, "ticket_issued", number="A003")])
    await settle()
    assert screen.types() == ["snapshot"]  # nothing yet: no call, the hold lasts 30 s
    board.windows = [_window(1, "A002", "called"), _window(2)]
    board.calls = [{"ticket": "A002", "window": 1}]
    await hub.publish([called(4, "A002", 1)])
    await settle()
    assert screen.types() == ["snapshot", "called"]
    message = screen.sent[-1]
    assert (message["prev"], message["seq"]) == (0, 4)  # events 1 to 3 are folded in
    state = screen.replay_into_state()
    assert state.window(1) == _window(1, "A002", "called")
    assert state.announcements[-1]["text"] == "请 A002 号 到 1 号窗口 办理"
    # The heartbeat agrees with the screen (no false gap), and a recall also goes at once.
    hub._beat(hub.feeds["h1"], 0.0, screen.conn.slot % HEARTBEAT_SLICES)
    await hub.publish([event(5, "ticket_recalled", number="A002", window=1)])
    await settle()
    assert screen.types() == ["snapshot", "called", "heartbeat", "recalled"]
    screen.replay_into_state()  # raises Gap if anything does not chain
    # What was held (the waiting count, from the re-read) reached the screen too.
    assert screen.state.board["waiting"] == [{"line": "A", "count": 1}]
    await screen.close()
    await hub.stop()


async def test_with_a_hold_changes_without_a_call_go_out_once_when_the_hold_ends(
    board: FakeBoard,
) -> None:
    clock = FakeClock()
    hub = Hub(heartbeat_seconds=3600, board_hold_seconds=0.3, clock=clock)
    await hub.start(board)
    board.windows = [_window(1)]
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    for seq in range(1, 9):  # a stream of issues, closer together than the hold
        board.waiting = [{"line": "A", "count": seq}]
        await hub.publish([event(seq, "ticket_issued", number=f"A00{seq}")])
        await settle()
        clock.advance(0.1)
        await settle()
    # The stream did not put the board off for good: each hold ended on time, so some
    # board messages went out before it stopped, each folding several issues.
    sent_during_stream = screen.types()[1:]
    assert sent_during_stream
    assert set(sent_during_stream) == {"board"}
    assert len(sent_during_stream) < 8
    # Folded events do not advance the chain (its numbers would then depend on timing,
    # and differ between processes): a board message stays at the last chained message.
    assert all(m["seq"] == m["prev"] == 0 for m in screen.sent[1:])
    clock.advance(0.5)
    await settle()
    state = screen.replay_into_state()
    expected = await board("h1")
    assert expected is not None
    assert state.board == {k: v for k, v in expected.items() if k != "seq"}
    assert state.seq == 0 == hub.feeds["h1"].last_seq
    # A screen coming back at that point misses nothing and hears nothing twice.
    again = Screen(hub)
    await hub.subscribe("h1", again.conn, since=0)
    await settle()
    assert again.types() == ["heartbeat"]
    await again.close()
    await screen.close()
    await hub.stop()


async def test_calls_reach_screens_in_the_order_they_were_published(board: FakeBoard) -> None:
    """However the worker's turns fall between publishes (a board read in flight, a held
    board, a job taken but not yet handled), screens get the calls in publish order."""
    clock = FakeClock()
    hub = Hub(heartbeat_seconds=3600, board_hold_seconds=0.3, clock=clock)
    await hub.start(board)
    screen = Screen(hub)
    await hub.subscribe("h1", screen.conn)
    seq = 0
    for gaps in itertools.product(range(4), repeat=3):  # loop turns between publishes
        for gap in gaps:
            seq += 1
            board.calls = [{"ticket": f"A{seq:03d}", "window": 1}, *board.calls][:8]
            await hub.publish([called(seq, f"A{seq:03d}", 1)])
            for _ in range(gap):
                await asyncio.sleep(0)
        await settle()
        clock.advance(0.5)
        await settle()
    numbers = [m["ticket"] for m in screen.sent if m["type"] == "called"]
    assert numbers == [f"A{n:03d}" for n in range(1, seq + 1)]
    await screen.close()
    await hub.stop()
