"""Where ratings (好差评) and cases (帮办, bad-rating follow-up) come from: ONE place.

Issue 16 adds ``hall/ratings`` and ``hall/cases``. Until it is merged, nothing is
recorded, and every figure that needs them is ``null`` with the reason "not yet
recorded" (never 0). Wiring them in means filling ``ratings_source`` and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a figure has no value, in English and Chinese."""

    code: str
    en: str
    zh: str


NOT_YET_RECORDED = Reason("not_yet_recorded", "not yet recorded", "尚未记录")


@dataclass(frozen=True, slots=True)
class HelpRequest:
    """One 帮办 request: minutes from the request to a helper accepting it, and who did."""

    response_minutes: float | None  # None while nobody has accepted
    helper: str | None  # job number


@dataclass(frozen=True, slots=True)
class RatingsData:
    """The ratings and cases of a period, or ``missing`` with the reason there are none."""

    missing: Reason | None = NOT_YET_RECORDED
    scores: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    help_requests: tuple[HelpRequest, ...] = ()
    bad_ratings: int = 0  # real-name bad ratings (1-2) of the period
    bad_followed_up: int = 0  # of which verified, rectified and re-visited


async def ratings_source(
    session: AsyncSession, hall_id: str, start: date, end: date
) -> RatingsData:
    """The active ratings (by ticket id) and the 帮办 and bad-rating cases of the period.

    Nothing is recorded before issue 16's services exist: the answer says so.
    """
    del session, hall_id, start, end  # read here once hall/ratings and hall/cases exist
    return RatingsData()
