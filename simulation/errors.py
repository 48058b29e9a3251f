"""The simulator's exception tree: every error it raises is a `SimulationError`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class SimulationError(Exception):
    """Base class of every error raised by the simulation package."""


class InvalidInputError(SimulationError, ValueError):
    """A formula or sampler was given a parameter outside its domain."""


class UnstableQueueError(InvalidInputError):
    """The offered load reaches or exceeds the capacity, so no steady state exists."""


class ExecutorError(SimulationError):
    """An executor could not be set up or reached (a bad address, a missing extra)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where (a dotted key path) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class ScenarioError(SimulationError):
    """A scenario file could not be read or failed validation; carries every problem found."""

    def __init__(self, problems: Iterable[Problem], source: str = "<scenario>") -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.source = source
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        """Return the problems as `file: key.path: message` lines."""
        return [f"{self.source}: {problem}" for problem in self.problems]


class RecordsError(ScenarioError):
    """A ticket records file could not be read or holds rows calibration cannot use."""


class CalibrationError(SimulationError):
    """The records cannot support a calibration (too few days, no arrivals of the day type)."""
