"""Supervisor overrides of a booking slot: another capacity, or closed; each an audit event.

The override lives on the slot's own row (``capacity``, ``capacity_overridden``,
``closed``), so booking's single conditional UPDATE (``booked < capacity AND NOT
closed``) enforces it with no extra read and no window for a race. Lowering the capacity
below what is booked never cancels a booking: the slot shows 0 available and takes no
more. Removing the override restores the planned capacity and opens the slot again.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.booking.appointments import group_specs, not_a_slot, row_seats
from hall.booking.errors import TooLate
from hall.booking.seats import pending_releases, slot_row
from hall.booking.slots import SlotSpec
from hall.catalogue.cache import hall_config
from hall.catalogue.schema import Hall
from hall.errors import InvalidInput
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import BookingSlotRow, EventRow
from hall.store.unit import reading, unit_of_work

MAX_CAPACITY = 1000
MAX_REASON = 200
SET, REMOVED = "slot_override_set", "slot_override_removed"


@dataclass(frozen=True, slots=True)
class SlotRef:
    """Which slot: a matter group (or a matter, standing for its group) and a start."""

    start: datetime
    group: str | None = None
    matter: str | None = None


def _group(hall: Hall, ref: SlotRef) -> str:
    if (ref.group is None) == (ref.matter is None):
        raise InvalidInput(
            "Name the slot's matter group ('group') or one of its matters ('matter'), not both.",
            "请指定时段的事项分组（group）或其中一个事项（matter），二者选其一。",
            fields={"group": "group or matter"},
        )
    if ref.matter is not None:
        matter = next((m for m in hall.matters if m.code == ref.matter), None)
        if matter is None:
            raise InvalidInput(
                f"Hall {hall.id!r} has no matter {ref.matter!r}.",
                f"大厅“{hall.id}”没有事项“{ref.matter}”。",
                fields={"matter": "unknown matter"},
            )
        return matter.group
    if not any(g.code == ref.group for g in hall.groups):
        raise InvalidInput(
            f"Hall {hall.id!r} has no matter group {ref.group!r}.",
            f"大厅“{hall.id}”没有事项分组“{ref.group}”。",
            fields={"group": "unknown group"},
        )
    return str(ref.group)


def find_spec(hall: Hall, ref: SlotRef, now: datetime) -> SlotSpec:
    """The planned slot the reference names; raises InvalidInput or TooLate (slot over)."""
    group = _group(hall, ref)
    day = ref.start.astimezone(ZoneInfo(hall.timezone)).date()
    spec = next((s for s in group_specs(hall, group, day) if s.starts_at == ref.start), None)
    if spec is None or (ref.matter is not None and not spec.accepts(ref.matter)):
        raise not_a_slot()
    if spec.ends_at <= now:
        raise TooLate(
            "This slot is over; only current and future slots can be changed.",
            "该时段已结束，只能调整当前或以后的时段。",
        )
    return spec


def check_override(capacity: int | None, closed: bool, reason: str) -> str:
    """Validate an override; returns the trimmed reason; raises InvalidInput."""
    fields: dict[str, str] = {}
    if capacity is not None and not 0 <= capacity <= MAX_CAPACITY:
        fields["capacity"] = f"between 0 and {MAX_CAPACITY}"
    if capacity is None and not closed:
        fields["capacity"] = "give a capacity or closed: true (DELETE removes an override)"
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        fields["reason"] = f"1 to {MAX_REASON} characters"
    if fields:
        raise InvalidInput(
            "The override needs a capacity between 0 and 1000 or closed: true, and a reason "
            f"of 1 to {MAX_REASON} characters.",
            f"调整需要 0 至 1000 之间的容量，或设为关闭，并填写 1 至 {MAX_REASON} 字的原因。",
            fields=fields,
        )
    return reason


async def set_override(
    db: Database,
    staff: StaffMember,
    hall_id: str,
    ref: SlotRef,
    *,
    capacity: int | None,
    closed: bool,
    reason: str,
    now: datetime,
) -> OverrideView:
    """Give a slot another capacity (None: the planned one) and/or close it; audited."""
    reason = check_override(capacity, closed, reason)
    return await _change(db, staff, hall_id, ref, SET, capacity, closed, reason, now)


async def remove_override(
    db: Database, staff: StaffMember, hall_id: str, ref: SlotRef, *, reason: str, now: datetime
) -> OverrideView:
    """Put the planned capacity back and open the slot again; audited."""
    reason = reason.strip()[:MAX_REASON]
    return await _change(db, staff, hall_id, ref, REMOVED, None, False, reason, now)


async def _change(
    db: Database,
    staff: StaffMember,
    hall_id: str,
    ref: SlotRef,
    kind: str,
    capacity: int | None,
    closed: bool,
    reason: str,
    now: datetime,
) -> OverrideView:
    """Write a slot's override state and the audit event of the change, in one transaction."""
    async with unit_of_work(db, NullPublisher(), staff.username, hall_id, now) as unit:
        hall = await hall_config(unit, hall_id)
        spec = find_spec(hall, ref, now)
        row = await slot_row(unit.session, hall.id, spec)
        before = _state(row)
        await _write(unit.session, row.id, capacity, spec.capacity, closed)
        view = await _view(unit.session, hall, spec, row.id, now)
        unit.record(
            kind,
            "booking_slot",
            row.id,
            before=before,
            after={"capacity": view.capacity, "closed": view.closed, "overridden": view.overridden},
            data={"group": spec.group, "start": spec.starts_at.isoformat(), "reason": reason},
            publish=False,
        )
    return view


def _state(row: BookingSlotRow) -> dict[str, Any]:
    return {"capacity": row.capacity, "closed": row.closed, "overridden": _overridden(row)}


def _overridden(row: BookingSlotRow) -> bool:
    return row.capacity_overridden or row.closed


async def _write(
    session: AsyncSession, slot_id: int, capacity: int | None, planned: int, closed: bool
) -> None:
    # One UPDATE that never touches ``booked``: a booking racing it either took its seat
    # before (and keeps it) or meets the new capacity in its own conditional UPDATE.
    await session.execute(
        update(BookingSlotRow)
        .where(BookingSlotRow.id == slot_id)
        .values(
            capacity=planned if capacity is None else capacity,
            capacity_overridden=capacity is not None,
            closed=closed,
        )
        .execution_options(synchronize_session="fetch")
    )


async def _view(
    session: AsyncSession, hall: Hall, spec: SlotSpec, slot_id: int, now: datetime
) -> OverrideView:
    row = await session.get(BookingSlotRow, slot_id, populate_existing=True)
    assert row is not None  # created by slot_row in this transaction
    due = await pending_releases(session, [slot_id], now)
    return _slot_view(hall, spec.capacity, row, due)


@dataclass(frozen=True, slots=True)
class OverrideView:
    """A slot's seats as planned and as overridden; the latest override's reason, who and
    when (listings only)."""

    group: str
    start: str
    end: str
    planned_capacity: int
    booked: int
    capacity: int
    available: int
    closed: bool
    overridden: bool
    reason: str | None = None
    by: str | None = None
    at: datetime | None = None


def _slot_view(hall: Hall, planned: int, row: BookingSlotRow, due: dict[int, int]) -> OverrideView:
    zone = ZoneInfo(hall.timezone)
    seats = row_seats(row, due)
    return OverrideView(
        group=row.group_code,
        start=row.starts_at.astimezone(zone).isoformat(),
        end=row.ends_at.astimezone(zone).isoformat(),
        planned_capacity=planned,
        booked=row.booked - due.get(row.id, 0),
        capacity=seats.capacity,
        available=seats.available,
        closed=seats.closed,
        overridden=_overridden(row),
    )


async def list_overrides(
    db: Database, hall_id: str, day: date, now: datetime
) -> list[OverrideView]:
    """The hall's overridden slots on a day, each with the latest reason, who and when."""
    async with reading(db) as tx:
        session = tx.session
        hall = await hall_config(tx, hall_id)
        rows = (
            await session.scalars(
                select(BookingSlotRow)
                .where(
                    BookingSlotRow.hall_id == hall.id,
                    BookingSlotRow.service_day == day,
                    or_(BookingSlotRow.capacity_overridden, BookingSlotRow.closed),
                )
                .order_by(BookingSlotRow.starts_at, BookingSlotRow.group_code)
            )
        ).all()
        due = await pending_releases(session, [r.id for r in rows], now)
        latest = await _latest_events(session, [r.id for r in rows])
    planned = {
        (s.group, s.starts_at): s.capacity
        for group in {r.group_code for r in rows}
        for s in group_specs(hall, group, day)
    }
    out = []
    for row in rows:
        view = _slot_view(hall, planned.get((row.group_code, row.starts_at), 0), row, due)
        event = latest.get(str(row.id))
        if event is not None:
            reason = event.data.get("reason", "")
            view = dataclasses.replace(view, reason=reason, by=event.actor, at=event.at)
        out.append(view)
    return out


async def _latest_events(session: AsyncSession, slot_ids: list[int]) -> dict[str, EventRow]:
    if not slot_ids:
        return {}
    events = await session.scalars(
        select(EventRow)
        .where(
            EventRow.subject_type == "booking_slot",
            EventRow.subject_id.in_([str(i) for i in slot_ids]),
            EventRow.kind == SET,
        )
        .order_by(EventRow.id)
    )
    return {e.subject_id: e for e in events.all()}
