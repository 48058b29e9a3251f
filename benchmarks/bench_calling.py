"""Ticket issue and call-next throughput of the real server vs a bare Starlette baseline.

Usage: .venv/bin/python benchmarks/bench_calling.py [--requests N] [--concurrency C]

Both servers run as separate uvicorn processes on 127.0.0.1 with the same database
settings (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE). The baseline is the least a
correct server must do per request: parse JSON, one write transaction (insert a ticket;
claim the oldest waiting row for a call), answer JSON. Goal: Tongban >= 50 % of bare.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import LiveServer, free_port  # noqa: E402

DEMO_PASSWORD = "tongban-demo"
HALL = "/api/halls/district"


# ---------------------------------------------------------------- the bare baseline app
def bare_app(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from hall.db import Database

    db = Database(url)

    async def setup() -> None:
        async with db.write() as session:
            await session.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, "
                    "matter TEXT, status TEXT, at TEXT)"
                )
            )

    async def insert(request: Request) -> JSONResponse:
        body = await request.json()
        async with db.write() as session:
            row = await session.execute(
                text(
                    "INSERT INTO bare (matter, status, at) VALUES (:m, 'waiting', "
                    "CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"m": body["matter"]},
            )
            new_id = row.scalar_one()
        return JSONResponse({"id": new_id, "status": "waiting"}, status_code=201)

    async def claim(request: Request) -> JSONResponse:
        async with db.write() as session:
            row = await session.execute(
                text(
                    "UPDATE bare SET status = 'called' WHERE id = (SELECT id FROM bare "
                    "WHERE status = 'waiting' ORDER BY id LIMIT 1) RETURNING id"
                )
            )
            claimed = row.scalar_one_or_none()
        return JSONResponse({"ticket": claimed})

    return Starlette(
        routes=[
            Route("/items", insert, methods=["POST"]),
            Route("/claim", claim, methods=["POST"]),
        ],
        lifespan=_lifespan(setup, db),
    )


def _lifespan(setup, db):  # type: ignore[no-untyped-def]
    @contextlib.asynccontextmanager
    async def lifespan(app):  # type: ignore[no-untyped-def]
        await setup()
        yield
        await db.dispose()

    return lifespan


def serve_bare(port: int, url: str) -> None:
    import uvicorn

    uvicorn.run(bare_app(url), host="127.0.0.1", port=port, log_level="warning")


# ---------------------------------------------------------------------- load generation
async def hammer(
    base: str, path: str, n: int, concurrency: int, body: dict[str, object]
) -> list[float]:
    latencies: list[float] = []
    todo = iter(range(n))
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:

        async def worker() -> None:
            for _ in todo:
                started = time.perf_counter()
                response = await http.post(path, json=body)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def call_cycles(base: str, windows: int, per_window: int) -> tuple[list[float], float]:
    """Each window: call-next, start, finish, repeated; returns call-next latencies, seconds."""
    latencies: list[float] = []
    async with contextlib.AsyncExitStack() as stack:
        clients = []
        for n in range(1, windows + 1):
            http = await stack.enter_async_context(httpx.AsyncClient(base_url=base, timeout=30))
            login = await http.post(
                "/api/session", json={"username": f"clerk{n:02d}", "password": DEMO_PASSWORD}
            )
            headers = {"X-CSRF-Token": login.json()["csrf_token"]}
            (await http.post(f"{HALL}/windows/{n}/sign-in", headers=headers)).raise_for_status()
            clients.append((n, http, headers))

        async def window(n: int, http: httpx.AsyncClient, headers: dict[str, str]) -> None:
            for _ in range(per_window):
                started = time.perf_counter()
                called = await http.post(f"{HALL}/windows/{n}/call-next", headers=headers)
                latencies.append(time.perf_counter() - started)
                called.raise_for_status()
                if called.json()["ticket"] is None:
                    return
                await http.post(f"{HALL}/windows/{n}/start", headers=headers)
                await http.post(
                    f"{HALL}/windows/{n}/finish", headers=headers, json={"outcome": "completed"}
                )

        started = time.perf_counter()
        await asyncio.gather(*(window(*c) for c in clients))
        return latencies, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its threads (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(
    name: str, latencies: list[float], seconds: float, count: int, cpu: float | None = None
) -> float:
    rate = count / seconds
    q = statistics.quantiles(latencies, n=100)
    per = "" if cpu is None else f"   server CPU {cpu / count * 1000:5.2f} ms/req"
    print(
        f"  {name:<34} {rate:8.1f} req/s   p50 {q[49] * 1000:6.1f} ms   "
        f"p99 {q[98] * 1000:6.1f} ms{per}"
    )
    return rate


async def measure(
    base: str, path: str, n: int, c: int, body: dict[str, object], name: str, pid: int
) -> float:
    started, cpu = time.perf_counter(), cpu_seconds(pid)
    latencies = await hammer(base, path, n, c, body)
    used = cpu_seconds(pid) - cpu
    return summary(name, latencies, time.perf_counter() - started, n, used)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--windows", type=int, default=12)
    parser.add_argument("--bare-server", nargs=2, metavar=("PORT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(int(args.bare_server[0]), args.bare_server[1])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args, Path(tmp)))


async def run(args: argparse.Namespace, tmp: Path) -> int:
    urls = {
        "tongban": f"sqlite+aiosqlite:///{tmp / 'tongban.db'}",
        "bare": f"sqlite+aiosqlite:///{tmp / 'bare.db'}",
    }
    server = LiveServer(tmp, HALL_DATABASE_URL=urls["tongban"]).start()
    bare_port = free_port()
    bare = subprocess.Popen(
        [sys.executable, __file__, "--bare-server", str(bare_port), urls["bare"]],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await wait_up(f"http://127.0.0.1:{bare_port}")
        n, c = args.requests, args.concurrency
        print(f"bench_calling: SQLite, {n} requests, concurrency {c}, {os.cpu_count()} cores")
        body = {"matter": "SI-REG"}
        assert server.process is not None
        pid = server.process.pid
        bare_url = f"http://127.0.0.1:{bare_port}"
        bare_issue = await measure(bare_url, "/items", n, c, body, "bare insert", bare.pid)
        issue = await measure(
            server.url, f"{HALL}/tickets", n, c, body, "tongban POST tickets", pid
        )
        bare_claim = await measure(bare_url, "/claim", n, c, {}, "bare claim", bare.pid)
        per_window = n // args.windows
        cpu = cpu_seconds(pid)
        latencies, seconds = await call_cycles(server.url, args.windows, per_window)
        call = summary(
            f"tongban call-next ({args.windows} windows)", latencies, seconds, len(latencies)
        )
        print(
            f"  (the call cycles: server CPU {(cpu_seconds(pid) - cpu) / len(latencies) * 1000:.2f}"
            " ms per call-next + start + finish)"
        )
        print(f"  ratio issue     tongban/bare = {issue / bare_issue:5.2f}  (goal >= 0.50)")
        print(
            f"  ratio call-next tongban/bare = {call / bare_claim:5.2f}  (goal >= 0.50;"
            " each call-next also waits for its start and finish)"
        )
    finally:
        server.stop()
        bare.terminate()
        bare.wait(timeout=15)
    return 0


async def wait_up(base: str) -> None:
    async with httpx.AsyncClient(base_url=base) as http:
        for _ in range(300):
            try:
                await http.post("/claim")
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError("bare server did not start")


if __name__ == "__main__":
    sys.exit(main())
