"""The displays hub: the app's ``Publisher``, and the place screens subscribe.

``publish`` (called by the hall's services after commit) keeps the events that change
a screen and hands them to the backend; the backend delivers them back to the hub of
every process, which passes them to the feed of their hall, if any screen of that hall
is connected here. A heartbeat task pings screens, drops silent ones, refreshes boards
whose waits moved with the clock and retires feeds nobody has watched for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from displays.announce import Voice
from displays.backends import Backend, MemoryBackend
from displays.connection import CLOSE_SILENT, CLOSE_TOO_SLOW, ScreenConnection
from displays.desks import DeskListeners, Listener
from displays.feed import (
    REFRESH,
    RESET,
    Clock,
    HallFeed,
    Loader,
    MonotonicClock,
    Outbox,
    UnknownHall,
)
from displays.messages import (
    ScreenEvent,
    dumps,
    heartbeat_message,
    screen_events,
)
from hall.publish import HallEvent

log = logging.getLogger(__name__)

CLOSE_RESTART = 1012
HEARTBEAT_SLICES = 10  # the heartbeat goes out in this many turns per period


class Hub:
    """Fans committed hall events out to the screens connected to this process."""

    def __init__(
        self,
        backend: Backend | None = None,
        voice: Voice | None = None,
        *,
        max_queue: int = 64,
        heartbeat_seconds: float = 10.0,
        refresh_seconds: float = 30.0,
        idle_feed_seconds: float = 600.0,
        history: int = 256,
        board_hold_seconds: float = 0.0,
        clock: Clock | None = None,
    ) -> None:
        self.backend = backend or MemoryBackend()
        self.clock = clock or MonotonicClock()
        self.voice = voice or Voice()
        self.max_queue = max_queue
        self.heartbeat_seconds = heartbeat_seconds
        self.refresh_seconds = refresh_seconds
        self.idle_feed_seconds = idle_feed_seconds
        self.history = history
        self.board_hold_seconds = board_hold_seconds
        self.feeds: dict[str, HallFeed] = {}
        self.desks = DeskListeners()
        self._loader: Loader | None = None
        self._outbox: Outbox | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._slots = itertools.count()

    async def start(self, loader: Loader, outbox: Outbox | None = None) -> None:
        """Start receiving from the backend; ``loader`` reads a hall's board, ``outbox``
        its numbered events (without one, a process trusts the order it receives)."""
        self._loader, self._outbox = loader, outbox
        await self.backend.start(self._on_batch, self._on_reset)
        self._ticker = asyncio.create_task(self._tick(), name="screens:heartbeat")

    async def stop(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._ticker
        for feed in list(self.feeds.values()):
            for conn in list(feed.subscribers):
                conn.drop(CLOSE_RESTART, "server is stopping")
            await feed.close()
        self.feeds.clear()
        await self.backend.stop()

    # -- Publisher ------------------------------------------------------------------

    async def publish(self, events: Sequence[HallEvent]) -> None:
        """Send the screen-relevant events on; never raises."""
        by_hall: dict[str, list[ScreenEvent]] = defaultdict(list)
        for event in events:
            for screen_event in screen_events([event]):
                by_hall[event.hall_id].append(screen_event)
        for hall_id, batch in by_hall.items():
            try:
                await self.backend.send(hall_id, batch)
            except Exception:
                log.exception("Sending %d screen event(s) of hall %s failed", len(batch), hall_id)

    def _on_batch(self, hall_id: str, events: list[ScreenEvent]) -> None:
        self.desks.deliver(hall_id, events)
        feed = self.feeds.get(hall_id)
        if feed is not None and events:
            feed.submit(events)  # all of them: the feed checks the numbers have no gap

    def _on_reset(self) -> None:
        self.desks.reset()
        for feed in self.feeds.values():
            feed.submit(RESET)

    # -- staff-side pages (evaluators, helpers) ---------------------------------------

    def listen(self, hall_id: str, listener: Listener) -> None:
        """Call ``listener`` with every batch of the hall's events (``[]``: re-read all)."""
        self.desks.add(hall_id, listener)

    def unlisten(self, hall_id: str, listener: Listener) -> None:
        self.desks.remove(hall_id, listener)

    # -- screens --------------------------------------------------------------------

    def connection(self, send: Any, name: str = "") -> ScreenConnection:
        """A connection object for a new screen socket, with the hub's limits."""
        connection = ScreenConnection(send, max_queue=self.max_queue, name=name)
        connection.slot = next(self._slots)
        return connection

    async def subscribe(
        self, hall_id: str, conn: ScreenConnection, since: int | None = None
    ) -> bool:
        """Attach a screen (snapshot or replay first); False if the hall does not exist."""
        if self._loader is None:
            raise RuntimeError("the hub is not started")
        feed = self.feeds.get(hall_id)
        if feed is None:
            feed = HallFeed(
                hall_id,
                self._loader,
                self.voice,
                history=self.history,
                board_hold_seconds=self.board_hold_seconds,
                clock=self.clock,
                outbox=self._outbox,
            )
            self.feeds[hall_id] = feed
        try:
            await feed.attach(conn, since)
        except UnknownHall:
            await self._retire(hall_id, feed)
            return False
        except Exception:
            await self._retire(hall_id, feed)
            raise
        return True

    def unsubscribe(self, hall_id: str, conn: ScreenConnection) -> None:
        feed = self.feeds.get(hall_id)
        if feed is not None:
            feed.detach(conn)

    async def _retire(self, hall_id: str, feed: HallFeed) -> None:
        if self.feeds.get(hall_id) is feed and not feed.subscribers:
            del self.feeds[hall_id]
            await feed.close()

    # -- heartbeat ------------------------------------------------------------------

    async def _tick(self) -> None:
        """Heartbeats in ``HEARTBEAT_SLICES`` turns per period: each screen still gets one
        every ``heartbeat_seconds``, but thousands of screens never all answer at once
        (a burst of replies would hold up the next call's fan-out)."""
        last_refresh = time.monotonic()
        for turn in itertools.count(1):
            await asyncio.sleep(self.heartbeat_seconds / HEARTBEAT_SLICES)
            now = time.monotonic()  # the screens' own clock (heartbeats, stuck sends)
            period_ends = turn % HEARTBEAT_SLICES == 0
            refresh = period_ends and now - last_refresh >= self.refresh_seconds
            if refresh:
                last_refresh = now
            for hall_id, feed in list(self.feeds.items()):
                self._beat(feed, now, turn % HEARTBEAT_SLICES)
                if refresh and feed.subscribers:
                    feed.submit(REFRESH)
                idle = self.clock.now() - feed.idle_since > self.idle_feed_seconds
                if period_ends and not feed.subscribers and idle:
                    await self._retire(hall_id, feed)

    def _beat(self, feed: HallFeed, now: float, turn: int) -> None:
        deadline = 3 * self.heartbeat_seconds
        beat = dumps(heartbeat_message(feed.last_seq))
        for conn in list(feed.subscribers):
            if conn.slot % HEARTBEAT_SLICES != turn:
                continue
            if conn.silent_for(now) > deadline:
                conn.drop(CLOSE_SILENT, "no heartbeat from the screen")
                feed.detach(conn)
            elif conn.stuck(now):
                conn.drop(CLOSE_TOO_SLOW, "send timed out")
                feed.detach(conn)
            else:
                conn.offer(beat)
