"""The dispatch and calling policy knobs, with defaults a real hall accepts, and their checks."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from queueing.errors import InvalidPolicy

MINUTE = 60.0
OFF = "off"  # the value that turns a knob off where the knob allows it (priority_cap)
_DAY_MINUTES = 24 * 60.0


@dataclass(frozen=True, slots=True)
class Policy:
    """Every knob of dispatch and calling; durations are minutes, as halls think of them."""

    priority_cap: int | None = 3  # None ("off" in a file): no cap, priority always first
    walkin_ageing_minutes: float = 30.0
    green_max_wait_minutes: float = 10.0
    appointment_early_margin_minutes: float = 5.0
    appointment_late_grace_minutes: float = 15.0
    specialist_overflow_minutes: float = 15.0
    recalls_before_no_show: int = 2
    no_show_grace_minutes: float = 3.0

    def __post_init__(self) -> None:
        knobs = {f.name: getattr(self, f.name) for f in fields(self)}
        if knobs["priority_cap"] is None:
            knobs["priority_cap"] = OFF
        problems = policy_problems(knobs)
        if problems:
            raise InvalidPolicy(problems)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Policy:
        """Build a policy from a `[policy]` table; missing keys take their defaults.

        Raises InvalidPolicy listing every problem found by `policy_problems`.
        """
        problems = policy_problems(mapping)
        if problems:
            raise InvalidPolicy(problems)
        knobs = dict(mapping)
        if knobs.get("priority_cap") == OFF:
            knobs["priority_cap"] = None
        return cls(**knobs)

    def to_mapping(self) -> dict[str, int | float | str]:
        """Return the knobs as a plain mapping, ready to write back to TOML ("off" for None)."""
        knobs = {f.name: getattr(self, f.name) for f in fields(self)}
        if knobs["priority_cap"] is None:
            knobs["priority_cap"] = OFF
        return knobs


@dataclass(frozen=True, slots=True)
class _Rule:
    integer: bool
    low: float
    high: float
    can_be_off: bool = False


_RULES: dict[str, _Rule] = {
    "priority_cap": _Rule(True, 0, 100, can_be_off=True),
    "walkin_ageing_minutes": _Rule(False, 0, _DAY_MINUTES),
    "green_max_wait_minutes": _Rule(False, 0, _DAY_MINUTES),
    "appointment_early_margin_minutes": _Rule(False, 0, 240),
    "appointment_late_grace_minutes": _Rule(False, 0, 240),
    "specialist_overflow_minutes": _Rule(False, 0, _DAY_MINUTES),
    "recalls_before_no_show": _Rule(True, 0, 10),
    "no_show_grace_minutes": _Rule(False, 0, 60),
}


def policy_problems(mapping: Mapping[str, Any]) -> list[tuple[str, str]]:
    """List (key, message) for every unknown key, wrong type or out-of-range value."""
    problems: list[tuple[str, str]] = []
    for key, value in mapping.items():
        rule = _RULES.get(key)
        if rule is None:
            known = ", ".join(_RULES)
            problems.append((key, f"is not a policy setting; the settings are {known}"))
            continue
        message = _value_problem(rule, value)
        if message is not None:
            problems.append((key, message))
    return problems


def _value_problem(rule: _Rule, value: Any) -> str | None:
    if rule.can_be_off and value == OFF:
        return None
    off = f' or "{OFF}"' if rule.can_be_off else ""
    if rule.integer:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number{off}, not {value!r}"
    elif isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number of minutes, not {value!r}"
    if not (math.isfinite(value) and rule.low <= value <= rule.high):
        return f"must be between {rule.low:g} and {rule.high:g}, not {value!r}"
    return None
