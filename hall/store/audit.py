"""Append-only audit events, written in the same transaction as the state they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from hall.store.models import utcnow


def event_values(
    *,
    actor: str,
    kind: str,
    subject_type: str,
    subject_id: str | int,
    hall_id: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One event's column values (``hall.store.unit`` inserts a unit's events in one statement)."""
    return {
        "hall_id": hall_id,
        "at": at or utcnow(),
        "actor": actor,
        "kind": kind,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "before": before,
        "after": after,
        "data": data or {},
    }
