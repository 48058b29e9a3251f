"""A rating as the citizen sends it, checked once (422 naming the field)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hall.errors import InvalidInput
from hall.ratings.scale import ASPECTS, BAD_MAX, COMMENT_LIMIT, REASONS
from hall.store.models import RatingRow


def _score(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise InvalidInput(
            f"The field {name!r} must be a whole number from 1 to 5.",
            f"字段 {name!r} 必须是 1 到 5 的整数（1 非常不满意 … 5 非常满意）。",
            fields={name: "a whole number from 1 to 5"},
        )
    return value


@dataclass(frozen=True, slots=True)
class RatingInput:
    """Score 1–5, optional aspects 1–5, reasons (for 1–2 only), comment ≤ 500."""

    score: int
    aspects: dict[str, int]
    reasons: tuple[str, ...]
    comment: str
    change: bool

    @classmethod
    def parse(cls, body: Mapping[str, Any]) -> RatingInput:
        known = {"score", "aspects", "reasons", "comment", "change", "channel"}
        unknown = sorted(set(body) - known)
        if unknown:
            raise InvalidInput(
                f"Unknown field(s): {', '.join(unknown)}.",
                f"不认识的字段：{'、'.join(unknown)}。",
                fields={name: "unknown field" for name in unknown},
            )
        score = _score(body.get("score"), "score")
        change = body.get("change", False)
        if not isinstance(change, bool):
            raise InvalidInput(
                "The field 'change' must be true or false.",
                "字段 'change' 必须是 true 或 false。",
                fields={"change": "expected true or false"},
            )
        return cls(
            score, _aspects(body.get("aspects")), _reasons(body, score), _comment(body), change
        )

    def apply(self, row: RatingRow) -> None:
        row.score = self.score
        row.efficiency = self.aspects.get("efficiency")
        row.quality = self.aspects.get("quality")
        row.attitude = self.aspects.get("attitude")
        row.reasons = list(self.reasons)
        row.comment = self.comment


def _aspects(value: Any) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidInput(
            "The field 'aspects' must be an object like {\"efficiency\": 5}.",
            "字段 'aspects' 必须是对象，例如 {\"efficiency\": 5}。",
            fields={"aspects": "expected an object"},
        )
    unknown = sorted(set(value) - set(ASPECTS))
    if unknown:
        raise InvalidInput(
            f"Unknown aspect(s): {', '.join(unknown)}; use efficiency, quality, attitude.",
            f"未知的评价维度：{'、'.join(unknown)}；可用 efficiency、quality、attitude。",
            fields={f"aspects.{name}": "unknown aspect" for name in unknown},
        )
    return {name: _score(score, f"aspects.{name}") for name, score in value.items()}


def _reasons(body: Mapping[str, Any], score: int) -> tuple[str, ...]:
    value = body.get("reasons")
    if value is None or value == []:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(
            "The field 'reasons' must be a list of reason codes.",
            "字段 'reasons' 必须是原因代码的列表。",
            fields={"reasons": "expected a list of codes"},
        )
    if score > BAD_MAX:
        raise InvalidInput(
            "Reasons are given with a rating of 1 or 2 only.",
            "只有评价为 1 星或 2 星时才需选择原因。",
            fields={"reasons": "only for a rating of 1 or 2"},
        )
    unknown = sorted(set(value) - set(REASONS))
    if unknown or len(set(value)) != len(value):
        allowed = ", ".join(REASONS)
        raise InvalidInput(
            f"Reasons must be distinct codes from: {allowed}.",
            f"原因必须是以下代码且不重复：{allowed}。",
            fields={"reasons": f"distinct codes from {allowed}"},
        )
    return tuple(value)


def _comment(body: Mapping[str, Any]) -> str:
    value = body.get("comment")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > COMMENT_LIMIT:
        raise InvalidInput(
            f"The comment must be text of at most {COMMENT_LIMIT} characters.",
            f"留言须为不超过 {COMMENT_LIMIT} 个字的文字。",
            fields={"comment": f"at most {COMMENT_LIMIT} characters"},
        )
    return value.strip()
