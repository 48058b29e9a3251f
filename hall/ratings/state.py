"""What the rating pages show: the window's evaluator (评价器) and the ticket's phone page.

The evaluator offers the form for the ticket its window finished last, while nobody has
rated it, for ``[rating] evaluator_minutes`` and until the window calls its next ticket
(the citizen has left by then; the phone page and the period stay open).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from hall.calling.windows import load_window
from hall.cases.assist import no_such_ticket
from hall.cases.rules import hall_rules
from hall.ratings.views import RatingView, change_until, rating_view
from hall.store.db import Database
from hall.store.models import MatterRow, RatingRow, StaffRow, TicketRow
from hall.store.unit import reading


@dataclass(frozen=True, slots=True)
class RatableTicket:
    """The ticket an evaluator asks the citizen to rate."""

    id: str
    number: str
    matter: str
    matter_name: str
    matter_name_en: str
    finished_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "matter": self.matter,
            "matter_name": self.matter_name,
            "matter_name_en": self.matter_name_en,
            "finished_at": self.finished_at.isoformat(),
        }


@dataclass(frozen=True, slots=True)
class EvaluatorState:
    """A window's evaluator: idle (``ticket`` None) or asking for a rating."""

    hall: str
    window: int
    window_name: str
    window_name_en: str
    staff: str | None  # job number of the clerk at the window now
    ticket: RatableTicket | None

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "rate" if self.ticket is not None else "idle",
            "hall": self.hall,
            "window": self.window,
            "window_name": self.window_name,
            "window_name_en": self.window_name_en,
            "staff": self.staff,
            "ticket": None if self.ticket is None else self.ticket.to_json(),
        }


async def evaluator_state(db: Database, hall_id: str, number: int, now: datetime) -> EvaluatorState:
    """What the window's evaluator shows now; raises NotFound for an unknown window."""
    async with reading(db) as tx:
        session = tx.session
        window = await load_window(session, hall_id, number)
        rules = await hall_rules(tx, hall_id)
        staff = None
        if window.staff_id is not None:
            staff = await session.scalar(
                select(StaffRow.job_number).where(StaffRow.id == window.staff_id)
            )
        latest = await session.scalar(
            select(TicketRow)
            .where(
                TicketRow.hall_id == hall_id,
                TicketRow.service_day == now.astimezone(rules.zone).date(),
                TicketRow.window_number == number,
                TicketRow.called_at.is_not(None),
            )
            .order_by(TicketRow.called_at.desc())
            .limit(1)
        )
        ticket = None
        fresh = now - timedelta(minutes=rules.rating.evaluator_minutes)
        if (
            latest is not None
            and latest.status == "finished"
            and latest.finished_at is not None
            and latest.finished_at >= fresh
            and not await _rated(session, latest.id)
        ):
            matter = await session.scalar(
                select(MatterRow).where(
                    MatterRow.hall_id == hall_id, MatterRow.code == latest.matter_code
                )
            )
            ticket = RatableTicket(
                latest.id,
                latest.number,
                latest.matter_code,
                matter.name if matter else latest.matter_code,
                matter.name_en if matter else latest.matter_code,
                latest.finished_at,
            )
    return EvaluatorState(hall_id, number, window.name, window.name_en, staff, ticket)


async def _rated(session: Any, ticket_id: str) -> bool:
    found = await session.scalar(select(RatingRow.id).where(RatingRow.ticket_id == ticket_id))
    return found is not None


@dataclass(frozen=True, slots=True)
class TicketRating:
    """The rating part of a ticket's phone page."""

    can_rate: bool
    can_change: bool
    closes_at: datetime | None  # end of the rating period (None before the finish)
    rating: RatingView | None

    def to_json(self) -> dict[str, Any]:
        return {
            "can_rate": self.can_rate,
            "can_change": self.can_change,
            "closes_at": None if self.closes_at is None else self.closes_at.isoformat(),
            "rating": None if self.rating is None else self.rating.to_json(),
        }


async def ticket_rating(db: Database, ticket_id: str, now: datetime) -> TicketRating:
    """Whether the ticket may be rated (or its rating changed) now; raises NotFound."""
    async with reading(db) as tx:
        session = tx.session
        ticket = await session.get(TicketRow, ticket_id)
        if ticket is None:
            raise no_such_ticket()
        rules = await hall_rules(tx, ticket.hall_id)
        row = await session.scalar(select(RatingRow).where(RatingRow.ticket_id == ticket_id))
    if ticket.status != "finished" or ticket.finished_at is None:
        return TicketRating(False, False, None, None)
    closes = ticket.finished_at + timedelta(days=rules.rating.period_days)
    if row is None:
        return TicketRating(now <= closes, False, closes, None)
    until = change_until(row, rules.rating)
    return TicketRating(
        False, until is not None and now <= until, closes, rating_view(row, rules.rating, now)
    )
