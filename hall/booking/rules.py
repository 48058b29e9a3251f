"""The per-person booking rules read from the database: credit (no-shows) and caps.

One query reads everything the rules need about a person's bookings; a second one (the
supervisors' lifts) runs only when that person has something a lift could clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.booking.credit import CreditStatus, credit_status
from hall.booking.errors import BookingLimit, BookingSuspended, DuplicateBooking
from hall.catalogue.schema import Hall
from hall.store.models import AppointmentRow, AppointmentStatus, EventRow

ACTIVE = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
LIFTED = "booking_suspension_lifted"
PERSON = "person"  # the events' subject_type for a person (subject_id is the person key)


@dataclass(frozen=True, slots=True)
class Held:
    """One of the person's active bookings, as the caps see it."""

    appointment_id: int
    hall_id: str
    matter: str
    day: date


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """What the rules know about one person: active bookings and credit history."""

    held: tuple[Held, ...]
    history: tuple[tuple[str, datetime], ...]  # (kind, at) for hall.booking.credit


async def person_record(session: AsyncSession, person_key: str) -> PersonRecord:
    """The person's active bookings, no-shows, late cancellations and lifts."""
    rows = await session.execute(
        select(
            AppointmentRow.id,
            AppointmentRow.hall_id,
            AppointmentRow.matter_code,
            AppointmentRow.service_day,
            AppointmentRow.status,
            AppointmentRow.no_show_at,
            AppointmentRow.late_cancellation,
            AppointmentRow.cancelled_at,
        ).where(AppointmentRow.person_key == person_key)
    )
    held: list[Held] = []
    history: list[tuple[str, datetime]] = []
    for row in rows.all():
        if row.status in ACTIVE:
            held.append(Held(row.id, row.hall_id, row.matter_code, row.service_day))
        if row.status == AppointmentStatus.NO_SHOW and row.no_show_at is not None:
            history.append(("no_show", row.no_show_at))
        if row.late_cancellation and row.cancelled_at is not None:
            history.append(("late_cancellation", row.cancelled_at))
    if history:  # a lift only matters when there is something to lift
        lifts = await session.scalars(
            select(EventRow.at).where(
                EventRow.subject_type == PERSON,
                EventRow.subject_id == person_key,
                EventRow.kind == LIFTED,
            )
        )
        history.extend(("lift", at) for at in lifts.all())
    return PersonRecord(tuple(held), tuple(history))


def check_credit(hall: Hall, record: PersonRecord, now: datetime) -> CreditStatus:
    """The person's credit under the hall's rule; raises BookingSuspended."""
    status = credit_status(record.history, hall.booking.no_show_rule, now)
    if status.suspended_until is not None:
        until = status.suspended_until.astimezone(ZoneInfo(hall.timezone)).date().isoformat()
        raise BookingSuspended(
            f"Online booking is suspended until {until} after repeated no-shows or late "
            "cancellations; you can still take a ticket at the hall, or ask a supervisor.",
            f"因多次爽约或临时取消，您的网上预约已暂停至 {until}；"
            "仍可到大厅现场取号，或联系大厅管理员。",
        )
    return status


def check_caps(
    hall: Hall, record: PersonRecord, matter: str, day: date, *, moving: int | None = None
) -> None:
    """One active booking per matter and day, and the weekly and monthly caps.

    ``moving`` is the id of a booking being moved (it does not count against itself).
    Raises DuplicateBooking or BookingLimit.
    """
    held = [h for h in record.held if h.appointment_id != moving]
    if any(h.hall_id == hall.id and h.matter == matter and h.day == day for h in held):
        raise duplicate()
    if moving is not None:
        return  # a move keeps the count of bookings; only the clash matters
    monday = day - timedelta(days=day.weekday())
    if sum(monday <= h.day <= monday + timedelta(days=6) for h in held) >= (
        hall.booking.max_per_week
    ):
        raise _limit("week", "周", hall.booking.max_per_week)
    first = day.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    if sum(first <= h.day <= last for h in held) >= hall.booking.max_per_month:
        raise _limit("month", "月", hall.booking.max_per_month)


def duplicate() -> DuplicateBooking:
    return DuplicateBooking(
        "You already have a booking for this matter on that day.",
        "您当天已预约过该事项，无需重复预约。",
    )


def _limit(period: str, period_zh: str, cap: int) -> BookingLimit:
    return BookingLimit(
        f"You have reached the limit of {cap} bookings per {period}.",
        f"您已达到每{period_zh}最多 {cap} 次预约的上限。",
    )


def credit_warning(hall: Hall, status: CreditStatus) -> dict[str, Any] | None:
    """The bilingual warning a person one event short of a suspension gets, or None."""
    if not status.warning:
        return None
    rule = hall.booking.no_show_rule
    en: list[str] = []
    zh: list[str] = []
    if rule.no_shows > 1 and status.no_shows == rule.no_shows - 1:
        en.append(f"{status.no_shows} missed booking(s) (no-show)")
        zh.append(f"爽约 {status.no_shows} 次")
    if rule.late_cancellations > 1 and status.late_cancellations == rule.late_cancellations - 1:
        en.append(f"{status.late_cancellations} late cancellation(s)")
        zh.append(f"临时取消 {status.late_cancellations} 次")
    return {
        "code": "credit_warning",
        "message": f"You have {' and '.join(en)} in the last {rule.window_days} days; one more "
        f"will suspend online booking for {rule.suspend_days} days.",
        "message_zh": f"您近 {rule.window_days} 天内已{'、'.join(zh)}，再有一次将暂停网上预约 "
        f"{rule.suspend_days} 天。",
        "no_shows": status.no_shows,
        "late_cancellations": status.late_cancellations,
    }
