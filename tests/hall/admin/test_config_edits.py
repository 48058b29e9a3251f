"""Admin edits as services: one transaction, validated by the parser, nothing lost."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from hall.admin import accounts, config_edits
from hall.catalogue import stored
from hall.catalogue.export import dump_config
from hall.catalogue.loader import demo_config_path, load_config
from hall.errors import ConfigError
from hall.publish import HallEvent
from hall.staff.accounts import StaffMember
from hall.staff.roles import Role
from hall.store.db import Database
from hall.store.models import utcnow

pytestmark = pytest.mark.asyncio

ADMIN = StaffMember(1, "root", "A0001", Role.ADMIN, ("*",))
NOW = utcnow()


class Recorder:
    """A publisher that keeps what it is given."""

    def __init__(self) -> None:
        self.events: list[HallEvent] = []

    async def publish(self, events: Sequence[HallEvent]) -> None:
        self.events.extend(events)


def set_minutes(code: str, minutes: float) -> tuple[config_edits.Subject, config_edits.Edit]:
    edit = config_edits.put_entry("matters", "code", code, {"expected_minutes": minutes}, False)
    return config_edits.Subject("matters", code, "matter_updated"), edit


async def minutes(db: Database, code: str) -> float:
    async with db.read() as session:
        matters = await stored.list_matters(session, "district")
    return next(m.expected_minutes for m in matters if m.code == code)


async def test_concurrent_edits_both_land(db: Database) -> None:
    publisher = Recorder()
    codes = ["SI-REG", "SI-FLEX", "MI-RES", "SI-CARD"]
    await asyncio.gather(
        *(
            config_edits.edit_hall(
                db, publisher, ADMIN, "district", *set_minutes(code, 30 + i), NOW
            )
            for i, code in enumerate(codes)
        )
    )
    assert [await minutes(db, code) for code in codes] == [30, 31, 32, 33]
    assert [e.kind for e in publisher.events] == ["config_applied"] * 4
    assert all(e.hall_id == "district" for e in publisher.events)


async def test_a_rejected_edit_changes_nothing(db: Database) -> None:
    before = await minutes(db, "SI-REG")
    with pytest.raises(config_edits.ConfigRejected) as caught:
        await config_edits.edit_hall(
            db, Recorder(), ADMIN, "district", *set_minutes("SI-REG", 999), NOW
        )
    where = "Hall Chenghu District Administrative Service Centre, Matter Social insurance "
    assert caught.value.fields == {
        "halls[0].matters[0].expected_minutes": f"{where}enrolment (individual) (SI-REG), "
        "Expected (min): must be between 0.5 and 480.0."
    }
    # In Chinese, the field as the admin form names it, with Chinese punctuation.
    assert caught.value.message_zh == (
        "配置有 1 处问题：\n大厅“澄湖区政务服务中心”的事项“个人社保参保登记”（SI-REG）的"
        "预计办理（分钟）：须在 0.5 至 480.0 之间。"
    )
    assert caught.value.problems == [
        "halls[0].matters[0].expected_minutes: 999 is out of range (0.5 to 480.0)"
    ]
    assert await minutes(db, "SI-REG") == before


async def test_problems_on_one_key_path_are_joined() -> None:
    rejected = config_edits.ConfigRejected(
        [
            "config: halls[0].windows[1].skills: unknown matter code 'A'",
            "config: halls[0].windows[1].skills: unknown matter code 'B'",
            "config: halls: at least one [[halls]] table is required",
        ]
    )
    assert rejected.fields == {
        "halls[0].windows[1].skills": "Window no. 2, Skills: names a matter that does not "
        "exist: A. Window no. 2, Skills: names a matter that does not exist: B.",
        "halls": "Halls: needs at least one hall.",
    }
    assert rejected.message_zh.splitlines() == [
        "配置有 3 处问题：",
        "第 2 个窗口的可受理事项：包含不存在的事项 A。",
        "第 2 个窗口的可受理事项：包含不存在的事项 B。",
        "大厅：至少需要一个大厅。",
    ]
    assert isinstance(rejected, ConfigError)
    assert rejected.status == 422


async def test_replacing_the_file_deactivates_a_missing_hall(db: Database) -> None:
    publisher = Recorder()
    config = load_config(demo_config_path())
    text = dump_config(config).split('[[halls]]\nid = "street"')[0]
    result = await config_edits.replace_config(db, publisher, ADMIN, text, NOW)
    halls = {h["id"]: h for h in result.halls}
    assert result.changed is True
    assert halls["street"]["hall"] == "deactivated"
    assert halls["district"]["hall"] == "unchanged"
    async with db.read() as session:
        assert [h.id for h in await stored.list_halls(session)] == ["district"]
    assert [e.kind for e in publisher.events] == ["hall_deactivated"]


async def test_export_never_contains_password_hashes(db: Database) -> None:
    staff = await accounts.create_staff(
        db,
        ADMIN,
        {"username": "zhao", "job_number": "C1", "role": "clerk", "halls": ["*"]},
        "a-long-password",
        utcnow(),
    )
    assert staff.username == "zhao"
    text = await config_edits.export_config(db, ADMIN)
    assert "zhao" in text
    assert "argon2" not in text


async def test_a_file_nested_past_the_parsers_limit_is_rejected_not_a_crash(
    db: Database,
) -> None:
    text = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    with pytest.raises(config_edits.ConfigRejected) as rejected:
        await config_edits.replace_config(db, Recorder(), ADMIN, text, NOW)
    assert rejected.value.status == 422
