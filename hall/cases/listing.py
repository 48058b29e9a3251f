"""Lists of cases for the case desk and the API, filtered and limited to what the reader
may see (``hall.cases.access``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, or_, select

from hall.cases.access import require_hall_staff, visible
from hall.cases.args import choice
from hall.cases.kinds import CaseKind, CaseStatus
from hall.cases.rules import hall_rules
from hall.cases.views import CaseView, views_of
from hall.errors import InvalidInput
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import CaseRow
from hall.store.unit import reading

ACTIVE = "active"  # a status filter: every status but closed
MAX_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """What the desk asks for; None means "any"."""

    kind: CaseKind | str | None = None
    status: str | None = None  # a CaseStatus value, or "active"
    overdue: bool | None = None
    window: int | None = None
    staff: str | None = None  # job number of the staff member the case is about
    matter: str | None = None
    first_day: date | None = None  # the service day the case concerns, inclusive
    last_day: date | None = None
    limit: int = 200

    def __post_init__(self) -> None:
        if self.kind is not None:
            object.__setattr__(self, "kind", choice({"kind": self.kind}, "kind", CaseKind))
        allowed = {s.value for s in CaseStatus} | {ACTIVE}
        if self.status is not None and self.status not in allowed:
            raise InvalidInput(
                f"The status filter must be one of: {', '.join(sorted(allowed))}.",
                f"状态筛选必须是以下之一：{'、'.join(sorted(allowed))}。",
                fields={"status": "unknown status"},
            )
        if not 1 <= self.limit <= MAX_LIMIT:
            raise InvalidInput(
                f"The limit must be from 1 to {MAX_LIMIT}.",
                f"条数上限必须在 1 到 {MAX_LIMIT} 之间。",
                fields={"limit": f"1 to {MAX_LIMIT}"},
            )


def _conditions(hall_id: str, filters: CaseFilter, now: datetime) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [CaseRow.hall_id == hall_id]
    if filters.kind is not None:
        found.append(CaseRow.kind == str(filters.kind))
    if filters.status == ACTIVE:
        found.append(CaseRow.status != CaseStatus.CLOSED.value)
    elif filters.status is not None:
        found.append(CaseRow.status == filters.status)
    late = and_(
        CaseRow.status != CaseStatus.CLOSED.value,
        CaseRow.due_at.is_not(None),
        CaseRow.due_at < now,
    )
    if filters.overdue is True:
        found.append(late)
    elif filters.overdue is False:
        found.append(
            or_(
                CaseRow.status == CaseStatus.CLOSED.value,
                CaseRow.due_at.is_(None),
                CaseRow.due_at >= now,
            )
        )
    for column, value in (
        (CaseRow.window_number, filters.window),
        (CaseRow.staff_job, filters.staff),
        (CaseRow.matter_code, filters.matter),
    ):
        if value is not None:
            found.append(column == value)
    if filters.first_day is not None:
        found.append(CaseRow.service_day >= filters.first_day)
    if filters.last_day is not None:
        found.append(CaseRow.service_day <= filters.last_day)
    return found


async def list_cases(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    filters: CaseFilter,
    now: datetime,
) -> list[CaseView]:
    """The cases of a hall this member may see, newest first; raises Forbidden, NotFound."""
    member = require_hall_staff(staff, hall_id)
    async with reading(db) as tx:
        session = tx.session
        rules = await hall_rules(tx, hall_id)
        query = (
            select(CaseRow)
            .where(*_conditions(hall_id, filters, now), visible(member, rules, now))
            .order_by(CaseRow.id.desc())
            .limit(filters.limit)
        )
        rows = (await session.scalars(query)).all()
        return await views_of(session, rows, now)
