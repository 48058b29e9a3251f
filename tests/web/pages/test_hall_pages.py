"""The hall pages over HTTP: status, language, guards, and no personal data on them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from httpx import AsyncClient, Response

from tests.web.helpers import sign_in

pytestmark = pytest.mark.asyncio

# What must never be on a page a citizen or a screen sees.
ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


async def take(client: AsyncClient, matter: str = "SI-REG") -> dict[str, Any]:
    response = await client.post("/api/halls/district/tickets", json={"matter": matter})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def assert_no_personal_data(response: Response) -> None:
    assert not ID_NUMBER.search(response.text)
    assert not PHONE.search(response.text)
    assert "clerk0" not in response.text  # staff user names stay in the console


def page_data(response: Response) -> dict[str, Any]:
    found = re.search(
        r'<script type="application/json" id="page-data">(.*?)</script>', response.text
    )
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_kiosk_in_chinese_and_english(client: AsyncClient) -> None:
    zh = await client.get("/halls/district/kiosk")
    assert zh.status_code == 200
    assert '<html lang="zh-CN" class="kiosk-html">' in zh.text
    for text in ("澄湖区政务服务中心", "请选择办理事项", "社保医保", "个人社保参保登记"):
        assert text in zh.text
    assert zh.text.count('data-icon="') >= 10  # a drawn icon per group
    assert "http://" not in zh.text.replace("http://www.w3.org/2000/svg", "")  # no CDN
    assert page_data(zh)["matters"]["SI-REG"]["name"] == "个人社保参保登记"
    assert_no_personal_data(zh)
    en = await client.get("/halls/district/kiosk?lang=en")
    assert '<html lang="en" class="kiosk-html">' in en.text
    assert "What would you like to do?" in en.text
    assert "Social and medical insurance" in en.text
    assert "请选择办理事项" not in en.text
    assert en.cookies.get("lang") == "en"


async def test_kiosk_of_an_unknown_hall_is_a_404_page(client: AsyncClient) -> None:
    response = await client.get("/halls/ghost/kiosk")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "页面不存在" in response.text


async def test_ticket_page_follows_the_ticket(client: AsyncClient) -> None:
    ticket = await take(client)
    zh = await client.get(f"/t/{ticket['id']}")
    assert zh.status_code == 200
    assert ticket["number"] in zh.text
    assert "排队等候中" in zh.text
    assert "个人社保参保登记" in zh.text
    assert page_data(zh)["ticket"]["id"] == ticket["id"]
    assert_no_personal_data(zh)
    headers = await sign_in(client, "clerk05")
    await client.post("/api/halls/district/windows/5/sign-in", headers=headers)
    await client.post("/api/halls/district/windows/5/call-next", headers=headers)
    called = await client.get(f"/t/{ticket['id']}")
    assert "请到 5 号窗口办理" in called.text
    en = await client.get(f"/t/{ticket['id']}?lang=en")
    assert "Please go to window 5" in en.text
    assert "Social insurance enrolment (individual)" in en.text
    missing = await client.get("/t/not-a-ticket?lang=zh")
    assert missing.status_code == 404
    assert "找不到该号票" in missing.text


async def test_ticket_qr_code_is_an_svg_of_the_phone_page(client: AsyncClient) -> None:
    ticket = await take(client)
    response = await client.get(f"/t/{ticket['id']}/qr.svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.startswith("<svg")
    assert "viewBox" in response.text
    assert (await client.get("/t/not-a-ticket/qr.svg")).status_code == 404


async def test_staff_console_page(client: AsyncClient) -> None:
    zh = await client.get("/staff")
    assert zh.status_code == 200
    assert "工作人员登录" in zh.text
    assert 'id="signin-form"' in zh.text
    data = page_data(zh)
    assert data["next"] == "/staff"
    assert {h["id"] for h in data["halls"]} == {"district", "street"}
    assert data["text"]["outcome_materials_missing"] == "材料不全"
    en = await client.get("/staff?lang=en")
    assert "Staff sign-in" in en.text
    assert page_data(en)["text"]["staff_call_next"] == "Call next"
    for bad in ("https://evil.example/", "//evil.example/", "/\\evil"):
        assert page_data(await client.get("/staff", params={"next": bad}))["next"] == "/staff"
    assert page_data(await client.get("/staff?next=/halls/street/overview"))["next"] == (
        "/halls/street/overview"
    )


async def test_overview_is_for_supervisors(client: AsyncClient) -> None:
    anonymous = await client.get("/halls/district/overview")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/staff?next=/halls/district/overview"
    await sign_in(client, "clerk01")
    refused = await client.get("/halls/district/overview")
    assert refused.status_code == 403
    assert "无权访问" in refused.text
    assert (
        "This page is for hall supervisors"
        in (await client.get("/halls/district/overview?lang=en")).text
    )
    await sign_in(client, "supervisor")
    page = await client.get("/halls/district/overview?lang=zh")
    assert page.status_code == 200
    assert "大厅总览" in page.text
    assert page.text.count("data-window=") == 24
    assert_no_personal_data(page)
    en = await client.get("/halls/district/overview?lang=en")
    assert "Hall overview" in en.text
    assert "Waiting by group" in en.text
    assert (await client.get("/halls/ghost/overview")).status_code == 404
