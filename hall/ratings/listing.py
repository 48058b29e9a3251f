"""The ratings of a hall for its staff: supervisors see every rating, a clerk only the
ratings of their own services and only ``[rating] reveal_after_minutes`` after they were
given (never while the citizen may still be at the window). Nobody sees who rated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hall.cases.access import is_supervisor, require_hall_staff
from hall.cases.period import DayRange
from hall.cases.rules import hall_rules
from hall.ratings.views import RatingView, rating_view
from hall.staff.accounts import StaffMember
from hall.store.db import Database
from hall.store.models import CaseRow, RatingRow
from hall.store.unit import reading

LIMIT = 500


@dataclass(frozen=True, slots=True)
class StaffRating:
    """A rating as staff see it, with the case it opened (if any)."""

    rating: RatingView
    case: int | None

    def to_json(self) -> dict[str, Any]:
        return {**self.rating.staff_json(), "case": self.case}


async def list_ratings(
    db: Database,
    staff: StaffMember | None,
    hall_id: str,
    period: DayRange,
    now: datetime,
    *,
    window: int | None = None,
    job: str | None = None,
    matter: str | None = None,
    limit: int = LIMIT,
) -> list[StaffRating]:
    """The hall's ratings of the period this member may see, newest first."""
    member = require_hall_staff(staff, hall_id)
    query = (
        select(RatingRow, CaseRow.id)
        .outerjoin(CaseRow, CaseRow.rating_id == RatingRow.id)
        .where(
            RatingRow.hall_id == hall_id,
            RatingRow.service_day >= period.first,
            RatingRow.service_day <= period.last,
        )
        .order_by(RatingRow.rated_at.desc(), RatingRow.id.desc())
        .limit(max(1, min(limit, LIMIT)))
    )
    for column, value in (
        (RatingRow.window_number, window),
        (RatingRow.staff_job, job),
        (RatingRow.matter_code, matter),
    ):
        if value is not None:
            query = query.where(column == value)
    async with reading(db) as tx:
        session = tx.session
        rules = await hall_rules(tx, hall_id)
        if not is_supervisor(member, hall_id):
            revealed = now - timedelta(minutes=rules.rating.reveal_after_minutes)
            query = query.where(RatingRow.staff_id == member.id, RatingRow.rated_at <= revealed)
        rows = (await session.execute(query)).all()
    return [StaffRating(rating_view(row, rules.rating, now), case_id) for row, case_id in rows]
