"""Every KPI of the vocabulary over a set of records: value, n, target, verdict, reason.

The definitions are those of ``queueing.kpi`` (shared with the simulator) and the names,
targets and directions those of ``queueing.vocabulary``. On a day that is not over,
waits still in progress count: a citizen waiting for 40 minutes already breaks the
average. A figure with nothing to measure is ``None`` with a reason, never 0.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from hall.analytics.ratings import Reason
from hall.analytics.records import HallInfo, Record
from hall.analytics.sessions import WindowSession
from queueing import kpi
from queueing.policy import MINUTE
from queueing.ticket import MatterClass, Source, Ticket, TicketStatus
from queueing.vocabulary import KPIS, Direction, Unit

NO_OBSERVATIONS = Reason("no_observations", "no observations in the period", "本期没有可计算的记录")
NO_SIGNED_IN_TIME = Reason(
    "no_signed_in_time", "no window was signed in during the period", "本期没有窗口登录"
)
NOT_CLOSED_YET = Reason("not_closed_yet", "the hall has not closed yet", "大厅尚未闭厅")
NO_OPENING = Reason("no_opening", "the hall was not open on these days", "本期大厅未开放")
RISK_SHARE = 0.8  # an at-most figure above 80 % of its target is at risk

WAIT_KPIS = ("appointment_wait_general", "appointment_wait_complex", "walkin_wait", "green_wait")


@dataclass(frozen=True, slots=True)
class Figure:
    """One KPI's figure over a period (``value`` None means: see ``reason``)."""

    name: str
    value: float | None
    n: int
    target: float | None = None
    met: bool | None = None
    status: str | None = None  # met / at_risk / missed (the tile's colour)
    reason: Reason | None = None
    in_progress: int = 0  # observations still running (today), counted in ``n``
    p90: float | None = None
    maximum: float | None = None
    called_after_closing: int | None = None


@dataclass(frozen=True, slots=True)
class Observations:
    """A wait KPI's values in minutes, ``in_progress`` of them still running."""

    values: Sequence[float]
    in_progress: int = 0


def target_of(name: str, info: HallInfo) -> float | None:
    """A KPI's target for this hall: the vocabulary's default, the policy's green bound."""
    if name == "green_wait":
        return info.policy.green_max_wait_minutes
    return KPIS[name].target


def status_of(name: str, value: float | None, target: float | None) -> str | None:
    """met / at_risk / missed, or None without a value, a target or a direction."""
    direction = KPIS[name].direction
    if value is None or target is None or direction is None:
        return None
    if not direction.passes(value, target):
        return "missed"
    if direction is Direction.AT_MOST:
        return "at_risk" if value > RISK_SHARE * target else "met"
    return "at_risk" if value < target + (1 - target) / 2 else "met"


def figure(name: str, value: float | None, n: int, info: HallInfo, **extra: object) -> Figure:
    """A figure with its target and verdict; rounded as the API shows it."""
    target = target_of(name, info)
    reason = extra.pop("reason", None)
    if value is None:
        return Figure(name, None, n, target, reason=reason or NO_OBSERVATIONS)  # type: ignore[arg-type]
    value = _round(name, value)
    met = None if target is None else KPIS[name].passes(value, target)
    return Figure(name, value, n, target, met, status_of(name, value, target), **extra)  # type: ignore[arg-type]


def _round(name: str, value: float) -> float:
    return round(value, 4 if KPIS[name].unit is Unit.FRACTION else 2)


def wait_observations(records: Sequence[Record], now: float) -> dict[str, Observations]:
    """The four waits: finished ones (``queueing.kpi``) then the ones still in progress."""
    tickets = [r.ticket for r in records]
    found = {
        "appointment_wait_general": kpi.appointment_waits(tickets, MatterClass.GENERAL),
        "appointment_wait_complex": kpi.appointment_waits(tickets, MatterClass.COMPLEX),
        "walkin_wait": kpi.walk_in_waits(tickets),
        "green_wait": kpi.green_waits(tickets),
    }
    running: dict[str, list[float]] = {name: [] for name in found}
    for record in records:
        waited = _waiting_for(record, now)
        if waited is not None:
            running[waited[0]].append(waited[1])
    return {name: Observations(found[name] + running[name], len(running[name])) for name in found}


def _waiting_for(record: Record, now: float) -> tuple[str, float] | None:
    """(KPI, minutes so far) of a ticket still waiting for its first call today."""
    t = record.ticket
    if not record.open or t.status is not TicketStatus.WAITING or t.first_called_at is not None:
        return None
    if t.green:
        joined = t.issued_at if t.checked_in_at is None else t.checked_in_at
        return "green_wait", (now - joined) / MINUTE
    if t.source is Source.WALK_IN:
        return "walkin_wait", (now - t.issued_at) / MINUTE
    if t.checked_in_at is None or t.due_at is None:
        return None
    since = max(t.checked_in_at, t.due_at)
    if since > now:  # checked in early: the slot has not begun, nobody is late yet
        return None
    name = f"appointment_wait_{t.matter_class.value}"
    return name, (now - since) / MINUTE


def wait_figure(name: str, observed: Observations, info: HallInfo) -> Figure:
    summary = kpi.summarise(observed.values)
    if summary is None:
        return figure(name, None, 0, info)
    extra: dict[str, object] = {"in_progress": observed.in_progress}
    if len(KPIS[name].statistics) > 1:
        extra.update(p90=round(summary.p90, 2), maximum=round(summary.maximum, 2))
    return figure(name, summary.mean, summary.count, info, **extra)


def served_tickets(records: Sequence[Record], now: float) -> list[Ticket]:
    """Tickets with service time: finished ones, and today's services so far."""
    busy = []
    for r in records:
        t = r.ticket
        if t.started_at is None or t.window is None:
            continue
        if t.finished_at is not None:
            busy.append(t)
        elif r.open and t.status is TicketStatus.SERVING:
            busy.append(replace(t, finished_at=max(now, t.started_at)))
    return busy


def session_serving(busy: Sequence[Ticket], sessions: Sequence[WindowSession]) -> list[float]:
    """Serving seconds inside each session: the overlap of every service (start to finish)
    at the session's window with the session, as ``queueing.kpi.window_utilisation``
    measures it (a test holds the two equal), found by bisection instead of by pairs."""
    spans: dict[int, list[tuple[float, float]]] = {}
    for t in busy:
        if t.window is not None and t.started_at is not None and t.finished_at is not None:
            spans.setdefault(t.window, []).append((t.started_at, t.finished_at))
    longest: dict[int, float] = {}
    for window, found in spans.items():
        found.sort()
        longest[window] = max(b - a for a, b in found)
    starts = {window: [a for a, _ in found] for window, found in spans.items()}
    serving = []
    for s in sessions:
        found = spans.get(s.window, [])
        index = bisect.bisect_left(starts.get(s.window, []), s.start - longest.get(s.window, 0.0))
        total = 0.0
        while index < len(found) and found[index][0] < s.end:
            a, b = found[index]
            total += max(0.0, min(b, s.end) - max(a, s.start))
            index += 1
        serving.append(total)
    return serving


@dataclass(frozen=True, slots=True)
class Workload:
    """The services with their times (``served_tickets``) and the serving seconds inside
    each session, worked out once for the figures and the tables."""

    busy: list[Ticket]
    serving: list[float]  # per session, in the sessions' order


def workload(records: Sequence[Record], sessions: Sequence[WindowSession], now: float) -> Workload:
    busy = served_tickets(records, now)
    return Workload(busy, session_serving(busy, sessions))


def overtime_parts(
    records: Sequence[Record], days: Sequence[date], now: float, info: HallInfo
) -> tuple[list[float], int, bool, int]:
    """Per closed opening day of ``days`` with tickets, the minutes from closing to the
    last service end; the citizens first called after closing; whether an opening day
    has not closed yet; how many closed opening days had no ticket (nothing observed)."""
    by_day: dict[date, list[Record]] = {}
    for r in records:
        by_day.setdefault(r.day, []).append(r)
    minutes, late_calls, not_closed, idle_days = [], 0, False, 0
    for day in days:
        closing = info.closing(day)
        if closing is None:
            continue
        if now < closing:
            not_closed = True
            continue
        day_records = by_day.get(day, [])
        if not day_records:
            idle_days += 1
            continue
        ends = [t.finished_at for t in served_tickets(day_records, now) if t.finished_at]
        minutes.append(max(0.0, (max(ends, default=closing) - closing) / MINUTE))
        late_calls += called_after(day_records, closing)
    return minutes, late_calls, not_closed, idle_days


def overtime_figure(
    minutes: Sequence[float], late_calls: int, not_closed: bool, idle_days: int, info: HallInfo
) -> Figure:
    """Mean over the period's closed opening days with tickets of minutes from closing to
    the last service end (``overtime_parts``)."""
    if not minutes:
        reason = NOT_CLOSED_YET if not_closed else NO_OBSERVATIONS if idle_days else NO_OPENING
        return figure("overtime", None, 0, info, reason=reason)
    mean = sum(minutes) / len(minutes)
    return figure("overtime", mean, len(minutes), info, called_after_closing=late_calls)


def called_after(records: Sequence[Record], closing: float) -> int:
    """Citizens first called after closing."""
    return kpi.called_after_closing([r.ticket for r in records], closing)
