"""Whole numbers in URL paths (window numbers, ids), bounded before they reach a service.

Starlette's own ``int`` convertor takes any run of digits, so ``/windows/9223372036854775808``
reached the database as a number no column holds (an OverflowError, a 500). Every
``{name:int}`` in this server's routes takes at most nine digits instead; a longer number
matches no route and gets 404, like any other address that does not exist.
"""

from __future__ import annotations

from starlette.convertors import Convertor, register_url_convertor

PATH_INT_DIGITS = 9
PATH_INT_MAX = 10**PATH_INT_DIGITS - 1


class BoundedInt(Convertor[int]):
    """``[0-9]{1,9}``: 0 to 999,999,999, which fits every integer column."""

    regex = f"[0-9]{{1,{PATH_INT_DIGITS}}}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        number = int(value)
        if not 0 <= number <= PATH_INT_MAX:
            raise ValueError(f"{number} is not a path number (0 to {PATH_INT_MAX})")
        return str(number)


def bound_path_integers() -> None:
    """Make ``{name:int}`` the bounded convertor for every route built from now on."""
    register_url_convertor("int", BoundedInt())


def path_number(raw: str) -> int | None:
    """A path segment as a bounded whole number, or None (not ASCII digits, or too long)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= PATH_INT_DIGITS:
        return int(raw)
    return None
