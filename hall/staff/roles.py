"""Staff roles, from least to most powerful, and what each may do above the other."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """Staff roles, from least to most powerful."""

    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
