"""Two server processes on one PostgreSQL behave as one hall on the screens.

With each cross-process backend (PostgreSQL LISTEN/NOTIFY, Redis): screens on either
process get the same calls in the same order with the same ``seq``/``prev`` chain while
windows call through both processes at once; ``seq`` never goes backwards; and a screen
that keeps switching process with ``?since=`` hears every call exactly once, in order.
The truth is the call-next answers of the two windows, not the screens.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from displays.screen_state import Gap, ScreenState
from tests.displays.test_backends import redis_url
from tests.displays.test_cross_process import make_database
from tests.live_server import LiveServer

pytestmark = pytest.mark.postgres

HALL = "/api/halls/district"
BACKENDS = ["postgres", "redis"]


def prepared(url: str, data_dir: Path) -> None:
    """Migrate and load the demo halls once, so both servers can start at the same time."""
    from hall.bootstrap import prepare
    from hall.settings import Settings
    from hall.store.db import Database

    settings = Settings.from_environ({"HALL_DATA_DIR": str(data_dir), "HALL_DATABASE_URL": url})

    async def run() -> None:
        db = Database(url)
        try:
            await prepare(db, settings)
        finally:
            await db.dispose()

    asyncio.run(run())


@contextlib.contextmanager
def two_servers(tmp_path: Path, backend: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    env = {"HALL_DISPLAY_BACKEND": backend, "HALL_TICKET_RATE_LIMIT": "0"}
    if backend == "redis":
        env["HALL_REDIS_URL"] = redis_url()
    url, drop = make_database()
    env["HALL_DATABASE_URL"] = url
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(LiveServer(tmp_path / name, **env))
    try:
        prepared(url, tmp_path)
        starting = [threading.Thread(target=server.start, args=(180.0,)) for server in servers]
        for thread in starting:
            thread.start()
        for thread in starting:
            thread.join()
        assert all(s.process is not None and s.process.poll() is None for s in servers)
        yield servers[0], servers[1]
    finally:
        for server in servers:
            server.stop()
        drop()


class Window:
    """A clerk signed in at a window through one process; calls, starts and finishes."""

    def __init__(self, server: LiveServer, number: int) -> None:
        self.number = number
        self.http = httpx.Client(base_url=server.url, timeout=20)
        login = self.http.post(
            "/api/session", json={"username": f"clerk{number:02d}", "password": "tongban-demo"}
        )
        assert login.status_code == 200, login.text
        self.headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        path = f"{HALL}/windows/{number}"
        assert self.http.post(f"{path}/sign-in", headers=self.headers).status_code == 200
        self.called: list[str] = []

    def serve(self, count: int) -> None:
        path = f"{HALL}/windows/{self.number}"
        for _ in range(count):
            answer = self.http.post(f"{path}/call-next", headers=self.headers)
            assert answer.status_code == 200, answer.text
            self.called.append(answer.json()["ticket"]["number"])
            self.http.post(f"{path}/start", headers=self.headers)
            self.http.post(f"{path}/finish", headers=self.headers, json={"outcome": "completed"})


def issue(server: LiveServer, count: int) -> None:
    with httpx.Client(base_url=server.url, timeout=20) as http:
        for _ in range(count):
            answer = http.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
            assert answer.status_code == 201, answer.text


def both_windows_serve(
    a: LiveServer, b: LiveServer, each: int, windows: list[Window] | None = None
) -> list[Window]:
    """Window 1 through process A and window 2 through process B, at the same time."""
    windows = windows or [Window(a, 1), Window(b, 2)]
    threads = [threading.Thread(target=w.serve, args=(each,)) for w in windows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for window in windows:
        window.http.close()
    return windows


def ws_url(server: LiveServer, since: int | None = None) -> str:
    query = "" if since is None else f"?since={since}"
    return f"ws://127.0.0.1:{server.port}/ws/halls/district/screens{query}"


class Recorder(threading.Thread):
    """A screen on one process that keeps every message until it has ``calls`` calls."""

    def __init__(self, server: LiveServer, calls: int) -> None:
        super().__init__(daemon=True)
        self.url, self.calls = ws_url(server), calls
        self.state = ScreenState()
        self.messages: list[dict[str, Any]] = []
        self.error: Exception | None = None
        self.ready = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + 60
        try:
            with connect(self.url) as ws:
                self.state.apply(json.loads(ws.recv(timeout=10)))
                self.ready.set()
                while sum(m["type"] == "called" for m in self.messages) < self.calls:
                    left = max(0.1, deadline - time.monotonic())
                    message = json.loads(ws.recv(timeout=left))
                    self.state.apply(message)  # raises Gap if the chain breaks
                    self.messages.append(message)
        except Exception as exc:
            self.error = exc
        finally:
            self.ready.set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_screens_on_both_processes_get_the_same_calls_in_the_same_chain(
    tmp_path: Path, backend: str
) -> None:
    """A screen on A from the start, one on B that comes in after a few calls (its
    process's feed starts then, after a finish): both chain the calls alike."""
    each, early = 10, 3
    with two_servers(tmp_path, backend) as (a, b):
        issue(a, 2 * each + early)
        on_a = Recorder(a, 2 * each + early)
        on_a.start()
        on_a.ready.wait(timeout=15)
        first, windows = Window(a, 3), [Window(a, 1), Window(b, 2)]
        first.serve(early)  # ends with a finish: folded, it is no message of its own
        first.http.close()
        on_b = Recorder(b, 2 * each)
        on_b.start()
        on_b.ready.wait(timeout=15)
        both_windows_serve(a, b, each, windows)  # at once: within the feeds' hold
        for screen in (on_a, on_b):
            screen.join(timeout=60)
    for screen in (on_a, on_b):
        assert screen.error is None, screen.error
    chains = [
        [(m["seq"], m["prev"], m["ticket"]) for m in s.messages if m["type"] == "called"]
        for s in (on_a, on_b)
    ]
    # The same calls, in the same order, with the same seq and prev, on both processes.
    assert chains[0][early:] == chains[1]
    for screen in (on_a, on_b):
        seqs = [m["seq"] for m in screen.messages]
        assert seqs == sorted(seqs)  # never backwards
    # Each window's calls appear in the order its own answers came back.
    for window in (first, *windows):
        shown = [t for _seq, _prev, t in chains[0] if t in set(window.called)]
        assert shown == window.called
    assert len({t for *_, t in chains[0]}) == 2 * each + early


class Alternating:
    """A screen that hops between the processes with ``?since=`` as a real one would."""

    def __init__(self, servers: tuple[LiveServer, LiveServer]) -> None:
        self.servers = servers
        self.state = ScreenState()
        self.heard: list[tuple[int, str]] = []  # (seq, ticket) of every call announced
        self.hops = 0

    def visit(self, seconds: float) -> None:
        """Connect to the next process, listen for a while, leave."""
        server = self.servers[self.hops % 2]
        self.hops += 1
        with connect(ws_url(server, self.state.seq)) as ws:
            until = time.monotonic() + seconds
            while (left := until - time.monotonic()) > 0:
                try:
                    message = json.loads(ws.recv(timeout=left))
                except (TimeoutError, ConnectionClosed):
                    return
                try:
                    self.state.apply(message)
                except Gap:
                    return  # reconnect from where it is, as screen_client.js does
                if message["type"] in ("called", "recalled"):
                    self.heard.append((message["seq"], message["ticket"]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_screen_switching_process_hears_every_call_once_in_order(
    tmp_path: Path, backend: str
) -> None:
    each = 50
    with two_servers(tmp_path, backend) as (a, b):
        issue(a, 2 * each)
        screen = Alternating((a, b))
        screen.visit(0.5)  # a snapshot first
        workers = threading.Thread(target=lambda: out.extend(both_windows_serve(a, b, each)))
        out: list[Window] = []
        workers.start()
        while workers.is_alive():
            screen.visit(0.3)
        workers.join()
        for _ in range(6):  # the last calls, from either side
            screen.visit(0.5)
    truth = Counter(t for window in out for t in window.called)
    heard = Counter(t for _seq, t in screen.heard)
    assert screen.hops > 10
    assert heard == truth  # each call exactly once: none twice, none missed
    seqs = [seq for seq, _t in screen.heard]
    assert seqs == sorted(seqs)
    for window in out:
        assert [t for _s, t in screen.heard if t in set(window.called)] == window.called
