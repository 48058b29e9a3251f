"""Output analysis: replication summaries, Student-t confidence intervals and target verdicts.

A KPI that a replication could not observe (no complex appointment holders that day, say)
is passed in as `None` (or NaN) and left out; a KPI with no observations at all has no
summary and a reason, never a made-up zero.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from queueing.vocabulary import Direction
from simulation.errors import InvalidInputError

__all__ = [
    "Direction",
    "KpiResult",
    "Summary",
    "Target",
    "Verdict",
    "batch_means",
    "evaluate",
    "lag1_autocorrelation",
    "replications_needed",
    "summarize",
    "t_cdf_two_sided",
    "t_critical",
    "verdict",
]

# Above this many degrees of freedom the Cornish–Fisher expansion is accurate to ~1e-12.
_SERIES_MAX_DF = 1000


def t_cdf_two_sided(t: float, df: int) -> float:
    """Return P(|T| ≤ t) for Student's t with integer df (Abramowitz–Stegun 26.7.3–4).

    Raises ValueError for df < 1 or t < 0.
    """
    if df < 1 or t < 0:
        raise InvalidInputError(f"need df >= 1 and t >= 0, got df={df!r}, t={t!r}.")
    theta = math.atan(t / math.sqrt(df))
    cos2 = math.cos(theta) ** 2
    term, total = 1.0, 1.0
    if df % 2 == 0:
        for k in range(1, df // 2):
            term *= (2 * k - 1) / (2 * k) * cos2
            total += term
        return math.sin(theta) * total
    if df == 1:
        return 2.0 * theta / math.pi
    for k in range(1, (df - 1) // 2):
        term *= (2 * k) / (2 * k + 1) * cos2
        total += term
    return 2.0 / math.pi * (theta + math.sin(theta) * math.cos(theta) * total)


def _cornish_fisher(p: float, df: int) -> float:
    x = NormalDist().inv_cdf(p)
    g1 = (x**3 + x) / 4
    g2 = (5 * x**5 + 16 * x**3 + 3 * x) / 96
    g3 = (3 * x**7 + 19 * x**5 + 17 * x**3 - 15 * x) / 384
    g4 = (79 * x**9 + 776 * x**7 + 1482 * x**5 - 1920 * x**3 - 945 * x) / 92160
    return x + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


@functools.lru_cache(maxsize=256)
def t_critical(confidence: float, df: int) -> float:
    """Return the two-sided Student-t critical value t with P(|T| ≤ t) = confidence.

    Raises ValueError unless 0 < confidence < 1 and df ≥ 1.
    """
    if not 0.0 < confidence < 1.0 or df < 1:
        raise InvalidInputError(f"need 0 < confidence < 1 and df >= 1, got {confidence!r}, {df!r}.")
    if df > _SERIES_MAX_DF:
        return _cornish_fisher((1.0 + confidence) / 2.0, df)
    low, high = 0.0, 1.0
    while t_cdf_two_sided(high, df) < confidence:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf_two_sided(mid, df) < confidence:
            low = mid
        else:
            high = mid
        if high - low <= 1e-14 * high:
            break
    return 0.5 * (low + high)


class Verdict(enum.StrEnum):
    """Outcome of comparing a confidence interval with a target."""

    MET = "met"
    NOT_MET = "not_met"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Target:
    """A service target: `value` with a direction, e.g. mean wait at most 10 minutes."""

    value: float
    direction: Direction = Direction.AT_MOST

    def is_met_by(self, x: float) -> bool:
        """Return whether one observed value satisfies the target."""
        return self.direction.passes(x, self.value)


@dataclass(frozen=True)
class Summary:
    """Mean with a Student-t interval (None for a single value), spread, p90 and extremes."""

    n: int
    mean: float
    std: float
    half_width: float | None
    ci: tuple[float, float] | None
    p90: float
    minimum: float
    maximum: float
    confidence: float


def summarize(values: Sequence[float], confidence: float = 0.95) -> Summary:
    """Summarise per-replication values: mean, sample std, t-interval, p90, min and max.

    Raises ValueError if there are no values, a value is not finite, or confidence is invalid.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        raise InvalidInputError("Cannot summarise: there are no values.")
    if not np.all(np.isfinite(data)):
        raise InvalidInputError("Cannot summarise: some values are not finite.")
    if not 0.0 < confidence < 1.0:
        raise InvalidInputError(
            f"confidence must lie strictly between 0 and 1, got {confidence!r}."
        )
    n = int(data.size)
    mean = float(np.mean(data))
    std = float(np.std(data, ddof=1)) if n > 1 else 0.0
    half: float | None = None
    ci: tuple[float, float] | None = None
    if n > 1:
        half = t_critical(confidence, n - 1) * std / math.sqrt(n)
        ci = (mean - half, mean + half)
    return Summary(
        n=n,
        mean=mean,
        std=std,
        half_width=half,
        ci=ci,
        p90=float(np.percentile(data, 90)),
        minimum=float(np.min(data)),
        maximum=float(np.max(data)),
        confidence=confidence,
    )


def verdict(summary: Summary, target: Target) -> Verdict:
    """Return met / not_met when the whole interval is on one side, else undecided."""
    if summary.ci is None:
        return Verdict.UNDECIDED
    low, high = summary.ci
    if target.direction is Direction.AT_MOST:
        if high <= target.value:
            return Verdict.MET
        return Verdict.NOT_MET if low > target.value else Verdict.UNDECIDED
    if low >= target.value:
        return Verdict.MET
    return Verdict.NOT_MET if high < target.value else Verdict.UNDECIDED


@dataclass(frozen=True)
class KpiResult:
    """A KPI across replications: its summary (None when unobserved), reason, target and verdict.

    `values` are the per-replication values in replication order (None where a day
    observed nothing), so two runs on common random numbers can be paired.
    """

    summary: Summary | None
    reason: str | None
    target: Target | None
    verdict: Verdict | None
    share_met: float | None
    missing: int
    values: tuple[float | None, ...] = ()
    level: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON form used by the CLI's --json output and the HTML report.

        `ci` is the interval at confidence `level`; `day_min`/`day_max` are the extremes of
        the daily values (not of citizens' waits).
        """
        out: dict[str, Any] = {"mean": None, "ci": None, "level": self.level, "n": 0}
        out["missing"] = self.missing
        if self.summary is not None:
            s = self.summary
            out |= {"mean": s.mean, "n": s.n, "std": s.std, "half_width": s.half_width}
            out |= {"day_min": s.minimum, "day_max": s.maximum}
            out["ci"] = list(s.ci) if s.ci is not None else None
        if self.target is not None:
            out["target"] = self.target.value
            out["direction"] = str(self.target.direction)
            out["met"] = str(self.verdict) if self.verdict is not None else None
            out["share_met"] = self.share_met
        if self.reason is not None:
            out["reason"] = self.reason
        out["values"] = list(self.values)
        return out


def evaluate(
    values: Sequence[float | None], target: Target | None = None, confidence: float = 0.95
) -> KpiResult:
    """Summarise one KPI over replications (None/NaN = not observed) and judge it against a target.

    Raises ValueError if a value is infinite or confidence is invalid.
    """
    cleaned = tuple(None if v is None or math.isnan(v) else float(v) for v in values)
    observed = [v for v in cleaned if v is not None]
    missing = len(values) - len(observed)
    if not observed:
        empty = "no observations in any replication" if values else "no replications"
        return KpiResult(None, empty, target, None, None, missing, cleaned, confidence)
    summary = summarize(observed, confidence)
    notes: list[str] = []
    if missing:
        notes.append(f"{missing} of {len(values)} replications had no observations")
    if summary.n == 1:
        notes.append("only one replication observed it: no confidence interval")
    reason = "; ".join(notes) or None
    if target is None:
        return KpiResult(summary, reason, None, None, None, missing, cleaned, confidence)
    share = sum(target.is_met_by(v) for v in observed) / len(observed)
    judged = verdict(summary, target)
    return KpiResult(summary, reason, target, judged, share, missing, cleaned, confidence)


def batch_means(series: Sequence[float], batches: int = 20, confidence: float = 0.95) -> Summary:
    """Summarise one long steady-state run by the means of `batches` equal consecutive batches.

    Observations that do not fill a whole batch at the end are dropped.
    Raises ValueError if there are fewer observations than batches or batches < 2.
    """
    data = np.asarray(series, dtype=np.float64)
    if batches < 2 or data.size < batches:
        raise InvalidInputError(
            f"Batch means need at least 2 batches and one value per batch; "
            f"got {batches} batches for {data.size} values."
        )
    size = data.size // batches
    means = data[: size * batches].reshape(batches, size).mean(axis=1)
    return summarize(means.tolist(), confidence)


def lag1_autocorrelation(values: Sequence[float]) -> float:
    """Return the lag-1 sample autocorrelation (checks that batch means are nearly independent).

    Raises ValueError for fewer than 3 values or zero variance.
    """
    data = np.asarray(values, dtype=np.float64)
    if data.size < 3:
        raise InvalidInputError("Autocorrelation needs at least 3 values.")
    centred = data - data.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0.0:
        raise InvalidInputError("Autocorrelation is undefined for constant values.")
    return float(np.dot(centred[:-1], centred[1:])) / denominator


def replications_needed(summary: Summary, half_width: float) -> int:
    """Return how many replications should bring the t-interval half-width down to `half_width`.

    Uses n* = ⌈(t·s/h)²⌉ with the pilot's degrees of freedom, never less than the pilot size.
    Raises ValueError if half_width ≤ 0 or the pilot has fewer than 2 replications.
    """
    if half_width <= 0 or summary.n < 2:
        raise InvalidInputError("Need half_width > 0 and a pilot of at least 2 replications.")
    t = t_critical(summary.confidence, summary.n - 1)
    return max(summary.n, math.ceil((t * summary.std / half_width) ** 2))
