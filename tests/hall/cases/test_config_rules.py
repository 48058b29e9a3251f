"""The [rating] and [cases] tables of a hall's configuration: defaults, checks, round trip."""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import pytest

from hall.catalogue.export import dump_config
from hall.catalogue.loader import demo_config_path, parse_config
from hall.catalogue.schema import CaseRules, RatingRules
from hall.errors import ConfigError


def demo() -> dict[str, Any]:
    data: dict[str, Any] = tomllib.loads(demo_config_path().read_text(encoding="utf-8"))
    return data


def test_absent_tables_take_the_defaults_and_the_demo_sets_its_helpers() -> None:
    data = demo()
    assert "rating" not in data["halls"][1]
    assert "cases" not in data["halls"][1]
    config = parse_config(data)
    street = config.halls[1]
    assert street.rating == RatingRules()
    assert street.cases == CaseRules()
    assert (RatingRules().period_days, RatingRules().change_hours, RatingRules().default_score) == (
        7,
        24,
        3,
    )
    assert (CaseRules().contact_days, CaseRules().rectify_days, CaseRules().close_days) == (
        1,
        5,
        15,
    )
    assert config.halls[0].cases.helpers == ("clerk22", "clerk24")
    again = parse_config(tomllib.loads(dump_config(config)))
    assert again == config


def test_every_problem_is_reported_with_its_key_path() -> None:
    data = copy.deepcopy(demo())
    hall = data["halls"][0]
    hall["rating"] = {"period_days": 0, "stars": 5, "default_score": 6}
    hall["cases"] = {"contact_days": 6, "rectify_days": 5, "helpers": ["Not A Name"]}
    with pytest.raises(ConfigError) as caught:
        parse_config(data, "demo")
    problems = caught.value.problems
    expected = [
        "demo: halls[0].rating.stars: unknown key",
        "demo: halls[0].rating.period_days: 0 is out of range (1 to 90)",
        "demo: halls[0].rating.default_score: 6 is out of range (1 to 5)",
        "demo: halls[0].cases.helpers: 'Not A Name' is not a user name",
        "demo: halls[0].cases.close_days: needs contact_days ≤ rectify_days ≤ close_days",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert len(problems) == len(expected), problems
