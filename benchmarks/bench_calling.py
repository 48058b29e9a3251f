"""Ticket issue and call-next throughput of the real server vs a bare Starlette baseline.

Usage: .venv/bin/python benchmarks/bench_calling.py [--requests N] [--concurrency C]
       [--database sqlite|postgres] [--rounds R]

Both servers run as separate uvicorn processes on 127.0.0.1 with the same database
settings (SQLite: WAL, synchronous=FULL, BEGIN IMMEDIATE; PostgreSQL: a fresh database
each on the local server, dropped afterwards). The baseline is the least a
correct server must do per request: parse JSON, one write transaction (insert a ticket;
claim the oldest waiting row for a call), answer JSON. Goal: Tongban >= 50 % of bare.
The two take turns for several rounds and the ratios use the medians, so a passing
disturbance on the machine moves one measurement, not the result.
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

from tests.live_server import LiveServer, free_port, wait_until_answering  # noqa: E402

DEMO_PASSWORD = "tongban-demo"
HALL = "/api/halls/district"


# ---------------------------------------------------------------- the bare baseline app
def bare_app(url: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from hall.store.db import Database

    db = Database(url)

    key = "INTEGER PRIMARY KEY" if db.is_sqlite else "SERIAL PRIMARY KEY"
    skip_locked = "" if db.is_sqlite else " FOR UPDATE SKIP LOCKED"

    async def setup() -> None:
        async with db.write() as session:
            await session.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS bare (id {key}, matter TEXT, status TEXT, at TEXT)"
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
                    f"WHERE status = 'waiting' ORDER BY id LIMIT 1{skip_locked}) RETURNING id"
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


async def call_cycles(
    base: str, windows: int, per_window: int, pid: int
) -> tuple[list[float], float, float]:
    """Each window: call-next, start, finish, repeated.

    Returns the call-next latencies, the seconds taken and the server's CPU seconds, both
    counted after the clerks signed in (a password check costs far more than an action).
    """
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

        started, cpu = time.perf_counter(), cpu_seconds(pid)
        await asyncio.gather(*(window(*c) for c in clients))
        return latencies, time.perf_counter() - started, cpu_seconds(pid) - cpu


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "HALL_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
        ),
        help="an existing database to connect to while creating the two fresh ones",
    )
    parser.add_argument("--bare-server", nargs=2, metavar=("PORT", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        serve_bare(int(args.bare_server[0]), args.bare_server[1])
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args, Path(tmp)))


async def run(args: argparse.Namespace, tmp: Path) -> int:
    if args.database == "sqlite":
        urls = {
            "tongban": f"sqlite+aiosqlite:///{tmp / 'tongban.db'}",
            "bare": f"sqlite+aiosqlite:///{tmp / 'bare.db'}",
        }
        return await run_on(args, tmp, urls)
    async with contextlib.AsyncExitStack() as stack:
        urls = {
            name: await stack.enter_async_context(postgres_database(args.postgres_url, name))
            for name in ("tongban", "bare")
        }
        return await run_on(args, tmp, urls)


@contextlib.asynccontextmanager
async def postgres_database(base: str, name: str):  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL database next to ``base``, dropped afterwards."""
    import asyncpg
    from sqlalchemy.engine import make_url

    url = make_url(base)
    database = f"bench_calling_{name}_{os.getpid()}"
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    try:
        yield url.set(database=database).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        finally:
            await admin.close()


async def run_on(args: argparse.Namespace, tmp: Path, urls: dict[str, str]) -> int:
    server = LiveServer(tmp, HALL_DATABASE_URL=urls["tongban"]).start()
    bare_port = free_port()
    bare = subprocess.Popen(
        [sys.executable, __file__, "--bare-server", str(bare_port), urls["bare"]],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        await wait_until_answering(f"http://127.0.0.1:{bare_port}")
        n, c = args.requests, args.concurrency
        print(
            f"bench_calling: {args.database}, {n} requests, concurrency {c},"
            f" {os.cpu_count()} cores, {args.rounds} rounds (bare and Tongban take turns;"
            " the ratios use each measurement's median)"
        )
        body = {"matter": "SI-REG"}
        assert server.process is not None
        pid = server.process.pid
        bare_url = f"http://127.0.0.1:{bare_port}"
        rates: dict[str, list[float]] = {"bare": [], "issue": [], "claim": [], "actions": []}
        for round_no in range(1, args.rounds + 1):
            print(f" round {round_no}")
            rates["bare"].append(
                await measure(bare_url, "/items", n, c, body, "bare insert", bare.pid)
            )
            rates["issue"].append(
                await measure(
                    server.url, f"{HALL}/tickets", n, c, body, "tongban POST tickets", pid
                )
            )
            # As many clients as windows: both sides see the same number of requests at once.
            rates["claim"].append(
                await measure(
                    bare_url,
                    "/claim",
                    n,
                    args.windows,
                    {},
                    f"bare claim ({args.windows} clients)",
                    bare.pid,
                )
            )
            per_window = n // args.windows
            latencies, seconds, cpu = await call_cycles(server.url, args.windows, per_window, pid)
            summary(
                f"tongban call-next ({args.windows} windows)", latencies, seconds, len(latencies)
            )
            actions = 3 * len(latencies) / seconds  # call-next, start and finish
            rates["actions"].append(actions)
            used = cpu / (3 * len(latencies))
            print(
                f"  tongban window actions             {actions:8.1f} req/s"
                f"   (call-next + start + finish)   server CPU {used * 1000:5.2f} ms/req"
            )
        median = {name: statistics.median(values) for name, values in rates.items()}
        print(
            f"  ratio issue           tongban/bare insert = {median['issue'] / median['bare']:5.2f}"
            f"  (goal >= 0.50; medians {median['issue']:.1f} / {median['bare']:.1f} req/s)"
        )
        print(
            f"  ratio window actions  tongban/bare claim  = "
            f"{median['actions'] / median['claim']:5.2f}  (goal >= 0.50; medians "
            f"{median['actions']:.1f} / {median['claim']:.1f} req/s; a window can call again"
            " only after start and finish, so every action counts)"
        )
    finally:
        server.stop()
        bare.terminate()
        bare.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
