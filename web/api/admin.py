"""The administrators' API: the whole configuration, matters, windows and staff accounts.

Route functions check who is acting (and the CSRF token on writes), read the body
once, and hand it to ``hall.admin``, which validates every edit with the config parser.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hall.admin import accounts, config_edits
from hall.errors import HallError, InvalidInput
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from web.auth import acting_staff, current_staff
from web.body import MAX_DEPTH, BadRequest, json_object, nesting_depth, read_limited
from web.deps import clock, database, publisher
from web.json import json_response

TOML_TYPES = (
    "",
    "application/toml",
    "application/x-toml",
    "text/toml",
    "text/x-toml",
    "text/plain",
)
MAX_CONFIG_BYTES = 2 * 1024 * 1024
MIN_PASSWORD = 8
MATTER = "/api/admin/halls/{hall}/matters"
WINDOW = "/api/admin/halls/{hall}/windows"
STAFF = "/api/admin/staff"


class UnsupportedMediaType(HallError):
    """The request body is not in a format this endpoint reads."""

    code = "unsupported_media_type"
    status = 415


# -- the whole configuration -----------------------------------------------------------


async def config_show(request: Request) -> Response:
    text = await config_edits.export_config(database(request), await current_staff(request))
    return Response(
        text,
        media_type="text/plain",
        headers={"Content-Disposition": 'attachment; filename="tongban-config.toml"'},
    )


async def config_replace(request: Request) -> Response:
    staff = await _admin(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in TOML_TYPES:
        raise UnsupportedMediaType(
            f"Send the configuration as TOML (content-type application/toml), not {kind}.",
            f"请以 TOML 格式提交配置（content-type: application/toml），而不是 {kind}。",
        )
    raw = await read_limited(request, MAX_CONFIG_BYTES)
    if nesting_depth(raw, toml=True) > MAX_DEPTH:
        raise BadRequest(
            f"The configuration nests arrays and tables more than {MAX_DEPTH} deep.",
            f"配置文件的数组和表嵌套超过 {MAX_DEPTH} 层。",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise config_edits.ConfigRejected([f"{config_edits.FILE_KEY}: not UTF-8 text"]) from None
    db, pub, now = database(request), publisher(request), clock(request)()
    result = await config_edits.replace_config(db, pub, staff, text, now)
    return json_response(result)


# -- matters and windows ---------------------------------------------------------------


async def _admin(request: Request) -> StaffMember:
    # Who may do this is settled (401/403, CSRF) before the body is even read.
    return require(await acting_staff(request), Role.ADMIN)


async def _edit(
    request: Request, subject: config_edits.Subject, edit: config_edits.Edit, status: int = 200
) -> Response:
    staff = await _admin(request)
    hall_id = request.path_params["hall"]
    db, pub = database(request), publisher(request)
    view = await config_edits.edit_hall(db, pub, staff, hall_id, subject, edit, clock(request)())
    return json_response({subject.part.removesuffix("s"): view}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    await _admin(request)
    return await json_object(request)


def _key(data: dict[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise InvalidInput(
            f"The field {name!r} is required ({'a whole number' if kind is int else 'a string'}).",
            f"缺少必填字段“{name}”。",
            fields={name: "required"},
        )
    return value


async def matter_create(request: Request) -> Response:
    data = await _body(request)
    code = _key(data, "code", str)
    subject = config_edits.Subject("matters", code, "matter_added")
    return await _edit(
        request, subject, config_edits.put_entry("matters", "code", code, data, True), 201
    )


async def matter_update(request: Request) -> Response:
    data = await _body(request)
    code = request.path_params["code"]
    subject = config_edits.Subject("matters", code, "matter_updated")
    return await _edit(
        request, subject, config_edits.put_entry("matters", "code", code, data, False)
    )


async def matter_deactivate(request: Request) -> Response:
    code = request.path_params["code"]
    subject = config_edits.Subject("matters", code, "matter_deactivated")
    return await _edit(request, subject, config_edits.remove_matter(code))


async def window_create(request: Request) -> Response:
    data = await _body(request)
    number = _key(data, "number", int)
    subject = config_edits.Subject("windows", number, "window_added")
    edit = config_edits.put_entry("windows", "number", number, data, True)
    return await _edit(request, subject, edit, 201)


async def window_update(request: Request) -> Response:
    data = await _body(request)
    number = request.path_params["no"]
    subject = config_edits.Subject("windows", number, "window_updated")
    return await _edit(
        request, subject, config_edits.put_entry("windows", "number", number, data, False)
    )


async def window_deactivate(request: Request) -> Response:
    number = request.path_params["no"]
    subject = config_edits.Subject("windows", number, "window_deactivated")
    return await _edit(request, subject, config_edits.remove_window(number))


# -- staff accounts --------------------------------------------------------------------


def _only(data: dict[str, Any], *allowed: str) -> None:
    unknown = {
        k: f"unknown field (allowed: {', '.join(allowed)})" for k in data if k not in allowed
    }
    if unknown:
        names = ", ".join(unknown)
        raise InvalidInput(f"Unknown field(s): {names}.", f"未知字段：{names}。", fields=unknown)


def _password(value: Any) -> str:
    if not isinstance(value, str) or len(value) < MIN_PASSWORD:
        raise InvalidInput(
            f"The password must be a string of at least {MIN_PASSWORD} characters.",
            f"密码至少需要 {MIN_PASSWORD} 个字符。",
            fields={"password": f"at least {MIN_PASSWORD} characters"},
        )
    return value


async def staff_list(request: Request) -> Response:
    now = clock(request)()
    rows = await accounts.list_staff(database(request), await current_staff(request), now)
    return json_response({"staff": rows})


async def staff_create(request: Request) -> Response:
    staff = await _admin(request)
    data = await json_object(request)
    _only(data, "username", "job_number", "role", "halls", "password")
    password = _password(data.pop("password", None))
    view = await accounts.create_staff(database(request), staff, data, password, clock(request)())
    return json_response({"staff": view}, status_code=201)


async def staff_update(request: Request) -> Response:
    staff = await _admin(request)
    data = await json_object(request)
    _only(data, "job_number", "role", "halls", "active", "password")
    active = data.pop("active", None)
    if active is not None and not isinstance(active, bool):
        raise InvalidInput(
            "The field 'active' must be true or false.",
            "字段“active”必须是 true 或 false。",
            fields={"active": "expected true or false"},
        )
    secret = data.pop("password", None)
    password = _password(secret) if secret is not None else None
    username = request.path_params["username"]
    db, now = database(request), clock(request)()
    view = await accounts.update_staff(
        db, staff, username, data, active=active, password=password, now=now
    )
    return json_response({"staff": view})


async def staff_unlock(request: Request) -> Response:
    staff = await acting_staff(request)
    username = request.path_params["username"]
    view = await accounts.unlock_staff(database(request), staff, username, clock(request)())
    return json_response({"staff": view})


routes = [
    Route("/api/admin/config", config_show, methods=["GET"]),
    Route("/api/admin/config", config_replace, methods=["PUT"]),
    Route(MATTER, matter_create, methods=["POST"]),
    Route(MATTER + "/{code}", matter_update, methods=["PUT"]),
    Route(MATTER + "/{code}", matter_deactivate, methods=["DELETE"]),
    Route(WINDOW, window_create, methods=["POST"]),
    Route(WINDOW + "/{no:int}", window_update, methods=["PUT"]),
    Route(WINDOW + "/{no:int}", window_deactivate, methods=["DELETE"]),
    Route(STAFF, staff_list, methods=["GET"]),
    Route(STAFF, staff_create, methods=["POST"]),
    Route(STAFF + "/{username}", staff_update, methods=["PUT"]),
    Route(STAFF + "/{username}/unlock", staff_unlock, methods=["POST"]),
]
