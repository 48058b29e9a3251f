"""Booking throughput of the real server vs a bare conditional-update endpoint, same run.

Usage: .venv/bin/python benchmarks/bench_booking.py [--requests N] [--concurrency C]

Both servers run as separate uvicorn processes on 127.0.0.1 with the same SQLite
settings (WAL, synchronous=FULL, BEGIN IMMEDIATE through hall.store.db). The baseline is the
least a correct booking endpoint must do: parse JSON, one write transaction with
``UPDATE slot SET booked = booked + 1 WHERE id = ? AND booked < capacity`` and an INSERT
of the booking, answer JSON. Tongban also validates the real-name data, applies the
booking rules (horizon, caps, credit) and answers the booking view.

Every request books for a different person (valid resident ID numbers with correct check
characters), spread over the matters and slots on sale now, so most requests succeed;
refusals (409, e.g. a slot that filled up) are counted separately.
Goal: Tongban >= 50 % of the bare rate, with p99 <= 2x the bare p99.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hall.booking.identity import check_char  # noqa: E402
from tests.live_server import LiveServer, free_port, wait_until_answering  # noqa: E402

HALL = "district"


# ---------------------------------------------------------------- the bare baseline app
def bare_app(url: str, slots_file: str):  # type: ignore[no-untyped-def]
    from sqlalchemy import text
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from hall.store.db import Database

    db = Database(url)
    capacities = json.loads(Path(slots_file).read_text())

    async def setup() -> None:
        async with db.write() as session:
            await session.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS slot (id INTEGER PRIMARY KEY, "
                    "capacity INTEGER NOT NULL, booked INTEGER NOT NULL DEFAULT 0)"
                )
            )
            await session.execute(
                text(
                    "CREATE TABLE IF NOT EXISTS booking (id INTEGER PRIMARY KEY, "
                    "slot_id INTEGER NOT NULL REFERENCES slot(id), person TEXT NOT NULL UNIQUE, "
                    "created_at TEXT NOT NULL)"
                )
            )
            for slot_id, capacity in enumerate(capacities):
                await session.execute(
                    text("INSERT OR IGNORE INTO slot (id, capacity) VALUES (:i, :c)"),
                    {"i": slot_id, "c": capacity},
                )

    async def book(request: Request) -> JSONResponse:
        body = await request.json()
        async with db.write() as session:
            taken = await session.execute(
                text(
                    "UPDATE slot SET booked = booked + 1 WHERE id = :s AND booked < capacity "
                    "RETURNING id"
                ),
                {"s": body["slot"]},
            )
            if taken.first() is None:
                return JSONResponse({"error": {"code": "slot_full"}}, status_code=409)
            row = await session.execute(
                text(
                    "INSERT INTO booking (slot_id, person, created_at) "
                    "VALUES (:s, :p, CURRENT_TIMESTAMP) RETURNING id"
                ),
                {"s": body["slot"], "p": body["person"]},
            )
            new_id = row.scalar_one()
        return JSONResponse({"id": new_id, "status": "booked"}, status_code=201)

    @contextlib.asynccontextmanager
    async def lifespan(app):  # type: ignore[no-untyped-def]
        await setup()
        yield
        await db.dispose()

    return Starlette(routes=[Route("/book", book, methods=["POST"])], lifespan=lifespan)


def serve_bare(port: int, url: str, slots_file: str) -> None:
    import uvicorn

    uvicorn.run(
        bare_app(url, slots_file),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        access_log=False,
    )


# ---------------------------------------------------------------------- the workload
@dataclass(frozen=True)
class Target:
    matter: str
    start: str
    available: int


def resident_id(serial: int) -> str:
    """A valid, distinct 18-character resident ID for person number ``serial``."""
    born = date(1950, 1, 1) + timedelta(days=serial // 900)
    body = f"110101{born:%Y%m%d}{100 + serial % 900:03d}"
    return body + check_char(body)


async def targets(base: str) -> list[Target]:
    """Every (matter, slot) on sale now with free seats, from the server's own API."""
    found: list[Target] = []
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        matters = (await http.get(f"/api/halls/{HALL}/matters")).json()
        bookable = [m["code"] for m in matters if m["bookable"]]
        today = datetime.now().date()
        seen: set[tuple[str, str]] = set()
        for offset in range(10):
            day = (today + timedelta(days=offset)).isoformat()
            for code in bookable:
                listed = await http.get(
                    f"/api/halls/{HALL}/slots", params={"matter": code, "date": day}
                )
                listed.raise_for_status()
                for slot in listed.json():
                    key = (code, slot["start"])
                    if slot["available"] > 0 and key not in seen:
                        seen.add(key)
                        found.append(Target(code, slot["start"], slot["available"]))
    return found


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    seconds: float = 0.0


async def drive(
    base: str, path: str, bodies: list[dict[str, Any]], concurrency: int, deadline: float
) -> Result:
    """Send every body once from ``concurrency`` clients; stops early at the deadline."""
    result = Result()
    todo = iter(bodies)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:

        async def client() -> None:
            for body in todo:
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                response = await http.post(path, json=body)
                result.latencies.append(time.perf_counter() - started)
                result.statuses[response.status_code] += 1

        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        result.seconds = time.perf_counter() - started
    return result


def report(name: str, result: Result) -> tuple[float, float]:
    done = len(result.latencies)
    rate = done / result.seconds
    booked = result.statuses[201] / result.seconds
    q = statistics.quantiles(result.latencies, n=100)
    codes = " ".join(f"{k}:{v}" for k, v in sorted(result.statuses.items()))
    print(
        f"  {name:<8} {rate:7.1f} req/s  {booked:7.1f} booked/s  "
        f"p50 {q[49] * 1000:7.1f} ms  p99 {q[98] * 1000:7.1f} ms  [{codes}]"
    )
    return booked, q[98]


def workload(slots: list[Target], n: int, first: int) -> tuple[list[dict[str, Any]], list[int]]:
    """Tongban bodies and, for the bare app, the index of the slot each one takes."""
    seats = list(
        itertools.chain.from_iterable(itertools.repeat(i, t.available) for i, t in enumerate(slots))
    )
    # Interleave the seats so that concurrent requests spread over many slots.
    spread = [seats[(k * 7919) % len(seats)] for k in range(len(seats))] if seats else []
    picks = [spread[k % len(spread)] for k in range(n)]
    bodies = [
        {
            "hall": HALL,
            "matter": slots[i].matter,
            "start": slots[i].start,
            "name": "张三",
            "id_number": resident_id(first + k),
            "phone": f"139{first + k:08d}",
        }
        for k, i in enumerate(picks)
    ]
    return bodies, picks


# ---------------------------------------------------------------------------- the run
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--max-seconds", type=float, default=120.0, help="per phase")
    parser.add_argument("--bare-server", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare_server:
        port, url, slots_file = args.bare_server
        serve_bare(int(port), url, slots_file)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        return asyncio.run(run(args, Path(tmp)))


async def run(args: argparse.Namespace, tmp: Path) -> int:
    server = LiveServer(
        tmp,
        HALL_DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'tongban.db'}",
        HALL_BOOKING_RATE_LIMIT="0",
    ).start()
    bare: subprocess.Popen[bytes] | None = None
    try:
        slots = await targets(server.url)
        seats = sum(t.available for t in slots)
        n, c = args.requests, args.concurrency
        warm = min(100, n // 10)
        bodies, picks = workload(slots, n + warm, 0)
        slots_file = tmp / "slots.json"
        slots_file.write_text(json.dumps([t.available for t in slots]))
        bare_port = free_port()
        bare = subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--bare-server",
                str(bare_port),
                f"sqlite+aiosqlite:///{tmp / 'bare.db'}",
                str(slots_file),
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        bare_url = f"http://127.0.0.1:{bare_port}"
        await wait_until_answering(bare_url)
        bare_bodies = [
            {"slot": i, "person": b["id_number"]} for i, b in zip(picks, bodies, strict=False)
        ]
        print(
            f"bench_booking: SQLite, {n} bookings, {c} concurrent clients, "
            f"{len(slots)} slots with {seats} free seats, {os.cpu_count()} cores"
        )
        limit = args.max_seconds
        # Warm both up (connections, caches), then measure.
        await drive(bare_url, "/book", bare_bodies[:warm], c, time.monotonic() + limit)
        await drive(server.url, "/api/appointments", bodies[:warm], c, time.monotonic() + limit)
        bare_result = await drive(
            bare_url, "/book", bare_bodies[warm:], c, time.monotonic() + limit
        )
        tongban_result = await drive(
            server.url, "/api/appointments", bodies[warm:], c, time.monotonic() + limit
        )
        bare_rate, bare_p99 = report("bare", bare_result)
        rate, p99 = report("tongban", tongban_result)
        print(f"  ratio booked/s tongban/bare = {rate / bare_rate:5.2f}  (goal >= 0.50)")
        print(f"  ratio p99      tongban/bare = {p99 / bare_p99:5.2f}  (goal <= 2.00)")
        unexpected = {k: v for k, v in tongban_result.statuses.items() if k not in (201, 409)}
        if unexpected:
            print(f"  unexpected answers from tongban: {unexpected}")
            return 1
    finally:
        server.stop()
        if bare is not None:
            bare.terminate()
            bare.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
