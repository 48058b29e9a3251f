"""Prepare a database for serving: migrate, load the configuration, create demo accounts."""

from __future__ import annotations

import logging

from sqlalchemy import select

from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.settings import Settings
from hall.staff.passwords import hash_password
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import StaffRow, utcnow
from hall.store.unit import Unit, unit_of_work
from queueing.policy import policy_problems

log = logging.getLogger(__name__)

DEMO_CLERKS = 24


async def prepare(db: Database, settings: Settings) -> bool:
    """Migrate, load the configuration into an empty database; returns True if it loaded."""
    await upgrade(db)
    async with db.read() as session:
        empty = await stored.is_empty(session)
    path = settings.config_path or demo_config_path()
    config = load_config(path, policy_problems) if empty else None
    # Hashing is slow by design: done before the write transaction, and only if needed.
    password_hash = None
    if settings.demo and await _missing_demo_staff(db):
        password_hash = hash_password(settings.demo_password)
    async with unit_of_work(db, None, "system", None, utcnow()) as unit:
        # Re-checked under the write lock: another process may have loaded it meanwhile.
        loaded = config is not None and await stored.is_empty(unit.session)
        if loaded:
            assert config is not None
            await stored.apply_config(unit, config)
            log.info("Loaded hall configuration from %s", path)
        if password_hash is not None:
            await ensure_demo_staff(unit, password_hash)
    return loaded


async def _missing_demo_staff(db: Database) -> bool:
    async with db.read() as session:
        existing = set((await session.scalars(select(StaffRow.username))).all())
    return any(a[0] not in existing for a in demo_usernames())


def demo_usernames() -> list[tuple[str, Role, str]]:
    """(username, role, job number) of every demo account."""
    accounts = [("admin", Role.ADMIN, "A0001"), ("supervisor", Role.SUPERVISOR, "S0001")]
    accounts += [(f"clerk{i:02d}", Role.CLERK, f"C{i:04d}") for i in range(1, DEMO_CLERKS + 1)]
    return accounts


async def ensure_demo_staff(unit: Unit, password_hash: str) -> int:
    """Create the demo accounts that are missing; returns how many were created.

    They share one password, so one hash serves them all.
    """
    session = unit.session
    existing = set((await session.scalars(select(StaffRow.username))).all())
    missing = [a for a in demo_usernames() if a[0] not in existing]
    for username, role, job_number in missing:
        session.add(
            StaffRow(
                username=username,
                job_number=job_number,
                role=role.value,
                halls=["*"],
                password_hash=password_hash,
            )
        )
        unit.record(
            "demo_account_created", "staff", username, after={"role": role.value}, publish=False
        )
    return len(missing)
