"""Rating a finished service (好差评): once per ticket, voluntary, within the period.

The ticket id (the slip's QR) is the capability. The ticket row is locked while the
rating is written (and ``ratings.ticket_id`` is unique), so simultaneous ratings of one
ticket give exactly one. A change (追评) must be asked for (``"change": true``), is
allowed once within ``[rating] change_hours`` of the rating, and is a conditional write
too. A rating of 1–2 opens a bad-rating case in the same transaction; a change to 3 or
more closes it again, a change down to 1–2 opens one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hall.cases.assist import locked_ticket, no_such_ticket
from hall.cases.engine import get_case_row_view, open_case, withdraw_for_rating
from hall.cases.kinds import CaseKind, Origin
from hall.cases.rules import HallRules, hall_rules
from hall.cases.served import contact_of, served_by
from hall.cases.views import CaseView
from hall.publish import Publisher
from hall.ratings.errors import AlreadyRated, NotFinished, RatingClosed
from hall.ratings.input import RatingInput
from hall.ratings.scale import BAD_MAX, Channel
from hall.ratings.views import RatingView, change_until, rating_view
from hall.store.db import Database
from hall.store.models import CaseRow, RatingRow, TicketRow
from hall.store.unit import Unit, unit_of_work


@dataclass(frozen=True, slots=True)
class RatingResult:
    """The rating as stored, and the bad-rating case it opened (None otherwise)."""

    rating: RatingView
    case: CaseView | None
    changed: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "rating": self.rating.to_json(),
            "case": None if self.case is None else _case_summary(self.case),
        }


def _case_summary(case: CaseView) -> dict[str, Any]:
    """What the citizen learns about the case their rating opened."""
    return {
        "id": case.id,
        "kind": case.kind,
        "status": case.status,
        "opened_at": case.opened_at.isoformat(),
        "due_at": None if case.due_at is None else case.due_at.isoformat(),
    }


async def rate_ticket(
    db: Database,
    publisher: Publisher,
    ticket_id: str,
    body: Mapping[str, Any],
    now: datetime,
    channel: Channel = Channel.API,
) -> RatingResult:
    """Rate (or, with ``"change": true``, change the rating of) a finished ticket."""
    given = RatingInput.parse(body)
    async with db.read() as session:
        hall_id = await session.scalar(select(TicketRow.hall_id).where(TicketRow.id == ticket_id))
    if hall_id is None:
        raise no_such_ticket()
    async with unit_of_work(db, publisher, "citizen", hall_id, now) as unit:
        ticket = await locked_ticket(unit.session, ticket_id)
        rules = await hall_rules(unit, hall_id)
        if ticket.status != "finished" or ticket.finished_at is None:
            raise NotFinished(ticket.number)
        existing = await unit.session.scalar(
            select(RatingRow).where(RatingRow.ticket_id == ticket.id)
        )
        if existing is None:
            row, case_id = await _first(unit, rules, ticket, given, channel)
            changed = False
        elif given.change:
            row, case_id = await _change(unit, rules, existing, given)
            changed = True
        else:
            raise AlreadyRated(
                ticket.number, "a change must be asked for", "如需修改请选择“修改评价”"
            )
        view = rating_view(row, rules.rating, now)
    case = None if case_id is None else await get_case_row_view(db, case_id, now)
    return RatingResult(view, case, changed)


async def _first(
    unit: Unit, rules: HallRules, ticket: TicketRow, given: RatingInput, channel: Channel
) -> tuple[RatingRow, int | None]:
    assert ticket.finished_at is not None
    closes = ticket.finished_at + timedelta(days=rules.rating.period_days)
    if unit.now > closes:
        raise RatingClosed(ticket.number, closes.astimezone(rules.zone))
    served = (await served_by(unit.session, [ticket]))[ticket.id]
    row = RatingRow(
        ticket_id=ticket.id,
        hall_id=ticket.hall_id,
        service_day=ticket.service_day,
        ticket_number=ticket.number,
        matter_code=ticket.matter_code,
        window_number=served.window,
        staff_id=served.staff_id,
        staff_job=served.staff_job,
        finished_at=ticket.finished_at,
        channel=channel.value,
        rated_at=unit.now,
        changes=0,
        excluded=False,
        excluded_reason="",
    )
    given.apply(row)
    unit.session.add(row)
    await unit.session.flush()
    _record(unit, row, "rating_given", None)
    if row.score > BAD_MAX:
        return row, None
    case = await open_case(
        unit, rules, CaseKind.BAD_RATING, Origin.RATING, summary=row.comment, ticket=ticket,
        served=served, rating_id=row.id, contact=await contact_of(unit.session, ticket),
        details={"reasons": list(row.reasons)},
    )  # fmt: skip
    return row, case.id


async def _change(
    unit: Unit, rules: HallRules, row: RatingRow, given: RatingInput
) -> tuple[RatingRow, int | None]:
    until = change_until(row, rules.rating)
    if until is None or unit.now > until:
        raise AlreadyRated(
            row.ticket_number,
            f"a rating can be changed once, within {rules.rating.change_hours} h",
            f"评价只能在 {rules.rating.change_hours} 小时内修改一次",
        )
    before = {"score": row.score}
    was_bad = row.score <= BAD_MAX
    given.apply(row)
    row.changes, row.changed_at = row.changes + 1, unit.now
    _record(unit, row, "rating_changed", before)
    if was_bad and row.score > BAD_MAX:
        case = await withdraw_for_rating(unit, row.id, "评价已修改为满意 / the rating was changed")
        return row, None if case is None else case.id
    if not was_bad and row.score <= BAD_MAX:
        ticket = await locked_ticket(unit.session, row.ticket_id)
        served = (await served_by(unit.session, [ticket]))[ticket.id]
        case = await open_case(
            unit, rules, CaseKind.BAD_RATING, Origin.RATING, summary=row.comment,
            ticket=ticket, served=served, rating_id=row.id,
            contact=await contact_of(unit.session, ticket),
            details={"reasons": list(row.reasons)},
        )  # fmt: skip
        return row, case.id
    found: int | None = await unit.session.scalar(
        select(CaseRow.id).where(CaseRow.rating_id == row.id)
    )
    return row, found


def _record(unit: Unit, row: RatingRow, kind: str, before: dict[str, Any] | None) -> None:
    """The rating's audit event: published (numbers only reach the hub) so that the
    window's evaluator returns to idle; the subject is the rating, never the ticket, so the
    console's ticket history never shows it."""
    unit.record(
        kind,
        "rating",
        row.id,
        before=before,
        after={
            "score": row.score,
            "channel": row.channel,
            "ticket": row.ticket_number,
            "window": row.window_number,
        },
        data={"reasons": list(row.reasons)},
    )
