"""Write a HallConfig back to TOML in the same shape ``hall.catalogue.loader`` reads."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import tomli_w

from hall.catalogue.schema import (
    WEEKDAYS,
    BookingRules,
    CaseRules,
    DayRules,
    ExtendedSession,
    Hall,
    HallConfig,
    Matter,
    MatterGroup,
    Period,
    RatingRules,
    StaffAccount,
    Window,
)

HEADER = "# Tongban hall configuration (exported). Format: docs/configuration.md\n\n"


def dump_config(config: HallConfig) -> str:
    """Render a configuration as TOML text that ``load_config`` reads back unchanged."""
    document: dict[str, Any] = {"halls": [_hall(h) for h in config.halls]}
    if config.staff:
        document["staff"] = [_staff(s) for s in config.staff]
    return HEADER + tomli_w.dumps(document)


def hall_settings(h: Hall) -> dict[str, Any]:
    """The hall-level rules (hours, holidays, sessions, booking, policy) as JSON-safe data."""
    full = _hall(h)
    keys = (
        "opening_hours",
        "holidays",
        "makeup_workdays",
        "extended_sessions",
        "booking",
        "rating",
        "cases",
        "day",
        "policy",
    )
    settings: dict[str, Any] = _jsonable({k: full[k] for k in keys if k in full})
    return settings


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def clock(value: time) -> str:
    """Format a time of day as HH:MM; the end-of-day marker is written as 24:00."""
    if value == time(23, 59, 59):
        return "24:00"
    return value.strftime("%H:%M")


def _periods(periods: tuple[Period, ...]) -> list[list[str]]:
    return [[clock(p.start), clock(p.end)] for p in periods]


def _hall(h: Hall) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": h.id,
        "name": h.name,
        "name_en": h.name_en,
        "level": h.level.value,
        "timezone": h.timezone,
    }
    if h.address:
        out["address"] = h.address
    if h.notice:
        out["notice"] = h.notice
    out["opening_hours"] = {
        d: _periods(h.opening_hours[d]) for d in WEEKDAYS if d in h.opening_hours
    }
    if h.holidays:
        out["holidays"] = list(h.holidays)
    if h.makeup_workdays:
        out["makeup_workdays"] = list(h.makeup_workdays)
    if h.extended_sessions:
        out["extended_sessions"] = [_session(s) for s in h.extended_sessions]
    out["booking"] = _booking(h.booking)
    out["rating"] = _rating(h.rating)
    out["cases"] = _cases(h.cases)
    out["day"] = _day(h.day)
    if h.policy:
        out["policy"] = dict(h.policy)
    out["groups"] = [_group(g) for g in h.groups]
    out["matters"] = [matter_entry(m) for m in h.matters]
    out["windows"] = [window_entry(w) for w in h.windows]
    return out


def _session(s: ExtendedSession) -> dict[str, Any]:
    out: dict[str, Any] = {"start": clock(s.start), "end": clock(s.end)}
    if s.weekdays:
        out["weekdays"] = list(s.weekdays)
    if s.dates:
        out["dates"] = list(s.dates)
    if s.matters != ("*",):
        out["matters"] = list(s.matters)
    if s.note:
        out["note"] = s.note
    return out


def _booking(b: BookingRules) -> dict[str, Any]:
    out: dict[str, Any] = {
        "slot_minutes": b.slot_minutes,
        "horizon_days": b.horizon_days,
        "release_time": clock(b.release_time),
        "min_notice_minutes": b.min_notice_minutes,
        "cutoff_minutes": b.cutoff_minutes,
        "walkin_reserve": b.walkin_reserve,
        "cancel_release_delay_minutes": b.cancel_release_delay_minutes,
        "max_per_week": b.max_per_week,
        "max_per_month": b.max_per_month,
    }
    if b.appointment_prefix:
        out["appointment_prefix"] = b.appointment_prefix
    n = b.no_show_rule
    out["no_show_rule"] = {
        "no_shows": n.no_shows,
        "late_cancellations": n.late_cancellations,
        "window_days": n.window_days,
        "suspend_days": n.suspend_days,
    }
    return out


def _rating(rules: RatingRules) -> dict[str, Any]:
    return {
        "period_days": rules.period_days,
        "change_hours": rules.change_hours,
        "default_score": rules.default_score,
        "evaluator_minutes": rules.evaluator_minutes,
        "reveal_after_minutes": rules.reveal_after_minutes,
    }


def _cases(rules: CaseRules) -> dict[str, Any]:
    out: dict[str, Any] = {
        "contact_days": rules.contact_days,
        "rectify_days": rules.rectify_days,
        "close_days": rules.close_days,
        "on_the_spot_days": rules.on_the_spot_days,
        "complex_days": rules.complex_days,
        "special_days": rules.special_days,
        "max_extension_days": rules.max_extension_days,
        "help_response_seconds": rules.help_response_seconds,
    }
    if rules.helpers:
        out["helpers"] = list(rules.helpers)
    return out


def _day(d: DayRules) -> dict[str, Any]:
    out: dict[str, Any] = {
        "tickets_from_minutes_before_opening": d.tickets_from_minutes,
        "tickets_until_minutes_before_closing": d.tickets_until_minutes,
        "close_out_minutes_after_closing": d.close_out_minutes,
    }
    if d.caps:
        out["caps"] = [
            {
                **({"matter": c.matter} if c.matter else {"group": c.group}),
                "limit": c.limit,
                "warn_remaining": c.warn_remaining,
            }
            for c in d.caps
        ]
    return out


def _group(g: MatterGroup) -> dict[str, Any]:
    out: dict[str, Any] = {"code": g.code, "name": g.name, "name_en": g.name_en, "icon": g.icon}
    if g.description:
        out["description"] = g.description
    if g.description_en:
        out["description_en"] = g.description_en
    return out


def matter_entry(m: Matter) -> dict[str, Any]:
    """A matter in the file's shape."""
    out: dict[str, Any] = {
        "code": m.code,
        "name": m.name,
        "name_en": m.name_en,
        "class": m.matter_class.value,
        "expected_minutes": m.expected_minutes,
        "prefix": m.prefix,
        "zone": m.zone.value,
        "group": m.group,
        "materials": list(m.materials),
    }
    if m.materials_en:
        out["materials_en"] = list(m.materials_en)
    if not m.bookable:
        out["bookable"] = False
    return out


def window_entry(w: Window) -> dict[str, Any]:
    """A window in the file's shape."""
    out: dict[str, Any] = {"number": w.number, "kind": w.kind.value, "skills": list(w.skills)}
    if w.name:
        out["name"] = w.name
    if w.name_en:
        out["name_en"] = w.name_en
    return out


def _staff(s: StaffAccount) -> dict[str, Any]:
    out: dict[str, Any] = {
        "username": s.username,
        "job_number": s.job_number,
        "role": s.role.value,
        "halls": list(s.halls),
    }
    if s.password_hash:
        out["password_hash"] = s.password_hash
    return out
