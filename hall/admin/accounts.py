"""Administrators' account work: list, create, change and unlock staff accounts.

A password change and a deactivation end every session of the account in the same unit
of work; the list shows each name's recent sign-in failures and whether it is under
attack (``hall.staff.throttle``).

Bodies are checked at the edge; the values are checked by the configuration parser, so
an account the file format would reject never reaches the database.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.admin.config_edits import _SELF, SOURCE, ConfigRejected, document_of
from hall.catalogue.loader import parse_config
from hall.catalogue.schema import StaffAccount
from hall.catalogue.stored import read_config
from hall.errors import ConfigError, Conflict, Forbidden, NotFound
from hall.staff import throttle
from hall.staff.accounts import StaffMember, require
from hall.staff.passwords import pool
from hall.staff.roles import Role
from hall.staff.sessions import end_sessions
from hall.store.db import Database
from hall.store.models import StaffRow, WindowRow, WindowStatus
from hall.store.unit import Unit, unit_of_work


@dataclass(frozen=True, slots=True)
class AccountView:
    """An account as the admin API shows it (never the password hash)."""

    username: str
    job_number: str
    role: str
    halls: tuple[str, ...]
    active: bool
    throttled_until: datetime | None
    failed_logins: int
    under_attack: bool


NO_FAILURES = throttle.NameState(0, None, False)


def staff_view(
    row: StaffRow, now: datetime, state: throttle.NameState = NO_FAILURES
) -> AccountView:
    """An account's view with its recent sign-in failures (``throttle.name_states``)."""
    return AccountView(
        row.username,
        row.job_number,
        row.role,
        tuple(row.halls),
        row.active,
        throttled_until=state.throttled_until,
        failed_logins=state.failures,
        under_attack=state.under_attack,
    )


async def _state(session: AsyncSession, username: str, now: datetime) -> throttle.NameState:
    return (await throttle.name_states(session, now)).get(username, NO_FAILURES)


def _public(row: StaffRow) -> dict[str, Any]:
    return {
        "job_number": row.job_number,
        "role": row.role,
        "halls": list(row.halls),
        "active": row.active,
    }


async def list_staff(db: Database, staff: StaffMember | None, now: datetime) -> list[AccountView]:
    """Every account, active or not; admins only."""
    require(staff, Role.ADMIN)
    async with db.read() as session:
        rows = (await session.scalars(select(StaffRow).order_by(StaffRow.id))).all()
        states = await throttle.name_states(session, now)
    return [staff_view(r, now, states.get(r.username, NO_FAILURES)) for r in rows]


async def create_staff(
    db: Database, staff: StaffMember | None, entry: dict[str, Any], password: str, now: datetime
) -> AccountView:
    """Add an account (username, job_number, role, halls); Conflict if the name is taken."""
    admin = require(staff, Role.ADMIN)
    password_hash = await pool.hash(password)  # slow by design: outside the transaction
    async with unit_of_work(db, None, admin.username, None, now) as unit:
        session = unit.session
        name = entry.get("username")
        if isinstance(name, str) and await _row(session, name) is not None:
            raise Conflict(f"The user name {name!r} is taken.", f"用户名“{name}”已被使用。")
        account = await _checked_account(session, entry)
        row = StaffRow(username=account.username, password_hash=password_hash)
        _set_account(row, account, active=True)
        session.add(row)
        await session.flush()
        _record(unit, "staff_created", row, None)
        return staff_view(row, now, await _state(session, row.username, now))


async def update_staff(
    db: Database,
    staff: StaffMember | None,
    username: str,
    changes: dict[str, Any],
    *,
    active: bool | None,
    password: str | None,
    now: datetime,
) -> AccountView:
    """Change an account's job number, role, halls, active flag or password."""
    admin = require(staff, Role.ADMIN)
    password_hash = await pool.hash(password) if password is not None else None
    async with unit_of_work(db, None, admin.username, None, now) as unit:
        session = unit.session
        row = await _existing(session, username)
        entry = {"username": row.username, **_public(row), **changes}
        entry.pop("active")
        account = await _checked_account(session, entry)
        if row.username == admin.username and (account.role != Role.ADMIN or active is False):
            raise Conflict(*_SELF)
        if active is False and row.active:
            await _not_at_window(session, row)
        before = _public(row)
        _set_account(row, account, active=row.active if active is None else active)
        row.password_hash = password_hash or row.password_hash
        _record(unit, "staff_updated", row, before, password_reset=bool(password_hash))
        if password_hash or not row.active:
            reason = "password_changed" if password_hash else "deactivated"
            await end_sessions(session, row.id, now, reason)
        return staff_view(row, now, await _state(session, row.username, now))


async def unlock_staff(
    db: Database, staff: StaffMember | None, username: str, now: datetime
) -> AccountView:
    """Clear a sign-in lock-out; supervisors may unlock non-admins of their halls."""
    actor = require(staff, Role.SUPERVISOR)
    async with unit_of_work(db, None, actor.username, None, now) as unit:
        session = unit.session
        row = await _existing(session, username)
        shared = "*" in actor.halls or any(actor.works_in(h) for h in row.halls)
        if not actor.at_least(Role.ADMIN) and (row.role == Role.ADMIN or not shared):
            raise Forbidden(
                "Supervisors may unlock accounts of their own halls only, and never an admin's.",
                "大厅管理员只能解锁本大厅的账号，且不能解锁系统管理员账号。",
            )
        before = await throttle.forget(session, row.username)
        unit.record(
            "staff_unlocked",
            "staff",
            row.username,
            before={"failures": before},
            after={"failures": {}},
            publish=False,
        )
        return staff_view(row, now)


async def _row(session: AsyncSession, username: str) -> StaffRow | None:
    return await session.scalar(select(StaffRow).where(StaffRow.username == username))


async def _existing(session: AsyncSession, username: str) -> StaffRow:
    row = await _row(session, username)
    if row is None:
        raise NotFound(f"There is no account {username!r}.", f"没有用户名为“{username}”的账号。")
    return row


async def _checked_account(session: AsyncSession, entry: dict[str, Any]) -> StaffAccount:
    """Validate one account with the file parser; problems are keyed by the body's field."""
    halls = dataclasses.replace(await read_config(session), staff=())
    try:
        return parse_config(document_of(halls) | {"staff": [entry]}, SOURCE).staff[0]
    except ConfigError as exc:
        raise ConfigRejected(
            [p.replace(f"{SOURCE}: staff[0].", "") for p in exc.problems]
        ) from None


def _set_account(row: StaffRow, account: StaffAccount, active: bool) -> None:
    row.job_number, row.role = account.job_number, account.role.value
    row.halls, row.active = list(account.halls), active


async def _not_at_window(session: AsyncSession, row: StaffRow) -> None:
    query = select(WindowRow).where(
        WindowRow.staff_id == row.id, WindowRow.status != WindowStatus.CLOSED
    )
    where = ", ".join(f"{w.hall_id} #{w.number}" for w in (await session.scalars(query)).all())
    if where:
        raise Conflict(
            f"Cannot deactivate {row.username}: signed in at window {where}; sign it out first.",
            f"无法停用 {row.username}：该账号正在窗口（{where}）登录，请先签退。",
        )


def _record(
    unit: Unit,
    kind: str,
    row: StaffRow,
    before: dict[str, Any] | None,
    password_reset: bool = False,
) -> None:
    unit.record(
        kind,
        "staff",
        row.username,
        before=before,
        after=_public(row),
        data={"password_reset": True} if password_reset else {},
        publish=False,
    )
