"""Supervisor slot overrides: capacity and closing are honoured atomically and audited."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from hall.booking import appointments
from hall.booking.errors import SlotClosed, SlotFull, TooLate
from hall.booking.overrides import SlotRef, list_overrides, remove_override, set_override
from hall.bootstrap import prepare
from hall.errors import InvalidInput, NotFound
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import AppointmentRow, BookingSlotRow, EventRow
from tests.conftest import make_settings
from tests.hall.booking.helpers import MONDAY_0900, SECRET, TUESDAY_0900, phone, request

pytestmark = pytest.mark.asyncio
NOW = MONDAY_0900
BOSS = StaffMember(2, "supervisor", "S0001", Role.SUPERVISOR, ("*",))
SOCIAL = SlotRef(start=TUESDAY_0900, group="social")
DAY = TUESDAY_0900.date()


@pytest_asyncio.fixture
async def db(db_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(db_url)
    await prepare(database, make_settings(tmp_path, db_url))
    try:
        yield database
    finally:
        await database.dispose()


async def listed(db: Database, matter: str = "SI-REG") -> dict[str, object]:
    """The Tuesday 09:00 slot as the citizens' listing shows it."""
    slots = await appointments.list_slots(db, "district", matter, DAY, NOW)
    return next(s for s in slots if s.start == "2026-11-24T09:00:00+08:00")


async def active_bookings(db: Database) -> int:
    async with db.read() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(AppointmentRow)
            .where(AppointmentRow.starts_at == TUESDAY_0900, AppointmentRow.status == "booked")
        )
    return int(count or 0)


async def test_a_lower_capacity_limits_booking_and_removal_restores_the_plan(
    db: Database,
) -> None:
    planned = (await listed(db)).capacity
    assert isinstance(planned, int)
    assert planned > 2
    view = await set_override(
        db, BOSS, "district", SOCIAL, capacity=2, closed=False, reason="staff training", now=NOW
    )
    assert view.capacity == 2
    assert view.planned_capacity == planned
    assert view.overridden is True
    assert view.available == 2
    # Every matter of the group shares the slot, so the override shows for each.
    assert (await listed(db, "SI-FLEX")).capacity == 2
    await appointments.book(db, request(1), NOW, SECRET)
    await appointments.book(db, request(2), NOW, SECRET)
    with pytest.raises(SlotFull):
        await appointments.book(db, request(3), NOW, SECRET)
    assert (await listed(db)).available == 0
    view = await remove_override(db, BOSS, "district", SOCIAL, reason="", now=NOW)
    assert (view.capacity, view.overridden, view.available) == (
        planned,
        False,
        planned - 2,
    )
    await appointments.book(db, request(3), NOW, SECRET)


async def test_lowering_below_the_booked_count_cancels_nobody(db: Database) -> None:
    for serial in range(3):
        await appointments.book(db, request(serial), NOW, SECRET)
    view = await set_override(
        db, BOSS, "district", SOCIAL, capacity=1, closed=False, reason="window broken", now=NOW
    )
    assert (view.capacity, view.booked, view.available) == (1, 3, 0)
    assert await active_bookings(db) == 3
    assert (await listed(db)).available == 0
    with pytest.raises(SlotFull):
        await appointments.book(db, request(9), NOW, SECRET)


async def test_a_closed_slot_refuses_bookings_and_moves_but_keeps_its_bookings(
    db: Database,
) -> None:
    kept = await appointments.book(db, request(1), NOW, SECRET)
    later = TUESDAY_0900 + timedelta(hours=1)
    mover = await appointments.book(db, dataclasses.replace(request(2), start=later), NOW, SECRET)
    ref = SlotRef(start=TUESDAY_0900, matter="SI-FLEX")  # a matter stands for its group
    view = await set_override(
        db, BOSS, "district", ref, capacity=None, closed=True, reason="power cut", now=NOW
    )
    assert view.closed is True
    assert view.available == 0
    assert (await listed(db)).closed is True
    with pytest.raises(SlotClosed) as caught:
        await appointments.book(db, request(3), NOW, SECRET)
    assert caught.value.code == "slot_closed"
    with pytest.raises(SlotClosed):
        await appointments.move(db, mover.code, phone(2), TUESDAY_0900, NOW, SECRET)
    again = await appointments.get_appointment(db, kept.code, phone(1), SECRET)
    assert again.status == "booked"
    await remove_override(db, BOSS, "district", ref, reason="power back", now=NOW)
    assert (await listed(db)).closed is False
    await appointments.book(db, request(3), NOW, SECRET)


async def test_overrides_are_audited_and_listed(db: Database) -> None:
    await set_override(
        db, BOSS, "district", SOCIAL, capacity=4, closed=False, reason="training", now=NOW
    )
    await set_override(
        db, BOSS, "district", SOCIAL, capacity=None, closed=True, reason="power cut", now=NOW
    )
    listing = await list_overrides(db, "district", DAY, NOW)
    assert len(listing) == 1
    entry = listing[0]
    assert (entry.group, entry.closed, entry.reason, entry.by) == (
        "social",
        True,
        "power cut",
        "supervisor",
    )
    assert entry.capacity == entry.planned_capacity  # null capacity: the plan's
    await remove_override(db, BOSS, "district", SOCIAL, reason="fixed", now=NOW)
    assert await list_overrides(db, "district", DAY, NOW) == []
    async with db.read() as session:
        events = (
            await session.scalars(
                select(EventRow)
                .where(EventRow.subject_type == "booking_slot")
                .order_by(EventRow.id)
            )
        ).all()
    assert [e.kind for e in events] == [
        "slot_override_set",
        "slot_override_set",
        "slot_override_removed",
    ]
    first, second, removed = events
    assert first.actor == "supervisor"
    assert first.at == NOW
    assert first.before == {
        "capacity": entry.planned_capacity,
        "closed": False,
        "overridden": False,
    }
    assert first.after == {"capacity": 4, "closed": False, "overridden": True}
    assert second.before == first.after
    assert removed.data["reason"] == "fixed"
    assert removed.after == {
        "capacity": entry.planned_capacity,
        "closed": False,
        "overridden": False,
    }


async def test_concurrent_bookings_never_pass_an_overridden_capacity(db: Database) -> None:
    await set_override(
        db, BOSS, "district", SOCIAL, capacity=5, closed=False, reason="short staffed", now=NOW
    )
    results = await asyncio.gather(
        *(appointments.book(db, request(i), NOW, SECRET) for i in range(60)), return_exceptions=True
    )
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == Counter({"BookingView": 5, "SlotFull": 55})
    async with db.read() as session:
        slot = await session.scalar(
            select(BookingSlotRow).where(BookingSlotRow.starts_at == TUESDAY_0900)
        )
    assert slot is not None
    assert slot.booked == 5 == await active_bookings(db)


@pytest.mark.parametrize(
    ("ref", "capacity", "closed", "reason", "field"),
    [
        (SlotRef(TUESDAY_0900, group="nope"), 3, False, "x", "group"),
        (SlotRef(TUESDAY_0900, matter="NOPE"), 3, False, "x", "matter"),
        (SlotRef(TUESDAY_0900, group="social", matter="SI-REG"), 3, False, "x", "group"),
        (SlotRef(TUESDAY_0900), 3, False, "x", "group"),
        (SlotRef(TUESDAY_0900 + timedelta(minutes=10), group="social"), 3, False, "x", "start"),
        (SlotRef(TUESDAY_0900 - timedelta(hours=3), group="social"), 3, False, "x", "start"),
        (SlotRef(TUESDAY_0900, group="pickup"), 3, False, "x", "start"),  # no bookable matter
        (SOCIAL, -1, False, "x", "capacity"),
        (SOCIAL, 1001, False, "x", "capacity"),
        (SOCIAL, None, False, "x", "capacity"),
        (SOCIAL, 3, False, "   ", "reason"),
        (SOCIAL, 3, False, "x" * 201, "reason"),
    ],
)
async def test_bad_overrides_name_the_field(
    db: Database, ref: SlotRef, capacity: int | None, closed: bool, reason: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        await set_override(
            db, BOSS, "district", ref, capacity=capacity, closed=closed, reason=reason, now=NOW
        )
    assert field in caught.value.fields
    assert caught.value.message
    assert caught.value.message_zh


async def test_past_slots_and_unknown_halls_are_refused(db: Database) -> None:
    over = TUESDAY_0900 + timedelta(minutes=30)
    with pytest.raises(TooLate):
        await set_override(
            db, BOSS, "district", SOCIAL, capacity=1, closed=False, reason="x", now=over
        )
    with pytest.raises(NotFound):
        await set_override(
            db, BOSS, "nowhere", SOCIAL, capacity=1, closed=False, reason="x", now=NOW
        )
    with pytest.raises(TooLate):
        await remove_override(db, BOSS, "district", SOCIAL, reason="", now=over)
