"""Services' dataclasses as JSON answers (the conversion itself: ``hall.store.plain``)."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from hall.store.plain import plain


def json_response(
    value: Any, status_code: int = 200, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON answer of a service's value."""
    return JSONResponse(plain(value), status_code=status_code, headers=headers)
