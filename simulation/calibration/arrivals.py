"""Walk-in arrival rates per hour from opening, with a test of Poisson arrivals in each hour.

The model is the simulator's: a Poisson process whose rate is constant within each hour
from opening (piecewise-constant NHPP). The rate of an hour is the mean number of walk-ins
in it per day. Kim & Whitt's conditional-uniform test (MSOM 2014) checks the model hour
by hour: given the count, the arrival times of a Poisson hour are independent and uniform
over it, so the times of every day's hour h, as fractions of the hour, are pooled and
compared with the uniform distribution by a Kolmogorov–Smirnov test. Timestamps rounded to
the second or minute are first un-rounded (a uniform draw within the rounding unit), as
Kim & Whitt require; the dispersion index (variance / mean of the daily counts) is
reported beside it, since pooling days whose rates differ shows up there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from simulation.calibration.days import Opening
from simulation.calibration.records import Records

__all__ = ["HourFit", "fit_arrivals", "rounding_unit", "walkin_mask"]

FloatArray = NDArray[np.float64]
SIGNIFICANCE = 0.05  # an hour "fails" the Poisson test below this p-value
SEED = 20_141_212  # un-rounding draws: fixed, so a calibration is reproducible


@dataclass(frozen=True)
class HourFit:
    """One hour from opening: the fitted rate, the daily counts' spread and the KS test."""

    start: int  # minutes after midnight
    minutes: float  # length of the piece (the last hour may be shorter)
    rate: float  # walk-ins per hour
    per_day: FloatArray  # walk-ins in this hour, per training day
    ks_statistic: float | None  # None: fewer than 2 arrivals in all
    ks_p: float | None
    dispersion: float | None  # variance / mean of the daily counts

    @property
    def mean_count(self) -> float:
        return float(self.per_day.mean()) if self.per_day.size else 0.0

    @property
    def poisson(self) -> bool | None:
        """Whether the conditional-uniform test accepts Poisson arrivals in the hour."""
        return None if self.ks_p is None else self.ks_p >= SIGNIFICANCE


def walkin_mask(records: Records) -> NDArray[np.bool_]:
    """Rows that are walk-in arrivals (tickets taken at the kiosk or the guide desk)."""
    return ~records.ticketless & ~records.appointment & ~np.isnan(records.issued)


def rounding_unit(minutes: FloatArray) -> float:
    """The rounding of the timestamps in minutes: 1 (whole minutes), 1/60 (seconds) or 0."""
    if minutes.size == 0:
        return 0.0
    seconds = minutes * 60.0
    if np.all(np.abs(seconds - np.round(seconds)) < 1e-6):
        return 1.0 if np.all(np.abs(minutes - np.round(minutes)) < 1e-9) else 1.0 / 60.0
    return 0.0


def _unround(minutes: FloatArray) -> tuple[FloatArray, float]:
    unit = rounding_unit(minutes)
    if unit == 0.0:
        return minutes, unit
    rng = np.random.default_rng(SEED)
    return minutes + rng.uniform(0.0, unit, minutes.size), unit


def fit_arrivals(
    records: Records, days: list[int], opening: Opening
) -> tuple[list[HourFit], float]:
    """The hourly rates from opening and their tests; also the rounding unit undone."""
    mine = walkin_mask(records) & np.isin(records.day, days)
    times, unit = _unround(records.issued[mine])
    day_index = np.searchsorted(np.asarray(days), records.day[mine])
    fits = []
    for h in range(opening.hours):
        start = opening.open_minute + 60 * h
        end = min(start + 60, opening.close_minute)
        inside = (times >= start) & (times < end)
        counts = np.bincount(day_index[inside], minlength=len(days)).astype(np.float64)
        length = float(end - start)
        fractions = (times[inside] - start) / length
        fits.append(_hour(start, length, counts, fractions))
    return fits, unit


def _hour(start: int, length: float, counts: FloatArray, fractions: FloatArray) -> HourFit:
    rate = float(counts.mean()) * 60.0 / length if counts.size else 0.0
    statistic = p = None
    if fractions.size >= 2:
        result = stats.kstest(fractions, "uniform")
        statistic, p = float(result.statistic), float(result.pvalue)
    mean = float(counts.mean()) if counts.size else 0.0
    dispersion = None
    if counts.size > 1 and mean > 0:
        dispersion = float(counts.var(ddof=1)) / mean
    return HourFit(start, length, rate, counts, statistic, p, dispersion)


def hourly_rate_error(fit: HourFit) -> float:
    """The standard error of the fitted rate (Poisson: √(rate / days), per hour)."""
    days = fit.per_day.size
    return math.sqrt(max(fit.mean_count, 0.0) / days) * 60.0 / fit.minutes if days else math.inf
