"""Ticketing and calling over HTTP: the citizen's and the clerk's whole path, and its errors."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import pytest
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.store.models import EventRow
from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

HALL = "/api/halls/district"
W = f"{HALL}/windows"


async def take(client: AsyncClient, matter: str = "SI-REG") -> dict[str, object]:
    response = await client.post(f"{HALL}/tickets", json={"matter": matter})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


async def test_walk_in_is_numbered_positioned_called_and_finished(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    first = await take(client)
    clock.advance(seconds=30)
    second = await take(client)
    assert first["status"] == "waiting"
    assert (first["position"], second["position"]) == (1, 2)
    prefix = str(first["number"])[0]
    assert (first["number"], second["number"]) == (f"{prefix}001", f"{prefix}002")
    headers = await sign_in(client, "clerk01")
    assert (await client.post(f"{W}/1/sign-in", headers=headers)).status_code == 200
    assert (await client.get(f"/api/tickets/{first['id']}")).json()["estimated_wait_minutes"] == 0
    called = await client.post(f"{W}/1/call-next", headers=headers)
    assert called.json()["ticket"]["id"] == first["id"]
    assert called.json()["ticket"]["window"] == 1
    phone = (await client.get(f"/api/tickets/{first['id']}")).json()
    assert (phone["status"], phone["window"]) == ("called", 1)
    assert (await client.get(f"/api/tickets/{second['id']}")).json()["position"] == 1
    clock.advance(minutes=1)
    assert (await client.post(f"{W}/1/start", headers=headers)).json()["ticket"][
        "status"
    ] == "serving"
    clock.advance(minutes=9)
    done = await client.post(f"{W}/1/finish", headers=headers, json={"outcome": "completed"})
    assert done.json()["ticket"]["status"] == "finished"
    async with app.state.db.read() as session:
        kinds = (
            await session.scalars(
                select(EventRow.kind)
                .where(EventRow.subject_id == first["id"])
                .order_by(EventRow.id)
            )
        ).all()
        actors = set(
            (
                await session.scalars(
                    select(EventRow.actor).where(EventRow.subject_id == first["id"])
                )
            ).all()
        )
    assert kinds == [
        "ticket_issued", "ticket_checked_in", "ticket_called", "service_started", "ticket_finished",
    ]  # fmt: skip
    assert actors == {"kiosk", "clerk01"}


async def test_nothing_to_call_is_a_null_ticket(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk02")
    await client.post(f"{W}/2/sign-in", headers=headers)
    response = await client.post(f"{W}/2/call-next", headers=headers)
    assert response.status_code == 200
    assert response.json() == {"ticket": None}


async def test_green_tickets_only_from_staff_and_called_first(client: AsyncClient) -> None:
    public = await client.post(f"{HALL}/tickets", json={"matter": "SI-REG", "green": True})
    assert public.status_code == 403
    assert public.json()["error"]["message_zh"]
    walk_in = await take(client)
    headers = await sign_in(client, "clerk03")
    green = await client.post(
        f"{HALL}/tickets", json={"matter": "SI-REG", "green": True}, headers=headers
    )
    assert green.status_code == 201
    await client.post(f"{W}/3/sign-in", headers=headers)
    called = (await client.post(f"{W}/3/call-next", headers=headers)).json()["ticket"]
    assert called["id"] == green.json()["id"] != walk_in["id"]


async def test_illegal_actions_are_409_with_both_languages(client: AsyncClient) -> None:
    headers = await sign_in(client, "clerk04")
    await client.post(f"{W}/4/sign-in", headers=headers)
    for action in ("start", "recall", "no-show", "park"):
        response = await client.post(f"{W}/4/{action}", headers=headers)
        assert response.status_code == 409, action
        assert (
            response.json()["error"]["message"] == "Window 4 holds no ticket; call a number first."
        )
    finish = await client.post(f"{W}/4/finish", headers=headers, json={"outcome": "completed"})
    assert finish.status_code == 409
    ticket = await take(client)
    await client.post(f"{W}/4/call-next", headers=headers)
    busy = await client.post(f"{W}/4/call-next", headers=headers)
    assert busy.status_code == 409
    early = await client.post(f"{W}/4/finish", headers=headers, json={"outcome": "completed"})
    assert early.status_code == 409
    assert str(ticket["number"]) in early.json()["error"]["message"]
    assert early.json()["error"]["message_zh"].startswith("无法对")
    too_soon = await client.post(f"{W}/4/no-show", headers=headers)
    assert too_soon.status_code == 409
    assert "recall 2 more time(s)" in too_soon.json()["error"]["message"]
    zh = too_soon.json()["error"]["message_zh"]
    wait = "还需重呼 2 次，最后一次呼叫后还需等待 3 分 00 秒"
    assert zh == f"暂不能将 {ticket['number']} 记为过号：{wait}。"


async def test_bad_input_is_4xx_never_500(client: AsyncClient) -> None:
    cases = [
        (f"{HALL}/tickets", {"matter": "NOPE"}, 422),
        (f"{HALL}/tickets", {"matter": 12}, 422),
        (f"{HALL}/tickets", {}, 422),
        ("/api/halls/ghost/tickets", {"matter": "SI-REG"}, 404),
    ]
    for path, body, status in cases:
        response = await client.post(path, json=body)
        assert response.status_code == status, (path, body, response.text)
    assert (await client.get("/api/tickets/not-a-ticket")).status_code == 404
    headers = await sign_in(client, "clerk05")
    await client.post(f"{W}/5/sign-in", headers=headers)
    await take(client)
    await client.post(f"{W}/5/call-next", headers=headers)
    await client.post(f"{W}/5/start", headers=headers)
    bad_outcome = await client.post(f"{W}/5/finish", headers=headers, json={"outcome": "great"})
    assert bad_outcome.status_code == 422
    assert "outcome" in bad_outcome.json()["error"]["fields"]
    no_outcome = await client.post(f"{W}/5/finish", headers=headers, json={})
    assert no_outcome.status_code == 422
    both = await client.post(
        f"{W}/5/transfer", headers=headers, json={"matter": "SI-REG", "window": 2}
    )
    assert both.status_code == 422
    bad_window = await client.post(f"{W}/5/transfer", headers=headers, json={"window": 777})
    assert bad_window.status_code == 422
    wrong_type = await client.post(f"{W}/5/transfer", headers=headers, json={"window": "2"})
    assert wrong_type.status_code == 422
    chosen = await client.post(f"{W}/5/call", headers=headers, json={"ticket": "x", "reason": "r"})
    assert chosen.status_code in (409, 422)


async def test_recall_then_no_show_after_grace(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    headers = await sign_in(client, "clerk06")
    await client.post(f"{W}/6/sign-in", headers=headers)
    ticket = await take(client)
    await client.post(f"{W}/6/call-next", headers=headers)
    for _ in range(2):
        clock.advance(minutes=1)
        assert (await client.post(f"{W}/6/recall", headers=headers)).status_code == 200
    assert (await client.post(f"{W}/6/no-show", headers=headers)).status_code == 409
    clock.advance(minutes=3)
    gone = await client.post(f"{W}/6/no-show", headers=headers)
    assert gone.json()["ticket"]["status"] == "no_show"
    assert (await client.get(f"/api/tickets/{ticket['id']}")).json()["status"] == "no_show"
    # The window is free again.
    assert (await client.post(f"{W}/6/call-next", headers=headers)).json() == {"ticket": None}


async def test_transfer_keeps_the_place_and_park_resumes(client: AsyncClient) -> None:
    first, second = await take(client), await take(client)
    headers = await sign_in(client, "clerk07")
    await client.post(f"{W}/7/sign-in", headers=headers)
    await client.post(f"{W}/7/call-next", headers=headers)
    # Window 21 handles driving licences only: nobody there could call this ticket.
    lacking = await client.post(f"{W}/7/transfer", headers=headers, json={"window": 21})
    assert lacking.status_code == 409
    assert lacking.json()["error"]["code"] == "window_lacks_skill"
    assert lacking.json()["error"]["message_zh"].startswith("21 号窗口不办理")
    # Window 8 is closed: refused until the clerk confirms where the ticket will wait.
    closed = await client.post(f"{W}/7/transfer", headers=headers, json={"window": 8})
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "nobody_serves_there"
    assert "8 号窗口当前未开放" in closed.json()["error"]["message_zh"]
    held = (await client.get(f"{W}/7/queue", headers=headers)).json()["current"]
    assert held["id"] == first["id"]  # still at window 7, not stranded
    moved = await client.post(
        f"{W}/7/transfer", headers=headers, json={"window": 8, "confirm": True}
    )
    assert moved.json()["ticket"]["status"] == "waiting"
    # Window 7 no longer holds it and may not call it: it is for window 8 only.
    assert (await client.post(f"{W}/7/call-next", headers=headers)).json()["ticket"][
        "id"
    ] == second["id"]
    other = await sign_in(client, "clerk08")
    await client.post(f"{W}/8/sign-in", headers=other)
    assert (await client.post(f"{W}/8/call-next", headers=other)).json()["ticket"]["id"] == first[
        "id"
    ]
    parked = await client.post(f"{W}/8/park", headers=other, json={"reason": "复印身份证"})
    assert parked.json()["ticket"]["status"] == "parked"
    back = await client.post(f"{W}/8/resume-ticket", headers=other, json={"ticket": first["id"]})
    assert back.json()["ticket"]["status"] == "waiting"
    assert (await client.post(f"{W}/8/call-next", headers=other)).json()["ticket"]["id"] == first[
        "id"
    ]


async def test_out_of_order_call_records_the_reason(app: Starlette, client: AsyncClient) -> None:
    first, second = await take(client), await take(client)
    headers = await sign_in(client, "clerk09")
    await client.post(f"{W}/9/sign-in", headers=headers)
    no_reason = await client.post(
        f"{W}/9/call", headers=headers, json={"ticket": second["id"], "reason": " "}
    )
    assert no_reason.status_code == 422
    chosen = await client.post(
        f"{W}/9/call", headers=headers, json={"ticket": second["id"], "reason": "孕妇优先"}
    )
    assert chosen.json()["ticket"]["id"] == second["id"]
    async with app.state.db.read() as session:
        override = await session.scalar(
            select(EventRow).where(EventRow.kind == "call_order_overridden")
        )
    assert override is not None
    assert override.data["reason"] == "孕妇优先"
    assert override.data["expected_ticket_id"] == first["id"]


async def test_concurrent_call_next_never_hands_a_ticket_to_two_windows(
    app: Starlette, client: AsyncClient
) -> None:
    """20 windows, 200 waiting tickets, rounds of 200 simultaneous call-next requests.

    Each window fires 10 requests at once per round: at most one may win (the window
    then holds a ticket); after each round every window finishes its ticket. Every
    ticket is called exactly once, and none twice.
    """
    windows = list(range(1, 21))  # 12 comprehensive and 8 specialised windows
    listed = (await client.get(f"{HALL}/windows")).json()
    skills = {w["number"]: w["skills"] for w in listed}
    special = {m for n in windows for m in skills[n] if m != "*"}
    # Pickup and 办不成事 matters go to their own windows only (not among these 20).
    special |= {
        m for w in listed if w["kind"] in ("pickup", "could_not_get_it_done") for m in w["skills"]
    }
    general = [m["code"] for m in (await client.get(f"{HALL}/matters")).json()]
    general = [m for m in general if m not in special]
    # Spread the tickets so that every window has work of its own.
    matters = [general[n % len(general)] if skills[n] == ["*"] else skills[n][0] for n in windows]
    ids = {str((await take(client, matters[i % 20]))["id"]) for i in range(200)}
    clerks: dict[int, tuple[AsyncClient, dict[str, str]]] = {}
    async with contextlib.AsyncExitStack() as stack:
        for n in windows:
            http = await stack.enter_async_context(
                AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver")
            )
            headers = await sign_in(http, f"clerk{n:02d}")
            assert (await http.post(f"{W}/{n}/sign-in", headers=headers)).status_code == 200
            clerks[n] = (http, headers)
        called: Counter[str] = Counter()
        for _round in range(40):
            requests = [
                http.post(f"{W}/{n}/call-next", headers=headers)
                for n, (http, headers) in clerks.items()
                for _ in range(10)
            ]
            responses = await asyncio.gather(*requests)
            assert len(responses) == 200
            assert {r.status_code for r in responses} <= {200, 409}
            won = [r.json()["ticket"] for r in responses if r.status_code == 200]
            won = [t for t in won if t is not None]
            assert len({t["window"] for t in won}) == len(won)  # one call per window
            called.update(t["id"] for t in won)
            for n in {t["window"] for t in won}:
                http, headers = clerks[n]
                await http.post(f"{W}/{n}/start", headers=headers)
                done = await http.post(
                    f"{W}/{n}/finish", headers=headers, json={"outcome": "completed"}
                )
                assert done.status_code == 200
            if not won:
                break
    assert set(called) == ids
    assert set(called.values()) == {1}
