"""Service-time samplers: moments within n-derived tolerances, KS shape, scenario parsing."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from simulation import distributions as d
from simulation.errors import ScenarioError

N = 200_000
Z = 5.0  # tolerance in standard errors


def raw_moments(dist: d.ServiceTime) -> list[float]:
    """E[X^k] for k = 1..4 from each distribution's own parameters."""
    if isinstance(dist, d.Exponential):
        return [math.factorial(k) * dist.mean**k for k in range(1, 5)]
    if isinstance(dist, d.Lognormal):
        return [math.exp(k * dist.mu + k * k * dist.sigma**2 / 2) for k in range(1, 5)]
    if isinstance(dist, d.Gamma):
        a, th = dist.shape, dist.scale
        return [th**k * math.exp(math.lgamma(a + k) - math.lgamma(a)) for k in range(1, 5)]
    values = np.asarray(dist.values if isinstance(dist, d.Empirical) else [dist.mean])
    return [float(np.mean(values**k)) for k in range(1, 5)]


def check_moments(dist: d.ServiceTime, sample: np.ndarray) -> None:
    m1, m2, m3, m4 = raw_moments(dist)
    var = m2 - m1**2
    mu4 = m4 - 4 * m1 * m3 + 6 * m1**2 * m2 - 3 * m1**4  # central fourth moment
    n = sample.size
    assert m1 == pytest.approx(dist.mean)
    assert math.sqrt(var) / m1 == pytest.approx(dist.cv)
    assert sample.mean() == pytest.approx(m1, abs=Z * math.sqrt(var / n))
    assert sample.var(ddof=1) == pytest.approx(var, abs=Z * math.sqrt((mu4 - var**2) / n))


CASES: list[tuple[d.ServiceTime, object]] = [
    (d.Exponential(4.0), sps.expon(scale=4.0)),
    (
        d.Lognormal(12.0, 0.6),
        sps.lognorm(s=math.sqrt(math.log(1.36)), scale=12.0 / math.sqrt(1.36)),
    ),
    (d.Gamma(8.0, 0.5), sps.gamma(a=4.0, scale=2.0)),
    (d.Gamma(3.0, 1.5), sps.gamma(a=1 / 2.25, scale=3.0 * 2.25)),
]


@pytest.mark.parametrize(("dist", "reference"), CASES)
def test_continuous_samplers_have_the_right_moments_and_shape(
    dist: d.ServiceTime, reference: sps.rv_continuous
) -> None:
    sample = dist.sample(np.random.default_rng(2024), N)
    check_moments(dist, sample)
    assert reference.mean() == pytest.approx(dist.mean)
    assert reference.std() / reference.mean() == pytest.approx(dist.cv)
    assert sps.kstest(sample[:20_000], reference.cdf).pvalue > 1e-4


def test_deterministic() -> None:
    dist = d.Deterministic(7.5)
    assert dist.cv == 0.0
    assert np.all(dist.sample(np.random.default_rng(0), 10) == 7.5)


def test_empirical_resamples_the_given_values() -> None:
    dist = d.Empirical((2.0, 3.0, 3.0, 10.0))
    sample = dist.sample(np.random.default_rng(5), N)
    assert set(np.unique(sample)) == {2.0, 3.0, 10.0}
    check_moments(dist, sample)
    assert dist.mean == pytest.approx(4.5)
    assert dist.cv == pytest.approx(float(np.std([2.0, 3.0, 3.0, 10.0])) / 4.5)


def test_same_seed_same_sample_and_no_global_state() -> None:
    dist = d.Lognormal(5.0, 0.8)
    before = np.random.get_state(legacy=False)  # the legacy global RNG must stay untouched
    first = dist.sample(np.random.default_rng(99), 100)
    assert np.array_equal(first, dist.sample(np.random.default_rng(99), 100))
    after = np.random.get_state(legacy=False)
    assert np.array_equal(before["state"]["key"], after["state"]["key"])
    assert before["state"]["pos"] == after["state"]["pos"]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"dist": "exponential", "mean": 4}, d.Exponential(4.0)),
        ({"dist": "lognormal", "mean": 12.0, "cv": 0.6}, d.Lognormal(12.0, 0.6)),
        ({"dist": "gamma", "mean": 8.0, "cv": 0.5}, d.Gamma(8.0, 0.5)),
        ({"dist": "deterministic", "mean": 3.0}, d.Deterministic(3.0)),
        ({"dist": "empirical", "values": [1, 2.5]}, d.Empirical((1.0, 2.5))),
    ],
)
def test_parse_round_trips(spec: dict[str, object], expected: d.ServiceTime) -> None:
    dist = d.distribution_from_mapping(spec)
    assert dist == expected
    assert isinstance(dist, d.ServiceTime)
    assert d.distribution_from_mapping(dist.to_mapping()) == dist


def problems_of(spec: object) -> list[str]:
    with pytest.raises(ScenarioError) as info:
        d.distribution_from_mapping(spec, "matters[0].service")
    return [str(p) for p in info.value.problems]


def test_parse_errors_are_located_and_complete() -> None:
    assert problems_of(5.0) == [
        'matters[0].service: must be a table like { dist = "exponential", mean = 5 }'
    ]
    assert problems_of({"dist": "weibull"})[0].startswith(
        "matters[0].service.dist: must be one of exponential, lognormal"
    )
    assert problems_of({"dist": "lognormal", "mean": "x", "shape": 2}) == [
        "matters[0].service.mean: must be a number, got 'x'",
        "matters[0].service.cv: is required",
        "matters[0].service.shape: is not a parameter of lognormal",
    ]
    assert problems_of({"dist": "exponential", "mean": True}) == [
        "matters[0].service.mean: must be a number, got True"
    ]
    assert problems_of({"dist": "empirical", "values": [1, "a"]}) == [
        "matters[0].service.values: must be a non-empty list of numbers > 0"
    ]
    assert problems_of({"dist": "gamma", "mean": -1.0, "cv": 0}) == [
        "matters[0].service.mean: must be a finite number > 0, got -1",
        "matters[0].service.cv: must be a finite number > 0, got 0",
    ]
    assert problems_of({"dist": "empirical", "values": []}) == [
        "matters[0].service.values: must be a non-empty list of numbers > 0"
    ]


def test_constructors_reject_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="cv"):
        d.Lognormal(5.0, 0.0)
    with pytest.raises(ValueError, match="mean"):
        d.Exponential(math.inf)
    with pytest.raises(ValueError, match="values"):
        d.Empirical((1.0, -2.0))
