"""JSON Schemas of the API's answers (components of the OpenAPI document)."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
INT: Schema = {"type": "integer"}
BOOL: Schema = {"type": "boolean"}
NUMBER: Schema = {"type": "number"}
MOMENT: Schema = {"type": "string", "format": "date-time"}
DAY: Schema = {"type": "string", "format": "date"}
OBJECT: Schema = {"type": "object"}
TEXT_LIST: Schema = {"type": "array", "items": STR}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with these keys always present (more may follow)."""
    return {
        "type": "object",
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


ERROR = obj(
    {
        "error": obj(
            {
                "code": STR,
                "message": STR,
                "message_zh": STR,
                "fields": {"type": "object", "additionalProperties": STR},
            }
        )
    }
)
TICKET_STATUS = {
    "enum": [
        "expected",
        "waiting",
        "called",
        "serving",
        "parked",
        "finished",
        "no_show",
        "cancelled",
        "unserved",
    ]
}
TICKET = obj(
    {
        "id": {"type": "string", "description": "unguessable id (the phone page's address)"},
        "hall": STR,
        "number": {"type": "string", "examples": ["A012"]},
        "matter": STR,
        "status": TICKET_STATUS,
        "source": {"enum": ["walk_in", "appointment"]},
        "green": BOOL,
        "issued_at": MOMENT,
        "window": nullable(INT),
        "position": nullable(INT),
        "estimated_wait_minutes": nullable(INT),
    }
)
WINDOW_KIND = {"enum": ["comprehensive", "specialised", "green", "pickup", "could_not_get_it_done"]}
WINDOW_STATUS = {"enum": ["closed", "open", "paused"]}
WINDOW = obj(
    {
        "number": INT,
        "name": STR,
        "name_en": STR,
        "kind": WINDOW_KIND,
        "skills": TEXT_LIST,
        "status": WINDOW_STATUS,
    },
    {"staff": {**nullable(STR), "description": "job number of the clerk"}},
)
MATTER = obj(
    {
        "code": STR,
        "name": STR,
        "name_en": STR,
        "class": STR,
        "expected_minutes": NUMBER,
        "prefix": STR,
        "zone": STR,
        "group": nullable(STR),
        "materials": TEXT_LIST,
        "materials_en": TEXT_LIST,
        "bookable": BOOL,
    },
    {"active": BOOL},
)
HALL = obj({"id": STR, "name": STR, "name_en": STR, "timezone": STR})
SESSION = obj(
    {
        "username": STR,
        "job_number": STR,
        "role": {"enum": ["clerk", "supervisor", "admin"]},
        "halls": TEXT_LIST,
        "csrf_token": STR,
    }
)
STAFF_ACCOUNT = obj(
    {
        "username": STR,
        "job_number": STR,
        "role": {"enum": ["clerk", "supervisor", "admin"]},
        "halls": TEXT_LIST,
        "active": BOOL,
        "throttled_until": nullable(MOMENT),
        "failed_logins": INT,
        "under_attack": BOOL,
    }
)
APPOINTMENT = obj(
    {
        "code": STR,
        "status": {"enum": ["booked", "checked_in", "cancelled", "no_show"]},
        "hall": STR,
        "hall_name": STR,
        "matter": STR,
        "matter_name": STR,
        "start": MOMENT,
        "end": MOMENT,
        "materials": TEXT_LIST,
        "name": {"type": "string", "description": "masked, e.g. 张*"},
        "phone": {"type": "string", "description": "masked, e.g. 138****5678"},
        "proxy": {**nullable(STR), "description": "masked name of the booker"},
        "ticket": nullable(STR),
        "warning": {
            **nullable(OBJECT),
            "description": "credit warning: one no-show or late cancellation short of a "
            "suspension (code, message, message_zh, no_shows, late_cancellations)",
        },
    }
)
SLOT = obj({"start": MOMENT, "end": MOMENT, "capacity": INT, "available": INT, "closed": BOOL})
SLOT_OVERRIDE = obj(
    {
        "group": STR,
        "start": MOMENT,
        "end": MOMENT,
        "planned_capacity": INT,
        "booked": INT,
        "capacity": INT,
        "available": INT,
        "closed": BOOL,
        "overridden": BOOL,
        "reason": nullable(STR),
        "by": nullable(STR),
        "at": nullable(MOMENT),
    }
)
CREDIT = obj(
    {
        "id_number": {"type": "string", "description": "masked"},
        "suspended_until": nullable(MOMENT),
        "no_shows": INT,
        "late_cancellations": INT,
        "warning": nullable(OBJECT),
        "history": array(OBJECT),
        "rule": OBJECT,
    }
)
CASE = obj(
    {
        "id": INT,
        "kind": {"enum": ["bad_rating", "cannot_handle", "help", "complaint"]},
        "status": STR,
    },
    {
        "ticket": {**nullable(STR), "description": "ticket number"},
        "window": nullable(INT),
        "staff": {**nullable(STR), "description": "job number"},
        "matter": nullable(STR),
        "opened_at": MOMENT,
        "due_at": nullable(MOMENT),
        "overdue": BOOL,
        "steps": array(OBJECT),
    },
)
PERIOD = {"hall": STR, "from": DAY, "to": DAY}

COMPONENTS: dict[str, Schema] = {
    "Error": ERROR,
    "Ticket": TICKET,
    "Window": WINDOW,
    "Matter": MATTER,
    "Hall": HALL,
    "Session": SESSION,
    "StaffAccount": STAFF_ACCOUNT,
    "Appointment": APPOINTMENT,
    "Slot": SLOT,
    "SlotOverride": SLOT_OVERRIDE,
    "Credit": CREDIT,
    "Case": CASE,
}
