"""Anonymous tickets are limited per address; a registered kiosk has its own, higher limit.

The limits are the settings' own defaults (the ones a hall runs with); the conftest turns
them off for every other test.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient, Response
from starlette.applications import Starlette

from hall.settings import Settings
from tests.conftest import make_settings
from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

DEFAULTS = Settings.from_environ({})
ANONYMOUS = DEFAULTS.ticket_rate_limit
KIOSK = DEFAULTS.kiosk_rate_limit
TICKETS = "/api/halls/district/tickets"
KIOSKS = "/api/admin/halls/district/kiosks"


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return dataclasses.replace(
        make_settings(tmp_path, db_url), ticket_rate_limit=ANONYMOUS, kiosk_rate_limit=KIOSK
    )


@pytest_asyncio.fixture
async def admin(app: Starlette) -> AsyncIterator[tuple[AsyncClient, dict[str, str]]]:
    transport = ASGITransport(app=app, client=("10.0.0.1", 4000))
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http, await sign_in(http, "admin")


def from_address(app: Starlette, address: str) -> AsyncClient:
    transport = ASGITransport(app=app, client=(address, 5000))
    return AsyncClient(transport=transport, base_url="http://testserver")


async def issue_many(
    http: AsyncClient, count: int, matter: str = "SI-REG", **headers: str
) -> list[Response]:
    return [
        await http.post(TICKETS, json={"matter": matter}, headers=headers) for _ in range(count)
    ]


def assert_limited(response: Response) -> None:
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    error = response.json()["error"]
    assert error["code"] == "too_many_attempts"
    assert set(error) == {"code", "message", "message_zh", "fields"}
    assert "取号" in error["message_zh"]
    assert "ticket" in error["message"]


async def register(admin: tuple[AsyncClient, dict[str, str]], name: str) -> tuple[int, str]:
    http, csrf = admin
    created = await http.post(KIOSKS, json={"name": name}, headers=csrf)
    assert created.status_code == 201, created.text
    return created.json()["kiosk"]["id"], created.json()["token"]


async def test_defaults_fit_a_hall() -> None:
    # A phone user takes one or two tickets a minute; a kiosk at peak two to six.
    assert 2 <= ANONYMOUS < KIOSK
    assert KIOSK >= 6


async def test_a_flood_from_one_address_gets_429_after_the_limit(app: Starlette) -> None:
    clock = use_clock(app, FakeClock())
    async with from_address(app, "203.0.113.7") as http:
        answers = await issue_many(http, 200)
        assert [r.status_code for r in answers[:ANONYMOUS]] == [201] * ANONYMOUS
        for refused in answers[ANONYMOUS:]:
            assert_limited(refused)
        async with from_address(app, "203.0.113.8") as neighbour:
            assert (await issue_many(neighbour, 1))[0].status_code == 201
        clock.advance(seconds=61)
        assert (await issue_many(http, 1))[0].status_code == 201


async def test_a_registered_kiosk_gets_its_higher_limit(
    app: Starlette, admin: tuple[AsyncClient, dict[str, str]]
) -> None:
    use_clock(app, FakeClock())
    kiosk_id, token = await register(admin, "一楼取号机 1")
    async with from_address(app, "198.51.100.20") as http:
        answers = await issue_many(http, KIOSK + 5, **{"X-Kiosk-Token": token})
        assert [r.status_code for r in answers[:KIOSK]] == [201] * KIOSK
        for refused in answers[KIOSK:]:
            assert_limited(refused)
        # The kiosk's tickets did not use up its address's anonymous allowance.
        plain = await issue_many(http, ANONYMOUS)
        assert {r.status_code for r in plain} == {201}
    listed = (await admin[0].get(KIOSKS)).json()["kiosks"]
    assert [(k["id"], k["name"], k["active"]) for k in listed] == [(kiosk_id, "一楼取号机 1", True)]
    assert token not in str(listed)


async def test_the_kiosk_page_keeps_its_token_in_a_cookie(
    app: Starlette, admin: tuple[AsyncClient, dict[str, str]]
) -> None:
    use_clock(app, FakeClock())
    _, token = await register(admin, "大厅入口")
    async with from_address(app, "198.51.100.30") as kiosk:
        wrong = await kiosk.post("/api/halls/district/kiosk-device", json={"token": "guess"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["message_zh"]
        other_hall = await kiosk.post("/api/halls/street/kiosk-device", json={"token": token})
        assert other_hall.status_code == 401
        setup = await kiosk.post("/api/halls/district/kiosk-device", json={"token": token})
        assert setup.status_code == 200
        cookie = setup.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        answers = await issue_many(kiosk, ANONYMOUS + 3)
        assert {r.status_code for r in answers} == {201}


async def test_a_revoked_token_falls_back_to_the_anonymous_limit(
    app: Starlette, admin: tuple[AsyncClient, dict[str, str]]
) -> None:
    use_clock(app, FakeClock())
    kiosk_id, token = await register(admin, "旧取号机")
    http, csrf = admin
    revoked = await http.delete(f"{KIOSKS}/{kiosk_id}", headers=csrf)
    assert revoked.status_code == 200
    assert revoked.json()["kiosk"]["active"] is False
    async with from_address(app, "198.51.100.40") as kiosk:
        answers = await issue_many(kiosk, ANONYMOUS + 1, **{"X-Kiosk-Token": token})
        assert [r.status_code for r in answers[:ANONYMOUS]] == [201] * ANONYMOUS
        assert_limited(answers[ANONYMOUS])
        setup = await kiosk.post("/api/halls/district/kiosk-device", json={"token": token})
        assert setup.status_code in (401, 429)
    missing = await http.delete(f"{KIOSKS}/999", headers=csrf)
    assert missing.status_code == 404


async def test_the_daily_cap_applies_to_registered_kiosks_too(
    app: Starlette, admin: tuple[AsyncClient, dict[str, str]]
) -> None:
    demo = tomllib.loads(
        (resources.files("hall.catalogue") / "demo" / "demo_halls.toml").read_text("utf-8")
    )
    district = next(h for h in demo["halls"] if h["id"] == "district")
    cap = district["day"]["caps"][0]
    clock = use_clock(app, FakeClock())
    _, token = await register(admin, "二手房取号机")
    async with from_address(app, "198.51.100.50") as kiosk:
        issued = 0
        while issued < cap["limit"]:
            clock.advance(seconds=61)  # stay under the kiosk's own limit
            batch = await issue_many(kiosk, min(KIOSK, cap["limit"] - issued), cap["matter"],
                                     **{"X-Kiosk-Token": token})  # fmt: skip
            assert {r.status_code for r in batch} == {201}
            issued += len(batch)
        clock.advance(seconds=61)
        over = (await issue_many(kiosk, 1, cap["matter"], **{"X-Kiosk-Token": token}))[0]
        assert over.status_code == 409
        assert over.json()["error"]["code"] == "daily_cap_reached"


async def test_only_admins_manage_kiosks(app: Starlette) -> None:
    async with from_address(app, "10.0.0.9") as http:
        assert (await http.get(KIOSKS)).status_code == 401
        csrf = await sign_in(http, "supervisor")
        assert (await http.post(KIOSKS, json={"name": "x"}, headers=csrf)).status_code == 403
