"""A person in a browser gets an error page; API clients keep the one JSON error shape."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

pytestmark = pytest.mark.asyncio

HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


async def test_an_unknown_page_is_an_html_page_in_the_browsers_language(
    client: AsyncClient,
) -> None:
    page = await client.get("/no-such-page", headers=HTML)
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>页面不存在</h1>" in page.text
    english = await client.get("/no-such-page?lang=en", headers=HTML)
    assert "<h1>Page not found</h1>" in english.text
    assert 'rel="icon" href="/static/favicon.svg"' in page.text


async def test_the_api_and_other_clients_keep_json(client: AsyncClient) -> None:
    for path, headers in (("/api/no-such-thing", HTML), ("/no-such-page", {})):
        answer = await client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "not_found"


async def test_the_favicon_is_served(client: AsyncClient) -> None:
    icon = await client.get("/favicon.ico", follow_redirects=True)
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")
