"""Check-in and the no-show sweep called directly, against the policy written out here.

docs/queueing.md: check-in is on time from slot start − 5 min (the early margin) to slot
start + 15 min (the late grace); on time, the ticket ranks as an appointment; later, it
is a walk-in from the moment of check-in. A booking nobody checked in by slot end + the
late grace is a no-show, marked once.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from hall.booking import appointments, checkin
from hall.booking.errors import TooEarly
from hall.calling import tickets, windows
from hall.errors import InvalidInput, NotFound
from hall.publish import RecordingPublisher
from hall.store.db import Database
from hall.store.models import AppointmentRow, TicketRow
from queueing import Source
from tests.hall.booking.helpers import MONDAY_0900, SECRET, TUESDAY_0900, request, resident_id
from tests.hall.calling.helpers import add_clerks, audit, prefix_of, published, ticket

pytestmark = pytest.mark.asyncio

HALL = "district"
EARLY_MARGIN = timedelta(minutes=5)  # `appointment_early_margin_minutes`
LATE_GRACE = timedelta(minutes=15)  # `appointment_late_grace_minutes`
SLOT = timedelta(minutes=30)  # the demo halls' `slot_minutes`
SECOND = timedelta(seconds=1)


def tue(minutes: float) -> datetime:
    """``minutes`` after Tuesday 09:00 in Shanghai (negative: before)."""
    return TUESDAY_0900 + timedelta(minutes=minutes)


async def book(db: Database, serial: int, minutes: float = 0, matter: str = "SI-REG") -> str:
    """Person ``serial`` books Tuesday 09:00 + ``minutes`` (booked on Monday); the code."""
    start = TUESDAY_0900 + timedelta(minutes=minutes)
    wanted = dataclasses.replace(request(serial), start=start, matter=matter)
    return (await appointments.book(db, wanted, MONDAY_0900, SECRET)).code


async def booking(db: Database, code: str) -> AppointmentRow:
    async with db.read() as session:
        row = await session.scalar(select(AppointmentRow).where(AppointmentRow.code == code))
        assert row is not None
        return row


async def ticket_count(db: Database) -> int:
    async with db.read() as session:
        return int(await session.scalar(select(func.count()).select_from(TicketRow)) or 0)


async def test_on_time_check_in_ranks_as_an_appointment(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    code = await book(db, 1)
    early_walk_in = await tickets.issue_ticket(db, pub, HALL, "SI-REG", tue(-10))
    now = tue(-3)
    answer = await checkin.check_in(db, pub, HALL, now, SECRET, code=code)
    assert (answer.appointment, answer.late) == (code, False)
    assert answer.message == "Checked in: you will be called with appointment priority."
    assert answer.message_zh == "签到成功：您将按预约优先顺序被叫号。"
    view = answer.ticket
    assert (view.source, view.status, view.matter) == ("appointment", "waiting", "SI-REG")
    assert view.number == f"{prefix_of('SI-REG')}002"  # after the walk-in: one prefix, one day
    stored = await ticket(db, view.id)
    assert (stored.source, stored.due_at) == (Source.APPOINTMENT, TUESDAY_0900.timestamp())
    assert stored.checked_in_at == now.timestamp()
    row = await booking(db, code)
    assert (row.status, row.ticket_id, row.checked_in_at) == ("checked_in", view.id, now)
    [event] = await audit(db, "appointment_checked_in")
    assert event.after == {"status": "checked_in", "ticket": view.number, "late": False}
    kinds = [e.kind for e in published(pub)]
    assert kinds == ["ticket_issued", "ticket_checked_in"] * 2  # the booking's event stays private
    await windows.sign_in(db, pub, clerk, HALL, 1, TUESDAY_0900)
    called = await tickets.call_next(db, pub, clerk, HALL, 1, TUESDAY_0900)
    assert called is not None
    assert called.id == view.id  # before the walk-in who came earlier
    assert published(pub, "ticket_called")[0].data["rule"] == "appointment"
    await tickets.act_on_held(db, pub, clerk, HALL, 1, tue(1), "start")
    await tickets.act_on_held(db, pub, clerk, HALL, 1, tue(9), "finish", outcome="completed")
    following = await tickets.call_next(db, pub, clerk, HALL, 1, tue(10))
    assert following is not None
    assert following.id == early_walk_in.id


async def test_check_in_opens_at_the_early_margin_and_ranks_until_the_late_grace(
    db: Database,
) -> None:
    pub = RecordingPublisher()
    first, second, third = [await book(db, n) for n in (1, 2, 3)]
    opens = TUESDAY_0900 - EARLY_MARGIN
    with pytest.raises(TooEarly) as early:
        await checkin.check_in(db, pub, HALL, opens - SECOND, SECRET, code=first)
    assert early.value.code == "too_early"
    assert (
        early.value.message
        == f"Check-in for booking {first} opens at 08:55; please come back then."
    )
    assert early.value.message_zh == f"预约 {first} 的签到将于 08:55 开始，请届时再来签到。"
    assert await ticket_count(db) == 0
    assert (await booking(db, first)).status == "booked"
    assert published(pub) == []
    at_opening = await checkin.check_in(db, pub, HALL, opens, SECRET, code=first)
    closes = TUESDAY_0900 + LATE_GRACE
    at_closing = await checkin.check_in(db, pub, HALL, closes, SECRET, code=second)
    after = await checkin.check_in(db, pub, HALL, closes + SECOND, SECRET, code=third)
    assert [a.late for a in (at_opening, at_closing, after)] == [False, False, True]
    assert [a.ticket.source for a in (at_opening, at_closing, after)] == [
        "appointment",
        "appointment",
        "walk_in",
    ]


async def test_late_check_in_is_a_walk_in_from_arrival_and_is_told_why(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    code = await book(db, 1)
    before = await tickets.issue_ticket(db, pub, HALL, "SI-REG", tue(18))
    answer = await checkin.check_in(db, pub, HALL, tue(20), SECRET, code=code)
    after = await tickets.issue_ticket(db, pub, HALL, "SI-REG", tue(25))
    assert answer.late
    assert answer.message == (
        "You arrived after your slot's grace time, so you are served as a walk-in."
    )
    assert answer.message_zh == "您已超过预约时段的宽限时间，将按现场取号顺序办理。"
    assert (answer.ticket.source, answer.ticket.green) == ("walk_in", False)
    assert (await ticket(db, answer.ticket.id)).due_at is None
    row = await booking(db, code)
    assert (row.status, row.ticket_id) == ("checked_in", answer.ticket.id)
    [event] = await audit(db, "appointment_checked_in")
    assert event.after == {"status": "checked_in", "ticket": answer.ticket.number, "late": True}
    # Walk-ins by arrival: 09:18, the late holder at 09:20, then 09:25.
    await windows.sign_in(db, pub, clerk, HALL, 1, TUESDAY_0900 + SLOT)
    order = []
    for n in range(3):
        now = tue(30 + n)
        called = await tickets.call_next(db, pub, clerk, HALL, 1, now)
        assert called is not None
        order.append(called.id)
        await tickets.act_on_held(db, pub, clerk, HALL, 1, now, "start")
        await tickets.act_on_held(db, pub, clerk, HALL, 1, now, "finish", outcome="completed")
    assert order == [before.id, answer.ticket.id, after.id]


async def test_checking_in_again_hands_back_the_same_ticket(db: Database) -> None:
    pub = RecordingPublisher()
    [clerk] = await add_clerks(db, 1)
    code = await book(db, 1)
    first = await checkin.check_in(db, pub, HALL, tue(-2), SECRET, code=code)
    told = len(published(pub))
    again = await checkin.check_in(db, pub, HALL, TUESDAY_0900, SECRET, code=code.lower())
    assert again.ticket.id == first.ticket.id
    assert (again.late, again.message) == (
        False,
        "You have already checked in; here is your ticket.",
    )
    assert again.message_zh == "您已签到，这是您的号票。"
    assert len(published(pub)) == told  # nothing new happened
    await windows.sign_in(db, pub, clerk, HALL, 1, TUESDAY_0900)
    await tickets.call_next(db, pub, clerk, HALL, 1, TUESDAY_0900)
    told = len(published(pub))
    late = tue(40)  # past the grace: still the same ticket, not late
    third = await checkin.check_in(db, pub, HALL, late, SECRET, id_number=request(1).id_number)
    assert (third.ticket.id, third.ticket.status, third.ticket.window) == (
        first.ticket.id,
        "called",
        1,
    )
    assert third.late is False
    assert await ticket_count(db) == 1
    assert len(published(pub)) == told
    assert len(await audit(db, "appointment_checked_in")) == 1


async def test_check_in_by_id_number_and_what_it_does_not_find(db: Database) -> None:
    pub = RecordingPublisher()
    code = await book(db, 1)
    street = (
        await appointments.book(
            db,
            dataclasses.replace(request(2, hall="street"), matter="SI-CARD"),
            MONDAY_0900,
            SECRET,
        )
    ).code
    cancelled = await book(db, 3)
    await appointments.cancel(db, cancelled, request(3).phone, MONDAY_0900, SECRET)
    now = tue(-1)
    with pytest.raises(InvalidInput) as nothing:
        await checkin.check_in(db, pub, HALL, now, SECRET)
    assert nothing.value.fields == {"code": "code or id_number"}
    person = request(1).id_number
    wrong_check = person[:-1] + ("0" if person[-1] != "0" else "1")
    with pytest.raises(InvalidInput):  # not a valid ID number (its check character is wrong)
        await checkin.check_in(db, pub, HALL, now, SECRET, id_number=wrong_check)
    missing = [
        {"code": "NOPE2345"},
        {"code": street},  # another hall's booking
        {"code": cancelled},
        {"id_number": request(3).id_number},  # only a cancelled booking
        {"id_number": resident_id(9)},  # nobody booked
    ]
    for how in missing:
        with pytest.raises(NotFound) as none:
            await checkin.check_in(db, pub, HALL, now, SECRET, **how)
        assert none.value.message_zh == "未找到您今天在本大厅的预约，请核对预约码，或直接取号。"
    with pytest.raises(NotFound):  # Monday: the booking is for Tuesday
        await checkin.check_in(db, pub, HALL, MONDAY_0900, SECRET, code=code)
    assert await ticket_count(db) == 0
    found = await checkin.check_in(db, pub, HALL, now, SECRET, id_number=person)
    assert (found.appointment, found.late, found.ticket.source) == (code, False, "appointment")
    at_street = await checkin.check_in(db, pub, "street", now, SECRET, code=f"  {street.lower()} ")
    assert (at_street.appointment, at_street.ticket.hall) == (street, "street")


async def test_by_id_number_the_second_booking_of_the_day_checks_in_too(db: Database) -> None:
    """A person with two bookings on one day (two matters) checks in by ID number for
    each: the second check-in must give the second booking its ticket, not hand back the
    first one's (else the second booking is later marked a no-show)."""
    pub = RecordingPublisher()
    morning = await book(db, 1)  # 09:00, SI-REG
    later = await book(db, 1, minutes=60, matter="SI-FLEX")  # 10:00, SI-FLEX
    person = request(1).id_number
    first = await checkin.check_in(db, pub, HALL, TUESDAY_0900, SECRET, id_number=person)
    assert first.appointment == morning
    second = await checkin.check_in(db, pub, HALL, tue(57), SECRET, id_number=person)
    assert (second.appointment, second.ticket.matter) == (later, "SI-FLEX")
    assert second.ticket.id != first.ticket.id


async def test_the_no_show_sweep_marks_each_missed_booking_once(db: Database) -> None:
    pub = RecordingPublisher()
    missed = await book(db, 1)  # 09:00–09:30, never comes
    came = await book(db, 2)
    cancelled = await book(db, 3)
    later = await book(db, 4, minutes=60)  # 10:00–10:30
    street = (
        await appointments.book(
            db,
            dataclasses.replace(request(5, hall="street"), matter="SI-CARD"),
            MONDAY_0900,
            SECRET,
        )
    ).code
    await appointments.cancel(db, cancelled, request(3).phone, MONDAY_0900, SECRET)
    await checkin.check_in(db, pub, HALL, TUESDAY_0900, SECRET, code=came)
    cutoff = TUESDAY_0900 + SLOT + LATE_GRACE  # 09:45: slot end + the late grace
    assert await checkin.mark_no_shows(db, cutoff - SECOND) == 0
    assert await checkin.mark_no_shows(db, cutoff) == 2  # the district's and the street's
    assert await checkin.mark_no_shows(db, cutoff) == 0
    assert await checkin.mark_no_shows(db, cutoff + timedelta(minutes=59)) == 0
    assert await checkin.mark_no_shows(db, cutoff + timedelta(minutes=60)) == 1  # the 10:00 slot
    assert await checkin.mark_no_shows(db, cutoff + timedelta(hours=6)) == 0
    statuses = {
        code: (await booking(db, code)).status for code in (missed, came, cancelled, later, street)
    }
    assert statuses == {
        missed: "no_show",
        came: "checked_in",
        cancelled: "cancelled",
        later: "no_show",
        street: "no_show",
    }
    assert (await booking(db, missed)).no_show_at == cutoff
    marked = await audit(db, "appointment_no_show")
    assert sorted((e.subject_id, e.hall_id) for e in marked) == sorted(
        [(missed, HALL), (street, "street"), (later, HALL)]
    )
    assert {e.actor for e in marked} == {"system"}
    assert all(e.after == {"status": "no_show"} for e in marked)
