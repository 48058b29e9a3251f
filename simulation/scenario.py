"""Load and validate a scenario TOML file; every problem is reported at once.

`load_scenario(path)` reads the file with `tomllib`; `parse_scenario(mapping)` validates an
already-parsed mapping. Both raise `ScenarioError`, whose `lines()` are `file: key.path: message`.
The schema is documented for planners in docs/simulator.md.
"""

from __future__ import annotations

import enum
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from queueing.policy import OFF, policy_problems
from simulation._reader import Interval as ClockInterval
from simulation._reader import Reader
from simulation.arrivals import AppointmentBook
from simulation.distributions import distribution_from_mapping
from simulation.errors import Problem, ScenarioError
from simulation.hall_import import WEEKDAYS, HallParts, load_hall_parts, resolve_path
from simulation.scenario_model import (
    ALL_MATTERS,
    HallSource,
    Interval,
    Matter,
    MatterClass,
    Mode,
    PlanRules,
    RunSettings,
    Scenario,
    ShiftPattern,
    Staff,
    Targets,
    WindowGroup,
    WindowKind,
    WindowPlan,
    common_skills,
)

__all__ = [
    "HallSource",
    "Interval",
    "Matter",
    "MatterClass",
    "Mode",
    "RunSettings",
    "Scenario",
    "ScenarioError",
    "ShiftPattern",
    "Staff",
    "Targets",
    "WindowGroup",
    "WindowKind",
    "WindowPlan",
    "load_scenario",
    "parse_scenario",
]

SHARE_TOLERANCE = 1e-6
MAX_CITIZENS = 2_000_000  # per replication: about 0.5 GB of arrays, far above any hall


def _values(kind: type[enum.Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in kind)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario TOML file.

    Raises ScenarioError (listing every problem) if the file is unreadable or invalid.
    """
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ScenarioError(
            [Problem("", f"cannot read the file: {error.strerror}")], source
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ScenarioError([Problem("", f"not valid TOML: {error}")], source) from error
    return parse_scenario(data, source=source, base_dir=Path(path).parent)


@dataclass
class _Day:
    """Clock context shared by the section readers."""

    open_minute: int
    close_minute: int
    arrival_minutes: float

    def interval(self, clock: ClockInterval) -> Interval:
        return Interval(float(clock[0] - self.open_minute), float(clock[1] - self.open_minute))


def parse_scenario(
    data: Mapping[str, Any], source: str = "<scenario>", base_dir: Path | None = None
) -> Scenario:
    """Validate a parsed scenario mapping and build the `Scenario`.

    Raises ScenarioError listing every problem found.
    """
    problems: list[Problem] = []
    top = Reader(data, "", problems)
    name = top.string("name", Path(source).stem)
    seed = top.integer("seed", 0, low=0)
    open_minute = top.clock("open", "09:00")
    close_minute = top.clock("close", "17:00")
    if close_minute <= open_minute:
        top.problem("close", "must be later than open")
    run = _read_run(top.table("run"), max(close_minute - open_minute, 1))
    day = _Day(open_minute, close_minute, run.warmup_minutes + run.horizon_minutes)
    hall = _read_hall(top, base_dir, day)
    hall_source = None if hall is None else hall.source
    matters, all_valid = _read_matters(top, hall)
    codes = {m.code for m in matters}
    windows = [_read_window(r, codes, day) for r in top.tables("windows")]
    if not windows and hall is not None:
        windows = list(hall.windows)
    elif not windows and top.raw("hall_config") is None:
        top.problem("windows", "at least one [[windows]] entry is required")
    groups = [w for w in windows if w is not None]
    staff = _read_staff(top, groups, codes, day)
    patterns, rules = _read_plan(top.table("plan"), day)
    walkins = _read_profile(top.table("walkins"), day)
    book = _read_appointments(top.table("appointments"), day)
    targets = _read_targets(top.table("targets"))
    _check_scale(top, walkins, book, day)
    policy = _read_policy(top)
    if hall is not None:
        policy = {**hall.policy, **policy}
    top.finish()
    if all_valid:  # sums and coverage over a partial list would only mislead
        _check_shares(top, matters, walkins, book)
        servers = _servers(groups, staff)
        _check_coverage(top, matters, servers, walkins, book, "staff" if staff else "windows")
    if problems:
        raise ScenarioError(problems, source)
    return Scenario(
        name=name,
        seed=seed,
        source=source,
        open_minute=open_minute,
        close_minute=close_minute,
        run=run,
        matters=tuple(matters),
        windows=tuple(w for w in windows if w is not None),
        walkin_per_hour=walkins,
        appointments=book,
        targets=targets,
        policy=policy,
        hall_source=hall_source,
        staff=tuple(staff),
        shift_patterns=tuple(patterns),
        plan_rules=rules,
        walkin_issuing=() if hall is None else hall.issuing,
        walkin_caps=() if hall is None else hall.caps,
    )


def _read_run(r: Reader, day_minutes: int) -> RunSettings:
    replications = r.integer("replications", 30, low=1)
    warmup = r.number("warmup_minutes", 0.0, low=0.0)
    horizon = r.number("horizon_minutes", float(day_minutes), low=0.0, strict_low=True)
    default_mode = Mode.STEADY if warmup > 0 else Mode.DAY
    mode = Mode(r.string("mode", str(default_mode), choices=tuple(Mode)))
    if mode is Mode.DAY and warmup > 0:
        r.problem(
            "warmup_minutes", 'must be 0 in day mode (a hall day starts empty); use mode = "steady"'
        )
    if mode is Mode.DAY and r.has("horizon_minutes") and horizon != day_minutes:
        r.problem(
            "horizon_minutes",
            f"is {horizon:g} but the opening hours (close - open) are {day_minutes} minutes; "
            "in day mode set one of them only",
        )
        horizon = float(day_minutes)
    r.finish()
    return RunSettings(replications, warmup, horizon, mode)


def _read_hall(top: Reader, base_dir: Path | None, day: _Day) -> HallParts | None:
    """Matters, windows and policy from `hall_config` + `hall`, if the scenario names them."""
    path, hall = top.raw("hall_config"), top.raw("hall")
    weekday = top.string("weekday", "mon", choices=WEEKDAYS)
    if path is None and hall is None:
        return None
    if path is None or hall is None:
        top.problem("hall_config" if path is None else "hall", "hall_config and hall go together")
        return None
    if not isinstance(path, str) or not isinstance(hall, str):
        top.problem("hall_config", "hall_config and hall must be strings")
        return None
    source = HallSource(str(resolve_path(path, base_dir)), hall)
    return load_hall_parts(source, weekday, day.open_minute, day.arrival_minutes, top.problems)


def _read_matter(r: Reader, base: Matter | None = None) -> Matter | None:
    code = r.string("code", "")
    if not code:
        r.problem("code", "is required")
    elif ALL_MATTERS in code:
        r.problem("code", f"must not contain {ALL_MATTERS!r}")
    default_class = "general" if base is None else base.matter_class.value
    matter_class = MatterClass(r.string("class", default_class, choices=_values(MatterClass)))
    walkin = r.number("walkin_share", 0.0, low=0.0, high=1.0)
    appointment = r.number("appointment_share", walkin, low=0.0, high=1.0)
    green = r.number("green_share", 0.0, low=0.0, high=1.0)
    name = r.string("name", code if base is None else base.name)
    service = None if base is None else base.service
    if r.has("service"):
        try:
            service = distribution_from_mapping(r.raw("service"), r.where("service"))
        except ScenarioError as error:
            r.problems.extend(error.problems)
    elif service is None:
        r.problem("service", 'is required, e.g. { dist = "exponential", mean = 5.0 }')
    r.finish()
    if not code or service is None:
        return None
    return Matter(code, name, matter_class, service, walkin, appointment, green)


def _read_matters(top: Reader, hall: HallParts | None) -> tuple[list[Matter], bool]:
    """The valid matters, and whether every [[matters]] entry was valid (cross-checks need it).

    With a hall, its matters come first (in its order) and entries with their codes
    override them.
    """
    readers = top.tables("matters")
    if not readers and top.raw("hall_config") is None:
        top.problem("matters", "at least one [[matters]] entry is required")
    base = {} if hall is None else dict(hall.matters)
    matters: list[Matter] = []
    seen: set[object] = set()
    for r in readers:
        code = r.data.get("code")
        if isinstance(code, str) and code in seen:
            r.problem("code", f"duplicates matter {code!r}")
        seen.add(code)
        matter = _read_matter(r, base.get(code) if isinstance(code, str) else None)
        if matter is not None and not any(m.code == matter.code for m in matters):
            matters.append(matter)
    valid = len(matters) == len(readers)
    if hall is not None:
        own = {m.code: m for m in matters}
        merged = [own.pop(code, m) for code, m in base.items()]
        matters = merged + list(own.values())
    return matters, valid


def _read_window(r: Reader, codes: set[str], day: _Day) -> WindowGroup | None:
    count = r.integer("count", 1, low=1)
    skills = r.strings("skills", (ALL_MATTERS,))
    for skill in skills:
        if skill != ALL_MATTERS and codes and skill not in codes:
            r.problem("skills", f"names unknown matter {skill!r}")
    kind = WindowKind(r.string("kind", "comprehensive", choices=_values(WindowKind)))
    name = r.raw("name")
    if name is not None and not isinstance(name, str):
        r.problem("name", "must be a string")
    shifts, breaks = _read_spans(r, day, "the window's")
    r.finish()
    return WindowGroup(
        count=count,
        skills=frozenset(skills),
        kind=kind,
        shifts=shifts,
        breaks=breaks,
        name=name if isinstance(name, str) else "",
    )


def _check_overlaps(r: Reader, key: str, spans: tuple[ClockInterval, ...]) -> None:
    for index in range(1, len(spans)):
        if spans[index][0] < spans[index - 1][1]:
            r.problem(key, "intervals must not overlap")
            return


def _hours(day: _Day) -> int:
    return math.ceil(day.arrival_minutes / 60)


def _read_profile(r: Reader, day: _Day) -> tuple[float, ...]:
    rates = r.numbers("per_hour", (0.0,))
    _check_profile_length(r, rates, day)
    r.finish()
    return rates


def _check_profile_length(r: Reader, rates: tuple[float, ...], day: _Day) -> None:
    hours = _hours(day)
    if len(rates) not in (1, hours):
        r.problem(
            "per_hour",
            f"has {len(rates)} values; give one (a constant rate) or one per hour ({hours})",
        )


def _read_appointments(r: Reader, day: _Day) -> AppointmentBook:
    rates = r.numbers("per_hour", (0.0,))
    _check_profile_length(r, rates, day)
    slot = r.integer("slot_minutes", 30, low=1)
    if 60 % slot != 0:
        r.problem("slot_minutes", f"must divide 60 (5, 10, 15, 20, 30, 60), got {slot}")
    no_show = r.number("no_show", 0.0, low=0.0, high=1.0)
    if no_show >= 1.0:
        r.problem("no_show", "must be below 1 (somebody has to come)")
    punctuality = r.table("punctuality")
    early_mean = punctuality.number("early_mean", 5.0)
    early_sd = punctuality.number("sd", 5.0, low=0.0)
    punctuality.finish()
    r.finish()
    return AppointmentBook(rates, slot, min(no_show, 0.999), early_mean, early_sd)


def _optional_target(
    r: Reader, key: str, default: float | None, *, can_be_off: bool = True
) -> float | None:
    """A target in minutes > 0, or "off" (None); absent: `default`."""
    if r.raw(key) == OFF:
        if not can_be_off:
            r.problem(key, "cannot be off: set the policy's green_max_wait_minutes instead")
        return None
    value = r.number(key, math.nan, low=0.0, strict_low=True) if r.has(key) else default
    return None if value is None or math.isnan(value) else value


def _read_targets(r: Reader) -> Targets:
    defaults = Targets()
    walkin_key = "walkin_wait_mean" if r.has("walkin_wait_mean") else "walkin_wait"
    if r.has("walkin_wait_mean") and r.has("walkin_wait"):
        r.problem("walkin_wait_mean", "is the older name of walkin_wait: give one of them")
    targets = Targets(
        appointment_wait_general=r.number(
            "appointment_wait_general", defaults.appointment_wait_general, low=0.0, strict_low=True
        ),
        appointment_wait_complex=r.number(
            "appointment_wait_complex", defaults.appointment_wait_complex, low=0.0, strict_low=True
        ),
        handling_time=r.number("handling_time", defaults.handling_time, low=0.0, strict_low=True),
        walkin_wait=_optional_target(r, walkin_key, defaults.walkin_wait),
        walkin_wait_p90=_optional_target(r, "walkin_wait_p90", None),
        green_wait=_optional_target(r, "green_wait", None, can_be_off=False),
        overtime=_optional_target(r, "overtime", defaults.overtime),
        share_of_days=r.number("share_of_days", defaults.share_of_days, low=0.0, high=1.0),
        confidence=r.number("confidence", defaults.confidence, low=0.0, strict_low=True),
    )
    r.has("walkin_wait")  # known under either name
    if targets.confidence >= 1.0:
        r.problem("confidence", "must be below 1, e.g. 0.95")
    r.finish()
    return targets


def _check_scale(top: Reader, walkins: tuple[float, ...], book: AppointmentBook, day: _Day) -> None:
    """Refuse arrival rates no hall has (a unit slip such as 1e12): they would exhaust memory."""
    hours = day.arrival_minutes / 60
    expected = sum(_expected(rates, hours) for rates in (walkins, book.per_hour))
    if expected > MAX_CITIZENS:
        where = (
            "walkins.per_hour"
            if _expected(walkins, hours) > MAX_CITIZENS / 2
            else ("appointments.per_hour")
        )
        top.problem(
            where,
            f"gives about {expected:.3g} citizens a replication, more than the "
            f"{MAX_CITIZENS:,} the simulator holds; rates are citizens per hour",
        )


def _expected(rates: tuple[float, ...], hours: float) -> float:
    """Expected arrivals over `hours` of an hourly profile (one value: constant)."""
    if len(rates) == 1:
        return rates[0] * hours
    return math.fsum(rates[: math.ceil(hours)])


def _read_policy(top: Reader) -> dict[str, Any]:
    # Kept as a plain mapping for the engine to hand to `queueing.Policy.from_mapping`; the
    # keys and values are checked here by the queueing core itself, as in the live hall.
    value = top.raw("policy")
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        top.problem("policy", "must be a table")
        return {}
    for key, message in policy_problems(value):
        top.problem(f"policy.{key}", message)
    return dict(value)


def _check_shares(
    top: Reader, matters: list[Matter], walkins: tuple[float, ...], book: AppointmentBook
) -> None:
    if not matters:
        return
    for key, active, total in (
        ("walkin_share", any(walkins), math.fsum(m.walkin_share for m in matters)),
        ("appointment_share", any(book.per_hour), math.fsum(m.appointment_share for m in matters)),
    ):
        if active and abs(total - 1.0) > SHARE_TOLERANCE:
            top.problem("matters", f"{key} values must add up to 1, they add up to {total:.6g}")


def _servers(groups: list[WindowGroup], staff: list[Staff]) -> list[frozenset[str]]:
    """The skill sets that serve citizens: the windows', or each rostered person's."""
    if not staff:
        return [g.skills for g in groups]
    numbered = [g for g in groups for _ in range(g.count)]
    return [
        common_skills(numbered[p.window - 1].skills, p.skills)
        for p in staff
        if p.window <= len(numbered)
    ]


def _check_coverage(
    top: Reader,
    matters: list[Matter],
    servers: list[frozenset[str]],
    walkins: tuple[float, ...],
    book: AppointmentBook,
    where: str,
) -> None:
    if not servers:
        return
    who = "one" if where == "staff" else "window"
    for matter in matters:
        arrives = (matter.walkin_share > 0 and any(walkins)) or (
            matter.appointment_share > 0 and any(book.per_hour)
        )
        if arrives and not any(ALL_MATTERS in s or matter.code in s for s in servers):
            top.problem(where, f"no {who} has the skill for matter {matter.code!r}")


def _read_spans(
    r: Reader, day: _Day, whose: str
) -> tuple[tuple[Interval, ...] | None, tuple[Interval, ...]]:
    """`shifts` and `breaks` of a window, a person or a shift pattern, checked together."""
    shifts = r.intervals("shifts")
    breaks = r.intervals("breaks") or ()
    _check_overlaps(r, "shifts", shifts or ())
    _check_overlaps(r, "breaks", breaks)
    worked = shifts if shifts is not None else ((day.open_minute, day.close_minute),)
    for index, (start, end) in enumerate(breaks):
        if not any(s <= start and end <= e for s, e in worked):
            r.problem(f"breaks[{index}]", f"must lie within one of {whose} shifts")
    return (
        None if shifts is None else tuple(day.interval(x) for x in shifts),
        tuple(day.interval(b) for b in breaks),
    )


def _read_staff(top: Reader, groups: list[WindowGroup], codes: set[str], day: _Day) -> list[Staff]:
    """The `[[staff]]` roster: who sits at which window when, with which skills."""
    readers = top.tables("staff")
    if not readers:
        return []
    count = sum(g.count for g in groups)
    for index, group in enumerate(groups):
        if group.shifts is not None or group.breaks:
            top.problem(
                f"windows[{index}]",
                "has shifts or breaks, but with a [[staff]] roster a window is open when "
                "someone is rostered at it: give the shifts to the staff",
            )
    staff: list[Staff] = []
    for r in readers:
        name = r.string("name", "")
        if not name:
            r.problem("name", "is required")
        window = r.integer("window", 0, low=1)
        if not r.has("window"):
            r.problem("window", f"is required: the number of a window, 1 to {count}")
        elif count and window > count:
            r.problem("window", f"is {window} but the windows are numbered 1 to {count}")
        skills = r.strings("skills", (ALL_MATTERS,))
        for skill in skills:
            if skill != ALL_MATTERS and codes and skill not in codes:
                r.problem("skills", f"names unknown matter {skill!r}")
        shifts, breaks = _read_spans(r, day, "the person's")
        r.finish()
        person = Staff(name, window, frozenset(skills), shifts, breaks)
        if 1 <= window <= count and not _servers(groups, [person])[0]:
            r.problem("skills", f"has no matter in common with window {window}'s skills")
        staff.append(person)
    _check_roster_overlaps(top, staff, day)
    return staff


def _check_roster_overlaps(top: Reader, staff: list[Staff], day: _Day) -> None:
    """Nobody is at two windows at once, and no window has two people at once."""
    whole = Interval(0.0, day.arrival_minutes)
    for i, person in enumerate(staff):
        mine = person.available(whole)
        for j in range(i):
            other = staff[j]
            if other.window != person.window and other.name != person.name:
                continue
            clash = next(
                (
                    (a, b)
                    for a in mine
                    for b in other.available(whole)
                    if a.start < b.end and b.start < a.end
                ),
                None,
            )
            if clash is not None:
                what = (
                    f"window {person.window} already has {other.name} then"
                    if other.window == person.window
                    else f"{person.name} is already at window {other.window} then"
                )
                top.problem(f"staff[{i}]", f"{what} (staff[{j}])")


def _read_rules(r: Reader, day: _Day) -> PlanRules:
    """`[plan]` rules: the shortest shift and the lunch break (0 minutes: none)."""
    defaults = PlanRules()
    shortest = r.number(
        "min_shift_hours", defaults.min_shift_minutes / 60, low=0.0, strict_low=True
    )
    lunch = r.number("lunch_minutes", defaults.lunch_minutes, low=0.0, high=240.0)
    after = r.number("lunch_after_hours", defaults.lunch_after_minutes / 60, low=0.0)
    window = r.intervals("lunch_between")
    if window is not None and len(window) != 1:
        r.problem("lunch_between", 'must be one pair like ["11:00", "14:00"]')
    default = (day.open_minute + 120, day.open_minute + 300)
    span = day.interval(window[0] if window else default)
    if lunch > span.minutes:
        r.problem("lunch_minutes", f"is {lunch:g} but lunch_between is {span.minutes:g} minutes")
    return PlanRules(shortest * 60, lunch, span, after * 60)


def _read_plan(r: Reader, day: _Day) -> tuple[list[ShiftPattern], PlanRules]:
    """`[plan]`: the rules and the shift patterns `tongban plan` may roster staff on."""
    rules = _read_rules(r, day)
    patterns: list[ShiftPattern] = []
    for p in r.tables("shift_patterns"):
        name = p.string("name", f"pattern {len(patterns) + 1}")
        if not p.has("shifts"):
            p.problem("shifts", 'is required, e.g. [["09:00", "13:00"]]')
        shifts, breaks = _read_spans(p, day, "the pattern's")
        cost = p.number("cost", 1.0, low=0.0, strict_low=True)
        p.finish()
        if shifts:
            pattern = ShiftPattern(name, shifts, breaks, cost)
            if not pattern.available():
                p.problem("breaks", "leave no working time")
            elif (broken := rules.pattern_problem(pattern)) is not None:
                p.problem("shifts", broken)
            patterns.append(pattern)
    if len({p.name for p in patterns}) < len(patterns):
        r.problem("shift_patterns", "names must be unique")
    r.finish()
    return patterns, rules
