"""The hall's day in a real headless Chromium: a closed kiosk, the guide desk's green
ticket, a screen that asks for sound and then chimes, and a console that follows the
hall over its WebSocket instead of polling."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_settings
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, run_server, snapshot
from tests.web.helpers import DEMO_PASSWORD

live_server = browser.live_server
chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser

WINDOWS = "/api/halls/district/windows"
SUNDAY_1030 = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)  # Shanghai: the hall is closed


@pytest.fixture
def sunday_server(tmp_path: Path) -> Iterator[LiveServer]:
    from web.app import create_app

    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'sunday.db'}")
    app = create_app(dataclasses.replace(settings, clock_start=SUNDAY_1030))
    with run_server(tmp_path, app) as server:
        yield server


@contextlib.contextmanager
def staff_client(
    server: LiveServer, username: str
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    with httpx.Client(base_url=server.base) as http:
        signed = http.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
        assert signed.status_code == 200, signed.text
        yield http, {"X-CSRF-Token": signed.json()["csrf_token"]}


SMALLEST_TEXT = """() => {
  const sizes = [];
  for (const node of document.querySelectorAll("body *")) {
    const own = [...node.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim());
    const box = node.getBoundingClientRect();
    if (!own || box.width === 0 || box.height === 0 || node.closest("[hidden], .slip")) continue;
    sizes.push(parseFloat(getComputedStyle(node).fontSize));
  }
  return Math.min(...sizes);
}"""


def sign_in(page: Page, server: LiveServer, username: str, then: str) -> None:
    page.goto(server.url(f"/staff?next={then}"))
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#signin-submit")
    page.wait_for_url(server.url(then))


def test_the_kiosk_on_a_closed_day_says_when_the_hall_opens(
    sunday_server: LiveServer, pages: BrowserPages
) -> None:
    kiosk = pages.open(width=1080, height=1920)
    kiosk.goto(sunday_server.url("/halls/district/kiosk"))
    banner = kiosk.locator("#kiosk-closed")
    expect(banner).to_be_visible()
    # Sunday 22 November: the next opening is Monday 23 November at 09:00, tickets from 08:30.
    expect(banner).to_contain_text("下次办理时间：11月23日（周一）09:00，08:30起可取号。")
    expect(kiosk.locator("#kiosk-clock")).to_contain_text("11月22日")  # the hall's clock
    assert kiosk.evaluate(SMALLEST_TEXT) >= 24  # no text under 24 px on the kiosk
    kiosk.click("#kiosk-large")
    assert kiosk.evaluate(SMALLEST_TEXT) >= 30  # large-type mode
    kiosk.click("#kiosk-large")
    snapshot(kiosk, "kiosk-closed")
    kiosk.click("[data-group=social]")
    button = kiosk.locator("[data-matter=SI-REG]")
    expect(button).to_have_attribute("data-closed", "1")
    expect(button.locator(".matter-note")).to_contain_text("当前不办理")
    button.click()
    expect(kiosk.locator("#kiosk-error")).to_contain_text("取号失败：大厅当前不在取号时间内。")
    expect(kiosk.locator("#step-ticket")).to_be_hidden()
    english = pages.open(width=1080, height=1920)
    english.goto(sunday_server.url("/halls/district/kiosk?lang=en"))
    expect(english.locator("#kiosk-closed")).to_contain_text("Mon 23 Nov at 09:00")
    assert pages.errors == []


def test_a_green_ticket_from_the_guide_desk_is_called_first(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    for _ in range(2):  # two citizens already wait at the kiosk's ordinary line
        taken = httpx.post(
            live_server.url("/api/halls/district/tickets"), json={"matter": "SI-REG"}
        )
        assert taken.status_code == 201
    desk = pages.open(width=1366, height=768)
    sign_in(desk, live_server, "clerk02", "/halls/district/guide")
    expect(desk.locator("#guide-live")).to_have_attribute("data-live", "1")
    expect(desk.locator("#guide-queue tr[data-group=social]")).to_contain_text("2")
    desk.check("#kind-green")
    desk.check("input[name=reason][value=elderly]")
    desk.click("[data-matter=SI-REG]")
    expect(desk.locator("#guide-result")).to_be_visible()
    expect(desk.locator("#guide-green")).to_be_visible()
    green = desk.locator("#guide-number").inner_text()
    expect(desk.locator("#guide-queue tr[data-group=social]")).to_contain_text("3")
    snapshot(desk, "guide-desk")

    with staff_client(live_server, "clerk03") as (http, headers):
        assert http.post(f"{WINDOWS}/3/sign-in", headers=headers).status_code == 200
        called = http.post(f"{WINDOWS}/3/call-next", headers=headers).json()
        events = http.get(f"/api/tickets/{called['ticket']['id']}/events", headers=headers).json()
    assert called["ticket"]["number"] == green
    assert called["ticket"]["green"] is True
    assert events["events"][0]["actor"] == "clerk02"  # issued on the citizen's behalf
    assert pages.errors == []


def test_the_screen_asks_for_sound_then_chimes_and_captions_every_call(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    screen = pages.open(width=1920, height=1080)
    screen.goto(live_server.url("/halls/district/screens/main"))
    # Chromium's default autoplay policy blocks the chime until someone clicks.
    expect(screen.locator("#sound-overlay")).to_be_visible()
    expect(screen.locator("body")).to_have_attribute("data-sound", "blocked")
    snapshot(screen, "screen-sound-overlay")
    screen.locator("#sound-overlay").click()
    expect(screen.locator("#sound-overlay")).to_be_hidden()
    expect(screen.locator("#chime")).to_have_attribute("data-played", "1")
    expect(screen.locator("body")).to_have_attribute("data-sound", "on")
    assert screen.evaluate(SMALLEST_TEXT) >= 28  # readable across the hall at 1920×1080

    with staff_client(live_server, "clerk04") as (http, headers):
        http.post("/api/halls/district/tickets", json={"matter": "SI-REG"})
        http.post(f"{WINDOWS}/4/sign-in", headers=headers)
        number = http.post(f"{WINDOWS}/4/call-next", headers=headers).json()["ticket"]["number"]
    caption = screen.locator("#caption")
    expect(caption).to_be_visible()
    expect(caption).to_contain_text(f"请 {number} 号 到 4 号窗口 办理")
    expect(screen.locator("#chime")).to_have_attribute("data-played", "2")  # the call's chime
    assert screen.evaluate("document.getElementById('chime').error") is None
    snapshot(screen, "screen-caption")
    assert pages.errors == []


def test_the_console_follows_the_hall_without_polling(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    console = pages.open(width=1366, height=768)
    console.clock.install()
    console.goto(live_server.url("/staff"))
    console.fill("#username", "clerk06")
    console.fill("#password", DEMO_PASSWORD)
    console.click("#signin-submit")
    console.click("#windows [data-window='6']")
    expect(console.locator("#view-desk")).to_be_visible()
    expect(console.locator("#bar-live")).to_have_attribute("data-live", "1")
    expect(console.locator("#queue-empty")).to_be_visible()
    reads: list[str] = []
    console.on("request", lambda r: reads.append(r.url) if r.url.endswith("/queue") else None)
    console.clock.pause_at(datetime(2030, 1, 1, tzinfo=UTC))  # page timers stand still now
    ticket = httpx.post(live_server.url("/api/halls/district/tickets"), json={"matter": "SI-REG"})
    number = ticket.json()["number"]
    row = console.locator("#queue tbody tr").first

    def shown() -> bool:
        return row.count() > 0 and number in (row.text_content() or "")

    advanced = 0
    while not shown() and advanced < 2000:
        console.clock.run_for(50)  # only the feed's debounce can run in so little page time
        advanced += 50
        console.wait_for_timeout(100)
    expect(row).to_contain_text(number)
    assert advanced < 3000  # less page time than one round of the old 3-second polling
    assert len(reads) >= 1  # the desk was read again because the feed said so
    assert pages.errors == []
