"""Date ranges, comparisons, buckets, query parsing, and the Erlang C windows needed."""

from __future__ import annotations

import math
from datetime import date

import pytest

from hall.analytics.erlang import erlang_c_wait, windows_needed
from hall.analytics.periods import (
    Bucket,
    DateRange,
    last_month,
    parse_bucket,
    parse_range,
    two_months,
)
from hall.errors import InvalidInput


def test_previous_period_and_same_dates_last_year() -> None:
    period = DateRange(date(2024, 2, 1), date(2024, 2, 29))
    assert period.days == 29
    assert period.previous() == DateRange(date(2024, 1, 3), date(2024, 1, 31))
    assert period.year_before() == DateRange(date(2023, 2, 1), date(2023, 2, 28))


def test_buckets_cut_by_day_week_and_month() -> None:
    period = DateRange(date(2026, 10, 28), date(2026, 11, 10))  # a Wednesday to a Tuesday
    assert len(period.buckets(Bucket.DAY)) == 14
    weeks = period.buckets(Bucket.WEEK)
    assert [(w.start.day, w.end.day) for w in weeks] == [(28, 1), (2, 8), (9, 10)]
    months = period.buckets(Bucket.MONTH)
    assert [(m.start, m.end) for m in months] == [
        (date(2026, 10, 28), date(2026, 10, 31)),
        (date(2026, 11, 1), date(2026, 11, 10)),
    ]


def test_default_periods() -> None:
    assert two_months(date(2026, 12, 4)) == DateRange(date(2026, 11, 1), date(2026, 12, 4))
    assert two_months(date(2026, 1, 9)) == DateRange(date(2026, 1, 1), date(2026, 1, 9))
    assert last_month(date(2026, 3, 15)) == DateRange(date(2026, 2, 1), date(2026, 2, 28))


def test_query_parsing() -> None:
    assert parse_range(None, None) is None
    assert parse_range("2026-11-01", None) == DateRange(date(2026, 11, 1), date(2026, 11, 1))
    assert parse_range(None, "2026-11-02") == DateRange(date(2026, 11, 2), date(2026, 11, 2))
    assert parse_bucket(None) is Bucket.DAY
    for raw_from, raw_to, field in (
        ("2026-13-01", None, "from"),
        ("2026-11-05", "2026-11-01", "to"),
        ("2025-01-01", "2026-11-01", "from"),
    ):
        with pytest.raises(InvalidInput) as caught:
            parse_range(raw_from, raw_to)
        assert field in caught.value.fields
        assert "。" in caught.value.message_zh
    with pytest.raises(InvalidInput):
        parse_bucket("year")


def test_erlang_c_against_the_closed_forms() -> None:
    # M/M/1: Wq = rho / (mu - lambda); 30 an hour served in 1.5 min on average.
    lam, mu = 30 / 60, 1 / 1.5
    assert erlang_c_wait(1, 30, 1.5) == pytest.approx((lam / mu) / (mu - lam))
    # M/M/2 with a = lambda/mu: P(wait) = a^2 / (a^2 + (2 - a)(1 + a)), Wq = P / (2 mu - lambda).
    a = 1.2
    lam = a * mu
    waiting = a**2 / (a**2 + (2 - a) * (1 + a))
    assert erlang_c_wait(2, lam * 60, 1.5) == pytest.approx(waiting / (2 * mu - lam))
    assert erlang_c_wait(2, 80, 1.5) == math.inf  # two Erlangs on two windows


def test_windows_needed_is_the_smallest_count_meeting_the_target() -> None:
    assert windows_needed(0, 12, 10) == 0
    for arrivals, service in ((40, 12), (120, 15), (7, 30)):
        needed = windows_needed(arrivals, service, 10)
        assert erlang_c_wait(needed, arrivals, service) <= 10
        assert needed == 1 or erlang_c_wait(needed - 1, arrivals, service) > 10
