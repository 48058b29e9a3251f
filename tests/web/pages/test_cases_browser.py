"""In a real Chromium: the window's evaluator follows a finish at once, the citizen gives
one star and a reason, and the supervisor's case desk has the case with its deadline; a
帮办 request from the phone page rings on the helper's page (and plays its sound)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Page, expect

from hall.catalogue.loader import demo_config_path, load_config
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, snapshot
from tests.web.helpers import DEMO_PASSWORD
from web.desk_keys import evaluator_key

live_server = browser.live_server
chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Counts the calls of HTMLMediaElement.play() (the helper's ring) in the page.
COUNT_PLAYS = """
window.__plays = 0;
const play = HTMLMediaElement.prototype.play;
HTMLMediaElement.prototype.play = function () {
  window.__plays += 1;
  return play.call(this);
};
"""


def sign_in(page: Page, server: LiveServer, username: str) -> None:
    page.goto(server.url("/staff"))
    page.fill("#username", username)
    page.fill("#password", DEMO_PASSWORD)
    page.click("#signin-submit")
    expect(page.locator("#bar-who")).to_be_visible()


def take_ticket(server: LiveServer, matter: str = "SI-CARD") -> dict[str, str]:
    response = httpx.post(server.url("/api/halls/district/tickets"), json={"matter": matter})
    assert response.status_code == 201, response.text
    ticket: dict[str, str] = response.json()
    return ticket


def serve(
    console: Page, server: LiveServer, window: int, matter: str, *, finish: bool = True
) -> dict[str, str]:
    """The clerk signs in at the window, calls, starts and (by default) finishes a ticket."""
    console.click(f"#windows [data-window='{window}']")
    expect(console.locator("#view-desk")).to_be_visible()
    ticket = take_ticket(server, matter)
    console.keyboard.press("n")
    expect(console.locator("#current .num")).to_have_text(ticket["number"])
    console.keyboard.press("s")
    expect(console.locator("#current")).to_have_attribute("data-status", "serving")
    if finish:
        console.keyboard.press("f")
        console.keyboard.press("1")
        expect(console.locator("#current")).to_have_attribute("data-status", "")
    return ticket


def next_working_day_end(today: date) -> str:
    """The contact deadline counted by hand: the next Monday–Friday (or makeup) day that is
    not a holiday of the demo hall, shown as "MM-DD 24:00"."""
    hall = load_config(demo_config_path()).halls[0]
    day = today
    while True:
        day += timedelta(days=1)
        works = day in hall.makeup_workdays or (day.weekday() < 5 and day not in hall.holidays)
        if works:
            return f"{day:%m-%d} 24:00"


def test_a_finish_shows_the_form_and_one_star_becomes_a_case_on_the_desk(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    key = evaluator_key(live_server.app.state.settings.secret_key, "district", 5)
    tablet = pages.open(width=1280, height=800)
    tablet.clock.install()  # the thanks stay 5 s; the test moves the page's clock instead
    tablet.goto(live_server.url(f"/halls/district/windows/5/evaluator?key={key}"))
    expect(tablet.locator("#ev-idle")).to_be_visible()
    expect(tablet.locator("body")).to_have_attribute("data-ready", "1")

    console = pages.open(width=1366, height=768)
    sign_in(console, live_server, "clerk05")
    ticket = serve(console, live_server, 5, "SI-CARD", finish=False)
    console.keyboard.press("f")
    console.keyboard.press("1")  # completed: the clock of "within a second" starts here

    expect(tablet.locator("#ev-staff")).to_contain_text("C0005")  # the window's clerk
    expect(tablet.locator("#ev-rate")).to_be_visible(timeout=1000)  # within a second
    expect(tablet.locator("#ev-number")).to_have_text(ticket["number"])
    snapshot(tablet, "evaluator-form-zh")
    tablet.click("#ev-form [data-score='1']")
    expect(tablet.locator("#ev-form .rf-reasons")).to_be_visible()
    tablet.click("#ev-form [data-reason='attitude']")
    expect(tablet.locator("#ev-form [data-reason='attitude']")).to_have_attribute(
        "aria-pressed", "true"
    )
    tablet.click("#ev-form .rf-submit")
    expect(tablet.locator("#ev-thanks")).to_contain_text("1 个工作日内")
    tablet.clock.fast_forward(5000)
    expect(tablet.locator("#ev-idle")).to_be_visible()  # thanks, then idle
    # The console never learns what the citizen gave.
    expect(console.locator("body")).not_to_contain_text("非常不满意")
    expect(console.locator("body")).not_to_contain_text("差评")

    desk = pages.open(width=1366, height=768)
    sign_in(desk, live_server, "supervisor")
    desk.goto(live_server.url("/halls/district/cases"))
    row = desk.locator("#cases tbody tr[data-kind='bad_rating']")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(ticket["number"])
    expect(row).to_contain_text("服务态度差")
    today = live_server.app.state.clock().astimezone(SHANGHAI).date()  # the server's day
    expect(row.locator(".due")).to_contain_text(next_working_day_end(today))
    snapshot(desk, "case-desk-zh")
    csv = desk.request.get(live_server.url("/api/halls/district/cases.csv"))
    assert csv.body().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel
    assert "差评" in csv.text()
    assert ticket["number"] in csv.text()

    row.locator("a").click()
    expect(desk.locator("#case-status")).to_have_attribute("data-status", "open")
    form = desk.locator("form[data-step='verify']")
    form.locator("select[name='result']").select_option("true")
    form.locator("input[name='evidence']").fill("调取窗口录像，态度确有问题")
    form.locator("button").click()
    expect(desk.locator("#case-status")).to_have_attribute("data-status", "rectifying")
    expect(desk.locator("#timeline li[data-step='verify']")).to_contain_text("调取窗口录像")
    snapshot(desk, "case-detail-zh")
    desk.goto(live_server.url("/halls/district/cases?lang=en"))
    expect(desk.locator("#cases")).to_contain_text("Bad rating")
    snapshot(desk, "case-desk-en")

    phone = pages.open(width=390, height=844)
    phone.goto(live_server.url(f"/t/{ticket['id']}"))
    expect(phone.locator("#tr-done")).to_be_visible()
    expect(phone.locator("#tr-level")).to_have_text("非常不满意")
    assert pages.errors == []


def test_the_portrait_evaluator_in_english_and_the_phone_form(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    key = evaluator_key(live_server.app.state.settings.secret_key, "district", 6)
    tablet = pages.open(width=800, height=1280)
    tablet.goto(live_server.url(f"/halls/district/windows/6/evaluator?key={key}&lang=en"))
    expect(tablet.locator("#ev-idle")).to_contain_text("Welcome")
    unpaired = pages.open(width=1280, height=800)
    unpaired.goto(live_server.url("/halls/district/windows/6/evaluator?key=wrong"))
    expect(unpaired.locator("#ev-unpaired")).to_be_visible()

    console = pages.open()
    sign_in(console, live_server, "clerk06")
    ticket = serve(console, live_server, 6, "MI-RES")
    expect(tablet.locator("#ev-rate")).to_be_visible()
    snapshot(tablet, "evaluator-portrait-en")
    tablet.click("#ev-form .rf-skip")  # the citizen does not want to rate here
    expect(tablet.locator("#ev-idle")).to_be_visible()

    for lang in ("zh", "en"):
        phone = pages.open(width=390, height=844, locale="zh-CN" if lang == "zh" else "en-GB")
        phone.goto(live_server.url(f"/t/{ticket['id']}?lang={lang}"))
        expect(phone.locator("#tr-form-box")).to_be_visible()
        phone.click("#tr-form [data-score='4']")
        expect(phone.locator("#tr-form .rf-reasons")).to_be_hidden()
        phone.locator("#tr-form .rf-aspects summary").click()
        phone.click("#tr-form [data-aspect='attitude'] [data-value='5']")
        snapshot(phone, f"phone-rating-form-{lang}")
    phone.click("#tr-form .rf-submit")
    expect(phone.locator("#tr-done")).to_be_visible()
    expect(phone.locator("#tr-change")).to_be_visible()
    phone.click("#tr-change")
    phone.click("#tr-form [data-score='5']")
    phone.click("#tr-form .rf-submit")
    expect(phone.locator("#tr-stars")).to_have_text("★★★★★")
    expect(phone.locator("#tr-change")).to_be_hidden()  # one change only
    assert pages.errors == []


def test_a_help_request_from_the_phone_rings_on_the_helpers_page(
    live_server: LiveServer, pages: BrowserPages
) -> None:
    helpers = []
    for username, lang in (("supervisor", "zh"), ("clerk22", "en")):
        page = pages.open(width=1366, height=768)
        page.add_init_script(COUNT_PLAYS)
        sign_in(page, live_server, username)
        page.goto(live_server.url(f"/halls/district/help-desk?lang={lang}"))
        expect(page.locator("body")).to_have_attribute("data-ready", "1")
        page.click("#hd-sound")  # a tap unlocks the sound
        expect(page.locator("#hd-none")).to_be_visible()
        helpers.append(page)
    boss, clerk = helpers
    before = boss.evaluate("window.__plays")

    ticket = take_ticket(live_server)
    phone = pages.open(width=390, height=844)
    phone.clock.install()
    phone.goto(live_server.url(f"/t/{ticket['id']}"))
    phone.fill("#tr-help-note", "我在 3 号等候区")
    phone.click("#tr-help-btn")
    expect(phone.locator("#tr-help-status")).to_have_text("已通知帮办人员，请在原地稍候")

    for page in helpers:
        expect(page.locator("#hd-alert")).to_be_visible()
        expect(page.locator("#hd-open .hd-card")).to_contain_text(ticket["number"])
    expect(boss.locator("#hd-open")).to_contain_text("我在 3 号等候区")
    assert boss.evaluate("window.__plays") > before  # the ring went through <audio>.play()
    assert clerk.evaluate("window.__plays") > before
    snapshot(boss, "helper-alert-zh")
    snapshot(clerk, "helper-alert-en")

    clerk.click("#hd-open .hd-card button")
    expect(clerk.locator("#hd-mine .hd-card")).to_contain_text(ticket["number"])
    expect(boss.locator("#hd-none")).to_be_visible()  # taken: gone from everyone's list

    kiosk = pages.open(width=1080, height=1920)
    kiosk.goto(live_server.url("/halls/district/kiosk"))
    kiosk.click("[data-group=social]")
    kiosk.click("[data-matter=SI-REG]")
    expect(kiosk.locator("#step-ticket")).to_be_visible()
    kiosk.click("#tk-help")
    expect(kiosk.locator("#tk-help-status")).to_have_text("已通知帮办人员，请在原地稍候")
    expect(boss.locator("#hd-open .hd-card")).to_contain_text("在取号机旁")
    phone.clock.fast_forward(5000)
    expect(phone.locator("#tr-help-status")).to_have_text(re.compile(r"工号 C0022"))
    assert pages.errors == []
