"""KPI computations for the whole project (dashboard and simulator), in minutes and shares.

The names, units, labels and default targets are in `queueing.vocabulary`; these functions
compute the values.

Every function takes ticket records (`Ticket`, in any state) and returns None, never a
made-up zero, when there is nothing to measure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from queueing.policy import MINUTE
from queueing.ticket import MatterClass, Outcome, Source, Ticket, TicketStatus

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Summary:
    """Count, mean, 90th percentile (nearest rank) and maximum of some observations."""

    count: int
    mean: float
    p90: float
    maximum: float


def summarise(values: Iterable[float]) -> Summary | None:
    """Summarise observations, or return None if there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = math.ceil(0.9 * len(ordered))
    return Summary(len(ordered), sum(ordered) / len(ordered), ordered[rank - 1], ordered[-1])


def mean(values: Iterable[float]) -> float | None:
    """Return the mean, or None if there are no observations."""
    summary = summarise(values)
    return None if summary is None else summary.mean


def appointment_waits(
    records: Iterable[Ticket], matter_class: MatterClass | None = None
) -> list[float]:
    """Minutes from max(check-in, slot start) to first call, per called appointment."""
    waits = []
    for t in records:
        if t.source is not Source.APPOINTMENT or t.first_called_at is None:
            continue
        if matter_class is not None and t.matter_class is not matter_class:
            continue
        if t.checked_in_at is None or t.due_at is None:
            continue
        waits.append(max(0.0, t.first_called_at - max(t.checked_in_at, t.due_at)) / MINUTE)
    return waits


def appointment_wait_by_class(records: Iterable[Ticket]) -> dict[MatterClass, Summary | None]:
    """Summarise appointment waits per matter class (targets: general 10, complex 30 min)."""
    listed = list(records)
    return {c: summarise(appointment_waits(listed, c)) for c in MatterClass}


def walk_in_waits(records: Iterable[Ticket]) -> list[float]:
    """Minutes from taking the ticket to its first call, per called walk-in outside the green
    channel (green tickets have their own KPI, `green_waits`)."""
    return [
        (t.first_called_at - t.issued_at) / MINUTE
        for t in records
        if t.source is Source.WALK_IN and not t.green and t.first_called_at is not None
    ]


def green_waits(records: Iterable[Ticket]) -> list[float]:
    """Minutes from joining the queue (check-in, else issue) to the first call, per called
    green-channel ticket."""
    waits = []
    for t in records:
        if not t.green or t.first_called_at is None:
            continue
        joined = t.issued_at if t.checked_in_at is None else t.checked_in_at
        waits.append((t.first_called_at - joined) / MINUTE)
    return waits


def overtime(records: Iterable[Ticket], closing: float) -> float:
    """Minutes from `closing` to the last service end, 0 if every service ended by then."""
    ends = [t.finished_at for t in records if t.finished_at is not None]
    return max(0.0, (max(ends, default=closing) - closing) / MINUTE)


def called_after_closing(records: Iterable[Ticket], closing: float) -> int:
    """How many tickets were first called after `closing`."""
    return sum(1 for t in records if t.first_called_at is not None and t.first_called_at > closing)


def handling_times(records: Iterable[Ticket]) -> list[float]:
    """Minutes from service start to finish, per finished ticket."""
    return [
        (t.finished_at - t.started_at) / MINUTE
        for t in records
        if t.status is TicketStatus.FINISHED
        and t.started_at is not None
        and t.finished_at is not None
    ]


@dataclass(frozen=True, slots=True)
class Share:
    """``hits`` out of ``of`` observations; shares of parts of a period add up exactly."""

    hits: int
    of: int

    def __add__(self, other: Share) -> Share:
        return Share(self.hits + other.hits, self.of + other.of)

    @property
    def value(self) -> float | None:
        """The share, or None if there are no observations."""
        return self.hits / self.of if self.of else None


def first_visits(records: Iterable[Ticket]) -> Share:
    """Finished first-visit tickets completed, out of all finished first-visit tickets."""
    outcomes = [t.outcome for t in records if t.status is TicketStatus.FINISHED and t.first_visit]
    return Share(sum(o is Outcome.COMPLETED for o in outcomes), len(outcomes))


def first_visit_success_rate(records: Iterable[Ticket]) -> float | None:
    """Share of finished first-visit tickets whose outcome is completed (target ≥ 0.9)."""
    return first_visits(records).value


def no_shows(records: Iterable[Ticket]) -> Share:
    """Tickets ended as no-shows, out of the tickets called at least once."""
    called = [t for t in records if t.first_called_at is not None]
    return Share(sum(t.status is TicketStatus.NO_SHOW for t in called), len(called))


def no_show_rate(records: Iterable[Ticket]) -> float | None:
    """Share of called tickets (called at least once) that ended as no-shows."""
    return no_shows(records).value


def window_utilisation(
    records: Iterable[Ticket], open_intervals: Mapping[int, Sequence[Interval]]
) -> dict[int, float | None]:
    """Share of each window's open time spent serving (start to finish), per window.

    `open_intervals` maps a window to its (open, close) intervals, which must not overlap;
    a window with no open time gets None. Raises nothing.
    """
    busy: dict[int, list[Interval]] = {}
    for t in records:
        if t.window is None or t.started_at is None or t.finished_at is None:
            continue
        busy.setdefault(t.window, []).append((t.started_at, t.finished_at))
    result: dict[int, float | None] = {}
    for window, intervals in open_intervals.items():
        open_time = sum(max(0.0, close - start) for start, close in intervals)
        if open_time <= 0:
            result[window] = None
            continue
        served = sum(_overlap(s, intervals) for s in busy.get(window, []))
        result[window] = served / open_time
    return result


def _overlap(span: Interval, intervals: Sequence[Interval]) -> float:
    start, end = span
    return sum(max(0.0, min(end, close) - max(start, opened)) for opened, close in intervals)
