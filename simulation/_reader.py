"""A table reader that validates scenario keys and collects every problem instead of stopping."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Mapping
from typing import Any

from simulation.errors import Problem

_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")

Interval = tuple[int, int]


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_clock(text: object) -> int | None:
    """Minutes after midnight of an "HH:MM" string (up to "24:00"), or None if malformed."""
    if not isinstance(text, str) or not (match := _CLOCK.match(text)):
        return None
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    return minutes if minutes <= 24 * 60 else None


class Reader:
    """Reads one TOML table at a dotted path; problems go to a shared list, unknown keys too."""

    def __init__(self, data: Mapping[str, Any], path: str, problems: list[Problem]) -> None:
        self.data = data
        self.path = path
        self.problems = problems
        self._seen: set[str] = set()

    def where(self, key: str) -> str:
        """The dotted path of `key` inside this table."""
        return f"{self.path}.{key}" if self.path else key

    def problem(self, key: str, message: str) -> None:
        """Record a problem at `key` (an empty key means the table itself)."""
        self.problems.append(Problem(self.where(key) if key else self.path, message))

    def has(self, key: str) -> bool:
        """Whether the key is present (marks it as known)."""
        self._seen.add(key)
        return key in self.data

    def raw(self, key: str) -> Any:
        """The value as written, or None; marks the key as known."""
        self._seen.add(key)
        return self.data.get(key)

    def number(
        self,
        key: str,
        default: float,
        *,
        low: float | None = None,
        high: float | None = None,
        strict_low: bool = False,
    ) -> float:
        """A finite number within bounds; records a problem and returns the default otherwise."""
        value = self.raw(key)
        if value is None:
            return default
        if not _is_number(value) or not math.isfinite(value):
            self.problem(key, f"must be a number, got {value!r}")
            return default
        number = float(value)
        if low is not None and (number < low or (strict_low and number == low)):
            self.problem(key, f"must be {'>' if strict_low else '>='} {low:g}, got {number:g}")
            return default
        if high is not None and number > high:
            self.problem(key, f"must be <= {high:g}, got {number:g}")
            return default
        return number

    def optional_number(self, key: str, *, positive: bool = True) -> float | None:
        """A number > 0 if present, else None."""
        if self.raw(key) is None:
            return None
        value = self.number(key, math.nan, low=0.0, strict_low=positive)
        return None if math.isnan(value) else value

    def integer(self, key: str, default: int, *, low: int | None = None) -> int:
        """An integer at least `low`; records a problem and returns the default otherwise."""
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(key, f"must be a whole number, got {value!r}")
            return default
        if low is not None and value < low:
            self.problem(key, f"must be >= {low}, got {value}")
            return default
        return value

    def string(self, key: str, default: str, *, choices: tuple[str, ...] = ()) -> str:
        """A non-empty string, one of `choices` if given."""
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.problem(key, f"must be a non-empty string, got {value!r}")
            return default
        if choices and value not in choices:
            self.problem(key, f"must be one of {', '.join(choices)}; got {value!r}")
            return default
        return value

    def numbers(self, key: str, default: tuple[float, ...]) -> tuple[float, ...]:
        """A non-empty list of finite numbers >= 0."""
        value = self.raw(key)
        if value is None:
            return default
        ok = isinstance(value, list) and value and all(_is_number(v) for v in value)
        if not ok or not all(math.isfinite(v) and v >= 0 for v in value):
            self.problem(key, "must be a non-empty list of numbers >= 0")
            return default
        return tuple(float(v) for v in value)

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A non-empty list of non-empty strings."""
        value = self.raw(key)
        if value is None:
            return default
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            self.problem(key, "must be a non-empty list of strings")
            return default
        return tuple(value)

    def clock(self, key: str, default: str) -> int:
        """Minutes after midnight of an "HH:MM" value."""
        value = self.raw(key)
        minutes = parse_clock(default if value is None else value)
        if minutes is None:
            self.problem(key, f'must be a clock time like "09:00", got {value!r}')
            return parse_clock(default) or 0
        return minutes

    def intervals(self, key: str) -> tuple[Interval, ...] | None:
        """A list of ["HH:MM", "HH:MM"] pairs with start < end, in clock minutes; None if absent."""
        value = self.raw(key)
        if value is None:
            return None
        if not isinstance(value, list):
            self.problem(key, 'must be a list of ["HH:MM", "HH:MM"] pairs')
            return ()
        found: list[Interval] = []
        for index, pair in enumerate(value):
            where = f"{key}[{index}]"
            ends = [parse_clock(p) for p in pair] if isinstance(pair, list) else []
            if len(ends) != 2 or ends[0] is None or ends[1] is None:
                self.problem(where, f'must be a pair like ["09:00", "12:00"], got {pair!r}')
            elif ends[0] >= ends[1]:
                self.problem(where, f"must end after it starts, got {pair!r}")
            else:
                found.append((ends[0], ends[1]))
        return tuple(sorted(found))

    def table(self, key: str) -> Reader:
        """The sub-table at `key` (empty if absent)."""
        value = self.raw(key)
        if value is None:
            value = {}
        elif not isinstance(value, Mapping):
            self.problem(key, "must be a table")
            value = {}
        return Reader(value, self.where(key), self.problems)

    def tables(self, key: str) -> list[Reader]:
        """The array of tables at `key` (`[[key]]`), each at path `key[i]`."""
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            self.problem(key, f"must be an array of tables ([[{key}]])")
            return []
        return [Reader(v, self.where(f"{key}[{i}]"), self.problems) for i, v in enumerate(value)]

    def finish(self) -> None:
        """Report every key that no reader asked for, with a close match if there is one."""
        for key in self.data:
            if key in self._seen:
                continue
            close = difflib.get_close_matches(key, sorted(self._seen), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            self.problem(key, f"unknown key{hint}")
