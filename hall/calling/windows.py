"""Window sessions: sign in, pause, resume, sign out (by the clerk or a supervisor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from hall.calling.rows import read_window
from hall.calling.writer import QueueWriter
from hall.catalogue import stored
from hall.errors import Conflict, Forbidden, NotFound
from hall.publish import Publisher
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import StaffRow, TicketRow, WindowRow, WindowStatus
from hall.store.unit import Unit, unit_of_work

BUSY_TICKET_STATES = ("called", "serving")


_STATUS_ZH = {
    WindowStatus.CLOSED: "未开放",
    WindowStatus.OPEN: "服务中",
    WindowStatus.PAUSED: "暂停服务",
}


async def load_window(
    session: AsyncSession,
    hall_id: str,
    number: int,
    *,
    lock: bool = False,
) -> WindowRow:
    """An active window of a hall as a plain row (``hall.calling.rows``); raises NotFound."""
    await stored.get_hall(session, hall_id)
    row = await read_window(session, hall_id, number, lock=lock)
    if row is None:
        raise no_such_window(hall_id, number)
    return row


_JOB_NUMBER = select(StaffRow.job_number).where(StaffRow.id == bindparam("b_staff"))


def no_such_window(hall_id: str, number: int) -> NotFound:
    return NotFound(
        f"Hall {hall_id!r} has no window {number}; GET /api/halls/{hall_id}/windows lists them.",
        f"大厅“{hall_id}”没有 {number} 号窗口。",
    )


@dataclass(frozen=True, slots=True)
class WindowView:
    """A window, whether anybody works at it, and who (by job number only)."""

    number: int
    name: str
    name_en: str
    kind: str
    skills: tuple[str, ...]
    status: str
    staff: str | None


def window_view(row: WindowRow, job_number: str | None = None) -> WindowView:
    """The public description of a window."""
    return WindowView(
        row.number, row.name, row.name_en, row.kind, tuple(row.skills), row.status, job_number
    )


def require_at_window(staff: StaffMember, row: WindowRow) -> None:
    """Only the clerk signed in at a window (or a supervisor) may act for it."""
    if row.staff_id != staff.id and not staff.at_least(Role.SUPERVISOR):
        raise Forbidden(
            f"You are not signed in at window {row.number}.",
            f"您未登录 {row.number} 号窗口。",
        )


def _wrong_state(action: str, action_zh: str, row: WindowRow) -> Conflict:
    status_zh = _STATUS_ZH[WindowStatus(row.status)]
    return Conflict(
        f"Cannot {action} window {row.number}: it is {row.status}.",
        f"无法{action_zh} {row.number} 号窗口：该窗口当前为“{status_zh}”状态。",
    )


async def sign_in(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
) -> WindowView:
    """Sign a clerk in at a window; raises NotFound, Forbidden or Conflict."""
    require(staff, Role.CLERK, hall_id)
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        row = await load_window(unit.session, hall_id, number, lock=True)
        if row.staff_id is not None and row.staff_id != staff.id:
            raise Conflict(
                f"Cannot sign in at window {number}: somebody else is signed in there.",
                f"无法登录 {number} 号窗口：已有其他工作人员在此窗口登录。",
            )
        elsewhere = await unit.session.scalar(
            select(WindowRow).where(WindowRow.staff_id == staff.id, WindowRow.id != row.id)
        )
        if elsewhere is not None:
            raise _signed_in_elsewhere(number, elsewhere.hall_id, elsewhere.number)
        before = row.status
        row.staff_id, row.status = staff.id, WindowStatus.OPEN.value
        try:
            await unit.part(QueueWriter).write_window(row)
        except IntegrityError:
            # Another process signed this clerk in at another window after our read:
            # the database's unique index (one window per clerk) refused this one.
            raise _signed_in_elsewhere(number, None, None) from None
        _record(unit, "window_signed_in", row, before, staff.job_number)
    return window_view(row, staff.job_number)


def _signed_in_elsewhere(number: int, hall_id: str | None, other: int | None) -> Conflict:
    if hall_id is None:
        return Conflict(
            f"Cannot sign in at window {number}: you are already signed in at another "
            "window; sign out there first.",
            f"无法登录 {number} 号窗口：您已在其他窗口登录，请先在该窗口签退。",
        )
    return Conflict(
        f"Cannot sign in at window {number}: you are still signed in at window "
        f"{other} of hall {hall_id!r}; sign out there first.",
        f"无法登录 {number} 号窗口：您仍在大厅“{hall_id}”的 {other} 号窗口登录，请先在该窗口签退。",
    )


async def pause(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
    reason: str = "",
) -> WindowView:
    """Pause an open window (no new calls); raises NotFound, Forbidden or Conflict."""
    return await _change(db, publisher, staff, hall_id, number, now, "pause", reason)


async def resume(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
) -> WindowView:
    """Resume a paused window; raises NotFound, Forbidden or Conflict."""
    return await _change(db, publisher, staff, hall_id, number, now, "resume", "")


async def sign_out(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
) -> WindowView:
    """Close a window (the clerk, or a supervisor for any window); raises on a busy window."""
    return await _change(db, publisher, staff, hall_id, number, now, "sign_out", "")


_TRANSITIONS = {
    # action: (allowed from, to, english verb, chinese verb)
    "pause": ((WindowStatus.OPEN,), WindowStatus.PAUSED, "pause", "暂停"),
    "resume": ((WindowStatus.PAUSED,), WindowStatus.OPEN, "resume", "恢复"),
    "sign_out": (
        (WindowStatus.OPEN, WindowStatus.PAUSED),
        WindowStatus.CLOSED,
        "sign out of",
        "签退",
    ),
}


async def _change(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    number: int,
    now: datetime,
    action: str,
    reason: str,
) -> WindowView:
    require(staff, Role.CLERK, hall_id)
    allowed, target, verb, verb_zh = _TRANSITIONS[action]
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        row = await load_window(unit.session, hall_id, number, lock=True)
        require_at_window(staff, row)
        if WindowStatus(row.status) not in allowed:
            raise _wrong_state(verb, verb_zh, row)
        if target is WindowStatus.CLOSED:
            await _ensure_idle(unit.session, row)
        before = row.status
        row.status = target.value
        job_number = None
        if target is WindowStatus.CLOSED:
            row.staff_id = None
        elif row.staff_id == staff.id:
            job_number = staff.job_number
        elif row.staff_id is not None:  # a supervisor acting for the clerk at the window
            job_number = await unit.session.scalar(_JOB_NUMBER, {"b_staff": row.staff_id})
        await unit.part(QueueWriter).write_window(row)
        _record(
            unit,
            f"window_{action}" if action != "sign_out" else "window_signed_out",
            row,
            before,
            job_number,
            reason,
        )
    return window_view(row, job_number)


async def _ensure_idle(session: AsyncSession, row: WindowRow) -> None:
    busy = await session.scalar(
        select(TicketRow.number).where(
            TicketRow.hall_id == row.hall_id,
            TicketRow.window_number == row.number,
            TicketRow.status.in_(BUSY_TICKET_STATES),
        )
    )
    if busy is not None:
        raise Conflict(
            f"Cannot sign out of window {row.number}: ticket {busy} is still called or being "
            "served there; finish, transfer or park it first.",
            f"无法签退 {row.number} 号窗口：{busy} 号仍在叫号或办理中，请先办结、转移或挂起。",
        )


def _record(
    unit: Unit, kind: str, row: WindowRow, before: str, job_number: str | None, reason: str = ""
) -> None:
    unit.record(
        kind,
        "window",
        row.number,
        before={"status": before},
        after={"window": row.number, "status": row.status, "staff": job_number},
        data={"reason": reason} if reason else None,
    )
