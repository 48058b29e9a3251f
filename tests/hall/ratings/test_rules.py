"""The rating rules with an injected clock: once per ticket, one change within 24 h, the
period of 7 natural days, default ratings, appeals, and the bad-rating case."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hall.calling import tickets
from hall.cases.engine import get_case, take_step
from hall.cases.period import DayRange
from hall.errors import InvalidInput, NotFound
from hall.publish import NullPublisher, RecordingPublisher
from hall.ratings.defaults import record_default_ratings
from hall.ratings.errors import AlreadyRated, NotFinished, RatingClosed
from hall.ratings.figures import rating_figures
from hall.ratings.scale import Channel
from hall.ratings.service import rate_ticket
from hall.ratings.state import ticket_rating
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import EventRow, RatingRow
from tests.hall.ratings.helpers import HALL, MONDAY, add_staff, serve_one

pytestmark = pytest.mark.asyncio
NULL = NullPublisher()
FINISHED = MONDAY + timedelta(minutes=8)  # serve_one finishes 8 minutes after issuing
DAY = DayRange(MONDAY.date(), MONDAY.date())


async def test_a_second_rating_is_refused_and_one_change_is_allowed_within_24_hours(
    db: Database,
) -> None:
    clerk = await add_staff(db, "clerk05")
    ticket = await serve_one(db, clerk, 5, MONDAY)
    first = await rate_ticket(db, NULL, ticket, {"score": 4}, FINISHED + timedelta(minutes=1))
    assert (first.rating.score, first.case, first.changed) == (4, None, False)
    assert first.rating.change_until == FINISHED + timedelta(minutes=1, hours=24)

    with pytest.raises(AlreadyRated) as caught:
        await rate_ticket(db, NULL, ticket, {"score": 5}, FINISHED + timedelta(minutes=2))
    assert (caught.value.status, caught.value.code) == (409, "already_rated")

    changed = await rate_ticket(
        db, NULL, ticket, {"score": 5, "change": True}, FINISHED + timedelta(hours=23)
    )
    assert changed.changed
    assert changed.rating.score == 5
    assert changed.rating.change_until is None
    with pytest.raises(AlreadyRated, match="changed once"):
        await rate_ticket(
            db,
            NULL,
            ticket,
            {"score": 3, "change": True},
            FINISHED + timedelta(hours=23, minutes=1),
        )

    late = await serve_one(db, clerk, 5, MONDAY + timedelta(hours=1), sign_in=False)
    rated_at = MONDAY + timedelta(hours=1, minutes=9)
    await rate_ticket(db, NULL, late, {"score": 4}, rated_at)
    with pytest.raises(AlreadyRated, match="within 24 h"):
        await rate_ticket(
            db, NULL, late, {"score": 5, "change": True}, rated_at + timedelta(hours=24, seconds=1)
        )


async def test_only_finished_services_are_rated_and_bad_input_is_a_422(db: Database) -> None:
    waiting = await tickets.issue_ticket(db, NULL, HALL, "SI-CARD", MONDAY)
    with pytest.raises(NotFinished) as caught:
        await rate_ticket(db, NULL, waiting.id, {"score": 5}, MONDAY)
    assert (caught.value.status, caught.value.code) == (409, "not_finished")
    with pytest.raises(NotFound):
        await rate_ticket(db, NULL, "no-such-ticket", {"score": 5}, MONDAY)
    clerk = await add_staff(db, "clerk05")
    ticket = await serve_one(db, clerk, 5, MONDAY + timedelta(minutes=5))
    for body, field in (
        ({"score": 6}, "score"),
        ({"score": 0}, "score"),
        ({"score": "5"}, "score"),
        ({"score": True}, "score"),
        ({}, "score"),
        ({"score": 5, "aspects": {"efficiency": 9}}, "aspects.efficiency"),
        ({"score": 5, "aspects": {"speed": 5}}, "aspects.speed"),
        ({"score": 5, "reasons": ["long_wait"]}, "reasons"),  # reasons only for 1–2
        ({"score": 1, "reasons": ["no_such_reason"]}, "reasons"),
        ({"score": 1, "reasons": ["slow", "slow"]}, "reasons"),
        ({"score": 5, "comment": "长" * 501}, "comment"),
        ({"score": 5, "stars": 5}, "stars"),
    ):
        with pytest.raises(InvalidInput) as bad:
            await rate_ticket(db, NULL, ticket, body, MONDAY + timedelta(hours=1))
        assert field in bad.value.fields, body
        assert bad.value.status == 422
    async with db.read() as session:
        assert (await session.scalars(select(RatingRow))).all() == []


async def test_the_default_rating_after_seven_days_and_the_closed_period(db: Database) -> None:
    clerk = await add_staff(db, "clerk05")
    ticket = await serve_one(db, clerk, 5, MONDAY)
    publisher = RecordingPublisher()
    just_before = FINISHED + timedelta(days=7) - timedelta(seconds=1)
    assert await record_default_ratings(db, publisher, just_before) == 0
    assert (await ticket_rating(db, ticket, just_before)).can_rate

    after = FINISHED + timedelta(days=7, seconds=1)
    assert not (await ticket_rating(db, ticket, after)).can_rate
    with pytest.raises(RatingClosed) as closed:
        await rate_ticket(db, NULL, ticket, {"score": 5}, after)
    assert (closed.value.status, closed.value.code) == (409, "rating_closed")

    assert await record_default_ratings(db, publisher, after) == 1
    assert await record_default_ratings(db, publisher, after + timedelta(hours=1)) == 0
    async with db.read() as session:
        row = (await session.scalars(select(RatingRow))).one()
        events = (
            await session.scalars(select(EventRow).where(EventRow.kind == "rating_defaulted"))
        ).all()
    assert (row.score, row.channel, row.staff_job, row.window_number) == (
        3,
        "default",
        clerk.job_number,
        5,
    )
    assert row.rated_at == FINISHED + timedelta(days=7)
    assert len(events) == 1
    with pytest.raises(AlreadyRated):  # a default rating is never changed
        await rate_ticket(db, NULL, ticket, {"score": 5, "change": True}, after)
    figures = await rating_figures(db, HALL, DAY)
    assert (figures.total, figures.active, figures.default) == (1, 0, 1)
    assert figures.unrated_rate == 1.0
    assert figures.good_rate is None
    assert figures.mean_score is None


async def test_an_upheld_appeal_keeps_the_rating_but_leaves_it_out_of_the_figures(
    db: Database,
) -> None:
    clerk = await add_staff(db, "clerk05")
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    scores = (5, 4, 1)
    ids = []
    for n, score in enumerate(scores):
        start = MONDAY + timedelta(minutes=10 * n)
        ticket = await serve_one(db, clerk, 5, start, sign_in=n == 0)
        ids.append(ticket)
        body = {"score": score} | ({"reasons": ["attitude"]} if score == 1 else {})
        rated = await rate_ticket(
            db, NULL, ticket, body, start + timedelta(minutes=9), Channel.PHONE
        )
    assert rated.case is not None
    case_id = rated.case.id
    unrated = await serve_one(db, clerk, 5, MONDAY + timedelta(minutes=40), sign_in=False)
    await record_default_ratings(db, NULL, MONDAY + timedelta(days=8))
    assert unrated not in ids

    before = await rating_figures(db, HALL, DAY)
    # An independent count: 3 active (5, 4, 1), 1 default; good = 5 and 4.
    assert (before.total, before.active, before.default, before.good, before.bad) == (4, 3, 1, 2, 1)
    assert before.good_rate == pytest.approx(2 / 3)
    assert before.active_good_rate == pytest.approx(2 / 4)
    assert before.unrated_rate == pytest.approx(1 / 4)
    assert before.mean_score == pytest.approx((5 + 4 + 1) / 3)

    later = MONDAY + timedelta(days=1)
    appeal = {
        "step": "appeal",
        "kind": "malicious",
        "reason": "该群众因不符合条件未办成，连续打差评",
    }
    assert (await take_step(db, NULL, clerk, case_id, appeal, later)).status == "appealed"
    decided = await take_step(
        db,
        NULL,
        boss,
        case_id,
        {"step": "decide_appeal", "uphold": True, "note": "经核实为恶意差评"},
        later,
    )
    assert decided.status == "closed"
    assert decided.rating is not None
    assert decided.rating.excluded

    after = await rating_figures(db, HALL, DAY)
    assert (after.total, after.active, after.default, after.excluded) == (3, 2, 1, 1)
    assert (after.good, after.bad) == (2, 0)
    assert after.good_rate == 1.0
    assert after.active_good_rate == pytest.approx(2 / 3)
    assert after.unrated_rate == pytest.approx(1 / 3)
    async with db.read() as session:
        kept = await session.scalar(select(RatingRow).where(RatingRow.score == 1))
    assert kept is not None
    assert kept.excluded
    assert "恶意差评" in kept.excluded_reason
    clerk_figures = await rating_figures(db, HALL, DAY, staff=clerk.job_number, window=5)
    assert clerk_figures.total == 3
    assert clerk_figures.awaiting is None


async def test_a_rejected_appeal_puts_the_case_back_where_it_was(db: Database) -> None:
    clerk = await add_staff(db, "clerk05")
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    ticket = await serve_one(db, clerk, 5, MONDAY)
    rated = await rate_ticket(db, NULL, ticket, {"score": 2}, FINISHED)
    assert rated.case is not None
    later = MONDAY + timedelta(hours=3)
    await take_step(
        db,
        NULL,
        boss,
        rated.case.id,
        {"step": "verify", "result": "malicious", "evidence": "录音"},
        later,
    )
    view = await take_step(
        db,
        NULL,
        boss,
        rated.case.id,
        {"step": "decide_appeal", "uphold": False, "note": "证据不足"},
        later,
    )
    assert view.status == "open"
    assert view.details["appeal"]["decision"] == "rejected"
    assert (await rating_figures(db, HALL, DAY)).bad == 1


async def test_changing_a_bad_rating_to_a_good_one_withdraws_its_case(db: Database) -> None:
    clerk = await add_staff(db, "clerk05")
    boss = await add_staff(db, "boss", Role.SUPERVISOR)
    ticket = await serve_one(db, clerk, 5, MONDAY)
    rated = await rate_ticket(db, NULL, ticket, {"score": 1}, FINISHED)
    assert rated.case is not None
    changed = await rate_ticket(
        db, NULL, ticket, {"score": 4, "change": True}, FINISHED + timedelta(hours=2)
    )
    assert changed.case is not None
    assert changed.case.status == "closed"
    case = await get_case(db, boss, rated.case.id, FINISHED + timedelta(hours=2))
    assert case.steps[-1].step == "withdrawn"
    assert case.steps[-1].by == "citizen"
    assert (await rating_figures(db, HALL, DAY)).bad == 0

    other = await serve_one(db, clerk, 5, MONDAY + timedelta(hours=1), sign_in=False)
    good = await rate_ticket(db, NULL, other, {"score": 5}, MONDAY + timedelta(hours=2))
    assert good.case is None
    worse = await rate_ticket(
        db,
        NULL,
        other,
        {"score": 2, "reasons": ["slow"], "change": True},
        MONDAY + timedelta(hours=3),
    )
    assert worse.case is not None
    assert worse.case.kind == "bad_rating"
    assert worse.case.status == "open"
