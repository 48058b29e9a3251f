"""Screens over Starlette's TestClient: the socket, the board API, the notice and the pages."""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from displays.screen_state import ScreenState
from hall.settings import Settings
from web.app import create_app

with warnings.catch_warnings():
    # Starlette 1.x prefers httpx2 for its TestClient; httpx still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient
    from starlette.testclient import WebSocketTestSession as Socket

HALL = "/api/halls/district"
WS = "/ws/halls/district/screens"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as http:
        yield http


def sign_in(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/session", json={"username": username, "password": "tongban-demo"})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def until(ws: Socket, kind: str, state: ScreenState | None = None) -> dict[str, Any]:
    """Read messages (applying them) until one of ``kind`` arrives."""
    for _ in range(50):
        message: dict[str, Any] = ws.receive_json()
        if state is not None:
            state.apply(message)
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


def until_shown(ws: Socket, state: ScreenState, shown: Callable[[ScreenState], bool]) -> None:
    """Read messages (applying them) until the screen shows what ``shown`` looks for.

    Changes other than calls are folded into the next call's message or, within the
    feed's hold, into one board message (displays.feed), so the test waits for the
    state, not for a message type.
    """
    for _ in range(50):
        state.apply(ws.receive_json())
        if shown(state):
            return
    raise AssertionError("the screen never showed it")


def open_and_call(client: TestClient, window: int = 1) -> tuple[dict[str, Any], dict[str, str]]:
    headers = sign_in(client, f"clerk{window:02d}")
    assert client.post(f"{HALL}/windows/{window}/sign-in", headers=headers).status_code == 200
    ticket = client.post(f"{HALL}/tickets", json={"matter": "SI-REG"}).json()
    called = client.post(f"{HALL}/windows/{window}/call-next", headers=headers)
    assert called.json()["ticket"]["id"] == ticket["id"]
    return ticket, headers


def test_a_call_reaches_the_screen_with_its_announcement(client: TestClient) -> None:
    state = ScreenState()
    with client.websocket_connect(WS) as ws:
        snapshot = until(ws, "snapshot", state)
        assert set(snapshot) >= {"seq", "hall", "recent_calls", "windows", "waiting"}
        ticket, _ = open_and_call(client)
        message = until(ws, "called", state)
    assert (message["ticket"], message["window"]) == (ticket["number"], 1)
    assert message["announcement"]["text"] == f"请 {ticket['number']} 号 到 1 号窗口 办理"
    window = state.window(1)
    assert window is not None
    assert (window["ticket"], window["status"], window["staff"]) == (
        ticket["number"],
        "open",
        "C0001",
    )
    assert state.board["recent_calls"][0]["ticket"] == ticket["number"]
    assert ticket["id"] not in str(state.board)


def test_board_endpoint(client: TestClient) -> None:
    ticket, _ = open_and_call(client, window=2)
    board = client.get(f"{HALL}/board").json()
    assert set(board) >= {"seq", "hall", "recent_calls", "windows", "waiting"}
    assert board["recent_calls"][0] == {
        **board["recent_calls"][0],
        "ticket": ticket["number"],
        "window": 2,
    }
    assert board["hall"]["id"] == "district"
    assert client.get("/api/halls/nowhere/board").status_code == 404


def test_reconnecting_with_since_replays_what_was_missed(client: TestClient) -> None:
    state = ScreenState()
    with client.websocket_connect(WS) as ws:
        until(ws, "snapshot", state)
        headers = sign_in(client, "clerk03")
        client.post(f"{HALL}/windows/3/sign-in", headers=headers)
        until_shown(ws, state, lambda s: (s.window(3) or {}).get("staff") == "C0003")
    client.post(f"{HALL}/tickets", json={"matter": "SI-REG"})
    client.post(f"{HALL}/windows/3/call-next", headers=headers)
    client.post(f"{HALL}/windows/3/recall", headers=headers)
    with client.websocket_connect(WS + state.since()) as ws:
        recalled = until(ws, "recalled", state)
        until(ws, "heartbeat", state)
    assert recalled["announcement"]["recall"] is True
    assert state.window(3) == {**(state.window(3) or {}), "ticket_status": "called"}
    with client.websocket_connect(f"{WS}?since=999999") as ws:
        assert ws.receive_json()["type"] == "snapshot"
    for odd in ("²", "٣", "9" * 40, "-1"):  # no number a client could mean: a snapshot
        with client.websocket_connect(f"{WS}?since={odd}") as ws:
            assert ws.receive_json()["type"] == "snapshot"


def test_window_pause_and_unknown_hall(client: TestClient) -> None:
    state = ScreenState()
    with client.websocket_connect(WS) as ws:
        until(ws, "snapshot", state)
        headers = sign_in(client, "clerk04")
        client.post(f"{HALL}/windows/4/sign-in", headers=headers)
        client.post(f"{HALL}/windows/4/pause", headers=headers, json={"reason": "break"})
        until_shown(ws, state, lambda s: (s.window(4) or {}).get("status") == "paused")
    with client.websocket_connect("/ws/halls/nowhere/screens") as ws:
        message = ws.receive()
    assert message == {**message, "type": "websocket.close", "code": 4404}


def test_supervisor_sets_the_notice(client: TestClient) -> None:
    state = ScreenState()
    with client.websocket_connect(WS) as ws:
        until(ws, "snapshot", state)
        headers = sign_in(client, "supervisor")
        response = client.post(
            f"{HALL}/notice", headers=headers, json={"notice": " 今日 16:00 停止取号 "}
        )
        assert response.json() == {"hall": "district", "notice": "今日 16:00 停止取号"}
        until_shown(ws, state, lambda s: s.board["hall"]["notice"] == "今日 16:00 停止取号")
    assert state.board["hall"]["notice"] == "今日 16:00 停止取号"
    too_long = client.post(f"{HALL}/notice", headers=headers, json={"notice": "长" * 501})
    assert too_long.status_code == 422
    assert client.post(f"{HALL}/notice", json={"notice": "x"}).status_code == 403
    clerk = sign_in(client, "clerk05")
    assert client.post(f"{HALL}/notice", headers=clerk, json={"notice": "x"}).status_code == 403


def test_screen_pages(client: TestClient) -> None:
    for path in ("main", "windows/5", "waiting"):
        page = client.get(f"/halls/district/screens/{path}")
        assert page.status_code == 200
        assert "/static/screens.js" in page.text
    assert client.get("/halls/district/screens/windows/99").status_code == 404
    assert client.get("/halls/nowhere/screens/main").status_code == 404
    assert client.get("/static/chime.wav").headers["content-type"] == "audio/x-wav"


def test_a_notice_without_a_body_keeps_the_notice(client: TestClient) -> None:
    headers = sign_in(client, "supervisor")
    set_ = client.post(f"{HALL}/notice", headers=headers, json={"notice": "今日照常办公"})
    assert set_.status_code == 200
    for body in ({"content": b""}, {"json": {}}, {"json": {"notice": None}}):
        refused = client.post(f"{HALL}/notice", headers=headers, **body)  # type: ignore[arg-type]
        assert refused.status_code == 422
        assert refused.json()["error"]["fields"] == {"notice": "required"}
    assert client.get(f"{HALL}/board").json()["hall"]["notice"] == "今日照常办公"
    cleared = client.post(f"{HALL}/notice", headers=headers, json={"notice": ""})
    assert cleared.json() == {"hall": "district", "notice": ""}


def test_window_screen_page_with_a_number_no_column_holds_is_404(client: TestClient) -> None:
    assert client.get(f"/halls/district/screens/windows/{2**63}").status_code == 404


def refusal(ws: Socket) -> tuple[int, str]:
    """The close code and reason of a socket the server closes at once."""
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive_json()
    return closed.value.code, closed.value.reason


def test_screen_sockets_are_limited_per_address(settings: Settings) -> None:
    limited = dataclasses.replace(settings, screen_sockets_per_address=2, screen_sockets_total=0)
    with TestClient(create_app(limited)) as http:
        with http.websocket_connect(WS) as one, http.websocket_connect(WS) as two:
            assert one.receive_json()["type"] == two.receive_json()["type"] == "snapshot"
            with http.websocket_connect(WS) as third:
                code, reason = refusal(third)
            assert (code, reason) == (4429, "too many screens from this address")
        # Closing one makes room again.
        with http.websocket_connect(WS) as again:
            assert again.receive_json()["type"] == "snapshot"


def test_screen_sockets_are_limited_in_total(settings: Settings) -> None:
    limited = dataclasses.replace(settings, screen_sockets_per_address=0, screen_sockets_total=2)
    with (
        TestClient(create_app(limited)) as http,
        http.websocket_connect(WS) as one,
        http.websocket_connect(WS) as two,
    ):
        assert one.receive_json()["type"] == two.receive_json()["type"] == "snapshot"
        with http.websocket_connect(WS) as third:
            code, reason = refusal(third)
        assert code == 1013  # try again later
        assert "try again later" in reason
