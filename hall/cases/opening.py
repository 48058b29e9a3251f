"""Cases opened by staff: 办不成事 at a window (or 转办不成事 from any window), a
complaint at the desk, and the 否定答复 report written when a clerk finishes a ticket
as rejected (in the same transaction as the finish)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hall.cases.access import is_supervisor
from hall.cases.args import choice
from hall.cases.assist import locked_ticket
from hall.cases.engine import get_case, open_case
from hall.cases.kinds import CaseKind, Origin
from hall.cases.rules import hall_rules
from hall.cases.served import NOBODY, Served, contact_of, served_by
from hall.cases.views import CaseView
from hall.errors import Forbidden, InvalidInput
from hall.publish import Publisher
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import TicketRow
from hall.store.unit import Unit, unit_of_work

SUMMARY_LIMIT = 500


def summary_text(value: Any, name: str = "summary") -> str:
    """A required description of at most 500 characters (422 otherwise)."""
    if not isinstance(value, str) or not value.strip() or len(value) > SUMMARY_LIMIT:
        raise InvalidInput(
            f"The field {name!r} is required: say what happened in at most "
            f"{SUMMARY_LIMIT} characters.",
            f"请填写字段 {name!r}：用不超过 {SUMMARY_LIMIT} 个字说明情况。",
            fields={name: f"1 to {SUMMARY_LIMIT} characters"},
        )
    return value.strip()


async def open_desk_case(
    db: Database,
    publisher: Publisher,
    staff: StaffMember,
    hall_id: str,
    kind: Any,
    summary: Any,
    now: datetime,
    *,
    ticket_id: str | None = None,
    matter: str | None = None,
) -> CaseView:
    """Open a 办不成事 case (any clerk of the hall) or a complaint (supervisors)."""
    require(staff, Role.CLERK, hall_id)
    kind = choice({"kind": kind}, "kind", CaseKind)
    text = summary_text(summary)
    if kind is CaseKind.COMPLAINT and not is_supervisor(staff, hall_id):
        raise Forbidden("Complaints are recorded by supervisors.", "投诉由大厅管理员登记。")
    if kind not in (CaseKind.CANNOT_HANDLE, CaseKind.COMPLAINT):
        raise InvalidInput(
            "Staff open cases of kind cannot_handle or complaint here.",
            "此处只能登记“办不成事”或“投诉”工单。",
            fields={"kind": "cannot_handle or complaint"},
        )
    async with unit_of_work(db, publisher, staff.username, hall_id, now) as unit:
        rules = await hall_rules(unit, hall_id)
        ticket, served, contact = None, NOBODY, None
        if ticket_id is not None:
            ticket = await locked_ticket(unit.session, ticket_id)
            if ticket.hall_id != hall_id:
                raise InvalidInput(
                    "The ticket is not one of this hall's.",
                    "该号票不属于本大厅。",
                    fields={"ticket": "another hall's ticket"},
                )
            served = (await served_by(unit.session, [ticket]))[ticket.id]
            contact = await contact_of(unit.session, ticket)
        if matter is not None and matter not in {m.code for m in rules.hall.matters}:
            raise InvalidInput(
                f"Hall {hall_id!r} has no matter {matter!r}.",
                f"大厅 {hall_id!r} 没有事项 {matter!r}。",
                fields={"matter": "unknown matter"},
            )
        origin = Origin.WINDOW if kind is CaseKind.CANNOT_HANDLE else Origin.DESK
        row = await open_case(
            unit, rules, kind, origin, summary=text, ticket=ticket, served=served,
            matter=matter, contact=contact,
        )  # fmt: skip
        case_id = row.id
    return await get_case(db, staff, case_id, now)


async def report_refusal(unit: Unit, ticket: TicketRow, staff: StaffMember, reason: str) -> None:
    """The 否定答复 report of a ticket finished as rejected, in the finish's transaction."""
    rules = await hall_rules(unit, ticket.hall_id)
    served = Served(ticket.window_number, staff.id, staff.job_number)
    contact = await contact_of(unit.session, ticket)
    await open_case(
        unit, rules, CaseKind.CANNOT_HANDLE, Origin.REFUSAL, summary=reason, ticket=ticket,
        served=served, contact=contact,
    )  # fmt: skip
