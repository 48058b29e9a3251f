"""What every ticket action needs to know about its hall, loaded once per transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from hall.calling.lock import lock_hall
from hall.catalogue import stored
from hall.errors import InvalidInput
from hall.store.models import HallRow, MatterRow
from hall.store.unit import Tx
from queueing import Policy


@dataclass(frozen=True, slots=True)
class HallContext:
    """A hall's row, time zone, policy knobs and matters."""

    hall: HallRow  # a plain copy (not in the session), as of the hall's updated_at
    zone: ZoneInfo
    policy: Policy
    matters: dict[str, MatterRow]
    queue_version: int  # read in this transaction
    locked: bool = False  # the versions were read holding the hall's lock

    @property
    def id(self) -> str:
        return self.hall.id

    def day(self, now: datetime) -> date:
        """The hall's local calendar day at ``now`` (numbers restart every day)."""
        return now.astimezone(self.zone).date()

    def matter(self, code: Any, field: str = "matter") -> MatterRow:
        """An active matter of this hall; raises InvalidInput naming the field."""
        matter = self.matters.get(code) if isinstance(code, str) else None
        if matter is None:
            raise InvalidInput(
                f"Hall {self.id!r} has no matter {code!r}; "
                f"GET /api/halls/{self.id}/matters lists them.",
                f"大厅“{self.id}”没有事项“{code}”，请重新选择事项。",
                fields={field: "unknown matter"},
            )
        return matter

    def appointment_prefix(self) -> str:
        booking = self.hall.settings.get("booking", {})
        prefix: str = booking.get("appointment_prefix", "")
        return prefix


async def load_context(tx: Tx, hall_id: str, *, lock: bool = False) -> HallContext:
    """Load a hall's context; raises NotFound for an unknown hall.

    One small statement reads the hall's versions; the rest (the hall row, its zone,
    policy and matters) is kept per process with the hall row's ``updated_at``, which
    every change of the hall or its configuration bumps (``stored.apply_config``),
    and read again whenever it moved. ``lock``: take the hall's lock (``lock_hall``)
    first, so that the versions are read holding it.
    """
    session = tx.session
    connection = await session.connection()
    if lock:
        await lock_hall(session, hall_id)
    found = (await connection.execute(_HALL_VERSIONS, {"b_hall": hall_id})).first()
    if found is None or not found.active:
        raise stored.no_such_hall(hall_id)

    async def load() -> tuple[HallRow, ZoneInfo, Policy, dict[str, MatterRow]]:
        # Plain copies: rows of a session would expire when its transaction rolls back.
        hall = _copy(await stored.get_hall(session, hall_id))
        matters = {m.code: _copy(m) for m in await stored.list_matters(session, hall_id)}
        policy = Policy.from_mapping(hall.settings.get("policy", {}))
        return hall, ZoneInfo(hall.timezone), policy, matters

    hall, zone, policy, matters = await tx.memo.remembered(
        f"context:{hall_id}", found.updated_at, load
    )
    return HallContext(hall, zone, policy, matters, int(found.queue_version or 0), lock)


_HALL_VERSIONS = select(HallRow.active, HallRow.updated_at, HallRow.queue_version).where(
    HallRow.id == bindparam("b_hall")
)


_Row = TypeVar("_Row", HallRow, MatterRow)


def _copy(row: _Row) -> _Row:
    columns = type(row).__table__.columns
    return type(row)(**{c.key: getattr(row, c.key) for c in columns})
