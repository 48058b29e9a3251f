"""Prepare a database for serving: migrate, load the configuration, create demo accounts."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.settings import Settings
from hall.staff.passwords import hash_password
from hall.staff.roles import Role
from hall.store import audit
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.models import StaffRow
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
    async with db.write() as session:
        # Re-checked under the write lock: another process may have loaded it meanwhile.
        loaded = config is not None and await stored.is_empty(session)
        if loaded:
            assert config is not None
            await stored.apply_config(session, config, actor="system")
            log.info("Loaded hall configuration from %s", path)
        if settings.demo:
            await ensure_demo_staff(session, settings.demo_password)
    return loaded


def demo_usernames() -> list[tuple[str, Role, str]]:
    """(username, role, job number) of every demo account."""
    accounts = [("admin", Role.ADMIN, "A0001"), ("supervisor", Role.SUPERVISOR, "S0001")]
    accounts += [(f"clerk{i:02d}", Role.CLERK, f"C{i:04d}") for i in range(1, DEMO_CLERKS + 1)]
    return accounts


async def ensure_demo_staff(session: AsyncSession, password: str) -> int:
    """Create the demo accounts that are missing; returns how many were created."""
    existing = set((await session.scalars(select(StaffRow.username))).all())
    missing = [a for a in demo_usernames() if a[0] not in existing]
    if not missing:
        return 0
    # One hash for all demo accounts: hashing is deliberately slow, and they share a password.
    password_hash = hash_password(password)
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
        audit.record(
            session,
            actor="system",
            kind="demo_account_created",
            subject_type="staff",
            subject_id=username,
            after={"role": role.value},
        )
    return len(missing)
