"""The screen outbox: a hall's screen events numbered without gaps, in commit order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hall.publish import RecordingPublisher
from hall.store import outbox
from hall.store.db import Database
from hall.store.models import HallRow, ScreenOutboxRow
from hall.store.unit import unit_of_work

pytestmark = pytest.mark.asyncio

HALL = "district"
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


async def rows(db: Database, hall_id: str = HALL) -> list[ScreenOutboxRow]:
    async with db.read() as session:
        found = await session.scalars(
            select(ScreenOutboxRow)
            .where(ScreenOutboxRow.hall_id == hall_id)
            .order_by(ScreenOutboxRow.seq)
        )
        return list(found.all())


async def test_screen_events_are_numbered_per_hall_and_other_events_are_not(db: Database) -> None:
    pub = RecordingPublisher()
    async with unit_of_work(db, pub, "t", HALL, NOW) as unit:
        unit.record("ticket_issued", "ticket", 1, after={"number": "A001", "name": "张三"})
        unit.record("booking_made", "booking", 1)  # no screen hears of it
        unit.record("ticket_called", "ticket", 1, after={"number": "A001", "window": 3})
        unit.record("window_pause", "window", 3, data={"window": 3, "status": "paused"})
        unit.record("ticket_issued", "ticket", 2, hall_id="street", after={"number": "B001"})
    by_kind = {(e.hall_id, e.kind): e.seq for e in pub.events}
    assert by_kind == {
        (HALL, "ticket_issued"): 1,
        (HALL, "booking_made"): None,
        (HALL, "ticket_called"): 2,
        (HALL, "window_pause"): 3,
        ("street", "ticket_issued"): 1,
    }
    kept = await rows(db)
    assert [(r.seq, r.kind, r.payload) for r in kept] == [
        (1, "ticket_issued", {"ticket": "A001"}),  # numbers only, never a name
        (2, "ticket_called", {"ticket": "A001", "window": 3}),
        (3, "window_pause", {"window": 3, "status": "paused"}),
    ]
    async with db.read() as session:
        assert await session.scalar(select(HallRow.screen_seq).where(HallRow.id == HALL)) == 3


async def test_concurrent_units_get_every_number_once_in_commit_order(db: Database) -> None:
    """Twenty units at once (on PostgreSQL, truly concurrent): the numbers are 1..20,
    none twice, and a unit that committed later never got a smaller number."""
    pub = RecordingPublisher()
    committed: list[int] = []

    async def one(n: int) -> None:
        async with unit_of_work(db, pub, "t", HALL, NOW) as unit:
            unit.record("ticket_issued", "ticket", n, after={"number": f"A{n:03d}"})
            await asyncio.sleep(0)
        committed.append(next(e.seq for e in pub.events if e.data.get("number") == f"A{n:03d}"))

    await asyncio.gather(*(one(n) for n in range(20)))
    assert sorted(committed) == list(range(1, 21))
    assert [r.seq for r in await rows(db)] == list(range(1, 21))


async def test_old_rows_are_pruned_but_the_latest_are_kept(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outbox, "KEEP_ROWS", 5)
    monkeypatch.setattr(outbox, "PRUNE_EVERY", 4)
    old = NOW - timedelta(days=2)
    for n in range(8):
        async with unit_of_work(db, None, "t", HALL, old) as unit:
            unit.record("ticket_issued", "ticket", n, after={"number": f"A{n:03d}"})
    assert len(await rows(db)) == 8  # pruned at 4 and 8, but nothing was 5 rows behind then
    for n in range(4):
        async with unit_of_work(db, None, "t", HALL, NOW) as unit:
            unit.record("ticket_issued", "ticket", n, after={"number": f"B{n:03d}"})
    # At 12: rows up to 12 - 5 = 7 that are older than a day went; the rest stays.
    assert [r.seq for r in await rows(db)] == list(range(8, 13))
