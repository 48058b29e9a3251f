"""What a case looks like to its readers: the row, its deadlines and its timeline.

The timeline is the case's audit events (subject ``case``/id), read in id order: every
step is written once, in the same transaction as the change it describes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cases.kinds import CaseStatus
from hall.store.models import CaseRow, EventRow, RatingRow

CASE_EVENT = "case_"


@dataclass(frozen=True, slots=True)
class StepView:
    """One entry of a case's timeline: who did what when, with the note and details."""

    step: str
    at: datetime
    by: str
    note: str
    status: str | None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "at": self.at.isoformat(),
            "by": self.by,
            "note": self.note,
            "status": self.status,
            **self.details,
        }


@dataclass(frozen=True, slots=True)
class RatingFacts:
    """The rating a bad-rating case follows (never who gave it)."""

    id: int
    score: int
    reasons: tuple[str, ...]
    comment: str
    channel: str
    excluded: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "score": self.score,
            "reasons": list(self.reasons),
            "comment": self.comment,
            "channel": self.channel,
            "excluded": self.excluded,
        }


@dataclass(frozen=True, slots=True)
class CaseView:
    """A case as the API and the pages show it."""

    id: int
    hall: str
    kind: str
    origin: str
    status: str
    ticket: str | None
    service_day: str
    window: int | None
    staff: str | None
    matter: str | None
    summary: str
    category: str | None
    owner: str | None
    forwarded_to: str
    contact: str | None
    opened_at: datetime
    opened_by: str
    due_at: datetime | None
    deadlines: dict[str, str]
    overdue: bool
    escalations: int
    extension: dict[str, Any] | None
    accepted_at: datetime | None
    response_seconds: float | None
    closed_at: datetime | None
    details: dict[str, Any]
    rating: RatingFacts | None
    steps: tuple[StepView, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "hall": self.hall,
            "kind": self.kind,
            "origin": self.origin,
            "status": self.status,
            "ticket": self.ticket,
            "service_day": self.service_day,
            "window": self.window,
            "staff": self.staff,
            "matter": self.matter,
            "summary": self.summary,
            "category": self.category,
            "owner": self.owner,
            "forwarded_to": self.forwarded_to,
            "contact": self.contact,
            "opened_at": self.opened_at.isoformat(),
            "opened_by": self.opened_by,
            "due_at": None if self.due_at is None else self.due_at.isoformat(),
            "deadlines": dict(self.deadlines),
            "overdue": self.overdue,
            "escalations": self.escalations,
            "extension": self.extension,
            "accepted_at": None if self.accepted_at is None else self.accepted_at.isoformat(),
            "response_seconds": self.response_seconds,
            "closed_at": None if self.closed_at is None else self.closed_at.isoformat(),
            "details": self.details,
            "rating": None if self.rating is None else self.rating.to_json(),
            "steps": [s.to_json() for s in self.steps],
        }


def is_overdue(row: CaseRow, now: datetime) -> bool:
    """Past the deadline of the step it waits for (a closed case is never overdue)."""
    return row.status != CaseStatus.CLOSED and row.due_at is not None and now > row.due_at


def case_view(
    row: CaseRow, steps: Sequence[StepView], rating: RatingRow | None, now: datetime
) -> CaseView:
    response = None
    if row.accepted_at is not None:
        response = round((row.accepted_at - row.opened_at).total_seconds(), 1)
    return CaseView(
        id=row.id,
        hall=row.hall_id,
        kind=row.kind,
        origin=row.origin,
        status=row.status,
        ticket=row.ticket_number,
        service_day=row.service_day.isoformat(),
        window=row.window_number,
        staff=row.staff_job,
        matter=row.matter_code,
        summary=row.summary,
        category=row.category,
        owner=row.owner_job,
        forwarded_to=row.forwarded_to,
        contact=row.contact,
        opened_at=row.opened_at,
        opened_by=row.opened_by,
        due_at=row.due_at,
        deadlines=dict(row.deadlines),
        overdue=is_overdue(row, now),
        escalations=row.escalations,
        extension=row.extension,
        accepted_at=row.accepted_at,
        response_seconds=response,
        closed_at=row.closed_at,
        details=dict(row.details),
        rating=None if rating is None else rating_facts(rating),
        steps=tuple(steps),
    )


def rating_facts(rating: RatingRow) -> RatingFacts:
    return RatingFacts(
        id=rating.id,
        score=rating.score,
        reasons=tuple(rating.reasons),
        comment=rating.comment,
        channel=rating.channel,
        excluded=rating.excluded,
    )


def step_of(event: EventRow) -> StepView:
    data = dict(event.data or {})
    note = str(data.pop("note", "") or "")
    step = str(data.pop("step", event.kind.removeprefix(CASE_EVENT)))
    status = (event.after or {}).get("status")
    return StepView(step, event.at, event.actor, note, status, data)


async def timelines(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[StepView]]:
    """Every listed case's steps, oldest first (one query)."""
    found: dict[int, list[StepView]] = defaultdict(list)
    if not ids:
        return found
    query = (
        select(EventRow)
        .where(EventRow.subject_type == "case", EventRow.subject_id.in_([str(i) for i in ids]))
        .order_by(EventRow.id)
    )
    for event in (await session.scalars(query)).all():
        found[int(event.subject_id)].append(step_of(event))
    return found


async def views_of(session: AsyncSession, rows: Sequence[CaseRow], now: datetime) -> list[CaseView]:
    """Views of several cases with their timelines and ratings (three queries)."""
    steps = await timelines(session, [r.id for r in rows])
    rating_ids = [r.rating_id for r in rows if r.rating_id is not None]
    ratings: dict[int, RatingRow] = {}
    if rating_ids:
        query = select(RatingRow).where(RatingRow.id.in_(rating_ids))
        ratings = {r.id: r for r in (await session.scalars(query)).all()}
    return [
        case_view(
            row,
            steps.get(row.id, []),
            None if row.rating_id is None else ratings.get(row.rating_id),
            now,
        )
        for row in rows
    ]
