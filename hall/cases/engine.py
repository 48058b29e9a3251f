"""The case engine: open a case, take a step on it, read cases back.

Every change is one unit of work (``hall.store.unit``): the case row is locked, the
step checked against the kind's state table (``hall.cases.kinds``) and the reader's
rights (``hall.cases.access``), the row changed, and the step written as an audit event
(subject ``case``/id): that event log *is* the case's timeline. Steps of 帮办 requests
are published, so helpers' pages hear of them at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from hall.cases.access import can_see, require_step
from hall.cases.args import choice
from hall.cases.deadlines import initial_deadlines, refresh_due
from hall.cases.errors import AlreadyAccepted, illegal_step, no_such_case
from hall.cases.kinds import CaseKind, CaseStatus, Origin, Step, allowed_from
from hall.cases.rules import HallRules, hall_rules
from hall.cases.served import NOBODY, Served
from hall.cases.steps import HANDLERS, StepContext
from hall.cases.views import CaseView, views_of
from hall.publish import Publisher
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import CaseRow, TicketRow
from hall.store.unit import Unit, reading, unit_of_work


def record(
    unit: Unit,
    row: CaseRow,
    step: str,
    before: str | None,
    *,
    note: str = "",
    details: Mapping[str, Any] | None = None,
) -> None:
    """Write one timeline entry; 帮办 steps also go to the helpers' pages."""
    unit.record(
        f"case_{step}",
        "case",
        row.id,
        before=None if before is None else {"status": before},
        after={"status": row.status, "kind": row.kind, "window": row.window_number},
        data={"step": step, "note": note, **(details or {})},
        publish=row.kind == CaseKind.HELP,
    )


async def open_case(
    unit: Unit,
    rules: HallRules,
    kind: CaseKind,
    origin: Origin,
    *,
    summary: str = "",
    ticket: TicketRow | None = None,
    served: Served = NOBODY,
    matter: str | None = None,
    rating_id: int | None = None,
    contact: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> CaseRow:
    """Open a case inside the caller's unit of work, with its first deadlines."""
    now = unit.now
    row = CaseRow(
        hall_id=rules.id,
        kind=kind.value,
        origin=origin.value,
        status=CaseStatus.OPEN.value,
        ticket_id=None if ticket is None else ticket.id,
        ticket_number=None if ticket is None else ticket.number,
        service_day=ticket.service_day if ticket else now.astimezone(rules.zone).date(),
        rating_id=rating_id,
        window_number=served.window,
        staff_id=served.staff_id,
        staff_job=served.staff_job,
        matter_code=matter if matter is not None else (ticket.matter_code if ticket else None),
        contact=contact,
        summary=summary,
        opened_by=unit.actor,
        opened_at=now,
        deadlines=initial_deadlines(rules, kind, now),
        escalations=0,
        forwarded_to="",
        details=dict(details or {}),
    )
    refresh_due(row)
    unit.session.add(row)
    await unit.session.flush()
    record(unit, row, "opened", None, note=summary, details={"origin": origin.value})
    return row


async def take_step(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    case_id: int,
    args: Mapping[str, Any],
    now: datetime,
) -> CaseView:
    """Take one step on a case; raises NotFound, Forbidden, IllegalStep (409) or InvalidInput."""
    step = choice(args, "step", Step)
    hall_id = await _hall_of(db, case_id)
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        rules = await hall_rules(unit, hall_id)
        row = await unit.session.get(CaseRow, case_id, with_for_update=True, populate_existing=True)
        if row is None or not can_see(staff, row, rules, now):
            raise no_such_case(case_id)
        require_step(staff, row, step, rules)
        kind, status = CaseKind(row.kind), CaseStatus(row.status)
        if status not in allowed_from(kind, step):
            if step is Step.ACCEPT and kind is CaseKind.HELP and row.owner_job:
                raise AlreadyAccepted(row.id, row.owner_job)
            raise illegal_step(row.id, row.kind, step.value, row.status)
        note, details = await HANDLERS[step](StepContext(unit, rules, staff, row), args)
        refresh_due(row)
        record(unit, row, step.value, status.value, note=note, details=details)
    return await get_case(db, staff, case_id, now)


async def _hall_of(db: Database, case_id: int) -> str:
    async with reading(db) as tx:
        session = tx.session
        hall_id = await session.scalar(select(CaseRow.hall_id).where(CaseRow.id == case_id))
    if hall_id is None:
        raise no_such_case(case_id)
    return hall_id


async def get_case(db: Database, staff: StaffMember, case_id: int, now: datetime) -> CaseView:
    """One case with its timeline, if this member may see it; raises NotFound."""
    async with reading(db) as tx:
        session = tx.session
        row = await session.get(CaseRow, case_id)
        if row is None or not staff.works_in(row.hall_id):
            raise no_such_case(case_id)
        rules = await hall_rules(tx, row.hall_id)
        if not can_see(staff, row, rules, now):
            raise no_such_case(case_id)
        return (await views_of(session, [row], now))[0]


async def withdraw_for_rating(unit: Unit, rating_id: int, note: str) -> CaseRow | None:
    """Close the open case of a rating that was changed to 3 or more (追评), as the system."""
    row = await unit.session.scalar(
        select(CaseRow).where(CaseRow.rating_id == rating_id).with_for_update()
    )
    if row is None or row.status == CaseStatus.CLOSED:
        return row
    before = row.status
    row.status, row.closed_at = CaseStatus.CLOSED.value, unit.now
    row.details = {**row.details, "withdrawn": True}
    refresh_due(row)
    record(unit, row, "withdrawn", before, note=note)
    return row


async def get_case_row_view(db: Database, case_id: int, now: datetime) -> CaseView:
    """A case's view for a service that just wrote it (no reader's rights involved)."""
    async with reading(db) as tx:
        session = tx.session
        row = await session.get(CaseRow, case_id)
        if row is None:
            raise no_such_case(case_id)
        return (await views_of(session, [row], now))[0]
