"""Administrators' edits of the configuration: the whole file, matters, windows and staff.

Every catalogue edit goes through the one validating parser: read the database's
configuration, change the document, validate it (``parse_config`` with the policy
check), apply it, and check the result reads back, all in one write transaction.
So the database never holds a configuration the file format would reject.
"""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hall.admin.problems import explain
from hall.catalogue.export import dump_config
from hall.catalogue.loader import parse_config
from hall.catalogue.schema import Hall, HallConfig, Matter, Window
from hall.catalogue.stored import Applied, apply_config, read_config
from hall.errors import ConfigError, Conflict, NotFound
from hall.publish import Publisher
from hall.staff.accounts import StaffMember, require
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import HallRow, MatterGroupRow, MatterRow, WindowRow, WindowStatus
from hall.store.plain import plain
from hall.store.unit import Unit, unit_of_work
from queueing.policy import policy_problems

log = logging.getLogger(__name__)

SOURCE = "config"
APPLY_KINDS = ("config_applied", "hall_deactivated")
FILE_KEY = "(file)"
PARTS = ("groups", "matters", "windows")
_SELF = (
    "You cannot remove your own admin role or deactivate yourself; ask another admin.",
    "不能取消自己的系统管理员权限或停用自己的账号，请由其他管理员操作。",
)
_NONE: dict[str, list[str]] = {"added": [], "changed": [], "deactivated": []}
Edit = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


class ConfigRejected(ConfigError):
    """An edited configuration has problems, each told in both languages naming the field
    as the admin form does (``hall.admin.problems``): ``message_zh`` has one Chinese line
    per problem after its first line; ``fields`` maps each key path to the English one."""

    def __init__(
        self, problems: Sequence[str], source: str = SOURCE, document: dict[str, Any] | None = None
    ) -> None:
        super().__init__([p.removeprefix(f"{source}: ") for p in problems])
        explained = [explain(p, document or {}) for p in self.problems]
        count = len(explained)
        self.message = f"The configuration has {count} problem(s): " + " ".join(
            en for _, _, en in explained
        )
        self.message_zh = f"配置有 {count} 处问题：\n" + "\n".join(zh for _, zh, _ in explained)
        fields: dict[str, str] = {}
        for path, _, en in explained:
            fields[path] = f"{fields[path]} {en}" if path in fields else en
        self.fields = fields


def validate(document: dict[str, Any]) -> HallConfig:
    """Parse an edited document with the policy check; raises ConfigRejected."""
    too_long = _too_long(document)
    try:
        config = parse_config(document, SOURCE, policy_problems)
    except ConfigError as exc:
        raise ConfigRejected(exc.problems + too_long, document=document) from None
    if too_long:
        raise ConfigRejected(too_long, document=document)
    return config


_PART_MODELS: dict[str, type[Any]] = {
    "groups": MatterGroupRow,
    "matters": MatterRow,
    "windows": WindowRow,
}


def _too_long(document: dict[str, Any]) -> list[str]:
    # The parser has no length limits yet; the columns do (PostgreSQL refuses longer text).
    problems = []
    halls = document.get("halls")
    for h, hall in enumerate(halls if isinstance(halls, list) else []):
        problems += _long_values(hall, f"halls[{h}]", HallRow)
        for part, model in _PART_MODELS.items():
            entries = hall.get(part) if isinstance(hall, dict) else None
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                problems += _long_values(entry, f"halls[{h}].{part}[{i}]", model)
    return problems


def _long_values(entry: Any, where: str, model: type[Any]) -> list[str]:
    if not isinstance(entry, dict):
        return []
    problems = []
    for key, value in entry.items():
        column = model.__table__.columns.get(key)
        limit = getattr(column.type, "length", None) if column is not None else None
        if isinstance(value, str) and limit and len(value) > limit:
            problems.append(f"{SOURCE}: {where}.{key}: longer than {limit} characters")
    return problems


def document_of(config: HallConfig) -> dict[str, Any]:
    """The configuration as the TOML document the file format describes."""
    return tomllib.loads(dump_config(config))


def without_secrets(config: HallConfig) -> HallConfig:
    """The configuration with no password hashes (for downloads and summaries)."""
    staff = tuple(dataclasses.replace(s, password_hash=None) for s in config.staff)
    return dataclasses.replace(config, staff=staff)


# -- the whole file ------------------------------------------------------------------


async def export_config(db: Database, staff: StaffMember | None) -> str:
    """The database's configuration as TOML (no password hashes); admins only."""
    require(staff, Role.ADMIN)
    async with db.read() as session:
        config = await read_config(session)
    return dump_config(without_secrets(config))


async def replace_config(
    db: Database, publisher: Publisher, staff: StaffMember | None, text: str, now: datetime
) -> ApplySummary:
    """Validate and apply a whole TOML file; returns what changed. Raises ConfigRejected."""
    admin = require(staff, Role.ADMIN)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigRejected([f"{FILE_KEY}: not valid TOML ({exc})"]) from None
    except RecursionError:  # the edge counts brackets first; this is the parser's own limit
        raise ConfigRejected([f"{FILE_KEY}: arrays or tables nested too deep"]) from None
    config = validate(data)
    if any(s.username == admin.username and s.role != Role.ADMIN for s in config.staff):
        raise Conflict(*_SELF)
    async with unit_of_work(db, publisher, admin.username, None, now) as unit:
        await _lock(unit.session)
        before = await read_config(unit.session)
        applied = await _apply(unit, config)
    return summary(before, config, applied)


@dataclasses.dataclass(frozen=True, slots=True)
class ApplySummary:
    """What applying a whole file changed: per hall (its rules and each catalogue part's
    added, changed and deactivated entries) and for staff accounts."""

    changed: bool
    halls: list[dict[str, Any]]
    staff: dict[str, list[str]]


def summary(before: HallConfig, after: HallConfig, applied: Sequence[Applied]) -> ApplySummary:
    """What an application changed, per hall (from its audit events) and for staff."""
    halls = [_hall_change(a, before, after) for a in applied]
    old_staff = {s.username: s for s in before.staff}
    staff: dict[str, list[str]] = {"added": [], "changed": []}
    for new in after.staff:
        old = old_staff.get(new.username)
        if old is None or old != dataclasses.replace(
            new, password_hash=new.password_hash or old.password_hash
        ):
            staff["changed" if old else "added"].append(new.username)
    changed = any(h["hall"] != "unchanged" or _any_change(h) for h in halls)
    return ApplySummary(changed or any(staff.values()), halls, staff)


def _hall_change(applied: Applied, before: HallConfig, after: HallConfig) -> dict[str, Any]:
    old, new = before.hall(applied.hall_id), after.hall(applied.hall_id)
    if applied.kind == "hall_deactivated" or new is None:
        return {"id": applied.hall_id, "hall": "deactivated"} | {p: _NONE for p in PARTS}
    status = "added" if old is None else "unchanged" if _rules(old) == _rules(new) else "changed"
    return {"id": applied.hall_id, "hall": status, **applied.data}


def _any_change(hall: dict[str, Any]) -> bool:
    return any(any(hall.get(part, {}).values()) for part in PARTS)


def _rules(hall: Hall) -> Hall:
    return dataclasses.replace(hall, groups=(), matters=(), windows=())


async def _lock(session: AsyncSession) -> None:
    # SQLite runs one writer at a time already; on PostgreSQL the hall rows' locks make
    # two admins' read-edit-apply cycles take turns, so neither overwrites the other.
    await session.execute(select(HallRow.id).with_for_update())


async def _apply(unit: Unit, config: HallConfig) -> list[Applied]:
    applied = await apply_config(unit, config)
    try:  # the result must read back (e.g. no account left naming a removed hall)
        await read_config(unit.session)
    except ConfigError as exc:
        raise ConfigRejected(exc.problems, "<database>") from None
    return applied


# -- matters and windows ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A matter or window of the configuration as the admin API shows it, and whether it is
    still active."""

    item: Matter | Window = dataclasses.field(metadata={"flatten": True})
    active: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class Subject:
    """What an edit is about: ("matter", code) or ("window", number), and its audit kind."""

    part: str
    key: str | int
    kind: str

    def view(self, config: HallConfig, hall_id: str) -> Entry | None:
        hall = config.hall(hall_id)
        if hall is None:
            return None
        if self.part == "matters":
            return next((Entry(m) for m in hall.matters if m.code == self.key), None)
        return next((Entry(w) for w in hall.windows if w.number == self.key), None)


async def edit_hall(
    db: Database,
    publisher: Publisher,
    staff: StaffMember | None,
    hall_id: str,
    subject: Subject,
    edit: Edit,
    now: datetime,
) -> Entry:
    """Change one hall's document, validate, apply; returns the subject's view after."""
    admin = require(staff, Role.ADMIN, hall_id)
    async with unit_of_work(db, publisher, admin.username, hall_id, now) as unit:
        session = unit.session
        await _lock(session)
        before = await read_config(session)
        document = document_of(dataclasses.replace(before, staff=()))
        await edit(session, _hall_doc(document, hall_id))
        config = validate(document)
        await _apply(unit, config)
        old, new = subject.view(before, hall_id), subject.view(config, hall_id)
        unit.record(
            subject.kind,
            subject.part.removesuffix("s"),
            subject.key,
            before=None if old is None else plain(old),
            after=None if new is None else plain(new),
            publish=False,
        )
    if new is not None:
        return new
    assert old is not None  # a deactivation: the subject existed before
    return dataclasses.replace(old, active=False)


def _hall_doc(document: dict[str, Any], hall_id: str) -> dict[str, Any]:
    for hall in document["halls"]:
        if hall["id"] == hall_id:
            found: dict[str, Any] = hall
            return found
    raise NotFound(
        f"There is no hall with id {hall_id!r}; GET /api/halls lists the halls.",
        f"没有编号为“{hall_id}”的大厅。",
    )


def put_entry(part: str, key: str, value: Any, fields: dict[str, Any], create: bool) -> Edit:
    """An edit that adds (create) or changes one matter or window; None resets a field."""

    async def edit(session: AsyncSession, hall: dict[str, Any]) -> None:
        entries: list[dict[str, Any]] = hall.setdefault(part, [])
        found = next((e for e in entries if e.get(key) == value), None)
        if create and found is not None:
            raise Conflict(*_exists(part, value))
        if not create and found is None:
            raise NotFound(*_missing(part, value, hall["id"]))
        entry = found if found is not None else {key: value}
        if found is None:
            entries.append(entry)
        for name, new in fields.items():
            if name == key and new != value:
                raise ConfigRejected([f"{key}: cannot be changed; add a new one instead"])
            if new is None:
                entry.pop(name, None)
            else:
                entry[name] = new

    return edit


def _exists(part: str, value: Any) -> tuple[str, str]:
    if part == "matters":
        return f"Matter {value} already exists.", f"事项 {value} 已存在。"
    return f"Window {value} already exists.", f"{value} 号窗口已存在。"


def _missing(part: str, value: Any, hall_id: str) -> tuple[str, str]:
    if part == "matters":
        return (
            f"Hall {hall_id!r} has no active matter {value!r}.",
            f"大厅“{hall_id}”没有启用中的事项“{value}”。",
        )
    return f"Hall {hall_id!r} has no window {value}.", f"大厅“{hall_id}”没有 {value} 号窗口。"


def remove_matter(code: str) -> Edit:
    """An edit that deactivates a matter no window or extended session still names."""

    async def edit(session: AsyncSession, hall: dict[str, Any]) -> None:
        matters: list[dict[str, Any]] = hall.get("matters", [])
        if not any(m["code"] == code for m in matters):
            raise NotFound(*_missing("matters", code, hall["id"]))
        windows = [str(w["number"]) for w in hall.get("windows", []) if code in w["skills"]]
        if windows:
            listed = ", ".join(windows)
            raise Conflict(
                f"Cannot deactivate matter {code}: window(s) {listed} still take it; "
                "remove it from their skills first.",
                f"无法停用事项 {code}：{listed} 号窗口仍可受理该事项，请先从窗口技能中移除。",
            )
        sessions = hall.get("extended_sessions", [])
        if any(code in s.get("matters", []) for s in sessions):
            raise Conflict(
                f"Cannot deactivate matter {code}: an extended session still offers it.",
                f"无法停用事项 {code}：仍有延时服务时段包含该事项。",
            )
        hall["matters"] = [m for m in matters if m["code"] != code]

    return edit


def remove_window(number: int) -> Edit:
    """An edit that deactivates a window nobody is signed in at."""

    async def edit(session: AsyncSession, hall: dict[str, Any]) -> None:
        windows: list[dict[str, Any]] = hall.get("windows", [])
        if not any(w["number"] == number for w in windows):
            raise NotFound(*_missing("windows", number, hall["id"]))
        row = await session.scalar(
            select(WindowRow).where(
                WindowRow.hall_id == hall["id"], WindowRow.number == number, WindowRow.active
            )
        )
        if row is not None and (row.status != WindowStatus.CLOSED or row.staff_id is not None):
            raise Conflict(
                f"Cannot deactivate window {number}: it is {row.status} with staff signed in; "
                "sign it out first.",
                f"无法停用 {number} 号窗口：该窗口仍有工作人员登录，请先签退。",
            )
        hall["windows"] = [w for w in windows if w["number"] != number]

    return edit
