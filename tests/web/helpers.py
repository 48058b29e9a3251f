"""Helpers for web tests: sign in as a demo account and act with the CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from httpx import AsyncClient
from starlette.applications import Starlette

DEMO_PASSWORD = "tongban-demo"


async def sign_in(client: AsyncClient, username: str) -> dict[str, str]:
    """Sign in; returns the headers (CSRF token) for later writes."""
    response = await client.post(
        "/api/session", json={"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


class FakeClock:
    """A settable clock for the app (aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # a Monday, 09:00 Shanghai

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


def use_clock(app: Starlette, clock: FakeClock) -> FakeClock:
    app.state.clock = clock
    return clock
