"""The read-only JSON API and the landing page, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from hall.catalogue.loader import demo_config_path, load_config

DEMO = load_config(demo_config_path())

pytestmark = pytest.mark.asyncio


async def test_halls_lists_every_configured_hall(client: AsyncClient) -> None:
    response = await client.get("/api/halls")
    assert response.status_code == 200
    body = response.json()
    assert [h["id"] for h in body] == [h.id for h in DEMO.halls]
    for item, hall in zip(body, DEMO.halls, strict=True):
        assert {"id", "name", "name_en", "timezone"} <= item.keys()
        assert (item["name"], item["name_en"], item["timezone"]) == (
            hall.name,
            hall.name_en,
            hall.timezone,
        )


async def test_matters_of_a_hall_match_the_configuration(client: AsyncClient) -> None:
    hall = DEMO.halls[0]
    response = await client.get(f"/api/halls/{hall.id}/matters")
    assert response.status_code == 200
    body = response.json()
    assert [m["code"] for m in body] == [m.code for m in hall.matters]
    for item, matter in zip(body, hall.matters, strict=True):
        assert item["class"] == matter.matter_class.value
        assert item["zone"] == matter.zone.value
        assert item["expected_minutes"] == matter.expected_minutes
        assert item["materials"] == list(matter.materials)
        assert item["name"] == matter.name
        assert item["name_en"] == matter.name_en


async def test_windows_of_a_hall_start_closed(client: AsyncClient) -> None:
    hall = DEMO.halls[0]
    response = await client.get(f"/api/halls/{hall.id}/windows")
    assert response.status_code == 200
    body = response.json()
    assert [w["number"] for w in body] == [w.number for w in hall.windows]
    assert all(w["status"] == "closed" for w in body)
    assert [w["skills"] for w in body] == [list(w.skills) for w in hall.windows]
    assert [w["kind"] for w in body] == [w.kind.value for w in hall.windows]


async def test_unknown_hall_is_a_404_in_the_error_shape(client: AsyncClient) -> None:
    for path in ("/api/halls/no-such-hall/matters", "/api/halls/no-such-hall/windows"):
        response = await client.get(path)
        assert response.status_code == 404
        error = response.json()["error"]
        assert set(error) == {"code", "message", "message_zh", "fields"}
        assert error["code"] == "not_found"
        assert "no-such-hall" in error["message"]
        assert "no-such-hall" in error["message_zh"]


async def test_unknown_route_and_wrong_method_use_the_error_shape(client: AsyncClient) -> None:
    missing = await client.get("/api/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = await client.post("/api/halls")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"


async def test_healthz(client: AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.text) == (200, "ok")


async def test_landing_page_lists_halls_in_chinese_by_default(client: AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.text
    for hall in DEMO.halls:
        assert hall.name in response.text


async def test_landing_page_in_english_on_request_and_remembered(client: AsyncClient) -> None:
    response = await client.get("/?lang=en")
    assert 'lang="en"' in response.text
    for hall in DEMO.halls:
        assert hall.name_en.replace("'", "&#39;") in response.text
    assert response.cookies.get("lang") == "en"
    again = await client.get("/")
    assert 'lang="en"' in again.text
