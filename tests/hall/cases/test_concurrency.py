"""Real concurrency on both databases: simultaneous ratings of one ticket give exactly
one rating; simultaneous helpers accepting one 帮办 request give exactly one owner.

On SQLite the requests go through two ``Database`` objects on one file (as two server
processes would, contending for the file's write lock); on PostgreSQL through one pool
of real connections, in parallel transactions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from hall.calling import tickets
from hall.cases.assist import request_help
from hall.cases.engine import take_step
from hall.cases.errors import AlreadyAccepted
from hall.publish import NullPublisher
from hall.ratings.errors import AlreadyRated
from hall.ratings.service import RatingResult, rate_ticket
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import CaseRow, EventRow, RatingRow
from tests.hall.ratings.helpers import HALL, MONDAY, add_staff, serve_one

pytestmark = pytest.mark.asyncio
NULL = NullPublisher()


@pytest_asyncio.fixture
async def pair(db: Database, db_url: str, backend: str) -> AsyncIterator[tuple[Database, Database]]:
    if backend == "postgres":
        yield db, db
        return
    second = Database(db_url)
    try:
        yield db, second
    finally:
        await second.dispose()


async def count(db: Database, query: object) -> int:
    async with db.read() as session:
        return int(await session.scalar(query) or 0)  # type: ignore[call-overload]


async def test_fifty_simultaneous_ratings_of_one_ticket_give_exactly_one(
    db: Database, pair: tuple[Database, Database]
) -> None:
    clerk = await add_staff(db, "clerk05")
    ticket = await serve_one(db, clerk, 5, MONDAY)
    now = MONDAY + timedelta(minutes=10)
    results = await asyncio.gather(
        *(rate_ticket(pair[i % 2], NULL, ticket, {"score": 1 + i % 5}, now) for i in range(50)),
        return_exceptions=True,
    )
    given = [r for r in results if isinstance(r, RatingResult)]
    refused = [r for r in results if isinstance(r, AlreadyRated)]
    assert (len(given), len(refused)) == (1, 49), [
        r for r in results if isinstance(r, Exception) and not isinstance(r, AlreadyRated)
    ]
    assert await count(db, select(func.count()).select_from(RatingRow)) == 1
    assert await count(db, select(func.count()).where(EventRow.kind == "rating_given")) == 1
    bad = given[0].rating.score <= 2
    assert await count(db, select(func.count()).select_from(CaseRow)) == int(bad)


async def test_twenty_helpers_accepting_one_request_give_one_owner(
    db: Database, pair: tuple[Database, Database]
) -> None:
    helpers = [await add_staff(db, f"boss{i:02d}", Role.SUPERVISOR) for i in range(18)]
    helpers += [await add_staff(db, name) for name in ("clerk22", "clerk24")]  # listed helpers
    waiting = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    asked = await request_help(db, NULL, waiting.id, MONDAY + timedelta(seconds=5))
    case_id = asked.case.id
    now = MONDAY + timedelta(seconds=35)
    results = await asyncio.gather(
        *(
            take_step(pair[i % 2], NULL, helper, case_id, {"step": "accept"}, now)
            for i, helper in enumerate(helpers)
        ),
        return_exceptions=True,
    )
    accepted = [r for r in results if not isinstance(r, BaseException)]
    lost = [r for r in results if isinstance(r, AlreadyAccepted)]
    assert (len(accepted), len(lost)) == (1, 19), results
    winner = accepted[0]
    assert winner.status == "accepted"
    assert winner.owner in {h.job_number for h in helpers}
    assert winner.response_seconds == 30.0
    assert all(e.status == 409 and winner.owner in e.message_zh for e in lost)
    assert await count(db, select(func.count()).where(EventRow.kind == "case_accept")) == 1
