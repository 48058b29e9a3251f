"""Two server processes on one PostgreSQL: a call made on one reaches a screen on the other."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from displays.screen_state import ScreenState
from tests.conftest import _asyncpg_dsn, postgres_base_url
from tests.live_server import LiveServer, two_servers

pytestmark = pytest.mark.postgres

HALL = "/api/halls/district"


def make_database() -> tuple[str, Callable[[], None]]:
    """A fresh PostgreSQL database (sync: the servers are other processes) and its dropper."""
    import asyncpg
    from sqlalchemy.engine import make_url

    base = postgres_base_url()
    name = f"tongban_test_{uuid.uuid4().hex[:12]}"

    async def run(sql: str) -> None:
        admin = await asyncpg.connect(_asyncpg_dsn(base))
        try:
            await admin.execute(sql)
        finally:
            await admin.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    return url, lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def until_called(ws: ClientConnection, state: ScreenState) -> dict[str, Any]:
    for _ in range(50):
        message: dict[str, Any] = json.loads(ws.recv(timeout=10))
        state.apply(message)
        if message["type"] == "called":
            return message
    raise AssertionError("no call reached the screen")


def test_a_call_on_one_process_reaches_a_screen_on_the_other(tmp_path: Path) -> None:
    url, drop = make_database()
    env = {"HALL_DATABASE_URL": url, "HALL_DISPLAY_BACKEND": "postgres"}
    try:
        with two_servers(tmp_path, **env) as (first, second):
            run_one_call(first, second)
    finally:
        drop()


def run_one_call(first: LiveServer, second: LiveServer) -> None:
    """A call made through the first process reaches a screen on each process alike."""
    ws_a = f"ws://127.0.0.1:{first.port}/ws/halls/district/screens"
    ws_b = f"ws://127.0.0.1:{second.port}/ws/halls/district/screens"
    with connect(ws_a) as on_a, connect(ws_b) as on_b, httpx.Client(base_url=first.url) as http:
        states = ScreenState(), ScreenState()
        for ws, state in zip((on_a, on_b), states, strict=True):
            state.apply(json.loads(ws.recv(timeout=10)))
        login = http.post("/api/session", json={"username": "clerk01", "password": "tongban-demo"})
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        http.post(f"{HALL}/windows/1/sign-in", headers=headers)
        ticket = http.post(f"{HALL}/tickets", json={"matter": "SI-REG"}).json()
        http.post(f"{HALL}/windows/1/call-next", headers=headers)
        got_a, got_b = until_called(on_a, states[0]), until_called(on_b, states[1])
    assert got_b["ticket"] == got_a["ticket"] == ticket["number"]
    assert got_b["seq"] == got_a["seq"]  # both processes number the feed alike
    assert (states[1].window(1) or {})["ticket"] == ticket["number"]
