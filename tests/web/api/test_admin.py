"""The admin API for the whole configuration, matters and windows (SQLite and PostgreSQL)."""

from __future__ import annotations

import tomllib
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
import tomli_w
from httpx import ASGITransport, AsyncClient
from sqlalchemy import select
from starlette.applications import Starlette

from hall.store.models import EventRow, MatterRow, WindowRow
from tests.web.helpers import sign_in

pytestmark = pytest.mark.asyncio

CONFIG = "/api/admin/config"
MATTERS = "/api/admin/halls/district/matters"
WINDOWS = "/api/admin/halls/district/windows"
TOML = {"content-type": "application/toml"}


@pytest_asyncio.fixture
async def admin(client: AsyncClient) -> dict[str, str]:
    """The client signed in as the demo admin; the CSRF headers."""
    return await sign_in(client, "admin")


@pytest_asyncio.fixture
async def other(app: Starlette) -> AsyncIterator[AsyncClient]:
    """A second browser (its own cookies) on the same app."""
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as c:
        yield c


async def public_matter(client: AsyncClient, code: str, hall: str = "district") -> dict | None:
    matters = (await client.get(f"/api/halls/{hall}/matters")).json()
    return next((m for m in matters if m["code"] == code), None)


# -- the whole configuration -------------------------------------------------------------


async def test_download_is_the_whole_config_as_toml_without_hashes(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.get(CONFIG)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["content-disposition"] == ('attachment; filename="tongban-config.toml"')
    document = tomllib.loads(response.text)
    assert [h["id"] for h in document["halls"]] == ["district", "street"]
    assert {s["username"] for s in document["staff"]} >= {"admin", "supervisor", "clerk01"}
    assert "argon2" not in response.text
    assert "password_hash" not in response.text


@pytest.mark.parametrize("username", ["clerk01", "supervisor"])
async def test_only_admins_see_or_replace_the_config(client: AsyncClient, username: str) -> None:
    anonymous = await client.get(CONFIG)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "unauthorized"
    headers = await sign_in(client, username)
    assert (await client.get(CONFIG)).status_code == 403
    refused = await client.put(CONFIG, content="x = 1", headers={**headers, **TOML})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"


async def test_round_trip_download_then_upload_changes_nothing(
    app: Starlette, client: AsyncClient, admin: dict[str, str]
) -> None:
    text = (await client.get(CONFIG)).text
    response = await client.put(CONFIG, content=text.encode(), headers={**admin, **TOML})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] is False
    assert body["staff"] == {"added": [], "changed": []}
    for hall in body["halls"]:
        assert hall["hall"] == "unchanged"
        for part in ("groups", "matters", "windows"):
            assert hall[part] == {"added": [], "changed": [], "deactivated": []}
    assert (await client.get(CONFIG)).text == text


async def test_upload_reports_what_changed_and_applies_it(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    document = tomllib.loads((await client.get(CONFIG)).text)
    district = document["halls"][0]
    district["notice"] = "新通知"
    district["matters"][0]["expected_minutes"] = 7
    district["matters"] = [m for m in district["matters"] if m["code"] != "AGED-ALLOW"]
    district["windows"].append({"number": 30, "kind": "comprehensive", "skills": ["*"]})
    response = await client.put(
        CONFIG, content=tomli_w.dumps(document), headers={**admin, "content-type": "text/plain"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["changed"] is True
    changes = {h["id"]: h for h in body["halls"]}
    assert changes["district"]["hall"] == "changed"
    assert changes["district"]["matters"] == {
        "added": [],
        "changed": ["SI-REG"],
        "deactivated": ["AGED-ALLOW"],
    }
    assert changes["district"]["windows"]["added"] == [30]
    assert changes["street"]["hall"] == "unchanged"
    assert (await public_matter(client, "SI-REG"))["expected_minutes"] == 7  # type: ignore[index]
    assert await public_matter(client, "AGED-ALLOW") is None


async def test_upload_lists_every_problem_with_its_key_path_and_applies_nothing(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    document = tomllib.loads((await client.get(CONFIG)).text)
    district = document["halls"][0]
    district["matters"][0]["expected_minutes"] = 0
    district["windows"][0]["skills"] = ["NOPE"]
    district["matters"][1]["colour"] = "red"
    district["booking"]["slot_minutes"] = 7
    response = await client.put(CONFIG, content=tomli_w.dumps(document), headers={**admin, **TOML})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_config"
    assert set(error["fields"]) == {
        "halls[0].matters[0].expected_minutes",
        "halls[0].windows[0].skills",
        "halls[0].matters[1].colour",
        "halls[0].booking.slot_minutes",
    }
    assert "NOPE" in error["fields"]["halls[0].windows[0].skills"]
    assert "4" in error["message"]
    assert "4" in error["message_zh"]
    assert (await public_matter(client, "SI-REG"))["expected_minutes"] != 0  # type: ignore[index]


async def test_upload_that_is_not_toml(client: AsyncClient, admin: dict[str, str]) -> None:
    broken = await client.put(CONFIG, content="[[halls]\nid = ", headers={**admin, **TOML})
    assert broken.status_code == 422
    assert list(broken.json()["error"]["fields"]) == ["(file)"]
    binary = await client.put(CONFIG, content=b"\xff\xfe", headers={**admin, **TOML})
    assert binary.status_code == 422
    json_body = await client.put(
        CONFIG, content="{}", headers={**admin, "content-type": "application/json"}
    )
    assert json_body.status_code == 415
    assert json_body.json()["error"]["code"] == "unsupported_media_type"


async def test_upload_needs_the_csrf_token(client: AsyncClient, admin: dict[str, str]) -> None:
    text = (await client.get(CONFIG)).text
    response = await client.put(CONFIG, content=text, headers=TOML)
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


async def test_upload_cannot_leave_an_account_naming_a_removed_hall(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(
        "/api/admin/staff",
        json={
            "username": "lian",
            "job_number": "C9001",
            "role": "clerk",
            "halls": ["street"],
            "password": "long-enough-1",
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    document = tomllib.loads((await client.get(CONFIG)).text)
    document["halls"] = document["halls"][:1]
    document["staff"] = [s for s in document["staff"] if s["username"] != "lian"]
    response = await client.put(CONFIG, content=tomli_w.dumps(document), headers={**admin, **TOML})
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert any("names a hall that does not exist: street" in m for m in fields.values())
    assert "包含不存在的大厅 street" in response.json()["error"]["message_zh"]
    assert len((await client.get("/api/halls")).json()) == 2


# -- matters -----------------------------------------------------------------------------


async def test_edit_a_matter(app: Starlette, client: AsyncClient, admin: dict[str, str]) -> None:
    response = await client.put(
        f"{MATTERS}/SI-CARD",
        json={"expected_minutes": 12.5, "materials": ["身份证", "照片"], "bookable": False},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    matter = response.json()["matter"]
    assert (matter["code"], matter["expected_minutes"], matter["active"]) == ("SI-CARD", 12.5, True)
    public = await public_matter(client, "SI-CARD")
    assert public is not None
    assert (public["expected_minutes"], public["materials"], public["bookable"]) == (
        12.5,
        ["身份证", "照片"],
        False,
    )
    async with app.state.db.read() as session:
        event = await session.scalar(select(EventRow).where(EventRow.kind == "matter_updated"))
    assert event is not None
    assert (event.actor, event.hall_id, event.subject_id) == ("admin", "district", "SI-CARD")
    assert event.before["expected_minutes"] != 12.5
    assert event.after["expected_minutes"] == 12.5


async def test_matter_problems_name_their_key_paths(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.put(
        f"{MATTERS}/SI-REG",
        json={"expected_minutes": 0, "prefix": "abc", "class": "hard", "group": "nope"},
        headers=admin,
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert set(fields) == {
        f"halls[0].matters[0].{key}" for key in ("expected_minutes", "prefix", "class", "group")
    }
    assert "must be between 0.5 and 480.0" in fields["halls[0].matters[0].expected_minutes"]
    assert "Prefix: must be 1 or 2 capital letters" in fields["halls[0].matters[0].prefix"]
    zh = response.json()["error"]["message_zh"]
    assert "（SI-REG）的票号前缀：须为 1 至 2 个大写字母，例如 A。" in zh
    assert "（SI-REG）的分组：包含不存在的分组 nope。" in zh
    renamed = await client.put(f"{MATTERS}/SI-REG", json={"code": "SI-X"}, headers=admin)
    assert renamed.status_code == 422
    assert "code" in renamed.json()["error"]["fields"]
    unknown = await client.put(f"{MATTERS}/SI-REG", json={"colour": "red"}, headers=admin)
    assert list(unknown.json()["error"]["fields"]) == ["halls[0].matters[0].colour"]


async def test_edit_of_a_missing_matter_or_hall_is_404(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    missing = await client.put(f"{MATTERS}/NOPE", json={"name": "x"}, headers=admin)
    assert missing.status_code == 404
    no_hall = await client.put(
        "/api/admin/halls/nowhere/matters/SI-REG", json={"name": "x"}, headers=admin
    )
    assert no_hall.status_code == 404
    not_json = await client.put(f"{MATTERS}/SI-REG", content="nope", headers=admin)
    assert not_json.status_code == 400


async def test_add_a_matter(client: AsyncClient, admin: dict[str, str]) -> None:
    new = {
        "code": "PET-LIC",
        "name": "犬类登记",
        "name_en": "Dog licence",
        "class": "general",
        "expected_minutes": 6,
        "prefix": "A",
        "group": "living",
        "materials": ["身份证"],
    }
    response = await client.post(MATTERS, json=new, headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["matter"]["zone"] == "comprehensive"
    assert (await public_matter(client, "PET-LIC")) is not None
    again = await client.post(MATTERS, json=new, headers=admin)
    assert again.status_code == 409
    incomplete = await client.post(MATTERS, json={"code": "HALF"}, headers=admin)
    assert incomplete.status_code == 422
    fields = incomplete.json()["error"]["fields"]
    path = "halls[0].matters[29]"  # after the 28 demo matters and PET-LIC
    for key in ("name", "name_en", "class", "expected_minutes", "prefix", "group"):
        assert fields[f"{path}.{key}"].endswith(": is required.")
    no_code = await client.post(MATTERS, json={"name": "x"}, headers=admin)
    assert no_code.status_code == 422
    assert "code" in no_code.json()["error"]["fields"]


async def test_deactivate_a_matter_instead_of_deleting_it(
    app: Starlette, client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.delete(f"{MATTERS}/AGED-ALLOW", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json()["matter"]["code"] == "AGED-ALLOW"
    assert response.json()["matter"]["active"] is False
    assert await public_matter(client, "AGED-ALLOW") is None
    assert await public_matter(client, "AGED-ALLOW", hall="street") is not None
    async with app.state.db.read() as session:
        row = await session.scalar(
            select(MatterRow).where(MatterRow.hall_id == "district", MatterRow.code == "AGED-ALLOW")
        )
    assert row is not None
    assert row.active is False
    assert (await client.delete(f"{MATTERS}/AGED-ALLOW", headers=admin)).status_code == 404


async def test_a_matter_a_window_still_takes_cannot_be_deactivated(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.delete(f"{MATTERS}/DL-RENEW", headers=admin)
    assert response.status_code == 409
    error = response.json()["error"]
    assert "21" in error["message"]
    assert "21" in error["message_zh"]
    in_session = await client.delete(f"{MATTERS}/RES-PERMIT", headers=admin)
    assert in_session.status_code == 409
    assert await public_matter(client, "DL-RENEW") is not None


@pytest.mark.parametrize("username", ["clerk01", "supervisor"])
async def test_only_admins_edit_matters_and_windows(client: AsyncClient, username: str) -> None:
    assert (await client.put(f"{MATTERS}/SI-REG", json={"name": "x"})).status_code == 401
    headers = await sign_in(client, username)
    for response in (
        await client.put(f"{MATTERS}/SI-REG", json={"name": "x"}, headers=headers),
        await client.post(MATTERS, json={"code": "X"}, headers=headers),
        await client.delete(f"{MATTERS}/SI-REG", headers=headers),
        await client.put(f"{WINDOWS}/1", json={"name": "x"}, headers=headers),
        await client.delete(f"{WINDOWS}/1", headers=headers),
    ):
        assert response.status_code == 403


async def test_edits_need_the_csrf_token(client: AsyncClient, admin: dict[str, str]) -> None:
    for response in (
        await client.put(f"{MATTERS}/SI-REG", json={"name": "x"}),
        await client.delete(f"{MATTERS}/AGED-ALLOW"),
        await client.post(WINDOWS, json={"number": 40, "kind": "green", "skills": ["*"]}),
    ):
        assert response.status_code == 403
        assert "CSRF" in response.json()["error"]["message"]


# -- windows -----------------------------------------------------------------------------


async def test_edit_add_and_deactivate_windows(
    app: Starlette, client: AsyncClient, admin: dict[str, str]
) -> None:
    edited = await client.put(
        f"{WINDOWS}/21", json={"skills": ["DL-RENEW", "SI-CARD"], "name": "交通"}, headers=admin
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["window"]["skills"] == ["DL-RENEW", "SI-CARD"]
    added = await client.post(
        WINDOWS, json={"number": 40, "kind": "green", "skills": ["*"]}, headers=admin
    )
    assert added.status_code == 201
    assert (await client.post(WINDOWS, json={"number": 40}, headers=admin)).status_code == 409
    gone = await client.delete(f"{WINDOWS}/40", headers=admin)
    assert gone.status_code == 200
    assert gone.json()["window"] == {
        "number": 40,
        "kind": "green",
        "skills": ["*"],
        "name": "",
        "name_en": "",
        "active": False,
    }
    numbers = [w["number"] for w in (await client.get("/api/halls/district/windows")).json()]
    assert 40 not in numbers
    assert 21 in numbers
    async with app.state.db.read() as session:
        row = await session.scalar(
            select(WindowRow).where(WindowRow.hall_id == "district", WindowRow.number == 40)
        )
    assert row is not None
    assert not row.active


async def test_window_problems_name_their_key_paths(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    response = await client.put(
        f"{WINDOWS}/2", json={"kind": "magic", "skills": ["NOPE"]}, headers=admin
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {
        "halls[0].windows[1].kind",
        "halls[0].windows[1].skills",
    }
    empty = await client.put(f"{WINDOWS}/2", json={"skills": []}, headers=admin)
    assert list(empty.json()["error"]["fields"]) == ["halls[0].windows[1].skills"]
    bad_number = await client.post(
        WINDOWS, json={"number": 1000, "kind": "green", "skills": ["*"]}, headers=admin
    )
    assert "halls[0].windows[24].number" in bad_number.json()["error"]["fields"]
    assert (await client.put(f"{WINDOWS}/99", json={}, headers=admin)).status_code == 404


async def test_an_open_window_cannot_be_deactivated(
    client: AsyncClient, other: AsyncClient, admin: dict[str, str]
) -> None:
    clerk = await sign_in(other, "clerk01")
    signed_in = await other.post("/api/halls/district/windows/3/sign-in", headers=clerk)
    assert signed_in.status_code == 200, signed_in.text
    refused = await client.delete(f"{WINDOWS}/3", headers=admin)
    assert refused.status_code == 409
    assert "sign it out" in refused.json()["error"]["message"]
    assert (await other.post("/api/halls/district/windows/3/sign-out", headers=clerk)).is_success
    assert (await client.delete(f"{WINDOWS}/3", headers=admin)).status_code == 200


async def test_text_longer_than_the_database_keeps_is_refused(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    matter = await client.put(f"{MATTERS}/SI-REG", json={"name": "长" * 201}, headers=admin)
    assert matter.status_code == 422
    assert list(matter.json()["error"]["fields"]) == ["halls[0].matters[0].name"]
    assert "的名称：不能超过 200 个字符。" in matter.json()["error"]["message_zh"]
    window = await client.put(f"{WINDOWS}/1", json={"name_en": "x" * 101}, headers=admin)
    assert list(window.json()["error"]["fields"]) == ["halls[0].windows[0].name_en"]
    document = tomllib.loads((await client.get(CONFIG)).text)
    document["halls"][1]["address"] = "路" * 301
    upload = await client.put(CONFIG, content=tomli_w.dumps(document), headers={**admin, **TOML})
    assert list(upload.json()["error"]["fields"]) == ["halls[1].address"]


async def test_an_admin_cannot_demote_themselves_by_file(
    client: AsyncClient, admin: dict[str, str]
) -> None:
    document = tomllib.loads((await client.get(CONFIG)).text)
    me = next(s for s in document["staff"] if s["username"] == "admin")
    me["role"] = "clerk"
    response = await client.put(CONFIG, content=tomli_w.dumps(document), headers={**admin, **TOML})
    assert response.status_code == 409
    assert (await client.get(CONFIG)).status_code == 200
