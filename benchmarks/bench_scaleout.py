"""Scale-out benchmark: call-next and screens with 1 and 2 server processes on PostgreSQL.

    .venv/bin/python benchmarks/bench_scaleout.py [--windows 8] [--calls 15] [--screens 60]
        [--backend postgres|redis]

Needs HALL_TEST_POSTGRES_URL (a database it may create others next to) and, for
``--backend redis``, HALL_TEST_REDIS_URL. In one run it measures, on a fresh database
each: one server process, then two processes (windows and screens spread over both).
Every window loops call-next, start, finish; screens record when each call reaches
them. It prints call-next throughput and the screen latency (request → last screen has
the call), and the ratios of two processes to one measured in the same run. Only
127.0.0.1; every process it starts is stopped by PID; the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.displays.test_cross_process import make_database  # noqa: E402
from tests.displays.test_scaleout import prepared  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

HALL = "/api/halls/district"


def start_servers(count: int, backend: str) -> tuple[list[LiveServer], Any]:
    url, drop = make_database()
    env = {
        "HALL_DATABASE_URL": url,
        "HALL_DISPLAY_BACKEND": backend,
        "HALL_TICKET_RATE_LIMIT": "0",
        "HALL_SCREEN_QUEUE": "256",
        "HALL_SCREEN_SOCKETS_PER_ADDRESS": "0",  # every screen here is 127.0.0.1
    }
    if backend == "redis":
        env["HALL_REDIS_URL"] = os.environ["HALL_TEST_REDIS_URL"]
    data = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    prepared(url, data)
    servers = []
    for n in range(count):
        (data / str(n)).mkdir()
        servers.append(LiveServer(data / str(n), **env))
    threads = [threading.Thread(target=s.start, args=(180.0,)) for s in servers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return servers, drop


class Screens:
    """Screens spread over the processes; when each call reached each screen."""

    def __init__(self, urls: list[str], count: int) -> None:
        self.urls, self.count = urls, count
        self.seen: list[dict[str, float]] = [{} for _ in range(count)]
        self.tasks: list[asyncio.Task[None]] = []
        self.ready = 0

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._one(i)) for i in range(self.count)]
        while self.ready < self.count:
            await asyncio.sleep(0.05)

    async def _one(self, index: int) -> None:
        url = self.urls[index % len(self.urls)]
        async with connect(url, max_size=None) as ws:
            await ws.recv()  # the snapshot
            self.ready += 1
            async for raw in ws:
                message = json.loads(raw)
                if message["type"] == "called":
                    self.seen[index].setdefault(message["ticket"], time.monotonic())
                elif message["type"] == "heartbeat":
                    await ws.send(json.dumps({"type": "heartbeat", "seq": message["seq"]}))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def run_windows(
    servers: list[LiveServer], windows: int, calls: int
) -> tuple[dict[str, float], float, int]:
    """Every window's loop; (ticket → when its call-next was asked), seconds, calls."""
    asked: dict[str, float] = {}
    clients = []
    for w in range(1, windows + 1):
        http = httpx.AsyncClient(base_url=servers[w % len(servers)].url, timeout=60)
        login = await http.post(
            "/api/session", json={"username": f"clerk{w:02d}", "password": "tongban-demo"}
        )
        headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        await http.post(f"{HALL}/windows/{w}/sign-in", headers=headers)
        clients.append((w, http, headers))

    async def loop(w: int, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
        path = f"{HALL}/windows/{w}"
        for _ in range(calls):
            started = time.monotonic()
            answer = await http.post(f"{path}/call-next", headers=headers)
            ticket = answer.json().get("ticket")
            if ticket is None:
                return
            asked[ticket["number"]] = started
            await http.post(f"{path}/start", headers=headers)
            await http.post(f"{path}/finish", headers=headers, json={"outcome": "completed"})

    begun = time.monotonic()
    await asyncio.gather(*(loop(*client) for client in clients))
    seconds = time.monotonic() - begun
    for _w, http, _h in clients:
        await http.aclose()
    return asked, seconds, len(asked)


async def drive(servers: list[LiveServer], args: argparse.Namespace) -> tuple[Any, ...]:
    async with httpx.AsyncClient(base_url=servers[0].url, timeout=60) as http:
        for _ in range(args.windows * args.calls):
            await http.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
    urls = [f"ws://127.0.0.1:{s.port}/ws/halls/district/screens" for s in servers]
    screens = Screens(urls, args.screens)
    await screens.start()
    asked, seconds, calls = await run_windows(servers, args.windows, args.calls)
    await asyncio.sleep(2.0)  # the last calls arrive
    await screens.stop()
    return screens, asked, seconds, calls


def measure(processes: int, args: argparse.Namespace) -> dict[str, Any]:
    servers, drop = start_servers(processes, args.backend)
    try:
        screens, asked, seconds, calls = asyncio.run(drive(servers, args))
    finally:
        for server in servers:
            server.stop()
        drop()
    latencies = []
    missing = 0
    for ticket, started in asked.items():
        arrivals = [seen[ticket] for seen in screens.seen if ticket in seen]
        missing += args.screens - len(arrivals)
        if arrivals:
            latencies.append((max(arrivals) - started) * 1000)
    latencies.sort()
    return {
        "throughput": calls / seconds,
        "p50": statistics.median(latencies),
        "p99": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
        "calls": calls,
        "missing": missing,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=8)
    parser.add_argument("--calls", type=int, default=15, help="calls per window")
    parser.add_argument("--screens", type=int, default=60)
    parser.add_argument("--backend", choices=("postgres", "redis"), default="postgres")
    args = parser.parse_args()
    if not os.environ.get("HALL_TEST_POSTGRES_URL"):
        print("Set HALL_TEST_POSTGRES_URL (postgresql+asyncpg://USER@HOST/DB).", file=sys.stderr)
        return 2
    print(
        f"{args.windows} windows × {args.calls} calls (call-next, start, finish), "
        f"{args.screens} screens, backend {args.backend}; latency = call-next request → "
        "last screen has the call"
    )
    found = {}
    for processes in (1, 2):
        result = measure(processes, args)
        found[processes] = result
        print(
            f"  {processes} process(es): {result['throughput']:6.1f} calls/s, screen latency "
            f"p50 {result['p50']:7.1f} ms p99 {result['p99']:7.1f} ms "
            f"({result['calls']} calls, {result['missing']} screen arrivals missing)"
        )
    one, two = found[1], found[2]
    print(
        f"  2 vs 1 process: throughput {two['throughput'] / one['throughput']:.2f}x, "
        f"screen latency p50 {two['p50'] / one['p50']:.2f}x, p99 {two['p99'] / one['p99']:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
