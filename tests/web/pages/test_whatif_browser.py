"""The dashboard's what-if panel in a real headless Chromium: a supervisor at 10:00 opens
windows 7 and 8 from 10:30 and sees the waits and P(target met) before and after."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_settings
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, run_server, snapshot
from tests.web.helpers import DEMO_PASSWORD, FakeClock
from web.app import create_app

chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser

MONDAY_1000 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
OPEN, WAITING = 6, 30


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[LiveServer]:
    """The demo at 10:00: six windows open since 09:00 and serving, 30 walk-ins waiting."""
    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"))
    clock = FakeClock(MONDAY_1000 - timedelta(hours=1))
    with run_server(tmp_path, app) as server:
        app.state.clock = clock
        clerks = [clerk(server, window) for window in range(1, OPEN + 1)]  # signed in at 09:00
        clock.now = MONDAY_1000
        with httpx.Client(base_url=server.url(), timeout=10) as kiosk:
            for k in range(OPEN + WAITING):
                matter = ("SI-REG", "MI-RES", "RES-PERMIT")[k % 3]
                assert kiosk.post("/api/halls/district/tickets", json={"matter": matter}).is_success
        for window, (http, headers) in enumerate(clerks, start=1):
            for action in ("call-next", "start"):
                done = http.post(f"/api/halls/district/windows/{window}/{action}", headers=headers)
                assert done.is_success, done.text
            http.close()
        yield server


def clerk(server: LiveServer, window: int) -> tuple[httpx.Client, dict[str, str]]:
    """A clerk signed in at `window` (their own client: one session per clerk)."""
    http = httpx.Client(base_url=server.url(), timeout=10)
    name = f"clerk{window:02d}"
    login = http.post("/api/session", json={"username": name, "password": DEMO_PASSWORD})
    headers = {"X-CSRF-Token": login.json()["csrf_token"]}
    signed = http.post(f"/api/halls/district/windows/{window}/sign-in", headers=headers)
    assert signed.is_success, signed.text
    return http, headers


def open_panel(pages: BrowserPages, server: LiveServer, lang: str) -> Page:
    page = pages.open(width=1366, height=768)
    signed = page.request.post(
        server.url("/api/session"), data={"username": "supervisor", "password": DEMO_PASSWORD}
    )
    assert signed.ok
    page.goto(server.url(f"/halls/district/dashboard?lang={lang}"))
    expect(page.locator("#wi-windows .wi-chip")).to_have_count(24)
    return page


def viewport(page: Page, name: str) -> None:
    """The screen as the supervisor sees it (1366×768), when screenshots are asked for."""
    folder = os.environ.get(browser.SCREENSHOTS_ENV)
    if folder:
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def numbers(page: Page, kpi: str) -> tuple[float, float]:
    """The mean wait before and after, from the panel's table."""
    row = page.locator(f"#wi-kpis tr[data-kpi={kpi}] td.num")
    before, after = row.nth(0).inner_text(), row.nth(2).inner_text()
    return float(before.split()[0]), float(after.split()[0])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_opening_two_windows_at_1030_shows_waits_and_chances_before_and_after(
    busy: LiveServer, pages: BrowserPages, lang: str
) -> None:
    page = open_panel(pages, busy, lang)
    for number in ("1", "6"):
        expect(page.locator(f".wi-chip[data-window='{number}']")).to_have_attribute(
            "aria-pressed", "true"
        )
    page.locator(".wi-chip[data-window='7']").click()
    page.locator(".wi-chip[data-window='8']").click()
    expect(page.locator(".wi-chip[data-change=open]")).to_have_count(2)
    page.locator("#wi-at").fill("10:30")
    page.locator("#wi-run").click()
    page.wait_for_function("document.body.dataset.whatifAt !== undefined", timeout=60_000)
    expect(page.locator("#wi-result")).to_be_visible()
    before, after = numbers(page, "walkin_wait")
    assert after < before  # two more windows for the rest of the day
    chances = page.locator("#wi-kpis tr[data-kpi=walkin_wait] td.wi-p")
    for cell in (chances.nth(0), chances.nth(1)):
        assert cell.inner_text().endswith("%")
    expect(page.locator("#wi-tickets tbody tr")).to_have_count(8)
    status = page.locator("#wi-status").inner_text()
    assert ("50 次仿真" if lang == "zh" else "50 simulated days") in status
    snapshot(page, f"whatif-dashboard-{lang}")
    page.locator("#whatif").scroll_into_view_if_needed()
    viewport(page, f"whatif-panel-{lang}")
    assert pages.errors == []
