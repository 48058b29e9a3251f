"""The admin API for staff accounts: list, add, edit, reset password, unlock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.store.models import EventRow, SignInThrottleRow, StaffRow
from tests.web.helpers import DEMO_PASSWORD, sign_in

pytestmark = pytest.mark.asyncio

STAFF = "/api/admin/staff"
NEW = {
    "username": "wang.li",
    "job_number": "C0100",
    "role": "clerk",
    "halls": ["street"],
    "password": "spring-2026!",
}


@pytest_asyncio.fixture
async def admin(client: AsyncClient) -> dict[str, str]:
    return await sign_in(client, "admin")


@pytest_asyncio.fixture
async def other(app: Starlette) -> AsyncIterator[AsyncClient]:
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def can_sign_in(client: AsyncClient, username: str, password: str) -> int:
    response = await client.post("/api/session", json={"username": username, "password": password})
    return response.status_code


async def test_list_shows_accounts_without_hashes(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(STAFF)
    assert response.status_code == 200
    accounts = {s["username"]: s for s in response.json()["staff"]}
    assert accounts["clerk01"] == {
        "username": "clerk01",
        "job_number": "C0001",
        "role": "clerk",
        "halls": ["*"],
        "active": True,
        "throttled_until": None,
        "failed_logins": 0,
        "under_attack": False,
    }
    assert "argon2" not in response.text
    assert "hash" not in response.text


@pytest.mark.parametrize("username", ["clerk01", "supervisor"])
async def test_only_admins_manage_staff(client: AsyncClient, username: str) -> None:
    assert (await client.get(STAFF)).status_code == 401
    assert (await client.post(STAFF, json=NEW)).status_code == 401
    headers = await sign_in(client, username)
    assert (await client.get(STAFF)).status_code == 403
    assert (await client.post(STAFF, json=NEW, headers=headers)).status_code == 403
    put = await client.put(f"{STAFF}/clerk02", json={"active": False}, headers=headers)
    assert put.status_code == 403


async def test_add_an_account_that_can_then_sign_in(
    app: Starlette, client: AsyncClient, other: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.post(STAFF, json=NEW, headers=admin)
    assert response.status_code == 201, response.text
    created = response.json()["staff"]
    assert (created["username"], created["role"], created["halls"]) == (
        "wang.li",
        "clerk",
        ["street"],
    )
    assert "password" not in response.text
    assert "argon2" not in response.text
    assert await can_sign_in(other, "wang.li", NEW["password"]) == 200
    assert (await client.post(STAFF, json=NEW, headers=admin)).status_code == 409
    async with app.state.db.read() as session:
        row = await session.scalar(select(StaffRow).where(StaffRow.username == "wang.li"))
        event = await session.scalar(select(EventRow).where(EventRow.kind == "staff_created"))
    assert row is not None
    assert row.password_hash
    assert row.password_hash.startswith("$argon2")
    assert event is not None
    assert event.actor == "admin"
    assert event.subject_id == "wang.li"
    assert "argon2" not in str(event.after)
    assert NEW["password"] not in str(event.after)


async def test_new_account_problems_name_their_fields(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    short = await client.post(STAFF, json={**NEW, "password": "short"}, headers=admin)
    assert short.status_code == 422
    assert list(short.json()["error"]["fields"]) == ["password"]
    bad = await client.post(
        STAFF,
        json={**NEW, "username": "X", "role": "boss", "halls": ["nowhere"], "job_number": "?"},
        headers=admin,
    )
    assert bad.status_code == 422
    fields = bad.json()["error"]["fields"]
    assert set(fields) == {"username", "role", "halls", "job_number"}
    assert "nowhere" in fields["halls"]
    unknown = await client.post(STAFF, json={**NEW, "password_hash": "$argon2x"}, headers=admin)
    assert list(unknown.json()["error"]["fields"]) == ["password_hash"]


async def test_edit_role_halls_and_deactivate(
    app: Starlette, client: AsyncClient, other: AsyncClient, admin: dict[str, str]
) -> None:
    changed = await client.put(
        f"{STAFF}/clerk05",
        json={"role": "supervisor", "halls": ["district"], "job_number": "S0005"},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()["staff"]
    assert (body["role"], body["halls"], body["job_number"]) == (
        "supervisor",
        ["district"],
        "S0005",
    )
    off = await client.put(f"{STAFF}/clerk05", json={"active": False}, headers=admin)
    assert off.json()["staff"]["active"] is False
    assert await can_sign_in(other, "clerk05", DEMO_PASSWORD) == 401
    on = await client.put(f"{STAFF}/clerk05", json={"active": True}, headers=admin)
    assert on.json()["staff"]["active"] is True
    assert await can_sign_in(other, "clerk05", DEMO_PASSWORD) == 200
    async with app.state.db.read() as session:
        events = (
            await session.scalars(
                select(EventRow).where(EventRow.kind == "staff_updated").order_by(EventRow.id)
            )
        ).all()
    assert [e.after["active"] for e in events] == [True, False, True]  # type: ignore[index]
    assert events[0].before == {
        "job_number": "C0005",
        "role": "clerk",
        "halls": ["*"],
        "active": True,
    }


async def test_reset_a_password(
    app: Starlette, client: AsyncClient, other: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.put(
        f"{STAFF}/clerk06", json={"password": "a-new-secret"}, headers=admin
    )
    assert response.status_code == 200
    assert "a-new-secret" not in response.text
    assert await can_sign_in(other, "clerk06", DEMO_PASSWORD) == 401
    assert await can_sign_in(other, "clerk06", "a-new-secret") == 200
    async with app.state.db.read() as session:
        event = await session.scalar(select(EventRow).where(EventRow.kind == "staff_updated"))
    assert event is not None
    assert event.data == {"password_reset": True}
    assert "a-new-secret" not in str(event.after) + str(event.before)
    short = await client.put(f"{STAFF}/clerk06", json={"password": "1234567"}, headers=admin)
    assert short.status_code == 422


async def test_an_admin_cannot_demote_or_deactivate_themselves(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    for change in ({"role": "supervisor"}, {"active": False}):
        response = await client.put(f"{STAFF}/admin", json=change, headers=admin)
        assert response.status_code == 409
        assert response.json()["error"]["message_zh"]
    assert (await client.get(STAFF)).status_code == 200  # still an admin
    ok = await client.put(f"{STAFF}/admin", json={"job_number": "A0002"}, headers=admin)
    assert ok.status_code == 200


async def test_edit_errors(client: AsyncClient, admin: dict[str, str]) -> None:
    assert (await client.put(f"{STAFF}/ghost", json={}, headers=admin)).status_code == 404
    bad = await client.put(f"{STAFF}/clerk01", json={"active": "no"}, headers=admin)
    assert bad.status_code == 422
    assert list(bad.json()["error"]["fields"]) == ["active"]
    role = await client.put(f"{STAFF}/clerk01", json={"role": "king"}, headers=admin)
    assert list(role.json()["error"]["fields"]) == ["role"]
    nocsrf = await client.put(f"{STAFF}/clerk01", json={"role": "clerk"})
    assert nocsrf.status_code == 403


async def test_a_clerk_signed_in_at_a_window_cannot_be_deactivated(
    client: AsyncClient, other: AsyncClient, admin: dict[str, str]
) -> None:
    clerk = await sign_in(other, "clerk07")
    assert (await other.post("/api/halls/district/windows/7/sign-in", headers=clerk)).is_success
    refused = await client.put(f"{STAFF}/clerk07", json={"active": False}, headers=admin)
    assert refused.status_code == 409
    assert "7" in refused.json()["error"]["message"]


async def lock(app: Starlette, username: str) -> None:
    """Five failures for the name from the test client's address: its pair waits 2 s."""
    now = app.state.clock()
    async with app.state.db.write() as session:
        for scope, subject in (("pair", f"{username}\n127.0.0.1"), ("name", username)):
            session.add(
                SignInThrottleRow(
                    scope=scope,
                    subject=subject,
                    failures=5,
                    last_failed_at=now,
                    blocked_until=now + timedelta(minutes=15),
                )
            )


@pytest.mark.parametrize("username", ["admin", "supervisor"])
async def test_admins_and_supervisors_unlock_an_account(
    app: Starlette, client: AsyncClient, other: AsyncClient, username: str
) -> None:
    await lock(app, "clerk08")
    assert await can_sign_in(other, "clerk08", DEMO_PASSWORD) == 429
    headers = await sign_in(client, username)
    if username == "admin":
        listed = {s["username"]: s for s in (await client.get(STAFF)).json()["staff"]}
        assert listed["clerk08"]["throttled_until"] is not None
        assert listed["clerk08"]["under_attack"] is True
        assert listed["clerk08"]["failed_logins"] == 5
    response = await client.post(f"{STAFF}/clerk08/unlock", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["staff"]["throttled_until"] is None
    assert response.json()["staff"]["failed_logins"] == 0
    assert await can_sign_in(other, "clerk08", DEMO_PASSWORD) == 200
    async with app.state.db.read() as session:
        event = await session.scalar(select(EventRow).where(EventRow.kind == "staff_unlocked"))
    assert event is not None
    assert event.actor == username
    assert event.before["failures"] == {  # type: ignore[index]
        "name:clerk08": 5,
        "pair:clerk08\n127.0.0.1": 5,
    }


async def test_who_may_unlock(app: Starlette, client: AsyncClient, other: AsyncClient) -> None:
    assert (await client.post(f"{STAFF}/clerk09/unlock")).status_code == 401
    clerk = await sign_in(other, "clerk10")
    assert (await other.post(f"{STAFF}/clerk09/unlock", headers=clerk)).status_code == 403
    supervisor = await sign_in(client, "supervisor")
    admin_unlock = await client.post(f"{STAFF}/admin/unlock", headers=supervisor)
    assert admin_unlock.status_code == 403
    assert (await client.post(f"{STAFF}/clerk09/unlock")).status_code == 403  # no CSRF
    assert (await client.post(f"{STAFF}/ghost/unlock", headers=supervisor)).status_code == 404
