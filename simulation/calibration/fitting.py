"""Service-time distributions fitted by maximum likelihood, chosen by AIC, checked by KS.

The candidates are the simulator's families: exponential (1 parameter), lognormal and
gamma (2 each). Each is fitted by maximum likelihood (closed forms for the first two; for
the gamma shape, Minka's starting value and Newton steps on the likelihood equation), the
one with the smallest AIC = 2k − 2 ln L is chosen, and its Kolmogorov–Smirnov distance to
the data is reported. The empirical distribution (as quantiles) is used instead when there
are too few points or the chosen fit is poor: its KS distance exceeds both the 1 % critical
value and `POOR_DISTANCE` (a fit 5 % off somewhere is poor for a planner; a smaller
distance that is merely significant in a year of records is not).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from simulation.distributions import Empirical, Exponential, Gamma, Lognormal, ServiceTime

__all__ = ["Candidate", "ServiceFit", "fit_service", "frozen"]

FloatArray = NDArray[np.float64]
MIN_POINTS = 30  # fewer observations than this: the empirical distribution
POOR_DISTANCE = 0.05
KS_1_PERCENT = 1.628  # √n · D above this rejects at 1 % (Kolmogorov's limit)
EMPIRICAL_QUANTILES = 200  # an empirical fit is written as this many quantiles at most


@dataclass(frozen=True)
class Candidate:
    """One family fitted: the distribution, its log-likelihood and AIC."""

    family: str
    dist: ServiceTime
    log_likelihood: float
    aic: float


@dataclass(frozen=True)
class ServiceFit:
    """The distribution chosen for one matter, with the evidence for it."""

    n: int
    chosen: ServiceTime
    family: str  # the family chosen, "empirical" when the data were used as they are
    candidates: tuple[Candidate, ...]
    ks_statistic: float | None  # of the best parametric candidate
    ks_p: float | None
    reason: str  # why this one: "smallest AIC", "too few points", "poor fit"
    sample_mean: float
    sample_cv: float


_FROZEN: dict[object, stats.rv_continuous | None] = {}


def frozen(dist: ServiceTime) -> stats.rv_continuous | None:
    """The scipy distribution of a parametric service time (None for empirical ones); kept,
    since building one costs a millisecond (the what-if asks once per replication)."""
    if dist not in _FROZEN:
        if len(_FROZEN) > 256:
            _FROZEN.clear()
        _FROZEN[dist] = _frozen(dist)
    return _FROZEN[dist]


def _frozen(dist: ServiceTime) -> stats.rv_continuous | None:
    if isinstance(dist, Exponential):
        return stats.expon(scale=dist.mean)
    if isinstance(dist, Lognormal):
        return stats.lognorm(s=dist.sigma, scale=math.exp(dist.mu))
    if isinstance(dist, Gamma):
        return stats.gamma(a=dist.shape, scale=dist.scale)
    return None


def _exponential(x: FloatArray, logs: FloatArray) -> Candidate:
    mean = float(x.mean())
    ll = -x.size * math.log(mean) - float(x.sum()) / mean
    return Candidate("exponential", Exponential(mean), ll, 2 * 1 - 2 * ll)


def _lognormal(x: FloatArray, logs: FloatArray) -> Candidate:
    mu, sigma = float(logs.mean()), float(logs.std())
    sigma = max(sigma, 1e-9)
    n = x.size
    ll = -float(logs.sum()) - n * math.log(sigma) - n * 0.5 * math.log(2 * math.pi) - n / 2
    mean, cv = math.exp(mu + sigma**2 / 2), math.sqrt(math.expm1(sigma**2))
    return Candidate("lognormal", Lognormal(mean, cv), ll, 2 * 2 - 2 * ll)


def _gamma_shape(s: float) -> float:
    """The MLE shape k solving ln k − ψ(k) = s (Minka 2002: start, then Newton steps)."""
    k = (3 - s + math.sqrt((s - 3) ** 2 + 24 * s)) / (12 * s)
    for _ in range(50):
        step = float((math.log(k) - special.digamma(k) - s) / (1 / k - special.polygamma(1, k)))
        k = max(k - step, k / 10)
        if abs(step) < 1e-12 * k:
            break
    return k


def _gamma(x: FloatArray, logs: FloatArray) -> Candidate:
    mean = float(x.mean())
    s = math.log(mean) - float(logs.mean())
    k = _gamma_shape(max(s, 1e-12))
    theta = mean / k
    n = x.size
    ll = (
        (k - 1) * float(logs.sum())
        - float(x.sum()) / theta
        - n * (k * math.log(theta) + math.lgamma(k))
    )
    ll = float(ll)
    return Candidate("gamma", Gamma(mean, 1 / math.sqrt(k)), ll, 2 * 2 - 2 * ll)


def empirical_of(x: FloatArray) -> Empirical:
    """The data as an empirical distribution: every value, or evenly spaced quantiles."""
    ordered = np.sort(x)
    if ordered.size > EMPIRICAL_QUANTILES:
        levels = (np.arange(EMPIRICAL_QUANTILES) + 0.5) / EMPIRICAL_QUANTILES
        ordered = np.quantile(ordered, levels)
    return Empirical(tuple(round(float(v), 3) or 0.001 for v in ordered))


def fit_service(x: FloatArray) -> ServiceFit:
    """Fit the service times `x` (minutes, all > 0); raises ValueError when `x` is empty."""
    if x.size == 0:
        raise ValueError("no service times to fit")
    logs = np.log(x)
    mean = float(x.mean())
    cv = float(x.std()) / mean if mean > 0 else 0.0
    if x.size < MIN_POINTS:
        reason = f"too few points ({x.size} < {MIN_POINTS})"
        return ServiceFit(x.size, empirical_of(x), "empirical", (), None, None, reason, mean, cv)
    candidates = tuple(f(x, logs) for f in (_lognormal, _gamma, _exponential))
    best = min(candidates, key=lambda c: c.aic)
    scipy_dist = frozen(best.dist)
    assert scipy_dist is not None
    result = stats.kstest(x, scipy_dist.cdf)
    distance, p = float(result.statistic), float(result.pvalue)
    poor = distance > max(POOR_DISTANCE, KS_1_PERCENT / math.sqrt(x.size))
    chosen: ServiceTime
    if poor:
        reason = f"poor fit: KS distance {distance:.3f} of the best family ({best.family})"
        chosen, family = empirical_of(x), "empirical"
    else:
        chosen, family, reason = best.dist, best.family, "smallest AIC"
    return ServiceFit(x.size, chosen, family, candidates, distance, p, reason, mean, cv)
