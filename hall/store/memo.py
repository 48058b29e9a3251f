"""Per-process copies of values that are checked against a version read from the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession

MEMO_KEY = "tongban_memo"  # session.info: the Database's per-process, checked copies
T = TypeVar("T")


async def remembered(
    session: AsyncSession, name: str, version: object, load: Callable[[], Awaitable[T]]
) -> T:
    """``load()``'s value, kept in the Database's memo while ``version`` stays the same.

    The caller reads ``version`` in its own transaction (for a hall's configuration: the
    hall row's ``updated_at``, which every change bumps), so a change made by any
    process is seen at once. The value must not be a row of this session.
    """
    memo: dict[str, Any] | None = session.info.get(MEMO_KEY)
    known = None if memo is None else memo.get(name)
    if known is not None and known[0] == version:
        return cast(T, known[1])
    value = await load()
    if memo is not None:
        memo[name] = (version, value)
    return value
