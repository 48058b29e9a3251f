"""The windows that actually ran: when each was open, with which kind and skills.

From the database, a window is open during its sessions (sign-in to sign-out, pauses left
out: `hall.analytics.sessions`). The CSV holds no sessions, so there they are inferred
from the tickets: a window is open from its first call to its last finish of the day (to
closing, if nobody it serves was left waiting after it), except where it stood idle while a
citizen it serves waited `SLACK_MINUTES` or more: a pause or a break, over by the time the
last of those citizens was called (a window idle while nobody waits may be open or not: the
tickets cannot tell, and it changes nobody's wait). In a quiet hall nobody waits through
a break, so breaks are seen only from the sessions (`tongban calibrate --hall`).

A window is put in the scenario as open in a quarter hour when it was open for at least
half of that quarter on at least half of the days; consecutive quarters make its shifts,
and a shift reaching closing time serves until the queue is empty, as in the live hall.
Kinds and skills come from the hall's configuration when given; otherwise a window that
served every common matter is comprehensive (any matter), one whose share of green tickets
is far above the hall's is the green window, and the others are specialised in what they
served.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from queueing import WindowKind
from simulation.calibration.days import Opening
from simulation.calibration.records import Records

__all__ = ["OpenSpan", "WindowFit", "WindowInfo", "fit_roster", "infer_spans"]

FloatArray = NDArray[np.float64]
QUARTER = 15
SLACK_MINUTES = 5.0
COMMON_SHARE = 0.02  # matters with at least this share of tickets count as "common"
GREEN_FACTOR = 5.0  # a green window's share of green tickets is at least this times the hall's


@dataclass(frozen=True)
class OpenSpan:
    """A window open on a service day from `start` to `end` (minutes after midnight)."""

    day: int
    window: int
    start: float
    end: float


@dataclass(frozen=True)
class WindowInfo:
    """What the hall's configuration says of a window."""

    number: int
    name: str
    kind: WindowKind
    skills: frozenset[str]


@dataclass(frozen=True)
class WindowFit:
    """One window of the calibrated roster."""

    number: int
    name: str
    kind: WindowKind
    skills: frozenset[str]
    shifts: tuple[tuple[int, int], ...]  # minutes after midnight
    share_open: tuple[float, ...]  # per quarter hour from opening: share of days open
    served: int
    evidence: str
    matters: dict[str, int]  # tickets served per matter code

    def serves(self, code: str) -> bool:
        return "*" in self.skills or code in self.skills


def infer_spans(records: Records, days: Sequence[int], close: float) -> list[OpenSpan]:
    """When each window was open, inferred from its tickets (see the module's notes)."""
    spans: list[OpenSpan] = []
    for day, today in records.by_day(days).items():
        able = _able(today)
        waiting = _Waiting(today)
        for window in np.unique(today.window[today.window > 0]).tolist():
            mine = today.window == window
            order = np.argsort(today.called[mine])
            called = today.called[mine][order]
            ends = np.fmax(today.finished[mine][order], called)
            skills = able.get(window)
            spans.extend(
                OpenSpan(day, window, a, b)
                for a, b in waiting.open_spans(called, ends, skills, close)
            )
    return spans


def _able(records: Records) -> dict[int, NDArray[np.bool_] | None]:
    """Per window the matters it served (None: it served the day's every matter)."""
    found: dict[int, NDArray[np.bool_] | None] = {}
    present = np.zeros(len(records.codes), dtype=np.bool_)
    present[records.matter[~records.ticketless]] = True
    for window in np.unique(records.window[records.window > 0]).tolist():
        mask = np.zeros(len(records.codes), dtype=np.bool_)
        mask[records.matter[records.window == window]] = True
        found[window] = None if np.array_equal(mask, present) else mask
    return found


class _Waiting:
    """Citizens waiting (callable) over one day, to tell breaks from idle time.

    A window idle over [a, b) was closed if some citizen it serves waited at least
    SLACK_MINUTES of that time: their waiting interval [s, c) overlaps [a, b) by SLACK or
    more, that is [s, c − SLACK] meets [a, b − SLACK], which sorted ends count at once.
    """

    def __init__(self, records: Records) -> None:
        callable_from = np.where(
            records.appointment, np.fmax(records.checked_in, records.slot - 5.0), records.issued
        )
        keep = ~records.ticketless & ~np.isnan(callable_from)
        stop = np.where(np.isnan(records.called[keep]), np.inf, records.called[keep])
        long = stop - callable_from[keep] >= SLACK_MINUTES
        self.matter = records.matter[keep][long]
        self.start = callable_from[keep][long]
        self.stop = stop[long]
        self.end = self.stop - SLACK_MINUTES
        self._kept: dict[bytes, tuple[FloatArray, FloatArray, FloatArray]] = {}

    def _sorted(
        self, skills: NDArray[np.bool_] | None
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        """(starts sorted, the latest stop among the first k of them, ends sorted), kept
        per skill set: the day's windows mostly share one (any matter)."""
        key = b"*" if skills is None else skills.tobytes()
        found = self._kept.get(key)
        if found is None:
            mine = slice(None) if skills is None else skills[self.matter]
            start, stop, end = self.start[mine], self.stop[mine], self.end[mine]
            order = np.argsort(start, kind="stable")
            latest = np.maximum.accumulate(stop[order]) if stop.size else np.empty(0)
            found = self._kept[key] = (start[order], latest, np.sort(end))
        return found

    def waited(
        self, low: FloatArray, high: FloatArray, skills: NDArray[np.bool_] | None
    ) -> tuple[NDArray[np.bool_], FloatArray]:
        """Per idle stretch [low, high): whether a citizen it serves waited SLACK of it, and
        when the last of those stopped waiting (the window was back by then, at the latest;
        idle after that with nobody waiting, it was open)."""
        starts, latest, ends = self._sorted(skills)
        top = high - SLACK_MINUTES
        started = np.searchsorted(starts, top, side="right")
        meeting = started - np.searchsorted(ends, low, side="left")
        back = latest[np.maximum(started - 1, 0)] if latest.size else high
        back = np.where(started > 0, back, high)
        return (meeting > 0) & (top >= low), np.minimum(back, high)

    def open_spans(
        self,
        called: FloatArray,
        ends: FloatArray,
        skills: NDArray[np.bool_] | None,
        close: float,
    ) -> list[tuple[float, float]]:
        if called.size == 0:
            return []
        gap_start, gap_end = ends[:-1], called[1:]
        closed, back = self.waited(gap_start, gap_end, skills)
        spans, start = [], float(called[0])
        for b in np.flatnonzero(closed).tolist():
            spans.append((start, float(gap_start[b])))
            start = float(back[b])
        last = float(ends.max())
        # Idle at the end: open to closing, unless someone was left waiting.
        if last < close and not self.waited(np.array([last]), np.array([close]), skills)[0][0]:
            last = close
        spans.append((start, last))
        return spans


def _share_open(
    spans: Sequence[OpenSpan], window: int, days: Sequence[int], opening: Opening
) -> FloatArray:
    quarters = max(1, -(-opening.minutes // QUARTER))
    starts = opening.open_minute + QUARTER * np.arange(quarters)
    open_days = np.zeros(quarters)
    by_day: dict[int, list[OpenSpan]] = {}
    for s in spans:
        if s.window == window:
            by_day.setdefault(s.day, []).append(s)
    for mine in by_day.values():
        overlap = np.zeros(quarters)
        for s in mine:
            overlap += np.clip(
                np.minimum(s.end, starts + QUARTER) - np.maximum(s.start, starts), 0, None
            )
        open_days += overlap >= QUARTER / 2
    return open_days / max(len(days), 1)


def _shifts(share: FloatArray, opening: Opening) -> tuple[tuple[int, int], ...]:
    shifts: list[tuple[int, int]] = []
    for q, on in enumerate((share >= 0.5).tolist()):
        if not on:
            continue
        start = opening.open_minute + q * QUARTER
        end = min(start + QUARTER, opening.close_minute)
        if shifts and shifts[-1][1] == start:
            shifts[-1] = (shifts[-1][0], end)
        else:
            shifts.append((start, end))
    return tuple(shifts)


def _inferred_kind(
    records: Records, window: int, common: NDArray[np.bool_]
) -> tuple[WindowKind, frozenset[str], str]:
    mine = ~records.ticketless & (records.window == window)
    served = np.zeros(len(records.codes), dtype=np.bool_)
    served[records.matter[mine]] = True
    green_share = float(records.green[mine].mean()) if mine.any() else 0.0
    hall_green = float(records.green[~records.ticketless].mean()) if len(records) else 0.0
    if hall_green > 0 and green_share >= max(GREEN_FACTOR * hall_green, 0.2):
        return (
            WindowKind.GREEN,
            frozenset({"*"}),
            f"green channel: {green_share:.0%} of its tickets were green (hall {hall_green:.0%})",
        )
    if np.all(served[common]):
        return (
            WindowKind.COMPREHENSIVE,
            frozenset({"*"}),
            f"served all {int(common.sum())} common matters",
        )
    codes = frozenset(c for c, s in zip(records.codes, served.tolist(), strict=True) if s)
    return WindowKind.SPECIALISED, codes, f"served only {', '.join(sorted(codes))}"


def fit_roster(
    records: Records,
    days: Sequence[int],
    opening: Opening,
    spans: Sequence[OpenSpan],
    config: Mapping[int, WindowInfo] | None,
) -> list[WindowFit]:
    """The roster that ran on the training days, one entry per window ever open."""
    mine = records.select(np.isin(records.day, list(days)))
    tickets = ~mine.ticketless
    counts = np.bincount(mine.matter[tickets], minlength=len(mine.codes))
    common = counts >= COMMON_SHARE * max(int(tickets.sum()), 1)
    fits = []
    for window in sorted({s.window for s in spans}):
        share = _share_open(spans, window, days, opening)
        shifts = _shifts(share, opening)
        if not shifts:
            continue
        at = tickets & (mine.window == window)
        served = int(at.sum())
        per_matter = np.bincount(mine.matter[at], minlength=len(mine.codes)).tolist()
        matters = {c: int(n) for c, n in zip(mine.codes, per_matter, strict=True) if n}
        info = None if config is None else config.get(window)
        if info is not None:
            kind, skills, why, name = info.kind, info.skills, "the hall's configuration", info.name
        else:
            kind, skills, why = _inferred_kind(mine, window, common)
            name = f"窗口 {window} window {window}"
        fits.append(
            WindowFit(
                window, name, kind, skills, shifts, tuple(share.tolist()), served, why, matters
            )
        )
    return fits


def cover(fits: list[WindowFit], needed: Sequence[str]) -> list[WindowFit]:
    """Give each needed matter a window: the one of the roster that served it most (or the
    busiest window, if none did), noting it in the window's evidence."""
    fits = list(fits)
    for code in needed:
        if not fits or any(f.serves(code) for f in fits):
            continue
        best = max(range(len(fits)), key=lambda i: (fits[i].matters.get(code, 0), fits[i].served))
        old = fits[best]
        note = f"{old.evidence}; also takes {code}, which no window of the roster had"
        fits[best] = WindowFit(
            old.number, old.name, old.kind, old.skills | {code}, old.shifts, old.share_open,
            old.served, note, old.matters,
        )  # fmt: skip
    return fits


def windows_per_hour(fits: Sequence[WindowFit], opening: Opening) -> list[float]:
    """The mean number of windows open in each hour from opening, as the roster has them."""
    hours = []
    for h in range(opening.hours):
        lo, hi = (
            opening.open_minute + 60 * h,
            min(opening.open_minute + 60 * (h + 1), opening.close_minute),
        )
        total = sum(max(0, min(b, hi) - max(a, lo)) for f in fits for a, b in f.shifts)
        hours.append(total / max(hi - lo, 1))
    return hours
