"""A screen connection sends at once when the socket takes it, else in order behind
the send that waits; a full queue, a failed send or a stuck send drops the screen."""

from __future__ import annotations

import asyncio

import pytest

from displays.connection import CLOSE_GOING_AWAY, CLOSE_TOO_SLOW, ScreenConnection, _resume

pytestmark = pytest.mark.asyncio


class Socket:
    """A socket whose buffer is full while ``full`` is clear."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.room = asyncio.Event()
        self.room.set()
        self.fail_on: str | None = None
        self.cancelled = 0

    async def send(self, text: str) -> None:
        try:
            await self.room.wait()
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        if text == self.fail_on:
            raise ConnectionResetError(text)
        self.sent.append(text)


async def test_a_socket_with_room_takes_the_message_during_the_offer() -> None:
    socket = Socket()
    conn = ScreenConnection(socket.send)
    for text in ("a", "b", "c"):
        assert conn.offer(text)
        assert socket.sent[-1] == text  # no loop turn was needed
    assert conn._sender is None
    assert conn.queued == 0


async def test_messages_wait_in_order_behind_a_send_that_waits() -> None:
    socket = Socket()
    conn = ScreenConnection(socket.send, max_queue=8)
    runner = asyncio.create_task(conn.run())
    socket.room.clear()
    for text in ("a", "b", "c"):
        assert conn.offer(text)
    await asyncio.sleep(0)
    assert socket.sent == []
    assert conn.queued == 2  # "a" is being sent, "b" and "c" wait
    assert conn.sending_since is not None
    socket.room.set()
    for _ in range(10):
        await asyncio.sleep(0)
    assert socket.sent == ["a", "b", "c"]
    assert conn._sender is None
    assert conn.sending_since is None
    assert conn.offer("d")  # at once again
    assert socket.sent[-1] == "d"
    conn.drop(CLOSE_GOING_AWAY, "test over")
    await runner


async def test_a_full_queue_drops_the_screen() -> None:
    socket = Socket()
    conn = ScreenConnection(socket.send, max_queue=2)
    runner = asyncio.create_task(conn.run())
    socket.room.clear()
    assert conn.offer("a")
    await asyncio.sleep(0)  # the send of "a" waits in its task
    assert conn.offer("b")
    assert conn.offer("c")
    assert not conn.offer("d")
    assert conn.close_code == CLOSE_TOO_SLOW
    await runner  # run() ends with the drop and stops the waiting send
    await asyncio.sleep(0)
    assert socket.cancelled == 1
    assert not conn.offer("e")


@pytest.mark.parametrize("waits", [False, True])
async def test_a_failed_send_drops_the_screen(waits: bool) -> None:
    socket = Socket()
    socket.fail_on = "bad"
    conn = ScreenConnection(socket.send)
    if waits:
        socket.room.clear()
    conn.offer("bad")
    if waits:
        socket.room.set()
        for _ in range(5):
            await asyncio.sleep(0)
    assert conn.close_code == CLOSE_GOING_AWAY
    assert conn.close_reason == "send failed: ConnectionResetError"


async def test_cancelling_run_stops_the_waiting_send() -> None:
    socket = Socket()
    conn = ScreenConnection(socket.send)
    runner = asyncio.create_task(conn.run())
    socket.room.clear()
    conn.offer("a")
    await asyncio.sleep(0)
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    await asyncio.sleep(0)
    assert socket.cancelled == 1
    assert conn._sender is None


async def test_resume_finishes_a_coroutine_as_a_task_would() -> None:
    """The truth: the same coroutine run as an ordinary task."""

    async def steps(trace: list[object], gate: asyncio.Future[int]) -> None:
        trace.append("start")
        await asyncio.sleep(0)
        trace.append(await gate)
        try:
            await asyncio.get_running_loop().create_future()  # fails below
        except KeyError as exc:
            trace.append(f"caught {exc}")

    async def run_by_hand(trace: list[object], gate: asyncio.Future[int]) -> None:
        coroutine = steps(trace, gate)
        waited_on = coroutine.send(None)  # as ScreenConnection._start does
        await _resume(coroutine, waited_on)

    async def failing_soon(task: asyncio.Task[None]) -> None:
        # Fail whatever future the coroutine waits on last (it is the pending one).
        for _ in range(5):
            await asyncio.sleep(0)
        waiter = task._fut_waiter  # type: ignore[attr-defined]
        waiter.set_exception(KeyError("boom"))

    traces: list[list[object]] = []
    for runner in (steps, run_by_hand):
        trace: list[object] = []
        gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        task = asyncio.create_task(runner(trace, gate))
        await asyncio.sleep(0)
        gate.set_result(7)
        await failing_soon(task)
        await task
        traces.append(trace)
    assert traces[0] == traces[1] == ["start", 7, "caught 'boom'"]
