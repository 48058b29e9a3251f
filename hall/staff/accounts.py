"""Staff sign-in with throttling, server-side sessions, and the permission checks every
action uses.

A sign-in never holds a write transaction while a password is checked: (1) a read
transaction finds the account and refuses an attempt whose wait still runs
(``hall.staff.throttle``), holding nothing; (2) the attempt takes a place in the
password pool (503 ``busy`` at once when it is full); (3) a short unit of work claims
the attempt (the counters go up under row locks); (4) the password is checked in the
pool's worker thread, outside any transaction; (5) a short unit of work records the
outcome and, for the right password, opens the session. Unknown, inactive and
password-less names go through the same steps against a dummy hash: same answer, same
time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hall.errors import Forbidden, Unauthorized
from hall.staff import throttle
from hall.staff.passwords import PasswordPool, pool
from hall.staff.roles import Role
from hall.staff.sessions import SESSION_MEMBER, end_sessions, open_session, token_hash
from hall.store.db import Database
from hall.store.models import StaffRow
from hall.store.unit import reading, unit_of_work

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


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A successful sign-in: who, and the new session's token (for the cookie only)."""

    staff: StaffMember
    token: str


WRONG = ("Wrong user name or password.", "用户名或密码错误。")


async def authenticate(
    db: Database,
    username: str,
    password: str,
    now: datetime,
    address: str = "",
    passwords: PasswordPool = pool,
) -> SignedIn:
    """Check a password and open a session; raises Unauthorized, TooManyAttempts or Busy.

    Every attempt that reaches the check is counted (``throttle.claim``) and recorded as
    ``sign_in_failed`` unless the password is right.
    """
    async with reading(db) as tx:  # a running wait refuses here, holding no place
        await throttle.check(tx.session, username, address, now)
        row = await tx.session.scalar(select(StaffRow).where(StaffRow.username == username))
    with passwords.reserve():  # a full queue refuses before any write
        return await _check(db, row, username, password, now, address, passwords)


async def _check(
    db: Database,
    row: StaffRow | None,
    username: str,
    password: str,
    now: datetime,
    address: str,
    passwords: PasswordPool,
) -> SignedIn:
    usable = row is not None and row.active and bool(row.password_hash)
    async with unit_of_work(db, None, username, None, now) as unit:
        claim = await throttle.claim(unit.session, username, address, now)
        for scope in claim.started:
            unit.record(
                "sign_in_throttled",
                "staff",
                throttle.name_key(username),
                data={"scope": scope, "failures": claim.failures[scope], "address": address},
                publish=False,
            )
    right = await passwords.check(row.password_hash if usable and row else None, password)
    async with unit_of_work(db, None, username, None, now) as unit:
        if not right or row is None:
            unit.record(
                "sign_in_failed",
                "staff",
                throttle.name_key(username),
                data={"failures": claim.failures["name"], "address": address},
                publish=False,
            )
            token = None
        else:
            await throttle.succeeded(unit.session, username, address)
            token = await open_session(unit.session, row.id, now, address)
            unit.record("signed_in", "staff", username, data={"address": address}, publish=False)
    if token is None or row is None:
        raise Unauthorized(*WRONG)
    return SignedIn(member(row), token)


async def session_member(db: Database, token: str, now: datetime) -> StaffMember | None:
    """The active staff member of an open session (the cookie's token), or None.

    Read on every staff request, so as one plain statement (``Database.fetch_one``).
    """
    if not token or len(token) > 128:
        return None
    row = await db.fetch_one(SESSION_MEMBER, {"token_hash": token_hash(token), "now": now})
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


async def sign_out(db: Database, staff: StaffMember, now: datetime) -> int:
    """End every session of the account (all its browsers at once); how many ended."""
    async with unit_of_work(db, None, staff.username, None, now) as unit:
        ended = await end_sessions(unit.session, staff.id, now, "sign_out")
        unit.record("signed_out", "staff", staff.username, data={"sessions": ended}, publish=False)
    return ended
