"""The booking pages over HTTP: the steps, languages, large type, errors, and the kiosk's
check-in entry. The browser test (test_booking_browser.py) drives the same pages."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from httpx import AsyncClient
from sqlalchemy import update
from starlette.applications import Starlette

from hall.booking import appointments
from hall.store.models import BookingSlotRow
from tests.hall.booking.helpers import MONDAY_0900, SECRET, TUESDAY_0900, request
from tests.web.helpers import FakeClock, use_clock
from tests.web.pages.test_hall_pages import assert_no_personal_data, page_data

pytestmark = pytest.mark.asyncio

MATTER_PAGE = "/halls/district/book/SI-REG"
TUESDAY_9 = "2026-11-24T09:00:00+08:00"


async def test_hall_and_matter_choice_in_chinese_and_english(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    halls = await client.get("/book")
    assert halls.status_code == 200
    assert '<html lang="zh-CN">' in halls.text
    assert 'href="/halls/district/book"' in halls.text
    assert 'href="/halls/street/book"' in halls.text
    matters = await client.get("/halls/district/book")
    assert matters.status_code == 200
    for text in ("请选择要办理的事项", "社保医保", "个人社保参保登记", f'href="{MATTER_PAGE}"'):
        assert text in matters.text
    assert "/book/PICKUP" not in matters.text  # not bookable: no slots to offer
    assert "/book/NOT-DONE" not in matters.text
    en = await client.get("/halls/district/book?lang=en")
    assert '<html lang="en">' in en.text
    assert "What do you need to do?" in en.text
    assert "Social insurance enrolment (individual)" in en.text
    assert "请选择要办理的事项" not in en.text
    assert en.cookies.get("lang") == "en"


async def test_matter_page_tells_the_materials_once_and_offers_days_and_slots(
    app: Starlette, client: AsyncClient
) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    page = await client.get(MATTER_PAGE)
    assert page.status_code == 200
    for text in ("请备齐以下材料（一次性告知）", "居民身份证原件", "选择日期", "11月23日 今天"):
        assert text in page.text
    assert 'data-day="2026-11-24"' in page.text
    assert 'id="book-form"' not in page.text  # no slot chosen yet
    data = page_data(page)
    assert data == {**data, "hall": "district", "matter": "SI-REG"}
    assert data["text"]["bk_err_phone"] == "请填写 11 位手机号码。"
    chosen = await client.get(f"{MATTER_PAGE}?date=2026-11-24&start={quote(TUESDAY_9)}")
    assert 'id="book-form"' in chosen.text
    assert f'data-start="{TUESDAY_9}"' in chosen.text
    assert "11月24日 周二 09:00–09:30" in chosen.text
    assert "我为家人代约" in chosen.text  # proxy booking for a relative
    en = await client.get(f"{MATTER_PAGE}?date=2026-11-24&start={quote(TUESDAY_9)}&lang=en")
    assert "Tue 24 Nov 09:00–09:30" in en.text
    assert "Please bring" in en.text
    assert "Resident ID card (original)" in en.text
    assert "?date=2026-11-24&amp;start=" in chosen.text
    # the language switch keeps the step
    assert "lang=en" in chosen.text.split('id="lang-link" href="')[1].split('"')[0]
    lost = await client.get(f"{MATTER_PAGE}?date=2026-11-24&start=2026-11-24T09:10:00%2B08:00")
    assert 'id="start-lost"' in lost.text
    assert 'id="book-form"' not in lost.text
    assert_no_personal_data(chosen)


async def test_a_full_slot_cannot_be_chosen(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    await appointments.book(app.state.db, request(1), MONDAY_0900, SECRET)
    async with app.state.db.write() as session:
        await session.execute(
            update(BookingSlotRow)
            .where(BookingSlotRow.starts_at == TUESDAY_0900)
            .values(booked=BookingSlotRow.capacity)
        )
    page = await client.get(f"{MATTER_PAGE}?date=2026-11-24")
    assert f'<span class="slot full" data-start="{TUESDAY_9}" aria-disabled="true">' in page.text
    assert '<a class="slot" href="?date=2026-11-24&amp;start=2026-11-24T09%3A30' in page.text
    forced = await client.get(f"{MATTER_PAGE}?date=2026-11-24&start={quote(TUESDAY_9)}")
    assert 'id="book-form"' not in forced.text
    assert 'id="start-lost"' in forced.text


async def test_move_mode_asks_only_for_the_phone(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    page = await client.get(
        f"{MATTER_PAGE}?date=2026-11-25&start=2026-11-25T10:00:00%2B08:00&move=ABCDEFGH"
    )
    assert 'id="move-banner"' in page.text
    assert "正在为预约 ABCDEFGH 改约" in page.text
    assert 'id="move-form" data-code="ABCDEFGH"' in page.text
    assert 'id="book-form"' not in page.text
    assert "move=ABCDEFGH" in page.text  # the day and slot links keep the mode
    ignored = await client.get(f"{MATTER_PAGE}?move=<script>")
    assert 'id="move-banner"' not in ignored.text


async def test_large_type_mode_on_every_booking_page(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    for path in ("/book", "/halls/district/book", MATTER_PAGE, "/my-bookings"):
        normal = await client.get(path)
        assert normal.status_code == 200, path
        assert '<html lang="zh-CN">' in normal.text
        assert 'src="/static/large.js"' in normal.text  # applies the remembered choice early
        assert 'id="large-toggle" aria-pressed="false"' in normal.text
        large = await client.get(path, params={"large": "1"})
        assert '<html lang="zh-CN" class="large">' in large.text
        assert 'id="large-toggle" aria-pressed="true"' in large.text
    css = await client.get("/static/booking.css")
    assert "html.large" in css.text


async def test_unknown_hall_or_matter_is_a_404_page(client: AsyncClient) -> None:
    for path in ("/halls/ghost/book", "/halls/ghost/book/SI-REG", "/halls/district/book/PICKUP"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
        assert "页面不存在" in response.text
    english = await client.get("/halls/ghost/book?lang=en")
    assert "Page not found" in english.text


async def test_my_bookings_page_and_the_code_qr(client: AsyncClient) -> None:
    page = await client.get("/my-bookings?code=abcdefgh")
    assert page.status_code == 200
    assert 'id="lookup" data-code="ABCDEFGH"' in page.text
    assert "请输入预约码和预约时填写的手机号码" in page.text
    halls = page_data(page)["halls"]
    assert halls["district"]["matters"]["SI-REG"]["name"] == "个人社保参保登记"
    assert halls["district"]["early"] == 5
    assert "data-code" not in (await client.get("/my-bookings?code=<b>")).text
    en = await client.get("/my-bookings?lang=en")
    assert "Find a booking" in en.text
    english = page_data(en)["halls"]["district"]
    assert english["name"] == "Chenghu District Administrative Service Centre"
    assert english["matters"]["SI-REG"]["materials"][0] == "Resident ID card (original)"
    qr = await client.get("/book/qr/ABCDEFGH.svg")
    assert qr.status_code == 200
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.startswith("<svg")
    assert (await client.get("/book/qr/abc.svg")).status_code == 404
    assert (await client.get("/book/qr/ABCDEFG0.svg")).status_code == 404  # 0 is never used


async def test_kiosk_offers_check_in_for_appointments(client: AsyncClient) -> None:
    zh = await client.get("/halls/district/kiosk")
    assert 'id="checkin-open"' in zh.text
    assert "预约签到" in zh.text
    assert 'id="checkin-input"' in zh.text
    assert page_data(zh)["text"]["kiosk_checkin_error"] == "签到失败：{m}"
    en = await client.get("/halls/district/kiosk?lang=en")
    assert "Check in for an appointment" in en.text


async def test_booked_matter_page_shows_seats_left(app: Starlette, client: AsyncClient) -> None:
    use_clock(app, FakeClock(MONDAY_0900))
    before = await client.get(f"{MATTER_PAGE}?date=2026-11-24")
    view = await appointments.book(app.state.db, request(2), MONDAY_0900, SECRET)
    after = await client.get(f"{MATTER_PAGE}?date=2026-11-24")
    seats = [int(part.split("</span>")[0]) for part in before.text.split("<span>余 ")[1:]]
    left = [int(part.split("</span>")[0]) for part in after.text.split("<span>余 ")[1:]]
    assert left[0] == seats[0] - 1
    assert view.code not in after.text
