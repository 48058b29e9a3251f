"""Real answers of a realistic flow (status code and JSON body) match the OpenAPI description."""

from __future__ import annotations

import re
from typing import Any

import jsonschema_rs
import pytest
from httpx import AsyncClient, Response
from starlette.applications import Starlette

from tests.hall.booking.helpers import MONDAY_0900, phone, resident_id
from tests.web.helpers import FakeClock, sign_in, use_clock
from web.api.openapi import document

pytestmark = pytest.mark.asyncio

HALL = "/api/halls/district"
W = f"{HALL}/windows"


def operation_of(doc: dict[str, Any], method: str, path: str) -> tuple[str, dict[str, Any]]:
    for template, operations in sorted(doc["paths"].items(), key=lambda t: -len(t[0])):
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return template, operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the description")


class Checked:
    """Sends requests and checks every answer against the description."""

    def __init__(self, client: AsyncClient) -> None:
        self.client = client
        self.doc = document()
        self.seen: set[tuple[str, str]] = set()
        self.headers: dict[str, str] = {}

    async def __call__(self, method: str, path: str, **kwargs: Any) -> Response:
        kwargs.setdefault("headers", self.headers)
        response = await self.client.request(method, path, **kwargs)
        self.check(method, path.split("?")[0], response)
        return response

    def check(self, method: str, path: str, response: Response) -> None:
        template, spec = operation_of(self.doc, method, path)
        self.seen.add((method, template))
        status = str(response.status_code)
        declared = spec["responses"].get(status) or spec["responses"].get(status[0] + "XX")
        assert declared is not None, f"{method} {path}: {status} is not declared"
        kind = response.headers.get("content-type", "").split(";")[0]
        content = declared.get("content", {})
        if not content:
            assert not response.content, f"{method} {path}: a body where none is declared"
            return
        assert kind in content, f"{method} {path}: {kind} not in {list(content)}"
        schema = content[kind].get("schema")
        if kind == "application/json" and schema is not None:
            document_schema = {**schema, "components": self.doc["components"]}
            errors = [
                f"{e.instance_path}: {e.message}"
                for e in jsonschema_rs.validator_for(document_schema).iter_errors(response.json())
            ]
            assert errors == [], f"{method} {path} {status}"


async def test_a_days_answers_match_the_description(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    call = Checked(client)
    for path in ("/api/halls", f"{HALL}/matters", f"{HALL}/windows", f"{HALL}/issuing"):
        await call("GET", path)
    await call("GET", f"{HALL}/groups")
    await call("GET", f"{HALL}/board")
    await call("GET", "/api/openapi.json")
    ticket = (await call("POST", f"{HALL}/tickets", json={"matter": "SI-CARD"})).json()
    second = (await call("POST", f"{HALL}/tickets", json={"matter": "SI-CARD"})).json()
    await call("GET", f"/api/tickets/{ticket['id']}")
    await call("POST", f"{HALL}/tickets", json={"matter": "NOPE"})  # 4XX in the one shape
    await call("GET", f"/api/tickets/{ticket['id']}/rating")

    call.headers = await sign_in(client, "clerk05")
    await call("GET", "/api/session")
    await call("POST", f"{W}/5/sign-in")
    await call("GET", "/api/me/window")
    await call("POST", f"{W}/5/call-next")
    await call("POST", f"{W}/5/recall")
    await call("POST", f"{W}/5/start")
    await call("POST", f"{W}/5/finish", json={"outcome": "completed"})
    await call("POST", f"{W}/5/call", json={"ticket": second["id"], "reason": "材料已备齐"})
    await call("POST", f"{W}/5/park", json={"reason": "等材料"})
    await call("POST", f"{W}/5/resume-ticket", json={"ticket": second["id"]})
    await call("POST", f"{W}/5/call-next")
    await call("POST", f"{W}/5/no-show")
    await call("POST", f"{W}/5/call-next")
    await call("GET", f"{W}/5/queue")
    await call("GET", f"{HALL}/me/today")
    await call("GET", f"/api/tickets/{ticket['id']}/events")
    await call("POST", f"/api/tickets/{ticket['id']}/help", json={"note": "需要帮办"})
    await call("POST", f"/api/tickets/{ticket['id']}/help", json={"note": "需要帮办"})
    await call("GET", f"/api/tickets/{ticket['id']}/help")
    await call("POST", f"{W}/5/pause", json={"reason": "break"})
    await call("POST", f"{W}/5/resume")
    await call("GET", f"{HALL}/cases")
    await call("POST", f"{W}/5/sign-out")
    await call("POST", f"{W}/99999/sign-in")
    await call("DELETE", "/api/session")

    rated = await call("POST", f"/api/tickets/{ticket['id']}/rating", json={"score": 1})
    assert rated.status_code == 201

    call.headers = await sign_in(client, "supervisor")
    for path in (
        f"{HALL}/overview",
        f"{HALL}/kpis",
        f"{HALL}/report",
        f"{HALL}/report.csv?table=windows",
        f"{HALL}/tickets.csv",
        f"{HALL}/leaderboard",
        "/api/kpis",
        "/api/kpis.csv",
        f"{HALL}/whatif/state",
        f"{HALL}/ratings",
        f"{HALL}/rating-figures?by=window",
        f"{HALL}/cases?status=active",
        f"{HALL}/cases.csv",
        f"{HALL}/help-requests",
        f"{HALL}/reports/cannot-handle/daily",
        f"{HALL}/reports/cannot-handle/daily.csv",
        f"{HALL}/reports/cannot-handle/weekly",
        f"{HALL}/reports/cannot-handle/weekly.csv",
        f"{HALL}/reports/bad-rating-problems",
        f"{HALL}/reports/bad-rating-problems.csv",
        f"{HALL}/slot-overrides?date=2026-11-24",
    ):
        await call("GET", path)
    cases = (await call("GET", f"{HALL}/cases")).json()["cases"]
    assert cases
    await call("GET", f"/api/cases/{cases[0]['id']}")
    await call("POST", f"/api/cases/{cases[0]['id']}/steps", json={"step": "accept"})
    await call("POST", f"{HALL}/cases", json={"kind": "complaint", "summary": "排队太久"})
    await call("POST", f"{HALL}/whatif", json={"replications": 2})
    await call("POST", f"{HALL}/notice", json={"notice": "今日照常办公"})
    await call("POST", f"{HALL}/notice")
    start = "2026-11-24T09:00:00+08:00"
    await call(
        "PUT",
        f"{HALL}/slot-overrides",
        json={"matter": "SI-REG", "start": start, "capacity": 3, "reason": "人手不足"},
    )
    await call(
        "DELETE",
        f"{HALL}/slot-overrides",
        json={"matter": "SI-REG", "start": start, "reason": "恢复"},
    )
    await call("POST", f"{HALL}/booking-credit", json={"id_number": resident_id(1)})
    await call(
        "POST", f"{HALL}/booking-credit/lift", json={"id_number": resident_id(1), "reason": "核实"}
    )
    await call("POST", "/api/admin/staff/clerk05/unlock")
    await call("DELETE", "/api/session")

    call.headers = await sign_in(client, "admin")
    await call("GET", "/api/admin/config")
    await call("GET", "/api/admin/staff")
    await call(
        "POST",
        "/api/admin/staff",
        json={"username": "newbie", "job_number": "C0099", "role": "clerk", "password": "x" * 12},
    )
    await call("PUT", "/api/admin/staff/newbie", json={"active": False})
    await call("PUT", "/api/admin/halls/district/windows/5", json={"name": "五号窗口"})
    await call("PUT", "/api/admin/halls/district/matters/SI-CARD", json={"name": "社保卡"})
    await call("POST", "/api/admin/halls/district/windows", json={"number": 40, "name": "四十号"})
    await call("DELETE", "/api/admin/halls/district/windows/40")
    await call("DELETE", "/api/admin/halls/district/matters/SI-FLEX")
    await call("POST", "/api/admin/halls/district/matters", json={"code": "SI-NEW"})
    kiosks = "/api/admin/halls/district/kiosks"
    kiosk = (await call("POST", kiosks, json={"name": "东门取号机"})).json()
    await call("GET", kiosks)
    await call("POST", f"{HALL}/kiosk-device", json={"token": kiosk["token"]})
    await call("DELETE", f"{kiosks}/{kiosk['kiosk']['id']}")
    await call("POST", f"{HALL}/kiosk-device", json={"token": kiosk["token"]})  # revoked: 401
    await call("DELETE", "/api/session")

    await call("GET", "/api/halls/district/slots?matter=SI-REG&date=2026-11-24")
    booked = await call(
        "POST",
        "/api/appointments",
        json={
            "hall": "district",
            "matter": "SI-REG",
            "start": start,
            "name": "李四",
            "id_number": resident_id(1),
            "phone": phone(1),
        },
    )
    code = booked.json()["code"]
    await call("GET", f"/api/appointments/{code}?phone={phone(1)}")  # gone: 410
    await call("GET", f"/api/appointments/{code}.ics?phone={phone(1)}")
    await call("POST", f"/api/appointments/{code}/lookup", json={"phone": phone(1)})
    await call("POST", f"/api/appointments/{code}/calendar", json={"phone": phone(1)})
    moved = {"phone": phone(1), "start": "2026-11-24T09:30:00+08:00"}
    await call("POST", f"/api/appointments/{code}/move", json=moved)
    await call(
        "POST",
        f"/api/appointments/{code}/move",
        json={**moved, "start": "9999-12-31T23:59:59+00:00"},
    )
    await call("POST", f"{HALL}/check-ins", json={"code": code})
    await call("POST", f"/api/appointments/{code}/cancel", json={"phone": phone(1)})
    await call("GET", f"{W}/5/evaluator?key=nope")
    assert (await client.patch(f"{HALL}/slot-overrides")).status_code == 405
    declared = {(m.upper(), p) for p, ops in call.doc["paths"].items() for m in ops}
    assert len(call.seen) >= 0.9 * len(declared), sorted(declared - call.seen)
