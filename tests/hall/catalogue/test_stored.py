"""Configuration ⇄ database: load, export, load again is a round trip; nothing is deleted."""

from __future__ import annotations

import dataclasses
import tomllib

import pytest
from sqlalchemy import func, select

from hall.catalogue import stored
from hall.catalogue.export import dump_config
from hall.catalogue.loader import demo_config_path, load_config, parse_config
from hall.catalogue.schema import StaffAccount
from hall.staff.passwords import hash_password
from hall.staff.roles import Role
from hall.staff.sessions import open_session
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import (
    EventRow,
    MatterRow,
    StaffRow,
    StaffSessionRow,
    WindowRow,
    utcnow,
)
from hall.store.unit import unit_of_work

pytestmark = pytest.mark.asyncio


async def test_load_export_load_is_a_round_trip(db_url: str) -> None:
    original = load_config(demo_config_path())
    db = Database(db_url)
    try:
        await upgrade(db)
        async with unit_of_work(db, None, "test", None, utcnow()) as unit:
            await stored.apply_config(unit, original)
        async with db.read() as session:
            exported = dump_config(await stored.read_config(session))
        assert parse_config(tomllib.loads(exported)) == original
        # Applying the exported file again changes nothing.
        async with unit_of_work(db, None, "test", None, utcnow()) as unit:
            await stored.apply_config(unit, parse_config(tomllib.loads(exported)))
        async with db.read() as session:
            assert await stored.read_config(session) == original
    finally:
        await db.dispose()


async def test_removed_matters_and_windows_are_deactivated_not_deleted(db_url: str) -> None:
    original = load_config(demo_config_path())
    hall = original.halls[0]
    dropped_matter = next(
        m for m in hall.matters if not any(m.code in w.skills for w in hall.windows)
    )
    dropped_window = hall.windows[-1]
    smaller = dataclasses.replace(
        hall,
        matters=tuple(m for m in hall.matters if m is not dropped_matter),
        windows=hall.windows[:-1],
    )
    changed = dataclasses.replace(original, halls=(smaller, *original.halls[1:]))
    db = Database(db_url)
    try:
        await upgrade(db)
        async with unit_of_work(db, None, "test", None, utcnow()) as unit:
            await stored.apply_config(unit, original)
        async with unit_of_work(db, None, "admin", None, utcnow()) as unit:
            await stored.apply_config(unit, changed)
        async with db.read() as session:
            matters = await stored.list_matters(session, hall.id)
            windows = await stored.list_windows(session, hall.id)
            assert dropped_matter.code not in {m.code for m in matters}
            assert dropped_window.number not in {w.number for w in windows}
            kept = await session.scalar(
                select(func.count()).select_from(MatterRow).where(MatterRow.hall_id == hall.id)
            )
            assert kept == len(hall.matters)
            kept_windows = await session.scalar(
                select(func.count()).select_from(WindowRow).where(WindowRow.hall_id == hall.id)
            )
            assert kept_windows == len(hall.windows)
            event = await session.scalar(
                select(EventRow)
                .where(EventRow.kind == "config_applied", EventRow.actor == "admin")
                .where(EventRow.hall_id == hall.id)
            )
            assert event is not None
            assert event.data["matters"]["deactivated"] == [dropped_matter.code]
            assert event.data["windows"]["deactivated"] == [dropped_window.number]
    finally:
        await db.dispose()


async def test_a_new_password_hash_in_the_file_ends_the_accounts_sessions(db_url: str) -> None:
    original = load_config(demo_config_path())
    account = StaffAccount("li.na", "C0900", Role.CLERK, ("*",), hash_password("first-pass"))
    first = dataclasses.replace(original, staff=(account,))
    db = Database(db_url)
    try:
        await upgrade(db)
        async with unit_of_work(db, None, "test", None, utcnow()) as unit:
            await stored.apply_config(unit, first)
        async with unit_of_work(db, None, "test", None, utcnow()) as unit:
            staff_id = await unit.session.scalar(
                select(StaffRow.id).where(StaffRow.username == "li.na")
            )
            assert staff_id is not None
            await open_session(unit.session, staff_id, utcnow())
        same = dataclasses.replace(original, staff=(account,))
        changed = dataclasses.replace(
            original,
            staff=(dataclasses.replace(account, password_hash=hash_password("second-pass")),),
        )
        ended = []
        for config in (same, changed):
            async with unit_of_work(db, None, "admin", None, utcnow()) as unit:
                await stored.apply_config(unit, config)
            async with db.read() as session:
                row = await session.scalar(select(StaffSessionRow))
                assert row is not None
                ended.append(row.ended_reason)
        assert ended == [None, "password_changed"]
    finally:
        await db.dispose()
