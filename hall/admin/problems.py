"""Configuration problems in words an administrator reads: the field as the form names it.

The validating parser reports ``halls[0].matters[20].prefix: '' does not match the
pattern [A-Z]{1,2}``: exact, but developer text. Here each problem becomes a sentence
in Chinese and one in English: what (事项“居住证办理”（MI-RES）), which field (票号前缀,
the admin form's label) and what is wrong (须为 1 至 2 个大写字母).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

# The admin form's labels (web/pages/admin.py uses these), and the other keys of the file.
FIELD_LABELS: dict[str, tuple[str, str]] = {
    "code": ("编码", "Code"),
    "name": ("名称", "Name"),
    "name_en": ("英文名称", "English name"),
    "class": ("类别", "Class"),
    "expected_minutes": ("预计办理（分钟）", "Expected (min)"),
    "prefix": ("票号前缀", "Prefix"),
    "zone": ("办理区域", "Zone"),
    "group": ("分组", "Group"),
    "materials": ("所需材料（每行一项）", "Materials (one per line)"),
    "materials_en": ("英文材料清单（每行一项）", "Materials in English (one per line)"),
    "bookable": ("可网上预约", "Bookable online"),
    "number": ("窗口号", "Number"),
    "kind": ("窗口类型", "Kind"),
    "skills": ("可受理事项", "Skills"),
    "username": ("用户名", "User name"),
    "job_number": ("工号", "Job number"),
    "role": ("角色", "Role"),
    "halls": ("可登录大厅", "Halls"),
    "id": ("大厅编号", "Hall id"),
    "level": ("大厅级别", "Level"),
    "timezone": ("时区", "Time zone"),
    "address": ("地址", "Address"),
    "notice": ("滚动通知", "Notice"),
    "opening_hours": ("工作时间", "Opening hours"),
    "holidays": ("节假日", "Holidays"),
    "makeup_workdays": ("调休上班日", "Makeup workdays"),
    "extended_sessions": ("延时服务", "Extended sessions"),
    "icon": ("图标", "Icon"),
    "description": ("说明", "Description"),
    "description_en": ("英文说明", "Description in English"),
    "start": ("开始时间", "Start"),
    "end": ("结束时间", "End"),
    "weekdays": ("星期", "Weekdays"),
    "dates": ("日期", "Dates"),
    "slot_minutes": ("预约时段（分钟）", "Slot length (min)"),
    "horizon_days": ("可预约天数", "Booking horizon (days)"),
    "release_time": ("放号时间", "Release time"),
    "tickets_from_minutes_before_opening": (
        "开门前多久开始取号（分钟）",
        "Tickets from (min before opening)",
    ),
    "tickets_until_minutes_before_closing": (
        "下班前多久停止取号（分钟）",
        "Tickets until (min before closing)",
    ),
    "close_out_minutes_after_closing": (
        "下班后多久日终清场（分钟）",
        "Close-out (min after closing)",
    ),
    "limit": ("每日限号", "Daily cap"),
    "warn_remaining": ("余号提示数", "Warn when this many are left"),
    "password_hash": ("密码", "Password"),
}
_PARTS: dict[str, tuple[str, str]] = {
    "matters": ("事项", "Matter"),
    "windows": ("窗口", "Window"),
    "groups": ("分组", "Group"),
    "staff": ("工作人员", "Staff member"),
    "extended_sessions": ("延时服务", "Extended session"),
    "caps": ("每日限号", "Daily cap"),
}
_PATTERNS: dict[str, tuple[str, str]] = {
    "[A-Z]{1,2}": ("1 至 2 个大写字母，例如 A", "1 or 2 capital letters, for example A"),
    "([A-Z]{1,2})?": ("空，或 1 至 2 个大写字母", "empty, or 1 or 2 capital letters"),
    "[A-Za-z0-9_.-]{1,32}": (
        "字母、数字或 . _ -，最多 32 个字符",
        "letters, digits or . _ -, up to 32 characters",
    ),
    "[a-z][a-z0-9-]{0,31}": (
        "小写字母开头，只含小写字母、数字和 -",
        "a lower-case letter, then lower-case letters, digits or -",
    ),
}
Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[str, str]]]


def _pattern(m: re.Match[str]) -> tuple[str, str]:
    zh, en = _PATTERNS.get(m[2], ("规定的格式", "the required form"))
    gap = " " if zh[0].isdigit() else ""  # a space between Chinese and a number, as elsewhere
    return f"须为{gap}{zh}", f"must be {en}"


_RULES: list[Rule] = [
    (
        re.compile(r"at least one \[\[halls\]\] table"),
        lambda m: ("至少需要一个大厅", "needs at least one hall"),
    ),
    (re.compile(r"must not be empty"), lambda m: ("不能为空", "must not be empty")),
    (re.compile(r"is required"), lambda m: ("必须填写", "is required")),
    (re.compile(r"(.*) does not match the pattern (.*)"), _pattern),
    (re.compile(r"expected a whole number"), lambda m: ("须为整数", "must be a whole number")),
    (re.compile(r"expected a number"), lambda m: ("须为数字", "must be a number")),
    (
        re.compile(r"(\S+) is out of range \((\S+) to (\S+)\)"),
        lambda m: (f"须在 {m[2]} 至 {m[3]} 之间", f"must be between {m[2]} and {m[3]}"),
    ),
    (re.compile(r"expected true or false"), lambda m: ("须为是或否", "must be yes or no")),
    (re.compile(r"is not one of"), lambda m: ("不是可选的值", "is not one of the choices")),
    (
        re.compile(r"unknown matter code '(.*)'"),
        lambda m: (f"包含不存在的事项 {m[1]}", f"names a matter that does not exist: {m[1]}"),
    ),
    (
        re.compile(r"unknown group code '(.*)'"),
        lambda m: (f"包含不存在的分组 {m[1]}", f"names a group that does not exist: {m[1]}"),
    ),
    (
        re.compile(r"unknown hall id '(.*)'"),
        lambda m: (f"包含不存在的大厅 {m[1]}", f"names a hall that does not exist: {m[1]}"),
    ),
    (
        re.compile(r"(.*) is used more than once"),
        lambda m: (f"{m[1]} 重复，每项须唯一", f"{m[1]} is used more than once"),
    ),
    (
        re.compile(r"needs at least one matter code"),
        lambda m: (
            "至少选择一个事项，或选择全部事项",
            "needs at least one matter, or every matter",
        ),
    ),
    (
        re.compile(r"longer than (\d+) characters"),
        lambda m: (f"不能超过 {m[1]} 个字符", f"must be at most {m[1]} characters long"),
    ),
    (
        re.compile(r"cannot be changed; add a new one instead"),
        lambda m: ("不能修改，请另行添加", "cannot be changed; add a new one instead"),
    ),
    (
        re.compile(r"not valid TOML \((.*)\)"),
        lambda m: ("不是有效的 TOML 文件", f"is not a valid TOML file ({m[1]})"),
    ),
    (
        re.compile(r"must be an argon2 hash"),
        lambda m: ("须为 argon2 格式的密码摘要", "must be an argon2 hash"),
    ),
]
_STEP = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")


def explain(problem: str, document: dict[str, Any]) -> tuple[str, str, str]:
    """A problem ``path: message`` as (path, Chinese sentence, English sentence)."""
    path, _, message = problem.partition(": ")
    where_zh, where_en = _where(path, document)
    what_zh, what_en = _what(message)
    return path, f"{where_zh}：{what_zh}。", f"{where_en}: {what_en}."


def _what(message: str) -> tuple[str, str]:
    for pattern, words in _RULES:
        found = pattern.search(message)
        if found:
            return words(found)
    return "填写有误，请检查", message


def _where(path: str, document: dict[str, Any]) -> tuple[str, str]:
    """``halls[0].matters[3].prefix`` → 事项“居住证办理”（MI-RES）的票号前缀."""
    node: Any = document
    zh: list[str] = []
    en: list[str] = []
    field = ""
    if path == "halls":
        return "大厅", "Halls"
    for part in path.split("."):
        step = _STEP.fullmatch(part)
        if step is None:
            return "配置文件", "The configuration file"
        key, index = step[1], step[2]
        node = node.get(key) if isinstance(node, dict) else None
        if index is not None:
            node = node[int(index)] if isinstance(node, list) and int(index) < len(node) else None
            if key != "halls" or len(_list(document.get("halls"))) > 1:
                name_zh, name_en = _entry(key, node, int(index))
                zh.append(name_zh)
                en.append(name_en)
            field = ""
        else:
            field = key
    if field:
        label_zh, label_en = FIELD_LABELS.get(field, (field, field))
        zh.append(label_zh)
        en.append(label_en)
    if not zh:
        return "配置文件", "The configuration file"
    return "的".join(zh), ", ".join(en)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _entry(key: str, node: Any, index: int) -> tuple[str, str]:
    item = node if isinstance(node, dict) else {}
    part_zh, part_en = _PARTS.get(key, FIELD_LABELS.get(key, (key, key)))
    if key == "halls" and item.get("name"):
        return f"大厅“{item['name']}”", f"Hall {item.get('name_en') or item['name']}"
    if key == "windows" and isinstance(item.get("number"), int):
        return f"{item['number']} 号窗口", f"Window {item['number']}"
    if not item:  # the entry itself is not known: its place in the list
        return f"第 {index + 1} 个{part_zh}", f"{part_en} no. {index + 1}"
    ident = item.get("code") or item.get("username") or item.get("matter") or item.get("group")
    name = item.get("name")
    name_en = item.get("name_en") or name
    if name and ident:
        return f"{part_zh}“{name}”（{ident}）", f"{part_en} {name_en} ({ident})"
    if ident or name:
        return f"{part_zh}“{ident or name}”", f"{part_en} {ident or name_en}"
    return part_zh, part_en
