"""Booking's own errors: each has a stable code the booking pages and API clients rely on."""

from __future__ import annotations

from hall.errors import Conflict, Forbidden


class SlotFull(Conflict):
    """Every seat of the slot is taken."""

    code = "slot_full"


class DuplicateBooking(Conflict):
    """The person already holds an active booking for this matter on that day."""

    code = "duplicate_booking"


class BookingLimit(Conflict):
    """The person reached the weekly or monthly booking cap."""

    code = "booking_limit"


class NotOnSale(Conflict):
    """The slot is outside the booking horizon, not released yet, or too soon."""

    code = "not_on_sale"


class TooLate(Conflict):
    """The cut-off before the slot has passed (moving), or the slot is over."""

    code = "too_late"


class TooEarly(Conflict):
    """Check-in opens a set time before the slot."""

    code = "too_early"


class BookingSuspended(Forbidden):
    """Online booking is suspended after repeated no-shows or late cancellations."""

    code = "booking_suspended"


class SlotClosed(Conflict):
    """A supervisor closed the slot for booking."""

    code = "slot_closed"
