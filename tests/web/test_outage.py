"""A database outage: 503 with Retry-After while it lasts, and back to work afterwards.

PostgreSQL is reached through a TCP proxy that the test cuts and restores; a server
started while the proxy is closed keeps retrying and starts once it opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from tests.conftest import fresh_postgres_database, make_settings
from tests.live_server import LiveServer
from tests.tcp_proxy import TcpProxy
from tests.web.helpers import FakeClock, use_clock

pytestmark = [pytest.mark.asyncio, pytest.mark.postgres]

TICKETS = "/api/halls/district/tickets"


@pytest_asyncio.fixture
async def through_proxy() -> AsyncIterator[tuple[TcpProxy, str]]:
    """A fresh PostgreSQL database and its URL through an open proxy."""
    async with fresh_postgres_database() as url:
        real = make_url(url)
        proxy = TcpProxy(real.host or "127.0.0.1", real.port or 5432)
        await proxy.open()
        try:
            proxied = real.set(host="127.0.0.1", port=proxy.port)
            yield proxy, proxied.render_as_string(hide_password=False)
        finally:
            await proxy.cut()


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "database_unavailable"
    assert error["message"]
    assert "数据库" in error["message_zh"]


async def test_requests_get_503_during_an_outage_and_succeed_after_it(
    tmp_path: Path, through_proxy: tuple[TcpProxy, str]
) -> None:
    from web.app import create_app

    proxy, url = through_proxy
    app: Starlette = create_app(make_settings(tmp_path, url))
    async with app.router.lifespan_context(app):
        use_clock(app, FakeClock())
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            assert (await http.post(TICKETS, json={"matter": "SI-REG"})).status_code == 201
            assert (await http.get("/healthz")).status_code == 200

            await proxy.cut()
            assert_unavailable(await http.post(TICKETS, json={"matter": "SI-REG"}))
            assert_unavailable(await http.get("/api/halls/district/matters"))
            assert_unavailable(await http.get("/healthz"))
            page = await http.get("/halls/district/kiosk", headers={"Accept": "text/html"})
            assert page.status_code == 503
            assert "text/html" in page.headers["content-type"]

            await proxy.open()
            again = await http.post(TICKETS, json={"matter": "SI-REG"})
            assert again.status_code == 201, again.text
            assert (await http.get("/healthz")).status_code == 200
            numbers = [again.json()["number"]]
            numbers.append((await http.post(TICKETS, json={"matter": "SI-REG"})).json()["number"])
            assert numbers[0] != numbers[1]


async def test_a_server_started_before_its_database_waits_for_it(
    tmp_path: Path, through_proxy: tuple[TcpProxy, str]
) -> None:
    proxy, url = through_proxy
    await proxy.cut()
    server = LiveServer(tmp_path, HALL_DATABASE_URL=url, HALL_DB_STARTUP_WAIT="120")
    starting = asyncio.create_task(asyncio.to_thread(server.start, 150.0))
    try:
        log = tmp_path / f"server-{server.port}.log"
        for _ in range(600):  # until the server has failed to connect twice
            text = log.read_text(encoding="utf-8") if log.exists() else ""
            if text.count("database is unreachable") >= 2 or starting.done():
                break
            await asyncio.sleep(0.1)
        assert not starting.done(), "the server exited (or started) without its database"
        assert server.process is not None
        assert server.process.poll() is None
        await proxy.open()
        await starting
        async with httpx.AsyncClient(base_url=server.url) as http:
            assert (await http.get("/healthz")).status_code == 200
            issued = await http.post(TICKETS, json={"matter": "SI-REG"})
            assert issued.status_code == 201
    finally:
        # In a thread: the proxy runs on this loop, and the server's shutdown closes its
        # database connections through it (a blocking stop here would hold both up).
        await asyncio.to_thread(server.stop)
        if not starting.done():
            starting.cancel()
