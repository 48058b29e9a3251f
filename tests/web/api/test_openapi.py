"""Every API route is described in the OpenAPI document and in docs/api.md."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute

from web.api.openapi import OPS

pytestmark = pytest.mark.asyncio

API_DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def api_operations(app: Starlette) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in app.routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", getattr(route, "path", ""))
        if isinstance(route, Route) and path.startswith("/api/"):
            found.update((m, path) for m in route.methods or () if m != "HEAD")
        elif isinstance(route, WebSocketRoute) and path.startswith("/ws/"):
            found.add(("WS", path))
    return found


async def test_every_api_route_is_in_the_openapi_document(app: Starlette) -> None:
    missing = {o for o in api_operations(app) if o[0] != "WS"} - set(OPS)
    assert missing == set()
    stale = set(OPS) - api_operations(app)
    assert stale == set()


async def test_every_api_route_is_in_docs_api_md(app: Starlette) -> None:
    text = API_DOC.read_text(encoding="utf-8")
    missing = sorted(f"{m} {p}" for m, p in api_operations(app) if f"`{m} {p}" not in text)
    assert missing == []


async def test_openapi_is_served_and_well_formed(client: AsyncClient) -> None:
    response = await client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    for operations in document["paths"].values():
        for spec in operations.values():
            assert "4XX" in spec["responses"]


async def test_every_path_parameter_is_declared_with_a_bounded_schema() -> None:
    from web.api.openapi import document

    for path, operations in document()["paths"].items():
        names = set(re.findall(r"\{(\w+)\}", path))
        for method, spec in operations.items():
            declared = {p["name"]: p for p in spec.get("parameters", []) if p["in"] == "path"}
            assert set(declared) == names, f"{method} {path}"
            for parameter in declared.values():
                schema = parameter["schema"]
                assert parameter["required"] is True
                assert "maximum" in schema or "pattern" in schema, f"{method} {path}"


async def test_bodies_declare_their_required_fields() -> None:
    from web.api.openapi import document

    for path, operations in document()["paths"].items():
        for method, spec in operations.items():
            content = spec.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema")
            if schema is not None:
                assert "required" in schema, f"{method} {path}"
                assert spec["requestBody"]["required"] == bool(schema["required"])
