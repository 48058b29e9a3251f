"""One screen's outbound side: sent at once when the socket takes it, else queued.

The hub only ever calls ``offer`` (never awaits a socket), so a slow or dead screen
cannot hold up the others. ``offer`` starts the send itself: a socket with room in
its buffer takes the frame without waiting, and then no task, no queue and no loop
turn are spent on it (with thousands of screens per call, that per-screen cost was
most of the fan-out). Only when a send has to wait (the socket's buffer is full)
does it go on in a task of its own, and the messages offered meanwhile wait in a
bounded queue behind it, in order. A screen whose queue is full, whose send times
out, or that stays silent past the heartbeat deadline is dropped; it reconnects and
resynchronises.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Coroutine
from functools import partial
from typing import Any

log = logging.getLogger(__name__)

Send = Callable[[str], Coroutine[Any, Any, None]]

CLOSE_TOO_SLOW = 4008
CLOSE_SILENT = 4009
CLOSE_GOING_AWAY = 1001


class ScreenConnection:
    """A screen socket as the hub sees it."""

    def __init__(
        self, send: Send, *, max_queue: int = 64, send_timeout: float = 10.0, name: str = ""
    ) -> None:
        self._send = send
        self.max_queue = max_queue
        self._queue: deque[str] = deque()  # offered while a send waits
        self.send_timeout = send_timeout
        self.name = name
        self.last_seen = time.monotonic()
        self.sending_since: float | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.done = asyncio.Event()
        self.slot = 0  # which turn of the hub's heartbeat this screen is in
        self._sender: asyncio.Task[None] | None = None  # a send that had to wait

    @property
    def open(self) -> bool:
        return self.close_code is None

    def offer(self, text: str) -> bool:
        """Send at once if the socket takes it, else queue it behind the waiting send;
        drops the connection instead of waiting when the queue is full."""
        if not self.open:
            return False
        if self._sender is None:
            self._start(text)
            return self.open
        if len(self._queue) >= self.max_queue:
            self.drop(CLOSE_TOO_SLOW, "screen fell behind; reconnect to resync")
            return False
        self._queue.append(text)
        return True

    def _start(self, text: str) -> None:
        """Run the send up to its first wait, here; if it waits, finish it in a task."""
        sending = self._send(text)
        try:
            waited_on = sending.send(None)
        except StopIteration:
            return  # the socket took it
        except Exception as exc:  # the socket is gone; the endpoint notices too
            self.drop(CLOSE_GOING_AWAY, f"send failed: {type(exc).__name__}")
            return
        self.sending_since = time.monotonic()
        self._sender = asyncio.create_task(self._finish(sending, waited_on))

    async def _finish(self, sending: Coroutine[Any, Any, None], waited_on: Any) -> None:
        """Finish the send that had to wait, then send what was queued meanwhile."""
        try:
            await _resume(sending, waited_on)
            while self.open and self._queue:
                self.sending_since = time.monotonic()
                await self._send(self._queue.popleft())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the socket is gone; the endpoint notices too
            self.drop(CLOSE_GOING_AWAY, f"send failed: {type(exc).__name__}")
        finally:
            # No await since the queue was found empty: later offers start afresh.
            self._sender, self.sending_since = None, None

    def drop(self, code: int, reason: str) -> None:
        """Stop sending; the endpoint closes the socket with this code."""
        if self.open:
            log.info("Dropping screen %s: %s", self.name, reason)
            self.close_code, self.close_reason = code, reason
            self.done.set()

    def seen(self) -> None:
        """The screen sent something (a heartbeat reply): it is alive."""
        self.last_seen = time.monotonic()

    def silent_for(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.last_seen

    async def run(self) -> None:
        """Live until the connection is dropped; then (or when cancelled, as the
        endpoint does when the socket closes) stop a send still waiting.

        A send stuck longer than ``send_timeout`` is caught by the hub's heartbeat
        (``stuck``), not by a timer per message: thousands of screens per call.
        """
        try:
            await self.done.wait()
        finally:
            if self._sender is not None:
                self._sender.cancel()

    def stuck(self, now: float | None = None) -> bool:
        """A send has been waiting on the socket for longer than ``send_timeout``."""
        started = self.sending_since
        return started is not None and (now or time.monotonic()) - started > self.send_timeout

    @property
    def queued(self) -> int:
        return len(self._queue)


async def _resume(coroutine: Coroutine[Any, Any, None], waited_on: Any) -> None:
    """Drive to its end, in the current task, a coroutine already run by hand up to
    ``waited_on`` (what it yielded: a future, or None for a bare yield), the way an
    asyncio task would: wait for that, resume it, and so on; a cancellation of this
    task is thrown into it."""
    while True:
        try:
            if waited_on is None:
                await asyncio.sleep(0)
            else:
                # Taken from the coroutine by hand: clear the flag its yield set, as a
                # task does, before this task waits for it.
                waited_on._asyncio_future_blocking = False
                await waited_on
        except BaseException as exc:  # handed to the coroutine, as a task does
            step = partial(coroutine.throw, exc)
        else:
            step = partial(coroutine.send, None)
        try:
            waited_on = step()
        except StopIteration:
            return
