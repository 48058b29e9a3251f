"""Reading the fields of a step's body, with errors naming the field (422)."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from hall.errors import InvalidInput

E = TypeVar("E", bound=enum.Enum)
NOTE_MAX = 1000


def text(
    args: Mapping[str, Any], name: str, *, required: bool = True, limit: int = NOTE_MAX
) -> str:
    value = args.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput(
                f"The field {name!r} is required for this step.",
                f"此步骤需要填写字段 {name!r}。",
                fields={name: "required"},
            )
        return ""
    if not isinstance(value, str):
        raise InvalidInput(
            f"The field {name!r} must be a string.",
            f"字段 {name!r} 必须是字符串。",
            fields={name: "expected a string"},
        )
    if len(value) > limit:
        raise InvalidInput(
            f"The field {name!r} is longer than {limit} characters.",
            f"字段 {name!r} 超过 {limit} 个字符。",
            fields={name: f"at most {limit} characters"},
        )
    return value.strip()


def flag(args: Mapping[str, Any], name: str, *, required: bool = True) -> bool | None:
    value = args.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, bool):
        raise InvalidInput(
            f"The field {name!r} must be true or false.",
            f"字段 {name!r} 必须是 true 或 false。",
            fields={name: "expected true or false"},
        )
    return value


def whole(args: Mapping[str, Any], name: str, low: int, high: int) -> int:
    value = args.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidInput(
            f"The field {name!r} must be a whole number from {low} to {high}.",
            f"字段 {name!r} 必须是 {low} 到 {high} 之间的整数。",
            fields={name: f"a whole number from {low} to {high}"},
        )
    return value


def choice(args: Mapping[str, Any], name: str, kind: type[E]) -> E:
    value = args.get(name)
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise InvalidInput(
            f"The field {name!r} must be one of: {allowed}.",
            f"字段 {name!r} 必须是以下之一：{allowed}。",
            fields={name: f"one of {allowed}"},
        ) from None
