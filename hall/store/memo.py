"""Per-process copies of values, each checked against a version read from the database.

A copy is only ever used after the caller has read its version in its own transaction
(a hall's configuration: the hall row's ``updated_at``; its queue: ``queue_version``),
so a change made by any server process is seen at once. One ``Memo`` per ``Database``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, cast

T = TypeVar("T")
K = TypeVar("K")


class Memo:
    """The process's checked copies of one database."""

    def __init__(self) -> None:
        self._values: dict[str, tuple[object, Any]] = {}
        self._kept: dict[type[Any], Any] = {}

    async def remembered(self, name: str, version: object, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``'s value, kept while ``version`` stays the same.

        The value must not be a row of a session (it would expire with it).
        """
        known = self._values.get(name)
        if known is not None and known[0] == version:
            return cast(T, known[1])
        value = await load()
        self._values[name] = (version, value)
        return value

    def get(self, name: str) -> tuple[object, Any] | None:
        """The version and value kept under ``name``, for callers with their own rule."""
        return self._values.get(name)

    def put(self, name: str, version: object, value: Any) -> None:
        self._values[name] = (version, value)

    def kept(self, kind: type[K]) -> K:
        """The process's one instance of ``kind`` (such as the queue copy), made on first use."""
        found = self._kept.get(kind)
        if found is None:
            found = self._kept[kind] = kind()
        return cast(K, found)
