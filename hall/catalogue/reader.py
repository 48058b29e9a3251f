"""Typed field readers that collect every problem with its key path instead of stopping."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any, TypeVar

E = TypeVar("E", bound=enum.Enum)

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


class Reader:
    """Reads fields of one TOML table and records problems as ``path.key: message``."""

    def __init__(self, data: Any, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        if isinstance(data, Mapping):
            self.data: Mapping[str, Any] = data
        else:
            self.data = {}
            self.problem("", f"expected a table, found {_kind(data)}")

    def at(self, key: str) -> str:
        if not key:
            return self.path or "(top level)"
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{self.at(key)}: {message}")

    def only(self, *allowed: str) -> None:
        """Report keys this table does not know (a typo must not be silently ignored)."""
        for key in self.data:
            if key not in allowed:
                self.problem(key, f"unknown key (allowed: {', '.join(allowed)})")

    def _value(self, key: str, required: bool) -> Any:
        if key not in self.data:
            if required:
                self.problem(key, "is required")
            return None
        return self.data[key]

    def text(self, key: str, default: str | None = None, pattern: str | None = None) -> str:
        value = self._value(key, default is None)
        if value is None:
            return default or ""
        if not isinstance(value, str):
            self.problem(key, f"expected a string, found {_kind(value)}")
            return default or ""
        if default is None and not value.strip():
            self.problem(key, "must not be empty")
        if pattern is not None and not re.fullmatch(pattern, value):
            self.problem(key, f"{value!r} does not match the pattern {pattern}")
        return value

    def integer(self, key: str, default: int | None, low: int, high: int) -> int:
        value = self._value(key, default is None)
        if value is None:
            return default if default is not None else low
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"expected a whole number, found {_kind(value)}")
            return default if default is not None else low
        if not low <= value <= high:
            self.problem(key, f"{value} is out of range ({low} to {high})")
        return value

    def number(self, key: str, default: float | None, low: float, high: float) -> float:
        value = self._value(key, default is None)
        if value is None:
            return default if default is not None else low
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(key, f"expected a number, found {_kind(value)}")
            return default if default is not None else low
        if not low <= value <= high:
            self.problem(key, f"{value} is out of range ({low} to {high})")
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self._value(key, False)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"expected true or false, found {_kind(value)}")
            return default
        return value

    def choice(self, key: str, enum_type: type[E], default: E | None = None) -> E | None:
        value = self._value(key, default is None)
        if value is None:
            return default
        try:
            return enum_type(value)
        except ValueError:
            allowed = ", ".join(str(m.value) for m in enum_type)
            self.problem(key, f"{value!r} is not one of: {allowed}")
            return default

    def texts(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self._value(key, False)
        if value is None:
            return default
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(key, "expected a list of strings")
            return default
        return tuple(value)

    def clock(self, key: str, default: time | None = None) -> time | None:
        value = self._value(key, default is None)
        if value is None:
            return default
        return parse_clock(value, lambda msg: self.problem(key, msg))

    def day(self, value: Any, key: str) -> date | None:
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(key, f"{value!r} is not a date (YYYY-MM-DD)")
        return None

    def days(self, key: str) -> tuple[date, ...]:
        value = self._value(key, False)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(key, "expected a list of dates (YYYY-MM-DD)")
            return ()
        parsed = (self.day(v, f"{key}[{i}]") for i, v in enumerate(value))
        return tuple(d for d in parsed if d is not None)

    def tables(self, key: str) -> list[Reader]:
        value = self._value(key, False)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, f"expected an array of tables ([[{key}]]), found {_kind(value)}")
            return []
        return [Reader(v, f"{self.at(key)}[{i}]", self.problems) for i, v in enumerate(value)]

    def table(self, key: str) -> Reader:
        value = self._value(key, False)
        return Reader({} if value is None else value, self.at(key), self.problems)


def parse_clock(value: Any, report: Callable[[str], None]) -> time | None:
    """Parse "HH:MM" (24:00 allowed as end of day) or a TOML local time."""
    if isinstance(value, time):
        return value
    match = _TIME.match(value) if isinstance(value, str) else None
    if match is None:
        report(f"{value!r} is not a time of day (HH:MM)")
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        if minute:
            report(f"{value!r} is not a time of day (HH:MM)")
            return None
        return time(23, 59, 59)
    return time(hour, minute)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
