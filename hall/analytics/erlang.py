"""How many windows an hour needed: the smallest count whose Erlang C mean wait meets a target.

M/M/c is a planner's first estimate, not the simulator's verdict; the dashboard shows it
beside the windows that were open so that a supervisor sees an hour that was short.
"""

from __future__ import annotations

import math

MAX_WINDOWS = 200


def erlang_c_wait(windows: int, arrivals_per_hour: float, service_minutes: float) -> float:
    """Mean minutes in queue of M/M/c (``math.inf`` when the load reaches the windows)."""
    load = arrivals_per_hour * service_minutes / 60.0  # offered load in Erlangs
    if windows <= load:
        return math.inf
    term, total = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, windows):
        term *= load / k
        total += term
    last = term * load / windows  # a^c / c!
    waiting = last * windows / (windows - load)
    probability = waiting / (total + waiting)
    return probability * service_minutes / (windows - load)


def windows_needed(arrivals_per_hour: float, service_minutes: float, target_minutes: float) -> int:
    """The fewest windows keeping the M/M/c mean wait within the target (0 with no arrivals)."""
    if arrivals_per_hour <= 0:
        return 0
    windows = max(1, math.floor(arrivals_per_hour * service_minutes / 60.0) + 1)
    while windows < MAX_WINDOWS and erlang_c_wait(windows, arrivals_per_hour, service_minutes) > (
        target_minutes
    ):
        windows += 1
    return windows
