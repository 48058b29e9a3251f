"""The typed shape of a hall configuration (one TOML file, one or more halls).

The file format is documented in docs/configuration.md; ``hall.catalogue.loader`` reads and
validates it, ``hall.catalogue.export`` writes it back.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from hall.staff.roles import Role

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class MatterClass(enum.StrEnum):
    """一般事项 or 复杂事项: decides which wait target applies."""

    GENERAL = "general"
    COMPLEX = "complex"


class Zone(enum.StrEnum):
    """Where in the hall a matter is handled (the four-zone layout)."""

    COMPREHENSIVE = "comprehensive"  # 高频事项综窗办
    JOINT = "joint"  # 联办事项专区办
    CROSS_REGION = "cross_region"  # 跨域事项专窗办
    GREEN = "green"  # 特殊事项绿窗办


class WindowKind(enum.StrEnum):
    """What a window is for."""

    COMPREHENSIVE = "comprehensive"  # 综合窗口, 无差别受理
    SPECIALISED = "specialised"  # 专业窗口
    GREEN = "green"  # 绿色通道窗口
    PICKUP = "pickup"  # 统一出件
    COULD_NOT_GET_IT_DONE = "could_not_get_it_done"  # 办不成事反映窗口


class HallLevel(enum.StrEnum):
    """Place of a hall in the "1+3+N" layout."""

    DISTRICT = "district"  # 区级政务服务中心
    SUB = "sub"  # 分中心
    STREET = "street"  # 街道/乡镇便民服务中心


@dataclass(frozen=True, slots=True)
class Period:
    """A time-of-day range [start, end) in the hall's local time."""

    start: time
    end: time


@dataclass(frozen=True, slots=True)
class ExtendedSession:
    """延时/错时服务: extra opening on given weekdays or dates, optionally for some matters."""

    start: time
    end: time
    weekdays: tuple[str, ...] = ()
    dates: tuple[date, ...] = ()
    matters: tuple[str, ...] = ("*",)
    note: str = ""


@dataclass(frozen=True, slots=True)
class MatterGroup:
    """A kiosk and booking group of matters (e.g. 不动产登记)."""

    code: str
    name: str
    name_en: str
    icon: str = "folder"
    description: str = ""
    description_en: str = ""


@dataclass(frozen=True, slots=True)
class Matter:
    """An administrative matter (事项) the hall handles."""

    code: str
    name: str
    name_en: str
    matter_class: MatterClass = field(metadata={"json": "class"})
    expected_minutes: float
    prefix: str
    zone: Zone
    group: str
    materials: tuple[str, ...] = ()
    materials_en: tuple[str, ...] = ()
    bookable: bool = True


@dataclass(frozen=True, slots=True)
class Window:
    """A service window (窗口) and the matters it may take."""

    number: int
    kind: WindowKind
    skills: tuple[str, ...]
    name: str = ""
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class NoShowRule:
    """Credit rule: too many no-shows or late cancellations suspend online booking."""

    no_shows: int = 2
    late_cancellations: int = 5
    window_days: int = 30
    suspend_days: int = 90


@dataclass(frozen=True, slots=True)
class BookingRules:
    """How a hall's appointment slots are made and may be used."""

    slot_minutes: int = 30
    horizon_days: int = 5
    release_time: time = time(8, 30)
    min_notice_minutes: int = 30
    cutoff_minutes: int = 120
    walkin_reserve: float = 0.3
    cancel_release_delay_minutes: int = 30
    max_per_week: int = 3
    max_per_month: int = 6
    appointment_prefix: str = ""
    no_show_rule: NoShowRule = field(default_factory=NoShowRule)


@dataclass(frozen=True, slots=True)
class RatingRules:
    """好差评: when and how a finished ticket may be rated (natural days and hours)."""

    period_days: int = 7  # rating allowed from the finish until this many days after
    change_hours: int = 24  # one change (追评) within this many hours of the rating
    default_score: int = 3  # recorded as "default" when nobody rated within the period
    evaluator_minutes: int = 10  # the window's evaluator offers the form this long
    reveal_after_minutes: int = 60  # clerks see ratings of their own work only after this


@dataclass(frozen=True, slots=True)
class CaseRules:
    """Deadlines of cases in working days of the hall's calendar, and who helps (帮办)."""

    contact_days: int = 1  # bad rating or complaint: verify (contact the citizen)
    rectify_days: int = 5
    close_days: int = 15
    on_the_spot_days: int = 0  # 办不成事 by category
    complex_days: int = 5
    special_days: int = 10
    max_extension_days: int = 10  # one extension request at most this long
    help_response_seconds: int = 60  # an unanswered 帮办 request escalates after this
    helpers: tuple[str, ...] = ()  # clerks (user names) who take 帮办 requests


@dataclass(frozen=True, slots=True)
class DailyCap:
    """每日限号: at most ``limit`` tickets a day for one matter or one group."""

    limit: int
    matter: str = ""  # a matter code, or
    group: str = ""  # a group code (exactly one of the two)
    warn_remaining: int = 0  # the kiosk warns once this many or fewer are left


@dataclass(frozen=True, slots=True)
class DayRules:
    """The hall's day: when tickets are issued (取号开始, 停止取号), caps, and the close-out."""

    tickets_from_minutes: int = 30  # tickets from this long before each opening
    tickets_until_minutes: int = 30  # no tickets in the last minutes before closing
    close_out_minutes: int = 30  # the day is closed out this long after the last closing
    caps: tuple[DailyCap, ...] = ()


@dataclass(frozen=True, slots=True)
class Hall:
    """One service hall with its catalogue, windows and rules."""

    id: str
    name: str
    name_en: str
    level: HallLevel = HallLevel.DISTRICT
    timezone: str = "Asia/Shanghai"
    address: str = ""
    opening_hours: dict[str, tuple[Period, ...]] = field(default_factory=dict)
    holidays: tuple[date, ...] = ()
    makeup_workdays: tuple[date, ...] = ()
    extended_sessions: tuple[ExtendedSession, ...] = ()
    groups: tuple[MatterGroup, ...] = ()
    matters: tuple[Matter, ...] = ()
    windows: tuple[Window, ...] = ()
    booking: BookingRules = field(default_factory=BookingRules)
    rating: RatingRules = field(default_factory=RatingRules)
    cases: CaseRules = field(default_factory=CaseRules)
    day: DayRules = field(default_factory=DayRules)
    policy: dict[str, Any] = field(default_factory=dict)
    notice: str = ""


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A staff member's account; ``halls`` is ("*",) for every hall."""

    username: str
    job_number: str
    role: Role
    halls: tuple[str, ...] = ("*",)
    password_hash: str | None = None


@dataclass(frozen=True, slots=True)
class HallConfig:
    """A whole configuration file: halls and staff accounts."""

    halls: tuple[Hall, ...]
    staff: tuple[StaffAccount, ...] = ()

    def hall(self, hall_id: str) -> Hall | None:
        return next((h for h in self.halls if h.id == hall_id), None)
