"""Sign-in counters: the waits' schedule, claims that lose no count under concurrency (two
``Database`` objects: two processes), and quiet counters forgotten."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from hall.errors import TooManyAttempts
from hall.staff import throttle
from hall.staff.throttle import ADDRESS, NAME, PAIR, QUIET, Limit
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import SignInThrottleRow
from tests.conftest import TEST_CLOCK_START

NOW = TEST_CLOCK_START


def test_waits_double_after_the_free_failures_up_to_the_cap() -> None:
    limit = Limit(free=3, cap=10)
    assert [limit.wait(n) for n in range(7)] == [None, None, None, 2, 4, 8, 10]
    for each in (PAIR, ADDRESS, NAME):
        assert each.wait(each.free - 1) is None
        assert each.wait(10_000) == each.cap


async def claims(db: Database, name: str, address: str) -> str:
    try:
        async with db.write() as session:
            await throttle.claim(session, name, address, NOW)
    except TooManyAttempts:
        return "refused"
    return "claimed"


async def rows(db: Database) -> dict[tuple[str, str], int]:
    async with db.read() as session:
        found = (await session.scalars(select(SignInThrottleRow))).all()
    return {(r.scope, r.subject): r.failures for r in found}


@pytest.mark.asyncio
async def test_concurrent_claims_from_two_processes_stop_at_the_free_failures(
    db_url: str,
) -> None:
    first, second = Database(db_url), Database(db_url)
    try:
        await upgrade(first)
        outcomes = await asyncio.gather(
            *(claims(first if i % 2 else second, "clerk05", "10.0.0.1") for i in range(30))
        )
        assert outcomes.count("claimed") == PAIR.free
        counts = await rows(first)
        assert counts[("pair", "clerk05\n10.0.0.1")] == PAIR.free
        assert counts[("name", "clerk05")] == PAIR.free
        assert counts[("address", "10.0.0.1")] == PAIR.free
    finally:
        await first.dispose()
        await second.dispose()


@pytest.mark.asyncio
async def test_long_names_are_counted_by_their_hash(db_url: str) -> None:
    db = Database(db_url)
    try:
        await upgrade(db)
        assert await claims(db, "x" * 5000, "10.0.0.2") == "claimed"
        names = [subject for scope, subject in await rows(db) if scope == "name"]
        assert names == [throttle.name_key("x" * 5000)]
        assert names[0].startswith("sha256:")
        assert len(names[0]) < 80
    finally:
        await db.dispose()


@pytest.mark.asyncio
async def test_quiet_counters_are_forgotten(db_url: str) -> None:
    db = Database(db_url)
    try:
        await upgrade(db)
        await claims(db, "old", "10.0.0.3")
        async with db.write() as session:
            await throttle.claim(session, "recent", "10.0.0.4", NOW + QUIET)
        assert await throttle.forget_quiet(db, NOW + QUIET + timedelta(seconds=1)) == 3
        assert {scope for scope, _ in await rows(db)} == {"pair", "name", "address"}
        assert all("recent" in s or s == "10.0.0.4" for _, s in await rows(db))
    finally:
        await db.dispose()
