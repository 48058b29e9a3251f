"""The what-if against queueing theory, from a hand-built state of the hall.

n citizens wait, c windows are idle, service is exponential of rate μ and nobody else
comes: c are called at once, and the last waiting citizen is called after the other n − c
completions, which come at rate cμ: a Gamma(n − c, cμ) time, mean (n − c)/(cμ). The hall
is then empty when the last c services end: the maximum of c exponentials, mean H_c/μ
later (H_c the c-th harmonic number). Each expectation is checked within four standard
errors of the replications, the standard deviation also from theory.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
from scipy import integrate, stats

from hall.analytics.snapshot import SnapshotTicket
from simulation.distributions import Exponential, Lognormal
from simulation.whatif.changes import Change, Question
from simulation.whatif.project import project
from tests.simulation.whatif.builders import NOW, at, no_arrivals, state, waiting, windows

MEAN = 6.0  # minutes: μ = 1/6 a minute
REPLICATIONS = 300
Z = 4.0
LOGNORMAL_RUNS = 1000


def minutes_after_now(iso: str) -> float:
    return (datetime.fromisoformat(iso).timestamp() - NOW) / 60


def harmonic(c: int) -> float:
    return sum(1 / k for k in range(1, c + 1))


def test_the_last_waiting_citizen_and_the_empty_hall_come_when_theory_says() -> None:
    n, c = 30, 3
    answer = project(state(windows(c), waiting(n)), no_arrivals(Exponential(MEAN)),
                     Question((), REPLICATIONS, 5))  # fmt: skip
    side = answer["baseline"]
    assert answer["scenario"] is side  # no changes: the same run
    rate = c / MEAN
    tickets = side["tickets"]
    assert [t["number"] for t in tickets] == [f"A{k:03d}" for k in range(n)]
    for k in (0, c - 1):  # called at once
        assert tickets[k]["wait_minutes"] == 0.0
    for k in (c, n // 2, n - 1):  # the (k − c + 1)-th completion calls ticket k
        done = k - c + 1
        expected, sd = done / rate, math.sqrt(done) / rate
        got = tickets[k]["wait_minutes"]
        assert abs(got - expected) <= Z * sd / math.sqrt(REPLICATIONS), (k, got, expected)
    last = (n - c) / rate
    clear = last + harmonic(c) * MEAN
    sd = math.sqrt((n - c) / rate**2 + sum((MEAN / k) ** 2 for k in range(1, c + 1)))
    got = minutes_after_now(side["clear_at"])
    assert abs(got - clear) <= Z * sd / math.sqrt(REPLICATIONS) + 1 / 60, (got, clear)
    assert side["p_met"]["walkin_wait"] == 0.0  # everyone waits > 15 min on average


def test_opening_windows_now_shortens_the_queue_as_predicted() -> None:
    n, c, more = 30, 3, 2
    question = Question((Change("open", (4, 5)),), REPLICATIONS, 6)
    answer = project(state(windows(c), waiting(n)), no_arrivals(Exponential(MEAN)), question)
    rate = (c + more) / MEAN
    last = (n - c - more) / rate
    sd = math.sqrt(n - c - more) / rate
    got = answer["scenario"]["tickets"][-1]["wait_minutes"]
    assert abs(got - last) <= Z * sd / math.sqrt(REPLICATIONS), (got, last)
    before = answer["baseline"]["tickets"][-1]["wait_minutes"]
    assert abs(before - (n - c) * MEAN / c) <= Z * math.sqrt(n - c) * MEAN / c / math.sqrt(
        REPLICATIONS
    )
    assert answer["changes"] == [{"open": [4, 5]}]


def _last_call_with_windows_opened_at(n: int, c: int, more: int, t: float) -> float:
    """E[last call] when `more` windows open at minute t (computed from the theory).

    S_m ~ Gamma(m, cμ) is when the m = n − c waiting citizens have all been called with c
    windows; if it is after t, R = m − N(t) are left at t (N Poisson(cμt)), `more` of
    them are called at t and the rest one per completion at rate (c + more)μ.
    """
    m, rate, wider = n - c, c / MEAN, (c + more) / MEAN
    before = integrate.quad(lambda s: s * stats.gamma.pdf(s, m, scale=1 / rate), 0, t)[0]
    after = 0.0
    for done in range(m):  # N(t) = done < m: R = m − done left at t
        left = m - done
        after += stats.poisson.pmf(done, rate * t) * (t + max(left - more, 0) / wider)
    return before + after


def test_opening_windows_later_shortens_it_as_predicted() -> None:
    n, c, more = 30, 3, 2
    question = Question((Change("open", (4, 5), at(10, 20), "10:20"),), REPLICATIONS, 7)
    answer = project(state(windows(c), waiting(n)), no_arrivals(Exponential(MEAN)), question)
    expected = _last_call_with_windows_opened_at(n, c, more, 20.0)
    got = answer["scenario"]["tickets"][-1]["wait_minutes"]
    # The spread is at most the slower (c windows) one's.
    sd = math.sqrt(n - c) * MEAN / c
    assert abs(got - expected) <= Z * sd / math.sqrt(REPLICATIONS), (got, expected)
    before = answer["baseline"]["tickets"][-1]["wait_minutes"]
    assert got < before


def _conditional_mean_left(dist: stats.rv_continuous, elapsed: float) -> tuple[float, float]:
    """E[S − e | S > e] and its standard deviation, by integrating the survival function."""
    survival = dist.sf(elapsed)
    first = integrate.quad(lambda x: dist.sf(x), elapsed, np.inf)[0] / survival
    second = 2 * integrate.quad(lambda x: (x - elapsed) * dist.sf(x), elapsed, np.inf)[0] / survival
    return first, math.sqrt(second - first**2)


def _served_for(minutes: float) -> SnapshotTicket:
    return SnapshotTicket("s1", "A900", "X", "general", "walk_in", False, "serving", at(9, 0),
                          first_called_at=NOW - minutes * 60, started_at=NOW - minutes * 60,
                          window=1)  # fmt: skip


def test_a_long_service_is_not_given_a_fresh_full_service_time() -> None:
    """One window, serving someone for a while; the next citizen is called when it ends."""
    service = Lognormal(10.0, 1.5)  # heavy tail: the longer it lasted, the longer it lasts
    dist = stats.lognorm(s=service.sigma, scale=math.exp(service.mu))
    for elapsed in (2.0, 30.0):
        tickets = (_served_for(elapsed), *waiting(1))
        answer = project(
            state(windows(1), tickets), no_arrivals(service), Question((), LOGNORMAL_RUNS, 8)
        )
        mean, sd = _conditional_mean_left(dist, elapsed)
        got = answer["baseline"]["tickets"][0]["wait_minutes"]
        assert abs(got - mean) <= Z * sd / math.sqrt(LOGNORMAL_RUNS) + 1 / 60, (elapsed, got, mean)
    assert mean > 2 * service.mean  # after 30 minutes, far more than a fresh mean of 10 is left


def test_a_light_tailed_service_nearly_over_leaves_little() -> None:
    service = Lognormal(10.0, 0.2)
    dist = stats.lognorm(s=service.sigma, scale=math.exp(service.mu))
    tickets = (_served_for(12.0), *waiting(1))
    answer = project(
        state(windows(1), tickets), no_arrivals(service), Question((), LOGNORMAL_RUNS, 9)
    )
    mean, sd = _conditional_mean_left(dist, 12.0)
    got = answer["baseline"]["tickets"][0]["wait_minutes"]
    assert abs(got - mean) <= Z * sd / math.sqrt(LOGNORMAL_RUNS) + 1 / 60, (got, mean)
    assert mean < service.mean / 3
