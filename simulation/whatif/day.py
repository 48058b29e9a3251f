"""Today as the simulator sees it: the hall's snapshot turned into a day model picked up now.

Times are seconds after today's opening (the first opening period's start), the engine's
unit. Today's tickets fall into three groups: those whose part is over or known (called
before now: finished, no-shows) keep their recorded times; those at a window (called or
being served) keep their call and need a remaining service time; those waiting join the
simulated queue with their ages and classes. The roster of the rest of the day: a window
open now stays open through today's remaining opening periods (and serves until the queue
is empty at closing, as the live hall does); a paused or closed window stays closed; each
change opens windows from its time through the remaining periods, or closes them then.
Parked tickets (waiting for materials) and tickets never called that left are not part of
the queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from hall.analytics.snapshot import HallSnapshot, SnapshotTicket
from queueing import MatterClass, WindowKind
from simulation.arrivals import AppointmentBook
from simulation.engine import Model, compile_model
from simulation.errors import InvalidInputError
from simulation.scenario_model import Interval, Matter, RunSettings, Scenario, Targets, WindowGroup
from simulation.whatif.changes import Change
from simulation.whatif.profile import Profile

__all__ = ["Day", "Rows", "build_day", "day_scenario", "minute_of_day", "roster"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
DONE = {"finished", "no_show"}
AT_WINDOW = {"called", "serving"}


def _arrived(t: SnapshotTicket) -> float:
    """When a ticket joined the queue: its check-in for an appointment, else its issue."""
    return t.checked_in_at if t.source == "appointment" and t.checked_in_at else t.issued_at


@dataclass(frozen=True)
class Rows:
    """Citizens as arrays: arrival and slot (seconds after opening; slot NaN for walk-ins)."""

    time: FloatArray
    matter: IntArray
    appointment: BoolArray
    green: BoolArray
    due: FloatArray

    @staticmethod
    def of(tickets: Sequence[SnapshotTicket], index: dict[str, int], origin: float) -> Rows:
        def arrived(t: SnapshotTicket) -> float:
            return _arrived(t) - origin

        booked = [t.source == "appointment" for t in tickets]
        return Rows(
            time=np.asarray([arrived(t) for t in tickets], dtype=np.float64),
            matter=np.asarray([index[t.matter] for t in tickets], dtype=np.int64),
            appointment=np.asarray(booked, dtype=np.bool_),
            green=np.asarray([t.green for t in tickets], dtype=np.bool_),
            due=np.asarray(
                [
                    t.due_at - origin if b and t.due_at is not None else np.nan
                    for t, b in zip(tickets, booked, strict=True)
                ],
                dtype=np.float64,
            ),
        )


@dataclass(frozen=True)
class Day:
    """The parts of today that every replication shares."""

    snapshot: HallSnapshot
    profile: Profile
    origin: float  # POSIX seconds of opening
    close: float  # seconds after opening
    now: float  # seconds after opening (0 before opening)
    codes: tuple[str, ...]
    past: Rows
    past_called: FloatArray
    past_window: IntArray  # window index + 1 (0: none)
    past_service: FloatArray  # minutes
    past_finished: BoolArray
    serving: Rows
    serving_called: FloatArray
    serving_window: IntArray  # window index (0-based)
    serving_elapsed: FloatArray  # minutes at the window so far
    waiting: Rows
    waiting_tickets: tuple[SnapshotTicket, ...]
    bookings: FloatArray  # slot starts still to come (seconds after opening)
    booking_matter: IntArray
    periods: tuple[tuple[float, float], ...]  # seconds after opening


def _index(snapshot: HallSnapshot) -> tuple[tuple[str, ...], dict[str, int]]:
    codes = [m.code for m in snapshot.matters]
    for t in snapshot.tickets:
        if t.matter not in codes:
            codes.append(t.matter)
    return tuple(codes), {c: i for i, c in enumerate(codes)}


def _window_index(snapshot: HallSnapshot) -> dict[int, int]:
    return {w.number: i for i, w in enumerate(snapshot.windows)}


def build_day(snapshot: HallSnapshot, profile: Profile) -> Day:
    """Split today's tickets into done, at a window and waiting; raises InvalidInputError on
    a day the hall is closed."""
    if not snapshot.periods:
        raise InvalidInputError(
            f"Hall {snapshot.hall} is closed on {snapshot.day}: nothing to project."
        )
    origin = snapshot.periods[0][0]
    codes, index = _index(snapshot)
    windows = _window_index(snapshot)
    now = max(snapshot.now - origin, 0.0)
    past = [t for t in snapshot.tickets if t.status in DONE and t.first_called_at is not None]
    serving = [
        t
        for t in snapshot.tickets
        if t.status in AT_WINDOW and t.window in windows and t.first_called_at is not None
    ]
    # The queue's order: by arrival, exact ties by id (as the dispatch policy breaks them).
    waiting = tuple(
        sorted(
            (t for t in snapshot.tickets if t.status == "waiting"),
            key=lambda t: (_arrived(t), t.id),
        )
    )
    bookings = [b for b in snapshot.bookings if b.matter in index]
    grace = float(snapshot.policy.get("appointment_late_grace_minutes", 15.0)) * 60
    bookings = [b for b in bookings if b.slot_start + grace >= snapshot.now]
    return Day(
        snapshot=snapshot,
        profile=profile,
        origin=origin,
        close=snapshot.periods[-1][1] - origin,
        now=now,
        codes=codes,
        past=Rows.of(past, index, origin),
        past_called=np.asarray([t.first_called_at - origin for t in past], dtype=np.float64),  # type: ignore[operator]
        past_window=np.asarray([windows.get(t.window or -1, -1) + 1 for t in past], dtype=np.int64),
        past_service=np.asarray([_service_minutes(t) for t in past], dtype=np.float64),
        past_finished=np.asarray([t.status == "finished" for t in past], dtype=np.bool_),
        serving=Rows.of(serving, index, origin),
        serving_called=np.asarray([t.first_called_at - origin for t in serving], dtype=np.float64),  # type: ignore[operator]
        serving_window=np.asarray(
            [windows[t.window] for t in serving if t.window is not None], dtype=np.int64
        ),
        serving_elapsed=np.asarray(
            [
                0.0 if t.started_at is None else max(snapshot.now - t.started_at, 0.0) / 60
                for t in serving
            ],
            dtype=np.float64,
        ),
        waiting=Rows.of(waiting, index, origin),
        waiting_tickets=waiting,
        bookings=np.asarray([b.slot_start - origin for b in bookings], dtype=np.float64),
        booking_matter=np.asarray([index[b.matter] for b in bookings], dtype=np.int64),
        periods=tuple((a - origin, b - origin) for a, b in snapshot.periods),
    )


def _service_minutes(t: SnapshotTicket) -> float:
    if t.status != "finished" or t.finished_at is None:
        return 0.0
    start = t.started_at if t.started_at is not None else t.first_called_at
    return max((t.finished_at - (start or t.finished_at)) / 60.0, 0.0)


def _future(day: Day, start: float) -> list[tuple[float, float]]:
    """Today's remaining opening periods from `start` (seconds after opening)."""
    return [(max(a, start), b) for a, b in day.periods if b > start]


def roster(day: Day, changes: Sequence[Change]) -> list[list[tuple[float, float]]]:
    """Each window's open spans over the whole day (seconds after opening), after changes."""
    spans: list[list[tuple[float, float]]] = []
    for w in day.snapshot.windows:
        mine = [
            (a - day.origin, min(b, day.snapshot.now) - day.origin)
            for a, b in w.opened
            if a < day.snapshot.now
        ]
        if w.status == "open":
            mine += _future(day, day.now)
        spans.append(mine)
    number = _window_index(day.snapshot)
    moments = sorted((c for c in changes if c.action != "demand"), key=lambda c: c.at or 0.0)
    for change in moments:
        at = max((change.at if change.at is not None else day.snapshot.now) - day.origin, day.now)
        for n in change.windows:
            k = number[n]
            kept = [(a, min(b, at)) for a, b in spans[k] if a < at]
            spans[k] = kept + (_future(day, at) if change.action == "open" else [])
    return spans


def _intervals(spans: list[tuple[float, float]], day: Day) -> tuple[Interval, ...]:
    merged: list[list[float]] = []
    for a, b in sorted(spans):
        if b <= a:
            continue
        if merged and a <= merged[-1][1] + 1e-9:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    if day.now >= day.close and merged and merged[-1][1] >= day.now - 1e-6:
        merged[-1][1] = day.close  # open after closing: it serves until the queue is empty
        merged[-1][0] = min(merged[-1][0], day.close - 0.06)
    return tuple(Interval(a / 60, b / 60) for a, b in merged if b > a)


def day_scenario(day: Day, changes: Sequence[Change], demand: float) -> tuple[Scenario, Model]:
    """The whole day as a scenario (for the engine and the KPIs), with the changes applied."""
    snapshot, profile = day.snapshot, day.profile
    groups = tuple(
        WindowGroup(
            count=1,
            skills=frozenset(w.skills),
            kind=WindowKind(w.kind),
            shifts=_intervals(spans, day),
            name=f"{w.name} {w.number}",
        )
        for w, spans in zip(snapshot.windows, roster(day, changes), strict=True)
    )
    classes = {m.code: MatterClass(m.matter_class) for m in snapshot.matters}
    expected = {m.code: m.expected_minutes for m in snapshot.matters}
    matters = tuple(
        Matter(
            code, code, classes.get(code, MatterClass.GENERAL),
            profile.service(code, expected.get(code, 5.0)), 0.0, 0.0, 0.0,
        )
        for code in day.codes
    )  # fmt: skip
    minutes = max(day.close / 60, 1.0)
    hours = int(np.ceil(minutes / 60))
    open_minute = minute_of_day(snapshot, day.origin)
    rates = tuple(profile.rate_at(open_minute + 60 * h + 30) * demand for h in range(hours))
    targets = profile.targets.targets if profile.targets is not None else Targets()
    scenario = Scenario(
        name=f"{snapshot.hall} {snapshot.day}",
        seed=0,
        source="<what-if>",
        open_minute=open_minute,
        close_minute=open_minute + round(minutes),
        run=RunSettings(replications=1, horizon_minutes=minutes),
        matters=matters,
        windows=groups,
        walkin_per_hour=rates,
        appointments=AppointmentBook(),
        targets=targets,
        policy=dict(snapshot.policy),
    )
    return scenario, compile_model(scenario)


def minute_of_day(snapshot: HallSnapshot, moment: float) -> int:
    """Minutes after the hall's local midnight of a moment (POSIX seconds)."""
    local = datetime.fromtimestamp(moment, ZoneInfo(snapshot.timezone))
    return local.hour * 60 + local.minute
