"""Slot rows and seats: materialise a slot, take a seat without overbooking, give one back.

Taking a seat is one conditional UPDATE (``booked < capacity``) in the caller's
transaction; no read-check-write. A seat given back returns to the pool only after the
hall's release delay, through a ``seat_releases`` row that exactly one transaction can
claim.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from hall.booking.slots import SlotSpec
from hall.store.models import BookingSlotRow, SeatReleaseRow


async def slot_row(session: AsyncSession, hall_id: str, spec: SlotSpec) -> BookingSlotRow:
    """The slot's row, created on first use (concurrent creators agree on one row)."""
    values = {
        "hall_id": hall_id,
        "group_code": spec.group,
        "service_day": spec.day,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "capacity": spec.capacity,
        "booked": 0,
        "closed": False,
        "capacity_overridden": False,
        "matters": sorted(spec.matters) if spec.matters else [],
    }
    connection = await session.connection()
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(BookingSlotRow).values(**values)
    await session.execute(statement.on_conflict_do_nothing())
    row = await session.scalar(
        select(BookingSlotRow).where(
            BookingSlotRow.hall_id == hall_id,
            BookingSlotRow.group_code == spec.group,
            BookingSlotRow.starts_at == spec.starts_at,
        )
    )
    assert row is not None
    return row


async def release_due(session: AsyncSession, slot_id: int, now: datetime) -> int:
    """Return seats whose release time has come to the slot; returns how many."""
    claimed = await session.execute(
        update(SeatReleaseRow)
        .where(
            SeatReleaseRow.slot_id == slot_id,
            SeatReleaseRow.released.is_(False),
            SeatReleaseRow.release_at <= now,
        )
        .values(released=True)
        .returning(SeatReleaseRow.id)
    )
    count = len(claimed.all())
    if count:
        await session.execute(
            update(BookingSlotRow)
            .where(BookingSlotRow.id == slot_id)
            .values(booked=BookingSlotRow.booked - count)
        )
    return count


async def take_seat(session: AsyncSession, slot_id: int, now: datetime) -> bool:
    """Take one seat if one is free; False when the slot is full or closed."""
    await release_due(session, slot_id, now)
    result = await session.execute(
        update(BookingSlotRow)
        .where(
            BookingSlotRow.id == slot_id,
            BookingSlotRow.booked < BookingSlotRow.capacity,
            BookingSlotRow.closed.is_(False),
        )
        .values(booked=BookingSlotRow.booked + 1)
        .returning(BookingSlotRow.id)
    )
    return result.first() is not None


def give_back(session: AsyncSession, slot_id: int, now: datetime, delay_minutes: int) -> None:
    """Schedule a seat's return to the pool after the hall's release delay."""
    session.add(SeatReleaseRow(slot_id=slot_id, release_at=now + timedelta(minutes=delay_minutes)))


async def pending_releases(
    session: AsyncSession, slot_ids: list[int], now: datetime
) -> dict[int, int]:
    """Per slot, seats already due to return but not yet claimed (they count as free)."""
    if not slot_ids:
        return {}
    rows = await session.execute(
        select(SeatReleaseRow.slot_id, func.count())
        .where(
            SeatReleaseRow.slot_id.in_(slot_ids),
            SeatReleaseRow.released.is_(False),
            SeatReleaseRow.release_at <= now,
        )
        .group_by(SeatReleaseRow.slot_id)
    )
    return {slot_id: count for slot_id, count in rows.all()}
