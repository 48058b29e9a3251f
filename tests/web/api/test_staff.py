"""Staff sign-in (throttling, lock-out, CSRF) and window sessions over HTTP."""

from __future__ import annotations

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.staff.throttle import ADDRESS, NAME, NAME_GATE_AFTER, PAIR
from hall.store.models import EventRow
from tests.web.helpers import DEMO_PASSWORD, FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

WINDOW = "/api/halls/district/windows"


async def test_sign_in_returns_identity_and_csrf_token(client: AsyncClient) -> None:
    response = await client.post(
        "/api/session", json={"username": "clerk01", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["username"], body["role"], body["job_number"]) == ("clerk01", "clerk", "C0001")
    assert len(body["csrf_token"]) >= 32
    assert "password" not in response.text
    me = await client.get("/api/session")
    assert me.json()["csrf_token"] == body["csrf_token"]


async def test_wrong_password_and_unknown_user_look_the_same(client: AsyncClient) -> None:
    wrong = await client.post("/api/session", json={"username": "clerk01", "password": "nope"})
    unknown = await client.post("/api/session", json={"username": "ghost", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


def from_address(app: Starlette, address: str) -> AsyncClient:
    """Another browser on the same app, at another client address."""
    transport = ASGITransport(app=app, client=(address, 40000))
    return AsyncClient(transport=transport, base_url="http://testserver")


async def events(app: Starlette, kind: str, subject: str) -> list[EventRow]:
    async with app.state.db.read() as session:
        query = select(EventRow).where(EventRow.kind == kind, EventRow.subject_id == subject)
        return list((await session.scalars(query.order_by(EventRow.id))).all())


async def test_failures_from_one_address_slow_down_without_locking_the_owner_out(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    bad = {"username": "clerk02", "password": "wrong-password"}
    good = {"username": "clerk02", "password": DEMO_PASSWORD}
    for _ in range(PAIR.free):
        assert (await client.post("/api/session", json=bad)).status_code == 401
    waiting = await client.post("/api/session", json=good)
    assert waiting.status_code == 429
    assert waiting.headers["Retry-After"] == str(PAIR.wait(PAIR.free))
    assert waiting.json()["error"]["code"] == "too_many_attempts"
    # The owner at their own desk (another address) is not held up by these failures.
    async with from_address(app, "10.1.2.3") as desk:
        assert (await desk.post("/api/session", json=good)).status_code == 200
    clock.advance(seconds=PAIR.wait(PAIR.free) or 0)
    assert (await client.post("/api/session", json=bad)).status_code == 401
    again = await client.post("/api/session", json=good)
    assert again.headers["Retry-After"] == str(PAIR.wait(PAIR.free + 1))
    clock.advance(seconds=PAIR.wait(PAIR.free + 1) or 0)
    assert (await client.post("/api/session", json=good)).status_code == 200
    failed = await events(app, "sign_in_failed", "clerk02")
    assert len(failed) == PAIR.free + 1
    throttled = await events(app, "sign_in_throttled", "clerk02")
    assert [e.data["scope"] for e in throttled] == ["pair"]


async def test_unknown_names_are_throttled_exactly_like_known_ones(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock())
    answers: dict[str, list[tuple[int, str | None, dict[str, object]]]] = {}
    for name in ("clerk03", "no-such-clerk"):
        answers[name] = []
        for _ in range(PAIR.free + 1):
            r = await client.post("/api/session", json={"username": name, "password": "nope"})
            answers[name].append((r.status_code, r.headers.get("Retry-After"), r.json()))
    assert answers["clerk03"] == answers["no-such-clerk"]
    assert [code for code, _, _ in answers["clerk03"]] == [401] * PAIR.free + [429]


async def test_one_address_trying_many_names_is_slowed(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock())
    codes = [
        (await client.post("/api/session", json={"username": f"u{i}", "password": "x"})).status_code
        for i in range(ADDRESS.free + 1)
    ]
    assert codes == [401] * ADDRESS.free + [429]
    async with from_address(app, "10.9.9.9") as elsewhere:
        assert (await sign_in(elsewhere, "clerk04")) is not None


async def test_many_addresses_guessing_one_name_meet_the_name_wait(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock())
    bad = {"username": "supervisor", "password": "guess"}
    codes = []
    for i in range(NAME.free):  # two failures each from NAME.free / 2 addresses
        async with from_address(app, f"10.0.0.{i // NAME_GATE_AFTER}") as bot:
            codes.append((await bot.post("/api/session", json=bad)).status_code)
    assert codes == [401] * NAME.free
    async with from_address(app, "10.0.0.0") as bot:  # it failed twice: the name's wait
        refused = await bot.post("/api/session", json=bad)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(NAME.wait(NAME.free))
    # The owner, from an address with no failures, signs in at once.
    async with from_address(app, "10.7.7.7") as desk:
        assert (await sign_in(desk, "supervisor")) is not None
    notices = await events(app, "sign_in_throttled", "supervisor")
    assert [e.data["scope"] for e in notices] == ["name"]


async def test_sign_in_input_errors_are_4xx(client: AsyncClient) -> None:
    malformed = await client.post(
        "/api/session", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert malformed.status_code == 400
    assert malformed.json()["error"]["code"] == "bad_request"
    missing = await client.post("/api/session", json={"username": "clerk01"})
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"] == {"password": "required"}
    wrong_type = await client.post("/api/session", json={"username": 7, "password": "x"})
    assert wrong_type.status_code == 422
    assert "username" in wrong_type.json()["error"]["fields"]
    not_object = await client.post("/api/session", json=["clerk01"])
    assert not_object.status_code == 400


async def test_window_actions_need_sign_in_and_csrf(client: AsyncClient) -> None:
    anonymous = await client.post(f"{WINDOW}/1/sign-in")
    assert anonymous.status_code == 401
    headers = await sign_in(client, "clerk01")
    no_token = await client.post(f"{WINDOW}/1/sign-in")
    assert no_token.status_code == 403
    assert "CSRF" in no_token.json()["error"]["message"]
    ok = await client.post(f"{WINDOW}/1/sign-in", headers=headers)
    assert ok.status_code == 200
    assert ok.json()["window"]["status"] == "open"
    assert ok.json()["window"]["staff"] == "C0001"


async def test_window_lifecycle_and_illegal_moves(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk03")
    assert (await client.post(f"{WINDOW}/3/resume", headers=headers)).status_code == 403
    assert (await client.post(f"{WINDOW}/3/sign-in", headers=headers)).status_code == 200
    again = await client.post(f"{WINDOW}/4/sign-in", headers=headers)
    assert again.status_code == 409
    assert "window 3" in again.json()["error"]["message"]
    resume = await client.post(f"{WINDOW}/3/resume", headers=headers)
    assert resume.status_code == 409
    assert resume.json()["error"]["message"] == "Cannot resume window 3: it is open."
    paused = await client.post(f"{WINDOW}/3/pause", headers=headers, json={"reason": "lunch"})
    assert paused.json()["window"]["status"] == "paused"
    listing = (await client.get("/api/halls/district/windows")).json()
    assert next(w for w in listing if w["number"] == 3)["status"] == "paused"
    assert (await client.post(f"{WINDOW}/3/resume", headers=headers)).status_code == 200
    out = await client.post(f"{WINDOW}/3/sign-out", headers=headers)
    assert out.json()["window"]["status"] == "closed"
    # Signed out, the clerk no longer holds the window at all.
    assert (await client.post(f"{WINDOW}/3/sign-out", headers=headers)).status_code == 403


async def test_one_window_one_clerk_and_supervisor_can_close_it(client: AsyncClient) -> None:
    first = await sign_in(client, "clerk05")
    assert (await client.post(f"{WINDOW}/5/sign-in", headers=first)).status_code == 200
    second = await sign_in(client, "clerk06")
    taken = await client.post(f"{WINDOW}/5/sign-in", headers=second)
    assert taken.status_code == 409
    assert (await client.post(f"{WINDOW}/5/pause", headers=second)).status_code == 403
    boss = await sign_in(client, "supervisor")
    closed = await client.post(f"{WINDOW}/5/sign-out", headers=boss)
    assert closed.status_code == 200
    assert closed.json()["window"]["status"] == "closed"


async def test_unknown_window_and_hall_are_404(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk01")
    assert (await client.post(f"{WINDOW}/999/sign-in", headers=headers)).status_code == 404
    missing_hall = await client.post("/api/halls/nowhere/windows/1/sign-in", headers=headers)
    assert missing_hall.status_code == 404
    assert (await client.post(f"{WINDOW}/abc/sign-in", headers=headers)).status_code == 404


async def test_sign_out_of_the_session(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk07")
    assert (await client.delete("/api/session", headers=headers)).status_code == 204
    assert (await client.get("/api/session")).status_code == 401
