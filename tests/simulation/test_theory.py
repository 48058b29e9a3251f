"""Closed forms against published values and against independent computations written here."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats as sps

from simulation import theory as th
from simulation.errors import InvalidInputError, SimulationError, UnstableQueueError

# ---------------------------------------------------------------- independent references


def mmc_distribution(servers: int, load: float, n_max: int) -> np.ndarray:
    """Stationary M/M/c probabilities p_0..p_{n_max} by direct (log-space) summation."""
    logs = []
    for n in range(n_max + 1):
        if n <= servers:
            logs.append(n * math.log(load) - math.lgamma(n + 1) if load > 0 else -math.inf)
        else:
            logs.append(logs[servers] + (n - servers) * math.log(load / servers))
    weights = np.exp(np.array(logs) - max(logs))
    return weights / weights.sum()


def exact_erlang_c(servers: int, load: Fraction) -> Fraction:
    """Erlang C with exact rational arithmetic from the textbook sum."""
    tail = load**servers / math.factorial(servers) * servers / (servers - load)
    head = sum(load**k / math.factorial(k) for k in range(servers))
    return tail / (head + tail)


# ---------------------------------------------------------------- published values


def test_published_call_centre_example() -> None:
    # 100 calls per 30 minutes, 3-minute handling, 14 agents (the classic Erlang C worked example).
    lam, s = 100 / 30, 3.0
    assert th.offered_load(lam, s) == pytest.approx(10.0)
    assert th.erlang_c(14, 10.0) == pytest.approx(0.1741, abs=5e-5)
    assert th.service_level(14, lam, s, 20 / 60) == pytest.approx(0.8884, abs=5e-5)
    assert th.mean_wait(14, lam, s) * 60 == pytest.approx(7.8, abs=0.05)  # ASA in seconds
    assert th.occupancy(14, 10.0) == pytest.approx(10 / 14)


@pytest.mark.parametrize(
    ("servers", "load", "published"),
    [(10, 5.0, 0.0184), (10, 10.0, 0.2146), (5, 2.0, 0.0367), (1, 1.0, 0.5)],
)
def test_erlang_b_matches_published_tables(servers: int, load: float, published: float) -> None:
    assert th.erlang_b(servers, load) == pytest.approx(published, abs=5e-5)


# ---------------------------------------------------------------- exact cross-checks


@pytest.mark.parametrize("servers", [1, 2, 5, 14, 20, 50])
@pytest.mark.parametrize("rho", [Fraction(3, 10), Fraction(7, 10), Fraction(19, 20)])
def test_erlang_c_equals_exact_rational_sum(servers: int, rho: Fraction) -> None:
    load = rho * servers
    assert th.erlang_c(servers, float(load)) == pytest.approx(
        float(exact_erlang_c(servers, load)), rel=1e-12
    )


def test_erlang_b_recursion_equals_closed_form() -> None:
    for servers in (0, 1, 3, 12, 40):
        load = Fraction(37, 4)
        terms = [load**k / math.factorial(k) for k in range(servers + 1)]
        assert th.erlang_b(servers, float(load)) == pytest.approx(float(terms[-1] / sum(terms)))


@pytest.mark.parametrize(
    ("servers", "lam", "s"), [(1, 0.5, 1.0), (4, 3.0, 1.0), (20, 250 / 60, 4.0)]
)
def test_mean_wait_and_tail_equal_stationary_distribution(
    servers: int, lam: float, s: float
) -> None:
    load = lam * s
    p = mmc_distribution(servers, load, n_max=4000)
    n = np.arange(p.size)
    assert th.erlang_c(servers, load) == pytest.approx(p[servers:].sum(), abs=1e-9)
    queue = float(((n - servers).clip(min=0) * p).sum())
    assert th.mean_wait(servers, lam, s) == pytest.approx(queue / lam, rel=1e-9)  # Little
    # FCFS: an arrival finding n ≥ c waits for n − c + 1 departures at rate c/s.
    for t in (0.0, 0.3, 2.0):
        tail = sum(
            p[k] * sps.gamma.sf(t, k - servers + 1, scale=s / servers) for k in range(servers, 4000)
        )
        assert th.prob_wait_exceeds(servers, lam, s, t) == pytest.approx(tail, abs=1e-9)


def test_mm1_closed_forms() -> None:
    lam, s = 0.8, 1.0
    assert th.erlang_c(1, 0.8) == pytest.approx(0.8)
    assert th.mean_wait(1, lam, s) == pytest.approx(0.8 / (1.0 - 0.8))


def test_zero_load() -> None:
    assert th.erlang_c(3, 0.0) == 0.0
    assert th.mean_wait(3, 0.0, 5.0) == 0.0
    assert th.min_servers(0.0, 5.0, th.MeanWaitTarget(1.0)) == 0


# ---------------------------------------------------------------- staffing


@pytest.mark.parametrize(
    "target",
    [th.MeanWaitTarget(0.5), th.MeanWaitTarget(3.0), th.ServiceLevelTarget(20 / 60, 0.8)],
)
@pytest.mark.parametrize("lam", [100 / 30, 250 / 60, 0.05])
def test_min_servers_is_smallest_that_meets(target: th.StaffingTarget, lam: float) -> None:
    s = 3.0
    c = th.min_servers(lam, s, target)
    brute = next(k for k in range(1, 500) if th.meets_target(k, lam, s, target))
    assert c == brute
    assert th.meets_target(c, lam, s, target)
    assert c == 1 or not th.meets_target(c - 1, lam, s, target)


def test_min_servers_published_example() -> None:
    # 14 agents reach 88.84 % in 20 s, so at most 14 are needed for 80/20.
    c = th.min_servers(100 / 30, 3.0, th.ServiceLevelTarget(20 / 60, 0.8))
    assert c <= 14
    assert th.service_level(c - 1, 100 / 30, 3.0, 20 / 60) < 0.8


def test_meets_target_is_false_when_unstable() -> None:
    assert not th.meets_target(2, 1.0, 3.0, th.MeanWaitTarget(100.0))


def test_square_root_staffing() -> None:
    assert th.square_root_staffing(100.0, 1.0) == 110
    assert th.square_root_staffing(100.0, 0.5) == 105
    assert th.square_root_staffing(10.0, 0.0) == 10
    assert th.square_root_staffing(4.0, -5.0) == 0


def test_halfin_whitt_inverse_and_limit() -> None:
    for alpha in (0.05, 0.2, 0.5, 0.9):
        assert th.halfin_whitt_prob_wait(th.halfin_whitt_beta(alpha)) == pytest.approx(alpha)
    # c = a + β√a with a large: Erlang C tends to α(β) (error O(1/√a)).
    a, beta = 10_000.0, 1.0
    c = th.square_root_staffing(a, beta)
    assert th.erlang_c(c, a) == pytest.approx(th.halfin_whitt_prob_wait(beta), abs=0.01)


# ---------------------------------------------------------------- Erlang A


@pytest.mark.parametrize(("servers", "load"), [(1, 0.5), (5, 4.0), (14, 10.0), (10, 15.0)])
def test_erlang_a_with_patience_equal_service_is_poisson(servers: int, load: float) -> None:
    s = 2.0
    result = th.erlang_a(servers, load / s, s, mean_patience=s)
    pois = sps.poisson(load)
    n = np.arange(0, 400)
    assert result.prob_wait == pytest.approx(pois.sf(servers - 1), abs=1e-9)
    queue = float(((n - servers).clip(min=0) * pois.pmf(n)).sum())
    assert result.mean_queue_length == pytest.approx(queue, abs=1e-9)
    assert result.prob_abandon == pytest.approx(queue / load, abs=1e-9)  # θLq/λ with θ = μ


def test_erlang_a_equals_generator_matrix_solution() -> None:
    servers, lam, s, patience, n_max = 3, 4.0, 1.0, 0.5, 120
    q = np.zeros((n_max + 1, n_max + 1))
    for n in range(n_max + 1):
        if n < n_max:
            q[n, n + 1] = lam
        if n > 0:
            q[n, n - 1] = min(n, servers) / s + max(n - servers, 0) / patience
        q[n, n] = -q[n].sum()
    a = np.vstack([q.T, np.ones(n_max + 1)])
    b = np.zeros(n_max + 2)
    b[-1] = 1.0
    p = np.linalg.lstsq(a, b, rcond=None)[0]
    result = th.erlang_a(servers, lam, s, patience)
    n = np.arange(n_max + 1)
    assert result.prob_wait == pytest.approx(p[servers:].sum(), abs=1e-9)
    throughput = float((np.minimum(n, servers) / s * p).sum())
    assert lam * (1 - result.prob_abandon) == pytest.approx(throughput, rel=1e-9)
    assert result.occupancy == pytest.approx(throughput * s / servers, rel=1e-9)


def test_erlang_a_approaches_erlang_c_without_abandonment() -> None:
    lam, s = 100 / 30, 3.0
    result = th.erlang_a(14, lam, s, mean_patience=1e7)
    assert result.prob_abandon < 1e-6
    assert result.prob_wait == pytest.approx(th.erlang_c(14, 10.0), rel=1e-5)
    assert result.mean_wait == pytest.approx(th.mean_wait(14, lam, s), rel=1e-5)


def test_garnett_approximation() -> None:
    # θ = μ: the approximation reduces to the normal tail 1 − Φ(β).
    assert th.garnett_prob_wait(0.7, 2.0, 2.0) == pytest.approx(sps.norm.sf(0.7))
    a, beta, s, patience = 400.0, 0.3, 1.0, 2.0
    c = th.square_root_staffing(a, beta)
    exact = th.erlang_a(c, a / s, s, patience).prob_wait
    real_beta = (c - a) / math.sqrt(a)
    assert th.garnett_prob_wait(real_beta, s, patience) == pytest.approx(exact, abs=0.02)


# ---------------------------------------------------------------- other approximations


def test_allen_cunneen_reduces_to_erlang_c_and_pollaczek_khinchine() -> None:
    assert th.allen_cunneen_wait(14, 100 / 30, 3.0, 1.0, 1.0) == pytest.approx(
        th.mean_wait(14, 100 / 30, 3.0)
    )
    lam, s, cs = 0.7, 1.0, 0.5
    pk = lam * (1 + cs**2) * s**2 / (2 * (1 - lam * s))
    assert th.allen_cunneen_wait(1, lam, s, 1.0, cs) == pytest.approx(pk)


def test_priority_waits_conserve_work() -> None:
    rates, s, servers = [0.5, 1.0, 2.0], 2.0, 9
    waits = th.priority_mean_waits(servers, rates, s)
    fcfs = th.mean_wait(servers, sum(rates), s)
    assert sum(r * w for r, w in zip(rates, waits, strict=True)) == pytest.approx(sum(rates) * fcfs)
    assert waits == sorted(waits)
    assert th.priority_mean_waits(servers, [3.5], s) == [pytest.approx(fcfs)]


# ---------------------------------------------------------------- time-varying staffing


def test_sipp_staffs_each_period_at_its_own_rate() -> None:
    rates, s = [60.0, 240.0, 0.0, 120.0], 5.0
    target = th.MeanWaitTarget(1.0)
    plan = th.staffing_by_period(rates, s, target)
    assert [p.servers for p in plan] == [th.min_servers(r / 60, s, target) for r in rates]
    assert [p.start_minute for p in plan] == [0.0, 60.0, 120.0, 180.0]
    assert plan[2].servers == 0


def test_lagged_sipp_shifts_the_profile_by_one_service_time() -> None:
    rates, s = [120.0, 120.0, 240.0], 15.0
    plan = th.staffing_by_period(rates, s, th.MeanWaitTarget(1.0), lagged=True)
    expected = [120.0 * 45 / 60, 120.0, (120.0 * 15 + 240.0 * 45) / 60]
    assert [p.rate_per_hour for p in plan] == pytest.approx(expected)
    assert [p.load for p in plan] == pytest.approx([r / 60 * s for r in expected])


# ---------------------------------------------------------------- errors


def test_unstable_and_invalid_input_raise_value_error() -> None:
    with pytest.raises(UnstableQueueError, match="more than 10 servers"):
        th.erlang_c(10, 10.0)
    with pytest.raises(ValueError, match="servers"):
        th.erlang_c(0, 1.0)
    with pytest.raises(ValueError, match="mean_service"):
        th.mean_wait(3, 1.0, 0.0)
    with pytest.raises(ValueError, match="load"):
        th.erlang_b(3, -1.0)
    with pytest.raises(ValueError, match="share"):
        th.min_servers(1.0, 1.0, th.ServiceLevelTarget(0.1, 1.0))
    with pytest.raises(ValueError, match="t must"):
        th.prob_wait_exceeds(3, 1.0, 1.0, -1.0)
    with pytest.raises(ValueError, match="prob_wait"):
        th.halfin_whitt_beta(1.0)
    with pytest.raises(ValueError, match="mean_patience"):
        th.erlang_a(3, 1.0, 1.0, math.inf)
    with pytest.raises(SimulationError):
        th.occupancy(2, 3.0)
    assert issubclass(InvalidInputError, ValueError)
    with pytest.raises(ValueError, match="servers"):
        th.erlang_b(True, 1.0)  # type: ignore[arg-type]
