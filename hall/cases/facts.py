"""The case figures per hall, window, staff member, matter and period, as plain service
functions the dashboard (issue 17) calls: cases opened and closed by kind, what is open
and overdue now, the bad-rating follow-up rate and the 帮办 response times.

- 实名差评整改回访率 ``followup_rate`` = bad-rating cases of the period that were
  followed up (re-visited, or closed after the re-visit attempts) ÷ bad-rating cases of
  the period, leaving out the ones an upheld appeal or the citizen's own change closed;
  None without any.
- 帮办 response = request → accept, in seconds, for the requests of the period that a
  helper accepted; ``within_target`` counts those within ``[cases] help_response_seconds``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select

from hall.cases.kinds import CaseKind, CaseStatus
from hall.cases.period import DayRange
from hall.cases.rules import hall_rules
from hall.cases.views import is_overdue
from hall.store.db import Database
from hall.store.models import CaseRow
from hall.store.unit import reading


@dataclass(frozen=True, slots=True)
class HelpResponse:
    """One accepted 帮办 request: who helped and how fast."""

    case: int
    day: str
    requested_at: datetime
    accepted_at: datetime
    seconds: float
    helper: str | None  # job number

    def to_json(self) -> dict[str, Any]:
        return {
            "case": self.case,
            "day": self.day,
            "requested_at": self.requested_at.isoformat(),
            "accepted_at": self.accepted_at.isoformat(),
            "seconds": self.seconds,
            "helper": self.helper,
        }


@dataclass(frozen=True, slots=True)
class CaseFacts:
    """Counts of a hall's cases for a period (by the service day they concern)."""

    opened: dict[str, int] = field(default_factory=dict)  # by kind
    closed: dict[str, int] = field(default_factory=dict)  # by kind, of those opened
    open_now: int = 0
    overdue_now: int = 0
    bad_rating_cases: int = 0  # counted for the follow-up rate
    bad_rating_followed_up: int = 0
    help_requests: int = 0
    help_accepted: int = 0
    help_within_target: int = 0
    help_seconds: tuple[float, ...] = ()
    refusals: int = 0  # 否定答复 reports

    @property
    def followup_rate(self) -> float | None:
        if self.bad_rating_cases == 0:
            return None
        return self.bad_rating_followed_up / self.bad_rating_cases

    @property
    def help_response_mean(self) -> float | None:
        return None if not self.help_seconds else sum(self.help_seconds) / len(self.help_seconds)

    @property
    def help_response_p90(self) -> float | None:
        """The 90th percentile (nearest rank) of the response times."""
        if not self.help_seconds:
            return None
        ordered = sorted(self.help_seconds)
        return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]

    def to_json(self) -> dict[str, Any]:
        return {
            "opened": dict(self.opened),
            "closed": dict(self.closed),
            "open_now": self.open_now,
            "overdue_now": self.overdue_now,
            "bad_rating_cases": self.bad_rating_cases,
            "bad_rating_followed_up": self.bad_rating_followed_up,
            "followup_rate": self.followup_rate,
            "help_requests": self.help_requests,
            "help_accepted": self.help_accepted,
            "help_within_target": self.help_within_target,
            "help_response_mean": self.help_response_mean,
            "help_response_p90": self.help_response_p90,
            "refusals": self.refusals,
        }


def _filters(
    hall_id: str, period: DayRange, window: int | None, staff: str | None, matter: str | None
) -> list[ColumnElement[bool]]:
    found = [
        CaseRow.hall_id == hall_id,
        CaseRow.service_day >= period.first,
        CaseRow.service_day <= period.last,
    ]
    for column, value in (
        (CaseRow.window_number, window),
        (CaseRow.staff_job, staff),
        (CaseRow.matter_code, matter),
    ):
        if value is not None:
            found.append(column == value)
    return found


class CaseState(Protocol):
    """What ``followed_up`` reads of a case (a ``CaseRow`` or a row of its columns)."""

    @property
    def details(self) -> dict[str, Any]: ...

    @property
    def status(self) -> str: ...


def followed_up(row: CaseState) -> bool | None:
    """True/False for a bad-rating case that counts; None when it does not count."""
    appeal = row.details.get("appeal") or {}
    if row.details.get("withdrawn") or appeal.get("decision") == "upheld":
        return None
    return row.status in (CaseStatus.REVISITED, CaseStatus.CLOSED)


async def case_facts(
    db: Database,
    hall_id: str,
    period: DayRange,
    now: datetime,
    *,
    window: int | None = None,
    staff: str | None = None,
    matter: str | None = None,
) -> CaseFacts:
    """The figures of a hall's cases concerning the period's service days."""
    async with reading(db) as tx:
        session = tx.session
        rules = await hall_rules(tx, hall_id)
        query = select(CaseRow).where(*_filters(hall_id, period, window, staff, matter))
        rows = (await session.scalars(query)).all()
    opened, closed = Counter[str](), Counter[str]()
    counted = followed = requests = accepted = within = refusals = 0
    seconds: list[float] = []
    target = rules.cases.help_response_seconds
    for row in rows:
        opened[row.kind] += 1
        closed[row.kind] += row.status == CaseStatus.CLOSED
        refusals += row.origin == "refusal"
        if row.kind == CaseKind.BAD_RATING and (done := followed_up(row)) is not None:
            counted += 1
            followed += done
        if row.kind == CaseKind.HELP:
            requests += 1
            if row.accepted_at is not None:
                accepted += 1
                wait = (row.accepted_at - row.opened_at).total_seconds()
                seconds.append(wait)
                within += wait <= target
    return CaseFacts(
        opened=dict(opened),
        closed=dict(closed),
        open_now=sum(1 for r in rows if r.status != CaseStatus.CLOSED),
        overdue_now=sum(1 for r in rows if is_overdue(r, now)),
        bad_rating_cases=counted,
        bad_rating_followed_up=followed,
        help_requests=requests,
        help_accepted=accepted,
        help_within_target=within,
        help_seconds=tuple(seconds),
        refusals=refusals,
    )


async def help_responses(
    db: Database, hall_id: str, period: DayRange, *, staff: str | None = None
) -> list[HelpResponse]:
    """Every accepted 帮办 request of the period, optionally of one helper (job number)."""
    query = select(CaseRow).where(
        CaseRow.hall_id == hall_id,
        CaseRow.kind == CaseKind.HELP.value,
        CaseRow.service_day >= period.first,
        CaseRow.service_day <= period.last,
        CaseRow.accepted_at.is_not(None),
    )
    if staff is not None:
        query = query.where(CaseRow.owner_job == staff)
    async with reading(db) as tx:
        session = tx.session
        rows = (await session.scalars(query.order_by(CaseRow.opened_at))).all()
    found = []
    for row in rows:
        assert row.accepted_at is not None
        wait = round((row.accepted_at - row.opened_at).total_seconds(), 3)
        found.append(
            HelpResponse(
                row.id,
                row.service_day.isoformat(),
                row.opened_at,
                row.accepted_at,
                wait,
                row.owner_job,
            )
        )
    return found
