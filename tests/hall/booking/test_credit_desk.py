"""Credit in service: the warning after one no-show or late cancellations, and lifting."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import select

from hall.booking import appointments, checkin
from hall.booking.credit_desk import NothingToLift, credit_of, lift_suspension
from hall.booking.errors import BookingSuspended
from hall.bootstrap import prepare
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import EventRow
from tests.conftest import make_settings
from tests.hall.booking.helpers import MONDAY_0900, SECRET, TUESDAY_0900, phone, request

pytestmark = pytest.mark.asyncio
NOW = MONDAY_0900
BOSS = StaffMember(2, "supervisor", "S0001", Role.SUPERVISOR, ("*",))
DAY = timedelta(days=1)


@pytest_asyncio.fixture
async def db(db_url: str, tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(db_url)
    await prepare(database, make_settings(tmp_path, db_url))
    try:
        yield database
    finally:
        await database.dispose()


async def no_show(db: Database, serial: int, day: int, matter: str = "SI-REG") -> None:
    """Person ``serial`` books Tuesday + ``day`` and does not come."""
    start = TUESDAY_0900 + day * DAY
    await appointments.book(
        db, dataclasses.replace(request(serial), start=start, matter=matter), NOW, SECRET
    )
    assert await checkin.mark_no_shows(db, start + DAY) == 1


async def test_a_first_booking_carries_no_warning(db: Database) -> None:
    view = await appointments.book(db, request(1), NOW, SECRET)
    assert view.warning is None


async def test_one_no_show_warns_on_the_next_booking_and_look_up(db: Database) -> None:
    await no_show(db, 1, 0)
    now = TUESDAY_0900 + DAY  # Wednesday 09:00
    later = dataclasses.replace(request(1), start=TUESDAY_0900 + 2 * DAY)
    view = await appointments.book(db, later, now, SECRET)
    warning = view.warning
    assert warning is not None
    assert (warning["code"], warning["no_shows"], warning["late_cancellations"]) == (
        "credit_warning",
        1,
        0,
    )
    assert "suspend" in warning["message"]
    assert "暂停" in warning["message_zh"]
    shown = await appointments.get_appointment(db, view.code, phone(1), SECRET, now)
    assert shown.warning == warning
    # 30 days after the no-show it no longer counts, and the warning is gone.
    month = TUESDAY_0900 + 31 * DAY
    assert (
        await appointments.get_appointment(db, view.code, phone(1), SECRET, month)
    ).warning is None
    # Another person is not warned.
    other = await appointments.book(
        db, dataclasses.replace(request(2), start=later.start), now, SECRET
    )
    assert other.warning is None


async def test_four_late_cancellations_warn_and_the_fifth_suspends(db: Database) -> None:
    late = TUESDAY_0900 - timedelta(hours=1)  # inside the 2 h cut-off
    for round_ in range(5):
        view = await appointments.book(db, request(1), NOW, SECRET)
        cancelled = await appointments.cancel(db, view.code, phone(1), late, SECRET)
        warning = cancelled.warning
        if round_ < 3:
            assert warning is None
        elif round_ == 3:
            assert warning is not None
            assert warning["late_cancellations"] == 4
    with pytest.raises(BookingSuspended):
        await appointments.book(db, request(1), late, SECRET)


async def test_a_supervisor_lifts_a_suspension_and_the_person_books_again(
    db: Database,
) -> None:
    await no_show(db, 1, 0)
    await no_show(db, 1, 1, matter="SI-FLEX")
    now = TUESDAY_0900 + 2 * DAY
    friday = dataclasses.replace(request(1), start=TUESDAY_0900 + 3 * DAY)
    with pytest.raises(BookingSuspended):
        await appointments.book(db, friday, now, SECRET)
    status = await credit_of(db, "district", "resident_id", request(1).id_number, now, SECRET)
    assert status.no_shows == 0  # used up by the suspension they triggered
    second_no_show = TUESDAY_0900 + 2 * DAY  # marked a day after its Wednesday slot
    until = (second_no_show + timedelta(days=90)).astimezone(ZoneInfo("Asia/Shanghai"))
    assert status.suspended_until == until
    assert [h.kind for h in status.history] == ["no_show", "no_show"]
    assert request(1).id_number not in str(status)
    lifted = await lift_suspension(
        db,
        BOSS,
        "district",
        id_kind="resident_id",
        id_number=request(1).id_number,
        reason="hospital certificate shown",
        now=now,
        secret=SECRET,
    )
    assert lifted.suspended_until is None
    view = await appointments.book(db, friday, now, SECRET)
    assert view.status == "booked"
    assert view.warning is None
    async with db.read() as session:
        event = await session.scalar(
            select(EventRow).where(EventRow.kind == "booking_suspension_lifted")
        )
    assert event is not None
    assert (event.actor, event.at, event.hall_id) == ("supervisor", now, "district")
    assert event.data["reason"] == "hospital certificate shown"
    assert event.before is not None
    assert event.before["suspended_until"] is not None
    assert request(1).id_number not in str(event.data)
    # Lifting again finds nothing to lift.
    with pytest.raises(NothingToLift):
        await lift_suspension(
            db,
            BOSS,
            "district",
            id_kind="resident_id",
            id_number=request(1).id_number,
            reason="again",
            now=now,
            secret=SECRET,
        )


async def test_a_lift_clears_a_warning_too(db: Database) -> None:
    await no_show(db, 1, 0)
    now = TUESDAY_0900 + DAY
    await lift_suspension(
        db,
        BOSS,
        "district",
        id_kind="resident_id",
        id_number=request(1).id_number,
        reason="our mistake",
        now=now,
        secret=SECRET,
    )
    later = dataclasses.replace(request(1), start=TUESDAY_0900 + 2 * DAY)
    assert (await appointments.book(db, later, now + timedelta(minutes=1), SECRET)).warning is None


async def test_bad_lifts_are_refused(db: Database) -> None:
    with pytest.raises(NothingToLift):
        await lift_suspension(
            db,
            BOSS,
            "district",
            id_kind="resident_id",
            id_number=request(1).id_number,
            reason="x",
            now=NOW,
            secret=SECRET,
        )
    with pytest.raises(InvalidInput) as caught:
        await lift_suspension(
            db,
            BOSS,
            "district",
            id_kind="resident_id",
            id_number="110101198001010000",
            reason="x",
            now=NOW,
            secret=SECRET,
        )
    assert "id_number" in caught.value.fields
    await no_show(db, 1, 0)
    with pytest.raises(InvalidInput) as caught:
        await lift_suspension(
            db,
            BOSS,
            "district",
            id_kind="resident_id",
            id_number=request(1).id_number,
            reason="  ",
            now=NOW + 3 * DAY,
            secret=SECRET,
        )
    assert "reason" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        await credit_of(db, "district", "diplomat", "X1", NOW, SECRET)
    assert "id_kind" in caught.value.fields
