"""The booking credit rule: N no-shows or M late cancellations in D days suspend for P days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hall.booking.credit import credit_status, suspension_until, warning_due
from hall.catalogue.schema import NoShowRule

RULE = NoShowRule(no_shows=2, late_cancellations=5, window_days=30, suspend_days=90)
T0 = datetime(2026, 3, 1, 10, tzinfo=UTC)
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


def no_shows(*days: float) -> list[tuple[str, datetime]]:
    return [("no_show", T0 + day * DAY) for day in days]


def late(*days: float) -> list[tuple[str, datetime]]:
    return [("late_cancellation", T0 + day * DAY) for day in days]


def test_a_clean_history_is_neither_suspended_nor_warned() -> None:
    assert suspension_until([], RULE, T0) is None
    assert not warning_due([], RULE, T0)


def test_one_short_of_the_threshold_warns() -> None:
    history = no_shows(0)
    assert suspension_until(history, RULE, T0 + DAY) is None
    assert warning_due(history, RULE, T0 + DAY)


def test_n_no_shows_within_the_window_suspend_from_the_last_one() -> None:
    history = no_shows(0, 10)
    now = T0 + 11 * DAY
    assert suspension_until(history, RULE, now) == T0 + 10 * DAY + 90 * DAY
    assert not warning_due(history, RULE, now)


def test_exactly_d_days_apart_is_not_one_window() -> None:
    history = no_shows(0, 30)
    now = T0 + 30 * DAY
    assert suspension_until(history, RULE, now) is None
    assert warning_due(history, RULE, now)  # the second one alone is one short


def test_a_second_inside_d_days_is_one_window() -> None:
    history = [("no_show", T0), ("no_show", T0 + 30 * DAY - SECOND)]
    now = T0 + 30 * DAY
    assert suspension_until(history, RULE, now) == T0 + 120 * DAY - SECOND


def test_the_warning_window_ends_now() -> None:
    history = no_shows(0)
    assert warning_due(history, RULE, T0 + 30 * DAY - SECOND)
    assert not warning_due(history, RULE, T0 + 30 * DAY)


def test_the_suspension_ends_at_its_until() -> None:
    history = no_shows(0, 1)
    until = T0 + 91 * DAY
    assert suspension_until(history, RULE, until - SECOND) == until
    assert suspension_until(history, RULE, until) is None
    assert not warning_due(history, RULE, until)  # the two no-shows are used up


def test_events_that_suspended_once_do_not_count_again() -> None:
    short = NoShowRule(no_shows=2, late_cancellations=5, window_days=30, suspend_days=10)
    history = no_shows(0, 1, 12)
    now = T0 + 12 * DAY
    assert suspension_until(history, short, now) is None
    assert warning_due(history, short, now)
    assert suspension_until([*history, *no_shows(13)], short, T0 + 13 * DAY) == T0 + 23 * DAY


def test_m_minus_one_late_cancellations_warn_and_m_suspend() -> None:
    four = late(0, 1, 2, 3)
    assert suspension_until(four, RULE, T0 + 4 * DAY) is None
    assert warning_due(four, RULE, T0 + 4 * DAY)
    five = late(0, 1, 2, 3, 29)
    assert suspension_until(five, RULE, T0 + 29 * DAY) == T0 + 119 * DAY


def test_late_cancellations_spread_over_more_than_d_days_do_not_suspend() -> None:
    history = late(0, 10, 20, 29, 30)  # the first is exactly 30 days before the fifth
    assert suspension_until(history, RULE, T0 + 30 * DAY) is None
    assert warning_due(history, RULE, T0 + 30 * DAY)


def test_kinds_are_counted_separately() -> None:
    history = no_shows(0) + late(1, 2, 3)
    assert suspension_until(history, RULE, T0 + 4 * DAY) is None
    status = credit_status(history, RULE, T0 + 4 * DAY)
    assert (status.no_shows, status.late_cancellations) == (1, 3)
    assert status.warning  # from the single no-show


def test_the_later_of_two_suspensions_wins() -> None:
    history = no_shows(0, 1) + late(2, 3, 4, 5, 6)
    assert suspension_until(history, RULE, T0 + 7 * DAY) == T0 + 96 * DAY


def test_history_order_does_not_matter() -> None:
    history = no_shows(10, 0)
    assert suspension_until(history, RULE, T0 + 11 * DAY) == T0 + 100 * DAY


def test_events_after_now_are_ignored() -> None:
    assert suspension_until(no_shows(0, 5), RULE, T0 + 4 * DAY) is None


def test_a_lift_clears_earlier_events() -> None:
    history = no_shows(0, 1)
    lifted = T0 + 2 * DAY
    assert suspension_until(history, RULE, T0 + 3 * DAY, lifted_at=lifted) is None
    assert not warning_due(history, RULE, T0 + 3 * DAY, lifted_at=lifted)
    as_entry = [*history, ("lift", lifted)]
    assert suspension_until(as_entry, RULE, T0 + 3 * DAY) is None


def test_events_after_a_lift_count_again() -> None:
    history = [*no_shows(0, 1), ("lift", T0 + 2 * DAY), *no_shows(3)]
    assert suspension_until(history, RULE, T0 + 3 * DAY) is None
    assert warning_due(history, RULE, T0 + 3 * DAY)
    assert suspension_until([*history, *no_shows(4)], RULE, T0 + 4 * DAY) == T0 + 94 * DAY


def test_an_event_at_the_lift_instant_is_cleared() -> None:
    history = no_shows(0, 1)
    assert suspension_until(history, RULE, T0 + 2 * DAY, lifted_at=T0 + DAY) is None


def test_a_lift_entry_after_now_does_not_apply_yet() -> None:
    history = [*no_shows(0, 1), ("lift", T0 + 5 * DAY)]
    assert suspension_until(history, RULE, T0 + 2 * DAY) == T0 + 91 * DAY


def test_the_latest_lift_counts() -> None:
    history = [*no_shows(0), ("lift", T0 + DAY), *no_shows(2, 3)]
    assert suspension_until(history, RULE, T0 + 4 * DAY, lifted_at=T0 + 2.5 * DAY) is None
    assert suspension_until(history, RULE, T0 + 4 * DAY, lifted_at=T0) == T0 + 93 * DAY


def test_a_threshold_of_one_suspends_at_once_and_never_warns() -> None:
    strict = NoShowRule(no_shows=1, late_cancellations=5, window_days=30, suspend_days=7)
    assert not warning_due([], strict, T0)
    assert suspension_until(no_shows(0), strict, T0) == T0 + 7 * DAY


def test_a_threshold_of_zero_turns_the_rule_off() -> None:
    off = NoShowRule(no_shows=0, late_cancellations=0, window_days=30, suspend_days=7)
    assert suspension_until(no_shows(0, 1, 2) + late(0, 1), off, T0 + 3 * DAY) is None
    assert not warning_due(no_shows(0, 1, 2), off, T0 + 3 * DAY)


def test_bad_histories_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown credit event kind"):
        suspension_until([("rude", T0)], RULE, T0)
    with pytest.raises(ValueError, match="aware"):
        suspension_until([("no_show", T0.replace(tzinfo=None))], RULE, T0)
    with pytest.raises(ValueError, match="aware"):
        warning_due([], RULE, T0.replace(tzinfo=None))
    with pytest.raises(ValueError, match="aware"):
        warning_due([], RULE, T0, lifted_at=T0.replace(tzinfo=None))


@given(
    st.lists(st.integers(0, 200 * 24), max_size=12),
    st.integers(0, 220 * 24),
    st.integers(1, 4),
    st.integers(1, 60),
)
def test_suspension_matches_a_brute_force_count(
    hours: list[int], now_hours: int, threshold: int, window: int
) -> None:
    """With no lifts and no re-use, a first trigger is any event with threshold in its window."""
    rule = NoShowRule(no_shows=threshold, late_cancellations=99, window_days=window, suspend_days=5)
    times = sorted(T0 + timedelta(hours=h) for h in hours)
    now = T0 + timedelta(hours=now_hours)
    until = suspension_until([("no_show", t) for t in times], rule, now)
    past = [t for t in times if t <= now]
    span = timedelta(days=window)
    triggers = [t for t in past if sum(1 for u in past if t - span < u <= t) >= threshold]
    if not triggers:
        assert until is None
    else:
        assert until is None or until > now
        assert until is None or until <= past[-1] + 5 * DAY
        if now < triggers[0] + 5 * DAY:
            assert until is not None
