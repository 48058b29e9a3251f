"""Ratings (好差评) and cases (帮办, bad-rating follow-up) as the analytics read them.

The one place where the dashboard's figures meet ``hall/ratings`` and ``hall/cases``:
the active ratings of the period's tickets, its 帮办 requests and its bad-rating cases,
read in the caller's transaction with the definitions of those rooms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.cases.facts import followed_up
from hall.cases.kinds import CaseKind
from hall.ratings.scale import Channel
from hall.store.models import CaseRow, RatingRow, TicketRow


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a figure has no value, in English and Chinese."""

    code: str
    en: str
    zh: str


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """One 帮办 request: minutes from the request to a helper accepting it, and who did."""

    response_minutes: float | None  # None while nobody has accepted
    helper: str | None  # job number


@dataclass(frozen=True, slots=True)
class RatingsData:
    """The active ratings and the cases of a period."""

    scores: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    help_requests: tuple[HelpRequest, ...] = ()
    bad_ratings: int = 0  # real-name bad-rating cases that count for the follow-up
    bad_followed_up: int = 0  # of which re-visited (or closed after the re-visit)


async def ratings_source(
    session: AsyncSession, hall_id: str, start: date, end: date
) -> RatingsData:
    """The active ratings (by ticket id), 帮办 requests and bad-rating cases of the days.

    Active ratings are the ones citizens gave (not the default ones recorded after the
    period) and not excluded by an upheld appeal; a rating counts on the day its ticket
    was finished, a case on the day it concerns.
    """
    connection = await session.connection()  # Core rows: no ORM machinery per row
    params = {"b_hall": hall_id, "b_start": start, "b_end": end}
    scores = {t: int(score) for t, score in (await connection.execute(_SCORES, params)).all()}
    helps, bad, followed = [], 0, 0
    for row in (await connection.execute(_CASES, params)).all():
        if row.kind == CaseKind.HELP:
            minutes = None
            if row.accepted_at is not None:
                minutes = (row.accepted_at - row.opened_at).total_seconds() / 60
            helps.append(HelpRequest(minutes, row.owner_job if minutes is not None else None))
        elif (done := followed_up(row)) is not None:
            bad += 1
            followed += done
    return RatingsData(MappingProxyType(scores), tuple(helps), bad, followed)


# The active ratings of a hall's days (see ``ratings_source``), for both statements below.
_ACTIVE = (
    RatingRow.hall_id == bindparam("b_hall"),
    RatingRow.service_day >= bindparam("b_start"),
    RatingRow.service_day <= bindparam("b_end"),
    RatingRow.excluded.is_(False),
    RatingRow.channel != Channel.DEFAULT.value,
)
# Built once (composing a statement costs more than running a small one on SQLite).
_SCORES = select(RatingRow.ticket_id, RatingRow.score).where(*_ACTIVE)
_RATED = (
    select(RatingRow.ticket_id, TicketRow.service_day, TicketRow.matter_code)
    .join(TicketRow, TicketRow.id == RatingRow.ticket_id)
    .where(*_ACTIVE)
)
_CASES = (
    select(
        CaseRow.kind, CaseRow.status, CaseRow.details, CaseRow.opened_at,
        CaseRow.accepted_at, CaseRow.owner_job,
    )
    .where(
        CaseRow.hall_id == bindparam("b_hall"),
        CaseRow.service_day >= bindparam("b_start"),
        CaseRow.service_day <= bindparam("b_end"),
        CaseRow.kind.in_((CaseKind.HELP.value, CaseKind.BAD_RATING.value)),
    )
    .order_by(CaseRow.id)
)  # fmt: skip


async def rated_tickets(
    session: AsyncSession, hall_id: str, start: date, end: date
) -> dict[str, tuple[date, str]]:
    """The service day and matter of each ticket with an active rating in the days (the
    report splits the ratings by day and by matter as it splits the tickets)."""
    connection = await session.connection()
    params = {"b_hall": hall_id, "b_start": start, "b_end": end}
    rows = (await connection.execute(_RATED, params)).all()
    return {ticket: (day, matter) for ticket, day, matter in rows}
