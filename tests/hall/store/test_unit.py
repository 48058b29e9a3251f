"""The unit of work: parts told before and after the commit, queue versions, the guard."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import ClassVar

import pytest
from sqlalchemy import select

from hall.calling.queue_copy import queue_version
from hall.store.db import Database
from hall.store.models import EventRow, TicketRow, WindowRow
from hall.store.unit import Part, QueueWriteOutsideWriter, Tx, Unit, reading, unit_of_work

pytestmark = pytest.mark.asyncio

HALL = "district"
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


class Witness(Part):
    """A part that notes when it is told, and what the unit had written by then."""

    told: ClassVar[list[str]] = []

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx)
        Witness.told = []

    async def before_commit(self) -> None:
        assert isinstance(self.tx, Unit)
        events = await self.tx.session.scalar(select(EventRow.id).where(EventRow.actor == "w"))
        Witness.told.append(f"before (events written: {events is not None})")

    def after_commit(self) -> None:
        assert isinstance(self.tx, Unit)
        Witness.told.append(f"after {sorted(self.tx.queue_versions.items())}")


async def versions(db: Database) -> dict[str, int]:
    async with db.read() as session:
        return {h: await queue_version(session, h) for h in (HALL, "street")}


async def test_a_part_is_made_once_and_told_before_and_after_the_commit(db: Database) -> None:
    before = await versions(db)
    async with unit_of_work(db, None, "w", HALL, NOW) as unit:
        assert unit.part(Witness) is unit.part(Witness)
        assert unit.existing(Witness) is unit.part(Witness)
        unit.record("something", "hall", HALL)
        unit.queue_changed(HALL, followed=True)
        unit.queue_changed(HALL)  # a second, unfollowed change of the same hall
        assert not unit.followed(HALL)
        assert Witness.told == []
    moved = before[HALL] + 1
    assert Witness.told == ["before (events written: False)", f"after [('{HALL}', {moved})]"]
    assert await versions(db) == {HALL: moved, "street": before["street"]}  # one bump, one hall


async def test_a_rolled_back_unit_tells_no_part_after_and_moves_no_version(db: Database) -> None:
    before = await versions(db)

    async def fail() -> None:
        async with unit_of_work(db, None, "w", HALL, NOW) as unit:
            unit.part(Witness)
            unit.queue_changed(HALL, followed=True)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        await fail()
    assert Witness.told == []
    assert await versions(db) == before


async def test_a_read_transaction_has_the_memo_and_parts_but_no_commit(db: Database) -> None:
    async with reading(db) as tx:
        assert tx.memo is db.memo
        assert tx.existing(Witness) is None
        assert tx.part(Witness) is tx.part(Witness)
    assert Witness.told == []


async def test_a_ticket_or_window_changed_through_the_orm_alone_is_refused(db: Database) -> None:
    """Every such write must move the hall's queue version, or copies would go stale."""
    before = await versions(db)

    async def open_behind_the_writers_back() -> None:
        async with unit_of_work(db, None, "w", HALL, NOW) as unit:
            window = await unit.session.scalar(select(WindowRow).where(WindowRow.hall_id == HALL))
            assert window is not None
            window.status = "open"

    with pytest.raises(QueueWriteOutsideWriter, match="WindowRow of hall district"):
        await open_behind_the_writers_back()
    async with db.read() as session:
        statuses = set((await session.scalars(select(WindowRow.status))).all())
    assert statuses == {"closed"}  # nothing was committed
    # Read and set back to the same value: not a change, so not refused.
    async with unit_of_work(db, None, "w", HALL, NOW) as unit:
        window = await unit.session.scalar(select(WindowRow).where(WindowRow.hall_id == HALL))
        assert window is not None
        window.status = window.status
    # Told to the unit: allowed, and every copy of the hall is read again.
    async with unit_of_work(db, None, "w", HALL, NOW) as unit:
        window = await unit.session.scalar(select(WindowRow).where(WindowRow.hall_id == HALL))
        assert window is not None
        window.status = "paused"
        unit.queue_changed(HALL)
    assert await versions(db) == {HALL: before[HALL] + 1, "street": before["street"]}
    assert TicketRow.queue_row
    assert WindowRow.queue_row
