"""Policy knobs: defaults, loading from a [policy] table, and problems with key paths."""

from __future__ import annotations

import pytest

from queueing.errors import InvalidPolicy
from queueing.policy import Policy, policy_problems


def test_defaults_a_real_hall_accepts() -> None:
    assert Policy().to_mapping() == {
        "priority_cap": 3,
        "walkin_ageing_minutes": 30.0,
        "green_max_wait_minutes": 10.0,
        "appointment_early_margin_minutes": 5.0,
        "appointment_late_grace_minutes": 15.0,
        "specialist_overflow_minutes": 15.0,
        "recalls_before_no_show": 2,
        "no_show_grace_minutes": 3.0,
    }


def test_from_mapping_round_trips_and_fills_defaults() -> None:
    policy = Policy.from_mapping({"priority_cap": 2, "green_max_wait_minutes": 5})
    assert (policy.priority_cap, policy.green_max_wait_minutes) == (2, 5)
    assert policy.walkin_ageing_minutes == 30.0
    assert Policy.from_mapping(policy.to_mapping()) == policy


def test_problems_name_every_bad_key() -> None:
    problems = policy_problems(
        {
            "priority_cap": 1.5,
            "green_max_wait": 5,
            "walkin_ageing_minutes": True,
            "no_show_grace_minutes": -1,
            "recalls_before_no_show": 11,
            "specialist_overflow_minutes": float("nan"),
            "appointment_late_grace_minutes": "15",
        }
    )
    assert [key for key, _ in problems] == [
        "priority_cap",
        "green_max_wait",
        "walkin_ageing_minutes",
        "no_show_grace_minutes",
        "recalls_before_no_show",
        "specialist_overflow_minutes",
        "appointment_late_grace_minutes",
    ]
    messages = dict(problems)
    assert messages["priority_cap"] == 'must be a whole number or "off", not 1.5'
    assert messages["green_max_wait"].startswith("is not a policy setting; the settings are")
    assert messages["walkin_ageing_minutes"] == "must be a number of minutes, not True"
    assert messages["no_show_grace_minutes"] == "must be between 0 and 60, not -1"
    assert policy_problems(Policy().to_mapping()) == []


def test_invalid_policy_lists_all_problems() -> None:
    with pytest.raises(InvalidPolicy) as info:
        Policy.from_mapping({"priority_cap": -1, "colour": "red"})
    assert [key for key, _ in info.value.problems] == ["priority_cap", "colour"]
    assert str(info.value).startswith("Cannot use the policy: priority_cap: must be between")
    with pytest.raises(InvalidPolicy, match="recalls_before_no_show"):
        Policy(recalls_before_no_show=-2)


def test_the_priority_cap_can_be_turned_off() -> None:
    policy = Policy.from_mapping({"priority_cap": "off"})
    assert policy.priority_cap is None
    assert policy.to_mapping()["priority_cap"] == "off"
    assert Policy.from_mapping(policy.to_mapping()) == policy
    assert Policy(priority_cap=None).priority_cap is None
    assert dict(policy_problems({"priority_cap": "of"})) == {
        "priority_cap": "must be a whole number or \"off\", not 'of'"
    }
    assert dict(policy_problems({"walkin_ageing_minutes": "off"})) == {
        "walkin_ageing_minutes": "must be a number of minutes, not 'off'"
    }
