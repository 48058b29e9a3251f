"""SQLAlchemy 2 typed models: the hall's state tables and the append-only event log.

Times are aware UTC (``UTCDateTime``); calendar days (``service_day``) are the
hall's local day. Nothing is hard-deleted: catalogue rows carry ``active``.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no offset, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (the edge's only clock read helper)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class HallRow(Base):
    __tablename__ = "halls"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(300), default="")
    notice: Mapped[str] = mapped_column(Text, default="")
    # Opening hours, holidays, sessions, booking rules and policy knobs, in the
    # TOML shape (see hall.catalogue.export); read back through hall.catalogue.loader.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Bumped by every unit that changes one of the hall's waiting tickets or windows
    # (hall.calling.queue_copy).
    queue_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The hall's last screen sequence number: moved, under the row's lock, by every unit
    # that writes to the hall's screen outbox (hall.store.outbox).
    screen_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Moved by one by every unit that writes the hall's tickets, which stamps the rows it
    # wrote with the new number (``TicketRow.change_seq``; hall.analytics.today).
    ticket_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class MatterGroupRow(Base):
    __tablename__ = "matter_groups"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    icon: Mapped[str] = mapped_column(String(32), default="folder")
    description: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class MatterRow(Base):
    __tablename__ = "matters"
    __table_args__ = (UniqueConstraint("hall_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    matter_class: Mapped[str] = mapped_column(String(16))
    expected_minutes: Mapped[float] = mapped_column(Float)
    prefix: Mapped[str] = mapped_column(String(2))
    zone: Mapped[str] = mapped_column(String(16))
    group_code: Mapped[str] = mapped_column(String(32))
    materials: Mapped[list[Any]] = mapped_column(JSON, default=list)
    materials_en: Mapped[list[Any]] = mapped_column(JSON, default=list)
    bookable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class WindowStatus(enum.StrEnum):
    """Whether anybody works at a window now."""

    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


class WindowRow(Base):
    __tablename__ = "windows"
    # Written only by hall.calling.writer (which keeps the queue copy; see hall.store.unit).
    queue_row: ClassVar[bool] = True
    __table_args__ = (
        UniqueConstraint("hall_id", "number"),
        # One clerk per window is the single staff_id column; one window per clerk is this
        # partial unique index, so any number of processes keep it (0019_staff_sessions).
        Index(
            "uq_windows_one_per_clerk",
            "staff_id",
            unique=True,
            sqlite_where=text("staff_id IS NOT NULL"),
            postgresql_where=text("staff_id IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100), default="")
    name_en: Mapped[str] = mapped_column(String(100), default="")
    kind: Mapped[str] = mapped_column(String(32))
    skills: Mapped[list[Any]] = mapped_column(JSON, default=list)
    # Matters a "*" window does not take: those of the hall's pickup and 办不成事 windows.
    excluded: Mapped[list[Any]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # closed (nobody signed in) / open / paused
    status: Mapped[str] = mapped_column(String(16), default=WindowStatus.CLOSED.value)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    # Fairness state the dispatch policy needs between calls (e.g. consecutive priority calls).
    dispatch_state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StaffRow(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    job_number: Mapped[str] = mapped_column(String(16))
    role: Mapped[str] = mapped_column(String(16))
    halls: Mapped[list[Any]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # No longer written: sign-in failures are counted in sign_in_throttles since
    # 0019_staff_sessions (kept so that older databases need no table rebuild).
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffSessionRow(Base):
    """A signed-in browser: the cookie holds a random id, the row only its SHA-256."""

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # sign_out, password_changed, deactivated, unlocked_by_admin ...
    ended_reason: Mapped[str | None] = mapped_column(String(32), default=None)
    address: Mapped[str] = mapped_column(String(64), default="")


class SignInThrottleRow(Base):
    """Failed sign-ins counted per user name, per address and per (name, address).

    ``scope`` is ``name``, ``address`` or ``pair``; ``subject`` the name, the address
    or both joined by a newline. Unknown names are counted like known ones.
    """

    __tablename__ = "sign_in_throttles"

    scope: Mapped[str] = mapped_column(String(8), primary_key=True)
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime] = mapped_column()
    blocked_until: Mapped[datetime | None] = mapped_column(default=None)


class BookingSlotRow(Base):
    __tablename__ = "booking_slots"
    __table_args__ = (UniqueConstraint("hall_id", "group_code", "starts_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    group_code: Mapped[str] = mapped_column(String(32))
    service_day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    capacity_overridden: Mapped[bool] = mapped_column(Boolean, default=False)
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    # Matters an extended session restricts the slot to; empty = every matter of the group.
    matters: Mapped[list[Any]] = mapped_column(JSON, default=list)


class SeatReleaseRow(Base):
    """A cancelled or moved-away seat that returns to its slot at ``release_at``.

    The delay makes trading in cancelled slots pointless: nobody can cancel a seat and
    hand it to a buyer at the same moment.
    """

    __tablename__ = "seat_releases"
    __table_args__ = (Index("ix_seat_releases_slot_pending", "slot_id", "released"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slots.id"))
    release_at: Mapped[datetime] = mapped_column()
    released: Mapped[bool] = mapped_column(Boolean, default=False)


class AppointmentStatus(enum.StrEnum):
    """Where a booking stands."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class AppointmentRow(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        # One active booking per person per matter per day (partial unique index).
        Index(
            "uq_appointments_active_person_matter_day",
            "person_key",
            "hall_id",
            "matter_code",
            "service_day",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    matter_code: Mapped[str] = mapped_column(String(32))
    slot_id: Mapped[int] = mapped_column(ForeignKey("booking_slots.id"))
    service_day: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    # Keyed hashes for rules and look-ups, masked forms for display; never the clear values.
    person_key: Mapped[str] = mapped_column(String(64), index=True)
    phone_key: Mapped[str] = mapped_column(String(64), index=True)
    name_masked: Mapped[str] = mapped_column(String(64))
    id_masked: Mapped[str] = mapped_column(String(32))
    phone_masked: Mapped[str] = mapped_column(String(32))
    proxy_person_key: Mapped[str | None] = mapped_column(String(64), default=None)
    proxy_name_masked: Mapped[str | None] = mapped_column(String(64), default=None)
    id_kind: Mapped[str] = mapped_column(String(32), default="resident_id")
    status: Mapped[str] = mapped_column(String(16), default=AppointmentStatus.BOOKED.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    late_cancellation: Mapped[bool] = mapped_column(Boolean, default=False)
    no_show_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    ticket_id: Mapped[str | None] = mapped_column(String(32), default=None)


class TicketRow(Base):
    __tablename__ = "tickets"
    # Written only by hall.calling.writer (which keeps the queue copy; see hall.store.unit).
    queue_row: ClassVar[bool] = True
    __table_args__ = (
        UniqueConstraint("hall_id", "service_day", "number"),
        Index("ix_tickets_hall_status", "hall_id", "status"),
        Index("ix_tickets_hall_change_seq", "hall_id", "service_day", "change_seq"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # unguessable token
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(8))
    matter_code: Mapped[str] = mapped_column(String(32))
    matter_class: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    green: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    called_at: Mapped[datetime | None] = mapped_column(default=None)
    first_called_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    window_number: Mapped[int | None] = mapped_column(Integer, default=None)
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), default=None)
    # The queueing core's full ticket record (fields beyond the indexed columns above).
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The hall's ``ticket_seq`` of the unit that last wrote the row (hall.calling.writer).
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


class TicketCounterRow(Base):
    __tablename__ = "ticket_counters"

    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class HallDayRow(Base):
    """A hall's service day that has been closed out (one row: never closed twice)."""

    __tablename__ = "hall_days"
    __table_args__ = (UniqueConstraint("hall_id", "service_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    service_day: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime] = mapped_column()
    closed_by: Mapped[str] = mapped_column(String(64))
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class KioskRow(Base):
    """A hall's registered kiosk (取号机): only the SHA-256 of its device token is kept."""

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    name: Mapped[str] = mapped_column(String(60))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class EventRow(Base):
    """Append-only audit log: who did what, when, with the state before and after."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_hall_id_id", "hall_id", "id"),
        Index("ix_events_subject", "subject_type", "subject_id"),
        # The analytics read a period's window and transfer events (hall.analytics).
        Index("ix_events_hall_kind_at", "hall_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    hall_id: Mapped[str | None] = mapped_column(String(32), default=None)
    at: Mapped[datetime] = mapped_column()
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ScreenOutboxRow(Base):
    """The hall's screen messages in one order for every server process (hall.store.outbox).

    ``seq`` is the hall's ``screen_seq`` at the write, with no gaps; rows are pruned
    after a day (the latest ones are kept whatever their age).
    """

    __tablename__ = "screen_outbox"
    __table_args__ = (Index("ix_screen_outbox_event_id", "event_id"),)

    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    event_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    kind: Mapped[str] = mapped_column(String(64))
    # Numbers only: the ticket number, the window number, a status.
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column()


class RatingRow(Base):
    """好差评: one rating per finished ticket (hall.ratings); never deleted.

    ``channel`` is ``evaluator``, ``phone``, ``api`` or ``default`` (recorded by the
    sweep when nobody rated within the period; never an active rating). An appeal that
    a supervisor upholds sets ``excluded``: the rating stays, marked, out of the figures.
    """

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("ticket_id"),
        Index("ix_ratings_hall_day", "hall_id", "service_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(ForeignKey("tickets.id"))
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    service_day: Mapped[date] = mapped_column(Date)  # the hall's local day of the finish
    ticket_number: Mapped[str] = mapped_column(String(8))
    matter_code: Mapped[str] = mapped_column(String(32))
    window_number: Mapped[int | None] = mapped_column(Integer, default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    staff_job: Mapped[str | None] = mapped_column(String(16), default=None)
    finished_at: Mapped[datetime] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)
    efficiency: Mapped[int | None] = mapped_column(Integer, default=None)
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    attitude: Mapped[int | None] = mapped_column(Integer, default=None)
    reasons: Mapped[list[Any]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(16))
    rated_at: Mapped[datetime] = mapped_column()
    changes: Mapped[int] = mapped_column(Integer, default=0)
    changed_at: Mapped[datetime | None] = mapped_column(default=None)
    excluded: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_reason: Mapped[str] = mapped_column(Text, default="")


class CaseRow(Base):
    """A case (工单): a bad rating, 办不成事, a 帮办 request or a complaint (hall.cases).

    Its timeline is the audit events with subject ``case``/id. ``due_at`` is the
    deadline of the step the case waits for (None: none); the escalation sweep sets
    ``escalated_due`` to the deadline it escalated, so each missed deadline escalates
    once, whichever server process sweeps.
    """

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("rating_id"),
        Index("ix_cases_hall_status", "hall_id", "status"),
        Index("ix_cases_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    hall_id: Mapped[str] = mapped_column(ForeignKey("halls.id"))
    kind: Mapped[str] = mapped_column(String(16))
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    ticket_id: Mapped[str | None] = mapped_column(ForeignKey("tickets.id"), default=None)
    ticket_number: Mapped[str | None] = mapped_column(String(8), default=None)
    service_day: Mapped[date] = mapped_column(Date)  # the hall's local day it concerns
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"), default=None)
    window_number: Mapped[int | None] = mapped_column(Integer, default=None)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    staff_job: Mapped[str | None] = mapped_column(String(16), default=None)
    matter_code: Mapped[str | None] = mapped_column(String(32), default=None)
    contact: Mapped[str | None] = mapped_column(String(32), default=None)  # masked only
    summary: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(16), default=None)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"), default=None)
    owner_job: Mapped[str | None] = mapped_column(String(16), default=None)
    forwarded_to: Mapped[str] = mapped_column(String(200), default="")
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    escalated_due: Mapped[datetime | None] = mapped_column(default=None)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    extension: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
