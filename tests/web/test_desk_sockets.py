"""The evaluator's and the helpers' sockets over Starlette's TestClient: pairing, sign-in,
and the messages a finish, a rating and a 帮办 request send."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from starlette.websockets import WebSocketDisconnect

from hall.settings import Settings
from web.app import create_app
from web.desk_keys import evaluator_key

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient
    from starlette.testclient import WebSocketTestSession as Socket

HALL = "/api/halls/district"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/session", json={"username": username, "password": "tongban-demo"})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def until(ws: Socket, wanted: str) -> dict[str, Any]:
    for _ in range(20):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == wanted:
            return message
    raise AssertionError(f"no {wanted} message")


def closed_with(client: TestClient, path: str) -> int:
    with pytest.raises(WebSocketDisconnect) as caught, client.websocket_connect(path) as ws:
        ws.receive_json()
    return caught.value.code


def test_the_evaluator_follows_its_window(client: TestClient, settings: Settings) -> None:
    key = evaluator_key(settings.secret_key, "district", 4)
    assert closed_with(client, "/ws/halls/district/windows/4/evaluator") == 4403
    assert closed_with(client, f"/ws/halls/district/windows/4/evaluator?key={key[:-1]}x") == 4403
    wrong = evaluator_key(settings.secret_key, "district", 99)
    assert closed_with(client, f"/ws/halls/district/windows/99/evaluator?key={wrong}") == 4404

    with client.websocket_connect(f"/ws/halls/district/windows/4/evaluator?key={key}") as ws:
        assert until(ws, "idle")["staff"] is None
        headers = sign_in(client, "clerk04")
        client.post(f"{HALL}/windows/4/sign-in", headers=headers)
        assert until(ws, "idle")["staff"] == "C0004"
        ticket = client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"}).json()
        client.post(f"{HALL}/windows/4/call-next", headers=headers)
        client.post(f"{HALL}/windows/4/start", headers=headers)
        client.post(f"{HALL}/windows/4/finish", headers=headers, json={"outcome": "completed"})
        asking = until(ws, "rate")
        assert asking["ticket"]["id"] == ticket["id"]
        assert asking["ticket"]["matter_name"] == "社会保障卡申领与补换"
        client.cookies.clear()
        rated = client.post(
            f"/api/tickets/{ticket['id']}/rating", json={"score": 5, "channel": "evaluator"}
        )
        assert rated.status_code == 201
        assert until(ws, "idle")["ticket"] is None


def test_helpers_hear_of_requests_at_once(client: TestClient) -> None:
    assert closed_with(client, "/ws/halls/district/helpers") == 4401
    sign_in(client, "clerk03")
    assert closed_with(client, "/ws/halls/district/helpers") == 4403
    sign_in(client, "supervisor")
    with client.websocket_connect("/ws/halls/district/helpers") as ws:
        first = until(ws, "requests")
        assert (first["ring"], first["cases"]) == (False, [])
        ticket = client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"}).json()
        client.cookies.clear()  # the citizen's phone
        asked_for = client.post(f"/api/tickets/{ticket['id']}/help", json={"note": "看不清屏幕"})
        assert asked_for.status_code == 201
        asked = until(ws, "requests")
        assert asked["ring"] is True
        [case] = asked["cases"]
        assert (case["ticket"], case["summary"], case["status"]) == (
            ticket["number"],
            "看不清屏幕",
            "open",
        )
        boss = sign_in(client, "supervisor")
        accepted = client.post(
            f"/api/cases/{case['id']}/steps", headers=boss, json={"step": "accept"}
        )
        assert accepted.status_code == 200
        mine = until(ws, "requests")
        assert mine["ring"] is False
        assert [c["status"] for c in mine["cases"]] == ["accepted"]
