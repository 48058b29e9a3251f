"""How screen batches travel: in-process, PostgreSQL LISTEN/NOTIFY, or Redis pub/sub.

Every process, the sender included, receives every batch through the backend, in the
one order the backend delivers them (PostgreSQL delivers notifications in commit order
of the NOTIFY, Redis in publish order), so all processes build the same message chain.
When a cross-process link breaks, the backend reconnects and asks for a reset: every
feed re-reads its board and sends its screens a fresh snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from displays.messages import ScreenEvent, decode_batch, encode_batch

log = logging.getLogger(__name__)

OnBatch = Callable[[str, list[ScreenEvent]], None]
OnReset = Callable[[], None]
CHANNEL = "tongban_screens"
NOTIFY_LIMIT = 7000  # PostgreSQL's payload limit is 8000 bytes
RETRY_SECONDS = 1.0


class Backend(Protocol):
    """Carries batches of screen events to every server process."""

    async def start(self, on_batch: OnBatch, on_reset: OnReset) -> None: ...

    async def send(self, hall_id: str, events: Sequence[ScreenEvent]) -> None: ...

    async def stop(self) -> None: ...


class MemoryBackend:
    """One process: a batch goes straight to this process's feeds."""

    def __init__(self) -> None:
        self._on_batch: OnBatch | None = None

    async def start(self, on_batch: OnBatch, on_reset: OnReset) -> None:
        self._on_batch = on_batch

    async def send(self, hall_id: str, events: Sequence[ScreenEvent]) -> None:
        if self._on_batch is not None:
            self._on_batch(hall_id, list(events))

    async def stop(self) -> None:
        self._on_batch = None


def _chunks(hall_id: str, events: Sequence[ScreenEvent], limit: int) -> list[str]:
    """Payloads under the size limit, events in order."""
    payloads: list[str] = []
    current: list[ScreenEvent] = []
    for event in events:
        if current and len(encode_batch(hall_id, [*current, event]).encode()) > limit:
            payloads.append(encode_batch(hall_id, current))
            current = []
        current.append(event)
    if current:
        payloads.append(encode_batch(hall_id, current))
    return payloads


class _Linked:
    """Shared plumbing: decode incoming payloads, watch the link, reset on reconnect."""

    def __init__(self) -> None:
        self._on_batch: OnBatch | None = None
        self._on_reset: OnReset | None = None
        self._watch: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    def _deliver(self, payload: str | bytes) -> None:
        try:
            hall_id, events = decode_batch(payload)
        except ValueError:
            log.warning("Ignoring a malformed screen batch")
            return
        if self._on_batch is not None:
            self._on_batch(hall_id, events)

    def _reset(self) -> None:
        if self._on_reset is not None:
            self._on_reset()

    async def _stop_watch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch


class PostgresBackend(_Linked):
    """Several processes on one PostgreSQL: NOTIFY after commit, LISTEN in every process."""

    def __init__(self, dsn: str, channel: str = CHANNEL, check_seconds: float = 2.0) -> None:
        super().__init__()
        self.dsn, self.channel, self.check_seconds = dsn, channel, check_seconds
        self._listen: Any = None
        self._notify: Any = None

    async def start(self, on_batch: OnBatch, on_reset: OnReset) -> None:
        self._on_batch, self._on_reset = on_batch, on_reset
        await self._connect()
        self._watch = asyncio.create_task(self._watch_link(), name="screens:postgres")

    async def _connect(self) -> None:
        import asyncpg

        await self._close()
        self._listen = await asyncpg.connect(self.dsn)
        await self._listen.add_listener(self.channel, self._on_notify)
        self._notify = await asyncpg.connect(self.dsn)

    def _on_notify(self, _conn: Any, _pid: int, _channel: str, payload: str) -> None:
        self._deliver(payload)

    async def _watch_link(self) -> None:
        while True:
            await asyncio.sleep(self.check_seconds)
            try:
                async with asyncio.timeout(self.check_seconds):
                    await self._listen.execute("SELECT 1")
                continue
            except Exception:
                log.warning("Lost the PostgreSQL LISTEN connection; reconnecting")
            with contextlib.suppress(Exception):
                async with self._lock:
                    await self._connect()
                self._reset()

    async def send(self, hall_id: str, events: Sequence[ScreenEvent]) -> None:
        async with self._lock:
            for payload in _chunks(hall_id, events, NOTIFY_LIMIT):
                try:
                    await self._notify.execute("SELECT pg_notify($1, $2)", self.channel, payload)
                except Exception:
                    log.warning("NOTIFY failed; reconnecting and retrying once")
                    await self._connect()
                    await self._notify.execute("SELECT pg_notify($1, $2)", self.channel, payload)
                    self._reset()

    async def _close(self) -> None:
        for conn in (self._listen, self._notify):
            if conn is not None:
                with contextlib.suppress(Exception):
                    async with asyncio.timeout(2.0):
                        await conn.close()
        self._listen = self._notify = None

    async def stop(self) -> None:
        await self._stop_watch()
        await self._close()
        self._on_batch = self._on_reset = None


class RedisBackend(_Linked):
    """Several processes sharing a Redis: PUBLISH after commit, SUBSCRIBE in every process."""

    def __init__(self, url: str, channel: str = "tongban:screens") -> None:
        super().__init__()
        self.url, self.channel = url, channel
        self._client: Any = None
        self._ready = asyncio.Event()

    async def start(self, on_batch: OnBatch, on_reset: OnReset) -> None:
        import redis.asyncio as redis

        self._on_batch, self._on_reset = on_batch, on_reset
        self._client = redis.Redis.from_url(self.url)
        await self._client.ping()
        self._watch = asyncio.create_task(self._listen(), name="screens:redis")
        await asyncio.wait_for(self._ready.wait(), 10)

    async def _listen(self) -> None:
        first = True
        while True:
            try:
                async with self._client.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    if not first:
                        self._reset()
                    first = False
                    self._ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._deliver(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Lost the Redis subscription; retrying")
                await asyncio.sleep(RETRY_SECONDS)

    async def send(self, hall_id: str, events: Sequence[ScreenEvent]) -> None:
        await self._client.publish(self.channel, encode_batch(hall_id, events))

    async def stop(self) -> None:
        await self._stop_watch()
        if self._client is not None:
            await self._client.aclose()
        self._on_batch = self._on_reset = None
