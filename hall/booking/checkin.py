"""Check-in turns a booking into a ticket; a background sweep marks bookings nobody used.

On time (from slot start − early margin to slot start + late grace, the policy's knobs)
the ticket joins the appointment priority class; later arrivals get a walk-in ticket
and are told why. The sweep is a conditional UPDATE, so it never marks a booking twice,
and it looks at the database rather than at a timer, so it catches up after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from hall.booking.appointments import person_key
from hall.booking.errors import TooEarly
from hall.calling.context import HallContext, load_context
from hall.calling.core_rows import ticket_of
from hall.calling.estimates import estimate_of
from hall.calling.issuing import check_new_ticket
from hall.calling.tickets import TicketView, new_ticket, ticket_view
from hall.errors import InvalidInput, NotFound
from hall.publish import Publisher
from hall.store.db import Database
from hall.store.models import AppointmentRow, AppointmentStatus, HallRow, TicketRow
from hall.store.unit import Unit, unit_of_work
from queueing import Policy, Source

log = logging.getLogger(__name__)


async def check_in(
    db: Database,
    publisher: Publisher,
    hall_id: str,
    now: datetime,
    secret: str,
    *,
    code: str | None = None,
    id_number: str | None = None,
    id_kind: str = "resident_id",
) -> CheckIn:
    """Check in by booking code or ID number; raises NotFound, TooEarly, InvalidInput."""
    if not code and not id_number:
        raise InvalidInput(
            "Give the booking code or the ID number used for booking.",
            "请提供预约码或预约时使用的证件号码。",
            fields={"code": "code or id_number"},
        )
    async with unit_of_work(db, publisher, "kiosk", hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        row = await _find(unit, ctx, now, secret, code, id_number, id_kind)
        if row.ticket_id is not None:
            ticket = await unit.session.get(TicketRow, row.ticket_id)
            assert ticket is not None
            return _answer(row, ticket, None, late=False, again=True)
        ticket, late = await _ticket_for(unit, ctx, row, now)
        guess = await estimate_of(unit, ctx, now, ticket_of(ticket))
    return _answer(row, ticket, guess, late=late, again=False)


async def _find(
    unit: Unit,
    ctx: HallContext,
    now: datetime,
    secret: str,
    code: str | None,
    id_number: str | None,
    id_kind: str,
) -> AppointmentRow:
    query = select(AppointmentRow).where(
        AppointmentRow.hall_id == ctx.id, AppointmentRow.service_day == ctx.day(now)
    )
    if code:
        query = query.where(AppointmentRow.code == code.strip().upper())
    else:
        key = person_key(secret, id_kind, id_number or "", ctx.day(now))
        query = query.where(AppointmentRow.person_key == key)
    rows = (await unit.session.scalars(query.order_by(AppointmentRow.starts_at))).all()
    usable = [r for r in rows if r.status != AppointmentStatus.CANCELLED]
    if not usable:
        raise NotFound(
            "No booking for today at this hall matches; check the code, or take a ticket.",
            "未找到您今天在本大厅的预约，请核对预约码，或直接取号。",
        )
    # The day's first booking not yet checked in: a second booking of the same day (by ID
    # number) is not answered with the first one's ticket, and so never becomes a no-show.
    return next((r for r in usable if r.ticket_id is None), usable[0])


async def _ticket_for(
    unit: Unit, ctx: HallContext, row: AppointmentRow, now: datetime
) -> tuple[TicketRow, bool]:
    policy: Policy = ctx.policy
    opens = row.starts_at - timedelta(minutes=policy.appointment_early_margin_minutes)
    closes = row.starts_at + timedelta(minutes=policy.appointment_late_grace_minutes)
    if now < opens:
        local = opens.astimezone(ctx.zone).strftime("%H:%M")
        raise TooEarly(
            f"Check-in for booking {row.code} opens at {local}; please come back then.",
            f"预约 {row.code} 的签到将于 {local} 开始，请届时再来签到。",
        )
    late = now > closes
    if late:
        await check_new_ticket(unit, ctx, row.matter_code, now)
        ticket = await new_ticket(unit, ctx, row.matter_code, now, appointment_id=row.id)
    else:
        ticket = await new_ticket(
            unit,
            ctx,
            row.matter_code,
            now,
            source=Source.APPOINTMENT,
            due_at=row.starts_at,
            appointment_id=row.id,
        )
    before = row.status
    if row.status == AppointmentStatus.BOOKED:
        row.status = AppointmentStatus.CHECKED_IN.value
    row.checked_in_at, row.ticket_id = now, ticket.id
    unit.record(
        "appointment_checked_in",
        "appointment",
        row.code,
        before={"status": before},
        after={"status": row.status, "ticket": ticket.number, "late": late},
        publish=False,
    )
    return ticket, late


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A check-in's answer: the booking, whether it was late, why, and the ticket."""

    appointment: str
    late: bool
    message: str
    message_zh: str
    ticket: TicketView


def _answer(
    row: AppointmentRow, ticket: TicketRow, guess: Any, *, late: bool, again: bool
) -> CheckIn:
    if again:
        message = ("You have already checked in; here is your ticket.", "您已签到，这是您的号票。")
    elif late:
        message = (
            "You arrived after your slot's grace time, so you are served as a walk-in.",
            "您已超过预约时段的宽限时间，将按现场取号顺序办理。",
        )
    else:
        message = (
            "Checked in: you will be called with appointment priority.",
            "签到成功：您将按预约优先顺序被叫号。",
        )
    return CheckIn(row.code, late, message[0], message[1], ticket_view(ticket, guess))


async def mark_no_shows(db: Database, now: datetime) -> int:
    """Mark every booking not checked in by slot end + late grace as a no-show; returns count."""
    marked = 0
    async with unit_of_work(db, None, "system", None, now) as unit:
        halls = (await unit.session.scalars(select(HallRow).where(HallRow.active))).all()
        for hall in halls:
            grace = Policy.from_mapping(hall.settings.get("policy", {}))
            cutoff = now - timedelta(minutes=grace.appointment_late_grace_minutes)
            result = await unit.session.execute(
                update(AppointmentRow)
                .where(
                    AppointmentRow.hall_id == hall.id,
                    AppointmentRow.status == AppointmentStatus.BOOKED,
                    AppointmentRow.ends_at <= cutoff,
                )
                .values(status=AppointmentStatus.NO_SHOW.value, no_show_at=now)
                .returning(AppointmentRow.code)
            )
            for (code,) in result.all():
                marked += 1
                unit.record(
                    "appointment_no_show",
                    "appointment",
                    code,
                    before={"status": AppointmentStatus.BOOKED.value},
                    after={"status": AppointmentStatus.NO_SHOW.value},
                    publish=False,
                    hall_id=hall.id,
                )
    return marked


async def sweep_no_shows(db: Database, clock: Callable[[], datetime], interval: float) -> None:
    """Run the no-show sweep now and then every ``interval`` seconds, until cancelled."""
    while True:
        try:
            marked = await mark_no_shows(db, clock())
            if marked:
                log.info("Marked %d booking(s) as no-show", marked)
        except Exception:  # keep sweeping: one failed pass must not stop the task
            log.exception("No-show sweep failed")
        await asyncio.sleep(interval)
