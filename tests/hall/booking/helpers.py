"""Builders for booking tests: valid real-name data for many different people."""

from __future__ import annotations

from datetime import UTC, datetime

from hall.booking.appointments import BookingRequest
from hall.booking.identity import check_char

MONDAY_0900 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
TUESDAY_0900 = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
SECRET = "test-secret-key-not-for-production"


def resident_id(serial: int, birth: str = "19800101") -> str:
    """A valid 18-character resident ID for person number ``serial``."""
    body = f"110101{birth}{serial % 1000:03d}"
    return body + check_char(body)


def phone(serial: int) -> str:
    return f"138{serial:08d}"


def request(
    serial: int, start: datetime = TUESDAY_0900, matter: str = "SI-REG", hall: str = "district"
) -> BookingRequest:
    birth = f"19{50 + serial // 1000 % 40:02d}0101"
    return BookingRequest(
        hall=hall,
        matter=matter,
        start=start,
        name="张三",
        id_number=resident_id(serial, birth),
        phone=phone(serial),
    )
