"""The bridge between hall configuration and the queueing core's policy knobs."""

from __future__ import annotations

from typing import Any

from queueing.policy import policy_problems


def check_policy(mapping: dict[str, Any]) -> list[tuple[str, str]]:
    """Problems with a [policy] table, as (key, message) pairs, using the queueing core's rules."""
    return policy_problems(mapping)
