"""A what-if question: windows to open or close and when, and the demand still to come.

The request body of ``POST /api/halls/{hall}/whatif`` (docs/api.md)::

    {"changes": [{"open": [7, 8], "at": "10:30"}, {"close": [3], "at": "12:00"},
                 {"demand": 1.2}],
     "replications": 50}

``at`` is a clock time of today in the hall's zone, now or later (a time within the current
minute counts as now), before closing; left out, it is now. ``demand`` multiplies the
walk-ins still to come (0: none). Every problem is reported at once, as one InvalidInput
with a field per problem, in English and Chinese.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hall.analytics.snapshot import HallSnapshot
from hall.errors import InvalidInput

__all__ = ["Change", "Question", "parse_question"]

DEFAULT_REPLICATIONS = 50
MAX_REPLICATIONS = 500
MAX_DEMAND = 10.0
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class Change:
    """Open or close windows at a moment (POSIX seconds), or scale the demand."""

    action: str  # "open", "close" or "demand"
    windows: tuple[int, ...] = ()
    at: float | None = None  # None: now
    at_text: str | None = None
    demand: float = 1.0

    def to_json(self) -> dict[str, Any]:
        if self.action == "demand":
            return {"demand": self.demand}
        found: dict[str, Any] = {self.action: list(self.windows)}
        if self.at_text is not None:
            found["at"] = self.at_text
        return found


@dataclass(frozen=True)
class Question:
    """The changes asked about, how many days to simulate, and the seed."""

    changes: tuple[Change, ...]
    replications: int = DEFAULT_REPLICATIONS
    seed: int = 1

    @property
    def demand(self) -> float:
        """The product of every demand change (1 when none)."""
        return math.prod(c.demand for c in self.changes if c.action == "demand")


class _Problems:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.english: list[str] = []
        self.chinese: list[str] = []

    def add(self, field: str, english: str, chinese: str) -> None:
        self.fields[field] = english
        self.english.append(f"{field}: {english}")
        self.chinese.append(f"{_zh(field)}{chinese}")

    def raise_if_any(self) -> None:
        if self.fields:
            raise InvalidInput(
                "The what-if question has problems: " + "; ".join(self.english) + ".",
                "推演请求有误：" + "；".join(self.chinese) + "。",
                fields=self.fields,
            )


_ZH_FIELDS = {
    "at": "的生效时间",
    "open": "的开窗列表",
    "close": "的关窗列表",
    "demand": "的客流倍数",
    "replications": "仿真次数",
    "seed": "随机种子",
    "changes": "调整列表",
    "body": "请求内容",
}


def _zh(field: str) -> str:
    """A field path in Chinese words: changes[1].at → 第 2 项调整的生效时间。"""
    match = re.match(r"^changes\[(\d+)\](?:\.(\w+))?$", field)
    if match:
        return f"第 {int(match[1]) + 1} 项调整" + _ZH_FIELDS.get(match[2] or "", "")
    return _ZH_FIELDS.get(field, f"字段“{field}”")


def _integer(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _at(
    value: object, where: str, snapshot: HallSnapshot, problems: _Problems
) -> tuple[float | None, str | None]:
    if value is None:
        return None, None
    match = _CLOCK.match(value) if isinstance(value, str) else None
    if match is None:
        problems.add(where, 'must be a clock time "HH:MM"', "须为“时:分”格式的时间")
        return None, None
    zone = ZoneInfo(snapshot.timezone)
    now = datetime.fromtimestamp(snapshot.now, zone)
    moment = now.replace(hour=int(match[1]), minute=int(match[2]), second=0, microsecond=0)
    at = moment.timestamp()
    closing = max((b for _, b in snapshot.periods), default=snapshot.now)
    if at + 60 <= snapshot.now:
        problems.add(
            where, f"{value} has passed (it is {now:%H:%M})", f"{value} 已过（现在是 {now:%H:%M}）"
        )
    elif at >= closing:
        problems.add(where, f"{value} is not before closing", f"{value} 不早于闭厅时间")
    return max(at, snapshot.now), f"{int(match[1]):02d}:{match[2]}"


def _change(item: object, index: int, snapshot: HallSnapshot, problems: _Problems) -> Change | None:
    where = f"changes[{index}]"
    if not isinstance(item, Mapping):
        problems.add(
            where,
            'must be an object like {"open": [7], "at": "10:30"}',
            "须为对象，如开启 7 号窗口于 10:30",
        )
        return None
    actions = [k for k in ("open", "close", "demand") if k in item]
    unknown = sorted(set(item) - {"open", "close", "demand", "at"})
    if len(actions) != 1 or unknown:
        problems.add(
            where,
            "must have exactly one of open, close or demand (and at)",
            "须且只能是开窗、关窗或客流倍数之一（可加生效时间）",
        )
        return None
    action = actions[0]
    if action == "demand":
        value = item["demand"]
        if "at" in item:
            problems.add(f"{where}.at", "does not go with demand", "不能用于客流倍数")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not 0 <= value <= MAX_DEMAND
            or not math.isfinite(value)
        ):
            problems.add(
                f"{where}.demand",
                f"must be a number from 0 to {MAX_DEMAND:g}",
                f"须为 0 至 {MAX_DEMAND:g} 的数",
            )
            return None
        return Change("demand", demand=float(value))
    return _windows_change(item, action, where, snapshot, problems)


def _windows_change(
    item: Mapping[str, Any], action: str, where: str, snapshot: HallSnapshot, problems: _Problems
) -> Change | None:
    raw = item[action]
    numbers = [_integer(v) for v in raw] if isinstance(raw, list) else [None]
    known = {w.number for w in snapshot.windows}
    if not raw or any(n is None for n in numbers):
        problems.add(f"{where}.{action}", "must be a list of window numbers", "须为窗口号列表")
        return None
    missing = sorted({n for n in numbers if n is not None and n not in known})
    if missing:
        text = ", ".join(map(str, missing))
        problems.add(
            f"{where}.{action}", f"the hall has no window {text}", f"本大厅没有 {text} 号窗口"
        )
    at, at_text = _at(item.get("at"), f"{where}.at", snapshot, problems)
    windows = tuple(sorted({n for n in numbers if n is not None}))
    return Change(action, windows, at, at_text)


def parse_question(data: object, snapshot: HallSnapshot) -> Question:
    """Check a what-if request body against the hall; raises InvalidInput listing problems."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        problems.add("body", "must be a JSON object", "须为 JSON 对象")
        problems.raise_if_any()
    assert isinstance(data, Mapping)
    unknown = sorted(set(data) - {"changes", "replications", "seed"})
    for key in unknown:
        problems.add(key, "is not a field of a what-if question", "不是推演请求的字段")
    raw = data.get("changes", [])
    changes: Sequence[object] = raw if isinstance(raw, list) else []
    if not isinstance(raw, list):
        problems.add("changes", "must be a list", "须为列表")
    found = [_change(item, i, snapshot, problems) for i, item in enumerate(changes)]
    replications = data.get("replications", DEFAULT_REPLICATIONS)
    if _integer(replications) is None or not 1 <= replications <= MAX_REPLICATIONS:
        problems.add(
            "replications",
            f"must be a whole number from 1 to {MAX_REPLICATIONS}",
            f"须为 1 至 {MAX_REPLICATIONS} 的整数",
        )
    seed = data.get("seed", 1)
    if _integer(seed) is None or seed < 0:
        problems.add("seed", "must be a whole number ≥ 0", "须为不小于 0 的整数")
    problems.raise_if_any()
    return Question(tuple(c for c in found if c is not None), int(replications), int(seed))
