"""Matters, windows and policy taken from a hall configuration file (`hall_config` + `hall`).

Each hall matter becomes a scenario matter with its class and an exponential handling time
of the catalogue's expected minutes (a `[[matters]]` entry with the same code overrides any
of that and gives the arrival shares). Each hall window becomes one window, staffed during
the hall's opening periods on the scenario's `weekday`; pickup and "could not get it done"
windows are specialised windows for the queueing core, and a "*" window takes every
matter but theirs. The hall's `[policy]` applies, with the scenario's own `[policy]` keys
on top. The hall's `[day]` rules apply to walk-ins: tickets only from `tickets_from`
minutes before each opening until `tickets_until` minutes before its closing, and no more
than each daily cap (green-channel walk-ins are not capped); the others are turned away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hall.catalogue.calendar import cap_matters, reserved_matters
from hall.catalogue.loader import demo_config_path, load_config
from hall.catalogue.schema import Hall
from hall.catalogue.schema import WindowKind as HallWindowKind
from hall.errors import ConfigError
from queueing.policy import policy_problems
from simulation.distributions import Exponential
from simulation.errors import Problem
from simulation.scenario_model import (
    HallSource,
    Interval,
    Matter,
    MatterClass,
    WindowGroup,
    WindowKind,
)

__all__ = ["DEMO", "HallParts", "load_hall_parts", "resolve_path"]

DEMO = "demo"  # `hall_config = "demo"` names the demo configuration shipped with Tongban
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_KINDS = {
    HallWindowKind.COMPREHENSIVE: WindowKind.COMPREHENSIVE,
    HallWindowKind.GREEN: WindowKind.GREEN,
}


@dataclass(frozen=True)
class HallParts:
    """What a scenario takes from the hall: matters by code (in file order), windows, policy."""

    source: HallSource
    matters: dict[str, Matter] = field(default_factory=dict)
    windows: tuple[WindowGroup, ...] = ()
    policy: dict[str, Any] = field(default_factory=dict)
    # The hall's issuing rules: when walk-ins get tickets (scenario minutes), daily caps.
    issuing: tuple[Interval, ...] = ()
    caps: tuple[tuple[tuple[str, ...], int], ...] = ()


def resolve_path(path: str, base_dir: Path | None) -> Path:
    """The hall file named by `hall_config`, relative to the scenario file's folder."""
    if path == DEMO:
        return demo_config_path()
    resolved = Path(path)
    if not resolved.is_absolute() and base_dir is not None:
        resolved = base_dir / resolved
    return resolved


def _check_policy(mapping: dict[str, Any]) -> list[tuple[str, str]]:
    return policy_problems(mapping)


def _shifts(hall: Hall, weekday: str, open_minute: int, end: float) -> tuple[Interval, ...]:
    spans = []
    for period in hall.opening_hours.get(weekday, ()):
        start = period.start.hour * 60 + period.start.minute - open_minute
        stop = period.end.hour * 60 + period.end.minute - open_minute
        low, high = max(float(start), 0.0), min(float(stop), end)
        if low < high:
            spans.append(Interval(low, high))
    return tuple(spans)


def load_hall_parts(
    source: HallSource, weekday: str, open_minute: int, end: float, problems: list[Problem]
) -> HallParts | None:
    """Load the named hall; problems (unreadable file, unknown hall, closed day) are appended."""
    try:
        config = load_config(source.path, _check_policy)
    except ConfigError as error:
        problems.extend(Problem("hall_config", str(p)) for p in error.problems)
        return None
    halls = {h.id: h for h in config.halls}
    hall = halls.get(source.hall)
    if hall is None:
        known = ", ".join(sorted(halls))
        problems.append(
            Problem("hall", f"no hall {source.hall!r} in {source.path}; it has {known}")
        )
        return None
    shifts = _shifts(hall, weekday, open_minute, end)
    if not shifts:
        problems.append(
            Problem("weekday", f"hall {hall.id!r} is closed on {weekday!r} between open and close")
        )
        return None
    matters = {
        m.code: Matter(
            m.code,
            m.name,
            MatterClass(m.matter_class.value),
            Exponential(m.expected_minutes),
            0.0,
            0.0,
            0.0,
        )
        for m in hall.matters
    }
    whole_day = shifts == (Interval(0.0, end),)
    reserved = reserved_matters(hall)  # "*" skips them, as in the server (special windows)
    everything = frozenset(matters) - reserved
    windows = tuple(
        WindowGroup(
            count=1,
            skills=everything if "*" in w.skills and reserved else frozenset(w.skills),
            kind=_KINDS.get(w.kind, WindowKind.SPECIALISED),
            shifts=None if whole_day else shifts,
            name=f"{w.name or w.kind.value} {w.number}",
        )
        for w in sorted(hall.windows, key=lambda w: w.number)
    )
    issuing = _issuing(hall, weekday, open_minute, end)
    caps = tuple((cap_matters(hall, c), c.limit) for c in hall.day.caps)
    return HallParts(source, matters, windows, dict(hall.policy), issuing, caps)


def _issuing(hall: Hall, weekday: str, open_minute: int, end: float) -> tuple[Interval, ...]:
    """When walk-in tickets are issued, in scenario minutes: each period (and extended
    session) of the weekday from `tickets_from` before it opens to `tickets_until` before
    it closes, as the server's issuing rules (`hall.calling.issuing`) say."""
    periods = [(p.start, p.end) for p in hall.opening_hours.get(weekday, ())]
    periods += [(s.start, s.end) for s in hall.extended_sessions if weekday in s.weekdays]
    before, stop = hall.day.tickets_from_minutes, hall.day.tickets_until_minutes
    spans = []
    for start, stop_at in sorted(periods):
        opens = start.hour * 60 + start.minute - before - open_minute
        closes = stop_at.hour * 60 + stop_at.minute - stop - open_minute
        low, high = max(float(opens), 0.0), min(float(closes), end)
        if low < high:
            spans.append(Interval(low, high))
    return tuple(spans)
