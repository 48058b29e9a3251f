"""In a real headless Chromium on a phone-sized screen: a citizen books a demo slot, gets
the code, QR and calendar entry, checks in at the kiosk at the slot time and is called
ahead of an earlier walk-in; plus moving, cancelling, large type and late arrival."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from hall.booking.identity import check_char
from tests.conftest import make_settings
from tests.hall.booking.helpers import MONDAY_0900, TUESDAY_0900, phone, resident_id
from tests.web import browser
from tests.web.browser import BrowserPages, LiveServer, snapshot
from tests.web.helpers import DEMO_PASSWORD, FakeClock, use_clock
from tests.web.pages.test_hall_pages import ID_NUMBER, PHONE

chromium = browser.chromium
pages = browser.pages

pytestmark = pytest.mark.browser

PHONE_SIZE = {"width": 390, "height": 844}
CODE = re.compile(r"[2-9A-HJ-NP-Z]{8}")


@pytest.fixture
def hall(tmp_path: Path) -> Iterator[tuple[LiveServer, FakeClock]]:
    """A demo server whose clock the test sets (Monday 09:00 in the hall to start)."""
    from web.app import create_app

    app = create_app(make_settings(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"))
    clock = use_clock(app, FakeClock(MONDAY_0900))
    with browser.run_server(tmp_path, app) as server:
        yield server, clock


def fill_person(page: Page, serial: int, name: str = "王五") -> None:
    page.fill("#f-name", name)
    page.fill("#f-id-number", resident_id(serial))
    page.fill("#f-phone", phone(serial))


def book_on_phone(page: Page, server: LiveServer, day: str, start: str) -> None:
    """Walk the steps from the hall list to a chosen slot of 个人社保参保登记."""
    page.goto(server.url("/book"))
    page.click("[data-hall=district]")
    page.click("details[data-group=social] summary")
    page.click("[data-matter=SI-REG]")
    expect(page.locator("#materials")).to_contain_text("居民身份证原件")
    page.click(f"#days [data-day='{day}']")
    expect(page.locator("#slots h2")).to_contain_text(day[-2:].lstrip("0") + "日")
    page.click(f"#slots a[data-start='{start}']")
    expect(page.locator("#book-form")).to_be_visible()


def assert_nothing_personal_shown(page: Page) -> None:
    text = page.inner_text("body")
    assert not ID_NUMBER.search(text)
    assert not PHONE.search(text)


def test_book_on_a_phone_check_in_at_the_kiosk_and_be_called_before_walk_ins(
    hall: tuple[LiveServer, FakeClock], pages: BrowserPages
) -> None:
    server, clock = hall
    phone_page = pages.open(**PHONE_SIZE)
    book_on_phone(phone_page, server, "2026-11-24", "2026-11-24T09:00:00+08:00")
    fill_person(phone_page, 7)
    snapshot(phone_page, "booking-details")
    phone_page.click("#book-submit")

    expect(phone_page).to_have_url(re.compile(r"/my-bookings\?code=[2-9A-Z]{8}&done=booked$"))
    expect(phone_page.locator("#bk-banner")).to_have_text("预约成功")
    code = phone_page.locator("#bk-code").inner_text()
    assert CODE.fullmatch(code)
    expect(phone_page.locator("#bk-status")).to_have_text("已预约")
    expect(phone_page.locator("#bk-when")).to_have_text("11月24日 周二 09:00–09:30")
    expect(phone_page.locator("#bk-who")).to_have_text("王* · 138******07")
    expect(phone_page.locator("#bk-materials li")).to_have_count(3)
    expect(phone_page.locator("#bk-window")).to_contain_text("08:55–09:15")
    qr = phone_page.locator("#bk-qr")
    expect(qr).to_have_attribute("src", f"/book/qr/{code}.svg")
    phone_page.wait_for_function("document.getElementById('bk-qr').naturalWidth > 0")
    # The calendar file comes from a POST (the phone never goes into an address).
    with phone_page.expect_download() as download:
        phone_page.click("#bk-calendar")
    assert download.value.suggested_filename == f"{code}.ics"
    ics = Path(download.value.path()).read_bytes()
    event = next(c for c in Calendar.from_ical(ics).walk() if c.name == "VEVENT")
    assert event.decoded("dtstart") == TUESDAY_0900
    assert code in str(event.get("description"))
    assert_nothing_personal_shown(phone_page)
    snapshot(phone_page, "booking-confirmation")

    # Tuesday 08:50: a walk-in takes a ticket for the same matter first.
    clock.now = TUESDAY_0900 - timedelta(minutes=10)
    kiosk = pages.open(width=1920, height=1080)
    kiosk.goto(server.url("/halls/district/kiosk"))
    kiosk.click("[data-group=social]")
    kiosk.click("[data-matter=SI-REG]")
    expect(kiosk.locator("#step-ticket")).to_be_visible()
    walk_in = kiosk.locator("#tk-number").inner_text()
    expect(kiosk.locator("#tk-message")).to_be_hidden()
    kiosk.click("#tk-done")

    # 08:57: the citizen scans the QR; the scanner types the code and Enter.
    clock.now = TUESDAY_0900 - timedelta(minutes=3)
    kiosk.click("#checkin-open")
    expect(kiosk.locator("#checkin-input")).to_be_focused()
    kiosk.keyboard.type(code)
    kiosk.keyboard.press("Enter")
    expect(kiosk.locator("#step-ticket")).to_be_visible()
    expect(kiosk.locator("#tk-message")).to_have_text("签到成功：您将按预约优先顺序被叫号。")
    appointment = kiosk.locator("#tk-number").inner_text()
    assert appointment != walk_in
    snapshot(kiosk, "kiosk-check-in")

    # 09:00: a clerk calls the next number and gets the appointment, not the walk-in.
    clock.now = TUESDAY_0900
    console = pages.open()
    console.goto(server.url("/staff"))
    console.fill("#username", "clerk01")
    console.fill("#password", DEMO_PASSWORD)
    console.click("#signin-submit")
    console.click("#windows [data-window='1']")
    expect(console.locator("#view-desk")).to_be_visible()
    console.keyboard.press("n")
    expect(console.locator("#current .num")).to_have_text(appointment)
    expect(console.locator("#queue")).to_contain_text(walk_in)

    phone_page.reload()
    expect(phone_page.locator("#bk-status")).to_have_text("已签到")
    expect(phone_page.locator("#bk-ticket")).to_be_visible()
    expect(phone_page.locator("#bk-cancel")).to_be_hidden()
    assert pages.errors == []


def test_move_and_cancel_in_english_large_type_with_a_proxy_booking(
    hall: tuple[LiveServer, FakeClock], pages: BrowserPages
) -> None:
    server, _ = hall
    page = pages.open(locale="en-GB", **PHONE_SIZE)
    page.goto(server.url("/halls/district/book/SI-REG?lang=en&large=1&date=2026-11-25"))
    expect(page.locator("html")).to_have_class("large")
    expect(page.locator("#large-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#materials h2")).to_have_text("Please bring (the full list, told once)")
    page.click("#slots a[data-start='2026-11-25T10:00:00+08:00']")

    # Checked in the browser first, then by the server (a region code that does not exist).
    page.fill("#f-name", "Zhao Liu")
    page.fill("#f-id-number", "110101")
    page.fill("#f-phone", "12345")
    page.click("#book-submit")
    expect(page.locator("#err-id_number")).to_have_text(
        "This ID number is not valid; please check it."
    )
    expect(page.locator("#err-phone")).to_have_text("Enter an 11-digit mobile number.")
    body = "990101198001011230"[:17]
    page.fill("#f-id-number", body + check_char(body))
    page.fill("#f-phone", phone(8))
    page.click("#book-submit")
    expect(page.locator("#form-error")).to_be_visible()
    expect(page.locator("#form-error")).to_have_attribute("data-code", "invalid_input")
    expect(page.locator("#err-id_number")).to_be_visible()

    page.fill("#f-name", "赵老六")
    page.fill("#f-id-number", resident_id(8, "19400101"))
    page.check("#f-proxy")
    page.fill("#f-proxy-name", "赵小明")
    page.fill("#f-proxy-id-number", resident_id(9))
    page.click("#book-submit")
    expect(page.locator("#bk-banner")).to_have_text("Booked")
    code = page.locator("#bk-code").inner_text()
    expect(page.locator("#bk-proxy")).to_have_text("赵*明")
    expect(page.locator("#bk-when")).to_have_text("Wed 2026-11-25 10:00–10:30")
    expect(page.locator("#bk-materials")).to_contain_text("Resident ID card (original)")
    expect(page.locator("html")).to_have_class("large")  # remembered across pages
    snapshot(page, "booking-large-english")

    page.click("#bk-move")
    expect(page.locator("#move-banner")).to_contain_text(code)
    page.click("#days [data-day='2026-11-26']")
    page.click("#slots a[data-start='2026-11-26T14:00:00+08:00']")
    expect(page.locator("#move-phone")).to_have_value(phone(8))  # this tab remembers it
    page.click("#move-submit")
    expect(page.locator("#bk-banner")).to_have_text("Moved")
    expect(page.locator("#bk-when")).to_have_text("Thu 2026-11-26 14:00–14:30")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#bk-cancel")
    expect(page.locator("#bk-status")).to_have_text("Cancelled")
    expect(page.locator("#bk-banner")).to_have_text("Booking cancelled")
    expect(page.locator("#bk-move")).to_be_hidden()

    # Another device: look the booking up by code and phone; a wrong phone finds nothing.
    other = pages.open(**PHONE_SIZE)
    other.goto(server.url("/my-bookings"))
    expect(other.locator("html")).not_to_have_class("large")
    other.fill("#l-code", code.lower())
    other.fill("#l-phone", phone(9))
    other.click("#lookup-submit")
    expect(other.locator("#form-error")).to_contain_text("没有与该预约码和手机号匹配的预约")
    other.fill("#l-phone", phone(8))
    other.click("#lookup-submit")
    expect(other.locator("#bk-status")).to_have_text("已取消")
    other.click("#large-toggle")
    expect(other.locator("html")).to_have_class("large")
    assert_nothing_personal_shown(other)
    assert pages.errors == []


def test_kiosk_check_in_too_early_then_too_late_by_id_number(
    hall: tuple[LiveServer, FakeClock], pages: BrowserPages
) -> None:
    server, clock = hall
    booked = httpx.post(
        server.url("/api/appointments"),
        json={
            "hall": "district",
            "matter": "SI-REG",
            "start": "2026-11-24T09:00:00+08:00",
            "name": "孙七",
            "id_number": resident_id(11),
            "phone": phone(11),
        },
    )
    assert booked.status_code == 201, booked.text
    kiosk = pages.open(width=1920, height=1080)
    kiosk.goto(server.url("/halls/district/kiosk"))
    clock.now = TUESDAY_0900 - timedelta(minutes=30)
    kiosk.click("#checkin-open")
    kiosk.fill("#checkin-input", resident_id(11)[:-2])
    for key in resident_id(11)[-2:]:
        kiosk.click(f"#checkin-keys [data-key='{key}']")
    kiosk.click("#checkin-submit")
    expect(kiosk.locator("#checkin-error")).to_contain_text("签到将于 08:55 开始")

    clock.now = TUESDAY_0900 + timedelta(minutes=20)
    kiosk.click("#checkin-submit")
    expect(kiosk.locator("#step-ticket")).to_be_visible()
    expect(kiosk.locator("#tk-message")).to_have_class(re.compile(r"\blate\b"))
    expect(kiosk.locator("#tk-message")).to_contain_text("将按现场取号顺序办理")
    assert pages.errors == []
