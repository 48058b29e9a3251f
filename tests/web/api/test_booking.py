"""Booking over HTTP: the citizen's path from slot to ticket, its errors and its limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from httpx import AsyncClient
from icalendar import Calendar
from starlette.applications import Starlette

from tests.hall.booking.helpers import MONDAY_0900, TUESDAY_0900, phone, resident_id
from tests.web.helpers import FakeClock, sign_in, use_clock

pytestmark = pytest.mark.asyncio


def body(serial: int, start: str = "2026-11-24T09:00:00+08:00") -> dict[str, str]:
    return {
        "hall": "district",
        "matter": "SI-REG",
        "start": start,
        "name": "李四",
        "id_number": resident_id(serial),
        "phone": phone(serial),
    }


async def test_slots_book_show_calendar_and_cancel(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    slots = await client.get("/api/halls/district/slots?matter=SI-REG&date=2026-11-24")
    assert slots.status_code == 200
    first = slots.json()[0]
    assert first["start"] == "2026-11-24T09:00:00+08:00"
    assert first["available"] == first["capacity"] > 0
    booked = await client.post("/api/appointments", json=body(1))
    assert booked.status_code == 201
    code = booked.json()["code"]
    assert {"code", "status", "hall", "matter", "start", "end", "materials"} <= booked.json().keys()
    after = (await client.get("/api/halls/district/slots?matter=SI-REG&date=2026-11-24")).json()
    assert after[0]["available"] == first["available"] - 1
    shown = await client.post(f"/api/appointments/{code}/lookup", json={"phone": phone(1)})
    assert shown.json()["code"] == code
    ics = await client.post(f"/api/appointments/{code}/calendar", json={"phone": phone(1)})
    assert ics.headers["content-type"].startswith("text/calendar")
    event = next(c for c in Calendar.from_ical(ics.content).walk() if c.name == "VEVENT")
    assert event.decoded("dtstart") == TUESDAY_0900
    assert code in str(event.get("description"))
    cancelled = await client.post(f"/api/appointments/{code}/cancel", json={"phone": phone(1)})
    assert cancelled.json()["status"] == "cancelled"


async def test_booking_errors_have_codes_and_fields(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    assert (await client.post("/api/appointments", json=body(1))).status_code == 201
    duplicate = await client.post("/api/appointments", json=body(1))
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "duplicate_booking"
    bad = {**body(2), "id_number": "123", "start": "tomorrow"}
    invalid = await client.post("/api/appointments", json=bad)
    assert invalid.status_code == 422
    assert "start" in invalid.json()["error"]["fields"]
    wrong_id = await client.post("/api/appointments", json={**body(2), "id_number": "123"})
    assert wrong_id.json()["error"]["fields"]["id_number"]
    assert "123" not in wrong_id.json()["error"]["message"]
    bad_day = await client.get("/api/halls/district/slots?matter=SI-REG&date=soon")
    assert bad_day.status_code == 422
    missing = await client.post("/api/appointments/NOPE1234/lookup", json={"phone": phone(1)})
    assert missing.status_code == 404


async def test_look_ups_by_get_are_gone_and_name_the_post(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    code = (await client.post("/api/appointments", json=body(1))).json()["code"]
    for path, new in ((code, "lookup"), (f"{code}.ics", "calendar")):
        old = await client.get(f"/api/appointments/{path}", params={"phone": phone(1)})
        assert old.status_code == 410
        error = old.json()["error"]
        assert error["code"] == "gone"
        assert f"POST /api/appointments/{{code}}/{new}" in error["message"]
        assert f"/{new}" in error["message_zh"]
        assert code not in old.text
        assert phone(1) not in old.text
    wrong = await client.post(f"/api/appointments/{code}/lookup", json={"phone": phone(2)})
    assert wrong.status_code == 404
    no_phone = await client.post(f"/api/appointments/{code}/lookup", json={})
    assert no_phone.status_code == 422


async def test_rate_limit_answers_429_with_retry_after(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    limit = app.state.booking_ip_limiter.per_minute
    for _ in range(limit):
        await client.get("/api/halls/district/slots?matter=SI-REG&date=2026-11-24")
    limited = await client.get("/api/halls/district/slots?matter=SI-REG&date=2026-11-24")
    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    clock.advance(seconds=61)
    again = await client.get("/api/halls/district/slots?matter=SI-REG&date=2026-11-24")
    assert again.status_code == 200


async def test_check_in_on_time_gets_priority_over_walk_ins(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    code = (await client.post("/api/appointments", json=body(1))).json()["code"]
    clock.now = TUESDAY_0900 - timedelta(minutes=20)
    early = await client.post("/api/halls/district/check-ins", json={"code": code})
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "too_early"
    clock.now = TUESDAY_0900 - timedelta(minutes=10)
    walk_ins = [
        (await client.post("/api/halls/district/tickets", json={"matter": "SI-REG"})).json()
        for _ in range(3)
    ]
    clock.now = TUESDAY_0900 - timedelta(minutes=3)
    checked = await client.post("/api/halls/district/check-ins", json={"code": code})
    assert checked.status_code == 201
    assert checked.json()["late"] is False
    ticket = checked.json()["ticket"]
    assert ticket["source"] == "appointment"
    again = await client.post("/api/halls/district/check-ins", json={"code": code})
    assert again.json()["ticket"]["id"] == ticket["id"]
    clock.now = TUESDAY_0900
    headers = await sign_in(client, "clerk01")
    await client.post("/api/halls/district/windows/1/sign-in", headers=headers)
    called = await client.post("/api/halls/district/windows/1/call-next", headers=headers)
    assert called.json()["ticket"]["id"] == ticket["id"]
    assert all(w["id"] != ticket["id"] for w in walk_ins)


async def test_late_arrival_becomes_a_walk_in_and_is_told_why(
    app: Starlette, client: AsyncClient
) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    code = (await client.post("/api/appointments", json=body(1))).json()["code"]
    clock.now = TUESDAY_0900 + timedelta(minutes=20)
    late = await client.post("/api/halls/district/check-ins", json={"id_number": resident_id(1)})
    assert late.status_code == 201
    assert late.json()["late"] is True
    assert late.json()["ticket"]["source"] == "walk_in"
    assert "walk-in" in late.json()["message"]
    assert late.json()["appointment"] == code


CALENDAR_EDGES = ("9999-12-31T23:59:59+00:00", "0001-01-01T00:00:00+08:00")


def assert_bilingual_422(response: object, name: str) -> None:
    import re

    assert response.status_code == 422  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert set(error["fields"]) == {name}
    assert error["message"]
    assert error["message_zh"]
    assert "之间" in error["message_zh"]
    assert not re.search(r"[A-Za-z]{3,}", error["message_zh"].replace(f"“{name}”", ""))


@pytest.mark.parametrize("start", CALENDAR_EDGES)
async def test_booking_at_the_calendars_edge_is_a_422(
    app: Starlette, client: AsyncClient, start: str
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    assert_bilingual_422(await client.post("/api/appointments", json=body(1, start)), "start")


@pytest.mark.parametrize("start", CALENDAR_EDGES)
async def test_moving_to_the_calendars_edge_is_a_422(
    app: Starlette, client: AsyncClient, start: str
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    code = (await client.post("/api/appointments", json=body(1))).json()["code"]
    moved = await client.post(
        f"/api/appointments/{code}/move", json={"phone": phone(1), "start": start}
    )
    assert_bilingual_422(moved, "start")


async def test_dates_near_today_still_pass_the_bound(app: Starlette, client: AsyncClient) -> None:
    clock = use_clock(app, FakeClock(MONDAY_0900))
    far = (clock.now + timedelta(days=700)).date().isoformat()
    listed = await client.get(f"/api/halls/district/slots?matter=SI-REG&date={far}")
    assert listed.status_code == 200
    too_far = (clock.now + timedelta(days=800)).date().isoformat()
    refused = await client.get(f"/api/halls/district/slots?matter=SI-REG&date={too_far}")
    assert_bilingual_422(refused, "date")
    edge = await client.get("/api/halls/district/slots?matter=SI-REG&date=9999-12-31")
    assert_bilingual_422(edge, "date")
