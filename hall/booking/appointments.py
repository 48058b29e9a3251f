"""Appointment booking: list slots, book, look up, cancel and move.

Every booking is real-name: the ID number and phone are validated, then kept only as
keyed hashes (for the rules and look-ups) and masked forms (for display). A seat is
taken with one conditional UPDATE in the same transaction as the insert, and the
partial unique index backs "one active booking per person, matter and day".
"""

from __future__ import annotations

import asyncio
import secrets
import statistics
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hall.booking.credit import CreditStatus, credit_status
from hall.booking.errors import NotOnSale, SlotClosed, SlotFull, TooLate
from hall.booking.identity import (
    DocumentKind,
    keyed_hash,
    mask_id,
    mask_name,
    mask_phone,
    phone_lookup_key,
    validate_id_number,
    validate_name,
    validate_phone,
)
from hall.booking.rules import check_caps, check_credit, credit_warning, duplicate, person_record
from hall.booking.seats import give_back, pending_releases, slot_row, take_seat
from hall.booking.slots import (
    SlotSpec,
    before_cutoff,
    is_on_sale,
    slots_for_day,
    windows_able_to_serve,
)
from hall.catalogue.cache import hall_config
from hall.catalogue.schema import Hall, Matter
from hall.errors import InvalidInput, NotFound
from hall.publish import NullPublisher, Publisher
from hall.store.db import Database
from hall.store.models import AppointmentRow, AppointmentStatus, BookingSlotRow
from hall.store.unit import Unit, reading, unit_of_work

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at the kiosk
# Phone look-up keys are slow by design (hall.booking.identity): computed before any
# transaction, on two threads of their own, so they neither hold the event loop nor the
# write lock, and a flood of look-ups queues here instead of taking every thread.
_PHONE_KEYS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="phone-key")


async def _off_loop(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_PHONE_KEYS, function, *args)


@dataclass(frozen=True, slots=True)
class PhoneKeys:
    """The keys a stored booking's phone may have: the scrypt look-up key, and the HMAC
    that bookings made before it still hold."""

    slow: str
    legacy: str

    def match(self, stored: str) -> bool:
        slow = secrets.compare_digest(stored, self.slow)
        legacy = secrets.compare_digest(stored, self.legacy)
        return bool(self.slow) and (slow or legacy)


def _phone_keys(secret: str, phone: str) -> PhoneKeys:
    try:
        mobile = validate_phone(phone)
    except InvalidInput:
        return PhoneKeys("", "")
    return PhoneKeys(phone_lookup_key(secret, mobile), keyed_hash(secret, "phone", mobile))


async def phone_keys(secret: str, phone: str) -> PhoneKeys:
    """A phone's look-up keys, computed off the event loop (no match for a bad number)."""
    keys: PhoneKeys = await _off_loop(_phone_keys, secret, phone)
    return keys


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
        phone_key=phone_lookup_key(secret, mobile) if mobile else "",
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


def group_specs(hall: Hall, group: str, day: date) -> list[SlotSpec]:
    """A group's slots on a day, with capacity from the staffing plan; raises NotFound."""
    bookable = [m for m in hall.matters if m.group == group and m.bookable]
    if not bookable:
        return []
    return slots_for_day(
        hall,
        group,
        day,
        windows_able=windows_able_to_serve(hall, group),
        expected_minutes=statistics.fmean(m.expected_minutes for m in bookable),
    )


def group_slots(hall: Hall, matter: Matter, day: date) -> list[SlotSpec]:
    """The slots of the matter's group on a day, with capacity from the staffing plan."""
    return group_specs(hall, matter.group, day)


def find_matter(hall: Hall, code: str) -> Matter:
    """A bookable matter of the hall; raises InvalidInput naming the field."""
    matter = next((m for m in hall.matters if m.code == code), None)
    if matter is None or not matter.bookable:
        raise InvalidInput(
            f"Matter {code!r} cannot be booked at hall {hall.id!r}.",
            f"大厅“{hall.id}”的事项“{code}”不可预约。",
            fields={"matter": "unknown or not bookable"},
        )
    return matter


def find_slot(hall: Hall, matter: Matter, start: datetime) -> SlotSpec:
    """The slot starting at ``start`` for this matter; raises InvalidInput."""
    day = start.astimezone(ZoneInfo(hall.timezone)).date()
    for spec in group_slots(hall, matter, day):
        if spec.starts_at == start and spec.accepts(matter.code):
            return spec
    raise not_a_slot()


def not_a_slot() -> InvalidInput:
    return InvalidInput(
        "There is no slot starting at this time for this matter; "
        "GET /api/halls/{hall}/slots lists them.",
        "该时间没有此事项的预约时段，请先查询可预约时段。",
        fields={"start": "not a slot start"},
    )


@dataclass(frozen=True, slots=True)
class Seats:
    """A slot's capacity, free seats, and whether the hall closed it."""

    capacity: int
    available: int
    closed: bool


@dataclass(frozen=True, slots=True)
class SlotView:
    """A slot on sale, in the hall's local time, with its seats."""

    start: str
    end: str
    capacity: int
    available: int
    closed: bool


@dataclass(frozen=True, slots=True)
class BookingView:
    """What the citizen sees of a booking (masked, with the materials checklist)."""

    code: str
    status: str
    hall: str
    hall_name: str
    matter: str
    matter_name: str
    start: str
    end: str
    materials: tuple[str, ...]
    name: str
    phone: str
    proxy: str | None
    ticket: str | None
    warning: dict[str, Any] | None


def seats_view(spec: SlotSpec, row: BookingSlotRow | None, due: dict[int, int]) -> Seats:
    """Capacity, free seats and closed flag of a planned slot (stored or not yet)."""
    if row is None:
        return Seats(spec.capacity, spec.capacity, False)
    return row_seats(row, due)


def row_seats(row: BookingSlotRow, due: dict[int, int]) -> Seats:
    """A stored slot's seats: a supervisor's override counts, seats due back count as free,
    and a slot booked beyond a lowered capacity shows 0 available."""
    booked = row.booked - due.get(row.id, 0)
    available = 0 if row.closed else max(0, row.capacity - booked)
    return Seats(row.capacity, available, row.closed)


async def list_slots(
    db: Database, hall_id: str, matter_code: str, day: date, now: datetime
) -> list[SlotView]:
    """The matter's slots on a day with capacity and free seats (only those on sale)."""
    async with reading(db) as tx:
        session = tx.session
        hall = await hall_config(tx, hall_id)
        matter = find_matter(hall, matter_code)
        specs = [
            s
            for s in group_slots(hall, matter, day)
            if s.accepts(matter.code) and is_on_sale(hall, s, now)
        ]
        rows = await slot_rows(session, hall_id, matter.group, [s.starts_at for s in specs])
        due = await pending_releases(session, [r.id for r in rows.values()], now)
    views = []
    for spec in specs:
        seats = seats_view(spec, rows.get(spec.starts_at), due)
        start, end = spec.local_start.isoformat(), spec.local_end.isoformat()
        views.append(SlotView(start, end, seats.capacity, seats.available, seats.closed))
    return views


async def slot_rows(
    session: AsyncSession, hall_id: str, group: str, starts: list[datetime]
) -> dict[datetime, BookingSlotRow]:
    """The stored rows of a group's slots, by start (slots nobody touched have none)."""
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
) -> BookingView:
    """Book a seat; raises InvalidInput, NotFound, SlotFull, SlotClosed, DuplicateBooking,
    BookingLimit, NotOnSale or BookingSuspended."""
    # The phone's look-up key is slow by design: computed off the loop, before the unit.
    person: Person = await _off_loop(
        identify,
        secret,
        request.name,
        request.id_kind,
        request.id_number,
        request.phone,
        now.date(),
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
            hall = await hall_config(unit, request.hall)
            row, status = await _book(unit, hall, request, person, proxy)
    except IntegrityError:
        raise duplicate() from None
    return booking_view(hall, row, credit_warning(hall, status))


async def _book(
    unit: Unit, hall: Hall, request: BookingRequest, person: Person, proxy: Person | None
) -> tuple[AppointmentRow, CreditStatus]:
    session, now = unit.session, unit.now
    matter = find_matter(hall, request.matter)
    spec = find_slot(hall, matter, request.start)
    if not is_on_sale(hall, spec, now):
        raise NotOnSale(
            "This slot is not open for booking now (outside the booking horizon, not released "
            "yet, or too soon).",
            "该时段当前不可预约（超出预约期限、尚未放号或距开始时间太近）。",
        )
    record = await person_record(session, person.key)
    status = check_credit(hall, record, now)
    check_caps(hall, record, matter.code, spec.day)
    slot = await slot_row(session, hall.id, spec)
    if not await take_seat(session, slot.id, now):
        raise await _no_seat(session, slot.id, new=False)
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
            "status": AppointmentStatus.BOOKED.value,
            "name": person.name_masked,
            "proxy": row.proxy_name_masked,
        },
        publish=False,
    )
    return row, status


async def _no_seat(session: AsyncSession, slot_id: int, *, new: bool) -> SlotFull | SlotClosed:
    """Why the seat could not be taken: a supervisor closed the slot, or it is full."""
    closed = await session.scalar(select(BookingSlotRow.closed).where(BookingSlotRow.id == slot_id))
    which, which_zh = ("The new slot", "新的时段") if new else ("This slot", "该时段")
    if closed:
        return SlotClosed(
            f"{which} has been closed for booking by the hall; please choose another time.",
            f"{which_zh}已被大厅暂停预约，请选择其他时间。",
            fields={"start": "closed"},
        )
    return SlotFull(
        f"{which} is fully booked; please choose another time.",
        f"{which_zh}已约满，请选择其他时间。",
        fields={"start": "full"},
    )


async def find_appointment(session: AsyncSession, code: str, keys: PhoneKeys) -> AppointmentRow:
    """A booking by code, only for the phone it was booked with (``phone_keys``); raises
    NotFound."""
    row = await session.scalar(select(AppointmentRow).where(AppointmentRow.code == code.upper()))
    if row is None or not keys.match(row.phone_key):
        raise NotFound(
            "No booking matches this code and phone number.",
            "没有与该预约码和手机号匹配的预约。",
        )
    return row


def booking_view(
    hall: Hall, row: AppointmentRow, warning: dict[str, Any] | None = None
) -> BookingView:
    """What the citizen sees of a booking; ``warning`` is the credit warning (one no-show
    or late cancellation short of a suspension), or None."""
    matter = next((m for m in hall.matters if m.code == row.matter_code), None)
    zone = ZoneInfo(hall.timezone)
    return BookingView(
        code=row.code,
        status=row.status,
        hall=row.hall_id,
        hall_name=hall.name,
        matter=row.matter_code,
        matter_name=matter.name if matter else row.matter_code,
        start=row.starts_at.astimezone(zone).isoformat(),
        end=row.ends_at.astimezone(zone).isoformat(),
        materials=matter.materials if matter else (),
        name=row.name_masked,
        phone=row.phone_masked,
        proxy=row.proxy_name_masked,
        ticket=row.ticket_id,
        warning=warning,
    )


async def appointment_view(db: Database, row: AppointmentRow) -> BookingView:
    """A booking's view without the credit warning (for callers without a clock)."""
    async with reading(db) as tx:
        hall = await hall_config(tx, row.hall_id)
    return booking_view(hall, row)


async def _warning(
    session: AsyncSession, hall: Hall, person: str, now: datetime
) -> dict[str, Any] | None:
    record = await person_record(session, person)
    status = credit_status(record.history, hall.booking.no_show_rule, now)
    return credit_warning(hall, status)


async def get_appointment(
    db: Database, code: str, phone: str, secret: str, now: datetime | None = None
) -> BookingView:
    """A booking's view (with the credit warning when ``now`` is given); raises NotFound
    unless code and phone match."""
    keys = await phone_keys(secret, phone)
    async with reading(db) as tx:
        row = await find_appointment(tx.session, code, keys)
        hall = await hall_config(tx, row.hall_id)
        warning = None if now is None else await _warning(tx.session, hall, row.person_key, now)
    return booking_view(hall, row, warning)


async def cancel(db: Database, code: str, phone: str, now: datetime, secret: str) -> BookingView:
    """Cancel a booking; after the cut-off it still frees the seat but counts as late."""
    keys = await phone_keys(secret, phone)
    async with unit_of_work(db, None, "citizen", None, now) as unit:
        session = unit.session
        row = await find_appointment(session, code, keys)
        hall = await hall_config(unit, row.hall_id)
        if row.status != AppointmentStatus.BOOKED:
            raise TooLate(
                f"Booking {row.code} cannot be cancelled: it is {row.status}.",
                f"预约 {row.code} 当前状态为“{row.status}”，不能取消。",
            )
        if now >= row.starts_at:
            raise TooLate(
                f"Booking {row.code} cannot be cancelled: its slot has begun.",
                f"预约 {row.code} 的时段已开始，不能取消。",
            )
        row.status, row.cancelled_at = AppointmentStatus.CANCELLED.value, now
        row.late_cancellation = not before_cutoff(hall, row.starts_at, now)
        give_back(session, row.slot_id, now, hall.booking.cancel_release_delay_minutes)
        _record(unit, row, "appointment_cancelled", {"late": row.late_cancellation})
        await session.flush()
        warning = await _warning(session, hall, row.person_key, now)
    return booking_view(hall, row, warning)


async def move(
    db: Database, code: str, phone: str, start: datetime, now: datetime, secret: str
) -> BookingView:
    """Move a booking to another slot atomically: both seats change, or neither."""
    keys = await phone_keys(secret, phone)
    try:
        async with unit_of_work(db, None, "citizen", None, now) as unit:
            row = await find_appointment(unit.session, code, keys)
            hall = await hall_config(unit, row.hall_id)
            await _move(unit, hall, row, start)
            warning = await _warning(unit.session, hall, row.person_key, now)
    except IntegrityError:
        raise duplicate() from None
    return booking_view(hall, row, warning)


async def _move(unit: Unit, hall: Hall, row: AppointmentRow, start: datetime) -> None:
    session, now = unit.session, unit.now
    if row.status != AppointmentStatus.BOOKED or not before_cutoff(hall, row.starts_at, now):
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
        record = await person_record(session, row.person_key)
        check_caps(hall, record, row.matter_code, spec.day, moving=row.id)
    slot = await slot_row(session, hall.id, spec)
    if not await take_seat(session, slot.id, now):
        raise await _no_seat(session, slot.id, new=True)
    give_back(session, row.slot_id, now, hall.booking.cancel_release_delay_minutes)
    before = row.starts_at.isoformat()
    row.slot_id, row.starts_at, row.ends_at, row.service_day = (
        slot.id,
        spec.starts_at,
        spec.ends_at,
        spec.day,
    )
    _record(unit, row, "appointment_moved", {"from": before, "to": spec.starts_at.isoformat()})


def _record(unit: Unit, row: AppointmentRow, kind: str, data: dict[str, Any]) -> None:
    unit.record(
        kind,
        "appointment",
        row.code,
        after={"status": row.status},
        data=data,
        publish=False,
        hall_id=row.hall_id,
    )
