"""In a real headless Chromium: a citizen takes a ticket, a clerk calls and finishes it,
and the phone page follows along; plus the console's errors, keys and dialogs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, snapshot
from tests.web.helpers import DEMO_PASSWORD

live_server = browser.live_server
chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser


def take_ticket(kiosk: Page, server: LiveServer, group: str, matter: str) -> tuple[str, str]:
    """Take a ticket at the kiosk; returns (ticket id, number)."""
    kiosk.goto(server.url("/halls/district/kiosk"))
    kiosk.click(f"[data-group={group}]")
    kiosk.click(f"[data-matter={matter}]")
    expect(kiosk.locator("#step-ticket")).to_be_visible()
    number = kiosk.locator("#tk-number").inner_text()
    ticket_id = kiosk.locator("#ticket-card").get_attribute("data-ticket")
    assert ticket_id
    assert re.fullmatch(r"[A-Z]\d{3}", number)
    return ticket_id, number


def sign_in_at_window(console: Page, server: LiveServer, username: str, window: int) -> None:
    console.goto(server.url("/staff"))
    console.fill("#username", username)
    console.fill("#password", DEMO_PASSWORD)
    console.click("#signin-submit")
    console.click(f"#windows [data-window='{window}']")
    expect(console.locator("#view-desk")).to_be_visible()


def test_kiosk_ticket_is_called_and_finished_and_the_phone_follows(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    kiosk = pages.open(width=1920, height=1080)
    ticket_id, number = take_ticket(kiosk, live_server, "social", "SI-REG")
    expect(kiosk.locator("#tk-ahead")).to_have_text("0 人")
    expect(kiosk.locator("#tk-qr")).to_have_attribute("src", f"/t/{ticket_id}/qr.svg")
    snapshot(kiosk, "kiosk-ticket")

    phone = pages.open(width=390, height=844)
    phone.clock.install()  # the page polls every 5 s; the test moves its clock instead
    phone.goto(live_server.url(f"/t/{ticket_id}"))
    expect(phone.locator("#tp-status")).to_have_text("排队等候中")
    expect(phone.locator("#tp-position")).to_have_text("1")

    console = pages.open()
    sign_in_at_window(console, live_server, "clerk05", 5)
    expect(console.locator("#queue tbody tr").first).to_contain_text(number)
    console.keyboard.press("n")
    expect(console.locator("#current .num")).to_have_text(number)
    expect(console.locator("#history li[data-kind=ticket_called]")).to_contain_text("clerk05")

    phone.clock.fast_forward(5000)
    expect(phone.locator("#tp-status")).to_have_text("请到 5 号窗口办理")
    snapshot(phone, "ticket-called")

    console.keyboard.press("s")
    expect(console.locator("#current")).to_have_attribute("data-status", "serving")
    console.keyboard.press("f")
    expect(console.locator("#dlg-finish")).to_be_visible()
    console.keyboard.press("1")
    expect(console.locator("#current")).to_have_attribute("data-status", "")
    expect(console.locator("#today-called")).to_have_text("1")
    expect(console.locator("#today-finished")).to_have_text("1")
    snapshot(console, "staff-console")

    phone.clock.fast_forward(5000)
    expect(phone.locator("#tp-status")).to_have_text("已办结，感谢您的耐心")
    assert pages.errors == []


def test_console_shows_both_languages_of_an_error_and_runs_the_dialogs(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    kiosk = pages.open()
    first_id, first = take_ticket(kiosk, live_server, "social", "SI-CARD")
    _, second = take_ticket(kiosk, live_server, "living", "RES-PERMIT")

    console = pages.open()
    console.goto(live_server.url("/staff"))
    console.fill("#username", "clerk07")
    console.fill("#password", "not-the-password")
    console.click("#signin-submit")
    expect(console.locator("#signin-error")).to_contain_text("用户名或密码错误。")
    expect(console.locator("#signin-error small")).to_have_text("Wrong user name or password.")

    sign_in_at_window(console, live_server, "clerk07", 7)
    console.keyboard.press(" ")
    expect(console.locator("#current .num")).to_have_text(first)
    console.keyboard.press("p")
    console.fill("#park-reason", "复印身份证")
    console.click("#park-ok")
    expect(console.locator("#parked")).to_contain_text("复印身份证")
    expect(console.locator("#current")).to_have_attribute("data-status", "")

    console.keyboard.press("n")
    expect(console.locator("#current .num")).to_have_text(second)
    console.keyboard.press("t")
    # Each window shows its state; window 21 (driving licences) cannot take this matter.
    expect(console.locator("#transfer-window option[value='8']")).to_contain_text("未开放")
    expect(console.locator("#transfer-window option[value='21']")).to_be_disabled()
    console.select_option("#transfer-window", "8")
    console.click("#transfer-ok")
    # Nobody serves at window 8: the dialog says where the ticket would wait; confirm.
    expect(console.locator("#transfer-note")).to_contain_text("8 号窗口当前无人服务")
    expect(console.locator("#current")).to_have_attribute("data-status", "called")
    console.click("#transfer-ok")
    expect(console.locator("#current")).to_have_attribute("data-status", "")
    expect(console.locator("#queue")).not_to_contain_text(second)  # it now waits for window 8

    console.click(f"#parked [data-resume='{first_id}']")
    expect(console.locator("#queue tbody tr").first).to_contain_text(first)
    console.keyboard.press("n")
    expect(console.locator("#current .num")).to_have_text(first)
    # Too early for a no-show: the button waits for the rule and says what is missing.
    no_show = console.locator('#actions [data-action="no-show"]')
    expect(no_show).to_be_disabled()
    expect(no_show.locator(".wait")).to_have_text("还需重呼 2 次")
    console.keyboard.press("x")
    expect(console.locator("#console-error")).to_be_hidden()
    console.keyboard.press("r")
    expect(no_show.locator(".wait")).to_have_text("还需重呼 1 次")
    console.keyboard.press("r")
    expect(no_show.locator(".wait")).to_contain_text("后可过号")  # the grace counts down
    assert pages.errors == []


def test_supervisor_is_sent_to_sign_in_and_back_to_the_overview(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    clerk = pages.open()
    sign_in_at_window(clerk, live_server, "clerk03", 3)

    boss = pages.open(width=1440, height=900)
    boss.goto(live_server.url("/halls/district/overview"))
    expect(boss).to_have_url(re.compile(r"/staff\?next=/halls/district/overview$"))
    boss.fill("#username", "supervisor")
    boss.fill("#password", DEMO_PASSWORD)
    boss.click("#signin-submit")
    expect(boss).to_have_url(re.compile(r"/halls/district/overview$"))
    window = boss.locator(".ov-window[data-window='3']")
    expect(window).to_have_attribute("data-status", "open")
    expect(window).to_contain_text("C0003")
    snapshot(boss, "overview")
    assert pages.errors == []
