"""Services' dataclasses as plain JSON data: for API answers (``web.json``) and audit events.

A dataclass becomes an object of its fields in order (a field may name its JSON key
with ``metadata={"json": ...}``, e.g. ``matter_class`` is ``class``, or join its items
to the object with ``metadata={"flatten": True}``); enums become their
values, dates and times ISO 8601, tuples lists.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date, datetime, time
from typing import Any

_KEYS: dict[type[Any], tuple[tuple[str, str | None], ...]] = {}


def _keys(kind: type[Any]) -> tuple[tuple[str, str | None], ...]:
    """(attribute, JSON key) of a dataclass's fields, worked out once per class; the key
    is None for a dict field whose items join the object (``metadata={"flatten": True}``)."""
    found = _KEYS.get(kind)
    if found is None:
        found = _KEYS[kind] = tuple(
            (f.name, None if f.metadata.get("flatten") else f.metadata.get("json", f.name))
            for f in dataclasses.fields(kind)
        )
    return found


def _object(value: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, key in _keys(type(value)):
        if key is None:
            found.update(plain(getattr(value, name)))
        else:
            found[key] = plain(getattr(value, name))
    return found


def plain(value: Any) -> Any:
    """``value`` as plain JSON data."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _object(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not JSON data")
