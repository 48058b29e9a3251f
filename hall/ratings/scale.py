"""The national 好差评 scale (five levels), the three offline aspects, and the reasons
offered for a bad rating. Codes are stable (reports group by them); words are in both
languages for pages and exports."""

from __future__ import annotations

import enum

LEVELS: dict[int, tuple[str, str, str]] = {
    5: ("very_satisfied", "非常满意", "Very satisfied"),
    4: ("satisfied", "满意", "Satisfied"),
    3: ("fairly_satisfied", "基本满意", "Fairly satisfied"),
    2: ("dissatisfied", "不满意", "Dissatisfied"),
    1: ("very_dissatisfied", "非常不满意", "Very dissatisfied"),
}
GOOD_MIN = 4  # 好评: 4–5 (the definition of 好评率)
BAD_MAX = 2  # 差评: 1–2, which opens a case

ASPECTS: dict[str, tuple[str, str]] = {
    "efficiency": ("服务效率", "Efficiency"),
    "quality": ("服务水平", "Service level"),
    "attitude": ("服务态度", "Attitude"),
}

REASONS: dict[str, tuple[str, str]] = {
    "long_wait": ("等候时间长", "Waited too long"),
    "slow": ("办理效率低", "Slow handling"),
    "attitude": ("服务态度差", "Poor attitude"),
    "unskilled": ("业务不熟练", "Staff unsure of the rules"),
    "unclear": ("告知不清楚、不一次性", "Unclear or piecemeal instructions"),
    "materials": ("材料要求多、反复跑", "Too many documents, repeated trips"),
    "system": ("系统故障", "System failure"),
    "environment": ("环境设施不便", "Inconvenient facilities"),
    "other": ("其他", "Other"),
}
COMMENT_LIMIT = 500


class Channel(enum.StrEnum):
    """Where a rating came from."""

    EVALUATOR = "evaluator"  # the window's tablet (评价器)
    PHONE = "phone"  # the ticket's page on the citizen's phone
    API = "api"  # another system through the API
    DEFAULT = "default"  # nobody rated within the period: 基本满意, never an active rating


def level(score: int) -> str:
    return LEVELS[score][0]
