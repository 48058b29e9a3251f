"""A real server and a real headless Chromium, for the browser tests of pages and screens.

Use the fixtures by importing them into a test module::

    from tests.web import browser

    live_server = browser.live_server
    chromium = browser.chromium
    pages = browser.pages
    page = browser.page

    @pytest.mark.browser
    def test_something(live_server: browser.LiveServer, page: Page) -> None:
        page.goto(live_server.url("/staff"))

Browser tests are synchronous (Playwright's sync API) and mark themselves
``@pytest.mark.browser``. Without Chromium they skip with one line, unless
``HALL_TEST_REQUIRE_BROWSER`` is set (CI), in which case they fail.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from starlette.applications import Starlette

from tests.conftest import make_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM_ENV = "HALL_TEST_CHROMIUM"
REQUIRE_ENV = "HALL_TEST_REQUIRE_BROWSER"
SCREENSHOTS_ENV = "HALL_TEST_SCREENSHOTS"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
STARTUP_SECONDS = 30.0
TIMEOUT_MS = 10_000


def chromium_path() -> str:
    """Where Chromium is; skips the test (or fails it when HALL_TEST_REQUIRE_BROWSER is set)."""
    wanted = os.environ.get(CHROMIUM_ENV, "")
    candidates = [wanted] if wanted else [DEFAULT_CHROMIUM, "chromium", "chromium-browser"]
    for candidate in candidates:
        found = shutil.which(candidate)
        if found:
            return found
    wanted = wanted or DEFAULT_CHROMIUM
    reason = f"browser tests need Chromium at {wanted} (set {CHROMIUM_ENV} or install chromium)"
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but {reason}")
    pytest.skip(reason)


@dataclass(frozen=True, slots=True)
class LiveServer:
    """A running server: its base address and the app (for its state, e.g. the database)."""

    base: str
    app: Starlette

    def url(self, path: str = "/") -> str:
        return self.base + path


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@contextlib.contextmanager
def run_server(tmp_path: Path, app: Starlette | None = None) -> Iterator[LiveServer]:
    """Serve the app (by default a demo-mode app on a fresh SQLite file) with uvicorn.

    The server runs in a thread on a socket bound before it starts, so the port is
    known and free; the context waits for the app's startup and stops it on exit.
    """
    import uvicorn

    from web.app import create_app

    if app is None:
        settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
        app = create_app(settings)
    sock = _free_socket()
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on", ws_per_message_deflate=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        _wait_started(server, thread)
        yield LiveServer(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(STARTUP_SECONDS)
        sock.close()


def _wait_started(server: object, thread: threading.Thread) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not getattr(server, "started", False):
        if not thread.is_alive():
            raise RuntimeError("the test server stopped during startup (see the log above)")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test server did not start within {STARTUP_SECONDS} s")
        time.sleep(0.01)


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A demo-mode server on a fresh SQLite file, for one test."""
    with run_server(tmp_path) as server:
        yield server


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """One Chromium per test module (contexts keep the tests apart)."""
    with launch_chromium() as browser:
        yield browser


class BrowserPages:
    """Opens pages, each in its own context (own cookies: a kiosk, a clerk, a phone).

    Script errors and failed console messages of every page are collected in
    ``errors``, so a test can assert that the pages ran cleanly.
    """

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.errors: list[str] = []
        self._contexts: list[BrowserContext] = []

    def open(self, *, locale: str = "zh-CN", width: int = 1280, height: int = 800) -> Page:
        context = self.browser.new_context(
            locale=locale, viewport={"width": width, "height": height}
        )
        context.set_default_timeout(TIMEOUT_MS)
        self._contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        return page

    def close(self) -> None:
        for context in self._contexts:
            context.close()
        self._contexts.clear()


def snapshot(page: Page, name: str) -> None:
    """Save a screenshot to $HALL_TEST_SCREENSHOTS/<name>.png when that folder is set."""
    folder = os.environ.get(SCREENSHOTS_ENV)
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.fixture
def pages(chromium: Browser) -> Iterator[BrowserPages]:
    """A page factory for one test; every context it opened is closed afterwards."""
    opened = BrowserPages(chromium)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(pages: BrowserPages) -> Page:
    """One fresh page (own cookies), Chinese locale, 1280×800."""
    return pages.open()
