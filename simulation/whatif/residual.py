"""Remaining service time of a citizen already at the window: the service time conditioned
on the time already spent.

A ticket served for e minutes has a service time S > e, so what is left is S − e given
S > e: drawn by inverting the survival function on (0, P(S > e)). For the exponential
this is a fresh exponential (memoryless); for the lognormal and gamma the remaining time of
a long service is not a fresh full service time. Empirical service times are resampled
among the values above e. Past the end of what a distribution can describe (a service far
longer than any recorded, or a survival probability below 1e-300), the remainder is drawn
from an exponential with the tail's mean residual life (the hazard rate's inverse).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from simulation.calibration.fitting import frozen
from simulation.distributions import Deterministic, Empirical, Exponential, ServiceTime

__all__ = ["remaining_times"]

FloatArray = NDArray[np.float64]
_TINY = 1e-300


def _empirical(dist: Empirical, elapsed: float, rng: np.random.Generator, size: int) -> FloatArray:
    values = np.asarray(dist.values, dtype=np.float64)
    above = values[values > elapsed]
    if above.size:
        return rng.choice(above, size=size) - elapsed
    tail = np.sort(values)[-max(1, values.size // 10) :]
    mean_residual = max(float(tail.mean() - tail.min()), 0.1 * dist.mean)
    return rng.exponential(mean_residual, size)


def remaining_times(
    dist: ServiceTime, elapsed: float, rng: np.random.Generator, size: int
) -> FloatArray:
    """`size` draws of the minutes still to serve after `elapsed` minutes at the window."""
    elapsed = max(float(elapsed), 0.0)
    if isinstance(dist, Exponential):
        return rng.exponential(dist.mean, size)
    if isinstance(dist, Deterministic):
        return np.full(size, max(dist.mean - elapsed, 0.0))
    if isinstance(dist, Empirical):
        return _empirical(dist, elapsed, rng, size)
    scipy_dist = frozen(dist)
    if scipy_dist is None:  # a distribution the simulator may add later: no conditioning
        return dist.sample(rng, size)
    survival = float(scipy_dist.sf(elapsed))
    if survival > _TINY:
        u = rng.uniform(0.0, survival, size)
        u = np.clip(u, _TINY, None)
        return np.asarray(np.maximum(scipy_dist.isf(u) - elapsed, 0.0), dtype=np.float64)
    hazard = math.exp(float(scipy_dist.logpdf(elapsed)) - float(scipy_dist.logsf(elapsed)))
    return rng.exponential(1.0 / max(hazard, 1e-12), size)
