"""The catalogue in the database: apply a configuration, read it back, list halls.

The database is the source of truth once loaded. Applying a configuration upserts
halls, groups, matters, windows and staff; catalogue rows missing from the file are
deactivated, never deleted, and every application is an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.catalogue.calendar import reserved_matters
from hall.catalogue.export import hall_settings, matter_entry, window_entry
from hall.catalogue.loader import parse_config
from hall.catalogue.schema import (
    Hall,
    HallConfig,
    Matter,
    MatterClass,
    StaffAccount,
    Window,
    WindowKind,
    Zone,
)
from hall.errors import NotFound
from hall.staff.sessions import end_sessions
from hall.store.models import HallRow, MatterGroupRow, MatterRow, StaffRow, WindowRow, utcnow
from hall.store.unit import Unit

Row = TypeVar("Row", MatterGroupRow, MatterRow, WindowRow)


@dataclass(frozen=True, slots=True)
class Applied:
    """What applying a configuration did to one hall (its audit event's kind and data)."""

    hall_id: str
    kind: str  # "config_applied" or "hall_deactivated"
    data: dict[str, Any]
    changed: bool  # the hall's rules or catalogue changed (screens must re-read it)


async def apply_config(unit: Unit, config: HallConfig) -> list[Applied]:
    """Write a validated configuration into the database, in the caller's unit of work.

    Every hall gets an audit event (published to its screens when something changed);
    every hall's queue copies are read again (its windows may have changed).
    """
    session = unit.session
    applied = []
    existing = {h.id: h for h in (await session.scalars(select(HallRow))).all()}
    for position, hall in enumerate(config.halls):
        row = existing.pop(hall.id, None)
        new = row is None
        row = row or HallRow(id=hall.id)
        rules_changed = _set_hall(row, hall, position)
        session.add(row)
        await session.flush()
        summary = await _apply_catalogue(session, hall)
        # Rare (an admin's edit): every copy of the hall's windows is simply read again.
        unit.queue_changed(hall.id)
        changed = new or rules_changed or any(any(p.values()) for p in summary.values())
        unit.record(
            "config_applied", "hall", hall.id, data=summary, publish=changed, hall_id=hall.id
        )
        applied.append(Applied(hall.id, "config_applied", summary, changed))
    for row in existing.values():
        if row.active:
            row.active = False
            unit.record("hall_deactivated", "hall", row.id, hall_id=row.id)
            applied.append(Applied(row.id, "hall_deactivated", {}, True))
    for account in config.staff:
        await _apply_staff(unit, account)
    return applied


def _set_hall(row: HallRow, hall: Hall, position: int) -> bool:
    """Copy a hall's rules into its row; whether any of them changed."""
    values = {
        "name": hall.name,
        "name_en": hall.name_en,
        "level": hall.level.value,
        "timezone": hall.timezone,
        "address": hall.address,
        "notice": hall.notice,
        "settings": hall_settings(hall),
    }
    changed = any(getattr(row, key, None) != value for key, value in values.items())
    for key, value in values.items():
        setattr(row, key, value)
    row.position, row.active = position, True
    row.updated_at = utcnow()  # the version hall.catalogue.cache checks, bumped on every apply
    return changed


async def _apply_catalogue(session: AsyncSession, hall: Hall) -> dict[str, Any]:
    groups = [
        {
            "code": g.code,
            "name": g.name,
            "name_en": g.name_en,
            "icon": g.icon,
            "description": g.description,
            "description_en": g.description_en,
        }
        for g in hall.groups
    ]
    matters = [
        {
            "code": m.code,
            "name": m.name,
            "name_en": m.name_en,
            "matter_class": m.matter_class.value,
            "expected_minutes": m.expected_minutes,
            "prefix": m.prefix,
            "zone": m.zone.value,
            "group_code": m.group,
            "materials": list(m.materials),
            "materials_en": list(m.materials_en),
            "bookable": m.bookable,
        }
        for m in hall.matters
    ]
    reserved = reserved_matters(hall)
    windows = [
        {
            "number": w.number,
            "kind": w.kind.value,
            "skills": list(w.skills),
            "excluded": sorted(reserved) if "*" in w.skills else [],
            "name": w.name,
            "name_en": w.name_en,
        }
        for w in hall.windows
    ]
    return {
        "groups": await _upsert(session, MatterGroupRow, hall.id, "code", groups),
        "matters": await _upsert(session, MatterRow, hall.id, "code", matters),
        "windows": await _upsert(session, WindowRow, hall.id, "number", windows),
    }


async def _upsert(
    session: AsyncSession, model: type[Row], hall_id: str, key: str, items: list[dict[str, Any]]
) -> dict[str, list[Any]]:
    rows = (await session.scalars(select(model).where(model.hall_id == hall_id))).all()
    by_key: dict[Any, Row] = {getattr(r, key): r for r in rows}
    changes: dict[str, list[Any]] = {"added": [], "changed": [], "deactivated": []}
    for position, item in enumerate(items):
        row = by_key.pop(item[key], None)
        if row is None:
            row = model(hall_id=hall_id, **item)
            session.add(row)
            changes["added"].append(item[key])
        elif any(getattr(row, k) != v for k, v in item.items()) or not row.active:
            for k, v in item.items():
                setattr(row, k, v)
            changes["changed"].append(item[key])
        row.position, row.active = position, True
    for row in by_key.values():
        if row.active:
            row.active = False
            changes["deactivated"].append(getattr(row, key))
    return changes


async def _apply_staff(unit: Unit, account: StaffAccount) -> None:
    session = unit.session
    row = await session.scalar(select(StaffRow).where(StaffRow.username == account.username))
    if row is None:
        row = StaffRow(username=account.username)
        session.add(row)
    row.job_number, row.role, row.halls = (
        account.job_number,
        account.role.value,
        list(account.halls),
    )
    if account.password_hash and account.password_hash != row.password_hash:
        if row.id is not None:  # a changed password ends the account's sessions
            await end_sessions(session, row.id, unit.now, "password_changed")
        row.password_hash = account.password_hash
    row.active = True
    unit.record(
        "staff_configured",
        "staff",
        account.username,
        after={"role": account.role.value, "halls": list(account.halls)},
        publish=False,
        hall_id=None,
    )


async def read_config(session: AsyncSession) -> HallConfig:
    """The active configuration in the database, as a HallConfig (for export)."""
    halls = [await _hall_doc(session, row) for row in await list_halls(session)]
    staff = (
        await session.scalars(select(StaffRow).where(StaffRow.active).order_by(StaffRow.id))
    ).all()
    document: dict[str, Any] = {"halls": halls}
    if staff:
        document["staff"] = [
            {
                "username": s.username,
                "job_number": s.job_number,
                "role": s.role,
                "halls": list(s.halls),
                **({"password_hash": s.password_hash} if s.password_hash else {}),
            }
            for s in staff
        ]
    return parse_config(document, "<database>")


async def read_hall(session: AsyncSession, hall_id: str) -> Hall:
    """One active hall's configuration; raises NotFound."""
    row = await get_hall(session, hall_id)
    return parse_config({"halls": [await _hall_doc(session, row)]}, "<database>").halls[0]


async def _hall_doc(session: AsyncSession, row: HallRow) -> dict[str, Any]:
    groups = await _active(session, MatterGroupRow, row.id)
    matters = await _active(session, MatterRow, row.id)
    windows = await _active(session, WindowRow, row.id)
    return {
        "id": row.id,
        "name": row.name,
        "name_en": row.name_en,
        "level": row.level,
        "timezone": row.timezone,
        "address": row.address,
        "notice": row.notice,
        **row.settings,
        "groups": [_group_doc(g) for g in groups],
        "matters": [matter_entry(matter_of(m)) for m in matters],
        "windows": [window_entry(window_of(w)) for w in windows],
    }


def _group_doc(g: MatterGroupRow) -> dict[str, Any]:
    return {
        "code": g.code,
        "name": g.name,
        "name_en": g.name_en,
        "icon": g.icon,
        "description": g.description,
        "description_en": g.description_en,
    }


def matter_of(row: MatterRow) -> Matter:
    """A matter row as the configuration's ``Matter``."""
    return Matter(
        code=row.code,
        name=row.name,
        name_en=row.name_en,
        matter_class=MatterClass(row.matter_class),
        expected_minutes=row.expected_minutes,
        prefix=row.prefix,
        zone=Zone(row.zone),
        group=row.group_code,
        materials=tuple(row.materials),
        materials_en=tuple(row.materials_en),
        bookable=row.bookable,
    )


def window_of(row: WindowRow) -> Window:
    """A window row as the configuration's ``Window``."""
    return Window(row.number, WindowKind(row.kind), tuple(row.skills), row.name, row.name_en)


async def _active(session: AsyncSession, model: type[Row], hall_id: str) -> Sequence[Row]:
    query = select(model).where(model.hall_id == hall_id, model.active).order_by(model.position)
    return (await session.scalars(query)).all()


async def list_halls(session: AsyncSession) -> Sequence[HallRow]:
    """Active halls in configuration order."""
    query = select(HallRow).where(HallRow.active).order_by(HallRow.position, HallRow.id)
    return (await session.scalars(query)).all()


async def get_hall(session: AsyncSession, hall_id: str) -> HallRow:
    """One active hall; raises NotFound."""
    row = await session.get(HallRow, hall_id)
    if row is None or not row.active:
        raise no_such_hall(hall_id)
    return row


def no_such_hall(hall_id: str) -> NotFound:
    return NotFound(
        f"There is no hall with id {hall_id!r}; GET /api/halls lists the halls.",
        f"没有编号为“{hall_id}”的大厅。",
    )


async def list_matters(session: AsyncSession, hall_id: str) -> Sequence[MatterRow]:
    """The active matters of a hall; raises NotFound for an unknown hall."""
    await get_hall(session, hall_id)
    return await _active(session, MatterRow, hall_id)


async def list_groups(session: AsyncSession, hall_id: str) -> Sequence[MatterGroupRow]:
    """The active matter groups of a hall; raises NotFound for an unknown hall."""
    await get_hall(session, hall_id)
    return await _active(session, MatterGroupRow, hall_id)


async def list_windows(session: AsyncSession, hall_id: str) -> Sequence[WindowRow]:
    """The active windows of a hall; raises NotFound for an unknown hall."""
    await get_hall(session, hall_id)
    return await _active(session, WindowRow, hall_id)


async def is_empty(session: AsyncSession) -> bool:
    """True when no hall has ever been loaded."""
    return await session.scalar(select(HallRow.id).limit(1)) is None
