"""Staff sessions kept in the database, so that they can be ended at once.

The browser's cookie holds a random token; the table holds only its SHA-256, so a copy
of the database signs nobody in. A session ends when its account signs out, when an
admin changes the password or deactivates the account, or after ``SESSION_SECONDS``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hall.store.models import StaffRow, StaffSessionRow, UTCDateTime

SESSION_SECONDS = 12 * 3600  # one working day


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


async def open_session(
    session: AsyncSession, staff_id: int, now: datetime, address: str = ""
) -> str:
    """Start a session for the account (inside the caller's write); returns its token."""
    token = secrets.token_urlsafe(32)
    await session.execute(
        insert(StaffSessionRow).values(
            token_hash=token_hash(token),
            staff_id=staff_id,
            created_at=now,
            expires_at=now + timedelta(seconds=SESSION_SECONDS),
            address=address[:64],
        )
    )
    return token


async def end_sessions(session: AsyncSession, staff_id: int, now: datetime, reason: str) -> int:
    """End every open session of the account (inside the caller's write); how many."""
    result = await session.execute(
        update(StaffSessionRow)
        .where(StaffSessionRow.staff_id == staff_id, StaffSessionRow.ended_at.is_(None))
        .values(ended_at=now, ended_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# The active staff member of an open, unexpired session: one statement per request.
SESSION_MEMBER = (
    select(StaffRow.id, StaffRow.username, StaffRow.job_number, StaffRow.role, StaffRow.halls)
    .join(StaffSessionRow, StaffSessionRow.staff_id == StaffRow.id)
    .where(
        StaffSessionRow.token_hash == bindparam("token_hash"),
        StaffSessionRow.ended_at.is_(None),
        StaffSessionRow.expires_at > bindparam("now", type_=UTCDateTime()),
        StaffRow.active,
    )
)
