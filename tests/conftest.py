"""Shared fixtures: a fresh database per test (SQLite file, and PostgreSQL when configured)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from hall.catalogue import stored
from hall.catalogue.loader import demo_config_path, load_config
from hall.settings import Settings
from hall.store.db import Database
from hall.store.migrate import upgrade
from hall.store.unit import unit_of_work

POSTGRES_ENV = "HALL_TEST_POSTGRES_URL"
# Test servers' clocks start on a Monday at 09:00 in the demo halls (Asia/Shanghai), when
# the halls issue tickets; a test that needs another moment sets the app's clock.
TEST_CLOCK_START = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def postgres_base_url() -> str:
    """The PostgreSQL URL for tests; skips (or fails in CI) when it is not set."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL tests: set {POSTGRES_ENV}")
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV} (postgresql+asyncpg://USER@HOST/DB)")
    return url


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextlib.asynccontextmanager
async def fresh_postgres_database() -> AsyncIterator[str]:
    """A brand-new PostgreSQL database for one test, dropped afterwards."""
    import asyncpg

    base = postgres_base_url()
    name = f"tongban_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_asyncpg_dsn(base))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(_asyncpg_dsn(base))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a parametrised test runs on."""
    name: str = request.param
    return name


@pytest_asyncio.fixture
async def db_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A fresh, empty database URL on the test's backend."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'hall.db'}"
        return
    async with fresh_postgres_database() as url:
        yield url


def make_settings(tmp_path: Path, database_url: str, config: Path | None = None) -> Settings:
    """Settings for a test server: demo mode unless a config file is given."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        config_path=config,
        secret_key="test-secret-key-not-for-production",
        host="127.0.0.1",
        port=0,
        demo_password="tongban-demo",
        log_level="warning",
        clock_start=TEST_CLOCK_START,
        # Off here; the tests of the limits turn them on (tests/web/api/test_kiosks.py).
        ticket_rate_limit=0,
        kiosk_rate_limit=0,
    )


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[Starlette]:
    """The server app with its lifespan running (migrated, demo halls loaded)."""
    from web.app import create_app

    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: Starlette) -> AsyncIterator[AsyncClient]:
    """An HTTP client talking to the app in-process."""
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


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
