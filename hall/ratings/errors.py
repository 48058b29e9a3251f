"""The errors a rating can meet, each with its stable code (docs/api.md)."""

from __future__ import annotations

from datetime import datetime

from hall.errors import Conflict, Forbidden


class NotFinished(Conflict):
    """Only a finished service can be rated."""

    code = "not_finished"

    def __init__(self, number: str) -> None:
        super().__init__(
            f"Ticket {number} cannot be rated yet: its service has not finished.",
            f"号票 {number} 的业务尚未办结，暂不能评价。",
        )


class AlreadyRated(Conflict):
    """One rating per ticket; one change within the change period."""

    code = "already_rated"

    def __init__(self, number: str, why: str, why_zh: str) -> None:
        super().__init__(
            f"Ticket {number} has been rated already; {why}.",
            f"号票 {number} 已评价过；{why_zh}。",
        )


class RatingClosed(Conflict):
    """The rating period is over (a default rating is, or will be, recorded)."""

    code = "rating_closed"

    def __init__(self, number: str, closed_at: datetime) -> None:
        when = closed_at.isoformat(timespec="minutes")
        super().__init__(
            f"Ticket {number} can no longer be rated: the rating period ended at {when}.",
            f"号票 {number} 的评价期已于 {when} 结束，不能再评价。",
        )


class StaffCannotRate(Forbidden):
    """Ratings are the citizen's: a signed-in staff member may not give one."""

    code = "staff_cannot_rate"

    def __init__(self) -> None:
        super().__init__(
            "Staff may not rate a service; the citizen rates it, voluntarily.",
            "工作人员不能代为评价，评价须由办事群众自愿作出。",
        )
