"""Turn the queueing core's errors (English, structured) into bilingual hall errors."""

from __future__ import annotations

from hall.errors import Conflict, HallError, InvalidInput
from queueing import QueueingError
from queueing.errors import (
    IllegalTransition,
    InvalidCommand,
    NoShowTooEarly,
    NotEligible,
    WindowBusy,
)

_ACTION_ZH = {
    "call": "叫号",
    "recall": "重呼",
    "mark as no-show": "过号",
    "start serving": "开始办理",
    "finish": "办结",
    "transfer": "转移",
    "park": "挂起",
    "resume": "恢复排队",
    "cancel": "取消",
    "check in": "签到",
    "close out": "日终处理",
}
_STATUS_ZH = {
    "expected": "尚未签到",
    "waiting": "正在等候",
    "called": "已被叫号",
    "serving": "正在办理",
    "parked": "已挂起",
    "finished": "已办结",
    "no_show": "已过号",
    "cancelled": "已取消",
    "unserved": "当日未获办理",
}


def no_show_wait_zh(exc: NoShowTooEarly) -> str:
    """What is still needed before a no-show, in Chinese."""
    parts = []
    if exc.recalls_missing:
        parts.append(f"还需重呼 {exc.recalls_missing} 次")
    if exc.seconds_left > 0:
        minutes, seconds = divmod(int(exc.seconds_left + 0.999), 60)
        parts.append(f"最后一次呼叫后还需等待 {minutes} 分 {seconds:02d} 秒")
    return "，".join(parts)


def no_show_wait_en(exc: NoShowTooEarly) -> str:
    """What is still needed before a no-show, in English."""
    parts = []
    if exc.recalls_missing:
        parts.append(f"recall {exc.recalls_missing} more time(s)")
    if exc.seconds_left > 0:
        minutes, seconds = divmod(int(exc.seconds_left + 0.999), 60)
        parts.append(f"wait {minutes}:{seconds:02d} after the last call")
    return " and ".join(parts)


def translate(exc: QueueingError) -> HallError:
    """A HallError with the core's English message and a Chinese one."""
    message = str(exc)
    if isinstance(exc, NoShowTooEarly):
        en = f"{exc.number} cannot be marked as a no-show yet: {no_show_wait_en(exc)}."
        zh = f"暂不能将 {exc.number} 记为过号：{no_show_wait_zh(exc)}。"
        return Conflict(en, zh, fields={"seconds_left": str(int(exc.seconds_left + 0.999))})
    if isinstance(exc, IllegalTransition):
        action = _ACTION_ZH.get(exc.action, "该操作")
        state = _STATUS_ZH.get(exc.status, "状态不符")
        return Conflict(message, f"无法对 {exc.number} 执行“{action}”：该号{state}。")
    if isinstance(exc, WindowBusy):
        return Conflict(message, "该窗口仍有未办结的号，请先办结、转移或挂起。")
    if isinstance(exc, NotEligible):
        return Conflict(message, "该窗口不能办理此号的事项。")
    if isinstance(exc, InvalidCommand):
        return InvalidInput(message, "指令无效，请检查后重试。")
    return Conflict(message, "操作无法完成，请刷新后重试。")
