"""The supervisor's dashboard in a real headless Chromium: live calls and tiles that turn.

The server's clock runs (real seconds from a set moment) so that a wait can be placed a
few seconds short of its target; nothing sleeps for minutes.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_settings
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, run_server, snapshot
from tests.web.helpers import DEMO_PASSWORD
from web.app import create_app

chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser

MONDAY_0900 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


class RunningClock:
    """The server's clock: a set moment plus the real seconds since it was set."""

    def __init__(self, start: datetime) -> None:
        self.set(start)

    def set(self, moment: datetime) -> None:
        self.start, self.since = moment, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.since)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[LiveServer, RunningClock]]:
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"))
    clock = RunningClock(MONDAY_0900)
    with run_server(tmp_path, app) as server:
        app.state.clock = clock
        yield server, clock


def staff_client(server: LiveServer, username: str) -> tuple[httpx.Client, dict[str, str]]:
    http = httpx.Client(base_url=server.url(), timeout=10)
    login = http.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    return http, {"X-CSRF-Token": login.json()["csrf_token"]}


def open_dashboard(pages: BrowserPages, server: LiveServer) -> Page:
    page = pages.open(width=1366, height=768)
    signed = page.request.post(
        server.url("/api/session"), data={"username": "supervisor", "password": DEMO_PASSWORD}
    )
    assert signed.ok
    page.goto(server.url("/halls/district/dashboard"))
    page.wait_for_function("document.body.dataset.kpisAt !== undefined")
    expect(page.locator("#dash-link")).to_have_attribute("data-live", "1")
    return page


def test_the_dashboard_shows_a_clerks_call_within_a_second(
    served: tuple[LiveServer, RunningClock], pages: BrowserPages
) -> None:
    server, _ = served
    page = open_dashboard(pages, server)
    expect(page.locator("[data-kpi=arrivals] .value")).to_have_text("0")
    clerk, headers = staff_client(server, "clerk02")
    try:
        taken = clerk.post("/api/halls/district/tickets", json={"matter": "SI-REG"})
        number = taken.json()["number"]
        assert clerk.post("/api/halls/district/windows/2/sign-in", headers=headers).is_success
        expect(page.locator("[data-kpi=arrivals] .value")).to_have_text("1")  # re-fetched live
        called = clerk.post("/api/halls/district/windows/2/call-next", headers=headers)
        assert called.json()["ticket"]["number"] == number
        expect(page.locator("#calls li").first).to_contain_text(number, timeout=1000)
    finally:
        clerk.close()
    expect(page.locator("#windows tr[data-window='2']")).to_contain_text("C0002")
    expect(page.locator("[data-kpi=walkin_wait] .sub")).to_contain_text("样本 1")  # called now
    snapshot(page, "dashboard-live")
    city = page.locator("#csv-city")  # the period's halls side by side, as CSV
    expect(city).to_have_attribute("href", re.compile(r"^/api/kpis\.csv\?from=\d{4}-\d\d-\d\d&to="))
    exported = page.request.get(server.url(city.get_attribute("href") or ""))
    assert exported.ok
    assert exported.body().startswith(b"\xef\xbb\xbfhall,")
    assert pages.errors == []


def test_a_tile_turns_red_when_a_wait_in_progress_passes_its_target(
    served: tuple[LiveServer, RunningClock], pages: BrowserPages
) -> None:
    server, clock = served
    guide, headers = staff_client(server, "clerk01")
    green = {"matter": "SI-REG", "green": True}  # the guide desk issues it at 09:00
    issued = guide.post("/api/halls/district/tickets", json=green, headers=headers)
    guide.close()
    assert issued.is_success
    clock.set(MONDAY_0900 + timedelta(minutes=9, seconds=56))  # nobody calls it
    page = open_dashboard(pages, server)
    tile = page.locator("[data-kpi=green_wait]")
    expect(tile).to_have_attribute("data-status", "at_risk")  # 9.9 of 10 minutes
    expect(tile).to_have_attribute("data-status", "missed", timeout=15_000)
    expect(tile.locator(".value")).to_contain_text("10.")
    assert pages.errors == []
