"""One screen's outbound side: a bounded queue drained by its own sender.

The hub only ever calls ``offer`` (never awaits a socket), so a slow or dead screen
cannot hold up the others. A screen whose queue is full, whose send times out, or that
stays silent past the heartbeat deadline is dropped; it reconnects and resynchronises.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)

Send = Callable[[str], Awaitable[None]]

CLOSE_TOO_SLOW = 4008
CLOSE_SILENT = 4009
CLOSE_GOING_AWAY = 1001


class ScreenConnection:
    """A screen socket as the hub sees it."""

    def __init__(
        self, send: Send, *, max_queue: int = 64, send_timeout: float = 10.0, name: str = ""
    ) -> None:
        self._send = send
        self._queue: asyncio.Queue[str] = asyncio.Queue(maxsize=max_queue)
        self.send_timeout = send_timeout
        self.name = name
        self.last_seen = time.monotonic()
        self.sending_since: float | None = None
        self.close_code: int | None = None
        self.close_reason = ""
        self.done = asyncio.Event()
        self.slot = 0  # which turn of the hub's heartbeat this screen is in

    @property
    def open(self) -> bool:
        return self.close_code is None

    def offer(self, text: str) -> bool:
        """Queue a message; drops the connection instead of waiting when it is full."""
        if not self.open:
            return False
        try:
            self._queue.put_nowait(text)
        except asyncio.QueueFull:
            self.drop(CLOSE_TOO_SLOW, "screen fell behind; reconnect to resync")
            return False
        return True

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
        """Send queued messages in order until the connection is dropped or fails.

        A send stuck longer than ``send_timeout`` is caught by the hub's heartbeat
        (``stuck``), not by a timer per message: thousands of screens per call.
        """
        while self.open:
            text = await self._queue.get()
            if not self.open:
                return
            self.sending_since = time.monotonic()
            try:
                await self._send(text)
            except Exception as exc:  # the socket is gone; the endpoint notices too
                self.drop(CLOSE_GOING_AWAY, f"send failed: {type(exc).__name__}")
            self.sending_since = None

    def stuck(self, now: float | None = None) -> bool:
        """A send has been waiting on the socket for longer than ``send_timeout``."""
        started = self.sending_since
        return started is not None and (now or time.monotonic()) - started > self.send_timeout

    @property
    def queued(self) -> int:
        return self._queue.qsize()
