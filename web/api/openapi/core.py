"""The operation table and the document built from it."""

from __future__ import annotations

from typing import Any

from web.api.openapi.parameters import Parameter, path_parameters
from web.api.openapi.schemas import COMPONENTS, Schema, ref

STAFF = "Staff only: session cookie plus the X-CSRF-Token header on writes."
OPS: dict[tuple[str, str], dict[str, Any]] = {}
MEDIA = {
    "json": "application/json",
    "csv": "text/csv",
    "ics": "text/calendar",
    "text": "text/plain",
}
LIMITS = (
    "Limits: JSON bodies up to HALL_MAX_JSON_BYTES (64 KiB by default; 413 too_large, "
    "refused from Content-Length before reading), nested at most 32 deep (400), whole "
    "numbers within ±2147483647 (422), no NUL characters (400); whole numbers in paths "
    "at most nine digits (404 otherwise). Errors share one shape: components.schemas.Error."
)


def body(
    properties: dict[str, Schema], required: list[str], *, closed: bool = False
) -> dict[str, Any]:
    """A JSON request body; ``closed``: unknown fields are refused (422)."""
    schema: Schema = {"type": "object", "properties": properties, "required": required}
    if closed:
        schema["additionalProperties"] = False
    return {"required": bool(required), "content": {"application/json": {"schema": schema}}}


def _answer(kind: str | None, schema: Schema | None, description: str) -> dict[str, Any]:
    if kind is None:
        return {"description": description}
    media: dict[str, Any] = {}
    if kind == "json":
        media["schema"] = schema if schema is not None else {}
    elif schema is not None:
        media["schema"] = schema
    return {"description": description, "content": {MEDIA[kind]: media}}


def op(
    method: str,
    path: str,
    summary: str,
    *,
    body: dict[str, Any] | None = None,
    ok: int = 200,
    result: Schema | None = None,
    kind: str | None = "json",
    also: dict[int, Schema] | None = None,
    query: list[Parameter] | None = None,
    staff: bool = False,
) -> None:
    """Declare one operation: its parameters, body, success answer(s) and the 4XX error."""
    responses: dict[str, Any] = {str(ok): _answer(kind, result, "success")}
    for status, schema in (also or {}).items():
        responses[str(status)] = _answer("json", schema, "success")
    responses["4XX"] = _answer("json", ref("Error"), "client error (one shape)")
    responses["503"] = _answer(
        "json",
        ref("Error"),
        "database_unavailable (an outage) or busy (too many sign-ins being checked): "
        "try again after Retry-After seconds",
    )
    spec: dict[str, Any] = {"summary": summary, "responses": responses}
    parameters = path_parameters(path) + list(query or [])
    if parameters:
        spec["parameters"] = parameters
    if body is not None:
        spec["requestBody"] = body
    if staff:
        spec["description"] = STAFF
        spec["security"] = [{"session": []}]
    OPS[(method, path)] = spec


def document() -> dict[str, Any]:
    """The whole OpenAPI document."""
    paths: dict[str, dict[str, Any]] = {}
    for (method, path), spec in OPS.items():
        paths.setdefault(path, {})[method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tongban (通办) hall API",
            "version": "0.1.0",
            "description": "Queue and appointments for government service halls. " + LIMITS,
        },
        "paths": paths,
        "components": {
            "schemas": COMPONENTS,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "tongban_session"}
            },
        },
    }
