"""A database outage seen by one server process: its screen gets every call made through
the other process meanwhile, in order, once the database is back (nothing missed)."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from websockets.sync.client import connect

from displays.screen_state import ScreenState
from tests.displays.test_scaleout import Window, issue, two_servers, ws_url
from tests.live_server import LiveServer, free_port

pytestmark = pytest.mark.postgres


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 that can drop every connection and refuse new ones."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        self.up = True
        self.links: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.up = False
        with self.lock:
            links, self.links = self.links, []
        for sock in links:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self.cut()
        self.listener.close()


@pytest.mark.parametrize("backend", ["postgres"])
def test_a_screen_resynchronises_after_its_process_lost_the_database(
    tmp_path: Path, backend: str
) -> None:
    with two_servers(tmp_path, backend) as (a, _b):
        url = make_url(a.env["HALL_DATABASE_URL"])
        proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
        behind = url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
        (tmp_path / "c").mkdir()
        c = LiveServer(tmp_path / "c", **{**_env(a), "HALL_DATABASE_URL": behind})
        try:
            c.start(180.0)
            issue(a, 12)
            window = Window(a, 1)
            screen = Listening(ws_url(c), calls=10)
            screen.start()
            assert screen.ready.wait(timeout=30)
            window.serve(2)
            proxy.cut()  # process C loses the database; A goes on calling
            window.serve(6)
            time.sleep(3)
            proxy.restore()
            window.serve(2)
            screen.join(timeout=90)
            window.http.close()
        finally:
            c.stop()
            proxy.close()
    assert screen.error is None, screen.error
    assert screen.heard == window.called


class Listening(threading.Thread):
    """A screen that answers heartbeats (as screen_client.js does) and keeps the calls."""

    def __init__(self, url: str, calls: int) -> None:
        super().__init__(daemon=True)
        self.url, self.calls = url, calls
        self.heard: list[str] = []
        self.error: Exception | None = None
        self.ready = threading.Event()

    def run(self) -> None:
        state = ScreenState()
        deadline = time.monotonic() + 120
        try:
            with connect(self.url) as ws:
                state.apply(json.loads(ws.recv(timeout=30)))
                self.ready.set()
                while len(self.heard) < self.calls:
                    left = max(0.1, deadline - time.monotonic())
                    message = json.loads(ws.recv(timeout=left))
                    state.apply(message)  # no gap: the chain holds across the outage
                    if message["type"] == "heartbeat":
                        ws.send(json.dumps({"type": "heartbeat", "seq": state.seq}))
                    elif message["type"] == "called":
                        self.heard.append(message["ticket"])
        except Exception as exc:
            self.error = exc
        finally:
            self.ready.set()


def _env(server: LiveServer) -> dict[str, str]:
    return {k: v for k, v in server.env.items() if k.startswith("HALL_") and k != "HALL_DATA_DIR"}
