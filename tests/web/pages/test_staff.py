"""The console's ``next=``: only a path on this site, whatever the encoding tricks."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.web.pages.test_hall_pages import page_data
from web.pages.staff import safe_next

# Raw query strings as an attacker sends them (percent-encoded on the wire).
ELSEWHERE = [
    "%2F%09%2F127.0.0.1%3A8239%2Ftab",  # "/<TAB>/host": browsers drop the tab -> //host
    "%2F%0A%2F127.0.0.1%3A8239%2Ftab",
    "%2F%0D%2F127.0.0.1%3A8239%2Ftab",
    "%2F%00%2Fevil.example",
    "%2F%7F%2Fevil.example",
    "%09%2F%2Fevil.example",
    "//evil.example/",
    "%2F%2Fevil.example",
    "/%5Cevil.example",  # "/\\evil": browsers read the backslash as a slash
    "%5C%5Cevil.example",
    "/x%5C..%5C%5Cevil.example",
    "https://evil.example/",
    "https%3A%2F%2Fevil.example%2F",
    "javascript:alert(1)",
    "evil.example",
    "",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", ELSEWHERE)
async def test_next_that_could_leave_the_site_falls_back(client: AsyncClient, raw: str) -> None:
    response = await client.get(f"/staff?next={raw}")
    assert response.status_code == 200
    assert page_data(response)["next"] == "/staff"


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/halls/street/overview", "/admin", "/halls/district/cases?tab=mine", "/staff"]
)
async def test_next_within_the_site_is_kept(client: AsyncClient, path: str) -> None:
    response = await client.get("/staff", params={"next": path})
    assert page_data(response)["next"] == path


def test_no_control_character_passes() -> None:
    for code in [*range(0x20), *range(0x7F, 0xA0)]:
        assert safe_next(f"/{chr(code)}/evil.example") == "/staff"
        assert safe_next(f"/ok{chr(code)}") == "/staff"
