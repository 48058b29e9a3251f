"""The cheapest roster of shift patterns, against brute force over every roster."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulation.errors import InvalidInputError
from simulation.roster import cheapest_roster, hourly_coverage
from simulation.scenario_model import Interval, ShiftPattern

SHARES = st.sampled_from((0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0))


def brute_force(
    required: list[float], coverage: list[list[float]], costs: list[float]
) -> float | None:
    """The least cost over every roster with up to enough people on each pattern."""
    hours = range(len(required))
    limit = [
        max(
            (math.ceil(r / row[h]) for h, r in enumerate(required) if row[h] > 0),
            default=0,
        )
        for row in coverage
    ]
    best = None
    for counts in itertools.product(*(range(n + 1) for n in limit)):
        covered = all(
            sum(x * row[h] for x, row in zip(counts, coverage, strict=True)) >= required[h] - 1e-9
            for h in hours
        )
        cost = sum(x * c for x, c in zip(counts, costs, strict=True))
        if covered and (best is None or cost < best):
            best = cost
    return best


@st.composite
def programs(draw: st.DrawFn) -> tuple[list[float], list[list[float]], list[float]]:
    hours = draw(st.integers(1, 5))
    patterns = draw(st.integers(1, 4))
    coverage = [[draw(SHARES) for _ in range(hours)] for _ in range(patterns)]
    costs = [float(draw(st.integers(1, 9))) for _ in range(patterns)]
    required = [
        float(draw(st.integers(0, 4))) if any(row[h] for row in coverage) else 0.0
        for h in range(hours)
    ]
    return required, coverage, costs


@settings(max_examples=300, deadline=None)
@given(programs())
def test_the_roster_is_the_cheapest_of_all_rosters(
    program: tuple[list[float], list[list[float]], list[float]],
) -> None:
    required, coverage, costs = program
    roster = cheapest_roster(required, coverage, costs)
    assert roster.optimal
    for h, need in enumerate(required):  # every hour is covered ...
        staffed = sum(x * row[h] for x, row in zip(roster.counts, coverage, strict=True))
        assert staffed >= need - 1e-9
    assert roster.cost == pytest.approx(
        sum(x * c for x, c in zip(roster.counts, costs, strict=True))
    )
    assert roster.cost == pytest.approx(brute_force(required, coverage, costs))  # ... cheapest


def test_a_textbook_case() -> None:
    # Hours 9-13 need 2, 3, 3, 1. Full day (4 h) costs 7, a morning (9-11) 4, a late (11-13) 4.
    coverage = [[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 1, 1]]
    roster = cheapest_roster([2, 3, 3, 1], coverage, [7.0, 4.0, 4.0])
    # 3 full days (21) beat 2 full + 1 + 1 (22), 1 full + 2 + 2 (23) and 3 + 3 shifts (24).
    assert roster.counts == (3, 0, 0)
    assert roster.cost == 21.0
    cheaper_shifts = cheapest_roster([2, 3, 3, 1], coverage, [9.0, 4.0, 4.0])
    assert cheaper_shifts.counts == (0, 3, 3)  # 24 beats 25, 26 and 27 with full days
    assert cheaper_shifts.cost == 24.0


def test_an_hour_no_pattern_works_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="No shift pattern works in hour 2"):
        cheapest_roster([1, 1], [[1.0, 0.0]], [1.0])
    assert cheapest_roster([1, 0], [[1.0, 0.0]], [1.0]).counts == (1,)


@pytest.mark.parametrize(
    ("required", "coverage", "costs"),
    [([1], [[1.0]], [0.0]), ([-1], [[1.0]], [1.0]), ([1], [[1.0, 1.0]], [1.0])],
)
def test_bad_programs_are_refused(
    required: list[float], coverage: list[list[float]], costs: list[float]
) -> None:
    with pytest.raises(InvalidInputError):
        cheapest_roster(required, coverage, costs)


def test_hourly_coverage_counts_breaks_and_a_short_last_hour() -> None:
    pattern = ShiftPattern("middle", (Interval(60.0, 240.0),), (Interval(150.0, 165.0),), cost=5.0)
    # Hours from opening: [0,60) off, [60,120) on, [120,180) on but a 15-minute break,
    # [180,240) on, [240,270) off (the day ends at 270: a half hour).
    assert hourly_coverage(pattern, 5, 270.0) == (0.0, 1.0, 0.75, 1.0, 0.0)
