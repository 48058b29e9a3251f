"""What a case is, where it can be, and which steps move it (the engine's vocabulary)."""

from __future__ import annotations

import enum


class CaseKind(enum.StrEnum):
    """What a case follows up."""

    BAD_RATING = "bad_rating"  # 差评: a rating of 1–2
    CANNOT_HANDLE = "cannot_handle"  # 办不成事 (and 否定答复 reports)
    HELP = "help"  # 帮办: a citizen or a clerk asks for help at once
    COMPLAINT = "complaint"  # 投诉 recorded by the hall


class Origin(enum.StrEnum):
    """How the case came in."""

    RATING = "rating"  # a rating of 1–2
    WINDOW = "window"  # the 办不成事 window, or 转办不成事 from any window
    REFUSAL = "refusal"  # 否定答复: a clerk finished a ticket as rejected
    CITIZEN = "citizen"  # the citizen pressed 需要帮办 (phone page, kiosk)
    CLERK = "clerk"  # a clerk asked for help at the window
    DESK = "desk"  # recorded at the case desk (a complaint, a phoned-in problem)


class CaseStatus(enum.StrEnum):
    """Where a case is; ``CLOSED`` is final."""

    OPEN = "open"  # 待核实 / 已受理待分类 / 待响应
    RECTIFYING = "rectifying"  # 整改中
    REVISITING = "revisiting"  # 待回访
    REVISITED = "revisited"  # 已回访（满意）
    APPEALED = "appealed"  # 申诉待裁定
    CLASSIFIED = "classified"  # 已分类
    FORWARDED = "forwarded"  # 已转办
    RESOLVED = "resolved"  # 已办结，待反馈
    FED_BACK = "fed_back"  # 已反馈，待核查
    ACCEPTED = "accepted"  # 帮办已响应
    CLOSED = "closed"


class Step(enum.StrEnum):
    """A step somebody takes on a case (``POST /api/cases/{id}/steps``)."""

    ACCEPT = "accept"
    VERIFY = "verify"
    RECTIFY = "rectify"
    REVISIT = "revisit"
    APPEAL = "appeal"
    DECIDE_APPEAL = "decide_appeal"
    CLASSIFY = "classify"
    FORWARD = "forward"
    CLOSE = "close"
    FEEDBACK = "feedback"
    CHECK = "check"
    EXTEND = "extend"
    DECIDE_EXTENSION = "decide_extension"
    ESCALATE = "escalate"
    ASSIGN = "assign"
    NOTE = "note"


class Category(enum.StrEnum):
    """办不成事 classification, which sets the deadline."""

    ON_THE_SPOT = "on_the_spot"  # 当场解决
    COMPLEX = "complex"  # 复杂 (5 working days by default)
    SPECIAL = "special"  # 特殊 (10 working days by default)


class Verdict(enum.StrEnum):
    """核实的结论 of a bad rating or complaint."""

    TRUE = "true"  # 属实
    UNTRUE = "untrue"  # 不属实
    MALICIOUS = "malicious"  # 恶意 (files an appeal against the rating)


class AppealKind(enum.StrEnum):
    """Why a rating should leave the figures."""

    MALICIOUS = "malicious"  # 恶意差评
    MISTAKEN = "mistaken"  # 误评


FOLLOW_UP = (CaseKind.BAD_RATING, CaseKind.COMPLAINT)
ANY = frozenset(CaseStatus) - {CaseStatus.CLOSED}

# Where each step may be taken, per kind (the steps EXTEND … NOTE: any status but closed).
FROM: dict[tuple[CaseKind, Step], frozenset[CaseStatus]] = {}


def _allow(kinds: tuple[CaseKind, ...], step: Step, *statuses: CaseStatus) -> None:
    for kind in kinds:
        FROM[(kind, step)] = frozenset(statuses)


S = CaseStatus
_allow(FOLLOW_UP, Step.VERIFY, S.OPEN)
_allow((CaseKind.BAD_RATING,), Step.APPEAL, S.OPEN, S.RECTIFYING, S.REVISITING, S.REVISITED)
_allow((CaseKind.BAD_RATING,), Step.DECIDE_APPEAL, S.APPEALED)
_allow(FOLLOW_UP, Step.RECTIFY, S.RECTIFYING)
_allow(FOLLOW_UP, Step.REVISIT, S.REVISITING, S.REVISITED)
_allow(FOLLOW_UP, Step.CLOSE, S.REVISITING, S.REVISITED)
_allow((CaseKind.CANNOT_HANDLE,), Step.CLASSIFY, S.OPEN)
_allow((CaseKind.CANNOT_HANDLE,), Step.FORWARD, S.CLASSIFIED, S.FORWARDED)
_allow((CaseKind.CANNOT_HANDLE,), Step.CLOSE, S.CLASSIFIED, S.FORWARDED)
_allow((CaseKind.CANNOT_HANDLE,), Step.FEEDBACK, S.RESOLVED)
_allow((CaseKind.CANNOT_HANDLE,), Step.CHECK, S.OPEN, S.FED_BACK)
_allow((CaseKind.HELP,), Step.ACCEPT, S.OPEN)
_allow((CaseKind.HELP,), Step.CLOSE, S.OPEN, S.ACCEPTED)
for _kind in CaseKind:
    for _step in (Step.EXTEND, Step.DECIDE_EXTENSION, Step.ESCALATE, Step.ASSIGN):
        _allow((_kind,), _step, *ANY)
    _allow((_kind,), Step.NOTE, *CaseStatus)


def allowed_from(kind: CaseKind, step: Step) -> frozenset[CaseStatus]:
    """The statuses a step may be taken from (empty: never, for this kind)."""
    return FROM.get((kind, step), frozenset())
