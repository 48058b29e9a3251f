"""What a calibration reads and what it fitted: shared by the calibration, its writer,
its report and the live what-if."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from hall.catalogue.schema import Hall
from queueing import MatterClass
from simulation.calibration.arrivals import HourFit
from simulation.calibration.book import Book, Mix
from simulation.calibration.days import DayType, Opening
from simulation.calibration.fitting import ServiceFit
from simulation.calibration.records import Records
from simulation.calibration.roster import OpenSpan, WindowFit
from simulation.calibration.times import EPOCH_ORDINAL
from simulation.scenario_model import Scenario


@dataclass(frozen=True)
class CalibrationInput:
    """What a calibration reads: the records, the sessions (None: infer) and the hall."""

    records: Records
    sessions: Sequence[OpenSpan] | None
    hall: Hall | None
    source: str


@dataclass(frozen=True)
class MatterFit:
    """One matter of the scenario: its service fit (None: no service observed) and mix."""

    code: str
    name: str
    matter_class: MatterClass
    service: ServiceFit | None
    fallback: str  # how the service time was set when nothing was observed
    fallback_mean: float


@dataclass(frozen=True)
class Calibration:
    """Everything fitted, the scenario text written and the scenario read back from it."""

    source: str
    hall: str
    day_type: DayType
    training: list[int]
    held_out: list[int]
    opening: Opening
    hours: list[HourFit]
    rounding: float
    matters: list[MatterFit]
    mix: Mix
    book: Book
    roster: list[WindowFit]
    roster_source: str
    policy: dict[str, Any]
    seed: int
    name: str
    text: str
    scenario: Scenario


def day_text(day: int) -> str:
    """A day number (since 1970-01-01) as YYYY-MM-DD."""
    return date.fromordinal(day + EPOCH_ORDINAL).isoformat()
