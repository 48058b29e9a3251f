"""The catalogue as the API and the pages read it, each in its own read transaction.

Everything here returns the configuration's own dataclasses (``Hall``, ``Matter``) or
small views of its own; ``web/`` turns them into JSON or pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.catalogue import stored
from hall.catalogue.cache import hall_config
from hall.catalogue.schema import Hall, HallConfig, Matter
from hall.store.db import Database
from hall.store.models import MatterRow, WindowRow
from hall.store.unit import reading


@dataclass(frozen=True, slots=True)
class HallSummary:
    """A hall as lists show it."""

    id: str
    name: str
    name_en: str
    timezone: str
    level: str
    address: str


@dataclass(frozen=True, slots=True)
class HallCard:
    """A hall on the landing page: how many matters and windows it has."""

    hall: HallSummary
    matters: int
    windows: int


@dataclass(frozen=True, slots=True)
class WindowNow:
    """A window and whether anybody works at it now."""

    number: int
    name: str
    name_en: str
    kind: str
    skills: tuple[str, ...]
    status: str


@dataclass(frozen=True, slots=True)
class CatalogueOf:
    """One hall's whole catalogue with each window's status (the admin page)."""

    hall: Hall
    windows: tuple[WindowNow, ...]


async def halls(db: Database) -> list[HallSummary]:
    """The active halls in configuration order."""
    async with db.read() as session:
        rows = await stored.list_halls(session)
    return [HallSummary(h.id, h.name, h.name_en, h.timezone, h.level, h.address) for h in rows]


async def hall_cards(db: Database) -> list[HallCard]:
    """The active halls with their numbers of active matters and windows."""
    async with db.read() as session:
        rows = await stored.list_halls(session)
        matters = await _counts(session, MatterRow)
        windows = await _counts(session, WindowRow)
    return [
        HallCard(
            HallSummary(h.id, h.name, h.name_en, h.timezone, h.level, h.address),
            matters.get(h.id, 0),
            windows.get(h.id, 0),
        )
        for h in rows
    ]


async def _counts(
    session: AsyncSession, model: type[MatterRow] | type[WindowRow]
) -> dict[str, int]:
    query = select(model.hall_id, func.count()).where(model.active).group_by(model.hall_id)
    return {hall_id: int(count) for hall_id, count in (await session.execute(query)).all()}


async def matters(db: Database, hall_id: str) -> list[Matter]:
    """A hall's active matters; raises NotFound."""
    async with db.read() as session:
        rows = await stored.list_matters(session, hall_id)
    return [stored.matter_of(m) for m in rows]


async def windows(db: Database, hall_id: str) -> list[WindowNow]:
    """A hall's active windows and their status now; raises NotFound."""
    async with db.read() as session:
        rows = await stored.list_windows(session, hall_id)
    return [window_now(w) for w in rows]


def window_now(row: WindowRow) -> WindowNow:
    return WindowNow(row.number, row.name, row.name_en, row.kind, tuple(row.skills), row.status)


async def hall(db: Database, hall_id: str) -> Hall:
    """One active hall's configuration, parsed once per change; raises NotFound."""
    async with reading(db) as tx:
        return await hall_config(tx, hall_id)


async def config(db: Database) -> HallConfig:
    """The whole active configuration."""
    async with db.read() as session:
        return await stored.read_config(session)


async def catalogues(db: Database) -> list[CatalogueOf]:
    """Every active hall's catalogue with its windows' status (the admin page)."""
    async with db.read() as session:
        found = []
        for row in await stored.list_halls(session):
            found.append(
                CatalogueOf(
                    await stored.read_hall(session, row.id),
                    tuple(window_now(w) for w in await stored.list_windows(session, row.id)),
                )
            )
    return found


async def check(db: Database) -> None:
    """Raises when the database does not answer (the health check)."""
    async with db.read() as session:
        await stored.is_empty(session)
