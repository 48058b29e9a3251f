"""Appointment booking: list slots, book, look up, cancel and move.

Every booking is real-name: the ID number and phone are validated, then kept only as
keyed hashes (for the rules and look-ups) and masked forms (for display). A seat is
taken with one conditional UPDATE in the same transaction as the insert, and the
partial unique index backs "one active booking per person, matter and day".
"""

from __future__ import annotations

import secrets
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hall import catalogue
from hall.booking_errors import (
    BookingLimit,
    BookingSuspended,
    DuplicateBooking,
    NotOnSale,
    SlotFull,
    TooLate,
)
from hall.config_schema import Hall, Matter
from hall.credit import credit_status
from hall.db import Database
from hall.errors import InvalidInput, NotFound
from hall.identity import (
    DocumentKind,
    keyed_hash,
    mask_id,
    mask_name,
    mask_phone,
    validate_id_number,
    validate_name,
    validate_phone,
)
from hall.models import AppointmentRow, BookingSlotRow, EventRow
from hall.publish import NullPublisher, Publisher
from hall.seats import give_back, pending_releases, slot_row, take_seat
from hall.slots import (
    SlotSpec,
    before_cutoff,
    is_on_sale,
    slots_for_day,
    windows_able_to_serve,
)
from hall.unit import Unit, unit_of_work

ACTIVE = ("booked", "checked_in")
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at the kiosk


@dataclass(frozen=True, slots=True)
class Person:
    """A validated citizen: keys for rules, masks for display; the clear values go no further."""

    key: str
    phone_key: str
    name_masked: str
    id_masked: str
    phone_masked: str
    id_kind: str


@dataclass(frozen=True, slots=True)
class BookingRequest:
    """What a citizen (or a relative booking for them) submits."""

    hall: str
    matter: str
    start: datetime
    name: str
    id_number: str
    phone: str
    id_kind: str = DocumentKind.RESIDENT_ID.value
    proxy_name: str | None = None
    proxy_id_number: str | None = None
    proxy_id_kind: str = DocumentKind.RESIDENT_ID.value


def identify(
    secret: str, name: str, id_kind: str, id_number: str, phone: str | None, today: date
) -> Person:
    """Validate real-name data and reduce it to keys and masks; raises InvalidInput."""
    errors: dict[str, str] = {}
    messages: list[tuple[str, str]] = []
    values: dict[str, str] = {}
    checks: list[tuple[str, Callable[[], str]]] = [("name", lambda: validate_name(name))]
    checks.append(("id_number", lambda: validate_id_number(id_kind, id_number, today=today)))
    if phone is not None:
        checks.append(("phone", lambda: validate_phone(phone)))
    for key, check in checks:
        try:
            values[key] = check()
        except InvalidInput as exc:
            errors.update(exc.fields or {key: "invalid"})
            messages.append((exc.message, exc.message_zh))
    if errors:
        raise InvalidInput(
            " ".join(m for m, _ in messages), "".join(z for _, z in messages), fields=errors
        )
    number = values["id_number"]
    mobile = values.get("phone", "")
    return Person(
        key=person_key(secret, id_kind, number, today),
        phone_key=keyed_hash(secret, "phone", mobile) if mobile else "",
        name_masked=mask_name(values["name"]),
        id_masked=mask_id(number),
        phone_masked=mask_phone(mobile) if mobile else "",
        id_kind=str(id_kind),
    )


def person_key(secret: str, id_kind: str, id_number: str, today: date) -> str:
    """The keyed hash that identifies a person by document; raises InvalidInput."""
    number = validate_id_number(id_kind, id_number, today=today)
    return keyed_hash(secret, f"id:{id_kind}", number)


def new_code() -> str:
    """A booking code: 8 characters that are easy to read out and type."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def group_slots(hall: Hall, matter: Matter, day: date) -> list[SlotSpec]:
    """The slots of the matter's group on a day, with capacity from the staffing plan."""
    bookable = [m for m in hall.matters if m.group == matter.group and m.bookable]
    expected = statistics.fmean(m.expected_minutes for m in bookable or [matter])
    return slots_for_day(
        hall,
        matter.group,
        day,
        windows_able=windows_able_to_serve(hall, matter.group),
        expected_minutes=expected,
    )


def find_matter(hall: Hall, code: str) -> Matter:
    """A bookable matter of the hall; raises InvalidInput naming the field."""
    matter = next((m for m in hall.matters if m.code == code), None)
    if matter is None or not matter.bookable:
        raise InvalidInput(
            f"Matter {code!r} cannot be booked at hall {hall.id!r}.",
            f"大厅 {hall.id!r} 的事项 {code!r} 不可预约。",
            fields={"matter": "unknown or not bookable"},
        )
    return matter


def find_slot(hall: Hall, matter: Matter, start: datetime) -> SlotSpec:
    """The slot starting at ``start`` for this matter; raises InvalidInput."""
    day = start.astimezone(ZoneInfo(hall.timezone)).date()
    for spec in group_slots(hall, matter, day):
        if spec.starts_at == start and spec.accepts(matter.code):
            return spec
    raise InvalidInput(
        "There is no slot starting at this time for this matter; "
        "GET /api/halls/{hall}/slots lists them.",
        "该时间没有此事项的预约时段，请先查询可预约时段。",
        fields={"start": "not a slot start"},
    )


async def list_slots(
    db: Database, hall_id: str, matter_code: str, day: date, now: datetime
) -> list[dict[str, Any]]:
    """The matter's slots on a day with capacity and free seats (only those on sale)."""
    async with db.read() as session:
        hall = await catalogue.read_hall(session, hall_id)
        matter = find_matter(hall, matter_code)
        specs = [
            s
            for s in group_slots(hall, matter, day)
            if s.accepts(matter.code) and is_on_sale(hall, s, now)
        ]
        rows = await _slot_rows(session, hall_id, matter.group, [s.starts_at for s in specs])
        due = await pending_releases(session, [r.id for r in rows.values()], now)
    out = []
    for spec in specs:
        row = rows.get(spec.starts_at)
        capacity = spec.capacity if row is None else row.capacity
        booked = 0 if row is None else row.booked - due.get(row.id, 0)
        closed = row is not None and row.closed
        out.append(
            {
                "start": spec.local_start.isoformat(),
                "end": spec.local_end.isoformat(),
                "capacity": capacity,
                "available": 0 if closed else max(0, capacity - booked),
            }
        )
    return out


async def _slot_rows(
    session: AsyncSession, hall_id: str, group: str, starts: list[datetime]
) -> dict[datetime, BookingSlotRow]:
    if not starts:
        return {}
    query = select(BookingSlotRow).where(
        BookingSlotRow.hall_id == hall_id,
        BookingSlotRow.group_code == group,
        BookingSlotRow.starts_at.in_(starts),
    )
    return {r.starts_at: r for r in (await session.scalars(query)).all()}


async def book(
    db: Database,
    request: BookingRequest,
    now: datetime,
    secret: str,
    publisher: Publisher | None = None,
) -> dict[str, Any]:
    """Book a seat; raises InvalidInput, NotFound, SlotFull, DuplicateBooking, BookingLimit,
    NotOnSale or BookingSuspended."""
    person = identify(
        secret, request.name, request.id_kind, request.id_number, request.phone, now.date()
    )
    proxy = None
    if request.proxy_name is not None or request.proxy_id_number is not None:
        proxy = identify(
            secret,
            request.proxy_name or "",
            request.proxy_id_kind,
            request.proxy_id_number or "",
            None,
            now.date(),
        )
    try:
        async with unit_of_work(
            db, publisher or NullPublisher(), "citizen", request.hall, now
        ) as unit:
            row = await _book(unit, request, person, proxy, secret)
    except IntegrityError:
        raise _duplicate() from None
    return await appointment_view(db, row)


async def _book(
    unit: Unit, request: BookingRequest, person: Person, proxy: Person | None, secret: str
) -> AppointmentRow:
    session, now = unit.session, unit.now
    hall = await catalogue.read_hall(session, request.hall)
    matter = find_matter(hall, request.matter)
    spec = find_slot(hall, matter, request.start)
    if not is_on_sale(hall, spec, now):
        raise NotOnSale(
            "This slot is not open for booking now (outside the booking horizon, not released "
            "yet, or too soon).",
            "该时段当前不可预约（超出预约期限、尚未放号或距开始时间太近）。",
        )
    await _check_credit(session, hall, person.key, now)
    await _check_caps(session, hall, person.key, matter.code, spec.day)
    slot = await slot_row(session, hall.id, spec)
    if not await take_seat(session, slot.id, now):
        raise SlotFull(
            "This slot is fully booked; please choose another time.",
            "该时段已约满，请选择其他时间。",
            fields={"start": "full"},
        )
    row = AppointmentRow(
        code=new_code(),
        hall_id=hall.id,
        matter_code=matter.code,
        slot_id=slot.id,
        service_day=spec.day,
        starts_at=spec.starts_at,
        ends_at=spec.ends_at,
        person_key=person.key,
        phone_key=person.phone_key,
        name_masked=person.name_masked,
        id_masked=person.id_masked,
        phone_masked=person.phone_masked,
        id_kind=person.id_kind,
        proxy_person_key=proxy.key if proxy else None,
        proxy_name_masked=proxy.name_masked if proxy else None,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    unit.record(
        "appointment_booked",
        "appointment",
        row.code,
        after={
            "matter": matter.code,
            "start": spec.starts_at.isoformat(),
            "status": "booked",
            "name": person.name_masked,
            "proxy": row.proxy_name_masked,
        },
        publish=False,
    )
    return row


async def _check_credit(session: AsyncSession, hall: Hall, person_key: str, now: datetime) -> None:
    history = await credit_history(session, person_key)
    status = credit_status(history, hall.booking.no_show_rule, now)
    if status.suspended_until is not None:
        until = status.suspended_until.astimezone(ZoneInfo(hall.timezone)).date().isoformat()
        raise BookingSuspended(
            f"Online booking is suspended until {until} after repeated no-shows or late "
            "cancellations; you can still take a ticket at the hall, or ask a supervisor.",
            f"因多次爽约或临时取消，您的网上预约已暂停至 {until}；"
            "仍可到大厅现场取号，或联系大厅管理员。",
        )


async def credit_history(session: AsyncSession, person_key: str) -> list[tuple[str, datetime]]:
    """No-shows, late cancellations and supervisor lifts of one person, for the credit rule."""
    rows = (
        await session.scalars(select(AppointmentRow).where(AppointmentRow.person_key == person_key))
    ).all()
    history: list[tuple[str, datetime]] = []
    for row in rows:
        if row.status == "no_show" and row.no_show_at is not None:
            history.append(("no_show", row.no_show_at))
        if row.late_cancellation and row.cancelled_at is not None:
            history.append(("late_cancellation", row.cancelled_at))
    lifts = await session.scalars(
        select(EventRow.at).where(
            EventRow.kind == "booking_suspension_lifted", EventRow.subject_id == person_key
        )
    )
    history.extend(("lift", at) for at in lifts.all())
    return history


async def _check_caps(
    session: AsyncSession, hall: Hall, person_key: str, matter: str, day: date
) -> None:
    async def count(first: date, last: date, **extra: Any) -> int:
        query = (
            select(func.count())
            .select_from(AppointmentRow)
            .where(
                AppointmentRow.person_key == person_key,
                AppointmentRow.status.in_(ACTIVE),
                AppointmentRow.service_day.between(first, last),
            )
        )
        for column, value in extra.items():
            query = query.where(getattr(AppointmentRow, column) == value)
        return int(await session.scalar(query) or 0)

    if await count(day, day, hall_id=hall.id, matter_code=matter):
        raise _duplicate()
    monday = day - timedelta(days=day.weekday())
    if await count(monday, monday + timedelta(days=6)) >= hall.booking.max_per_week:
        raise _limit("week", "周", hall.booking.max_per_week)
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if await count(first, last) >= hall.booking.max_per_month:
        raise _limit("month", "月", hall.booking.max_per_month)


def _duplicate() -> DuplicateBooking:
    return DuplicateBooking(
        "You already have a booking for this matter on that day.",
        "您当天已预约过该事项，无需重复预约。",
    )


def _limit(period: str, period_zh: str, cap: int) -> BookingLimit:
    return BookingLimit(
        f"You have reached the limit of {cap} bookings per {period}.",
        f"您已达到每{period_zh}最多 {cap} 次预约的上限。",
    )


async def find_appointment(
    session: AsyncSession, code: str, phone: str, secret: str
) -> AppointmentRow:
    """A booking by code, only for the phone it was booked with; raises NotFound."""
    row = await session.scalar(select(AppointmentRow).where(AppointmentRow.code == code.upper()))
    try:
        phone_key = keyed_hash(secret, "phone", validate_phone(phone))
    except InvalidInput:
        phone_key = ""
    if row is None or not secrets.compare_digest(row.phone_key, phone_key):
        raise NotFound(
            "No booking matches this code and phone number.",
            "没有与该预约码和手机号匹配的预约。",
        )
    return row


async def appointment_view(db: Database, row: AppointmentRow) -> dict[str, Any]:
    """What the citizen sees of a booking (masked, with the materials checklist)."""
    async with db.read() as session:
        hall = await catalogue.read_hall(session, row.hall_id)
    matter = next((m for m in hall.matters if m.code == row.matter_code), None)
    zone = ZoneInfo(hall.timezone)
    return {
        "code": row.code,
        "status": row.status,
        "hall": row.hall_id,
        "hall_name": hall.name,
        "matter": row.matter_code,
        "matter_name": matter.name if matter else row.matter_code,
        "start": row.starts_at.astimezone(zone).isoformat(),
        "end": row.ends_at.astimezone(zone).isoformat(),
        "materials": list(matter.materials) if matter else [],
        "name": row.name_masked,
        "phone": row.phone_masked,
        "proxy": row.proxy_name_masked,
        "ticket": row.ticket_id,
    }


async def get_appointment(db: Database, code: str, phone: str, secret: str) -> dict[str, Any]:
    """A booking's view; raises NotFound unless code and phone match."""
    async with db.read() as session:
        row = await find_appointment(session, code, phone, secret)
    return await appointment_view(db, row)


async def cancel(db: Database, code: str, phone: str, now: datetime, secret: str) -> dict[str, Any]:
    """Cancel a booking; after the cut-off it still frees the seat but counts as late."""
    async with db.write() as session:
        row = await find_appointment(session, code, phone, secret)
        hall = await catalogue.read_hall(session, row.hall_id)
        if row.status != "booked":
            raise TooLate(
                f"Booking {row.code} cannot be cancelled: it is {row.status}.",
                f"预约 {row.code} 当前状态为“{row.status}”，不能取消。",
            )
        if now >= row.starts_at:
            raise TooLate(
                f"Booking {row.code} cannot be cancelled: its slot has begun.",
                f"预约 {row.code} 的时段已开始，不能取消。",
            )
        row.status, row.cancelled_at = "cancelled", now
        row.late_cancellation = not before_cutoff(hall, row.starts_at, now)
        give_back(session, row.slot_id, now, hall.booking.cancel_release_delay_minutes)
        session.add(_event(row, "appointment_cancelled", now, {"late": row.late_cancellation}))
    return await appointment_view(db, row)


async def move(
    db: Database, code: str, phone: str, start: datetime, now: datetime, secret: str
) -> dict[str, Any]:
    """Move a booking to another slot atomically: both seats change, or neither."""
    try:
        async with db.write() as session:
            row = await find_appointment(session, code, phone, secret)
            hall = await catalogue.read_hall(session, row.hall_id)
            await _move(session, hall, row, start, now)
    except IntegrityError:
        raise _duplicate() from None
    return await appointment_view(db, row)


async def _move(
    session: AsyncSession, hall: Hall, row: AppointmentRow, start: datetime, now: datetime
) -> None:
    if row.status != "booked" or not before_cutoff(hall, row.starts_at, now):
        raise TooLate(
            f"Booking {row.code} can no longer be moved (the cut-off before the slot has passed).",
            f"预约 {row.code} 已过修改截止时间，不能改约。",
        )
    matter = find_matter(hall, row.matter_code)
    spec = find_slot(hall, matter, start)
    if spec.starts_at == row.starts_at:
        return
    if not is_on_sale(hall, spec, now):
        raise NotOnSale("The new slot is not open for booking now.", "新的时段当前不可预约。")
    if spec.day != row.service_day:
        await _check_caps_for_move(session, hall, row, spec.day)
    slot = await slot_row(session, hall.id, spec)
    if not await take_seat(session, slot.id, now):
        raise SlotFull(
            "The new slot is fully booked.", "新的时段已约满。", fields={"start": "full"}
        )
    give_back(session, row.slot_id, now, hall.booking.cancel_release_delay_minutes)
    before = row.starts_at.isoformat()
    row.slot_id, row.starts_at, row.ends_at, row.service_day = (
        slot.id,
        spec.starts_at,
        spec.ends_at,
        spec.day,
    )
    session.add(
        _event(row, "appointment_moved", now, {"from": before, "to": spec.starts_at.isoformat()})
    )


async def _check_caps_for_move(
    session: AsyncSession, hall: Hall, row: AppointmentRow, day: date
) -> None:
    clash = await session.scalar(
        select(AppointmentRow.id).where(
            AppointmentRow.person_key == row.person_key,
            AppointmentRow.hall_id == hall.id,
            AppointmentRow.matter_code == row.matter_code,
            AppointmentRow.service_day == day,
            AppointmentRow.status.in_(ACTIVE),
            AppointmentRow.id != row.id,
        )
    )
    if clash is not None:
        raise _duplicate()


def _event(row: AppointmentRow, kind: str, now: datetime, data: dict[str, Any]) -> EventRow:
    return EventRow(
        hall_id=row.hall_id,
        at=now,
        actor="citizen",
        kind=kind,
        subject_type="appointment",
        subject_id=row.code,
        after={"status": row.status},
        data=data,
    )
