"""The error mapping: 405 answers name every method of the path."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.routing import Route

pytestmark = pytest.mark.asyncio


def methods_by_path(app: Starlette) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for route in app.routes:
        if isinstance(route, Route) and route.methods:
            found.setdefault(route.path, set()).update(route.methods)
    return found


async def test_405_lists_every_method_of_a_path_shared_by_several_routes(
    app: Starlette, client: AsyncClient
) -> None:
    expected = methods_by_path(app)["/api/halls/{hall}/slot-overrides"]
    assert len(expected) >= 3  # GET (with HEAD), PUT and DELETE: three Route objects
    response = await client.patch("/api/halls/district/slot-overrides")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == expected
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_405_on_every_shared_path(app: Starlette, client: AsyncClient) -> None:
    for path, methods in methods_by_path(app).items():
        if not path.startswith("/api/") or "PATCH" in methods:
            continue
        concrete = path.replace("{hall}", "district").replace("{no:int}", "1")
        concrete = concrete.replace("{kiosk:int}", "1").replace("{id:int}", "1")
        for name in ("code", "username", "id"):
            concrete = concrete.replace("{" + name + "}", "x")
        response = await client.patch(concrete)
        assert response.status_code == 405, concrete
        assert set(response.headers["allow"].split(", ")) >= methods, concrete
