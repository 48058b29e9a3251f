"""The read-only views behind the kiosk, the staff console and the supervisor overview."""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

HALL = "/api/halls/district"
W = f"{HALL}/windows"


async def take(client: AsyncClient, matter: str) -> dict[str, Any]:
    response = await client.post(f"{HALL}/tickets", json={"matter": matter})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_groups_list_their_matters_and_waiting_counts(client: AsyncClient) -> None:
    await take(client, "SI-REG")
    await take(client, "SI-CARD")
    await take(client, "RE-QUERY")
    response = await client.get(f"{HALL}/groups")
    assert response.status_code == 200
    groups = {g["code"]: g for g in response.json()}
    social = groups["social"]
    assert (social["name"], social["icon"], social["waiting"]) == ("社保医保", "shield", 2)
    assert social["description_en"]
    assert "SI-REG" in [m["code"] for m in social["matters"]]
    assert groups["estate"]["waiting"] == 1
    assert groups["business"]["waiting"] == 0
    assert (await client.get("/api/halls/ghost/groups")).status_code == 404


async def test_window_queue_holds_what_the_window_may_serve_in_order(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    first = await take(client, "SI-REG")
    clock.advance(minutes=2)
    estate = await take(client, "RE-QUERY")
    clock.advance(minutes=2)
    second = await take(client, "SI-CARD")
    headers = await sign_in(client, "clerk13")
    assert (await client.post(f"{W}/13/sign-in", headers=headers)).status_code == 200
    specialised = (await client.get(f"{W}/13/queue", headers=headers)).json()
    assert [t["id"] for t in specialised["queue"]] == [estate["id"]]
    assert specialised["window"]["staff"] == "C0013"
    general = (await client.get(f"{W}/1/queue", headers=headers)).json()
    assert [t["id"] for t in general["queue"]] == [first["id"], estate["id"], second["id"]]
    assert [t["position"] for t in general["queue"]] == [1, 2, 3]
    assert [t["waited_minutes"] for t in general["queue"]] == [4, 2, 0]
    assert general["current"] is None
    assert general["window"]["status"] == "closed"
    item = general["queue"][0]
    assert set(item) >= {"number", "matter", "hall_position", "estimated_wait_minutes", "green"}


async def test_queue_shows_the_held_ticket_and_parked_ones(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    ticket = await take(client, "SI-REG")
    headers = await sign_in(client, "clerk02")
    await client.post(f"{W}/2/sign-in", headers=headers)
    await client.post(f"{W}/2/call-next", headers=headers)
    clock.advance(minutes=3)
    desk = (await client.get(f"{W}/2/queue", headers=headers)).json()
    current = desk["current"]
    assert (current["id"], current["status"], current["minutes"]) == (ticket["id"], "called", 3)
    assert desk["queue"] == []
    await client.post(f"{W}/2/park", headers=headers, json={"reason": "复印材料"})
    clock.advance(minutes=1)
    desk = (await client.get(f"{W}/2/queue", headers=headers)).json()
    assert desk["current"] is None
    [parked] = desk["parked"]
    assert (parked["id"], parked["window"], parked["reason"]) == (ticket["id"], 2, "复印材料")
    assert parked["parked_minutes"] == 1
    assert (await client.get(f"{W}/99/queue", headers=headers)).status_code == 404


async def test_my_window_and_my_day_count_only_my_own_actions(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    headers = await sign_in(client, "clerk04")
    assert (await client.get("/api/me/window")).json() == {"window": None}
    await client.post(f"{W}/4/sign-in", headers=headers)
    mine = (await client.get("/api/me/window")).json()["window"]
    assert mine == {"hall": "district", "number": 4, "status": "open"}
    for _ in range(3):
        await take(client, "SI-REG")
    await client.post(f"{W}/4/call-next", headers=headers)
    await client.post(f"{W}/4/start", headers=headers)
    await client.post(f"{W}/4/finish", headers=headers, json={"outcome": "completed"})
    await client.post(f"{W}/4/call-next", headers=headers)
    for _ in range(2):
        clock.advance(minutes=1)
        await client.post(f"{W}/4/recall", headers=headers)
    clock.advance(minutes=5)
    assert (await client.post(f"{W}/4/no-show", headers=headers)).status_code == 200
    today = (await client.get(f"{HALL}/me/today")).json()
    assert (today["called"], today["finished"], today["no_show"]) == (2, 1, 1)
    other = await sign_in(client, "clerk05")  # the same client now acts as clerk05
    await client.post(f"{W}/5/sign-in", headers=other)
    await client.post(f"{W}/5/call-next", headers=other)
    theirs = (await client.get(f"{HALL}/me/today")).json()
    assert (theirs["staff"], theirs["called"], theirs["finished"]) == ("C0005", 1, 0)
    clock.advance(days=1)
    await sign_in(client, "clerk05")  # a session lasts a working day
    tomorrow = (await client.get(f"{HALL}/me/today")).json()
    assert (tomorrow["called"], tomorrow["finished"], tomorrow["no_show"]) == (0, 0, 0)


async def test_ticket_history_lists_its_events_for_staff_only(client: AsyncClient) -> None:
    ticket = await take(client, "SI-REG")
    path = f"/api/tickets/{ticket['id']}/events"
    assert (await client.get(path)).status_code == 401
    headers = await sign_in(client, "clerk06")
    await client.post(f"{W}/6/sign-in", headers=headers)
    await client.post(f"{W}/6/call-next", headers=headers)
    await client.post(f"{W}/6/start", headers=headers)
    await client.post(f"{W}/6/finish", headers=headers, json={"outcome": "referred"})
    events = (await client.get(path)).json()["events"]
    assert [e["kind"] for e in events] == [
        "ticket_issued", "ticket_checked_in", "ticket_called", "service_started", "ticket_finished",
    ]  # fmt: skip
    assert [e["actor"] for e in events] == ["kiosk", "kiosk", "clerk06", "clerk06", "clerk06"]
    assert events[2]["window"] == 6
    assert events[-1]["outcome"] == "referred"
    assert all(e["at"].endswith("+00:00") for e in events)
    assert (await client.get("/api/tickets/nope/events")).status_code == 404


async def test_overview_shows_windows_groups_and_the_longest_wait(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    oldest = await take(client, "RE-QUERY")
    clock.advance(minutes=7)
    await take(client, "SI-REG")
    called = await take(client, "SI-CARD")
    clerk = await sign_in(client, "clerk03")
    await client.post(f"{W}/3/sign-in", headers=clerk)
    await client.post(f"{W}/3/call", headers=clerk, json={"ticket": called["id"], "reason": "演示"})
    assert (await client.get(f"{HALL}/overview")).status_code == 403
    await sign_in(client, "supervisor")
    view = (await client.get(f"{HALL}/overview")).json()
    windows = {w["number"]: w for w in view["windows"]}
    assert len(windows) == 24
    assert (windows[3]["status"], windows[3]["staff"]) == ("open", "C0003")
    assert windows[3]["ticket"]["number"] == called["number"]
    assert (windows[4]["status"], windows[4]["staff"], windows[4]["ticket"]) == (
        "closed",
        None,
        None,
    )
    groups = {g["code"]: g for g in view["groups"]}
    assert (groups["estate"]["waiting"], groups["estate"]["longest_wait_minutes"]) == (1, 7)
    assert (groups["social"]["waiting"], groups["social"]["longest_wait_minutes"]) == (1, 0)
    assert view["waiting"] == 2
    assert view["longest_wait"] == {"number": oldest["number"], "matter": "RE-QUERY", "minutes": 7}
    assert view["today"] == {"issued": 3, "finished": 0, "no_show": 0}


async def test_views_need_the_right_people(client: AsyncClient) -> None:
    for path in (f"{W}/1/queue", f"{HALL}/me/today", "/api/me/window", f"{HALL}/overview"):
        response = await client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["message_zh"] == "请先登录。"
    await sign_in(client, "admin")
    assert (await client.get(f"{HALL}/overview")).status_code == 200
    assert (await client.get("/api/halls/ghost/overview")).status_code == 404
