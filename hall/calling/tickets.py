"""Tickets: issue at the kiosk, look up, and every action at a window.

Each action is one transaction: lock the hall's queue, load what is needed, ask the
queueing core to decide, write the ticket, the window and the audit events, commit,
and only then publish.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

import queueing
from hall.calling.context import HallContext, load_context
from hall.calling.core_errors import translate
from hall.calling.core_rows import (
    event_data,
    event_kind,
    seconds,
    store_ticket,
    store_window,
    ticket_of,
    window_state,
)
from hall.calling.estimates import estimate_of
from hall.calling.issuing import check_new_ticket
from hall.calling.numbering import next_number_seq
from hall.calling.queue import dispatch_queue, waiting_queue, waiting_tickets, windows_now
from hall.calling.rows import read_ticket, read_window, waiting_row
from hall.calling.transfers import check_matter, check_window
from hall.calling.windows import no_such_window, require_at_window
from hall.calling.writer import QueueWriter
from hall.errors import Conflict, Forbidden, InvalidInput, NotFound
from hall.publish import Publisher
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import TicketRow, WindowRow, WindowStatus
from hall.store.unit import Unit, reading, unit_of_work
from queueing import MatterClass, Outcome, QueueingError, Source, Ticket, TicketStatus
from queueing.calling import call_next_in
from queueing.dispatch_queue import DispatchQueue
from queueing.errors import TimeWentBackwards
from queueing.estimates import WaitEstimate
from queueing.numbering import format_number, ticket_prefix
from queueing.window import Coverage, WindowState, coverage_of, release


def new_ticket_id(now: datetime, sequence: int) -> str:
    """An unguessable ticket id (the phone page's address) that sorts in issue order.

    The dispatch policy breaks exact time ties by id, so the id starts with the issue
    time in microseconds and the day's sequence, then 72 random bits.
    """
    micros = int(now.timestamp() * 1_000_000)
    return f"{micros:013x}{sequence:05x}{secrets.token_urlsafe(9)}"


@dataclass(frozen=True, slots=True)
class TicketView:
    """The public description of a ticket (no personal data is ever on a ticket)."""

    id: str
    hall: str
    number: str
    matter: str
    status: str
    source: str
    green: bool
    issued_at: datetime
    window: int | None  # while called or being served
    position: int | None = None  # while waiting
    estimated_wait_minutes: int | None = None


def ticket_view(row: TicketRow, estimate: WaitEstimate | None = None) -> TicketView:
    """A ticket's view, with its position and estimated wait while it waits."""
    position = minutes = None
    if estimate is not None and row.status == TicketStatus.WAITING.value:
        position = estimate.position
        minutes = None if estimate.minutes is None else round(estimate.minutes)
    return TicketView(
        id=row.id,
        hall=row.hall_id,
        number=row.number,
        matter=row.matter_code,
        status=row.status,
        source=row.source,
        green=row.green,
        issued_at=row.issued_at,
        window=row.window_number if row.status in ("called", "serving") else None,
        position=position,
        estimated_wait_minutes=minutes,
    )


def record_events(unit: Unit, row: TicketRow, events: Iterable[object], before: str | None) -> None:
    """One audit event per domain event, with the ticket's state before and after."""
    for event in events:
        unit.record(
            event_kind(event),
            "ticket",
            row.id,
            before=None if before is None else {"status": before},
            after={
                "number": row.number,
                "matter": row.matter_code,
                "status": row.status,
                "window": row.window_number,
            },
            data=event_data(event),
        )


# Why a guide desk gives a citizen the green channel (绿色通道).
GREEN_REASONS = ("elderly", "disabled", "pregnant", "military", "infant", "illness", "other")


async def issue_ticket(
    db: Database,
    publisher: Publisher,
    hall_id: str,
    matter_code: Any,
    now: datetime,
    *,
    green: bool = False,
    staff: StaffMember | None = None,
    reason: str | None = None,
) -> TicketView:
    """Issue a walk-in ticket; staff issue it on a citizen's behalf at the guide desk, and
    only they issue green-channel tickets (``reason``: one of GREEN_REASONS)."""
    if green and staff is None:
        raise Forbidden(
            "Green-channel tickets are issued by staff at the guide desk; please ask there.",
            "绿色通道号需由导办台工作人员发放，请到导办台咨询。",
        )
    if reason is not None and (not green or reason not in GREEN_REASONS):
        allowed = "、".join(GREEN_REASONS)
        raise InvalidInput(
            f"A reason is given for green-channel tickets only, one of: {allowed}.",
            "只有绿色通道号需要填写原因，且须为规定的原因之一。",
            fields={"reason": f"one of {allowed}, with green"},
        )
    actor = staff.username if staff is not None else "kiosk"
    async with unit_of_work(db, publisher, actor, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        if staff is not None:
            require(staff, Role.CLERK, hall_id)
        matter = ctx.matter(matter_code)
        await check_new_ticket(unit, ctx, matter.code, now, green=green)
        # Read the queue before adding to it: the process's copy can then follow the
        # commit instead of being read again (see hall.calling.queue_copy).
        waiting = await waiting_queue(unit, ctx, now)
        row = await new_ticket(unit, ctx, matter.code, now, green=green)
        if green:
            data = {"reason": reason or "other", "number": row.number}
            unit.record("green_channel_granted", "ticket", row.id, data=data, publish=False)
        estimate = await estimate_of(unit, ctx, now, ticket_of(row), waiting)
    return ticket_view(row, estimate)


async def new_ticket(
    unit: Unit,
    ctx: HallContext,
    matter_code: str,
    now: datetime,
    *,
    green: bool = False,
    source: Source = Source.WALK_IN,
    due_at: datetime | None = None,
    appointment_id: int | None = None,
) -> TicketRow:
    matter = ctx.matters[matter_code]
    day = ctx.day(now)
    prefix = ticket_prefix(matter.prefix, source, ctx.appointment_prefix() or None)
    sequence = await next_number_seq(unit.session, ctx.id, day, prefix)
    number = format_number(prefix, sequence)
    ticket, events = queueing.issue(
        new_ticket_id(now, sequence),
        number,
        matter.code,
        MatterClass(matter.matter_class),
        seconds(now),
        source=source,
        green=green,
        due_at=None if due_at is None else seconds(due_at),
    )
    row = TicketRow(
        id=ticket.id,
        hall_id=ctx.id,
        service_day=day,
        number=number,
        source=source.value,
        appointment_id=appointment_id,
    )
    store_ticket(row, ticket)
    await unit.part(QueueWriter).insert_ticket(row)
    record_events(unit, row, events, None)
    return row


async def get_ticket(db: Database, ticket_id: str, now: datetime) -> TicketView:
    """A ticket with its position and estimated wait; raises NotFound."""
    async with reading(db) as tx:
        row = await tx.session.get(TicketRow, ticket_id)
        if row is None:
            raise NotFound(
                "There is no ticket with this id; check the link on your ticket slip.",
                "找不到该号票，请核对号票上的链接。",
            )
        estimate = None
        if row.status == TicketStatus.WAITING.value:
            ctx = await load_context(tx, row.hall_id)
            estimate = await estimate_of(tx, ctx, now, ticket_of(row))
    return ticket_view(row, estimate)


async def _staffed_window(
    unit: Unit, ctx: HallContext, staff: StaffMember, number: int
) -> WindowRow:
    """The window, as a plain row (hall.calling.rows), after checking who acts for it.

    The caller holds the hall's lock (``load_context(..., lock=True)``)."""
    require(staff, Role.CLERK, ctx.id)
    row = await read_window(unit.session, ctx.id, number, lock=True)
    if row is None:
        raise no_such_window(ctx.id, number)
    require_at_window(staff, row)
    return row


async def call_next(
    db: Database, publisher: Publisher, staff: StaffMember, hall_id: str, number: int, now: datetime
) -> TicketView | None:
    """Call the ticket the dispatch policy chooses for this window, or None if nobody waits."""
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        wrow = await _staffed_window(unit, ctx, staff, number)
        _require_open(wrow)
        coverage = coverage_of((await windows_now(unit, ctx)).open)
        window, at = window_state(wrow), seconds(now)
        queue = await dispatch_queue(unit, ctx, now)
        try:
            decided, call = _call_from_copy(queue, window, at, coverage)
            if not decided:
                waiting = await waiting_tickets(unit, ctx, now)
                call = queueing.call_next(window, waiting, at, ctx.policy, coverage)
        except QueueingError as exc:
            raise translate(exc) from None
        if call is None:
            return None
        row = waiting_row(ctx.id, ctx.day(now), call.ticket)
        await _save(unit, row, TicketStatus.WAITING.value, call.ticket, wrow, call.window)
        record_events(unit, row, call.events, TicketStatus.WAITING.value)
    return ticket_view(row)


def _call_from_copy(
    queue: DispatchQueue | None, window: WindowState, at: float, coverage: Coverage
) -> tuple[bool, queueing.Call | None]:
    """Whether the process's queue copy could decide, and its call (None: nobody waits).

    Called right after the copy was checked: nothing may await in between.
    """
    if queue is None:
        return False, None
    try:
        return True, call_next_in(window, queue, at, coverage)
    except TimeWentBackwards:  # the copy already decided for a later moment
        return False, None


async def call_chosen(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    ticket_id: Any,
    reason: str,
    now: datetime,
) -> TicketView:
    """Call a ticket out of order, with a reason that is recorded."""
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        wrow = await _staffed_window(unit, ctx, staff, number)
        _require_open(wrow)
        row = await _hall_ticket(unit, ctx, ticket_id)
        waiting = await waiting_tickets(unit, ctx, now)
        coverage = coverage_of((await windows_now(unit, ctx)).open)
        before = row.status
        try:
            call = queueing.call_chosen(
                window_state(wrow),
                ticket_of(row),
                waiting,
                seconds(now),
                ctx.policy,
                reason,
                coverage,
            )
        except QueueingError as exc:
            raise translate(exc) from None
        await _save(unit, row, before, call.ticket, wrow, call.window)
        record_events(unit, row, call.events, before)
    return ticket_view(row)


async def _save(
    unit: Unit,
    row: TicketRow,
    was: str,
    ticket: Ticket,
    wrow: WindowRow | None = None,
    window: WindowState | None = None,
) -> None:
    """Write back a ticket with status ``was`` (and its window) through the unit's writer."""
    writer = unit.part(QueueWriter)
    store_ticket(row, ticket)
    await writer.write_ticket(row, was)
    if wrow is not None and window is not None:
        store_window(wrow, window)
        await writer.write_window(wrow)


def _require_open(row: WindowRow) -> None:
    if row.status != WindowStatus.OPEN:
        raise Conflict(
            f"Cannot call a number at window {row.number}: it is {row.status}.",
            f"{row.number} 号窗口当前不是服务状态，不能叫号。",
        )


async def _hall_ticket(unit: Unit, ctx: HallContext, ticket_id: Any) -> TicketRow:
    row = await read_ticket(unit.session, ticket_id) if isinstance(ticket_id, str) else None
    if row is None or row.hall_id != ctx.id:
        raise InvalidInput(
            "There is no such ticket in this hall.",
            "本大厅没有该号票。",
            fields={"ticket": "unknown ticket"},
        )
    return row


TicketChange = Callable[[Ticket], tuple[Ticket, tuple[object, ...]]]


async def act_on_held(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
    action: str,
    *,
    then: Callable[[Unit, TicketRow], Awaitable[None]] | None = None,
    **options: Any,
) -> TicketView:
    """Recall, no-show, start, finish, transfer or park the ticket a window holds.

    ``then`` runs in the same transaction once the ticket is written (e.g. the 否定答复
    report of a ticket finished as rejected, from a room above this one).
    """
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        wrow = await _staffed_window(unit, ctx, staff, number)
        window = window_state(wrow)
        if window.ticket_id is None:
            raise Conflict(
                f"Window {number} holds no ticket; call a number first.",
                f"{number} 号窗口当前没有叫到的号，请先叫号。",
            )
        row = await read_ticket(unit.session, window.ticket_id)
        assert row is not None
        change = await _change_for(unit, ctx, action, number, {**options, "held": row})
        before = row.status
        try:
            ticket, events = change(ticket_of(row))
        except QueueingError as exc:
            raise translate(exc) from None
        held = ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING)
        await _save(unit, row, before, ticket, wrow, None if held else release(window, ticket.id))
        record_events(unit, row, events, before)
        if then is not None:
            await then(unit, row)
    return ticket_view(row)


async def _change_for(
    unit: Unit, ctx: HallContext, action: str, number: int, options: dict[str, Any]
) -> TicketChange:
    now = seconds(unit.now)
    if action == "recall":
        return lambda t: queueing.recall(t, now)
    if action == "no_show":
        return lambda t: queueing.mark_no_show(t, now, ctx.policy)
    if action == "start":
        return lambda t: queueing.start(t, now)
    if action == "finish":
        outcome = _outcome(options.get("outcome"))
        return lambda t: queueing.finish(t, now, outcome)
    if action == "park":
        reason = str(options.get("reason") or "")
        return lambda t: queueing.park(t, now, reason)
    if action == "transfer":
        return await _transfer(unit, ctx, number, options)
    raise ValueError(f"unknown action {action!r}")  # pragma: no cover - routes name the actions


def _outcome(value: Any) -> Outcome:
    try:
        return Outcome(value)
    except ValueError:
        allowed = ", ".join(o.value for o in Outcome)
        raise InvalidInput(
            f"The outcome must be one of: {allowed}.",
            f"办理结果必须是以下之一：{allowed}。",
            fields={"outcome": f"one of {allowed}"},
        ) from None


async def _transfer(
    unit: Unit, ctx: HallContext, number: int, options: dict[str, Any]
) -> TicketChange:
    now = seconds(unit.now)
    matter_code, to_window = options.get("matter"), options.get("window")
    confirm, held = options.get("confirm") is True, options["held"]
    if (matter_code is None) == (to_window is None):
        raise InvalidInput(
            "Give either a matter or a window to transfer to.",
            "请指定要转入的事项或窗口（二选一）。",
            fields={"matter": "matter or window", "window": "matter or window"},
        )
    if matter_code is not None:
        matter = ctx.matter(matter_code)
        await check_matter(unit, ctx, matter.code, confirm)
        cls = MatterClass(matter.matter_class)
        return lambda t: queueing.transfer(t, now, matter=matter.code, matter_class=cls)
    if not isinstance(to_window, int) or isinstance(to_window, bool) or to_window == number:
        raise InvalidInput(
            "The window to transfer to must be another window's number.",
            "转入窗口必须是另一个窗口的编号。",
            fields={"window": "another window number"},
        )
    target = await unit.session.scalar(
        select(WindowRow).where(
            WindowRow.hall_id == ctx.id, WindowRow.number == to_window, WindowRow.active
        )
    )
    if target is None:
        raise InvalidInput(
            f"Hall {ctx.id!r} has no window {to_window}.",
            f"大厅“{ctx.id}”没有 {to_window} 号窗口。",
            fields={"window": "unknown window"},
        )
    known = ctx.matters.get(held.matter_code)
    name = known.name if known is not None else held.matter_code
    check_window(target, held.matter_code, name, confirm)
    return lambda t: queueing.transfer(t, now, to_window=target.number)


async def resume_ticket(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    ticket_id: Any,
    now: datetime,
) -> TicketView:
    """Put a parked ticket back in the queue for this window (the citizen came back)."""
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        ctx = await load_context(unit, hall_id, lock=True)
        await _staffed_window(unit, ctx, staff, number)
        row = await _hall_ticket(unit, ctx, ticket_id)
        if row.service_day != ctx.day(now):
            raise Conflict(
                f"Cannot resume {row.number}: it was parked on {row.service_day}; "
                "parked tickets resume the same day only.",
                f"无法恢复 {row.number}：该号挂起于 {row.service_day}，挂起的号只能当天恢复。",
            )
        before = row.status
        try:
            ticket, events = queueing.resume(ticket_of(row), seconds(now), to_window=number)
        except QueueingError as exc:
            raise translate(exc) from None
        await _save(unit, row, before, ticket)
        record_events(unit, row, events, before)
    return ticket_view(row)
