"""Fixtures of the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio

from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.unit import unit_of_work


async def load_demo(database: Database) -> None:
    """Apply the demo configuration, as the server does on first start."""
    async with unit_of_work(database, None, "system", None, datetime.now(UTC)) as unit:
        await stored.apply_config(unit, load_config(demo_config_path()))


@pytest_asyncio.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database holding the demo halls (modules may define their own ``db``)."""
    database = Database(db_url)
    await upgrade(database)
    await load_demo(database)
    try:
        yield database
    finally:
        await database.dispose()
