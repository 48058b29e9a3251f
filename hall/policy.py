"""The bridge between hall configuration and the queueing core's policy knobs."""

from __future__ import annotations

from typing import Any


def check_policy(mapping: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems with a [policy] table, as (key, message) pairs, using the queueing core's rules."""
    try:
        from queueing.policy import policy_problems
    except ImportError:  # the queueing core is not built yet: accept no knobs
        return [(key, "unknown policy knob") for key in mapping]
    problems: list[tuple[str, str]] = policy_problems(mapping)
    return problems
