"""Path and query parameters, with the bounds the server enforces (web.paths, web.api.params)."""

from __future__ import annotations

import re
from typing import Any

from hall.analytics.periods import EARLIEST, LATEST
from web.paths import PATH_INT_MAX

Parameter = dict[str, Any]

HALL_ID = {"type": "string", "pattern": "^[a-z][a-z0-9-]{0,31}$", "examples": ["district"]}
CODE = {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,32}$"}
WINDOW_NO = {"type": "integer", "minimum": 1, "maximum": PATH_INT_MAX}
NUMBER = {"type": "integer", "minimum": 0, "maximum": PATH_INT_MAX}
OPAQUE_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}
DAY = {
    "type": "string",
    "format": "date",
    "description": f"YYYY-MM-DD, from {EARLIEST} to {LATEST}",
}
NEAR_DAY = {
    "type": "string",
    "format": "date",
    "description": "YYYY-MM-DD, from a year before today to two years after",
}

# A path parameter's schema by its name; a path may give another (``/api/cases/{id}``).
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "hall": HALL_ID,
    "no": WINDOW_NO,
    "id": OPAQUE_ID,
    "code": CODE,
    "username": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]{1,31}$"},
    "kiosk": NUMBER,
}
APPOINTMENT_CODE = {"type": "string", "pattern": "^[A-Z0-9]{8}$"}


def _path_schema(path: str, name: str) -> dict[str, Any]:
    if path.startswith("/api/cases/") and name == "id":
        return NUMBER  # case ids are numbers; ticket ids are opaque text
    if path.startswith("/api/appointments/") and name == "code":
        return APPOINTMENT_CODE
    return PATH_SCHEMAS[name]


def path_parameters(path: str) -> list[Parameter]:
    """Every ``{name}`` of the path, required, with its schema."""
    return [
        {"name": name, "in": "path", "required": True, "schema": _path_schema(path, name)}
        for name in re.findall(r"\{(\w+)\}", path)
    ]


def query(
    name: str, schema: dict[str, Any], description: str = "", *, required: bool = False
) -> Parameter:
    found: Parameter = {"name": name, "in": "query", "required": required, "schema": schema}
    if description:
        found["description"] = description
    return found


def enum(*values: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


TEXT = {"type": "string", "minLength": 1, "maxLength": 64}
FROM_TO = [
    query("from", DAY, "first day (inclusive)"),
    query("to", DAY, "last day (inclusive)"),
]
FILTERS = [
    query("window", NUMBER, "window number"),
    query("staff", TEXT, "job number"),
    query("matter", TEXT, "matter code"),
]
LIMIT = query("limit", {"type": "integer", "minimum": 1, "maximum": PATH_INT_MAX})
