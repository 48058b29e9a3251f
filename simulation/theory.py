"""Closed-form queueing results the simulator is validated against and planners staff with.

Notation: `load` is the offered load a = λ·E[S] in Erlangs; `servers` is c. Functions that
take `arrival_rate` and `mean_service` accept any time unit as long as both use the same one
(per minute and minutes, say); waits come back in that unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simulation.errors import InvalidInputError, UnstableQueueError

__all__ = [
    "ErlangAResult",
    "MeanWaitTarget",
    "PeriodStaffing",
    "ServiceLevelTarget",
    "StaffingTarget",
    "allen_cunneen_wait",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "garnett_prob_wait",
    "halfin_whitt_beta",
    "halfin_whitt_prob_wait",
    "mean_wait",
    "meets_target",
    "min_servers",
    "occupancy",
    "offered_load",
    "priority_mean_waits",
    "prob_wait_exceeds",
    "service_level",
    "square_root_staffing",
    "staffing_by_period",
]

# Erlang A: stop extending the birth-death chain once states are this far (in log) below the mode.
_LOG_NEGLIGIBLE = 45.0
_MAX_STATES = 5_000_000


def _check_servers(servers: int, *, allow_zero: bool = False) -> None:
    lowest = 0 if allow_zero else 1
    if isinstance(servers, bool) or not isinstance(servers, int) or servers < lowest:
        raise InvalidInputError(f"servers must be an integer >= {lowest}, got {servers!r}.")


def _check_nonneg(name: str, value: float) -> None:
    if not math.isfinite(value) or value < 0:
        raise InvalidInputError(f"{name} must be a finite number >= 0, got {value!r}.")


def _check_positive(name: str, value: float) -> None:
    if not math.isfinite(value) or value <= 0:
        raise InvalidInputError(f"{name} must be a finite number > 0, got {value!r}.")


def _check_stable(servers: int, load: float) -> None:
    if load >= servers:
        raise UnstableQueueError(
            f"Offered load {load:.6g} Erlangs needs more than {servers} servers to be stable."
        )


def offered_load(arrival_rate: float, mean_service: float) -> float:
    """Return the offered load a = λ·E[S] in Erlangs.

    Raises ValueError if a rate or time is negative or not finite.
    """
    _check_nonneg("arrival_rate", arrival_rate)
    _check_positive("mean_service", mean_service)
    return arrival_rate * mean_service


def occupancy(servers: int, load: float) -> float:
    """Return the server occupancy ρ = a/c of a queue that loses nobody.

    Raises ValueError for c < 1, a negative load, or a ≥ c (unstable).
    """
    _check_servers(servers)
    _check_nonneg("load", load)
    _check_stable(servers, load)
    return load / servers


def erlang_b(servers: int, load: float) -> float:
    """Return the Erlang B blocking probability by the stable recursion B_k = aB/(k + aB).

    Raises ValueError for a negative server count or load.
    """
    _check_servers(servers, allow_zero=True)
    _check_nonneg("load", load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def erlang_c(servers: int, load: float) -> float:
    """Return the Erlang C probability that an arrival waits, C = cB/(c − a(1 − B)).

    Raises ValueError for c < 1, a negative load, or a ≥ c (unstable).
    """
    _check_servers(servers)
    _check_nonneg("load", load)
    _check_stable(servers, load)
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


def mean_wait(servers: int, arrival_rate: float, mean_service: float) -> float:
    """Return the M/M/c mean wait in queue Wq = C·E[S]/(c − a).

    Raises ValueError for invalid input or an unstable queue.
    """
    load = offered_load(arrival_rate, mean_service)
    return erlang_c(servers, load) * mean_service / (servers - load)


def prob_wait_exceeds(servers: int, arrival_rate: float, mean_service: float, t: float) -> float:
    """Return the M/M/c probability P(W > t) = C·exp(−(c − a)t/E[S]).

    Raises ValueError for invalid input, t < 0, or an unstable queue.
    """
    _check_nonneg("t", t)
    load = offered_load(arrival_rate, mean_service)
    return erlang_c(servers, load) * math.exp(-(servers - load) * t / mean_service)


def service_level(servers: int, arrival_rate: float, mean_service: float, t: float) -> float:
    """Return the M/M/c service level SL(t) = P(W ≤ t).

    Raises ValueError for invalid input, t < 0, or an unstable queue.
    """
    return 1.0 - prob_wait_exceeds(servers, arrival_rate, mean_service, t)


@dataclass(frozen=True)
class MeanWaitTarget:
    """Staffing target: the mean wait in queue is at most `max_mean_wait`."""

    max_mean_wait: float


@dataclass(frozen=True)
class ServiceLevelTarget:
    """Staffing target: at least `share` of arrivals wait no longer than `within`."""

    within: float
    share: float


StaffingTarget = MeanWaitTarget | ServiceLevelTarget


def _check_target(target: StaffingTarget) -> None:
    if isinstance(target, MeanWaitTarget):
        _check_positive("max_mean_wait", target.max_mean_wait)
        return
    _check_nonneg("within", target.within)
    if not 0.0 < target.share < 1.0:
        raise InvalidInputError(f"share must lie strictly between 0 and 1, got {target.share!r}.")


def meets_target(
    servers: int, arrival_rate: float, mean_service: float, target: StaffingTarget
) -> bool:
    """Return whether an M/M/c queue with c servers meets the target (False if unstable).

    Raises ValueError for invalid input.
    """
    _check_target(target)
    load = offered_load(arrival_rate, mean_service)
    _check_servers(servers)
    if load >= servers:
        return False
    if isinstance(target, MeanWaitTarget):
        return mean_wait(servers, arrival_rate, mean_service) <= target.max_mean_wait
    return service_level(servers, arrival_rate, mean_service, target.within) >= target.share


def min_servers(arrival_rate: float, mean_service: float, target: StaffingTarget) -> int:
    """Return the smallest c whose M/M/c queue meets the target (0 when nobody arrives).

    Raises ValueError for invalid input or an unreachable target.
    """
    _check_target(target)
    load = offered_load(arrival_rate, mean_service)
    if load == 0:
        return 0
    servers = math.floor(load) + 1
    while not meets_target(servers, arrival_rate, mean_service, target):
        servers += 1
    return servers


@dataclass(frozen=True)
class ErlangAResult:
    """Stationary M/M/c+M measures; waits are over all arrivals, served or abandoned."""

    prob_wait: float
    prob_abandon: float
    mean_wait: float
    mean_queue_length: float
    occupancy: float


def _erlang_a_log_weights(servers: int, lam: float, mu: float, theta: float) -> list[float]:
    """Unnormalised log state probabilities of the birth-death chain, truncated when negligible."""
    logs = [0.0]
    peak = 0.0
    n = 0
    while True:
        n += 1
        death = min(n, servers) * mu + max(n - servers, 0) * theta
        nxt = logs[-1] + math.log(lam) - math.log(death)
        logs.append(nxt)
        peak = max(peak, nxt)
        if n > servers and lam < death and nxt < peak - _LOG_NEGLIGIBLE:
            return logs
        if n > _MAX_STATES:
            raise InvalidInputError("Erlang A chain did not converge; check the parameters.")


def erlang_a(
    servers: int, arrival_rate: float, mean_service: float, mean_patience: float
) -> ErlangAResult:
    """Return M/M/c+M (Erlang A) measures from its birth–death chain (abandonment rate 1/patience).

    Raises ValueError for c < 1 or a rate or time that is not positive and finite.
    """
    _check_servers(servers)
    _check_positive("arrival_rate", arrival_rate)
    _check_positive("mean_service", mean_service)
    _check_positive("mean_patience", mean_patience)
    logs = _erlang_a_log_weights(servers, arrival_rate, 1.0 / mean_service, 1.0 / mean_patience)
    peak = max(logs)
    weights = [math.exp(x - peak) for x in logs]
    total = math.fsum(weights)
    prob_wait = math.fsum(weights[servers:]) / total
    queue = math.fsum((n - servers) * w for n, w in enumerate(weights) if n > servers) / total
    prob_abandon = queue / (mean_patience * arrival_rate)
    served_load = arrival_rate * (1.0 - prob_abandon) * mean_service
    return ErlangAResult(
        prob_wait=prob_wait,
        prob_abandon=prob_abandon,
        mean_wait=queue / arrival_rate,
        mean_queue_length=queue,
        occupancy=served_load / servers,
    )


def square_root_staffing(load: float, beta: float) -> int:
    """Return c = ⌈a + β√a⌉ (never below 0), the square-root staffing rule.

    Raises ValueError for a negative load or a non-finite β.
    """
    _check_nonneg("load", load)
    if not math.isfinite(beta):
        raise InvalidInputError(f"beta must be finite, got {beta!r}.")
    return max(0, math.ceil(load + beta * math.sqrt(load) - 1e-12))


def _phi(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _big_phi(x: float) -> float:
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _hazard(x: float) -> float:
    """Standard normal hazard φ(x)/(1 − Φ(x)), computed without cancellation."""
    return _phi(x) / (0.5 * math.erfc(x / math.sqrt(2.0)))


def halfin_whitt_prob_wait(beta: float) -> float:
    """Return the Halfin–Whitt limit α(β) = [1 + βΦ(β)/φ(β)]⁻¹ of P(wait) under c = a + β√a.

    Raises ValueError if β is not positive and finite.
    """
    _check_positive("beta", beta)
    return 1.0 / (1.0 + beta * _big_phi(beta) / _phi(beta))


def halfin_whitt_beta(prob_wait: float) -> float:
    """Return the β whose Halfin–Whitt limit α(β) equals the given probability of waiting.

    Raises ValueError unless 0 < prob_wait < 1.
    """
    if not 0.0 < prob_wait < 1.0:
        raise InvalidInputError(f"prob_wait must lie strictly between 0 and 1, got {prob_wait!r}.")
    low, high = 1e-12, 1.0
    while halfin_whitt_prob_wait(high) > prob_wait:
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if halfin_whitt_prob_wait(mid) > prob_wait:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def garnett_prob_wait(beta: float, mean_service: float, mean_patience: float) -> float:
    """Return the Garnett–Mandelbaum–Reiman QED approximation of Erlang A's P(wait).

    Raises ValueError if β is not finite or a time is not positive.
    """
    if not math.isfinite(beta):
        raise InvalidInputError(f"beta must be finite, got {beta!r}.")
    _check_positive("mean_service", mean_service)
    _check_positive("mean_patience", mean_patience)
    ratio = mean_service / mean_patience  # θ/μ
    return 1.0 / (1.0 + math.sqrt(ratio) * _hazard(beta / math.sqrt(ratio)) / _hazard(-beta))


def allen_cunneen_wait(
    servers: int, arrival_rate: float, mean_service: float, arrival_cv: float, service_cv: float
) -> float:
    """Return the Allen–Cunneen G/G/c mean-wait approximation Wq(M/M/c)·(c_a² + c_s²)/2.

    Raises ValueError for invalid input or an unstable queue.
    """
    _check_nonneg("arrival_cv", arrival_cv)
    _check_nonneg("service_cv", service_cv)
    factor = (arrival_cv**2 + service_cv**2) / 2.0
    return mean_wait(servers, arrival_rate, mean_service) * factor


def priority_mean_waits(
    servers: int, arrival_rates: Sequence[float], mean_service: float
) -> list[float]:
    """Return per-class mean waits of non-preemptive priority M/M/c (Cobham), highest class first.

    Raises ValueError for invalid input or an unstable queue.
    """
    for rate in arrival_rates:
        _check_nonneg("arrival_rate", rate)
    total = math.fsum(arrival_rates)
    load = offered_load(total, mean_service)
    wait_prob = erlang_c(servers, load)
    capacity = servers / mean_service
    waits: list[float] = []
    sigma_before = 0.0
    for rate in arrival_rates:
        sigma = sigma_before + rate / capacity
        waits.append(wait_prob / (capacity * (1.0 - sigma_before) * (1.0 - sigma)))
        sigma_before = sigma
    return waits


@dataclass(frozen=True)
class PeriodStaffing:
    """One period's staffing suggestion: effective arrival rate, offered load and servers."""

    start_minute: float
    rate_per_hour: float
    load: float
    servers: int


def _average_rate(rates: Sequence[float], period: float, start: float, end: float) -> float:
    """Average of the piecewise-constant profile over [start, end); zero outside the profile."""
    total = 0.0
    for k, rate in enumerate(rates):
        overlap = min(end, (k + 1) * period) - max(start, k * period)
        if overlap > 0:
            total += rate * overlap
    return total / (end - start)


def staffing_by_period(
    rates_per_hour: Sequence[float],
    mean_service_minutes: float,
    target: StaffingTarget,
    *,
    period_minutes: float = 60.0,
    lagged: bool = False,
) -> list[PeriodStaffing]:
    """Return a SIPP staffing suggestion per period; `lagged` shifts λ(t) by one mean service time.

    Targets are in minutes. Before opening the rate is taken as zero.
    Raises ValueError for negative rates, non-positive times or an unreachable target.
    """
    _check_positive("mean_service_minutes", mean_service_minutes)
    _check_positive("period_minutes", period_minutes)
    for rate in rates_per_hour:
        _check_nonneg("rate_per_hour", rate)
    shift = mean_service_minutes if lagged else 0.0
    plan: list[PeriodStaffing] = []
    for k in range(len(rates_per_hour)):
        start = k * period_minutes
        rate = _average_rate(
            rates_per_hour, period_minutes, start - shift, start + period_minutes - shift
        )
        per_minute = rate / 60.0
        servers = min_servers(per_minute, mean_service_minutes, target)
        plan.append(PeriodStaffing(start, rate, per_minute * mean_service_minutes, servers))
    return plan
