"""Reading and validating JSON request bodies once, at the edge.

A body is read chunk by chunk and refused (413) as soon as it passes its limit, and a
``Content-Length`` over the limit is refused before anything is read. Its nesting depth
is counted on the bytes before it is parsed, so no input reaches the parser's recursion
limit; strings with a NUL character and whole numbers outside a 32-bit column are
refused too (PostgreSQL stores neither).
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request

from hall.errors import HallError, InvalidInput

MAX_DEPTH = 32
INT_MAX = 2**31 - 1  # the database's INTEGER; every id and number in the API fits
_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')
# TOML also has 'literal strings' and # comments (each within its line).
_TOML_TOKENS = re.compile(rb'"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]')


class BadRequest(HallError):
    """The request body is not JSON, or not a JSON object."""

    code = "bad_request"
    status = 400


class TooLarge(HallError):
    """The request body is larger than this endpoint accepts."""

    code = "too_large"
    status = 413


_TYPE_NAMES = {
    str: ("a string", "字符串"),
    int: ("a whole number", "整数"),
    bool: ("true or false", "布尔值"),
    dict: ("an object", "对象"),
    list: ("a list", "数组"),
}


def _size_text(limit: int) -> tuple[str, str]:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB", f"{limit // (1024 * 1024)} 兆字节"
    if limit >= 1024 and limit % 1024 == 0:
        return f"{limit // 1024} KiB", f"{limit // 1024} 千字节"
    return f"{limit} bytes", f"{limit} 字节"


def too_large(limit: int) -> TooLarge:
    en, zh = _size_text(limit)
    return TooLarge(f"The request body is larger than {en}.", f"请求内容超过 {zh}。")


async def read_limited(request: Request, limit: int) -> bytes:
    """The whole body, read no further than ``limit`` bytes; raises TooLarge or BadRequest."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isascii() or not declared.strip().isdigit():
            raise BadRequest(
                "The Content-Length header is not a number.", "请求头中的内容长度不是数字。"
            )
        if int(declared) > limit:
            raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def max_json_bytes(request: Request) -> int:
    """HALL_MAX_JSON_BYTES of the app serving the request."""
    limit: int = request.app.state.settings.max_json_bytes
    return limit


def nesting_depth(raw: bytes, *, toml: bool = False) -> int:
    """How deep arrays and objects (or TOML arrays and tables) nest in ``raw``; brackets
    inside strings (and TOML comments) do not count."""
    depth = deepest = 0
    for token in (_TOML_TOKENS if toml else _TOKENS).finditer(raw):
        mark = token.group()
        if mark in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        elif mark in (b"]", b"}"):
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _check_values(data: Any) -> None:
    """NUL characters and numbers beyond a 32-bit column; the depth is already bounded."""
    items: list[Any] = [data]
    while items:
        value = items.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise _nul()
                items.append(item)
        elif isinstance(value, list):
            items.extend(value)
        elif isinstance(value, str) and "\x00" in value:
            raise _nul()
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > INT_MAX:
            raise InvalidInput(
                f"Whole numbers in the request must lie between -{INT_MAX} and {INT_MAX}.",
                f"请求中的整数必须在 -{INT_MAX} 到 {INT_MAX} 之间。",
            )


def _nul() -> BadRequest:
    return BadRequest("The request body contains a NUL character.", "请求内容含有空字符。")


def parse_json(raw: bytes) -> Any:
    """JSON text as Python data, at most MAX_DEPTH deep; raises BadRequest or InvalidInput."""
    if nesting_depth(raw) > MAX_DEPTH:
        raise BadRequest(
            f"The request body nests arrays and objects more than {MAX_DEPTH} deep.",
            f"请求内容的数组和对象嵌套超过 {MAX_DEPTH} 层。",
        )
    try:
        data = json.loads(raw, parse_constant=_refuse_constant)
    except ValueError:  # also UnicodeDecodeError, and numbers longer than 4,300 digits
        raise BadRequest(
            "The request body is not valid JSON.", "请求内容不是合法的 JSON。"
        ) from None
    _check_values(data)
    return data


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; an empty body is an empty object. Raises BadRequest."""
    raw = await read_limited(request, max_json_bytes(request))
    if not raw.strip():
        return {}
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise BadRequest("The request body must be a JSON object.", "请求内容必须是 JSON 对象。")
    return data


def field(
    data: dict[str, Any],
    name: str,
    kind: type,
    *,
    required: bool = True,
    default: Any = None,
    allow_empty: bool = False,
) -> Any:
    """One field of a JSON object, type-checked; raises InvalidInput naming the field.

    A required string must not be blank unless ``allow_empty`` (the field must still be
    there: an empty text is then a deliberate choice, e.g. clearing the notice).
    """
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
    if kind is str and required and not allow_empty and not value.strip():
        raise InvalidInput(
            f"The field {name!r} must not be empty.",
            f"字段“{name}”不能为空。",
            fields={name: "empty"},
        )
    return value
