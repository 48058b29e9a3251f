"""Screen fan-out benchmark: call-next → the last of N screens has the call.

    .venv/bin/python benchmarks/bench_screens.py [--screens 100,1000,5000] [--calls 50]
        [--rounds 3]

For each N it starts (on 127.0.0.1 only, free ports) a real Tongban server on a fresh
SQLite file and, in the same run, a bare Starlette "insert then broadcast" server;
N WebSocket screens live in a separate client process. For each call it measures the
time from the call's HTTP response to the moment the last screen received it, and
prints p50/p99, the ratio to the bare server and the server's memory per connection.
The two take turns for several rounds per size and the median of the rounds' p99 ratios
is the result: a p99 of 50 calls is one slow call, which a passing disturbance of the
machine makes on either side.
Every process it starts is stopped by PID; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
HALL = "/api/halls/district"
WINDOWS = 12


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# -- the bare baseline server ---------------------------------------------------------


def bare_app() -> Any:
    """Starlette: POST /call inserts a row with aiosqlite, answers, then sends to every socket.

    Like Tongban it answers once the row is committed and broadcasts after the answer
    (a server that broadcasts before answering hides its broadcast from a clock that
    starts at the answer).
    """
    import aiosqlite
    from starlette.applications import Starlette
    from starlette.background import BackgroundTask
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route, WebSocketRoute
    from starlette.websockets import WebSocket, WebSocketDisconnect

    sockets: set[WebSocket] = set()
    state: dict[str, Any] = {}

    async def call(request: Request) -> JSONResponse:
        if "db" not in state:
            state["db"] = await aiosqlite.connect(Path(tempfile.mkdtemp()) / "bare.db")
            await state["db"].execute("CREATE TABLE calls (id INTEGER PRIMARY KEY, n TEXT)")
        number = (await request.json())["ticket"]
        await state["db"].execute("INSERT INTO calls (n) VALUES (?)", (number,))
        await state["db"].commit()
        text = json.dumps({"type": "called", "ticket": number, "window": 1}, separators=(",", ":"))

        async def broadcast() -> None:
            for ws in list(sockets):
                with contextlib.suppress(Exception):
                    await ws.send_text(text)

        return JSONResponse({"ticket": {"number": number}}, background=BackgroundTask(broadcast))

    async def screen(ws: WebSocket) -> None:
        await ws.accept()
        sockets.add(ws)
        try:
            while True:
                await ws.receive_text()
        except WebSocketDisconnect:
            pass
        finally:
            sockets.discard(ws)

    return Starlette(routes=[Route("/call", call, methods=["POST"]), WebSocketRoute("/ws", screen)])


def serve_bare(port: int) -> None:
    import uvicorn

    uvicorn.run(
        bare_app(), host="127.0.0.1", port=port, log_level="warning", ws_per_message_deflate=False
    )


# -- the screen client process --------------------------------------------------------


class Screen(asyncio.Protocol):
    """One screen: a minimal WebSocket client (RFC 6455) that notes when calls arrive.

    The measuring instrument must cost far less than what it measures: a general client
    library spends more CPU per message than the servers do, and with thousands of
    screens in one process its queue, not the server, would set the figure. This one
    reads frames straight from the socket, answers heartbeats and pings, and parses
    JSON only for a call. Both servers are measured with it.
    """

    def __init__(self, host: str, path: str, seen: dict[str, list[float]]) -> None:
        self.host, self.path, self.seen = host, path, seen
        self.buffer = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.message = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        key = base64.b64encode(os.urandom(16)).decode()
        transport.write(
            f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed before the upgrade"))

    def send(self, opcode: int, payload: bytes) -> None:
        assert self.transport is not None
        assert len(payload) < 126
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes((0x80 | opcode, 0x80 | len(payload))) + mask + masked)

    def data_received(self, data: bytes) -> None:
        at = time.monotonic()
        buffer = self.buffer
        buffer += data
        if not self.upgraded.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            if not buffer.startswith(b"HTTP/1.1 101"):
                self.upgraded.set_exception(ConnectionError(bytes(buffer[:end]).decode()))
                return
            del buffer[: end + 4]
            self.upgraded.set_result(True)
        while len(buffer) >= 2:
            size, start = buffer[1] & 0x7F, 2
            if size == 126:
                if len(buffer) < 4:
                    return
                size, start = int.from_bytes(buffer[2:4], "big"), 4
            elif size == 127:
                if len(buffer) < 10:
                    return
                size, start = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < start + size:
                return
            opcode, final = buffer[0] & 0x0F, buffer[0] & 0x80
            self.message += buffer[start : start + size]
            del buffer[: start + size]
            if opcode == 0x9:  # ping
                self.send(0xA, bytes(self.message))
                self.message.clear()
            elif final:
                self.on_message(bytes(self.message), at)
                self.message.clear()

    def on_message(self, raw: bytes, at: float) -> None:
        if b'"type":"heartbeat"' in raw:
            self.send(0x1, b'{"type":"heartbeat"}')
        elif b'"type":"called"' in raw:
            # Only the ticket number is read: parsing the whole message would charge the
            # server for the client's work, more for a richer message (Tongban's calls
            # carry the announcement and the board patch; the bare server's do not).
            start = raw.index(b'"ticket":"') + 10
            ticket = raw[start : raw.index(b'"', start)].decode()
            entry = self.seen.setdefault(ticket, [0, 0.0])
            entry[0] += 1
            entry[1] = at


async def run_clients(url: str, count: int) -> None:
    """Open ``count`` screens; on stdin EOF print {ticket: [screens, last receive]}."""
    parsed = urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    loop = asyncio.get_running_loop()
    seen: dict[str, list[float]] = {}
    screens: list[Screen] = []

    async def open_one() -> None:
        _transport, screen = await loop.create_connection(
            lambda: Screen(f"{host}:{port}", parsed.path, seen), host, port
        )
        await asyncio.wait_for(screen.upgraded, 60)
        screens.append(screen)

    for start in range(0, count, 250):
        batch = range(start, min(count, start + 250))
        await asyncio.gather(*(open_one() for _ in batch), return_exceptions=True)
        await asyncio.sleep(0.3)
    await asyncio.sleep(1.0)
    alive = sum(1 for s in screens if s.transport is not None and not s.transport.is_closing())
    print(json.dumps({"ready": alive}), flush=True)
    await loop.run_in_executor(None, sys.stdin.read)
    print(json.dumps({"seen": seen}), flush=True)
    for screen in screens:
        if screen.transport is not None:
            screen.transport.close()


# -- the driver ---------------------------------------------------------------------


class Process:
    """A child process, stopped by its PID."""

    def __init__(self, args: list[str], env: dict[str, str] | None = None, **kw: Any) -> None:
        self.popen = subprocess.Popen(args, env={**os.environ, **(env or {})}, cwd=ROOT, **kw)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(url, timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def start_clients(url: str, count: int) -> tuple[Process, int]:
    clients = Process(
        [sys.executable, __file__, "--client", url, str(count)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert clients.popen.stdout is not None
    ready = json.loads(clients.popen.stdout.readline())["ready"]
    return clients, int(ready)


def finish_clients(clients: Process) -> dict[str, list[float]]:
    assert clients.popen.stdin is not None
    assert clients.popen.stdout is not None
    clients.popen.stdin.close()
    seen: dict[str, list[float]] = json.loads(clients.popen.stdout.readline())["seen"]
    clients.stop()
    return seen


def latencies(sent: dict[str, float], seen: dict[str, list[float]], screens: int) -> list[float]:
    out = []
    for ticket, at in sent.items():
        count, last = seen.get(ticket, (0, 0.0))
        if count == screens:
            out.append((last - at) * 1000)
    return out


def collect(
    clients: Process,
    ready: int,
    per_conn: float,
    sent: dict[str, float],
    started: dict[str, float],
) -> dict[str, Any]:
    """Let the last calls arrive, stop the screens and turn what they saw into figures."""
    time.sleep(1.5)
    seen = finish_clients(clients)
    return {
        "ready": ready,
        "ms": latencies(sent, seen, ready),
        "from_request_ms": latencies(started, seen, ready),
        "kib_per_conn": per_conn,
    }


def measure_tongban(screens: int, calls: int) -> dict[str, Any]:
    port = free_port()
    data = Path(tempfile.mkdtemp(prefix="bench-screens-"))
    env = {
        "HALL_DATA_DIR": str(data),
        "HALL_LOG_LEVEL": "warning",
        "HALL_SCREEN_QUEUE": "256",
        "HALL_TICKET_RATE_LIMIT": "0",  # one address issues every call's ticket
        # Monday 09:00 in the demo halls, when they issue tickets (the clock runs on).
        "HALL_CLOCK_START": "2026-11-23T01:00:00+00:00",
        "HALL_SCREEN_SOCKETS_PER_ADDRESS": "0",  # every screen here is 127.0.0.1
    }
    env.pop("HALL_CONFIG", None)
    server = Process([sys.executable, "-m", "web.cli", "serve", "--port", str(port)], env)
    clients = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz")
        http = httpx.Client(base_url=base, timeout=30)
        for _ in range(calls):
            http.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
        clerks = []
        for w in range(1, WINDOWS + 1):
            clerk = httpx.Client(base_url=base, timeout=30)
            login = clerk.post(
                "/api/session", json={"username": f"clerk{w:02d}", "password": "tongban-demo"}
            )
            headers = {"X-CSRF-Token": login.json()["csrf_token"]}
            clerk.post(f"{HALL}/windows/{w}/sign-in", headers=headers)
            clerks.append((w, clerk, headers))
        before = rss_kib(server.popen.pid)
        clients, ready = start_clients(f"ws://127.0.0.1:{port}/ws/halls/district/screens", screens)
        per_conn = (rss_kib(server.popen.pid) - before) / max(ready, 1)
        sent: dict[str, float] = {}
        started: dict[str, float] = {}
        for i in range(calls):
            w, clerk, headers = clerks[i % WINDOWS]
            if i >= WINDOWS:  # free the window first (not timed)
                clerk.post(f"{HALL}/windows/{w}/start", headers=headers)
                clerk.post(
                    f"{HALL}/windows/{w}/finish", headers=headers, json={"outcome": "completed"}
                )
            time.sleep(0.15)
            asked = time.monotonic()
            response = clerk.post(f"{HALL}/windows/{w}/call-next", headers=headers)
            number = response.json()["ticket"]["number"]
            sent[number], started[number] = time.monotonic(), asked
        for _w, clerk, _h in clerks:
            clerk.close()
        http.close()
        return collect(clients, ready, per_conn, sent, started)
    finally:
        if clients is not None:
            clients.stop()
        server.stop()


def measure_bare(screens: int, calls: int) -> dict[str, Any]:
    port = free_port()
    server = Process([sys.executable, __file__, "--bare", str(port)])
    clients = None
    try:
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/call")
        before = rss_kib(server.popen.pid)
        clients, ready = start_clients(f"ws://127.0.0.1:{port}/ws", screens)
        per_conn = (rss_kib(server.popen.pid) - before) / max(ready, 1)
        sent: dict[str, float] = {}
        started: dict[str, float] = {}
        with httpx.Client(base_url=base, timeout=30) as http:
            for i in range(calls):
                time.sleep(0.15)
                number = f"B{i:03d}"
                started[number] = time.monotonic()
                http.post("/call", json={"ticket": number})
                sent[number] = time.monotonic()
        return collect(clients, ready, per_conn, sent, started)
    finally:
        if clients is not None:
            clients.stop()
        server.stop()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def report(screens: int, ours: dict[str, Any], bare: dict[str, Any]) -> tuple[float, float]:
    """Print one round's figures; the p99 ratios from the answer and from the request."""
    o50, o99 = pct(ours["ms"], 0.5), pct(ours["ms"], 0.99)
    b50, b99 = pct(bare["ms"], 0.5), pct(bare["ms"], 0.99)
    print(
        f"{screens:>6} screens | tongban p50 {o50:7.1f} ms p99 {o99:7.1f} ms "
        f"({len(ours['ms'])} calls, {ours['ready']} up, {ours['kib_per_conn']:.1f} KiB/conn) | "
        f"bare p50 {b50:7.1f} ms p99 {b99:7.1f} ms ({len(bare['ms'])} calls, "
        f"{bare['kib_per_conn']:.1f} KiB/conn) | p99 ratio {o99 / b99:.2f}x, "
        f"mean {statistics.fmean(ours['ms']) / statistics.fmean(bare['ms']):.2f}x",
        flush=True,
    )
    r99, s99 = pct(ours["from_request_ms"], 0.99), pct(bare["from_request_ms"], 0.99)
    print(
        f"{'':>6}         | from the request: tongban p99 {r99:7.1f} ms, bare p99 {s99:7.1f} ms,"
        f" ratio {r99 / s99:.2f}x",
        flush=True,
    )
    return o99 / b99, r99 / s99


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--screens", default="100,1000,5000")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--client", nargs=2, metavar=("URL", "N"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.client:
        asyncio.run(run_clients(args.client[0], int(args.client[1])))
        return 0
    if args.bare:
        serve_bare(args.bare)
        return 0
    print(
        f"{args.calls} calls per run, {args.rounds} rounds per size (Tongban and bare take"
        " turns); latency = call-next response → last screen has it"
    )
    for screens in (int(n) for n in args.screens.split(",")):
        ratios = []
        for _round in range(args.rounds):
            ours = measure_tongban(screens, args.calls)
            bare = measure_bare(screens, args.calls)
            ratios.append(report(screens, ours, bare))
        if args.rounds > 1:
            for name, index in (("from the answer", 0), ("from the request", 1)):
                values = [r[index] for r in ratios]
                print(
                    f"{screens:>6} screens | p99 ratio {name}, per round "
                    + ", ".join(f"{r:.2f}x" for r in values)
                    + f"; median {statistics.median(values):.2f}x (goal <= 2x)",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
