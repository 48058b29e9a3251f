"""Operations of appointment booking and the supervisors' booking tools."""

from __future__ import annotations

from web.api.openapi.core import body, op
from web.api.openapi.parameters import NEAR_DAY, TEXT, query
from web.api.openapi.schemas import Schema, array, obj, ref

NEAR = "ISO 8601 with an offset, from a year before now to two years after (else 422)"
START: Schema = {"type": "string", "format": "date-time", "description": NEAR}
NAME = {"type": "string", "minLength": 1, "maxLength": 64}
ID_NUMBER = {"type": "string", "minLength": 1, "maxLength": 64}
PHONE = {"type": "string", "minLength": 1, "maxLength": 32}
REASON = {"type": "string", "maxLength": 500}

op(
    "GET",
    "/api/halls/{hall}/slots",
    "Slots of a matter on a day",
    query=[
        query("matter", TEXT, "matter code", required=True),
        query("date", NEAR_DAY, required=True),
    ],
    result=array(ref("Slot")),
)
op(
    "POST",
    "/api/appointments",
    "Book a slot (real name; proxy booking for a relative via 'proxy')",
    ok=201,
    body=body(
        {
            "hall": NAME,
            "matter": NAME,
            "start": START,
            "name": NAME,
            "id_kind": NAME,
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "proxy": {
                "type": "object",
                "properties": {"name": NAME, "id_number": ID_NUMBER, "id_kind": NAME},
            },
        },
        ["hall", "matter", "start", "name", "id_number", "phone"],
    ),
    result=ref("Appointment"),
)
op(
    "GET",
    "/api/appointments/{code}",
    "Gone (410): the phone travelled in the address; use POST /api/appointments/{code}/lookup",
    ok=410,
    result=ref("Error"),
)
op(
    "GET",
    "/api/appointments/{code}.ics",
    "Gone (410): use POST /api/appointments/{code}/calendar",
    ok=410,
    result=ref("Error"),
)
op(
    "POST",
    "/api/appointments/{code}/lookup",
    "A booking (the phone in the body, never in the address)",
    body=body({"phone": PHONE}, ["phone"]),
    result=ref("Appointment"),
)
op(
    "POST",
    "/api/appointments/{code}/calendar",
    "The booking as an iCalendar event",
    body=body({"phone": PHONE}, ["phone"]),
    kind="ics",
)
op(
    "POST",
    "/api/appointments/{code}/cancel",
    "Cancel a booking",
    body=body({"phone": PHONE}, ["phone"]),
    result=ref("Appointment"),
)
op(
    "POST",
    "/api/appointments/{code}/move",
    "Move a booking to another slot, atomically",
    body=body({"phone": PHONE, "start": START}, ["phone", "start"]),
    result=ref("Appointment"),
)
op(
    "POST",
    "/api/halls/{hall}/check-ins",
    "Check in at the kiosk by booking code or ID number; returns the ticket",
    ok=201,
    body=body({"code": NAME, "id_number": ID_NUMBER, "id_kind": NAME}, []),
    result=obj({"ticket": ref("Ticket")}),
)
SLOT_REF = {"group": NAME, "matter": NAME, "start": START}
slot_result = obj({"slot": ref("SlotOverride")})
op(
    "GET",
    "/api/halls/{hall}/slot-overrides",
    "A day's overridden slots with reason, who and when (supervisor)",
    query=[query("date", NEAR_DAY, required=True)],
    result=obj({"slots": array(ref("SlotOverride"))}),
    staff=True,
)
op(
    "PUT",
    "/api/halls/{hall}/slot-overrides",
    "Override a slot's capacity or close it (supervisor; audited)",
    body=body(
        {
            **SLOT_REF,
            "capacity": {"type": ["integer", "null"], "minimum": 0, "maximum": 1000},
            "closed": {"type": "boolean"},
            "reason": REASON,
        },
        ["start", "reason"],
        closed=True,
    ),
    result=slot_result,
    staff=True,
)
op(
    "DELETE",
    "/api/halls/{hall}/slot-overrides",
    "Remove a slot's override: planned capacity, open again (supervisor; audited)",
    body=body({**SLOT_REF, "reason": REASON}, ["start"], closed=True),
    result=slot_result,
    staff=True,
)
ID_DOC = {"id_kind": NAME, "id_number": ID_NUMBER}
credit_result = obj({"credit": ref("Credit")})
op(
    "POST",
    "/api/halls/{hall}/booking-credit",
    "A person's booking credit under the hall's rule (supervisor; ID in the body)",
    body=body(ID_DOC, ["id_number"], closed=True),
    result=credit_result,
    staff=True,
)
op(
    "POST",
    "/api/halls/{hall}/booking-credit/lift",
    "Lift a person's booking suspension (supervisor; audited)",
    body=body({**ID_DOC, "reason": REASON}, ["id_number", "reason"], closed=True),
    result=credit_result,
    staff=True,
)
