"""Load and validate a hall configuration TOML file, reporting every problem at once."""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Callable
from datetime import time
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hall.catalogue.reader import Reader, parse_clock
from hall.catalogue.schema import (
    WEEKDAYS,
    BookingRules,
    CaseRules,
    DailyCap,
    DayRules,
    ExtendedSession,
    Hall,
    HallConfig,
    HallLevel,
    Matter,
    MatterClass,
    MatterGroup,
    NoShowRule,
    Period,
    RatingRules,
    StaffAccount,
    Window,
    WindowKind,
    Zone,
)
from hall.errors import ConfigError
from hall.staff.roles import Role

SLUG = r"[a-z][a-z0-9-]{0,31}"
CODE = r"[A-Za-z0-9_.-]{1,32}"
PREFIX = r"[A-Z]{1,2}"
USERNAME = r"[a-z][a-z0-9_.-]{1,31}"

# Checks the [policy] table; the queueing core plugs its own validator in here
# (queueing.policy.policy_problems), so a hall file and a simulator scenario share one definition.
PolicyCheck = Callable[[dict[str, Any]], list[tuple[str, str]]]


def demo_config_path() -> Path:
    """The demo configuration shipped with the package."""
    return Path(str(resources.files("hall.catalogue") / "demo" / "demo_halls.toml"))


def load_config(path: str | Path, policy_check: PolicyCheck | None = None) -> HallConfig:
    """Read and validate a configuration file; raises ConfigError listing every problem."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read the file ({exc})"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML ({exc})"]) from None
    return parse_config(data, str(path), policy_check)


def parse_config(
    data: dict[str, Any], source: str = "<config>", policy_check: PolicyCheck | None = None
) -> HallConfig:
    """Validate a parsed TOML document; raises ConfigError listing every problem."""
    problems: list[str] = []
    top = Reader(data, "", problems)
    top.only("halls", "staff")
    halls = tuple(_hall(r, policy_check) for r in top.tables("halls"))
    if not halls and not any(p.startswith("halls") for p in problems):
        problems.append("halls: at least one [[halls]] table is required")
    _unique([h.id for h in halls], "halls", "id", problems)
    hall_ids = {h.id for h in halls}
    staff = tuple(_staff(r, hall_ids) for r in top.tables("staff"))
    _unique([s.username for s in staff], "staff", "username", problems)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return HallConfig(halls=halls, staff=staff)


def _hall(r: Reader, policy_check: PolicyCheck | None) -> Hall:
    r.only(
        *("id", "name", "name_en", "level", "timezone", "address", "opening_hours"),
        *("holidays", "makeup_workdays", "extended_sessions", "groups", "matters"),
        *("windows", "booking", "rating", "cases", "day", "policy", "notice"),
    )
    tz = r.text("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        r.problem("timezone", f"unknown time zone {tz!r} (use an IANA name like Asia/Shanghai)")
    groups = tuple(_group(g) for g in r.tables("groups"))
    _unique([g.code for g in groups], r.at("groups"), "code", r.problems)
    group_codes = {g.code for g in groups}
    matters = tuple(_matter(m, group_codes) for m in r.tables("matters"))
    _unique([m.code for m in matters], r.at("matters"), "code", r.problems)
    codes = {m.code for m in matters}
    windows = tuple(_window(w, codes) for w in r.tables("windows"))
    _unique([w.number for w in windows], r.at("windows"), "number", r.problems)
    policy = r.table("policy").data
    if policy_check is not None:
        for key, message in policy_check(dict(policy)):
            r.problem(f"policy.{key}", message)
    return Hall(
        id=r.text("id", pattern=SLUG),
        name=r.text("name"),
        name_en=r.text("name_en"),
        level=r.choice("level", HallLevel, HallLevel.DISTRICT) or HallLevel.DISTRICT,
        timezone=tz,
        address=r.text("address", ""),
        opening_hours=_opening_hours(r.table("opening_hours")),
        holidays=r.days("holidays"),
        makeup_workdays=r.days("makeup_workdays"),
        extended_sessions=tuple(_session(s, codes) for s in r.tables("extended_sessions")),
        groups=groups,
        matters=matters,
        windows=windows,
        booking=_booking(r.table("booking")),
        rating=_rating(r.table("rating")),
        cases=_cases(r.table("cases")),
        day=_day(r.table("day"), codes, group_codes),
        policy=dict(policy),
        notice=r.text("notice", ""),
    )


def _opening_hours(r: Reader) -> dict[str, tuple[Period, ...]]:
    r.only(*WEEKDAYS)
    hours: dict[str, tuple[Period, ...]] = {}
    for day in WEEKDAYS:
        if day in r.data:
            hours[day] = _periods(r.data[day], r, day)
    return hours


def _periods(value: Any, r: Reader, key: str) -> tuple[Period, ...]:
    if not isinstance(value, list):
        r.problem(key, 'expected a list of ["HH:MM", "HH:MM"] pairs')
        return ()
    periods: list[Period] = []
    for i, pair in enumerate(value):
        where = f"{key}[{i}]"
        if not (isinstance(pair, list) and len(pair) == 2):
            r.problem(where, 'expected a pair ["HH:MM", "HH:MM"]')
            continue
        report = functools.partial(r.problem, where)
        start, end = parse_clock(pair[0], report), parse_clock(pair[1], report)
        if start is None or end is None:
            continue
        if start >= end:
            r.problem(where, f"starts at {pair[0]} but ends at {pair[1]}")
        elif periods and start < periods[-1].end:
            r.problem(where, "overlaps or comes before the previous period")
        else:
            periods.append(Period(start, end))
    return tuple(periods)


def _session(r: Reader, codes: set[str]) -> ExtendedSession:
    r.only("weekdays", "dates", "start", "end", "matters", "note")
    weekdays = r.texts("weekdays")
    for day in weekdays:
        if day not in WEEKDAYS:
            r.problem("weekdays", f"{day!r} is not one of {', '.join(WEEKDAYS)}")
    dates = r.days("dates")
    if not weekdays and not dates:
        r.problem("", "an extended session needs weekdays or dates")
    start, end = r.clock("start"), r.clock("end")
    if start is not None and end is not None and start >= end:
        r.problem("end", "must be after start")
    matters = r.texts("matters", ("*",))
    _known_codes(matters, codes, r, "matters")
    return ExtendedSession(
        start=start or time(0, 0),
        end=end or time(0, 0),
        weekdays=weekdays,
        dates=dates,
        matters=matters,
        note=r.text("note", ""),
    )


def _group(r: Reader) -> MatterGroup:
    r.only("code", "name", "name_en", "icon", "description", "description_en")
    return MatterGroup(
        code=r.text("code", pattern=CODE),
        name=r.text("name"),
        name_en=r.text("name_en"),
        icon=r.text("icon", "folder", pattern=r"[a-z0-9-]{1,32}"),
        description=r.text("description", ""),
        description_en=r.text("description_en", ""),
    )


def _matter(r: Reader, group_codes: set[str]) -> Matter:
    r.only(
        *("code", "name", "name_en", "class", "expected_minutes", "prefix", "zone"),
        *("group", "materials", "materials_en", "bookable"),
    )
    group = r.text("group")
    if group and group not in group_codes:
        r.problem("group", f"unknown group code {group!r}")
    return Matter(
        code=r.text("code", pattern=CODE),
        name=r.text("name"),
        name_en=r.text("name_en"),
        matter_class=r.choice("class", MatterClass) or MatterClass.GENERAL,
        expected_minutes=r.number("expected_minutes", None, 0.5, 480.0),
        prefix=r.text("prefix", pattern=PREFIX),
        zone=r.choice("zone", Zone, Zone.COMPREHENSIVE) or Zone.COMPREHENSIVE,
        group=group,
        materials=r.texts("materials"),
        materials_en=r.texts("materials_en"),
        bookable=r.flag("bookable", True),
    )


def _window(r: Reader, codes: set[str]) -> Window:
    r.only("number", "kind", "skills", "name", "name_en")
    number = r.integer("number", None, 1, 999)
    skills = r.texts("skills", ())
    if not skills:
        r.problem("skills", 'needs at least one matter code, or "*" for every matter')
    _known_codes(skills, codes, r, "skills")
    return Window(
        number=number,
        kind=r.choice("kind", WindowKind) or WindowKind.COMPREHENSIVE,
        skills=skills,
        name=r.text("name", ""),
        name_en=r.text("name_en", ""),
    )


def _known_codes(values: tuple[str, ...], codes: set[str], r: Reader, key: str) -> None:
    for value in values:
        if value != "*" and value not in codes:
            r.problem(key, f"unknown matter code {value!r}")


def _booking(r: Reader) -> BookingRules:
    r.only(
        *("slot_minutes", "horizon_days", "release_time", "min_notice_minutes"),
        *("cutoff_minutes", "walkin_reserve", "cancel_release_delay_minutes"),
        *("max_per_week", "max_per_month", "appointment_prefix", "no_show_rule"),
    )
    d = BookingRules()
    slot = r.integer("slot_minutes", d.slot_minutes, 5, 240)
    if slot and 1440 % slot:
        r.problem("slot_minutes", f"{slot} does not divide a day evenly (use 15, 20, 30, 60…)")
    rule = r.table("no_show_rule")
    rule.only("no_shows", "late_cancellations", "window_days", "suspend_days")
    n = NoShowRule()
    return BookingRules(
        slot_minutes=slot,
        horizon_days=r.integer("horizon_days", d.horizon_days, 1, 60),
        release_time=r.clock("release_time", d.release_time) or d.release_time,
        min_notice_minutes=r.integer("min_notice_minutes", d.min_notice_minutes, 0, 10080),
        cutoff_minutes=r.integer("cutoff_minutes", d.cutoff_minutes, 0, 10080),
        walkin_reserve=r.number("walkin_reserve", d.walkin_reserve, 0.0, 1.0),
        cancel_release_delay_minutes=r.integer(
            "cancel_release_delay_minutes", d.cancel_release_delay_minutes, 0, 10080
        ),
        max_per_week=r.integer("max_per_week", d.max_per_week, 1, 100),
        max_per_month=r.integer("max_per_month", d.max_per_month, 1, 400),
        appointment_prefix=r.text("appointment_prefix", "", pattern=f"({PREFIX})?"),
        no_show_rule=NoShowRule(
            no_shows=rule.integer("no_shows", n.no_shows, 1, 100),
            late_cancellations=rule.integer("late_cancellations", n.late_cancellations, 1, 100),
            window_days=rule.integer("window_days", n.window_days, 1, 366),
            suspend_days=rule.integer("suspend_days", n.suspend_days, 0, 3660),
        ),
    )


def _rating(r: Reader) -> RatingRules:
    r.only(
        "period_days", "change_hours", "default_score", "evaluator_minutes",
        "reveal_after_minutes",
    )  # fmt: skip
    d = RatingRules()
    return RatingRules(
        period_days=r.integer("period_days", d.period_days, 1, 90),
        change_hours=r.integer("change_hours", d.change_hours, 0, 720),
        default_score=r.integer("default_score", d.default_score, 1, 5),
        evaluator_minutes=r.integer("evaluator_minutes", d.evaluator_minutes, 1, 120),
        reveal_after_minutes=r.integer("reveal_after_minutes", d.reveal_after_minutes, 0, 10080),
    )


def _cases(r: Reader) -> CaseRules:
    r.only(
        "contact_days", "rectify_days", "close_days", "on_the_spot_days", "complex_days",
        "special_days", "max_extension_days", "help_response_seconds", "helpers",
    )  # fmt: skip
    d = CaseRules()
    rules = CaseRules(
        contact_days=r.integer("contact_days", d.contact_days, 0, 60),
        rectify_days=r.integer("rectify_days", d.rectify_days, 0, 120),
        close_days=r.integer("close_days", d.close_days, 0, 240),
        on_the_spot_days=r.integer("on_the_spot_days", d.on_the_spot_days, 0, 10),
        complex_days=r.integer("complex_days", d.complex_days, 0, 120),
        special_days=r.integer("special_days", d.special_days, 0, 240),
        max_extension_days=r.integer("max_extension_days", d.max_extension_days, 1, 120),
        help_response_seconds=r.integer("help_response_seconds", d.help_response_seconds, 10, 3600),
        helpers=r.texts("helpers"),
    )
    for name in rules.helpers:
        if not re.fullmatch(USERNAME, name):
            r.problem("helpers", f"{name!r} is not a user name")
    if not rules.contact_days <= rules.rectify_days <= rules.close_days:
        r.problem("close_days", "needs contact_days ≤ rectify_days ≤ close_days")
    return rules


def _day(r: Reader, codes: set[str], group_codes: set[str]) -> DayRules:
    r.only(
        "tickets_from_minutes_before_opening",
        "tickets_until_minutes_before_closing",
        "close_out_minutes_after_closing",
        "caps",
    )
    d = DayRules()
    caps = tuple(_cap(c, codes, group_codes) for c in r.tables("caps"))
    _unique([c.matter or f"group:{c.group}" for c in caps], r.at("caps"), "matter", r.problems)
    return DayRules(
        tickets_from_minutes=r.integer(
            "tickets_from_minutes_before_opening", d.tickets_from_minutes, 0, 240
        ),
        tickets_until_minutes=r.integer(
            "tickets_until_minutes_before_closing", d.tickets_until_minutes, 0, 240
        ),
        close_out_minutes=r.integer("close_out_minutes_after_closing", d.close_out_minutes, 0, 600),
        caps=caps,
    )


def _cap(r: Reader, codes: set[str], group_codes: set[str]) -> DailyCap:
    r.only("matter", "group", "limit", "warn_remaining")
    matter, group = r.text("matter", ""), r.text("group", "")
    if bool(matter) == bool(group):
        r.problem("", "a cap names either a matter or a group")
    if matter and matter not in codes:
        r.problem("matter", f"unknown matter code {matter!r}")
    if group and group not in group_codes:
        r.problem("group", f"unknown group code {group!r}")
    limit = r.integer("limit", None, 1, 100_000)
    warn = r.integer("warn_remaining", max(1, (limit or 0) // 10), 0, 100_000)
    if limit and warn >= limit:
        r.problem("warn_remaining", f"must be less than the limit ({limit})")
    return DailyCap(limit=limit, matter=matter, group=group, warn_remaining=warn)


def _staff(r: Reader, hall_ids: set[str]) -> StaffAccount:
    r.only("username", "job_number", "role", "halls", "password_hash")
    halls = r.texts("halls", ("*",))
    for hall_id in halls:
        if hall_id != "*" and hall_id not in hall_ids:
            r.problem("halls", f"unknown hall id {hall_id!r}")
    password_hash = r.text("password_hash", "")
    if password_hash and not password_hash.startswith("$argon2"):
        r.problem("password_hash", "must be an argon2 hash (make one with `tongban staff hash`)")
    return StaffAccount(
        username=r.text("username", pattern=USERNAME),
        job_number=r.text("job_number", pattern=r"[A-Za-z0-9-]{1,16}"),
        role=r.choice("role", Role) or Role.CLERK,
        halls=halls,
        password_hash=password_hash or None,
    )


def _unique(values: list[Any], path: str, key: str, problems: list[str]) -> None:
    seen: set[Any] = set()
    for i, value in enumerate(values):
        if value in seen:
            problems.append(f"{path}[{i}].{key}: {value!r} is used more than once")
        seen.add(value)
