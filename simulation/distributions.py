"""Service-time distributions sampled from an explicitly seeded numpy `Generator`.

Scenario files write them as inline tables, e.g. `{ dist = "lognormal", mean = 12.0, cv = 0.6 }`.
All times are minutes. There is no global random state: every sampler takes the generator.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from simulation.errors import InvalidInputError, Problem, ScenarioError

__all__ = [
    "DISTRIBUTIONS",
    "Deterministic",
    "Empirical",
    "Exponential",
    "Gamma",
    "Lognormal",
    "ServiceTime",
    "distribution_from_mapping",
]

FloatArray = NDArray[np.float64]


@runtime_checkable
class ServiceTime(Protocol):
    """A positive service-time distribution with known mean and coefficient of variation."""

    @property
    def mean(self) -> float: ...

    @property
    def cv(self) -> float: ...

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray: ...

    def to_mapping(self) -> dict[str, Any]: ...


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInputError(message)


def _positive(name: str, value: float) -> None:
    _require(math.isfinite(value) and value > 0, f"{name} must be a finite number > 0.")


@dataclass(frozen=True)
class Exponential:
    """Exponential service time with the given mean (cv = 1)."""

    mean: float

    def __post_init__(self) -> None:
        _positive("mean", self.mean)

    @property
    def cv(self) -> float:
        return 1.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.exponential(self.mean, size)

    def to_mapping(self) -> dict[str, Any]:
        return {"dist": "exponential", "mean": self.mean}


@dataclass(frozen=True)
class Lognormal:
    """Lognormal service time parametrised by its own mean and coefficient of variation."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _positive("mean", self.mean)
        _positive("cv", self.cv)

    @property
    def sigma(self) -> float:
        """The log-scale standard deviation σ = √ln(1 + cv²)."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mu(self) -> float:
        """The log-scale mean μ = ln(mean) − σ²/2."""
        return math.log(self.mean) - self.sigma**2 / 2.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.lognormal(self.mu, self.sigma, size)

    def to_mapping(self) -> dict[str, Any]:
        return {"dist": "lognormal", "mean": self.mean, "cv": self.cv}


@dataclass(frozen=True)
class Gamma:
    """Gamma service time parametrised by mean and cv (shape 1/cv², scale mean·cv²)."""

    mean: float
    cv: float

    def __post_init__(self) -> None:
        _positive("mean", self.mean)
        _positive("cv", self.cv)

    @property
    def shape(self) -> float:
        return 1.0 / self.cv**2

    @property
    def scale(self) -> float:
        return self.mean * self.cv**2

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.gamma(self.shape, self.scale, size)

    def to_mapping(self) -> dict[str, Any]:
        return {"dist": "gamma", "mean": self.mean, "cv": self.cv}


@dataclass(frozen=True)
class Deterministic:
    """Every service takes exactly `mean` minutes."""

    mean: float

    def __post_init__(self) -> None:
        _positive("mean", self.mean)

    @property
    def cv(self) -> float:
        return 0.0

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return np.full(size, self.mean, dtype=np.float64)

    def to_mapping(self) -> dict[str, Any]:
        return {"dist": "deterministic", "mean": self.mean}


@dataclass(frozen=True)
class Empirical:
    """Resamples observed service times uniformly with replacement (bootstrap)."""

    values: tuple[float, ...]

    def __post_init__(self) -> None:
        _require(len(self.values) > 0, "values must hold at least one service time.")
        _require(
            all(math.isfinite(v) and v > 0 for v in self.values),
            "values must all be finite numbers > 0.",
        )

    @property
    def mean(self) -> float:
        return math.fsum(self.values) / len(self.values)

    @property
    def cv(self) -> float:
        return float(np.std(self.values)) / self.mean

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        return rng.choice(np.asarray(self.values, dtype=np.float64), size=size, replace=True)

    def to_mapping(self) -> dict[str, Any]:
        return {"dist": "empirical", "values": list(self.values)}


DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "exponential": ("mean",),
    "lognormal": ("mean", "cv"),
    "gamma": ("mean", "cv"),
    "deterministic": ("mean",),
    "empirical": ("values",),
}


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _collect(
    spec: Mapping[str, Any], path: str, keys: Sequence[str]
) -> tuple[dict[str, Any], list[Problem]]:
    problems: list[Problem] = []
    found: dict[str, Any] = {}
    for key in keys:
        if key not in spec:
            problems.append(Problem(f"{path}.{key}", "is required"))
        elif key == "values":
            raw = spec[key]
            numbers = [_number(v) for v in raw] if isinstance(raw, list) else [None]
            if not isinstance(raw, list) or not raw or any(v is None or v <= 0 for v in numbers):
                problems.append(
                    Problem(f"{path}.values", "must be a non-empty list of numbers > 0")
                )
            else:
                found[key] = tuple(v for v in numbers if v is not None)
        elif (number := _number(spec[key])) is None:
            problems.append(Problem(f"{path}.{key}", f"must be a number, got {spec[key]!r}"))
        elif not (math.isfinite(number) and number > 0):
            problems.append(
                Problem(f"{path}.{key}", f"must be a finite number > 0, got {number:g}")
            )
        else:
            found[key] = number
    for key in spec:
        if key != "dist" and key not in keys:
            problems.append(Problem(f"{path}.{key}", f"is not a parameter of {spec['dist']}"))
    return found, problems


def _build(name: str, params: dict[str, Any]) -> ServiceTime:
    if name == "exponential":
        return Exponential(params["mean"])
    if name == "lognormal":
        return Lognormal(params["mean"], params["cv"])
    if name == "gamma":
        return Gamma(params["mean"], params["cv"])
    if name == "deterministic":
        return Deterministic(params["mean"])
    return Empirical(params["values"])


def distribution_from_mapping(spec: object, path: str = "service") -> ServiceTime:
    """Build a service-time distribution from its scenario form `{ dist = "...", ... }`.

    Raises ScenarioError listing every problem, each located at `path`.
    """
    if not isinstance(spec, Mapping):
        raise ScenarioError(
            [Problem(path, 'must be a table like { dist = "exponential", mean = 5 }')]
        )
    name = spec.get("dist")
    if name not in DISTRIBUTIONS:
        choices = ", ".join(DISTRIBUTIONS)
        raise ScenarioError([Problem(f"{path}.dist", f"must be one of {choices}; got {name!r}")])
    params, problems = _collect(spec, path, DISTRIBUTIONS[str(name)])
    if problems:
        raise ScenarioError(problems)
    try:
        return _build(str(name), params)
    except InvalidInputError as error:
        raise ScenarioError([Problem(path, str(error))]) from error
