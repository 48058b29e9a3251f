"""Operations of the administrators: the configuration, matters, windows, staff accounts."""

from __future__ import annotations

from web.api.openapi.core import body, op
from web.api.openapi.schemas import BOOL, OBJECT, Schema, array, obj, ref

A = "/api/admin"
NAME = {"type": "string", "minLength": 1, "maxLength": 64}
PASSWORD = {"type": "string", "minLength": 8, "maxLength": 1024}
ROLE = {"enum": ["clerk", "supervisor", "admin"]}
HALLS = {"type": "array", "items": NAME, "maxItems": 100}
MATTER_FIELDS: dict[str, Schema] = {
    "code": {"type": "string", "pattern": "^[A-Za-z0-9_.-]{1,32}$"},
    "name": NAME,
    "name_en": NAME,
    "class": {"enum": ["general", "complex"]},
    "expected_minutes": {"type": "number", "minimum": 0, "maximum": 1440},
    "prefix": {"type": "string", "pattern": "^[A-Z]{1,2}$"},
    "group": NAME,
    "materials": {"type": "array", "items": NAME, "maxItems": 50},
}
WINDOW_FIELDS: dict[str, Schema] = {
    "number": {"type": "integer", "minimum": 1, "maximum": 999},
    "name": NAME,
    "name_en": NAME,
    "kind": {"enum": ["comprehensive", "specialised", "green", "pickup", "could_not_get_it_done"]},
    "skills": {"type": "array", "items": NAME, "maxItems": 100},
}
matter_result = obj({"matter": OBJECT})
window_result = obj({"window": OBJECT})
staff_result = obj({"staff": ref("StaffAccount")})

op(
    "GET",
    f"{A}/config",
    "Download the whole configuration as TOML (no password hashes)",
    kind="text",
    staff=True,
)
op(
    "PUT",
    f"{A}/config",
    "Upload a TOML configuration (application/toml, at most 2 MB: 413 past it, read no "
    "further): validated, then applied",
    body={
        "required": True,
        "content": {"application/toml": {"schema": {"type": "string", "maxLength": 2**21}}},
    },
    result=OBJECT,
    staff=True,
)
op(
    "POST",
    f"{A}/halls/{{hall}}/matters",
    "Add a matter (validated with the whole config)",
    ok=201,
    body=body(MATTER_FIELDS, ["code"]),
    result=matter_result,
    staff=True,
)
op(
    "PUT",
    f"{A}/halls/{{hall}}/matters/{{code}}",
    "Edit a matter (partial body)",
    body=body(MATTER_FIELDS, []),
    result=matter_result,
    staff=True,
)
op(
    "DELETE",
    f"{A}/halls/{{hall}}/matters/{{code}}",
    "Deactivate a matter (never deleted)",
    result=matter_result,
    staff=True,
)
op(
    "POST",
    f"{A}/halls/{{hall}}/windows",
    "Add a window",
    ok=201,
    body=body(WINDOW_FIELDS, ["number"]),
    result=window_result,
    staff=True,
)
op(
    "PUT",
    f"{A}/halls/{{hall}}/windows/{{no}}",
    "Edit a window (partial body)",
    body=body(WINDOW_FIELDS, []),
    result=window_result,
    staff=True,
)
op(
    "DELETE",
    f"{A}/halls/{{hall}}/windows/{{no}}",
    "Deactivate a closed window",
    result=window_result,
    staff=True,
)
op(
    "GET",
    f"{A}/staff",
    "List staff accounts (never hashes)",
    result=obj({"staff": array(ref("StaffAccount"))}),
    staff=True,
)
op(
    "POST",
    f"{A}/staff",
    "Create a staff account",
    ok=201,
    body=body(
        {
            "username": {"type": "string", "pattern": "^[a-z][a-z0-9_.-]{1,31}$"},
            "job_number": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,16}$"},
            "role": ROLE,
            "halls": HALLS,
            "password": PASSWORD,
        },
        ["username", "job_number", "role", "password"],
        closed=True,
    ),
    result=staff_result,
    staff=True,
)
op(
    "PUT",
    f"{A}/staff/{{username}}",
    "Edit a staff account, reset its password",
    body=body(
        {
            "job_number": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,16}$"},
            "role": ROLE,
            "halls": HALLS,
            "active": BOOL,
            "password": PASSWORD,
        },
        [],
        closed=True,
    ),
    result=staff_result,
    staff=True,
)
op(
    "POST",
    f"{A}/staff/{{username}}/unlock",
    "Clear a sign-in lock-out (supervisor or admin)",
    result=staff_result,
    staff=True,
)

KIOSK = obj(
    {
        "id": {"type": "integer"},
        "hall": NAME,
        "name": NAME,
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": "string"},
        "revoked_at": {"type": ["string", "null"], "format": "date-time"},
        "active": BOOL,
    }
)
op(
    "GET",
    f"{A}/halls/{{hall}}/kiosks",
    "The hall's registered kiosks (revoked ones too)",
    staff=True,
    result=obj({"kiosks": array(KIOSK)}),
)
op(
    "POST",
    f"{A}/halls/{{hall}}/kiosks",
    "Register a kiosk; the answer carries its device token, shown this once",
    staff=True,
    ok=201,
    body=body({"name": NAME}, ["name"]),
    result=obj({"kiosk": KIOSK, "token": {"type": "string"}}),
)
op(
    "DELETE",
    f"{A}/halls/{{hall}}/kiosks/{{kiosk}}",
    "Revoke a kiosk's device token",
    staff=True,
    result=obj({"kiosk": KIOSK}),
)
op(
    "POST",
    "/api/halls/{hall}/kiosk-device",
    "Keep a kiosk's device token in a cookie on this device (the kiosk page's set-up)",
    body=body({"token": {"type": "string", "minLength": 1, "maxLength": 256}}, ["token"]),
    result=obj({"kiosk": {"type": "integer"}, "hall": NAME}),
)
