"""Remaining service times, conditioned on the time already spent, against scipy."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from scipy import integrate, stats

from simulation.distributions import Deterministic, Empirical, Exponential, Gamma, Lognormal
from simulation.whatif.residual import remaining_times

N = 20_000


def conditional_mean(dist: stats.rv_continuous, elapsed: float) -> float:
    return float(integrate.quad(dist.sf, elapsed, np.inf)[0] / dist.sf(elapsed))


def conditional_cdf(
    dist: stats.rv_continuous, elapsed: float
) -> Callable[[np.ndarray], np.ndarray]:
    """P(S − e ≤ x | S > e)."""
    return lambda x: 1 - dist.sf(np.asarray(x) + elapsed) / dist.sf(elapsed)


@pytest.mark.parametrize(
    ("service", "scipy_dist"),
    [
        (
            Lognormal(8.0, 0.8),
            stats.lognorm(s=Lognormal(8.0, 0.8).sigma, scale=math.exp(Lognormal(8.0, 0.8).mu)),
        ),
        (Gamma(8.0, 0.5), stats.gamma(a=4.0, scale=2.0)),
    ],
)
def test_parametric_remainders_follow_the_conditional_distribution(
    service: Lognormal | Gamma, scipy_dist: stats.rv_continuous
) -> None:
    rng = np.random.default_rng(3)
    for elapsed in (0.0, 5.0, 20.0):
        draws = remaining_times(service, elapsed, rng, N)
        assert draws.min() >= 0
        expected = conditional_mean(scipy_dist, elapsed)
        assert abs(draws.mean() - expected) <= 4 * draws.std() / math.sqrt(N), (elapsed, expected)
        # The whole distribution, not just its mean: a KS test against S − e | S > e.
        assert stats.kstest(draws, conditional_cdf(scipy_dist, elapsed)).pvalue > 1e-3


def test_exponential_is_memoryless_and_deterministic_counts_down() -> None:
    rng = np.random.default_rng(4)
    draws = remaining_times(Exponential(5.0), 30.0, rng, N)
    assert abs(draws.mean() - 5.0) <= 4 * 5.0 / math.sqrt(N)
    assert remaining_times(Deterministic(5.0), 2.0, rng, 3).tolist() == [3.0, 3.0, 3.0]
    assert remaining_times(Deterministic(5.0), 9.0, rng, 1).tolist() == [0.0]


def test_empirical_remainders_come_from_the_longer_services() -> None:
    rng = np.random.default_rng(5)
    draws = remaining_times(Empirical((2.0, 4.0, 10.0, 12.0)), 5.0, rng, 4000)
    assert set(np.round(draws, 9).tolist()) == {5.0, 7.0}
    beyond = remaining_times(Empirical((2.0, 4.0)), 30.0, rng, 100)  # longer than any record
    assert (beyond > 0).all()


def test_a_survival_too_small_to_invert_falls_back_to_the_hazard() -> None:
    rng = np.random.default_rng(6)
    draws = remaining_times(Lognormal(5.0, 0.1), 200.0, rng, 1000)  # 40× the mean: sf ≈ 0
    assert np.isfinite(draws).all()
    assert (draws >= 0).all()
