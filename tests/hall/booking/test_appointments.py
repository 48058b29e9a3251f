"""Booking rules and zero overbooking, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy import func, select, text, update

from hall.booking import appointments, checkin
from hall.booking.appointments import BookingView
from hall.booking.errors import BookingLimit, BookingSuspended, DuplicateBooking, NotOnSale, TooLate
from hall.booking.identity import keyed_hash, phone_lookup_key
from hall.bootstrap import prepare
from hall.errors import InvalidInput, NotFound
from hall.store.db import Database
from hall.store.models import AppointmentRow, BookingSlotRow
from tests.conftest import fresh_postgres_database, make_settings
from tests.hall.booking.helpers import MONDAY_0900, SECRET, TUESDAY_0900, phone, request

pytestmark = pytest.mark.asyncio
NOW = MONDAY_0900


@pytest_asyncio.fixture
async def db(db_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(db_url)
    await prepare(database, make_settings(tmp_path, db_url))
    try:
        yield database
    finally:
        await database.dispose()


@pytest_asyncio.fixture
async def postgres_db(tmp_path: Path) -> AsyncIterator[Database]:
    async with fresh_postgres_database() as url:
        database = Database(url)
        await prepare(database, make_settings(tmp_path, url))
        try:
            yield database
        finally:
            await database.dispose()


async def slot_state(db: Database) -> tuple[int, int, int]:
    """(capacity, booked, active bookings) of the Tuesday 09:00 social slot."""
    async with db.read() as session:
        slot = await session.scalar(
            select(BookingSlotRow).where(BookingSlotRow.starts_at == TUESDAY_0900)
        )
        assert slot is not None
        active = await session.scalar(
            select(func.count())
            .select_from(AppointmentRow)
            .where(AppointmentRow.slot_id == slot.id, AppointmentRow.status == "booked")
        )
    return slot.capacity, slot.booked, int(active or 0)


async def test_book_look_up_and_view_is_masked(db: Database) -> None:
    view = await appointments.book(db, request(1), NOW, SECRET)
    assert view.status == "booked"
    assert view.start == "2026-11-24T09:00:00+08:00"
    assert view.end == "2026-11-24T09:30:00+08:00"
    assert view.materials
    assert view.name == "张*"
    assert view.phone == "138******01"
    assert request(1).id_number not in str(view)
    again = await appointments.get_appointment(db, view.code, phone(1), SECRET)
    assert again == view
    with pytest.raises(NotFound):
        await appointments.get_appointment(db, view.code, phone(2), SECRET)
    async with db.read() as session:
        row = await session.scalar(select(AppointmentRow))
        assert row is not None
        stored = " ".join(str(v) for v in vars(row).values())
    assert request(1).id_number not in stored
    assert phone(1) not in stored


async def test_the_phone_is_stored_as_its_slow_key_and_old_hmac_keys_still_match(
    db: Database,
) -> None:
    view = await appointments.book(db, request(1), NOW, SECRET)
    async with db.read() as session:
        row = await session.scalar(select(AppointmentRow))
        assert row is not None
    assert row.phone_key == phone_lookup_key(SECRET, phone(1))
    assert row.phone_key != keyed_hash(SECRET, "phone", phone(1))
    # A booking made before the slow key holds the HMAC: it is still found by its phone.
    async with db.write() as session:
        await session.execute(
            update(AppointmentRow).values(phone_key=keyed_hash(SECRET, "phone", phone(1)))
        )
    found = await appointments.get_appointment(db, view.code, phone(1), SECRET)
    assert found.code == view.code
    with pytest.raises(NotFound):
        await appointments.get_appointment(db, view.code, phone(2), SECRET)
    with pytest.raises(NotFound):
        await appointments.get_appointment(db, view.code, "not a phone", SECRET)


async def test_invalid_input_names_every_bad_field(db: Database) -> None:
    bad = dataclasses.replace(request(1), id_number="110101198001010000", phone="12345", name="")
    with pytest.raises(InvalidInput) as caught:
        await appointments.book(db, bad, NOW, SECRET)
    assert set(caught.value.fields) == {"id_number", "phone", "name"}
    off_grid = dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(minutes=10))
    with pytest.raises(InvalidInput) as caught:
        await appointments.book(db, off_grid, NOW, SECRET)
    assert caught.value.fields == {"start": "not a slot start"}
    with pytest.raises(InvalidInput):
        await appointments.book(db, dataclasses.replace(request(1), matter="PICKUP"), NOW, SECRET)


async def test_horizon_and_notice(db: Database) -> None:
    far = dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(days=14))
    with pytest.raises(NotOnSale):
        await appointments.book(db, far, NOW, SECRET)
    soon = dataclasses.replace(request(1), start=MONDAY_0900 + timedelta(minutes=30))
    with pytest.raises(NotOnSale):  # min notice is 30 min: 09:30 is not bookable at 09:00
        await appointments.book(db, soon, NOW + timedelta(minutes=1), SECRET)


async def test_one_booking_per_person_matter_day_and_caps(db: Database) -> None:
    await appointments.book(db, request(1), NOW, SECRET)
    with pytest.raises(DuplicateBooking):
        await appointments.book(
            db,
            dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(hours=1)),
            NOW,
            SECRET,
        )
    # Weekly cap of 3: Tuesday is one, Wednesday and Thursday two more, Friday is refused.
    for day in (1, 2):
        later = dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(days=day))
        await appointments.book(db, later, NOW, SECRET)
    with pytest.raises(BookingLimit):
        await appointments.book(
            db, dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(days=3)), NOW, SECRET
        )


async def test_cancel_frees_the_seat_after_the_release_delay(db: Database) -> None:
    view = await appointments.book(db, request(1), NOW, SECRET)
    await appointments.cancel(db, view.code, phone(1), NOW, SECRET)
    assert (await slot_state(db))[1:] == (1, 0)  # seat held back from resale
    slots = await appointments.list_slots(db, "district", "SI-REG", TUESDAY_0900.date(), NOW)
    capacity = slots[0].capacity
    assert slots[0].available == capacity - 1
    later = NOW + timedelta(minutes=30)
    slots = await appointments.list_slots(db, "district", "SI-REG", TUESDAY_0900.date(), later)
    assert slots[0].available == capacity
    with pytest.raises(TooLate):
        await appointments.cancel(db, view.code, phone(1), NOW, SECRET)


async def test_move_is_atomic(db: Database) -> None:
    view = await appointments.book(db, request(1), NOW, SECRET)
    moved = await appointments.move(
        db, view.code, phone(1), TUESDAY_0900 + timedelta(hours=1), NOW, SECRET
    )
    assert moved.start == "2026-11-24T10:00:00+08:00"
    with pytest.raises(InvalidInput):
        await appointments.move(
            db, view.code, phone(1), TUESDAY_0900 + timedelta(minutes=7), NOW, SECRET
        )
    after = await appointments.get_appointment(db, view.code, phone(1), SECRET)
    assert after.start == "2026-11-24T10:00:00+08:00"
    too_late = TUESDAY_0900 - timedelta(minutes=30)  # 08:30: within 2 h of the 10:00 slot
    with pytest.raises(TooLate):
        await appointments.move(
            db, view.code, phone(1), TUESDAY_0900 + timedelta(hours=2), too_late, SECRET
        )


async def test_two_no_shows_suspend_booking_until_lifted(db: Database) -> None:
    for day in (0, 1):
        start = TUESDAY_0900 + timedelta(days=day)
        await appointments.book(
            db,
            dataclasses.replace(
                request(1), start=start, matter="SI-REG" if day == 0 else "SI-FLEX"
            ),
            NOW,
            SECRET,
        )
    after_both = TUESDAY_0900 + timedelta(days=2)
    assert await checkin.mark_no_shows(db, after_both) == 2
    assert await checkin.mark_no_shows(db, after_both) == 0  # never double-marks
    later = dataclasses.replace(request(1), start=TUESDAY_0900 + timedelta(days=3))
    with pytest.raises(BookingSuspended):
        await appointments.book(db, later, after_both, SECRET)


async def test_concurrent_bookings_never_overbook(db: Database) -> None:
    """300 different people race for one slot: exactly `capacity` win, the rest get slot_full."""
    results = await asyncio.gather(
        *(appointments.book(db, request(i), NOW, SECRET) for i in range(300)),
        return_exceptions=True,
    )
    capacity, booked, active = await slot_state(db)
    wins = [r for r in results if isinstance(r, BookingView)]
    kinds = Counter(type(r).__name__ for r in results if not isinstance(r, BookingView))
    assert len(wins) == capacity == booked == active
    assert kinds == Counter({"SlotFull": 300 - capacity})


async def test_one_person_racing_gets_one_booking(db: Database) -> None:
    results = await asyncio.gather(
        *(appointments.book(db, request(7), NOW, SECRET) for _ in range(20)), return_exceptions=True
    )
    assert sum(isinstance(r, BookingView) for r in results) == 1
    assert all(isinstance(r, DuplicateBooking) for r in results if not isinstance(r, BookingView))
    assert (await slot_state(db))[1:] == (1, 1)


async def test_concurrent_moves_and_cancels_keep_the_count(db: Database) -> None:
    views = [await appointments.book(db, request(i), NOW, SECRET) for i in range(20)]
    other = TUESDAY_0900 + timedelta(hours=1)
    actions = [
        appointments.cancel(db, v.code, phone(i), NOW, SECRET)
        if i % 2
        else appointments.move(db, v.code, phone(i), other, NOW, SECRET)
        for i, v in enumerate(views)
    ]
    results = await asyncio.gather(*actions, return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)]
    later = NOW + timedelta(hours=1)  # every held-back seat is due by now
    async with db.write() as session:
        from hall.booking.seats import release_due

        for slot_id in (await session.scalars(select(BookingSlotRow.id))).all():
            await release_due(session, slot_id, later)
    async with db.read() as session:
        for slot in (await session.scalars(select(BookingSlotRow))).all():
            active = await session.scalar(
                select(func.count())
                .select_from(AppointmentRow)
                .where(AppointmentRow.slot_id == slot.id, AppointmentRow.status == "booked")
            )
            assert slot.booked == active


async def unsafe_book(db: Database, slot_id: int) -> bool:
    """A deliberately wrong booking: read, check, then write, unlocked (the negative control)."""
    async with db.engine.connect() as conn, conn.begin():
        row = (
            await conn.execute(
                text("SELECT booked, capacity FROM booking_slots WHERE id = :i"), {"i": slot_id}
            )
        ).one()
        await asyncio.sleep(0.001)  # the window in which the race happens
        if row.booked >= row.capacity:
            return False
        await conn.execute(
            text("UPDATE booking_slots SET booked = :b WHERE id = :i"),
            {"b": row.booked + 1, "i": slot_id},
        )
    return True


@pytest.mark.postgres
async def test_negative_control_read_check_write_is_caught(postgres_db: Database) -> None:
    """The same race against an unlocked read-check-write breaks the invariant the test checks."""
    await appointments.book(postgres_db, request(0), NOW, SECRET)  # creates the slot row
    async with postgres_db.read() as session:
        slot = await session.scalar(select(BookingSlotRow))
        assert slot is not None
    wins = await asyncio.gather(*(unsafe_book(postgres_db, slot.id) for _ in range(300)))
    capacity, booked, _ = await slot_state(postgres_db)
    # Lost updates: more callers were told "booked" than the counter shows (or than capacity).
    assert sum(wins) + 1 > booked or sum(wins) + 1 > capacity
