"""Cross-process backends: a batch published by one hub reaches the screens of another."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable

import pytest

from displays.backends import Backend, PostgresBackend, RedisBackend, _chunks
from displays.hub import Hub
from displays.messages import ScreenEvent, decode_batch
from tests.conftest import postgres_base_url
from tests.displays.hub_support import FakeBoard, Screen, called
from web.wiring import asyncpg_dsn

pytestmark = pytest.mark.asyncio


def redis_url() -> str:
    url = os.environ.get("HALL_TEST_REDIS_URL", "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis tests: set HALL_TEST_REDIS_URL")
        pytest.skip("Redis tests need HALL_TEST_REDIS_URL (redis://HOST:PORT/DB)")
    return url


def postgres_backend() -> Backend:
    return PostgresBackend(asyncpg_dsn(postgres_base_url()), channel=f"t_{uuid.uuid4().hex}")


def redis_backend() -> Backend:
    return RedisBackend(redis_url(), channel=f"t:{uuid.uuid4().hex}")


async def _two_processes_agree(make: Callable[[], Backend]) -> None:
    first = make()
    second = make()
    # Same channel for both "processes".
    second.channel = first.channel  # type: ignore[attr-defined]
    a, b = Hub(first, heartbeat_seconds=3600), Hub(second, heartbeat_seconds=3600)
    await a.start(FakeBoard())
    await b.start(FakeBoard())
    try:
        on_a, on_b = Screen(a), Screen(b)
        await a.subscribe("h1", on_a.conn)
        await b.subscribe("h1", on_b.conn)
        for seq in range(1, 6):
            await (a if seq % 2 else b).publish([called(seq, f"A00{seq}", seq)])
        for _ in range(100):
            if len(on_a.sent) == len(on_b.sent) == 6:
                break
            await asyncio.sleep(0.02)
        assert [m["seq"] for m in on_a.sent] == [m["seq"] for m in on_b.sent] == [0, 1, 2, 3, 4, 5]
        assert [m["ticket"] for m in on_b.sent[1:]] == [f"A00{i}" for i in range(1, 6)]
        await on_a.close()
        await on_b.close()
    finally:
        await a.stop()
        await b.stop()


@pytest.mark.postgres
async def test_postgres_listen_notify_between_two_hubs() -> None:
    await _two_processes_agree(postgres_backend)


async def test_redis_pubsub_between_two_hubs() -> None:
    await _two_processes_agree(redis_backend)


async def test_big_batches_are_split_under_the_notify_limit() -> None:
    events = [
        ScreenEvent(i, "ticket_issued", "2026-11-23T01:00:00+00:00", f"A{i:03d}")
        for i in range(300)
    ]
    payloads = _chunks("h1", events, 2000)
    assert len(payloads) > 1
    assert all(len(p.encode()) <= 2000 for p in payloads)
    assert [e for p in payloads for e in decode_batch(p)[1]] == events
    with pytest.raises(ValueError, match="malformed"):
        decode_batch("{}")


async def test_each_database_has_its_own_redis_channel() -> None:
    """Processes on one database share a channel (whatever password each uses); another
    database's numbered batches never reach them."""
    from web.wiring import redis_channel

    one = redis_channel("postgresql+asyncpg://u:secret@db.example/city")
    assert one == redis_channel("postgresql+asyncpg://u:other@db.example/city")
    assert one != redis_channel("postgresql+asyncpg://u:secret@db.example/town")
    assert "secret" not in one
