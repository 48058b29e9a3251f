"""Reading and validating JSON request bodies once, at the edge."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from hall.errors import HallError, InvalidInput


class BadRequest(HallError):
    """The request body is not JSON, or not a JSON object."""

    code = "bad_request"
    status = 400


_TYPE_NAMES = {
    str: ("a string", "字符串"),
    int: ("a whole number", "整数"),
    bool: ("true or false", "布尔值"),
}


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body is an empty object. Raises BadRequest."""
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(
            f"The request body is not valid JSON ({exc}).", "请求内容不是合法的 JSON。"
        ) from None
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", "请求内容必须是 JSON 对象。")
    return data


def field(
    data: dict[str, Any], name: str, kind: type, *, required: bool = True, default: Any = None
) -> Any:
    """One field of a JSON object, type-checked; raises InvalidInput naming the field."""
    if name not in data or data[name] is None:
        if required:
            raise InvalidInput(
                f"The field {name!r} is required.",
                f"缺少必填字段“{name}”。",
                fields={name: "required"},
            )
        return default
    value = data[name]
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        en, zh = _TYPE_NAMES.get(kind, (kind.__name__, kind.__name__))
        raise InvalidInput(
            f"The field {name!r} must be {en}.",
            f"字段“{name}”必须是{zh}。",
            fields={name: f"expected {en}"},
        )
    if kind is str and required and not value.strip():
        raise InvalidInput(
            f"The field {name!r} must not be empty.",
            f"字段“{name}”不能为空。",
            fields={name: "empty"},
        )
    return value
