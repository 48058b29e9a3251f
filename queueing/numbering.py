"""Ticket numbers: a prefix per matter group or source, a sequence per hall, prefix and day."""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from queueing.errors import NumberingError
from queueing.ticket import Source

_PREFIX = re.compile(r"[A-Z]{1,3}")
DEFAULT_WIDTH = 3


@dataclass(frozen=True, slots=True)
class DayCounters:
    """The last sequence issued per prefix on one service day, for one hall."""

    service_day: datetime.date
    last: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))


def ticket_prefix(group_prefix: str, source: Source, appointment_prefix: str | None = None) -> str:
    """Pick the prefix: the appointment prefix for appointments if the hall set one.

    Raises NumberingError if the chosen prefix is not one to three capital letters A–Z.
    """
    chosen = group_prefix
    if source is Source.APPOINTMENT and appointment_prefix:
        chosen = appointment_prefix
    _check_prefix(chosen)
    return chosen


def format_number(prefix: str, sequence: int, width: int = DEFAULT_WIDTH) -> str:
    """Format a number such as A001; a day past 999 widens to A1000 rather than wrapping.

    Raises NumberingError for a bad prefix or a sequence below 1.
    """
    _check_prefix(prefix)
    if sequence < 1:
        raise NumberingError(f"Cannot number {prefix}{sequence}: sequences start at 1.")
    return f"{prefix}{sequence:0{width}d}"


def next_number(
    counters: DayCounters | None,
    prefix: str,
    service_day: datetime.date,
    width: int = DEFAULT_WIDTH,
) -> tuple[str, DayCounters]:
    """Issue the next number for a prefix on the hall's local service day.

    A new day starts every prefix at 1; a day earlier than the counters' raises
    NumberingError, as does a bad prefix.
    """
    if counters is None or service_day > counters.service_day:
        counters = DayCounters(service_day)
    elif service_day < counters.service_day:
        raise NumberingError(
            f"Cannot number a {prefix} ticket for {service_day}: "
            f"numbers were already issued for {counters.service_day}."
        )
    sequence = counters.last.get(prefix, 0) + 1
    number = format_number(prefix, sequence, width)
    last = MappingProxyType({**counters.last, prefix: sequence})
    return number, DayCounters(service_day, last)


def _check_prefix(prefix: str) -> None:
    if not _PREFIX.fullmatch(prefix):
        raise NumberingError(
            f"Cannot use ticket prefix {prefix!r}: it must be one to three capital letters A-Z."
        )
