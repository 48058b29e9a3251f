"""The appointment book and the citizens' mix: bookings per slot, no-shows, punctuality,
and the share of each matter (and of the green channel) among walk-ins and bookings.

A booking is a row with a slot start: a ticket of an appointment holder who checked in, or
a row without a ticket for a booking nobody came to (the export writes those as
``no_show``). Punctuality is the minutes from check-in to the slot start (positive: early),
fitted as the simulator's Normal(early_mean, sd); bookings in the first half hour after
opening are left out of it, since their early birds wait for the doors to open.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from simulation.calibration.arrivals import walkin_mask
from simulation.calibration.days import Opening
from simulation.calibration.records import Records

__all__ = ["Book", "Mix", "fit_book", "fit_mix", "slot_minutes_of"]

FloatArray = NDArray[np.float64]
DOORS_MINUTES = 30  # bookings this soon after opening are left out of punctuality
SLOT_CHOICES = (60, 30, 20, 15, 10, 5)


@dataclass(frozen=True)
class Book:
    """The appointment book of a day type, as the simulator's `[appointments]` needs it."""

    slot_minutes: int
    per_slot: tuple[float, ...]  # mean bookings a day, per slot from opening
    per_hour: tuple[float, ...]
    bookings: int  # in all, over the training days
    no_shows: int
    early_mean: float
    early_sd: float
    early_count: int
    early_quantiles: tuple[float, ...]  # 10, 25, 50, 75, 90 %
    slot_source: str

    @property
    def no_show_rate(self) -> float:
        return self.no_shows / self.bookings if self.bookings else 0.0

    @property
    def no_show_error(self) -> float:
        """The binomial standard error of the no-show rate."""
        p = self.no_show_rate
        return math.sqrt(p * (1 - p) / self.bookings) if self.bookings else 0.0


@dataclass(frozen=True)
class Mix:
    """Per matter (in the records' order): walk-ins, green walk-ins and bookings, in all."""

    walkins: tuple[int, ...]
    green: tuple[int, ...]
    bookings: tuple[int, ...]


def slot_minutes_of(slots: FloatArray, opening: Opening) -> tuple[int, str]:
    """The slot length: the longest of 60, 30, … minutes that every slot start falls on."""
    offsets = np.round(slots - opening.open_minute).astype(np.int64)
    for choice in SLOT_CHOICES:
        if offsets.size and np.all(offsets % choice == 0):
            return choice, f"every booked slot starts on a {choice}-minute step from opening"
    return 30, "the slot starts fall on no regular step; 30 minutes assumed"


def _per_slot(slots: FloatArray, days: int, opening: Opening, step: int) -> tuple[float, ...]:
    count = max(1, math.ceil(opening.minutes / step))
    index = np.floor((slots - opening.open_minute) / step).astype(np.int64)
    index = index[(index >= 0) & (index < count)]
    return tuple((np.bincount(index, minlength=count) / max(days, 1)).tolist())


def _per_hour(per_slot: tuple[float, ...], step: int, hours: int) -> tuple[float, ...]:
    per = 60 // step
    return tuple(float(sum(per_slot[h * per : (h + 1) * per])) for h in range(hours))


def fit_book(
    records: Records, days: list[int], opening: Opening, slot_minutes: int | None = None
) -> Book:
    """The book of the training days (`slot_minutes` from the hall's rules if known)."""
    mine = np.isin(records.day, days) & records.appointment & ~np.isnan(records.slot)
    slots = records.slot[mine]
    if slot_minutes is None:
        step, source = slot_minutes_of(slots, opening)
    else:
        step, source = slot_minutes, "the hall's booking rules"
    per_slot = _per_slot(slots, len(days), opening, step)
    checked = mine & ~records.ticketless & ~np.isnan(records.checked_in)
    checked &= records.slot >= opening.open_minute + DOORS_MINUTES
    early = (records.slot - records.checked_in)[checked]
    quantiles: tuple[float, ...] = ()
    mean = sd = 0.0
    if early.size:
        mean = float(early.mean())
        sd = float(early.std(ddof=1)) if early.size > 1 else 0.0
        quantiles = tuple(np.quantile(early, [0.1, 0.25, 0.5, 0.75, 0.9]).tolist())
    return Book(
        slot_minutes=step,
        per_slot=per_slot,
        per_hour=_per_hour(per_slot, step, opening.hours),
        bookings=int(mine.sum()),
        no_shows=int((mine & records.ticketless).sum()),
        early_mean=mean,
        early_sd=sd,
        early_count=int(early.size),
        early_quantiles=quantiles,
        slot_source=source,
    )


def fit_mix(records: Records, days: list[int]) -> Mix:
    """How the training days' walk-ins and bookings spread over the matters."""
    mine = np.isin(records.day, days)
    walk = mine & walkin_mask(records)
    booked = mine & records.appointment & ~np.isnan(records.slot)
    size = len(records.codes)

    def count(mask: NDArray[np.bool_]) -> tuple[int, ...]:
        return tuple(int(c) for c in np.bincount(records.matter[mask], minlength=size))

    return Mix(count(walk), count(walk & records.green), count(booked))
