"""A hall's registered kiosks (取号机): device tokens an admin creates, lists and revokes.

A kiosk presenting its token gets its own, higher ticket limit (``web/kiosk.py``). The
token is 32 random bytes shown once when the device is created; only its SHA-256 is
stored (a random 256-bit token needs no slow hash: nobody can try enough of them), so a
copy of the database gives no working token. A revoked device's token is refused:
it counts as an anonymous address again.
"""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from hall.catalogue.stored import get_hall
from hall.errors import InvalidInput, NotFound
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import KioskRow
from hall.store.unit import reading, unit_of_work

MAX_NAME = 60
TOKEN_BYTES = 32
MAX_TOKEN = 200  # longer than any token we give out: refused without hashing


@dataclass(frozen=True, slots=True)
class KioskView:
    """A registered kiosk as the admin API shows it (never its token)."""

    id: int
    hall: str
    name: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    active: bool


@dataclass(frozen=True, slots=True)
class NewKiosk:
    """A kiosk just created, with its token (shown this once, never stored)."""

    kiosk: KioskView
    token: str


def token_hash(token: str) -> str:
    """The stored form of a device token (hex SHA-256)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _view(row: KioskRow) -> KioskView:
    return KioskView(
        row.id,
        row.hall_id,
        row.name,
        row.created_at,
        row.created_by,
        row.revoked_at,
        active=row.revoked_at is None,
    )


def _name(name: str) -> str:
    value = " ".join(unicodedata.normalize("NFKC", name).split())
    if not 1 <= len(value) <= MAX_NAME or not value.isprintable():
        raise InvalidInput(
            f"Give the kiosk a name of 1 to {MAX_NAME} printable characters.",
            f"取号机名称应为 1 至 {MAX_NAME} 个可打印字符。",
            fields={"name": f"1 to {MAX_NAME} characters"},
        )
    return value


async def create_kiosk(
    db: Database, staff: StaffMember | None, hall_id: str, name: str, now: datetime
) -> NewKiosk:
    """Register a kiosk of a hall; the answer carries its token once. Admins only."""
    admin = require(staff, Role.ADMIN)
    clean = _name(name)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    async with unit_of_work(db, None, admin.username, hall_id, now) as unit:
        await get_hall(unit.session, hall_id)
        row = KioskRow(
            hall_id=hall_id,
            name=clean,
            token_hash=token_hash(token),
            created_at=now,
            created_by=admin.username,
        )
        unit.session.add(row)
        await unit.session.flush()
        unit.record(
            "kiosk_registered",
            "kiosk",
            row.id,
            after={"hall": hall_id, "name": clean},
            publish=False,
            hall_id=hall_id,
        )
        return NewKiosk(_view(row), token)


async def list_kiosks(db: Database, staff: StaffMember | None, hall_id: str) -> list[KioskView]:
    """The hall's kiosks, revoked ones included, oldest first. Admins only."""
    require(staff, Role.ADMIN)
    async with reading(db) as tx:
        await get_hall(tx.session, hall_id)
        query = select(KioskRow).where(KioskRow.hall_id == hall_id).order_by(KioskRow.id)
        return [_view(r) for r in (await tx.session.scalars(query)).all()]


async def revoke_kiosk(
    db: Database, staff: StaffMember | None, hall_id: str, kiosk_id: int, now: datetime
) -> KioskView:
    """Revoke a kiosk's token (kept as a row, never deleted); revoking twice is a no-op."""
    admin = require(staff, Role.ADMIN)
    async with unit_of_work(db, None, admin.username, hall_id, now) as unit:
        row = await unit.session.get(KioskRow, kiosk_id)
        if row is None or row.hall_id != hall_id:
            raise NotFound(
                f"Hall {hall_id!r} has no kiosk {kiosk_id}.",
                f"大厅“{hall_id}”没有编号为 {kiosk_id} 的取号机。",
            )
        if row.revoked_at is None:
            row.revoked_at = now
            unit.record(
                "kiosk_revoked",
                "kiosk",
                row.id,
                before={"revoked_at": None},
                after={"revoked_at": now.isoformat()},
                publish=False,
                hall_id=hall_id,
            )
        return _view(row)


async def kiosk_for_token(db: Database, hall_id: str, token: str) -> int | None:
    """The id of the hall's active kiosk holding ``token``, else None (unknown or revoked)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    async with reading(db) as tx:
        query = select(KioskRow.id).where(
            KioskRow.token_hash == token_hash(token),
            KioskRow.hall_id == hall_id,
            KioskRow.revoked_at.is_(None),
        )
        found: int | None = await tx.session.scalar(query)
    return found
