"""Supervisors and a person's booking credit: look it up, lift a suspension (audited).

A person is found by document (kind and number), reduced at once to the same keyed hash
booking uses; the clear number goes no further. A lift is an event of kind
``booking_suspension_lifted`` whose subject is the person key: the credit rule ignores
every no-show and late cancellation at or before it, in every hall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hall.booking.appointments import person_key
from hall.booking.credit import CreditStatus, credit_status
from hall.booking.identity import mask_id, validate_id_number
from hall.booking.rules import LIFTED, PERSON, credit_warning, person_record
from hall.catalogue.cache import hall_config
from hall.catalogue.schema import Hall, NoShowRule
from hall.errors import Conflict, InvalidInput
from hall.publish import NullPublisher
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.unit import reading, unit_of_work

MAX_REASON = 200


class NothingToLift(Conflict):
    """The person has no counted no-show or late cancellation, so there is nothing to lift."""

    code = "nothing_to_lift"


@dataclass(frozen=True, slots=True)
class CreditEntry:
    """One counted event of a person's booking history, in the hall's local time."""

    kind: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CreditView:
    """A person's booking credit under a hall's rule (the ID number masked)."""

    id_number: str
    suspended_until: datetime | None
    no_shows: int
    late_cancellations: int
    warning: dict[str, Any] | None
    history: list[CreditEntry]
    rule: NoShowRule


def _status_view(
    hall: Hall, masked: str, status: CreditStatus, history: tuple[tuple[str, datetime], ...]
) -> CreditView:
    zone = ZoneInfo(hall.timezone)
    until = status.suspended_until
    return CreditView(
        id_number=masked,
        suspended_until=None if until is None else until.astimezone(zone),
        no_shows=status.no_shows,
        late_cancellations=status.late_cancellations,
        warning=credit_warning(hall, status),
        history=[CreditEntry(kind, at.astimezone(zone)) for kind, at in sorted(history)],
        rule=hall.booking.no_show_rule,
    )


def _person(secret: str, id_kind: str, id_number: str, now: datetime) -> tuple[str, str]:
    number = validate_id_number(id_kind, id_number, today=now.date())
    return person_key(secret, id_kind, number, now.date()), mask_id(number)


async def credit_of(
    db: Database, hall_id: str, id_kind: str, id_number: str, now: datetime, secret: str
) -> CreditView:
    """A person's credit under the hall's rule; raises InvalidInput or NotFound."""
    key, masked = _person(secret, id_kind, id_number, now)
    async with reading(db) as tx:
        hall = await hall_config(tx, hall_id)
        record = await person_record(tx.session, key)
    status = credit_status(record.history, hall.booking.no_show_rule, now)
    return _status_view(hall, masked, status, record.history)


async def lift_suspension(
    db: Database,
    staff: StaffMember,
    hall_id: str,
    *,
    id_kind: str,
    id_number: str,
    reason: str,
    now: datetime,
    secret: str,
) -> CreditView:
    """Lift a suspension (and clear counted events); raises InvalidInput, NothingToLift."""
    key, masked = _person(secret, id_kind, id_number, now)
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"Give the reason for lifting, 1 to {MAX_REASON} characters.",
            f"请填写解除原因（1 至 {MAX_REASON} 字）。",
            fields={"reason": f"1 to {MAX_REASON} characters"},
        )
    async with unit_of_work(db, NullPublisher(), staff.username, hall_id, now) as unit:
        hall = await hall_config(unit, hall_id)
        record = await person_record(unit.session, key)
        before = credit_status(record.history, hall.booking.no_show_rule, now)
        if before.suspended_until is None and not before.no_shows and not before.late_cancellations:
            raise NothingToLift(
                "This person is not suspended and has no counted no-show or late cancellation.",
                "此人未被暂停预约，也没有计入的爽约或临时取消记录，无需解除。",
            )
        unit.record(
            LIFTED,
            PERSON,
            key,
            before={
                "suspended_until": (
                    before.suspended_until.isoformat() if before.suspended_until else None
                ),
                "no_shows": before.no_shows,
                "late_cancellations": before.late_cancellations,
            },
            data={"id": masked, "reason": reason},
            publish=False,
        )
    history = (*record.history, ("lift", now))
    after = credit_status(history, hall.booking.no_show_rule, now)
    return _status_view(hall, masked, after, history)
