"""Fixtures of the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio

from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.store.db import Database
from hall.store.migrate import upgrade


@pytest_asyncio.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    """A migrated database holding the demo halls (modules may define their own ``db``)."""
    database = Database(db_url)
    await upgrade(database)
    async with database.write() as session:
        await stored.apply_config(session, load_config(demo_config_path()), actor="system")
    try:
        yield database
    finally:
        await database.dispose()
