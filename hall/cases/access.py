"""Who may see a case and take which step: supervisors everything in their halls; a
clerk the cases about their own work (a bad rating only after the reveal delay, so the
console never shows who rated while the citizen may still be at the window), the cases
they opened or own, and the 帮办 requests when they are a helper. Clerks never close
a case, except a 帮办 request they accepted themselves."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, true

from hall.cases.errors import STEP_ZH, NotAllowed
from hall.cases.kinds import CaseKind, Step
from hall.cases.rules import HallRules
from hall.errors import Forbidden, Unauthorized
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.models import CaseRow

# Steps a clerk may take on a case they may see (the rest are the supervisor's).
CLERK_STEPS = frozenset(
    {Step.NOTE, Step.RECTIFY, Step.EXTEND, Step.APPEAL, Step.ACCEPT, Step.CLASSIFY}
    | {Step.FORWARD, Step.FEEDBACK}
)


def is_supervisor(staff: StaffMember, hall_id: str) -> bool:
    return staff.at_least(Role.SUPERVISOR) and staff.works_in(hall_id)


def is_helper(staff: StaffMember, rules: HallRules) -> bool:
    """Supervisors of the hall, and the clerks the hall lists in ``[cases] helpers``."""
    if not staff.works_in(rules.id):
        return False
    return staff.at_least(Role.SUPERVISOR) or staff.username in rules.cases.helpers


def require_hall_staff(staff: StaffMember | None, hall_id: str) -> StaffMember:
    if staff is None:
        raise Unauthorized("Please sign in first.", "请先登录。")
    if not staff.works_in(hall_id):
        raise Forbidden(
            f"Only staff of hall {hall_id!r} may see its cases.",
            f"只有大厅 {hall_id!r} 的工作人员可以查看其工单。",
        )
    return staff


def visible(staff: StaffMember, rules: HallRules, now: datetime) -> ColumnElement[bool]:
    """The SQL condition for the cases of the hall this member may see."""
    if is_supervisor(staff, rules.id):
        return true()
    revealed = now - timedelta(minutes=rules.rating.reveal_after_minutes)
    about_me = and_(
        CaseRow.staff_id == staff.id,
        or_(CaseRow.kind != CaseKind.BAD_RATING.value, CaseRow.opened_at <= revealed),
    )
    helping = CaseRow.kind == CaseKind.HELP.value if is_helper(staff, rules) else false()
    return or_(about_me, CaseRow.owner_id == staff.id, CaseRow.opened_by == staff.username, helping)


def can_see(staff: StaffMember, row: CaseRow, rules: HallRules, now: datetime) -> bool:
    if not staff.works_in(row.hall_id):
        return False
    if is_supervisor(staff, row.hall_id):
        return True
    revealed = now - timedelta(minutes=rules.rating.reveal_after_minutes)
    about_me = row.staff_id == staff.id and (
        row.kind != CaseKind.BAD_RATING or row.opened_at <= revealed
    )
    return (
        about_me
        or row.owner_id == staff.id
        or row.opened_by == staff.username
        or (row.kind == CaseKind.HELP and is_helper(staff, rules))
    )


def require_step(staff: StaffMember, row: CaseRow, step: Step, rules: HallRules) -> None:
    """Raises NotAllowed when this member may not take ``step`` on the case."""
    if is_supervisor(staff, row.hall_id):
        return
    if step is Step.ACCEPT and not is_helper(staff, rules):
        raise _refused(
            step, "only helpers (帮办人员) accept help requests", "只有帮办人员可以响应帮办请求"
        )
    own_help = row.kind == CaseKind.HELP and row.owner_id == staff.id
    if step is Step.CLOSE and own_help:
        return
    if step not in CLERK_STEPS:
        raise _refused(step, "this step is for supervisors", "此步骤需由大厅管理员执行")


def _refused(step: Step, why: str, why_zh: str) -> NotAllowed:
    return NotAllowed(
        f"You may not {step.value} this case: {why}.",
        f"您不能对该工单执行“{STEP_ZH[step.value]}”：{why_zh}。",
    )
