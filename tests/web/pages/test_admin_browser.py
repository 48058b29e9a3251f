"""An admin edits a matter on /admin in a real headless Chromium; the public API shows it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.live_server import LiveServer
from tests.web.helpers import DEMO_PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = os.environ.get("HALL_TEST_CHROMIUM", "/usr/bin/chromium")
ROW = "matter:district:SI-CARD"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path).start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
def page() -> Iterator[Page]:
    if shutil.which(CHROMIUM) is None:
        if os.environ.get("HALL_TEST_REQUIRE_BROWSER"):
            pytest.fail(f"HALL_TEST_REQUIRE_BROWSER is set but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        try:
            yield context.new_page()
        finally:
            browser.close()


def expected_minutes(server: LiveServer, code: str) -> float:
    matters = httpx.get(f"{server.url}/api/halls/district/matters").json()
    minutes: float = next(m["expected_minutes"] for m in matters if m["code"] == code)
    return minutes


@pytest.mark.browser
def test_admin_edits_expected_minutes_on_the_page(server: LiveServer, page: Page) -> None:
    signed_in = page.request.post(
        f"{server.url}/api/session", data={"username": "admin", "password": DEMO_PASSWORD}
    )
    assert signed_in.ok
    page.goto(f"{server.url}/admin")
    page.click(f'tr[data-row="{ROW}"] [data-toggle]')
    form = page.locator(f'form[data-row="{ROW}"]')
    minutes = form.locator("input[name=expected_minutes]")

    minutes.fill("0")  # the server's parser refuses it, naming the key path
    form.locator("button[type=submit]").click()
    # The problem names the field as the form does, in Chinese with Chinese punctuation.
    problem = form.locator(".result.error table.problems td")
    assert problem.inner_text() == (
        "大厅“澄湖区政务服务中心”的事项“社会保障卡申领与补换”（SI-CARD）的"
        "预计办理（分钟）：须在 0.5 至 480.0 之间。"
    )
    assert "invalid" in (minutes.get_attribute("class") or "")
    assert expected_minutes(server, "SI-CARD") == 6

    minutes.fill("17.5")
    form.locator("button[type=submit]").click()
    form.locator(".result .ok").wait_for()
    cell = page.locator(f'tr[data-row="{ROW}"] [data-col="expected_minutes"]')
    assert cell.inner_text() == "17.5"
    assert expected_minutes(server, "SI-CARD") == 17.5
    page.reload()
    assert cell.inner_text() == "17.5"
