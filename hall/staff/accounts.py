"""Staff sign-in with throttling and lock-out, and the permission checks every action uses."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from hall.errors import Forbidden, TooManyAttempts, Unauthorized
from hall.staff.passwords import hash_password, verify_password
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import StaffRow
from hall.store.unit import unit_of_work

FREE_FAILURES = 2  # failures before each further attempt must wait
LOCK_AFTER = 5  # consecutive failures that lock the account
LOCK_MINUTES = 15
ROLE_RANK = {Role.CLERK: 0, Role.SUPERVISOR: 1, Role.ADMIN: 2}


@dataclass(frozen=True, slots=True)
class StaffMember:
    """Who is acting: enough to check permissions and to name them in the audit log."""

    id: int
    username: str
    job_number: str
    role: Role
    halls: tuple[str, ...]

    def works_in(self, hall_id: str) -> bool:
        return "*" in self.halls or hall_id in self.halls

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def member(row: StaffRow) -> StaffMember:
    return StaffMember(row.id, row.username, row.job_number, Role(row.role), tuple(row.halls))


@functools.cache
def _dummy_hash() -> str:
    return hash_password("timing-equaliser")


WRONG = ("Wrong user name or password.", "用户名或密码错误。")


async def authenticate(db: Database, username: str, password: str, now: datetime) -> StaffMember:
    """Check a password; raises Unauthorized or TooManyAttempts (failures are recorded)."""
    async with unit_of_work(db, None, username, None, now) as unit:
        row = await unit.session.scalar(select(StaffRow).where(StaffRow.username == username))
        if row is None or not row.active or not row.password_hash:
            verify_password(_dummy_hash(), password)  # same cost as a real check
            failure: Exception | None = Unauthorized(*WRONG)
        elif row.locked_until is not None and row.locked_until > now:
            failure = _locked(math.ceil((row.locked_until - now).total_seconds()))
        elif not verify_password(row.password_hash, password):
            failure = _record_failure(row, now)
            unit.record(
                "sign_in_failed",
                "staff",
                username,
                data={"failures": row.failed_logins},
                publish=False,
            )
        else:
            failure = None
            row.failed_logins, row.locked_until = 0, None
            unit.record("signed_in", "staff", username, publish=False)
    if failure is not None:
        raise failure
    assert row is not None
    return member(row)


def _record_failure(row: StaffRow, now: datetime) -> Exception:
    row.failed_logins += 1
    if row.failed_logins >= LOCK_AFTER:
        row.locked_until = now + timedelta(minutes=LOCK_MINUTES)
        return _locked(LOCK_MINUTES * 60)
    if row.failed_logins > FREE_FAILURES:
        wait = 2 ** (row.failed_logins - FREE_FAILURES)
        row.locked_until = now + timedelta(seconds=wait)
    return Unauthorized(*WRONG)


def _locked(seconds: int) -> TooManyAttempts:
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(
        f"Too many failed sign-ins; try again in {seconds} s (about {minutes} min) "
        "or ask a supervisor.",
        f"登录失败次数过多，请 {seconds} 秒（约 {minutes} 分钟）后再试，或联系大厅管理员。",
        retry_after=seconds,
    )


_MEMBER = select(
    StaffRow.id, StaffRow.username, StaffRow.job_number, StaffRow.role, StaffRow.halls
).where(StaffRow.id == bindparam("staff_id"), StaffRow.active)


async def load_member(db: Database, staff_id: int) -> StaffMember | None:
    """The active staff member with this id, or None (deactivated accounts lose access).

    Read on every staff request, so as one plain statement (``Database.fetch_one``).
    """
    row = await db.fetch_one(_MEMBER, {"staff_id": staff_id})
    if row is None:
        return None
    return StaffMember(row.id, row.username, row.job_number, Role(row.role), tuple(row.halls))


def require(staff: StaffMember | None, role: Role, hall_id: str | None = None) -> StaffMember:
    """The acting staff member if they have the role (and hall); raises Unauthorized/Forbidden."""
    if staff is None:
        raise Unauthorized("Please sign in first.", "请先登录。")
    if not staff.at_least(role):
        raise Forbidden(
            f"This needs the {role.value} role; you are signed in as {staff.role.value}.",
            f"此操作需要“{_ROLE_ZH[role]}”权限，您当前的身份是“{_ROLE_ZH[staff.role]}”。",
        )
    if hall_id is not None and not staff.works_in(hall_id):
        raise Forbidden(
            f"Your account is not assigned to hall {hall_id!r}.",
            f"您的账号未分配到大厅“{hall_id}”。",
        )
    return staff


_ROLE_ZH = {Role.CLERK: "窗口工作人员", Role.SUPERVISOR: "大厅管理员", Role.ADMIN: "系统管理员"}
