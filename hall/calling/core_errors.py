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
}


def translate(exc: QueueingError) -> HallError:
    """A HallError with the core's English message and a Chinese one."""
    message = str(exc)
    if isinstance(exc, NoShowTooEarly):
        zh = f"暂不能将 {exc.number} 记为过号：需先按规定重呼并等待宽限时间（{exc.found}）。"
        return Conflict(message, zh)
    if isinstance(exc, IllegalTransition):
        action = _ACTION_ZH.get(exc.action, exc.action)
        return Conflict(
            message, f"无法对 {exc.number} 执行“{action}”：当前状态不允许（{exc.found}）。"
        )
    if isinstance(exc, WindowBusy):
        return Conflict(message, "该窗口仍有未办结的号，请先办结、转移或挂起。")
    if isinstance(exc, NotEligible):
        return Conflict(message, "该窗口不能办理此号的事项。")
    if isinstance(exc, InvalidCommand):
        return InvalidInput(message, f"指令无效：{message}")
    return Conflict(message, f"操作无法完成：{message}")
