"""Supervisors' booking tools over HTTP: slot overrides, credit look-up and lifting."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from hall.booking import checkin
from tests.hall.booking.helpers import MONDAY_0900, TUESDAY_0900, phone, resident_id
from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio
OVERRIDES = "/api/halls/district/slot-overrides"
CREDIT = "/api/halls/district/booking-credit"
START = "2026-11-24T09:00:00+08:00"
SLOTS = "/api/halls/district/slots?matter=SI-REG&date=2026-11-24"


def body(serial: int, start: str = START, matter: str = "SI-REG") -> dict[str, str]:
    return {
        "hall": "district",
        "matter": matter,
        "start": start,
        "name": "李四",
        "id_number": resident_id(serial),
        "phone": phone(serial),
    }


async def first_slot(client: AsyncClient) -> dict[str, Any]:
    slot: dict[str, Any] = (await client.get(SLOTS)).json()[0]
    assert slot["start"] == START
    return slot


async def test_close_a_slot_then_reopen_it(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    planned = (await first_slot(client))["capacity"]
    headers = await sign_in(client, "supervisor")
    closed = await client.put(
        OVERRIDES,
        headers=headers,
        json={"group": "social", "start": START, "closed": True, "reason": "停电 power cut"},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["slot"]["closed"] is True
    slot = await first_slot(client)
    assert (slot["closed"], slot["available"], slot["capacity"]) == (True, 0, planned)
    refused = await client.post("/api/appointments", json=body(1))
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "slot_closed"
    assert refused.json()["error"]["message_zh"]
    listing = await client.get(OVERRIDES, params={"date": "2026-11-24"}, headers=headers)
    assert [(s["reason"], s["by"]) for s in listing.json()["slots"]] == [
        ("停电 power cut", "supervisor")
    ]
    reopened = await client.request(
        "DELETE", OVERRIDES, headers=headers, json={"matter": "SI-REG", "start": START}
    )
    assert reopened.status_code == 200
    assert (await first_slot(client))["available"] == planned
    assert (await client.post("/api/appointments", json=body(1))).status_code == 201


async def test_a_lower_capacity_shows_zero_available_and_keeps_bookings(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    codes = [(await client.post("/api/appointments", json=body(i))).json()["code"] for i in (1, 2)]
    headers = await sign_in(client, "supervisor")
    lowered = await client.put(
        OVERRIDES,
        headers=headers,
        json={"group": "social", "start": START, "capacity": 1, "reason": "one window"},
    )
    assert lowered.json()["slot"]["booked"] == 2
    assert (await first_slot(client))["available"] == 0
    full = await client.post("/api/appointments", json=body(3))
    assert full.json()["error"]["code"] == "slot_full"
    for serial, code in zip((1, 2), codes, strict=True):
        shown = await client.post(f"/api/appointments/{code}/lookup", json={"phone": phone(serial)})
        assert shown.json()["status"] == "booked"


@pytest.mark.parametrize(
    ("sent", "status", "field"),
    [
        ({"group": "social", "start": START, "capacity": "3", "reason": "x"}, 422, "capacity"),
        ({"group": "social", "start": START, "capacity": True, "reason": "x"}, 422, "capacity"),
        ({"group": "social", "start": START, "capacity": 2.5, "reason": "x"}, 422, "capacity"),
        ({"group": "social", "start": START, "capacity": -1, "reason": "x"}, 422, "capacity"),
        ({"group": "social", "start": START, "closed": "yes", "reason": "x"}, 422, "closed"),
        ({"group": "social", "start": START, "reason": "x"}, 422, "capacity"),
        ({"group": "social", "start": START, "capacity": 3}, 422, "reason"),
        ({"group": "social", "start": "tomorrow", "capacity": 3, "reason": "x"}, 422, "start"),
        ({"group": "social", "capacity": 3, "reason": "x"}, 422, "start"),
        ({"group": "nope", "start": START, "capacity": 3, "reason": "x"}, 422, "group"),
        ({"matter": "NOPE", "start": START, "capacity": 3, "reason": "x"}, 422, "matter"),
        ({"start": START, "capacity": 3, "reason": "x"}, 422, "group"),
        ({"group": "social", "start": START, "capacity": 3, "reason": "x", "x": 1}, 422, "x"),
        (
            {"group": "social", "start": "2026-11-24T09:10:00+08:00", "capacity": 3, "reason": "x"},
            422,
            "start",
        ),
    ],
)
async def test_bad_overrides_answer_4xx_naming_the_field(
    app: Starlette, client: AsyncClient, sent: dict[str, Any], status: int, field: str
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    headers = await sign_in(client, "supervisor")
    response = await client.put(OVERRIDES, headers=headers, json=sent)
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert field in error["fields"]
    assert error["message"]
    assert error["message_zh"]


async def test_override_edge_cases(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    headers = await sign_in(client, "supervisor")
    not_json = await client.put(OVERRIDES, headers=headers, content=b"{capacity")
    assert not_json.status_code == 400
    unknown = await client.put(
        "/api/halls/nowhere/slot-overrides",
        headers=headers,
        json={"group": "social", "start": START, "capacity": 1, "reason": "x"},
    )
    assert unknown.status_code == 404
    no_csrf = await client.put(
        OVERRIDES, json={"group": "social", "start": START, "capacity": 1, "reason": "x"}
    )
    assert no_csrf.status_code == 403
    bad_day = await client.get(OVERRIDES, params={"date": "soon"}, headers=headers)
    assert bad_day.status_code == 422
    clock.now = TUESDAY_0900 + timedelta(hours=1)
    headers = await sign_in(client, "supervisor")  # a session lasts 12 hours
    over = await client.put(
        OVERRIDES,
        headers=headers,
        json={"group": "social", "start": START, "capacity": 1, "reason": "x"},
    )
    assert over.status_code == 409
    assert over.json()["error"]["code"] == "too_late"


async def test_warning_after_one_no_show_then_suspension_and_lift(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    first = await client.post("/api/appointments", json=body(1))
    assert first.json()["warning"] is None
    await checkin.mark_no_shows(app.state.db, TUESDAY_0900 + timedelta(days=1))
    clock.now = TUESDAY_0900 + timedelta(days=1)  # Wednesday 09:00
    second = await client.post("/api/appointments", json=body(1, "2026-11-26T09:00:00+08:00"))
    assert second.status_code == 201
    warning = second.json()["warning"]
    assert warning["code"] == "credit_warning"
    assert warning["no_shows"] == 1
    assert warning["message"]
    assert warning["message_zh"]
    shown = await client.post(
        f"/api/appointments/{second.json()['code']}/lookup", json={"phone": phone(1)}
    )
    assert shown.json()["warning"] == warning
    await checkin.mark_no_shows(app.state.db, TUESDAY_0900 + timedelta(days=3))
    clock.now = TUESDAY_0900 + timedelta(days=3)  # Friday 09:00
    monday = "2026-11-30T09:00:00+08:00"
    suspended = await client.post("/api/appointments", json=body(1, monday))
    assert suspended.status_code == 403
    assert suspended.json()["error"]["code"] == "booking_suspended"

    headers = await sign_in(client, "supervisor")
    seen = await client.post(CREDIT, headers=headers, json={"id_number": resident_id(1)})
    assert seen.status_code == 200
    assert seen.json()["credit"]["suspended_until"] is not None
    assert resident_id(1) not in seen.text
    no_reason = await client.post(
        f"{CREDIT}/lift", headers=headers, json={"id_number": resident_id(1)}
    )
    assert no_reason.status_code == 422
    assert "reason" in no_reason.json()["error"]["fields"]
    lifted = await client.post(
        f"{CREDIT}/lift",
        headers=headers,
        json={"id_number": resident_id(1), "reason": "医院证明 hospital note"},
    )
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["credit"]["suspended_until"] is None
    again = await client.post("/api/appointments", json=body(1, monday))
    assert again.status_code == 201
    twice = await client.post(
        f"{CREDIT}/lift", headers=headers, json={"id_number": resident_id(1), "reason": "x"}
    )
    assert twice.status_code == 409
    assert twice.json()["error"]["code"] == "nothing_to_lift"


async def test_credit_requests_validate_the_id(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    headers = await sign_in(client, "supervisor")
    wrong = await client.post(CREDIT, headers=headers, json={"id_number": "110101198001010000"})
    assert wrong.status_code == 422
    assert "id_number" in wrong.json()["error"]["fields"]
    assert "110101198001010000" not in wrong.text
    missing = await client.post(CREDIT, headers=headers, json={})
    assert missing.status_code == 422
    typed = await client.post(CREDIT, headers=headers, json={"id_number": 110101})
    assert typed.status_code == 422
    extra = await client.post(
        CREDIT, headers=headers, json={"id_number": resident_id(1), "name": "x"}
    )
    assert extra.status_code == 422
    clean = await client.post(CREDIT, headers=headers, json={"id_number": resident_id(1)})
    assert clean.json()["credit"]["suspended_until"] is None
    assert clean.json()["credit"]["warning"] is None


@pytest.mark.parametrize(
    "start", ["9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00", "9999-06-01T09:00:00+08:00"]
)
async def test_an_override_at_the_calendars_edge_or_in_year_9999_is_refused(
    app: Starlette, client: AsyncClient, start: str
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    headers = await sign_in(client, "supervisor")
    for method, extra in (("PUT", {"closed": True}), ("DELETE", {})):
        response = await client.request(
            method,
            OVERRIDES,
            headers=headers,
            json={"matter": "SI-REG", "start": start, "reason": "设备检修", **extra},
        )
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["fields"] == {"start": error["fields"]["start"]}
        assert "之间" in error["message_zh"]
    listed = await client.get(OVERRIDES, params={"date": "9999-06-01"}, headers=headers)
    assert listed.status_code == 422
