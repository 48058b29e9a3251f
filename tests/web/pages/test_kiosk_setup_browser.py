"""An admin registers a kiosk on /admin; the set-up link gives the kiosk page its own limit.

In a real headless Chromium: the admin page shows the token once with its set-up link;
the kiosk page opened with it keeps the token in an HttpOnly cookie, drops it from the
address bar, and then issues past the anonymous limit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import make_settings
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer
from tests.web.helpers import DEMO_PASSWORD, FakeClock, use_clock

chromium = browser.chromium
pages = browser.pages

ANONYMOUS, KIOSK = 2, 20
TAKE = """async (hall) => {
  const r = await fetch(`/api/halls/${hall}/tickets`, {method: "POST",
    headers: {"Content-Type": "application/json"}, body: JSON.stringify({matter: "SI-REG"})});
  return r.status;
}"""


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[LiveServer]:
    from web.app import create_app

    settings = make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'live.db'}")
    app = create_app(
        dataclasses.replace(settings, ticket_rate_limit=ANONYMOUS, kiosk_rate_limit=KIOSK)
    )
    use_clock(app, FakeClock())
    with browser.run_server(tmp_path, app) as server:
        yield server


def register_kiosk(page: Page, server: LiveServer) -> str:
    signed_in = page.request.post(
        server.url("/api/session"), data={"username": "admin", "password": DEMO_PASSWORD}
    )
    assert signed_in.ok
    page.goto(server.url("/admin#kiosks"))
    form = page.locator("form[data-kind=kiosk][data-hall=district]")
    form.locator("xpath=..").locator("summary").click()
    form.locator("input[name=name]").fill("一楼取号机")
    form.locator("button[type=submit]").click()
    link = form.locator("code.kiosk-link")
    expect(link).to_contain_text("/halls/district/kiosk#kiosk-token=")
    return link.inner_text()


@pytest.mark.browser
def test_a_kiosk_set_up_from_the_admin_page_gets_its_own_limit(
    hall: LiveServer, pages: BrowserPages
) -> None:
    link = register_kiosk(pages.open(), hall)
    kiosk = pages.open(width=1920, height=1080)
    kiosk.goto(link)
    kiosk.wait_for_function("document.body.dataset.ready === '1'")
    kiosk.wait_for_function("location.hash === ''")
    kiosk.wait_for_function(
        "() => performance.getEntriesByType('resource')"
        ".some((e) => e.name.endsWith('/kiosk-device'))"
    )
    cookies = {c["name"]: c for c in kiosk.context.cookies()}
    expect(kiosk.locator("#kiosk-error")).to_be_hidden()
    assert cookies["tongban_kiosk"]["httpOnly"]
    statuses = [kiosk.evaluate(TAKE, "district") for _ in range(ANONYMOUS + 3)]
    assert statuses == [201] * (ANONYMOUS + 3)

    citizen = pages.open(width=390, height=844)
    citizen.goto(hall.url("/halls/district/kiosk"))
    again = [citizen.evaluate(TAKE, "district") for _ in range(ANONYMOUS + 1)]
    assert again == [201] * ANONYMOUS + [429]
    assert pages.errors == []
