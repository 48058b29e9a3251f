"""The KPI vocabulary: every figure's name, unit, labels, definition and default target, once.

The live dashboard, the period reports, the CSV exports and the simulator's JSON use these
names and nothing else (SPEC.md, "One KPI vocabulary"). Defaults come from the hall reform
plans quoted in SPEC.md; a KPI whose target the plans do not fix has a direction (which
side is better) but no default target, and the hall or scenario sets one.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from queueing.errors import QueueingError

__all__ = [
    "KPIS",
    "Direction",
    "KpiDefinition",
    "Unit",
    "UnknownKpi",
    "kpi",
    "kpi_names",
]


class Unit(enum.StrEnum):
    """What a KPI's value counts: minutes, a fraction between 0 and 1, or a number of things."""

    MINUTES = "minutes"
    FRACTION = "fraction"
    COUNT = "count"


class Direction(enum.StrEnum):
    """Which side of a target passes: at most (lower is better) or at least (higher is)."""

    AT_MOST = "at most"
    AT_LEAST = "at least"

    @property
    def symbol(self) -> str:
        """Return "≤" or "≥"."""
        return "≤" if self is Direction.AT_MOST else "≥"

    def passes(self, value: float, target: float) -> bool:
        """Tell whether `value` is on the passing side of `target` (equal passes)."""
        return value <= target if self is Direction.AT_MOST else value >= target


class UnknownKpi(QueueingError):
    """A KPI name is not in the vocabulary."""

    code = "unknown_kpi"


@dataclass(frozen=True, slots=True)
class KpiDefinition:
    """One KPI: name, unit, labels and one-sentence definitions in English and Chinese.

    `direction` says which side is better (None: neither, e.g. arrivals); `target` is the
    default target from SPEC.md, or None where the plans fix none. `statistics` names the
    summaries reported besides the mean (e.g. "p90", "max" for walk-in waits).
    """

    name: str
    unit: Unit
    label_en: str
    label_zh: str
    definition_en: str
    definition_zh: str
    direction: Direction | None = None
    target: float | None = None
    statistics: tuple[str, ...] = ("mean",)

    @property
    def label(self) -> str:
        """The bilingual label, Chinese first: "现场等候 Walk-in wait"."""
        return f"{self.label_zh} {self.label_en}"

    def passes(self, value: float, target: float | None = None) -> bool | None:
        """Whether `value` meets `target` (default: this KPI's own), None if there is none."""
        bound = self.target if target is None else target
        if bound is None or self.direction is None:
            return None
        return self.direction.passes(value, bound)


_M, _F, _C = Unit.MINUTES, Unit.FRACTION, Unit.COUNT
_LOW, _HIGH = Direction.AT_MOST, Direction.AT_LEAST

_DEFINITIONS = (
    KpiDefinition(
        "appointment_wait_general", _M, "Appointment wait, general matters", "预约等候（一般事项）",
        "Mean minutes from the later of check-in and slot start to the first call, over "
        "checked-in appointments of general matters.",
        "一般事项预约群众从签到与预约时段开始两者中较晚者起至首次叫号的平均分钟数。",
        _LOW, 10.0,
    ),
    KpiDefinition(
        "appointment_wait_complex", _M, "Appointment wait, complex matters", "预约等候（复杂事项）",
        "Mean minutes from the later of check-in and slot start to the first call, over "
        "checked-in appointments of complex matters.",
        "复杂事项预约群众从签到与预约时段开始两者中较晚者起至首次叫号的平均分钟数。",
        _LOW, 30.0,
    ),
    KpiDefinition(
        "handling_time", _M, "Window handling time", "窗口平均办理时间",
        "Mean minutes from service start to finish at the window, over finished tickets.",
        "已办结号票从窗口开始办理至办结的平均分钟数。",
        _LOW, 20.0,
    ),
    KpiDefinition(
        "walkin_wait", _M, "Walk-in wait", "现场取号等候",
        "Minutes from taking a walk-in ticket to its first call, over called walk-ins outside "
        "the green channel: mean, 90th percentile (nearest rank) and longest.",
        "非绿色通道现场取号群众从取号至首次叫号的分钟数：均值、第90百分位（最近秩）与最长值。",
        _LOW, None, ("mean", "p90", "max"),
    ),
    KpiDefinition(
        "green_wait", _M, "Green-channel wait", "绿色通道等候",
        "Mean minutes from joining the queue to the first call, over called green-channel "
        "tickets; its target is the policy's green bound.",
        "绿色通道号票从排队至首次叫号的平均分钟数；目标为叫号策略中的绿色通道时限。",
        _LOW, None, ("mean", "p90", "max"),
    ),
    KpiDefinition(
        "first_visit_success", _F, "First-visit success rate", "首办成功率",
        "Share of finished first-visit tickets whose outcome is completed.",
        "首次办理且已办结的号票中结果为办结（办成）的比例。",
        _HIGH, 0.9,
    ),
    KpiDefinition(
        "help_response", _M, "Assisted-handling response", "帮办响应时间",
        "Mean minutes from a help request to a helper accepting it.",
        "从发起帮办请求至帮办人员接单的平均分钟数。",
        _LOW, 1.0,
    ),
    KpiDefinition(
        "bad_rating_followup", _F, "Bad ratings followed up", "实名差评整改回访率",
        "Share of real-name bad ratings whose case was verified, rectified and re-visited.",
        "实名差评中已完成核实、整改并回访的比例。",
        _HIGH, 1.0,
    ),
    KpiDefinition(
        "good_rating_rate", _F, "Good-rating rate", "好评率",
        "Share of active ratings that are good (4 or 5 of 5).",
        "有效评价中好评（4至5分）的比例。",
        _HIGH,
    ),
    KpiDefinition(
        "no_show_rate", _F, "No-show rate", "过号率",
        "Share of called tickets that ended as no-shows.",
        "已叫号的号票中最终过号未到的比例。",
        _LOW,
    ),
    KpiDefinition(
        "abandonment_rate", _F, "Abandonment rate", "弃号率",
        "Share of issued tickets whose citizen left before being called (not counting those "
        "unserved at close-out).",
        "已取号群众在叫号前自行离开的比例（不含闭厅时未办理的号票）。",
        _LOW,
    ),
    KpiDefinition(
        "unserved_rate", _F, "Unserved at closing", "闭厅未办理率",
        "Share of issued tickets still open when the day was closed out: abandonment by the "
        "hall, not by the citizen.",
        "已取号票中到日终清场时仍未办结的比例，即因大厅原因未获办理，而非群众自行离开。",
        _LOW,
    ),
    KpiDefinition(
        "utilisation", _F, "Window utilisation", "窗口利用率",
        "Share of a window's staffed time spent serving, from service start to finish.",
        "窗口在岗时间中用于办理（开始至办结）的比例。",
    ),
    KpiDefinition(
        "arrivals", _C, "Arrivals", "到达人数",
        "Citizens who took a ticket or checked in for an appointment.",
        "取号或预约签到的群众人数。",
    ),
    KpiDefinition(
        "served", _C, "Served", "办理人数",
        "Tickets whose service finished at a window.",
        "在窗口办结的号票数。",
    ),
    KpiDefinition(
        "overtime", _M, "Overtime after closing", "闭厅后加班时长",
        "Minutes from closing time to the end of the last service, zero if every service "
        "ended by closing, averaged over the closed opening days with tickets; also counts "
        "citizens first called after closing.",
        "从闭厅时间至最后一笔办理结束的分钟数（按时结束为零），按有号票的已闭厅开放日平均；"
        "并统计闭厅后才首次叫号的人数。",
        _LOW, None, ("mean", "called_after_closing"),
    ),
)  # fmt: skip

KPIS: Mapping[str, KpiDefinition] = MappingProxyType({d.name: d for d in _DEFINITIONS})


def kpi(name: str) -> KpiDefinition:
    """Return the definition of KPI `name`.

    Raises UnknownKpi if the vocabulary has no such KPI.
    """
    try:
        return KPIS[name]
    except KeyError:
        known = ", ".join(KPIS)
        raise UnknownKpi(f"Cannot find KPI {name!r}: the vocabulary has {known}.") from None


def kpi_names() -> tuple[str, ...]:
    """Return every KPI name, in the vocabulary's order."""
    return tuple(KPIS)
