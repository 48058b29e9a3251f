"""A day's arrivals, pre-generated as arrays: walk-ins (piecewise Poisson) and booked appointments.

Times are minutes after opening. Walk-ins follow a non-homogeneous Poisson process whose
rate is constant within each hour, generated exactly piece by piece (a Poisson count, then
sorted uniform times), so short peaks are never skipped. Appointment holders come from a
slot book: each booking arrives at its slot start minus a Normal "minutes early" draw, or
not at all (no-show).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.distributions import ServiceTime
from simulation.errors import InvalidInputError

__all__ = [
    "AppointmentBook",
    "ArrivalPlan",
    "Arrivals",
    "booked_slot_starts",
    "generate_arrivals",
    "nhpp_times",
    "profile_rate",
    "replication_streams",
    "service_times",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]

PIECE_MINUTES = 60.0


def profile_rate(per_hour: Sequence[float], minute: float) -> float:
    """Return the hourly rate in force at `minute`: one value is constant, several are hourly.

    Past the last hour of a several-value profile the rate is zero (the hall is closed).
    """
    if len(per_hour) == 1:
        return float(per_hour[0])
    index = math.floor(minute / PIECE_MINUTES)
    return float(per_hour[index]) if 0 <= index < len(per_hour) else 0.0


def _pieces(per_hour: Sequence[float], horizon: float) -> list[tuple[float, float, float]]:
    """(start, end, rate per hour) for each constant piece of the profile inside [0, horizon)."""
    if len(per_hour) == 1:
        return [(0.0, horizon, float(per_hour[0]))]
    pieces = []
    for k, rate in enumerate(per_hour):
        start, end = k * PIECE_MINUTES, min((k + 1) * PIECE_MINUTES, horizon)
        if start < end:
            pieces.append((start, end, float(rate)))
    return pieces


def _check_profile(name: str, per_hour: Sequence[float]) -> None:
    if len(per_hour) == 0:
        raise InvalidInputError(f"{name} needs at least one hourly rate.")
    if any(not math.isfinite(r) or r < 0 for r in per_hour):
        raise InvalidInputError(f"{name} rates must be finite numbers >= 0.")


def nhpp_times(rng: np.random.Generator, per_hour: Sequence[float], horizon: float) -> FloatArray:
    """Return sorted arrival times in [0, horizon) of a Poisson process with an hourly profile.

    Raises ValueError for an empty profile, a negative rate or a negative horizon.
    """
    _check_profile("per_hour", per_hour)
    if not math.isfinite(horizon) or horizon < 0:
        raise InvalidInputError("horizon must be a finite number of minutes >= 0.")
    chunks: list[FloatArray] = []
    for start, end, rate in _pieces(per_hour, horizon):
        count = int(rng.poisson(rate * (end - start) / 60.0))
        chunks.append(np.sort(rng.uniform(start, end, count)))
    return np.concatenate(chunks) if chunks else np.empty(0, dtype=np.float64)


@dataclass(frozen=True)
class AppointmentBook:
    """Booked arrivals per hour, spread evenly over slots; punctuality and no-show behaviour."""

    per_hour: tuple[float, ...] = (0.0,)
    slot_minutes: int = 30
    no_show: float = 0.0
    early_mean: float = 5.0
    early_sd: float = 5.0


def booked_slot_starts(book: AppointmentBook, horizon: float) -> FloatArray:
    """Return the slot start of every booking, one entry per booking, in time order.

    Each slot's expected count is its hour's rate divided by the slots per hour; counts are
    rounded cumulatively so that totals over any run of slots stay within one of the rate.
    Raises ValueError for an invalid book.
    """
    _check_profile("appointments.per_hour", book.per_hour)
    if book.slot_minutes <= 0:
        raise InvalidInputError("slot_minutes must be > 0.")
    starts = np.arange(0.0, horizon, float(book.slot_minutes))
    expected = np.array([profile_rate(book.per_hour, s) for s in starts]) * book.slot_minutes / 60
    cumulative = np.floor(np.cumsum(expected) + 0.5).astype(np.int64)
    counts = np.diff(cumulative, prepend=0)
    return np.repeat(starts, counts)


@dataclass(frozen=True)
class ArrivalPlan:
    """What arrives in one replication: profiles plus per-matter shares (indexed like matters)."""

    horizon: float
    walkin_per_hour: tuple[float, ...]
    walkin_shares: tuple[float, ...]
    green_shares: tuple[float, ...]
    appointment_shares: tuple[float, ...]
    book: AppointmentBook
    # A hall's issuing rules: walk-ins only within these (start, end) minutes (empty:
    # always), and at most `limit` walk-ins a day for each group of matter indices.
    issuing: tuple[tuple[float, float], ...] = ()
    caps: tuple[tuple[tuple[int, ...], int], ...] = ()


@dataclass(frozen=True)
class Arrivals:
    """Struct of arrays, sorted by arrival time; `slot_start` is NaN for walk-ins."""

    time: FloatArray
    matter: IntArray
    appointment: BoolArray
    green: BoolArray
    slot_start: FloatArray

    def __len__(self) -> int:
        return int(self.time.size)


def _choose(rng: np.random.Generator, shares: Sequence[float], size: int) -> IntArray:
    weights = np.asarray(shares, dtype=np.float64)
    total = float(weights.sum())
    if size and total <= 0:
        raise InvalidInputError("Arrivals exist but every matter's share is zero.")
    if size == 0:
        return np.empty(0, dtype=np.int64)
    # Inverse transform on one uniform each: the draws `rng.choice(…, p=…)` makes, without
    # its checks of p on every call (the shares were checked when the scenario was read).
    cdf = (weights / total).cumsum()
    cdf /= cdf[-1]
    return cdf.searchsorted(rng.random(size), side="right").astype(np.int64)


def _appointments(rng: np.random.Generator, plan: ArrivalPlan) -> tuple[FloatArray, FloatArray]:
    """(arrival time, slot start) of the bookings that show up; early birds wait for opening."""
    book = plan.book
    slots = booked_slot_starts(book, plan.horizon)
    shows = rng.random(slots.size) >= book.no_show
    early = rng.normal(book.early_mean, book.early_sd, slots.size)
    times = np.maximum(slots - early, 0.0)
    return times[shows], slots[shows]


def generate_arrivals(rng: np.random.Generator, plan: ArrivalPlan) -> Arrivals:
    """Generate one replication's walk-ins and appointment holders, merged in time order.

    Raises ValueError for an invalid profile or shares that cannot be drawn from.
    """
    walk_times = nhpp_times(rng, plan.walkin_per_hour, plan.horizon)
    walk_matter = _choose(rng, plan.walkin_shares, walk_times.size)
    green_p = np.asarray(plan.green_shares, dtype=np.float64)
    walk_green = rng.random(walk_times.size) < green_p[walk_matter]
    # Drawn first, turned away after: the draws stay common to every roster compared.
    issued = _issued(plan, walk_times, walk_matter, walk_green)
    walk_times, walk_matter, walk_green = (
        walk_times[issued],
        walk_matter[issued],
        walk_green[issued],
    )
    appt_times, appt_slots = _appointments(rng, plan)
    appt_matter = _choose(rng, plan.appointment_shares, appt_times.size)
    time = np.concatenate([walk_times, appt_times])
    order = np.argsort(time, kind="stable")
    return Arrivals(
        time=time[order],
        matter=np.concatenate([walk_matter, appt_matter])[order],
        appointment=np.concatenate(
            [np.zeros(walk_times.size, np.bool_), np.ones(appt_times.size, np.bool_)]
        )[order],
        green=np.concatenate([walk_green, np.zeros(appt_times.size, np.bool_)])[order],
        slot_start=np.concatenate([np.full(walk_times.size, np.nan), appt_slots])[order],
    )


def _issued(plan: ArrivalPlan, times: FloatArray, matter: IntArray, green: BoolArray) -> BoolArray:
    """Which walk-ins get a ticket under the hall's issuing rules (in time order)."""
    keep = np.ones(times.size, dtype=np.bool_)
    if plan.issuing:
        keep = np.zeros(times.size, dtype=np.bool_)
        for start, end in plan.issuing:
            keep |= (times >= start) & (times < end)
    for members, limit in plan.caps:
        counted = keep & np.isin(matter, members)
        # Green-channel walk-ins are issued whatever the cap, and count towards it.
        running = np.cumsum(counted)
        keep &= ~(counted & ~green & (running > limit))
    return keep


def service_times(
    rng: np.random.Generator, matter: IntArray, services: Sequence[ServiceTime]
) -> FloatArray:
    """Pre-sample one service time per arrival from its matter's distribution."""
    out = np.empty(matter.size, dtype=np.float64)
    for index, dist in enumerate(services):
        mask = matter == index
        out[mask] = dist.sample(rng, int(mask.sum()))
    return out


@dataclass(frozen=True)
class Streams:
    """Independent generators for one replication, so rosters compare on common random numbers."""

    arrivals: np.random.Generator
    service: np.random.Generator
    behaviour: np.random.Generator


def replication_streams(seed: int, replication: int) -> Streams:
    """Return the arrival, service and behaviour generators of replication `replication`.

    The same (seed, replication) always gives the same streams, whatever the roster.
    """
    root = np.random.SeedSequence(entropy=seed, spawn_key=(replication,))
    arrivals, service, behaviour = (np.random.default_rng(s) for s in root.spawn(3))
    return Streams(arrivals, service, behaviour)
