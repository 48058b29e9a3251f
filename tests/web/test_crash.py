"""SIGKILL in the middle of a stream of actions loses nothing that was acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx

from tests.live_server import LiveServer
from tests.web.helpers import DEMO_PASSWORD

HALL = "/api/halls/district"


async def _kiosk(http: httpx.AsyncClient, acked: list[dict[str, str]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        with contextlib.suppress(httpx.HTTPError):
            response = await http.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
            if response.status_code == 201:
                acked.append(response.json())


async def _clerk(
    http: httpx.AsyncClient,
    window: int,
    done: list[tuple[str, str]],
    stop: asyncio.Event,
    ready: list[int],
) -> None:
    # Password checks run at the lowest CPU priority, so on a loaded machine a sign-in may
    # wait its turn (503 busy, or past the client's timeout): try again, a few times.
    for _ in range(10):
        with contextlib.suppress(httpx.HTTPError):
            login = await http.post(
                "/api/session",
                json={"username": f"clerk{window:02d}", "password": DEMO_PASSWORD},
                timeout=60,
            )
            if login.status_code == 200:
                break
        await asyncio.sleep(1)
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    signed_in = await http.post(f"{HALL}/windows/{window}/sign-in", headers=headers)
    assert signed_in.status_code == 200, signed_in.text
    ready.append(window)
    steps = [("call-next", None), ("start", None), ("finish", {"outcome": "completed"})]
    while not stop.is_set():
        for action, body in steps:
            with contextlib.suppress(httpx.HTTPError):
                response = await http.post(
                    f"{HALL}/windows/{window}/{action}", headers=headers, json=body
                )
                ticket = response.json().get("ticket") if response.status_code == 200 else None
                if ticket:
                    done.append((ticket["id"], ticket["status"]))


def test_acknowledged_actions_survive_sigkill(tmp_path: Path) -> None:
    server = LiveServer(tmp_path).start()
    acked: list[dict[str, str]] = []
    done: list[tuple[str, str]] = []
    ready: list[int] = []  # windows whose clerk has signed in

    async def stream() -> None:
        stop = asyncio.Event()
        async with contextlib.AsyncExitStack() as stack:
            clients = [
                await stack.enter_async_context(httpx.AsyncClient(base_url=server.url, timeout=10))
                for _ in range(5)
            ]
            tasks = [asyncio.create_task(_kiosk(clients[i], acked, stop)) for i in range(2)]
            tasks += [
                asyncio.create_task(_clerk(clients[2 + i], 1 + i, done, stop, ready))
                for i in range(3)
            ]
            for _ in range(1200):  # at most 120 s
                if len(ready) == 3 and len(acked) >= 60 and len(done) >= 40:
                    break
                await asyncio.sleep(0.1)
            server.kill()  # mid-stream: requests are in flight
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)

    try:
        asyncio.run(stream())
        assert len(acked) >= 60
        assert len(done) >= 40
        server.start()
        with httpx.Client(base_url=server.url) as http:
            for ticket in acked:
                found = http.get(f"/api/tickets/{ticket['id']}")
                assert found.status_code == 200
                assert found.json()["number"] == ticket["number"]
            order = ["waiting", "called", "serving", "finished"]
            for ticket_id, status in done:
                now = http.get(f"/api/tickets/{ticket_id}").json()["status"]
                assert order.index(now) >= order.index(status), (ticket_id, status, now)
            numbers = [t["number"] for t in acked]
            assert len(set(numbers)) == len(numbers)
            windows = http.get(f"{HALL}/windows").json()
            assert [w["status"] for w in windows[:3]] == ["open"] * 3
    finally:
        server.stop()
