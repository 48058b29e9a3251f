"""Ratings, cases and 帮办 over HTTP: the shapes and codes of docs/api.md, who may do what,
the 否定答复 report of a rejection, and the CSV exports."""

from __future__ import annotations

import csv
import io

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from tests.web.helpers import FakeClock, sign_in, use_clock
from web.desk_keys import evaluator_key

pytestmark = pytest.mark.asyncio

HALL = "/api/halls/district"
W = f"{HALL}/windows"


async def served(
    client: AsyncClient, clock: FakeClock, window: int = 5, outcome: dict[str, str] | None = None
) -> tuple[dict[str, str], dict[str, str]]:
    """A clerk calls the next ticket (after issuing one) and serves it; (ticket, headers)."""
    headers = await sign_in(client, f"clerk{window:02d}")
    await client.post(f"{W}/{window}/sign-in", headers=headers)
    await client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"})
    clock.advance(minutes=1)
    ticket = (await client.post(f"{W}/{window}/call-next", headers=headers)).json()["ticket"]
    await client.post(f"{W}/{window}/start", headers=headers)
    clock.advance(minutes=6)
    finished = await client.post(
        f"{W}/{window}/finish", headers=headers, json=outcome or {"outcome": "completed"}
    )
    assert finished.status_code == 200, finished.text
    client.cookies.clear()  # the citizen's requests carry no staff session
    return ticket, headers


async def test_rating_a_ticket_and_its_codes(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    waiting = (await client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"})).json()
    early = await client.post(f"/api/tickets/{waiting['id']}/rating", json={"score": 5})
    assert (early.status_code, early.json()["error"]["code"]) == (409, "not_finished")

    ticket, _ = await served(client, clock)
    state = (await client.get(f"/api/tickets/{ticket['id']}/rating")).json()
    assert state["can_rate"]
    assert state["rating"] is None
    bad = await client.post(f"/api/tickets/{ticket['id']}/rating", json={"score": 9})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == {"score": "a whole number from 1 to 5"}
    assert "1 到 5" in bad.json()["error"]["message_zh"]
    body = {"score": 2, "reasons": ["slow"], "aspects": {"efficiency": 2}, "channel": "phone"}
    given = await client.post(f"/api/tickets/{ticket['id']}/rating", json=body)
    assert given.status_code == 201, given.text
    rating, case = given.json()["rating"], given.json()["case"]
    assert (rating["score"], rating["level"], rating["channel"]) == (2, "dissatisfied", "phone")
    assert rating["aspects"] == {"efficiency": 2}
    assert rating["reasons"] == ["slow"]
    assert set(case) == {"id", "kind", "status", "opened_at", "due_at"}
    assert case["kind"] == "bad_rating"
    again = await client.post(f"/api/tickets/{ticket['id']}/rating", json={"score": 5})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "already_rated")
    changed = await client.post(
        f"/api/tickets/{ticket['id']}/rating", json={"score": 5, "change": True}
    )
    assert changed.status_code == 201
    assert changed.json()["rating"]["changed"]
    assert changed.json()["case"]["status"] == "closed"

    clock.advance(days=8)
    other, _ = await served(client, clock, window=6)
    clock.advance(days=7, minutes=1)
    late = await client.post(f"/api/tickets/{other['id']}/rating", json={"score": 5})
    assert (late.status_code, late.json()["error"]["code"]) == (409, "rating_closed")
    wrong = await client.post(
        f"/api/tickets/{other['id']}/rating", json={"score": 5, "channel": "default"}
    )
    assert wrong.status_code == 422


async def test_staff_cannot_rate(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    ticket, _ = await served(client, clock)
    await sign_in(client, "clerk05")
    refused = await client.post(f"/api/tickets/{ticket['id']}/rating", json={"score": 5})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "staff_cannot_rate")


async def test_the_evaluator_needs_its_key(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    assert (await client.get(f"{W}/5/evaluator")).status_code == 403
    assert (await client.get(f"{W}/5/evaluator?key=nope")).status_code == 403
    key = evaluator_key(app.state.settings.secret_key, "district", 5)
    idle = (await client.get(f"{W}/5/evaluator?key={key}")).json()
    assert (idle["type"], idle["ticket"]) == ("idle", None)
    ticket, _ = await served(client, clock)
    asking = (await client.get(f"{W}/5/evaluator?key={key}")).json()
    assert asking["type"] == "rate"
    assert asking["ticket"]["id"] == ticket["id"]
    assert asking["staff"] == "C0005"
    other_key = evaluator_key(app.state.settings.secret_key, "district", 6)
    assert (await client.get(f"{W}/6/evaluator?key={other_key}")).json()["type"] == "idle"
    clock.advance(minutes=11)  # [rating] evaluator_minutes = 10
    assert (await client.get(f"{W}/5/evaluator?key={key}")).json()["type"] == "idle"


async def test_a_rejection_needs_a_reason_and_becomes_a_refusal_report(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    headers = await sign_in(client, "clerk07")
    await client.post(f"{W}/7/sign-in", headers=headers)
    await client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"})
    await client.post(f"{W}/7/call-next", headers=headers)
    await client.post(f"{W}/7/start", headers=headers)
    missing = await client.post(f"{W}/7/finish", headers=headers, json={"outcome": "rejected"})
    assert missing.status_code == 422
    assert "reason" in missing.json()["error"]["fields"]
    clock.advance(minutes=3)
    done = await client.post(
        f"{W}/7/finish", headers=headers, json={"outcome": "rejected", "reason": "不符合申领条件"}
    )
    assert done.status_code == 200
    mine = (await client.get(f"{HALL}/cases", params={"kind": "cannot_handle"})).json()["cases"]
    assert [(c["origin"], c["summary"], c["staff"]) for c in mine] == [
        ("refusal", "不符合申领条件", "C0007")
    ]
    boss = await sign_in(client, "supervisor")
    step = await client.post(
        f"/api/cases/{mine[0]['id']}/steps", headers=boss,
        json={"step": "check", "result": "ok", "note": "依据充分"},
    )  # fmt: skip
    assert step.status_code == 200
    assert step.json()["status"] == "closed"  # the case itself, not wrapped
    assert [s["step"] for s in step.json()["steps"]] == ["opened", "check"]


async def test_the_desk_api_rights_steps_and_csv(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock())
    ticket, _ = await served(client, clock)
    rated = await client.post(
        f"/api/tickets/{ticket['id']}/rating", json={"score": 1, "reasons": ["attitude"]}
    )
    case_id = rated.json()["case"]["id"]

    anonymous = await client.get(f"{HALL}/cases")
    assert anonymous.status_code == 401
    clerk = await sign_in(client, "clerk05")
    assert (await client.get(f"{HALL}/cases")).json() == {"cases": []}  # not yet revealed
    clock.advance(minutes=61)
    listed = (await client.get(f"{HALL}/cases")).json()["cases"]
    assert [c["id"] for c in listed] == [case_id]
    expected = {
        "id",
        "kind",
        "status",
        "ticket",
        "window",
        "staff",
        "matter",
        "opened_at",
        "due_at",
        "overdue",
        "steps",
    }
    assert expected <= set(listed[0])
    close = await client.post(
        f"/api/cases/{case_id}/steps", headers=clerk, json={"step": "close", "note": "x"}
    )
    assert (close.status_code, close.json()["error"]["code"]) == (403, "forbidden")
    other = await sign_in(client, "clerk06")
    hidden = await client.get(f"/api/cases/{case_id}")
    assert hidden.status_code == 404
    assert (
        await client.post(
            f"/api/cases/{case_id}/steps", headers=other, json={"step": "note", "note": "x"}
        )
    ).status_code == 404

    boss = await sign_in(client, "supervisor")
    illegal = await client.post(
        f"/api/cases/{case_id}/steps", headers=boss, json={"step": "rectify", "note": "x"}
    )
    assert illegal.status_code == 409
    assert illegal.json()["error"]["code"] == "illegal_step"
    assert illegal.json()["error"]["fields"] == {"step": "open"}
    unknown = await client.post(f"/api/cases/{case_id}/steps", headers=boss, json={"step": "dance"})
    assert unknown.status_code == 422
    verified = await client.post(
        f"/api/cases/{case_id}/steps", headers=boss,
        json={"step": "verify", "result": "true", "evidence": "属实"},
    )  # fmt: skip
    assert verified.json()["status"] == "rectifying"
    overdue = await client.get(f"{HALL}/cases", params={"overdue": "true"})
    assert overdue.json()["cases"] == []
    assert (await client.get(f"{HALL}/cases", params={"overdue": "maybe"})).status_code == 422

    exported = await client.get(f"{HALL}/cases.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "类型", "来源", "状态"]
    assert rows[1][:4] == [str(case_id), "差评", "评价", "整改中"]
    english = await client.get(f"{HALL}/cases.csv", params={"lang": "en"})
    assert next(iter(csv.reader(io.StringIO(english.content.decode("utf-8-sig")))))[:2] == [
        "id",
        "kind",
    ]

    figures = (await client.get(f"{HALL}/rating-figures", params={"by": "window"})).json()
    assert figures["figures"]["bad"] == 1
    assert figures["groups"][0]["key"] == "5"
    problems = (await client.get(f"{HALL}/reports/bad-rating-problems")).json()
    assert problems["by_reason"][0]["reason"] == "attitude"
    daily = await client.get(
        f"{HALL}/reports/cannot-handle/daily.csv", params={"day": "2026-11-23"}
    )
    assert daily.content.startswith(b"\xef\xbb\xbf")
    assert "办不成事日汇总" in daily.content.decode("utf-8-sig")
    weekly = (
        await client.get(f"{HALL}/reports/cannot-handle/weekly", params={"day": "2026-11-25"})
    ).json()
    assert (weekly["from"], weekly["to"]) == ("2026-11-23", "2026-11-29")
    bad_day = await client.get(f"{HALL}/reports/cannot-handle/daily", params={"day": "23/11"})
    assert bad_day.status_code == 422


async def test_help_requests_from_the_phone_and_the_window(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock())
    ticket = (await client.post(f"{HALL}/tickets", json={"matter": "SI-CARD"})).json()
    asked = await client.post(f"/api/tickets/{ticket['id']}/help", json={"note": "轮椅"})
    assert asked.status_code == 201
    public = asked.json()["case"]
    assert set(public) == {"id", "kind", "status", "ticket", "opened_at", "accepted_at", "helper"}
    again = await client.post(f"/api/tickets/{ticket['id']}/help")
    assert again.status_code == 200
    assert again.json()["case"]["id"] == public["id"]
    assert (await client.post("/api/tickets/nope/help")).status_code == 404

    await sign_in(client, "clerk03")  # not a helper
    assert (await client.get(f"{HALL}/help-requests")).status_code == 403
    helper = await sign_in(client, "clerk22")
    waiting = (await client.get(f"{HALL}/help-requests")).json()["cases"]
    assert [c["id"] for c in waiting] == [public["id"]]
    clock.advance(seconds=20)
    accepted = await client.post(
        f"/api/cases/{public['id']}/steps", headers=helper, json={"step": "accept"}
    )
    assert accepted.json()["response_seconds"] == 20.0
    other = await sign_in(client, "supervisor")
    late = await client.post(
        f"/api/cases/{public['id']}/steps", headers=other, json={"step": "accept"}
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "already_accepted")
    assert "C0022" in late.json()["error"]["message_zh"]
    client.cookies.clear()
    seen = (await client.get(f"/api/tickets/{ticket['id']}/help")).json()["case"]
    assert (seen["status"], seen["helper"]) == ("accepted", "C0022")

    helper = await sign_in(client, "clerk22")
    done = await client.post(
        f"/api/cases/{public['id']}/steps", headers=helper, json={"step": "close"}
    )
    assert done.json()["status"] == "closed"  # the helper who took it closes it

    served_ticket, headers = await served(client, clock, window=8)
    assert served_ticket["id"] == ticket["id"]  # the window called the one who asked
    headers = await sign_in(client, "clerk08")
    at_window = await client.post(f"/api/tickets/{served_ticket['id']}/help", headers=headers)
    assert at_window.status_code == 201
    assert at_window.json()["case"]["origin"] == "clerk"
    no_csrf = await client.post(f"/api/tickets/{served_ticket['id']}/help")
    assert no_csrf.status_code == 403
