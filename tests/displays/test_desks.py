"""Staff-side pages hear of their hall's events through the hub; screens never see the
desk-only kinds (ratings, 帮办 steps), and the events carry numbers only."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from displays.hub import Hub
from displays.messages import ScreenEvent
from tests.displays.hub_support import FakeBoard, Screen, called, event, settle

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def hub() -> AsyncIterator[Hub]:
    hub = Hub(max_queue=8, heartbeat_seconds=3600)
    await hub.start(FakeBoard(halls=("h1", "h2")))
    yield hub
    await hub.stop()


async def test_desks_hear_screen_and_desk_events_screens_only_theirs(hub: Hub) -> None:
    heard: list[list[ScreenEvent]] = []
    hub.listen("h1", heard.append)
    screen = Screen(hub)
    assert await hub.subscribe("h1", screen.conn)
    await hub.publish(
        [
            event(1, "rating_given", score=1, window=5, ticket="A001"),
            event(2, "case_opened", window=None, status="open"),
            event(3, "case_accept", window=None, status="accepted"),
            event(4, "screen_irrelevant_kind"),
            called(5, "A002", 5),
            event(6, "rating_given", hall="h2", window=1),
        ]
    )
    await settle()
    kinds = [e.kind for batch in heard for e in batch]
    assert kinds == ["rating_given", "case_opened", "case_accept", "ticket_called"]
    rating = heard[0][0]
    assert (rating.window, rating.ticket, rating.status) == (5, None, None)  # no score
    assert all("secret-token" not in str(e.to_wire()) for batch in heard for e in batch)
    assert screen.types() == ["snapshot", "called"]

    hub.unlisten("h1", heard.append)
    assert hub.desks.count("h1") == 0
    await hub.publish([event(7, "rating_given", window=5)])
    await settle()
    assert len(heard) == 1
    await screen.close()


async def test_a_reset_asks_every_desk_to_read_again_and_a_broken_one_is_isolated(
    hub: Hub,
) -> None:
    heard: list[list[ScreenEvent]] = []

    def broken(events: list[ScreenEvent]) -> None:
        raise RuntimeError("a page's bug")

    hub.listen("h1", broken)
    hub.listen("h1", heard.append)
    hub._on_reset()
    assert heard == [[]]
    await hub.publish([event(1, "case_opened", window=3)])
    await settle()
    assert [e.kind for e in heard[1]] == ["case_opened"]
