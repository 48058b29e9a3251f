"""Sign-in attacks against real server processes: a flood of wrong sign-ins does not stall
issuing; on PostgreSQL two processes check no more passwords than designed and lose no
count, and a clerk racing for two windows on two processes gets exactly one."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from hall.staff.throttle import PAIR
from hall.store.db import Database
from hall.store.models import EventRow, SignInThrottleRow
from tests.displays.test_cross_process import make_database
from tests.live_server import LiveServer
from tests.live_server import two_servers as started_pair
from tests.web.helpers import DEMO_PASSWORD

HALL = "/api/halls/district"
# Off: these tests issue many tickets from one address (kiosk limits are not theirs).
NO_LIMITS = {"HALL_TICKET_RATE_LIMIT": "0", "HALL_BOOKING_RATE_LIMIT": "0"}


async def issue(http: httpx.AsyncClient) -> float:
    began = time.perf_counter()
    response = await http.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
    assert response.status_code == 201, response.text
    return time.perf_counter() - began


async def wrong_sign_in(http: httpx.AsyncClient) -> int:
    name = f"nobody-{uuid.uuid4().hex[:10]}"
    response = await http.post("/api/session", json={"username": name, "password": "guess"})
    return response.status_code


async def flood_while_issuing(base: str, samples: int = 30) -> tuple[float, float, Counter[int]]:
    """Issuing p50 when quiet (before and after the flood: the machine's load drifts) and
    while waves of 60 concurrent wrong sign-ins with made-up names are in flight."""
    limits = httpx.Limits(max_connections=100)
    async with (
        httpx.AsyncClient(base_url=base, timeout=60) as kiosk,
        httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as attacker,
    ):
        await issue(kiosk)  # warm up
        quiet = [await issue(kiosk) for _ in range(samples // 2)]
        answers: Counter[int] = Counter()
        during: list[float] = []
        for _ in range(5):  # bounded: at most five waves
            wave = asyncio.gather(*(wrong_sign_in(attacker) for _ in range(60)))
            await asyncio.sleep(0)
            while not wave.done() and len(during) < samples:
                during.append(await issue(kiosk))
            answers.update(await wave)
            if len(during) >= samples:
                break
        quiet += [await issue(kiosk) for _ in range(samples // 2)]
    return statistics.median(quiet), statistics.median(during), answers


def test_a_sign_in_flood_does_not_stall_issuing(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, **NO_LIMITS).start()
    try:
        quiet, during, answers = asyncio.run(flood_while_issuing(server.url))
    finally:
        server.stop()
    assert set(answers) <= {401, 429, 503}, answers
    assert answers[401] > 0  # the flood did reach the password checks
    assert during <= 5 * quiet, (quiet, during, answers)


def designed_checks(seconds: float) -> int:
    """How many passwords one (name, address) may have checked within ``seconds``."""
    checks, waited = PAIR.free, 0
    while True:
        wait = PAIR.wait(checks) or 0
        if waited + wait > seconds:
            return checks
        waited += wait
        checks += 1


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[tuple[LiveServer, LiveServer, str]]:
    url, drop = make_database()
    env = {
        "HALL_DATABASE_URL": url,
        "HALL_DISPLAY_BACKEND": "postgres",
        "HALL_SECRET_KEY": "one-key-for-every-process",
        **NO_LIMITS,
    }
    try:
        with started_pair(tmp_path, **env) as (first, second):
            yield first, second, url
    finally:
        drop()


async def counted(url: str, username: str) -> tuple[int, int]:
    """The name's failure counter and its recorded sign_in_failed events."""
    db = Database(url)
    try:
        async with db.read() as session:
            counter = await session.scalar(
                select(SignInThrottleRow.failures).where(
                    SignInThrottleRow.scope == "name", SignInThrottleRow.subject == username
                )
            )
            events = await session.scalar(
                select(func.count()).where(
                    EventRow.kind == "sign_in_failed", EventRow.subject_id == username
                )
            )
    finally:
        await db.dispose()
    return int(counter or 0), int(events or 0)


async def guess_on_both(servers: tuple[LiveServer, LiveServer], tries: int) -> list[int]:
    limits = httpx.Limits(max_connections=100)
    async with (
        httpx.AsyncClient(base_url=servers[0].url, timeout=60, limits=limits) as a,
        httpx.AsyncClient(base_url=servers[1].url, timeout=60, limits=limits) as b,
    ):
        bad = {"username": "clerk05", "password": "wrong-password"}
        answers = await asyncio.gather(
            *((a if i % 2 else b).post("/api/session", json=bad) for i in range(tries))
        )
    return [r.status_code for r in answers]


@pytest.mark.postgres
def test_two_processes_check_no_more_passwords_than_designed(
    two_servers: tuple[LiveServer, LiveServer, str],
) -> None:
    first, second, url = two_servers
    began = time.monotonic()
    codes = asyncio.run(guess_on_both((first, second), 60))
    elapsed = time.monotonic() - began
    answers = Counter(codes)
    assert set(answers) <= {401, 429, 503}, answers
    assert PAIR.free <= answers[401] <= designed_checks(elapsed), (answers, elapsed)
    counter, events = asyncio.run(counted(url, "clerk05"))
    assert counter == events == answers[401]


def signed_in(server: LiveServer, username: str) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=server.url, timeout=60)
    login = http.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    return http, {"X-CSRF-Token": login.json()["csrf_token"]}


async def race(
    servers: tuple[LiveServer, LiveServer], cookie: str, headers: dict[str, str]
) -> list[int]:
    async with (
        httpx.AsyncClient(base_url=servers[0].url, cookies={"tongban_session": cookie}) as a,
        httpx.AsyncClient(base_url=servers[1].url, cookies={"tongban_session": cookie}) as b,
    ):
        answers = await asyncio.gather(
            a.post(f"{HALL}/windows/20/sign-in", headers=headers),
            b.post(f"{HALL}/windows/21/sign-in", headers=headers),
        )
    return [r.status_code for r in answers]


@pytest.mark.postgres
def test_a_clerk_racing_for_two_windows_on_two_processes_gets_one(
    two_servers: tuple[LiveServer, LiveServer, str],
) -> None:
    first, second, _ = two_servers
    http, headers = signed_in(first, "clerk24")
    cookie = http.cookies["tongban_session"]
    try:
        for attempt in range(10):
            codes = asyncio.run(race((first, second), cookie, headers))
            assert sorted(codes) == [200, 409], (attempt, codes)
            window = 20 if codes[0] == 200 else 21
            listing = http.get(f"{HALL}/windows").json()
            held = [w["number"] for w in listing if w["status"] != "closed"]
            assert window in held
            assert not {20, 21} - {window} & set(held)
            out = http.post(f"{HALL}/windows/{window}/sign-out", headers=headers)
            assert out.status_code == 200, out.text
    finally:
        http.close()
