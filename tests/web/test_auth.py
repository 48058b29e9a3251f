"""Sessions kept on the server: sign-out, a password change and a deactivation end every
session of the account at once; the cookie is HttpOnly, SameSite=Strict, and Secure over
HTTPS or with HALL_COOKIE_SECURE."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.settings import Settings
from hall.staff.sessions import SESSION_SECONDS
from hall.store.models import StaffSessionRow
from tests.web.helpers import DEMO_PASSWORD, FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

STAFF = "/api/admin/staff"


@pytest_asyncio.fixture
async def browsers(app: Starlette) -> AsyncIterator[list[AsyncClient]]:
    """Three browsers (own cookies) on the same app."""
    clients = [
        AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
        for _ in range(3)
    ]
    try:
        yield clients
    finally:
        for c in clients:
            await c.aclose()


async def still_signed_in(client: AsyncClient) -> int:
    return (await client.get("/api/session")).status_code


async def test_sign_out_ends_every_session_of_the_account(
    browsers: list[AsyncClient],
) -> None:
    desk, phone, other = browsers
    headers = await sign_in(desk, "clerk07")
    await sign_in(phone, "clerk07")
    await sign_in(other, "clerk08")
    old_cookie = desk.cookies["tongban_session"]
    assert (await desk.delete("/api/session", headers=headers)).status_code == 204
    assert "tongban_session" not in desk.cookies  # the answer deletes the cookie
    desk.cookies.set("tongban_session", old_cookie)  # a copy kept by somebody
    assert await still_signed_in(desk) == 401
    assert await still_signed_in(phone) == 401
    assert await still_signed_in(other) == 200  # another account is untouched
    window = await desk.post("/api/halls/district/windows/7/sign-in", headers=headers)
    assert window.status_code == 401


@pytest.mark.parametrize("change", ["password", "deactivate"])
async def test_a_password_change_or_deactivation_by_an_admin_ends_the_sessions(
    browsers: list[AsyncClient], change: str
) -> None:
    admin, clerk, _ = browsers
    admin_headers = await sign_in(admin, "admin")
    await sign_in(clerk, "clerk09")
    assert await still_signed_in(clerk) == 200
    body = {"password": "a-new-password-1"} if change == "password" else {"active": False}
    response = await admin.put(f"{STAFF}/clerk09", json=body, headers=admin_headers)
    assert response.status_code == 200, response.text
    assert await still_signed_in(clerk) == 401
    assert await still_signed_in(admin) == 200
    if change == "password":
        fresh = await clerk.post(
            "/api/session", json={"username": "clerk09", "password": "a-new-password-1"}
        )
        assert fresh.status_code == 200
        assert await still_signed_in(clerk) == 200


async def test_the_database_holds_only_a_hash_of_the_cookie(
    app: Starlette, client: AsyncClient
) -> None:
    await sign_in(client, "clerk10")
    token = client.cookies["tongban_session"]
    async with app.state.db.read() as session:
        rows = (await session.scalars(select(StaffSessionRow))).all()
    assert len(rows) == 1
    assert token not in rows[0].token_hash
    assert len(rows[0].token_hash) == 64
    forged = AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
    async with forged:
        forged.cookies.set("tongban_session", rows[0].token_hash)
        assert await still_signed_in(forged) == 401


def cookie_header(client_response_headers: list[str]) -> str:
    found = [h for h in client_response_headers if h.startswith("tongban_session=")]
    assert len(found) == 1
    return found[0]


async def test_cookie_flags_over_http(client: AsyncClient) -> None:
    response = await client.post(
        "/api/session", json={"username": "clerk11", "password": DEMO_PASSWORD}
    )
    header = cookie_header(response.headers.get_list("set-cookie")).lower()
    assert "httponly" in header
    assert "samesite=strict" in header
    assert "secure" not in header


async def test_cookie_is_secure_over_https(app: Starlette) -> None:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="https://testserver") as https:
        response = await https.post(
            "/api/session", json={"username": "clerk12", "password": DEMO_PASSWORD}
        )
        assert "secure" in cookie_header(response.headers.get_list("set-cookie")).lower()


async def test_cookie_is_secure_with_hall_cookie_secure(settings: Settings) -> None:
    from web.app import create_app

    assert Settings.from_environ({"HALL_COOKIE_SECURE": "1", "HALL_SECRET_KEY": "k"}).cookie_secure
    application = create_app(dataclasses.replace(settings, cookie_secure=True))
    async with application.router.lifespan_context(application):
        transport = ASGITransport(app=application)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            response = await http.post(
                "/api/session", json={"username": "clerk13", "password": DEMO_PASSWORD}
            )
            header = cookie_header(response.headers.get_list("set-cookie")).lower()
            assert "secure" in header
            signed_out = await http.delete(
                "/api/session", headers={"X-CSRF-Token": response.json()["csrf_token"]}
            )
            assert "secure" in cookie_header(signed_out.headers.get_list("set-cookie")).lower()


async def test_a_session_lasts_a_working_day(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    await sign_in(client, "clerk15")
    clock.advance(seconds=SESSION_SECONDS - 1)
    assert await still_signed_in(client) == 200
    clock.advance(seconds=1)
    assert await still_signed_in(client) == 401


async def test_a_csrf_token_with_non_ascii_characters_is_refused_not_a_500(
    client: AsyncClient,
) -> None:
    await sign_in(client, "clerk05")
    wrong = "tökén-令牌".encode()  # header bytes arrive as Latin-1 text
    response = await client.post(
        "/api/halls/district/windows/5/sign-in", headers={"X-CSRF-Token": wrong}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
