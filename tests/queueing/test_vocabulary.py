"""The KPI vocabulary: names, verdicts and look-ups."""

from __future__ import annotations

import pytest

from queueing.vocabulary import KPIS, Direction, UnknownKpi, kpi, kpi_names


def test_the_issue_17_names_are_all_there_once() -> None:
    wanted = {
        "appointment_wait_general", "appointment_wait_complex", "handling_time", "walkin_wait",
        "green_wait", "first_visit_success", "help_response", "bad_rating_followup",
        "good_rating_rate", "no_show_rate", "abandonment_rate", "utilisation", "arrivals",
        "served", "overtime",
    }  # fmt: skip
    assert set(kpi_names()) == wanted
    assert all(KPIS[name].name == name for name in wanted)


def test_targets_and_verdicts_follow_spec() -> None:
    assert (kpi("appointment_wait_general").target, kpi("appointment_wait_complex").target) == (
        10.0,
        30.0,
    )
    handling = kpi("handling_time")
    assert handling.passes(20.0) is True
    assert handling.passes(20.1) is False
    assert kpi("first_visit_success").passes(0.89) is False
    assert kpi("arrivals").passes(5) is None  # no direction, no target
    assert kpi("walkin_wait").passes(12, 15) is True
    assert Direction.AT_MOST.symbol == "≤"
    assert Direction.AT_LEAST.symbol == "≥"
    assert kpi("green_wait").label == "绿色通道等候 Green-channel wait"


def test_an_unknown_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(UnknownKpi, match="walkin_wait"):
        kpi("walk_in_wait")
