"""Window sessions derived from the audit events: who was signed in at which window, when.

A window's session runs from ``window_signed_in`` to ``window_signed_out``; pauses
(``window_pause`` … ``window_resume``) lie inside it. Utilisation is serving time over
signed-in time (pauses included: the clerk is at the window); ``open_intervals`` leaves
the pauses out, for the planner's calibration, which needs the time a window could call.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.analytics.epoch import epoch
from hall.store.models import EventRow

Interval = tuple[float, float]

SIGNED_IN = "window_signed_in"
SIGNED_OUT = "window_signed_out"
PAUSE = "window_pause"
RESUME = "window_resume"
WINDOW_KINDS = (SIGNED_IN, SIGNED_OUT, PAUSE, RESUME)


@dataclass(frozen=True, slots=True)
class WindowEvent:
    """One audit event of a window: when, which window, what, and the clerk signing in."""

    at: float
    window: int
    kind: str
    staff: str | None = None


@dataclass(frozen=True, slots=True)
class WindowSession:
    """One clerk's stretch at one window, in POSIX seconds, with the pauses inside it."""

    window: int
    staff: str | None
    start: float
    end: float
    pauses: tuple[Interval, ...] = ()

    @property
    def signed_in_seconds(self) -> float:
        return self.end - self.start

    @property
    def paused_seconds(self) -> float:
        return sum(b - a for a, b in self.pauses)

    def open_intervals(self) -> list[Interval]:
        """The session without its pauses: when the window could call."""
        found, cursor = [], self.start
        for begin, finish in self.pauses:
            if begin > cursor:
                found.append((cursor, begin))
            cursor = max(cursor, finish)
        if self.end > cursor:
            found.append((cursor, self.end))
        return found


@dataclass
class _Open:
    staff: str | None
    start: float
    pauses: list[Interval] = field(default_factory=list)
    paused_at: float | None = None

    def close(self, window: int, at: float) -> WindowSession:
        if self.paused_at is not None:
            self.pauses.append((self.paused_at, at))
        return WindowSession(window, self.staff, self.start, at, tuple(self.pauses))


def window_sessions(
    events: Iterable[WindowEvent],
    until: float,
    *,
    day_end: Callable[[float], float] | None = None,
) -> list[WindowSession]:
    """Sessions from window events (any order), sorted by window and start.

    A session still open ends at ``until`` or at ``day_end(start)`` (the end of its
    hall-local day: a session never runs past midnight), whichever is first. A second
    sign-in without a sign-out (a lost event, a crash) closes the first session there.
    With ``day_end``, a session never runs past its day even when the window's next event
    comes on a later day: it ends at its midnight, and that next event counts as if no
    session were open (so the sessions of a range of days are those of each day apart).
    Events before a window's first sign-in are ignored. Raises nothing.
    """
    found: list[WindowSession] = []
    current: dict[int, _Open] = {}
    for event in sorted(events, key=lambda e: (e.at, e.window)):
        session = current.get(event.window)
        if session is not None and day_end is not None:
            midnight = day_end(session.start)
            if event.at >= midnight:
                found.append(session.close(event.window, midnight))
                del current[event.window]
                session = None
        if event.kind == SIGNED_IN:
            if session is not None:
                found.append(session.close(event.window, event.at))
            current[event.window] = _Open(event.staff, event.at)
        elif session is None:
            continue
        elif event.kind == SIGNED_OUT:
            found.append(session.close(event.window, event.at))
            del current[event.window]
        elif event.kind == PAUSE and session.paused_at is None:
            session.paused_at = event.at
        elif event.kind == RESUME and session.paused_at is not None:
            session.pauses.append((session.paused_at, event.at))
            session.paused_at = None
    for window, session in current.items():
        end = until if day_end is None else min(until, day_end(session.start))
        found.append(session.close(window, max(session.start, end)))
    return _clip_pauses(sorted(found, key=lambda s: (s.window, s.start)))


def _clip_pauses(sessions: list[WindowSession]) -> list[WindowSession]:
    clipped = []
    for s in sessions:
        pauses = tuple((max(a, s.start), min(b, s.end)) for a, b in s.pauses if a < s.end)
        clipped.append(WindowSession(s.window, s.staff, s.start, s.end, pauses))
    return clipped


class StaffAt:
    """Who was signed in at a window at a moment (the clerk a ticket is credited to)."""

    def __init__(self, sessions: Sequence[WindowSession]) -> None:
        self._by_window: dict[int, list[WindowSession]] = defaultdict(list)
        for s in sessions:
            self._by_window[s.window].append(s)
        self._starts = {w: [s.start for s in found] for w, found in self._by_window.items()}

    def __call__(self, window: int | None, moment: float | None) -> str | None:
        if window is None or moment is None or window not in self._starts:
            return None
        index = bisect.bisect_right(self._starts[window], moment) - 1
        if index < 0:
            return None
        session = self._by_window[window][index]
        return session.staff if moment <= session.end else None


async def load_window_events(
    session: AsyncSession, hall_id: str, start: datetime, end: datetime
) -> list[WindowEvent]:
    """The window events of a hall in [start, end)."""
    query = select(epoch(EventRow.at), EventRow.subject_id, EventRow.kind, EventRow.after).where(
        EventRow.hall_id == hall_id,
        EventRow.kind.in_(WINDOW_KINDS),
        EventRow.at >= start,
        EventRow.at < end,
    )
    found = []
    for at, subject, kind, after in (await session.execute(query)).all():
        staff = (after or {}).get("staff") if kind == SIGNED_IN else None
        if subject.isdigit():
            found.append(WindowEvent(float(at), int(subject), kind, staff))
    return found
