"""The booking credit rule (预约信用): no-shows and late cancellations suspend online booking.

A person's history is a list of ``(kind, at)`` entries with aware datetimes; kinds are
``no_show``, ``late_cancellation`` and ``lift`` (a supervisor lifted a suspension).

The rule, per kind (no-shows and late cancellations are counted separately):

- Events at or before the latest lift (a ``lift`` entry or the ``lifted_at`` argument)
  do not count; nor do events after ``now``.
- A window is D days long and half-open: it holds the events after ``t − D days`` up to
  and including ``t``. Two events exactly D days apart are *not* in one window.
- When an event brings the count in the window ending at it to the threshold (N no-shows
  or M late cancellations), it triggers a suspension that runs P days from that event.
  The events counted are then used up: a later suspension needs a full set of new ones.
- A warning is due when the person is not suspended and the window ending at ``now``
  holds unused events one short of a threshold (never for a threshold of 1).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from hall.catalogue.schema import NoShowRule


class CreditEventKind(enum.StrEnum):
    """What happened to a person's booking credit."""

    NO_SHOW = "no_show"
    LATE_CANCELLATION = "late_cancellation"
    LIFT = "lift"


History = Iterable[tuple[str, datetime]]


@dataclass(frozen=True, slots=True)
class CreditStatus:
    """A person's credit at one moment."""

    suspended_until: datetime | None
    warning: bool
    no_shows: int  # unused no-shows in the window ending now
    late_cancellations: int


def credit_status(
    history: History, rule: NoShowRule, now: datetime, lifted_at: datetime | None = None
) -> CreditStatus:
    """Apply the credit rule to a history; raises ValueError for an unknown kind or naive time."""
    _require_aware(now)
    events = _parse(history)
    lift = _latest_lift(events, now, lifted_at)
    window = timedelta(days=rule.window_days)
    thresholds = {
        CreditEventKind.NO_SHOW: rule.no_shows,
        CreditEventKind.LATE_CANCELLATION: rule.late_cancellations,
    }
    ends: list[datetime] = []
    counts: dict[CreditEventKind, int] = {}
    for kind, threshold in thresholds.items():
        times = sorted(
            at for k, at in events if k is kind and at <= now and (lift is None or at > lift)
        )
        trigger, unused = _scan(times, threshold, window)
        if trigger is not None:
            ends.append(trigger + timedelta(days=rule.suspend_days))
        counts[kind] = sum(1 for at in unused if at > now - window)
    until = max(ends, default=None)
    suspended = until if until is not None and until > now else None
    warning = suspended is None and any(
        threshold > 1 and counts[kind] == threshold - 1 for kind, threshold in thresholds.items()
    )
    no_shows, late = counts[CreditEventKind.NO_SHOW], counts[CreditEventKind.LATE_CANCELLATION]
    return CreditStatus(suspended, warning, no_shows, late)


def _latest_lift(
    events: list[tuple[CreditEventKind, datetime]], now: datetime, lifted_at: datetime | None
) -> datetime | None:
    lifts = [at for kind, at in events if kind is CreditEventKind.LIFT and at <= now]
    if lifted_at is not None:
        _require_aware(lifted_at)
        lifts.append(lifted_at)
    return max(lifts, default=None)


def _scan(
    times: list[datetime], threshold: int, window: timedelta
) -> tuple[datetime | None, list[datetime]]:
    """The latest triggering event, and the events left unused after it."""
    trigger: datetime | None = None
    pending: list[datetime] = []
    for at in times:
        pending = [earlier for earlier in pending if earlier > at - window]
        pending.append(at)
        if threshold > 0 and len(pending) >= threshold:
            trigger = at
            pending = []
    return trigger, pending


def suspension_until(
    history: History, rule: NoShowRule, now: datetime, lifted_at: datetime | None = None
) -> datetime | None:
    """When online booking is suspended until, or None; raises ValueError on bad history."""
    return credit_status(history, rule, now, lifted_at).suspended_until


def warning_due(
    history: History, rule: NoShowRule, now: datetime, lifted_at: datetime | None = None
) -> bool:
    """Whether one more event would suspend the person; raises ValueError on bad history."""
    return credit_status(history, rule, now, lifted_at).warning


def _parse(history: History) -> list[tuple[CreditEventKind, datetime]]:
    events: list[tuple[CreditEventKind, datetime]] = []
    for kind, at in history:
        try:
            parsed = CreditEventKind(kind)
        except ValueError:
            raise ValueError(f"unknown credit event kind {kind!r}") from None
        _require_aware(at)
        events.append((parsed, at))
    return events


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("credit rule times must be aware datetimes")
