"""Whole numbers in paths are bounded: a number no column holds is a 404 or 422, never a 500."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from tests.web.helpers import sign_in
from web.paths import PATH_INT_MAX, BoundedInt, path_number

pytestmark = pytest.mark.asyncio

HUGE = str(2**63)  # an OverflowError in the database driver before the bound
WINDOW_ACTIONS = (
    "sign-in",
    "pause",
    "resume",
    "sign-out",
    "call-next",
    "call",
    "recall",
    "no-show",
    "start",
    "finish",
    "transfer",
    "park",
    "resume-ticket",
)


@pytest.mark.parametrize("action", WINDOW_ACTIONS)
async def test_window_number_2_63_on_window_actions_is_a_404(
    client: AsyncClient, action: str
) -> None:
    headers = await sign_in(client, "clerk05")
    response = await client.post(
        f"/api/halls/district/windows/{HUGE}/{action}", headers=headers, json={}
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/halls/district/screens/windows/{HUGE}"),  # anonymous
        ("GET", f"/halls/district/windows/{HUGE}/evaluator"),
        ("GET", f"/api/halls/district/windows/{HUGE}/evaluator"),
        ("GET", f"/api/halls/district/windows/{HUGE}/queue"),
        ("GET", f"/halls/district/screens/windows/{PATH_INT_MAX + 1}"),
    ],
)
async def test_window_pages_and_reads_with_a_huge_number_are_404(
    client: AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path)
    assert response.status_code == 404


async def test_admin_window_edits_with_a_huge_number_are_404(client: AsyncClient) -> None:
    headers = await sign_in(client, "admin")
    for method in ("PUT", "DELETE"):
        response = await client.request(
            method, f"/api/admin/halls/district/windows/{HUGE}", headers=headers, json={}
        )
        assert response.status_code == 404


async def test_the_largest_path_number_still_reaches_the_service(client: AsyncClient) -> None:
    page = await client.get(f"/halls/district/screens/windows/{PATH_INT_MAX}")
    assert page.status_code == 404  # matched the route, no such window in the hall
    assert "windows" in page.text or page.json()["error"]["code"] == "no_such_window"


@pytest.mark.parametrize("raw", [HUGE, "²", "١٢", "-1", "1e3", ""])
async def test_case_ids_out_of_range_are_a_422(client: AsyncClient, raw: str) -> None:
    await sign_in(client, "supervisor")
    response = await client.get(f"/api/cases/{raw}")
    assert response.status_code in (404, 422)
    assert path_number(raw) is None


async def test_every_int_path_parameter_uses_the_bounded_convertor(app: Starlette) -> None:
    checked = 0
    for route in app.routes:
        if isinstance(route, Route | WebSocketRoute):
            for convertor in route.param_convertors.values():
                assert type(convertor).__name__ != "IntegerConvertor"
                checked += isinstance(convertor, BoundedInt)
    assert checked >= 8
