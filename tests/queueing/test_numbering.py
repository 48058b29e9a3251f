"""Ticket numbers: per prefix, per local day, zero-padded, never reused within the day."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queueing.errors import NumberingError
from queueing.numbering import DayCounters, format_number, next_number, ticket_prefix
from queueing.ticket import Source

MONDAY = datetime.date(2025, 3, 3)
TUESDAY = datetime.date(2025, 3, 4)


def test_sequence_per_prefix_zero_padded() -> None:
    a1, counters = next_number(None, "A", MONDAY)
    a2, counters = next_number(counters, "A", MONDAY)
    b1, counters = next_number(counters, "B", MONDAY)
    assert (a1, a2, b1) == ("A001", "A002", "B001")
    assert dict(counters.last) == {"A": 2, "B": 1}


def test_a_new_day_starts_again_at_one() -> None:
    _, counters = next_number(None, "A", MONDAY)
    number, counters = next_number(counters, "A", TUESDAY)
    assert (number, counters.service_day, dict(counters.last)) == ("A001", TUESDAY, {"A": 1})


def test_a_day_never_goes_backwards() -> None:
    _, counters = next_number(None, "A", TUESDAY)
    with pytest.raises(NumberingError, match="numbers were already issued for 2025-03-04"):
        next_number(counters, "A", MONDAY)


def test_a_busy_day_widens_instead_of_wrapping() -> None:
    counters = DayCounters(MONDAY, {"A": 999})
    assert next_number(counters, "A", MONDAY)[0] == "A1000"
    assert format_number("YY", 7, width=4) == "YY0007"


def test_prefix_per_group_or_for_appointments() -> None:
    assert ticket_prefix("A", Source.WALK_IN, "Y") == "A"
    assert ticket_prefix("A", Source.APPOINTMENT, "Y") == "Y"
    assert ticket_prefix("A", Source.APPOINTMENT) == "A"


@pytest.mark.parametrize("prefix", ["", "a", "ABCD", "A1", "甲"])
def test_bad_prefixes_are_refused(prefix: str) -> None:
    with pytest.raises(NumberingError, match="one to three capital letters"):
        ticket_prefix(prefix, Source.WALK_IN)


def test_sequences_start_at_one() -> None:
    with pytest.raises(NumberingError, match="sequences start at 1"):
        format_number("A", 0)


@given(st.lists(st.sampled_from(["A", "B", "Y"]), max_size=300))
def test_never_reused_within_a_day(prefixes: list[str]) -> None:
    counters = None
    seen = set()
    for prefix in prefixes:
        number, counters = next_number(counters, prefix, MONDAY)
        assert number not in seen
        seen.add(number)
