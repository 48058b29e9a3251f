"""The KPI vocabulary: one definition per name, with SPEC.md's targets and bilingual text."""

from __future__ import annotations

import pytest

from queueing.errors import QueueingError
from queueing.vocabulary import KPIS, Direction, Unit, UnknownKpi, kpi, kpi_names

# Issue 17's list plus issue 18's overtime, in that order, and issue 15's unserved rate.
NAMES = [
    "appointment_wait_general",
    "appointment_wait_complex",
    "handling_time",
    "walkin_wait",
    "green_wait",
    "first_visit_success",
    "help_response",
    "bad_rating_followup",
    "good_rating_rate",
    "no_show_rate",
    "abandonment_rate",
    "unserved_rate",
    "utilisation",
    "arrivals",
    "served",
    "overtime",
]


def test_the_vocabulary_has_every_name_once_and_nothing_else() -> None:
    assert kpi_names() == tuple(NAMES)
    assert all(KPIS[name].name == name for name in NAMES)


@pytest.mark.parametrize(
    ("name", "target", "direction"),
    [
        ("appointment_wait_general", 10.0, Direction.AT_MOST),
        ("appointment_wait_complex", 30.0, Direction.AT_MOST),
        ("handling_time", 20.0, Direction.AT_MOST),
        ("first_visit_success", 0.9, Direction.AT_LEAST),
        ("help_response", 1.0, Direction.AT_MOST),
        ("bad_rating_followup", 1.0, Direction.AT_LEAST),
    ],
)
def test_spec_targets_are_the_defaults(name: str, target: float, direction: Direction) -> None:
    assert (kpi(name).target, kpi(name).direction) == (target, direction)


def test_kpis_the_plans_give_no_target_have_none() -> None:
    without = {n for n, d in KPIS.items() if d.target is None}
    assert without == set(NAMES) - {
        "appointment_wait_general", "appointment_wait_complex", "handling_time",
        "first_visit_success", "help_response", "bad_rating_followup",
    }  # fmt: skip


def test_units_labels_and_definitions() -> None:
    assert kpi("walkin_wait").unit is Unit.MINUTES
    assert kpi("no_show_rate").unit is Unit.FRACTION
    assert kpi("served").unit is Unit.COUNT
    assert kpi("walkin_wait").statistics == ("mean", "p90", "max")
    assert kpi("handling_time").label == "窗口平均办理时间 Window handling time"
    assert kpi("green_wait").label == "绿色通道等候 Green-channel wait"
    for definition in KPIS.values():
        assert definition.definition_en.endswith(".")
        assert definition.definition_zh.endswith("。")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in definition.label_zh)


def test_passing_a_target_follows_the_direction() -> None:
    assert kpi("handling_time").passes(20.0) is True
    assert kpi("handling_time").passes(20.5) is False
    assert kpi("first_visit_success").passes(0.85) is False
    assert kpi("walkin_wait").passes(12.0) is None  # no default target
    assert kpi("walkin_wait").passes(12.0, 15.0) is True
    assert kpi("arrivals").passes(3.0, 2.0) is None  # no direction
    assert Direction.AT_MOST.symbol == "≤"
    assert Direction.AT_LEAST.symbol == "≥"


def test_an_unknown_name_is_a_queueing_error_naming_the_known_ones() -> None:
    with pytest.raises(UnknownKpi, match="Cannot find KPI 'wait'") as info:
        kpi("wait")
    assert isinstance(info.value, QueueingError)
    assert "walkin_wait" in str(info.value)
