"""The live what-if over HTTP, on the demo hall with a driven queue (SQLite and PostgreSQL).

The answer's shapes are the issue's; the projection starts from the state right now (the
waiting tickets in their order, the windows serving); opening windows shortens the queue;
bad questions are one clear 4xx each; the citizen's estimate can come from the projection.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from hall.analytics.snapshot import snapshot_from_json
from simulation.results import SIMULATED_KPIS
from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio

H = "/api/halls/district"
WAITING = 10


async def driven(
    app: Starlette, client: AsyncClient
) -> tuple[FakeClock, list[str], dict[str, str]]:
    """12 walk-ins at 09:00; window 1 serves one since 09:02, window 2 called one at 09:05.
    At 09:10 a supervisor asks. Returns the clock, the waiting numbers and the headers."""
    clock = use_clock(app, FakeClock())
    numbers = []
    for k in range(12):
        matter = "SI-REG" if k % 2 else "MI-RES"
        taken = await client.post(f"{H}/tickets", json={"matter": matter})
        assert taken.status_code == 201, taken.text
        numbers.append(taken.json()["number"])
    for window, clerk, actions in (
        (1, "clerk01", ("call-next", "start")),
        (2, "clerk02", ("call-next",)),
    ):
        headers = await sign_in(client, clerk)
        assert (await client.post(f"{H}/windows/{window}/sign-in", headers=headers)).is_success
        clock.advance(minutes=2)
        for action in actions:
            assert (await client.post(f"{H}/windows/{window}/{action}", headers=headers)).is_success
        clock.advance(minutes=1)
    clock.advance(minutes=5)
    return clock, numbers[2:], await sign_in(client, "supervisor")


def at(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


async def test_the_answer_starts_from_the_queue_right_now(
    app: Starlette, client: AsyncClient
) -> None:
    clock, waiting, headers = await driven(app, client)
    body = {"changes": [{"open": [7, 8], "at": "09:30"}], "replications": 20}
    response = await client.post(f"{H}/whatif", json=body, headers=headers)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) >= {"baseline", "scenario", "as_of", "replications", "profile", "changes"}
    assert answer["changes"] == body["changes"]
    now = clock.now.timestamp()
    assert at(answer["as_of"]) == now
    for side in (answer["baseline"], answer["scenario"]):
        assert set(side) >= {"clear_at", "kpis", "p_met", "tickets", "hourly"}
        assert list(side["kpis"]) == list(SIMULATED_KPIS)
        for name, entry in side["kpis"].items():
            assert {"mean", "ci", "target", "p_met", "label", "label_zh", "unit"} <= set(entry), (
                name
            )
        assert set(side["p_met"]) == {n for n, k in side["kpis"].items() if k["target"] is not None}
        assert all(0.0 <= p <= 1.0 for p in side["p_met"].values() if p is not None)
        assert [t["number"] for t in side["tickets"]] == waiting  # first come, first called
        calls = [at(t["expected_call"]) for t in side["tickets"]]
        assert all(c >= now for c in calls)
        assert at(side["clear_at"]) > max(calls)
        assert side["hourly"][0]["hour"] == "09:00"
    # Two more windows from 09:30 call the last citizens sooner and empty the hall sooner.
    last = [at(s["tickets"][-1]["expected_call"]) for s in (answer["baseline"], answer["scenario"])]
    assert last[1] < last[0]
    assert at(answer["scenario"]["clear_at"]) < at(answer["baseline"]["clear_at"])
    assert answer["profile"]["source"].startswith("today so far")


async def test_with_no_changes_both_sides_are_the_same_run(
    app: Starlette, client: AsyncClient
) -> None:
    _, _, headers = await driven(app, client)
    response = await client.post(f"{H}/whatif", json={"replications": 5}, headers=headers)
    answer = response.json()
    assert answer["baseline"] == answer["scenario"]
    again = await client.post(f"{H}/whatif", json={"replications": 5}, headers=headers)
    assert again.json()["baseline"] == answer["baseline"]  # a seed gives the same answer


BAD_QUESTIONS = [
    ({"changes": [{"open": [99]}]}, "changes[0].open"),
    ({"changes": [{"open": [7], "at": "25:00"}]}, "changes[0].at"),
    ({"changes": [{"close": [1], "at": "09:00"}]}, "changes[0].at"),  # already past
    ({"changes": [{"open": [7], "at": "17:30"}]}, "changes[0].at"),  # after closing
    ({"changes": [{"demand": -1}]}, "changes[0].demand"),
    ({"changes": [{"open": [7], "close": [8]}]}, "changes[0]"),
    ({"changes": "open 7"}, "changes"),
    ({"replications": 0}, "replications"),
    ({"replications": 10_000}, "replications"),
    ({"windows": [7]}, "windows"),
]


async def test_a_bad_question_is_one_clear_422(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock()).advance(minutes=10)  # 09:10
    headers = await sign_in(client, "supervisor")
    for body, field in BAD_QUESTIONS:
        response = await client.post(f"{H}/whatif", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        error = response.json()["error"]
        assert field in error["fields"], body
        assert error["message_zh"].startswith("推演请求有误"), body
        assert error["message_zh"].endswith("。"), body


async def test_only_the_halls_supervisors_ask(app: Starlette, client: AsyncClient) -> None:
    assert (await client.post(f"{H}/whatif", json={})).status_code == 401
    clerk = await sign_in(client, "clerk01")
    assert (await client.post(f"{H}/whatif", json={}, headers=clerk)).status_code == 403
    boss = await sign_in(client, "supervisor")
    assert (await client.post(f"{H}/whatif", json={})).status_code == 403  # no CSRF token
    assert (
        await client.post("/api/halls/nowhere/whatif", json={}, headers=boss)
    ).status_code == 404
    bad = await client.post(f"{H}/whatif", content=b"{", headers=boss)
    assert bad.status_code == 400


async def test_the_state_is_the_snapshot_the_what_if_reads(
    app: Starlette, client: AsyncClient
) -> None:
    clock, waiting, _ = await driven(app, client)
    response = await client.get(f"{H}/whatif/state")
    assert response.status_code == 200
    snapshot = snapshot_from_json(response.json())
    assert snapshot.now == clock.now.timestamp()
    assert [t.number for t in snapshot.tickets if t.status == "waiting"] == waiting
    serving = {t.window: t.status for t in snapshot.tickets if t.window is not None}
    assert serving == {1: "serving", 2: "called"}
    assert {w.number: w.status for w in snapshot.windows if w.status != "closed"} == {
        1: "open",
        2: "open",
    }
    assert len(snapshot.periods) == 2  # 09:00–12:00, 13:00–17:00 on a Monday
    assert "masked" not in response.text
    assert "phone" not in response.text


async def test_a_citizens_estimate_can_come_from_the_projection(
    app: Starlette, client: AsyncClient
) -> None:
    _, _, headers = await driven(app, client)
    app.state.settings = replace(app.state.settings, wait_estimate="projection")
    answer = (
        await client.post(f"{H}/whatif", json={"replications": 20, "seed": 1}, headers=headers)
    ).json()
    last = answer["baseline"]["tickets"][-1]
    shown = (await client.get(f"/api/tickets/{last['ticket']}")).json()
    assert shown["estimated_wait_minutes"] == round(last["wait_minutes"])
