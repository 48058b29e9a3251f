"""JSON bodies at the edge: size read no further than the limit, depth, values, one error shape."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from httpx import ASGITransport, AsyncClient
from starlette.applications import Starlette

from hall.settings import Settings
from tests.web.helpers import sign_in
from web.body import MAX_DEPTH, nesting_depth

pytestmark = pytest.mark.asyncio

CHUNK = 64 * 1024
ANONYMOUS_JSON = (
    "/api/session",
    "/api/halls/district/tickets",
    "/api/appointments",
    "/api/halls/district/check-ins",
    "/api/appointments/ABCD1234/cancel",
)


def assert_error_shape(body: dict[str, object], code: str) -> None:
    error = body["error"]
    assert isinstance(error, dict)
    assert set(error) == {"code", "message", "message_zh", "fields"}
    assert error["code"] == code
    assert error["message"]
    assert error["message_zh"]
    assert not re.search(r"[A-Za-z]{3,}", str(error["message_zh"]).replace("JSON", ""))


class CountingBody:
    """A streamed request body (no Content-Length) that counts what the server pulled."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.consumed = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.consumed < self.total:
            chunk = b" " * min(CHUNK, self.total - self.consumed)
            self.consumed += len(chunk)
            yield chunk


@pytest.mark.parametrize("path", ANONYMOUS_JSON)
async def test_json_nested_1000_deep_is_a_400_not_a_recursion_error(
    client: AsyncClient, path: str
) -> None:
    deep = "[" * 1000 + "]" * 1000
    response = await client.post(path, content=f'{{"matter": {deep}}}'.encode())
    assert response.status_code == 400
    assert_error_shape(response.json(), "bad_request")
    assert str(MAX_DEPTH) in response.json()["error"]["message"]


async def test_depth_counts_brackets_but_not_inside_strings() -> None:
    assert nesting_depth(b'{"a": [1, {"b": []}]}') == 4
    assert nesting_depth(b'{"a": "[[[[[[[[\\"]]"}') == 1
    assert nesting_depth(b"[" * 5000) == 5000


async def test_brackets_inside_a_string_are_not_depth(client: AsyncClient) -> None:
    text = "[" * 1000
    response = await client.post("/api/halls/district/tickets", json={"matter": text})
    assert response.status_code != 400  # read and judged by the service: no such matter
    assert response.status_code < 500


async def test_a_10_mb_body_is_refused_without_being_read(client: AsyncClient) -> None:
    body = CountingBody(10 * 1024 * 1024)
    response = await client.post("/api/session", content=body)
    assert response.status_code == 413
    assert_error_shape(response.json(), "too_large")
    assert body.consumed <= 64 * 1024 + CHUNK  # stopped at the limit, not at 10 MB


async def test_a_content_length_over_the_limit_is_refused_before_reading(
    client: AsyncClient,
) -> None:
    body = CountingBody(10 * 1024 * 1024)
    response = await client.post(
        "/api/halls/district/tickets",
        content=body,
        headers={"Content-Length": str(body.total)},
    )
    assert response.status_code == 413
    assert body.consumed == 0


async def test_the_limit_is_a_setting(settings: Settings, tmp_path: Path) -> None:
    from dataclasses import replace

    from web.app import create_app

    small = create_app(replace(settings, max_json_bytes=100))
    async with small.router.lifespan_context(small):
        transport = ASGITransport(app=small)
        async with AsyncClient(transport=transport, base_url="http://testserver") as http:
            fits = await http.post("/api/halls/district/tickets", json={"matter": "x" * 50})
            assert fits.status_code != 413
            over = await http.post("/api/halls/district/tickets", json={"matter": "x" * 100})
            assert over.status_code == 413
            assert "100 bytes" in over.json()["error"]["message"]


async def test_the_configuration_upload_stops_reading_past_2_mb(
    app: Starlette, client: AsyncClient
) -> None:
    headers = await sign_in(client, "admin")
    body = CountingBody(3 * 1024 * 1024)
    response = await client.put(
        "/api/admin/config",
        content=body,
        headers={**headers, "Content-Type": "application/toml"},
    )
    assert response.status_code == 413
    assert_error_shape(response.json(), "too_large")
    assert "2 MB" in response.json()["error"]["message"]
    assert body.consumed <= 2 * 1024 * 1024 + CHUNK


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b'{"matter": NaN}', "bad_request"),
        (b'{"matter": Infinity}', "bad_request"),
        (b'{"matter": ' + b"9" * 5000 + b"}", "bad_request"),
        (b'{"matter": "A\\u0000"}', "bad_request"),
        (b'{"matter\\u0000": "A"}', "bad_request"),
        (b'{"matter": "A", "green": 9223372036854775808}', "invalid_input"),
        (b'{"matter": [1, -2147483648]}', "invalid_input"),
        (b"\xff\xfe", "bad_request"),
        (b"[1, 2]", "bad_request"),
    ],
)
async def test_values_no_column_holds_are_refused(
    client: AsyncClient, raw: bytes, code: str
) -> None:
    response = await client.post("/api/halls/district/tickets", content=raw)
    assert 400 <= response.status_code < 500
    assert_error_shape(response.json(), code)


async def test_a_bad_content_length_is_a_400(client: AsyncClient) -> None:
    response = await client.post("/api/session", content=b"{}", headers={"Content-Length": "two"})
    assert response.status_code == 400


@pytest.mark.parametrize("nested", ["[" * 1000 + "]" * 1000, "{b = " * 1000 + "1" + "}" * 1000])
async def test_a_configuration_nested_1000_deep_is_a_400(client: AsyncClient, nested: str) -> None:
    headers = await sign_in(client, "admin")
    response = await client.put(
        "/api/admin/config",
        content=f"a = {nested}\n".encode(),
        headers={**headers, "Content-Type": "application/toml"},
    )
    assert response.status_code == 400
    assert_error_shape(response.json(), "bad_request")


async def test_toml_depth_skips_strings_and_comments() -> None:
    raw = b"[[halls]]\nid = \"a[[[\"\nx = 'b[[[[' # [[[[[\ny = [[1], {a = [2]}]\n"
    assert nesting_depth(raw, toml=True) == 3
