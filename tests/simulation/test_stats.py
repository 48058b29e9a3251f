"""Output analysis: t quantiles against scipy, intervals, verdicts, missing KPIs, batch means."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from scipy import signal
from scipy import stats as sps

from simulation import stats as st
from simulation.errors import InvalidInputError


@pytest.mark.parametrize("df", [*range(1, 31), 50, 120, 999, 1000, 1001, 5000, 10**6])
@pytest.mark.parametrize("confidence", [0.8, 0.9, 0.95, 0.99])
def test_t_critical_matches_scipy(df: int, confidence: float) -> None:
    expected = sps.t.ppf((1 + confidence) / 2, df)
    assert st.t_critical(confidence, df) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("df", [1, 2, 3, 4, 7, 30, 200])
def test_t_cdf_matches_scipy(df: int) -> None:
    for t in (0.0, 0.1, 1.0, 2.5, 10.0):
        expected = sps.t.cdf(t, df) - sps.t.cdf(-t, df)
        assert st.t_cdf_two_sided(t, df) == pytest.approx(expected, abs=1e-12)


def test_summarize_matches_textbook_formulas() -> None:
    values = [4.0, 7.5, 6.25, 9.0, 3.5, 8.0]
    s = st.summarize(values)
    assert s.n == 6
    assert s.mean == pytest.approx(statistics.fmean(values))
    assert s.std == pytest.approx(statistics.stdev(values))
    half = sps.t.ppf(0.975, 5) * statistics.stdev(values) / math.sqrt(6)
    assert s.half_width == pytest.approx(half)
    assert s.ci == pytest.approx((s.mean - half, s.mean + half))
    assert s.p90 == pytest.approx(float(np.percentile(values, 90)))
    assert (s.minimum, s.maximum) == (3.5, 9.0)


def test_single_value_has_no_interval() -> None:
    s = st.summarize([5.0])
    assert s.ci is None
    assert s.half_width is None
    assert st.verdict(s, st.Target(10.0)) is st.Verdict.UNDECIDED


def test_interval_covers_the_true_mean_at_the_nominal_rate() -> None:
    rng = np.random.default_rng(7)
    trials, n = 2000, 10
    covered = 0
    for _ in range(trials):
        ci = st.summarize(rng.normal(3.0, 2.0, n).tolist()).ci
        assert ci is not None
        covered += ci[0] <= 3.0 <= ci[1]
    rate = covered / trials
    assert abs(rate - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / trials)


@pytest.mark.parametrize(
    ("ci", "direction", "expected"),
    [
        ((8.0, 9.5), st.Direction.AT_MOST, st.Verdict.MET),
        ((8.0, 10.0), st.Direction.AT_MOST, st.Verdict.MET),
        ((9.0, 11.0), st.Direction.AT_MOST, st.Verdict.UNDECIDED),
        ((10.5, 12.0), st.Direction.AT_MOST, st.Verdict.NOT_MET),
        ((10.5, 12.0), st.Direction.AT_LEAST, st.Verdict.MET),
        ((9.0, 11.0), st.Direction.AT_LEAST, st.Verdict.UNDECIDED),
        ((8.0, 9.5), st.Direction.AT_LEAST, st.Verdict.NOT_MET),
    ],
)
def test_verdict(ci: tuple[float, float], direction: st.Direction, expected: st.Verdict) -> None:
    mean = sum(ci) / 2
    summary = st.Summary(30, mean, 1.0, ci[1] - mean, ci, mean, ci[0], ci[1], 0.95)
    assert st.verdict(summary, st.Target(10.0, direction)) is expected


def test_evaluate_skips_missing_and_counts_share_met() -> None:
    result = st.evaluate([8.0, None, 12.0, math.nan, 9.0, 7.0], st.Target(10.0))
    assert result.summary is not None
    assert result.summary.n == 4
    assert result.missing == 2
    assert result.share_met == pytest.approx(3 / 4)
    assert result.reason == "2 of 6 replications had no observations"
    assert result.verdict is st.verdict(result.summary, st.Target(10.0))
    out = result.to_dict()
    assert out["mean"] == pytest.approx(9.0)
    assert out["target"] == 10.0
    assert out["direction"] == "at most"
    assert out["met"] in {"met", "not_met", "undecided"}
    assert len(out["ci"]) == 2
    assert out["level"] == 0.95
    assert out["values"] == [8.0, None, 12.0, None, 9.0, 7.0]  # per replication, in order
    assert (out["day_min"], out["day_max"]) == (7.0, 12.0)


def test_the_interval_is_at_the_level_asked_for() -> None:
    values = [8.0, 12.0, 9.0, 7.0, 10.0]
    wide, narrow = st.evaluate(values, confidence=0.99), st.evaluate(values, confidence=0.8)
    assert (wide.to_dict()["level"], narrow.to_dict()["level"]) == (0.99, 0.8)
    lo99, hi99 = wide.to_dict()["ci"]
    lo80, hi80 = narrow.to_dict()["ci"]
    assert lo99 < lo80 < hi80 < hi99
    t80 = float(sps.t.ppf(0.9, 4))  # scipy, independently of our t quantiles
    assert hi80 - lo80 == pytest.approx(2 * t80 * np.std(values, ddof=1) / math.sqrt(5))


def test_unobserved_kpi_is_none_with_reason_not_zero() -> None:
    result = st.evaluate([None, None, math.nan], st.Target(30.0))
    assert result.summary is None
    assert result.verdict is None
    assert result.reason == "no observations in any replication"
    out = result.to_dict()
    assert out["mean"] is None
    assert out["ci"] is None
    assert out["met"] is None
    assert st.evaluate([]).reason == "no replications"


def test_evaluate_without_target() -> None:
    result = st.evaluate([1.0, 2.0, 3.0])
    assert result.verdict is None
    assert "target" not in result.to_dict()


def test_one_observed_replication_is_undecided_with_reason() -> None:
    result = st.evaluate([None, 4.0], st.Target(10.0))
    assert result.verdict is st.Verdict.UNDECIDED
    assert result.reason is not None
    assert "no confidence interval" in result.reason


def test_summarize_rejects_bad_input() -> None:
    with pytest.raises(InvalidInputError, match="no values"):
        st.summarize([])
    with pytest.raises(ValueError, match="not finite"):
        st.summarize([1.0, math.inf])
    with pytest.raises(ValueError, match="confidence"):
        st.summarize([1.0, 2.0], confidence=1.0)


def ar1(rng: np.random.Generator, phi: float, n: int) -> np.ndarray:
    return signal.lfilter([1.0], [1.0, -phi], rng.normal(0.0, 1.0, n))


def test_batch_means_of_iid_data_equal_summary_of_batch_averages() -> None:
    data = np.arange(103, dtype=float)
    s = st.batch_means(data.tolist(), batches=10)
    expected = st.summarize(data[:100].reshape(10, 10).mean(axis=1).tolist())
    assert s == expected


def test_batch_means_cover_the_mean_of_a_correlated_series() -> None:
    rng = np.random.default_rng(11)
    trials = 300
    covered = 0
    for _ in range(trials):
        ci = st.batch_means(ar1(rng, 0.5, 20_000).tolist(), batches=20).ci
        assert ci is not None
        covered += ci[0] <= 0.0 <= ci[1]
    assert abs(covered / trials - 0.95) <= 4 * math.sqrt(0.95 * 0.05 / trials)


def test_lag1_autocorrelation_of_ar1() -> None:
    n = 100_000
    rho = st.lag1_autocorrelation(ar1(np.random.default_rng(3), 0.5, n).tolist())
    # Bartlett: var(r1) ≈ (1 − φ²)/n for an AR(1).
    assert rho == pytest.approx(0.5, abs=5 * math.sqrt(0.75 / n))
    with pytest.raises(ValueError, match="constant"):
        st.lag1_autocorrelation([1.0, 1.0, 1.0])


def test_batch_means_rejects_too_few_values() -> None:
    with pytest.raises(ValueError, match="Batch means"):
        st.batch_means([1.0, 2.0], batches=5)


def test_replications_needed() -> None:
    pilot = st.summarize([10.0, 12.0, 9.0, 11.0, 13.0, 8.0, 10.0, 11.0, 12.0, 9.0])
    n = st.replications_needed(pilot, 0.5)
    t = sps.t.ppf(0.975, 9)
    assert n == math.ceil((t * pilot.std / 0.5) ** 2)
    assert st.replications_needed(pilot, 100.0) == pilot.n
    with pytest.raises(ValueError, match="half_width"):
        st.replications_needed(pilot, 0.0)
