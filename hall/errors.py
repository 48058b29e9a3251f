"""The hall package's exception tree.

Every error a client can cause carries a stable ``code``, an English message and a
Chinese message, so that ``web/`` can map it to one JSON error shape without
knowing the individual classes.
"""

from __future__ import annotations

from collections.abc import Mapping


class HallError(Exception):
    """Base class for errors raised by the hall's services."""

    code = "hall_error"
    status = 400

    def __init__(
        self,
        message: str,
        message_zh: str | None = None,
        *,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        self.fields = dict(fields or {})


class NotFound(HallError):
    """A hall, matter, window, ticket or booking named by the client does not exist."""

    code = "not_found"
    status = 404


class InvalidInput(HallError):
    """The request is well-formed but one or more fields are invalid."""

    code = "invalid_input"
    status = 422


class Conflict(HallError):
    """The action is not allowed in the state the object is in now."""

    code = "conflict"
    status = 409


class ConfigError(HallError):
    """A hall configuration file has one or more problems."""

    code = "invalid_config"
    status = 422

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            f"The configuration has {count} problem(s): " + "; ".join(self.problems),
            f"配置文件有 {count} 处错误：" + "；".join(self.problems),
        )


class Unauthorized(HallError):
    """The caller is not signed in, or the credentials are wrong."""

    code = "unauthorized"
    status = 401


class Forbidden(HallError):
    """The caller is signed in but may not do this."""

    code = "forbidden"
    status = 403


class TooManyAttempts(HallError):
    """Too many attempts in a short time; the caller must wait ``retry_after`` seconds."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message: str, message_zh: str, retry_after: int) -> None:
        super().__init__(message, message_zh)
        self.retry_after = max(1, retry_after)


class Busy(HallError):
    """The server is too busy for this now; the caller may retry after ``retry_after`` s."""

    code = "busy"
    status = 503

    def __init__(self, message: str, message_zh: str, retry_after: int) -> None:
        super().__init__(message, message_zh)
        self.retry_after = max(1, retry_after)
