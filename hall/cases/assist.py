"""帮办: a citizen (phone page, kiosk) or a clerk asks for help; helpers take it.

A request is a case of kind ``help``: its steps are published, so every helper's page
hears of it at once and rings; the first helper to accept owns it (the case row is
locked, so exactly one accept wins). The response time (request → accept) is the
帮办 KPI; an unanswered request escalates after ``[cases] help_response_seconds``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cases.access import is_helper, require_hall_staff
from hall.cases.engine import open_case
from hall.cases.kinds import CaseKind, CaseStatus, Origin
from hall.cases.rules import hall_rules
from hall.cases.served import served_by
from hall.cases.views import CaseView, views_of
from hall.errors import Conflict, Forbidden, InvalidInput, NotFound
from hall.publish import Publisher
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import CaseRow, TicketRow
from hall.store.unit import reading, unit_of_work

_TICKETS: Table = TicketRow.__table__  # type: ignore[assignment]
_TICKET_FOR_UPDATE = select(_TICKETS).where(_TICKETS.c.id == bindparam("b_id")).with_for_update()
NOTE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """The answer to a 帮办 request: the case, and whether this request opened it."""

    case: CaseView
    created: bool

    def public_json(self) -> dict[str, Any]:
        """What the citizen's page may show: no names, only the helper's job number."""
        return public_help(self.case)


def public_help(case: CaseView) -> dict[str, Any]:
    return {
        "id": case.id,
        "kind": case.kind,
        "status": case.status,
        "ticket": case.ticket,
        "opened_at": case.opened_at.isoformat(),
        "accepted_at": None if case.accepted_at is None else case.accepted_at.isoformat(),
        "helper": case.owner,
    }


async def locked_ticket(session: AsyncSession, ticket_id: Any) -> TicketRow:
    """A ticket row read with a row lock (PostgreSQL), as a plain row; raises NotFound."""
    found = None
    if isinstance(ticket_id, str):
        connection = await session.connection()
        found = (await connection.execute(_TICKET_FOR_UPDATE, {"b_id": ticket_id})).first()
    if found is None:
        raise no_such_ticket()
    return TicketRow(**found._mapping)


def no_such_ticket() -> NotFound:
    return NotFound(
        "There is no ticket with this id; check the link on your ticket slip.",
        "找不到该号票，请核对号票上的链接。",
    )


async def request_help(
    db: Database,
    publisher: Publisher,
    ticket_id: str,
    now: datetime,
    *,
    staff: StaffMember | None = None,
    note: str = "",
) -> HelpRequest:
    """Ask for 帮办 for a ticket of today; a request still open is returned, not repeated."""
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(
            f"The note is longer than {NOTE_LIMIT} characters.",
            f"留言超过 {NOTE_LIMIT} 个字符。",
            fields={"note": f"at most {NOTE_LIMIT} characters"},
        )
    async with reading(db) as tx:
        session = tx.session
        hall_id = await session.scalar(select(TicketRow.hall_id).where(TicketRow.id == ticket_id))
    if hall_id is None:
        raise no_such_ticket()
    if staff is not None and not staff.works_in(hall_id):
        raise Forbidden(
            "You do not work in this ticket's hall.", "您不是该号票所在大厅的工作人员。"
        )
    actor = "citizen" if staff is None else staff.username
    async with unit_of_work(db, publisher, actor, hall_id, now) as unit:
        ticket = await locked_ticket(unit.session, ticket_id)
        rules = await hall_rules(unit, hall_id)
        if ticket.service_day != now.astimezone(rules.zone).date():
            raise Conflict(
                f"Ticket {ticket.number} was for {ticket.service_day}; ask for 帮办 on the day.",
                f"号票 {ticket.number} 是 {ticket.service_day} 的号，帮办只能在当天申请。",
            )
        existing = await unit.session.scalar(
            select(CaseRow).where(
                CaseRow.ticket_id == ticket.id,
                CaseRow.kind == CaseKind.HELP.value,
                CaseRow.status != CaseStatus.CLOSED.value,
            )
        )
        created = existing is None
        if existing is None:
            served = (await served_by(unit.session, [ticket]))[ticket.id]
            origin = Origin.CITIZEN if staff is None else Origin.CLERK
            existing = await open_case(
                unit, rules, CaseKind.HELP, origin, summary=note, ticket=ticket, served=served
            )
        case_id = existing.id
    async with reading(db) as tx:
        session = tx.session
        row = await session.get(CaseRow, case_id)
        assert row is not None
        view = (await views_of(session, [row], now))[0]
    return HelpRequest(view, created)


async def ticket_help(db: Database, ticket_id: str, now: datetime) -> CaseView | None:
    """The ticket's latest 帮办 request (for the citizen's page), or None."""
    async with reading(db) as tx:
        session = tx.session
        row = await session.scalar(
            select(CaseRow)
            .where(CaseRow.ticket_id == ticket_id, CaseRow.kind == CaseKind.HELP.value)
            .order_by(CaseRow.id.desc())
            .limit(1)
        )
        if row is None:
            return None
        return (await views_of(session, [row], now))[0]


async def help_desk(
    db: Database, staff: StaffMember | None, hall_id: str, now: datetime
) -> list[CaseView]:
    """The open 帮办 requests of a hall and the ones this helper has accepted."""
    member = require_hall_staff(staff, hall_id)
    async with reading(db) as tx:
        session = tx.session
        rules = await hall_rules(tx, hall_id)
        if not is_helper(member, rules):
            raise Forbidden(
                "Only the hall's helpers (supervisors and listed clerks) see 帮办 requests.",
                "只有本大厅的帮办人员（大厅管理员及指定的窗口人员）可以查看帮办请求。",
            )
        query = (
            select(CaseRow)
            .where(
                CaseRow.hall_id == hall_id,
                CaseRow.kind == CaseKind.HELP.value,
                (CaseRow.status == CaseStatus.OPEN.value)
                | ((CaseRow.status == CaseStatus.ACCEPTED.value) & (CaseRow.owner_id == member.id)),
            )
            .order_by(CaseRow.id)
        )
        rows = (await session.scalars(query)).all()
        return await views_of(session, rows, now)
