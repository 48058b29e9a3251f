"""The errors of the case engine, each with its code, English and Chinese."""

from __future__ import annotations

from hall.errors import Conflict, Forbidden, NotFound

STEP_ZH = {
    "accept": "响应",
    "verify": "核实",
    "rectify": "整改",
    "revisit": "回访",
    "appeal": "申诉",
    "decide_appeal": "申诉裁定",
    "classify": "分类",
    "forward": "转办",
    "close": "办结",
    "feedback": "反馈",
    "check": "核查",
    "extend": "申请延期",
    "decide_extension": "延期审批",
    "escalate": "催办",
    "assign": "指派",
    "note": "备注",
}
STATUS_ZH = {
    "open": "待处理",
    "rectifying": "整改中",
    "revisiting": "待回访",
    "revisited": "已回访",
    "appealed": "申诉待裁定",
    "classified": "已分类",
    "forwarded": "已转办",
    "resolved": "已办结待反馈",
    "fed_back": "已反馈待核查",
    "accepted": "已响应",
    "closed": "已关闭",
}
KIND_ZH = {"bad_rating": "差评", "cannot_handle": "办不成事", "help": "帮办", "complaint": "投诉"}


class IllegalStep(Conflict):
    """The step cannot be taken in the state the case is in (409 naming the state)."""

    code = "illegal_step"

    def __init__(self, message: str, message_zh: str, state: str) -> None:
        super().__init__(message, message_zh, fields={"step": state})
        self.state = state


def illegal_step(case_id: int, kind: str, step: str, status: str) -> IllegalStep:
    return IllegalStep(
        f"Cannot {step} case {case_id} ({kind}): it is {status}.",
        f"无法对工单 {case_id}（{KIND_ZH.get(kind, kind)}）执行“{STEP_ZH.get(step, step)}”："
        f"该工单当前状态为“{STATUS_ZH.get(status, status)}”。",
        status,
    )


class AlreadyAccepted(Conflict):
    """Another helper accepted the 帮办 request first."""

    code = "already_accepted"

    def __init__(self, case_id: int, owner: str | None) -> None:
        who = owner or "another helper"
        super().__init__(
            f"Cannot accept help request {case_id}: {who} accepted it first.",
            f"无法响应帮办请求 {case_id}：已由工号 {owner or '其他人员'} 先行响应。",
        )


class NotAllowed(Forbidden):
    """The staff member may not take this step on this case."""

    code = "forbidden"


def no_such_case(case_id: object) -> NotFound:
    return NotFound(
        f"There is no case {case_id!r} that you may see.",
        f"没有编号为 {case_id!r} 的工单，或您无权查看。",
    )
