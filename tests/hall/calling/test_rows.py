"""Rows read with prebuilt statements (hall.calling.rows), written by the unit's writer
(hall.calling.writer), and a unit's events.

The truth is what the ORM reads back from the database afterwards.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

import queueing
from hall.calling import tickets
from hall.calling.core_rows import seconds, store_ticket, store_window, ticket_of, window_state
from hall.calling.rows import read_ticket, read_window
from hall.calling.writer import ConcurrentChange, QueueWriter
from hall.publish import NullPublisher, RecordingPublisher
from hall.store.db import Database
from hall.store.models import EventRow, HallRow, StaffRow, TicketRow, WindowRow
from hall.store.unit import unit_of_work

pytestmark = pytest.mark.asyncio

HALL = "district"
NOW = datetime(2026, 11, 23, 1, 30, tzinfo=UTC)


async def orm_ticket(db: Database, ticket_id: str) -> TicketRow:
    async with db.read() as session:
        row = await session.get(TicketRow, ticket_id)
        assert row is not None
        return row


def columns(row: TicketRow | WindowRow) -> dict[str, object]:
    """The row's columns but the change stamp, which the database works out."""
    table = type(row).__table__
    return {c.key: getattr(row, c.key) for c in table.columns if c.key != "change_seq"}


async def ticket_seq(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(HallRow.ticket_seq).where(HallRow.id == HALL)))


async def test_a_ticket_reads_and_writes_back_as_the_orm_sees_it(db: Database) -> None:
    issued = await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", NOW)
    before = await orm_ticket(db, issued.id)
    async with unit_of_work(db, None, "test", HALL, NOW) as unit:
        row = await read_ticket(unit.session, issued.id)
        assert row is not None
        assert columns(row) == columns(before)
        called, _ = queueing.lifecycle.call(ticket_of(row), 7, seconds(NOW))
        store_ticket(row, called)
        await unit.part(QueueWriter).write_ticket(row, "waiting")
        assert await read_ticket(unit.session, "no-such-ticket") is None
    after = await orm_ticket(db, issued.id)
    assert after.status == "called"
    assert after.window_number == 7
    assert ticket_of(after) == called
    assert columns(after) == columns(row)
    # Stamped with the hall's ticket sequence as the unit moved it (one more per unit).
    assert after.change_seq == before.change_seq + 1 == await ticket_seq(db)


async def test_only_units_that_write_tickets_move_the_ticket_sequence(db: Database) -> None:
    first = await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", NOW)
    second = await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", NOW)
    assert [(await orm_ticket(db, t.id)).change_seq for t in (first, second)] == [1, 2]
    assert await ticket_seq(db) == 2
    async with unit_of_work(db, None, "test", HALL, NOW) as unit:  # two rows, one unit
        for issued in (first, second):
            row = await read_ticket(unit.session, issued.id)
            assert row is not None
            called, _ = queueing.lifecycle.call(ticket_of(row), 7, seconds(NOW))
            store_ticket(row, called)
            await unit.part(QueueWriter).write_ticket(row, "waiting")
    assert await ticket_seq(db) == 3
    assert [(await orm_ticket(db, t.id)).change_seq for t in (first, second)] == [3, 3]
    async with unit_of_work(db, None, "test", HALL, NOW) as unit:  # no ticket written
        unit.record("notice_changed", "hall", HALL)
    assert await ticket_seq(db) == 3


async def test_a_ticket_changed_underneath_is_not_overwritten(db: Database) -> None:
    issued = await tickets.issue_ticket(db, NullPublisher(), HALL, "SI-REG", NOW)

    async def write_as_if_called() -> None:
        async with unit_of_work(db, None, "test", HALL, NOW) as unit:
            row = await read_ticket(unit.session, issued.id)
            assert row is not None
            called, _ = queueing.lifecycle.call(ticket_of(row), 7, seconds(NOW))
            store_ticket(row, called)
            await unit.part(QueueWriter).write_ticket(row, "called")  # it is waiting

    with pytest.raises(ConcurrentChange):
        await write_as_if_called()
    assert (await orm_ticket(db, issued.id)).status == "waiting"


async def test_a_window_writes_back_its_status_clerk_and_dispatch_state(db: Database) -> None:
    async with db.write() as session:
        clerk = StaffRow(username="clerk", job_number="C1", role="clerk", halls=[HALL])
        session.add(clerk)
        await session.flush()
        clerk_id = clerk.id
    async with unit_of_work(db, None, "test", HALL, NOW) as unit:
        row = await read_window(unit.session, HALL, 3, lock=True)
        assert row is not None
        assert await read_window(unit.session, HALL, 999) is None
        store_window(row, dataclasses.replace(window_state(row), priority_streak=2))
        row.status, row.staff_id = "paused", clerk_id
        await unit.part(QueueWriter).write_window(row)
    async with db.read() as session:
        stored = await session.scalar(
            select(WindowRow).where(WindowRow.hall_id == HALL, WindowRow.number == 3)
        )
        assert stored is not None
        assert stored.dispatch_state == {"priority_streak": 2, "ticket_id": None}
        assert (stored.status, stored.staff_id) == ("paused", clerk_id)


async def test_a_units_events_are_written_in_order_and_published_with_their_ids(
    db: Database,
) -> None:
    publisher = RecordingPublisher()
    async with unit_of_work(db, publisher, "clerk01", HALL, NOW) as unit:
        for n in range(3):
            unit.record(f"kind_{n}", "ticket", f"t{n}", after={"n": n}, data={"x": n})
        unit.record("kept_quiet", "ticket", "t9", publish=False)
    async with db.read() as session:
        rows = list((await session.scalars(select(EventRow).order_by(EventRow.id))).all())
    mine = [r for r in rows if r.actor == "clerk01"]
    assert [r.kind for r in mine] == ["kind_0", "kind_1", "kind_2", "kept_quiet"]
    assert [(e.kind, e.event_id) for e in publisher.events] == [(r.kind, r.id) for r in mine[:3]]
    assert [e.data for e in publisher.events] == [{"n": n, "x": n} for n in range(3)]
    assert all(e.hall_id == HALL and e.at == NOW for e in publisher.events)
