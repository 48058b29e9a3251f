"""The /admin page: who may see it, and what it offers (server-rendered, both languages)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from starlette.applications import Starlette

from hall.staff.throttle import PAIR
from tests.web.helpers import sign_in

pytestmark = pytest.mark.asyncio


async def test_anonymous_visitors_are_sent_to_sign_in(app: Starlette, client: AsyncClient) -> None:
    response = await client.get("/admin")
    if any(getattr(route, "path", None) == "/staff" for route in app.routes):
        assert response.status_code == 303
        assert response.headers["location"] == "/staff?next=/admin"
    else:
        assert response.status_code == 401
        assert "请先登录" in response.text


@pytest.mark.parametrize("username", ["clerk01", "supervisor"])
async def test_clerks_and_supervisors_get_a_403_page(client: AsyncClient, username: str) -> None:
    await sign_in(client, username)
    response = await client.get("/admin")
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "仅限系统管理员" in response.text
    english = await client.get("/admin?lang=en")
    assert english.status_code == 403
    assert "administrators only" in english.text


async def test_the_admin_page_in_chinese_and_english(client: AsyncClient) -> None:
    await sign_in(client, "admin")
    page = await client.get("/admin")
    assert page.status_code == 200
    for text in ("系统管理", "事项", "窗口", "工作人员", "配置文件", "SI-CARD", "clerk01"):
        assert text in page.text
    assert 'data-url="/api/admin/halls/district/matters/SI-CARD"' in page.text
    assert 'data-url="/api/admin/halls/street/windows/4"' in page.text
    assert 'href="/api/admin/config"' in page.text
    assert 'value="*"' in page.text  # "every matter" among a window's skills
    assert "argon2" not in page.text
    assert "<script src=" in page.text
    assert "http://" not in page.text.replace("http://testserver", "")  # nothing from outside
    english = await client.get("/admin?lang=en")
    for text in ("Administration", "Matters", "Windows", "Staff", "Configuration"):
        assert text in english.text


async def test_the_page_assets_are_served(client: AsyncClient) -> None:
    script = await client.get("/static/admin.js")
    assert script.status_code == 200
    assert "X-CSRF-Token" in script.text
    assert (await client.get("/static/admin.css")).status_code == 200


async def test_the_kiosks_tab_lists_registered_kiosks_without_their_tokens(
    client: AsyncClient,
) -> None:
    csrf = await sign_in(client, "admin")
    url = "/api/admin/halls/district/kiosks"
    created = (await client.post(url, json={"name": "东门取号机"}, headers=csrf)).json()
    page = await client.get("/admin")
    assert page.status_code == 200
    assert "取号机" in page.text
    assert "东门取号机" in page.text
    assert f"{url}/{created['kiosk']['id']}" in page.text  # its revoke form
    assert created["token"] not in page.text


async def test_the_staff_list_marks_an_account_under_password_guessing(
    app: Starlette, client: AsyncClient
) -> None:
    for _ in range(PAIR.free):  # the pair's free failures: a notice to the admins
        bad = {"username": "clerk14", "password": "a-guess"}
        assert (await client.post("/api/session", json=bad)).status_code == 401
    await sign_in(client, "admin")
    page = await client.get("/admin")
    assert page.status_code == 200
    row = page.text[page.text.index('data-row="staff:clerk14"') :]
    row = row[: row.index("</tr>")]
    assert "疑似遭到密码猜测" in row
    assert f"近一小时失败次数 {PAIR.free}" in row
    assert page.text.count('class="attacked"') == 1  # no other account is marked
