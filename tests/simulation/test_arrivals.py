"""Arrivals: piecewise Poisson counts, uniformity, slot books, no-shows and punctuality."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from simulation import arrivals as ar
from simulation.distributions import Deterministic
from simulation.errors import InvalidInputError

PROFILE = (30.0, 120.0, 80.0, 0.0, 45.0)


def test_hourly_counts_have_poisson_mean_and_variance() -> None:
    rng = np.random.default_rng(12)
    reps = 4000
    counts = np.array(
        [
            np.histogram(ar.nhpp_times(rng, PROFILE, 300.0), bins=5, range=(0, 300))[0]
            for _ in range(reps)
        ]
    )
    for hour, rate in enumerate(PROFILE):
        column = counts[:, hour]
        assert column.mean() == pytest.approx(rate, abs=5 * math.sqrt(rate / reps) + 1e-12)
        # var(s²) ≈ (μ4 − σ⁴)/n with Poisson μ4 = λ(1 + 3λ).
        tol = 5 * math.sqrt((rate * (1 + 3 * rate) - rate**2) / reps)
        assert column.var(ddof=1) == pytest.approx(rate, abs=tol + 1e-12)


def test_times_are_sorted_and_uniform_within_each_hour() -> None:
    rng = np.random.default_rng(3)
    times = np.concatenate([ar.nhpp_times(rng, PROFILE, 300.0) for _ in range(200)])
    second_hour = times[(times >= 60) & (times < 120)] - 60
    assert sps.kstest(second_hour / 60, "uniform").pvalue > 1e-4
    one_day = ar.nhpp_times(rng, PROFILE, 300.0)
    assert np.all(np.diff(one_day) >= 0)
    assert one_day.min() >= 0
    assert one_day.max() < 300


def test_constant_profile_and_partial_last_hour() -> None:
    rng = np.random.default_rng(8)
    reps, rate, horizon = 2000, 90.0, 150.0
    totals = np.array([ar.nhpp_times(rng, (rate,), horizon).size for _ in range(reps)])
    expected = rate * horizon / 60
    assert totals.mean() == pytest.approx(expected, abs=5 * math.sqrt(expected / reps))
    cut = np.array([ar.nhpp_times(rng, (60.0, 60.0), 90.0).max(initial=0) for _ in range(50)])
    assert cut.max() < 90.0


def test_profile_rate() -> None:
    assert ar.profile_rate((50.0,), 10_000.0) == 50.0
    assert ar.profile_rate(PROFILE, 61.0) == 120.0
    assert ar.profile_rate(PROFILE, 300.0) == 0.0


def test_nhpp_rejects_bad_profiles() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InvalidInputError, match="at least one"):
        ar.nhpp_times(rng, (), 60.0)
    with pytest.raises(ValueError, match=">= 0"):
        ar.nhpp_times(rng, (-1.0,), 60.0)
    with pytest.raises(ValueError, match="horizon"):
        ar.nhpp_times(rng, (1.0,), -5.0)


def test_slot_book_spreads_bookings_evenly_and_keeps_totals() -> None:
    starts = ar.booked_slot_starts(
        ar.AppointmentBook(per_hour=(10.0, 20.0), slot_minutes=30), 120.0
    )
    assert np.bincount((starts // 30).astype(int)).tolist() == [5, 5, 10, 10]
    # 2.5 bookings per slot: cumulative rounding alternates 3, 2, 3, 2 and keeps the total.
    halves = ar.booked_slot_starts(ar.AppointmentBook(per_hour=(5.0,), slot_minutes=30), 120.0)
    assert np.unique(halves, return_counts=True)[1].tolist() == [3, 2, 3, 2]
    assert ar.booked_slot_starts(ar.AppointmentBook(per_hour=(0.0,)), 480.0).size == 0


def plan(**book: object) -> ar.ArrivalPlan:
    return ar.ArrivalPlan(
        horizon=480.0,
        walkin_per_hour=(100.0,),
        walkin_shares=(0.5, 0.3, 0.2),
        green_shares=(0.1, 0.0, 0.5),
        appointment_shares=(0.0, 0.25, 0.75),
        book=ar.AppointmentBook(per_hour=(40.0,), **book),  # type: ignore[arg-type]
    )


def test_no_shows_and_punctuality() -> None:
    rng = np.random.default_rng(21)
    p = plan(no_show=0.1, early_mean=4.0, early_sd=3.0)
    booked = ar.booked_slot_starts(p.book, p.horizon).size
    days = [ar.generate_arrivals(rng, p) for _ in range(200)]
    shows = np.array([int(day.appointment.sum()) for day in days])
    n = booked * len(days)
    assert shows.sum() / n == pytest.approx(0.9, abs=5 * math.sqrt(0.09 / n))
    early = np.concatenate(
        [(d.slot_start - d.time)[d.appointment & (d.slot_start >= 60)] for d in days]
    )
    assert early.mean() == pytest.approx(4.0, abs=5 * 3.0 / math.sqrt(early.size))
    assert early.std(ddof=1) == pytest.approx(3.0, abs=5 * 3.0 * math.sqrt(0.5 / early.size))


def test_early_birds_arrive_at_opening() -> None:
    p = plan(early_mean=30.0, early_sd=1.0)
    day = ar.generate_arrivals(np.random.default_rng(4), p)
    assert day.time.min() == 0.0
    assert np.all(day.time[day.appointment & (day.slot_start == 0)] == 0.0)


def test_matter_and_green_shares() -> None:
    rng = np.random.default_rng(5)
    days = [ar.generate_arrivals(rng, plan()) for _ in range(100)]
    walk_matter = np.concatenate([d.matter[~d.appointment] for d in days])
    walk_green = np.concatenate([d.green[~d.appointment] for d in days])
    appt_matter = np.concatenate([d.matter[d.appointment] for d in days])
    for index, share in enumerate((0.5, 0.3, 0.2)):
        n = walk_matter.size
        assert np.mean(walk_matter == index) == pytest.approx(
            share, abs=5 * math.sqrt(share * (1 - share) / n)
        )
    for index, share in enumerate((0.1, 0.0, 0.5)):
        mine = walk_green[walk_matter == index]
        assert mine.mean() == pytest.approx(
            share, abs=5 * math.sqrt(share * (1 - share) / mine.size)
        )
    assert not np.any(appt_matter == 0)
    assert np.mean(appt_matter == 2) == pytest.approx(
        0.75, abs=5 * math.sqrt(0.75 * 0.25 / appt_matter.size)
    )


def test_arrival_arrays_are_consistent() -> None:
    day = ar.generate_arrivals(np.random.default_rng(9), plan())
    assert np.all(np.diff(day.time) >= 0)
    assert len(day) == day.matter.size == day.green.size == day.slot_start.size
    assert np.all(np.isnan(day.slot_start[~day.appointment]))
    assert not np.any(np.isnan(day.slot_start[day.appointment]))
    assert not np.any(day.green[day.appointment])


def test_zero_shares_with_arrivals_raise() -> None:
    bad = ar.ArrivalPlan(480.0, (10.0,), (0.0,), (0.0,), (0.0,), ar.AppointmentBook())
    with pytest.raises(InvalidInputError, match="share is zero"):
        ar.generate_arrivals(np.random.default_rng(0), bad)


def test_service_times_follow_each_matter() -> None:
    matter = np.array([0, 1, 1, 0, 2])
    out = ar.service_times(
        np.random.default_rng(0),
        matter,
        [Deterministic(1.0), Deterministic(2.0), Deterministic(5.0)],
    )
    assert out.tolist() == [1.0, 2.0, 2.0, 1.0, 5.0]


def test_replication_streams_are_reproducible_and_distinct() -> None:
    a, b = ar.replication_streams(42, 3), ar.replication_streams(42, 3)
    assert a.arrivals.random() == b.arrivals.random()
    assert a.service.random() == b.service.random()
    c = ar.replication_streams(42, 4)
    d = ar.replication_streams(42, 3)
    assert c.arrivals.random() != d.arrivals.random()
    assert d.service.random() != ar.replication_streams(42, 3).arrivals.random()
