"""The dispatch policy, stateless reference version: which waiting ticket a free window calls."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from queueing.policy import MINUTE, Policy
from queueing.ticket import Source, Ticket, TicketStatus
from queueing.window import NO_COVERAGE, Coverage, WindowKind, WindowState, may_serve


class PriorityClass(enum.Enum):
    """A waiting ticket's class at a given moment; `rank` orders the classes."""

    GREEN = "green"
    APPOINTMENT = "appointment"
    AGED_WALK_IN = "aged_walk_in"  # a walk-in promoted by ageing; ranks with appointments
    WALK_IN = "walk_in"

    @property
    def rank(self) -> int:
        """Return 0 for green, 1 for appointments and aged walk-ins, 2 for walk-ins."""
        return _RANK[self]


_RANK = {
    PriorityClass.GREEN: 0,
    PriorityClass.APPOINTMENT: 1,
    PriorityClass.AGED_WALK_IN: 1,
    PriorityClass.WALK_IN: 2,
}


class Rule(enum.Enum):
    """The rule that picked a ticket, recorded with every call."""

    GREEN_BOUND = "green_bound"  # a green ticket reached its guaranteed maximum wait
    PRIORITY_CAP = "priority_cap"  # N priority calls in a row: a walk-in's turn
    GREEN = "green"
    APPOINTMENT = "appointment"
    AGEING = "ageing"
    WALK_IN = "walk_in"
    CHOSEN = "chosen"  # staff called this ticket out of order, with a reason

    @property
    def priority(self) -> bool:
        """Tell whether a call by this rule extends the window's run of priority calls."""
        return self in _PRIORITY_RULES


_PRIORITY_RULES = frozenset({Rule.GREEN_BOUND, Rule.GREEN, Rule.APPOINTMENT})
_RULE_OF_CLASS = {
    PriorityClass.GREEN: Rule.GREEN,
    PriorityClass.APPOINTMENT: Rule.APPOINTMENT,
    PriorityClass.AGED_WALK_IN: Rule.AGEING,
    PriorityClass.WALK_IN: Rule.WALK_IN,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """The ticket a window should call, and why."""

    ticket: Ticket
    rule: Rule
    priority: bool


def arrival(ticket: Ticket) -> float:
    """Return when the ticket joined the queue (check-in time; issue time for walk-ins)."""
    joined = ticket.checked_in_at
    return ticket.issued_at if joined is None else joined


def on_time_appointment(ticket: Ticket, now: float, policy: Policy) -> bool:
    """Tell whether a non-green appointment ticket ranks as an appointment at `now`."""
    due = ticket.due_at
    if ticket.green or ticket.source is not Source.APPOINTMENT or due is None:
        return False
    if arrival(ticket) > due + policy.appointment_late_grace_minutes * MINUTE:
        return False  # arrived after the late grace: served as a walk-in
    return due - policy.appointment_early_margin_minutes * MINUTE <= now


def priority_class(ticket: Ticket, now: float, policy: Policy) -> PriorityClass:
    """Classify a waiting ticket at `now`: green, on-time appointment, aged or plain walk-in."""
    if ticket.green:
        return PriorityClass.GREEN
    if on_time_appointment(ticket, now, policy):
        return PriorityClass.APPOINTMENT
    if arrival(ticket) + policy.walkin_ageing_minutes * MINUTE <= now:
        return PriorityClass.AGED_WALK_IN
    return PriorityClass.WALK_IN


def sort_key(ticket: Ticket, now: float, policy: Policy) -> tuple[int, float, str]:
    """Order tickets by class, then earliest due (slot start for appointments), then id."""
    cls = priority_class(ticket, now, policy)
    due = ticket.due_at if cls is PriorityClass.APPOINTMENT else None
    return cls.rank, arrival(ticket) if due is None else due, ticket.id


def choose_next(
    window: WindowState,
    waiting: Iterable[Ticket],
    now: float,
    policy: Policy,
    coverage: Coverage = NO_COVERAGE,
) -> Decision | None:
    """Choose the ticket a free window should call now, or None if it may serve nobody.

    `waiting` may hold tickets in any state; only WAITING ones the window may serve count.
    `coverage` is what the open specialised and green windows cover (see `coverage_of`).
    Raises nothing.
    """
    eligible = [t for t in waiting if t.status is TicketStatus.WAITING and may_serve(window, t)]
    if not eligible:
        return None
    green_bound = policy.green_max_wait_minutes * MINUTE
    overdue = [t for t in eligible if t.green and arrival(t) + green_bound <= now]
    if overdue:
        return Decision(min(overdue, key=_by_arrival), Rule.GREEN_BOUND, True)
    pool = preferred_pool(window, eligible, now, policy, coverage)
    cap = policy.priority_cap  # None: the cap is off
    if window.kind is not WindowKind.GREEN and cap is not None and window.priority_streak >= cap:
        walkers = [t for t in pool if not t.green and not on_time_appointment(t, now, policy)]
        if walkers:
            return Decision(min(walkers, key=_by_arrival), Rule.PRIORITY_CAP, False)
    best = min(pool, key=lambda t: sort_key(t, now, policy))
    rule = _RULE_OF_CLASS[priority_class(best, now, policy)]
    return Decision(best, rule, rule.priority)


def preferred_pool(
    window: WindowState, eligible: list[Ticket], now: float, policy: Policy, coverage: Coverage
) -> list[Ticket]:
    """Return the tickets a window takes first: for a comprehensive window, uncovered work.

    Covered work (an open specialist's) joins once it has waited the overflow time.
    """
    if window.kind is not WindowKind.COMPREHENSIVE:
        return eligible
    overflow = policy.specialist_overflow_minutes * MINUTE
    preferred = [t for t in eligible if not coverage.covers(t) or arrival(t) + overflow <= now]
    return preferred or eligible


def _by_arrival(ticket: Ticket) -> tuple[float, str]:
    return arrival(ticket), ticket.id
