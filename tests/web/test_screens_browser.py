"""The screens in a real headless Chromium against real server processes."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from tests.live_server import LiveServer
from tests.web.browser import CHROMIUM_ARGS, chromium_path

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

HALL = "/api/halls/district"

# Records what the page speaks; each utterance "lasts" 200 ms. The chime ends at once.
SPEECH_STUB = """
window.__spoken = [];
window.__cancelled = 0;
HTMLMediaElement.prototype.play = function () {
  setTimeout(() => this.dispatchEvent(new Event("ended")), 20);
  return Promise.resolve();
};
const synth = {
  speaking: false,
  speak(u) {
    const entry = { text: u.text, lang: u.lang, start: performance.now(), end: null };
    window.__spoken.push(entry);
    this.speaking = true;
    setTimeout(() => {
      entry.end = performance.now(); this.speaking = false; u.onend && u.onend();
    }, 200);
  },
  cancel() { window.__cancelled += 1; },
  pause() {}, resume() {}, getVoices() { return []; },
};
Object.defineProperty(window, "speechSynthesis", { value: synth, configurable: true });
"""


@pytest.fixture
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        found = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield found
        found.close()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path, HALL_SCREEN_HEARTBEAT_SECONDS="2").start()
    yield live
    live.stop()


OPEN_CLIENTS: list[httpx.Client] = []


@pytest.fixture(autouse=True)
def _close_clients() -> Iterator[None]:
    yield
    while OPEN_CLIENTS:
        OPEN_CLIENTS.pop().close()


class Clerk:
    """A clerk signed in at a window, acting over HTTP."""

    def __init__(self, server: LiveServer, window: int) -> None:
        self.http = httpx.Client(base_url=server.url, timeout=10)
        OPEN_CLIENTS.append(self.http)
        self.window = window
        login = self.http.post(
            "/api/session", json={"username": f"clerk{window:02d}", "password": "tongban-demo"}
        )
        self.headers = {"X-CSRF-Token": login.json()["csrf_token"]}
        self.act("sign-in")

    def act(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.http.post(
            f"{HALL}/windows/{self.window}/{action}", headers=self.headers, json=body
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


def take_ticket(server: LiveServer) -> dict[str, Any]:
    response = httpx.post(f"{server.url}{HALL}/tickets", json={"matter": "SI-REG"}, timeout=10)
    assert response.status_code == 201
    ticket: dict[str, Any] = response.json()
    return ticket


def open_screen(browser: Browser, url: str, stub: bool = False) -> Page:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.set_default_timeout(10_000)
    if stub:
        page.add_init_script(SPEECH_STUB)
    page.goto(url)
    page.wait_for_function("document.body.dataset.seq !== undefined")
    return page


def text_of(page: Page, bind: str) -> str:
    return page.locator(f'[data-bind="{bind}"]').first.inner_text()


def test_a_call_appears_on_the_main_and_the_window_screen(
    server: LiveServer, browser: Browser
) -> None:
    main = open_screen(browser, f"{server.url}/halls/district/screens/main")
    window = open_screen(browser, f"{server.url}/halls/district/screens/windows/2")
    ticket = take_ticket(server)
    clerk = Clerk(server, 2)
    clerk.act("call-next")
    number = ticket["number"]
    main.wait_for_function(
        "n => document.querySelector('[data-bind=current-ticket]').textContent === n", arg=number
    )
    window.wait_for_function(
        "n => document.querySelector('[data-bind=win-ticket]').textContent === n", arg=number
    )
    assert main.locator('.tile[data-window="2"] .num').inner_text() == number
    assert "C0002" in text_of(window, "staff")
    assert ticket["id"] not in main.content()
    clerk.act("start")
    clerk.act("finish", {"outcome": "completed"})
    clerk.act("pause", {"reason": "break"})
    window.wait_for_function(
        "() => document.querySelector('[data-bind=win-ticket]').textContent === '暂停服务'"
    )
    main.wait_for_function(
        "() => document.querySelector('.tile[data-window=\"2\"] .num').textContent === '暂停服务'"
    )


def test_the_screen_comes_back_by_itself_after_a_server_restart(
    server: LiveServer, browser: Browser
) -> None:
    main = open_screen(browser, f"{server.url}/halls/district/screens/main")
    take_ticket(server)
    take_ticket(server)
    Clerk(server, 1).act("call-next")
    main.wait_for_function(
        "() => document.querySelector('.tile[data-window=\"1\"] .num').textContent.startsWith('D')"
    )
    server.kill()
    main.wait_for_selector("#offline", state="visible")
    server.start()
    called = Clerk(server, 3).act("call-next")["ticket"]["number"]
    main.wait_for_function(
        "n => document.querySelector('[data-bind=current-ticket]').textContent === n",
        arg=called,
        timeout=8_000,
    )
    main.wait_for_selector("#offline", state="hidden")
    assert main.locator('.tile[data-window="3"] .num').inner_text() == called


def test_three_calls_within_a_second_are_announced_in_order_and_never_cut_off(
    server: LiveServer, browser: Browser
) -> None:
    main = open_screen(browser, f"{server.url}/halls/district/screens/main", stub=True)
    clerks = [Clerk(server, window) for window in (4, 5, 6)]
    tickets = [take_ticket(server) for _ in clerks]
    calls = [(c.act("call-next")["ticket"]["number"], c.window) for c in clerks]  # < 1 s
    assert [n for n, _ in calls] == [t["number"] for t in tickets]
    main.wait_for_function(
        "() => window.__spoken.filter(s => s.end !== null).length >= 6", timeout=15_000
    )
    spoken = main.evaluate("window.__spoken")
    expected = []
    for number, window in calls:
        spelled = " ".join("零一二三四五六七八九"[int(c)] if c.isdigit() else c for c in number)
        expected += [f"请 {spelled} 号，到 {window} 号窗口办理"] * 2
    assert [s["text"] for s in spoken] == expected
    assert all(s["lang"] == "zh-CN" for s in spoken)
    for before, after in itertools.pairwise(spoken):
        assert after["start"] >= before["end"], "an announcement overlapped the one before"
    assert main.evaluate("window.__cancelled") == 0
