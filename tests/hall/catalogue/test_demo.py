"""The shipped demo configuration (hall/catalogue/demo/demo_halls.toml) against the product rules.

These tests check the rules of SPEC.md features 1 and 2, not the particular values
chosen for the demo, so the demo can be edited freely as long as it stays realistic.
"""

from __future__ import annotations

import copy
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from hall.catalogue.export import dump_config
from hall.catalogue.loader import demo_config_path, load_config, parse_config
from hall.catalogue.schema import Hall, HallConfig, HallLevel, MatterClass, WindowKind, Zone
from hall.errors import ConfigError

DEMO = Path(__file__).resolve().parents[3] / "hall" / "catalogue" / "demo" / "demo_halls.toml"


@pytest.fixture(scope="module")
def config() -> HallConfig:
    return load_config(DEMO)


@pytest.fixture(scope="module")
def district(config: HallConfig) -> Hall:
    hall = config.hall("district")
    assert hall is not None
    return hall


@pytest.fixture(scope="module")
def street(config: HallConfig) -> Hall:
    hall = config.hall("street")
    assert hall is not None
    return hall


def raw_demo() -> dict[str, Any]:
    return tomllib.loads(DEMO.read_text(encoding="utf-8"))


# --- loading -------------------------------------------------------------------------


def test_demo_loads_without_problems(config: HallConfig) -> None:
    assert [h.id for h in config.halls] == ["district", "street"]
    assert config.staff == ()  # demo accounts are created by code, not by the file


def test_demo_path_points_at_the_shipped_file() -> None:
    assert demo_config_path().resolve() == DEMO


def test_levels(district: Hall, street: Hall) -> None:
    assert district.level is HallLevel.DISTRICT
    assert street.level is HallLevel.STREET


def test_every_hall_has_names_timezone_and_notice(config: HallConfig) -> None:
    for hall in config.halls:
        assert hall.name.strip()
        assert hall.name_en.strip()
        assert hall.timezone == "Asia/Shanghai"
        assert hall.notice.strip()


# --- windows -------------------------------------------------------------------------


def test_district_window_count_and_kinds(district: Hall) -> None:
    assert 20 <= len(district.windows) <= 28
    kinds = {w.kind for w in district.windows}
    assert kinds == set(WindowKind)  # at least one of each kind


def test_window_numbers_are_unique(config: HallConfig) -> None:
    for hall in config.halls:
        numbers = [w.number for w in hall.windows]
        assert len(numbers) == len(set(numbers)), hall.id


def test_comprehensive_windows_take_every_matter(config: HallConfig) -> None:
    for hall in config.halls:
        comprehensive = [w for w in hall.windows if w.kind is WindowKind.COMPREHENSIVE]
        assert comprehensive, hall.id
        for window in comprehensive:
            assert window.skills == ("*",), (hall.id, window.number)


def test_only_comprehensive_or_green_windows_use_the_wildcard(config: HallConfig) -> None:
    for hall in config.halls:
        for window in hall.windows:
            if "*" in window.skills:
                assert window.kind in {WindowKind.COMPREHENSIVE, WindowKind.GREEN}
                assert window.skills == ("*",)


def test_every_bookable_matter_has_a_window(config: HallConfig) -> None:
    for hall in config.halls:
        for matter in hall.matters:
            if not matter.bookable:
                continue
            serving = [w for w in hall.windows if "*" in w.skills or matter.code in w.skills]
            assert serving, (hall.id, matter.code)


def test_every_matter_has_a_window_that_is_not_a_wildcard_green_window(
    config: HallConfig,
) -> None:
    # Non-bookable matters too (walk-in only): somebody must be able to take them.
    for hall in config.halls:
        for matter in hall.matters:
            assert any(
                "*" in w.skills or matter.code in w.skills
                for w in hall.windows
                if w.kind is not WindowKind.GREEN
            ), (hall.id, matter.code)


def test_pickup_and_could_not_get_it_done_windows_take_walk_in_matters(district: Hall) -> None:
    by_code = {m.code: m for m in district.matters}
    for kind in (WindowKind.PICKUP, WindowKind.COULD_NOT_GET_IT_DONE):
        windows = [w for w in district.windows if w.kind is kind]
        assert windows, kind
        for window in windows:
            assert "*" not in window.skills
            assert all(not by_code[code].bookable for code in window.skills), window.number


def test_specialised_windows_name_their_matters(district: Hall) -> None:
    specialised = [w for w in district.windows if w.kind is WindowKind.SPECIALISED]
    assert len(specialised) >= 3
    for window in specialised:
        assert "*" not in window.skills
        assert window.name.strip()
        assert window.name_en.strip()


# --- matters and groups --------------------------------------------------------------


def test_district_matter_count_and_classes(district: Hall) -> None:
    assert 20 <= len(district.matters) <= 30
    classes = Counter(m.matter_class for m in district.matters)
    assert classes[MatterClass.GENERAL] > 0
    assert classes[MatterClass.COMPLEX] > 0


def test_district_covers_every_zone(district: Hall) -> None:
    assert {m.zone for m in district.matters} == set(Zone)


def test_matter_codes_are_unique(config: HallConfig) -> None:
    for hall in config.halls:
        codes = [m.code for m in hall.matters]
        assert len(codes) == len(set(codes)), hall.id


def test_every_matter_group_exists(config: HallConfig) -> None:
    for hall in config.halls:
        groups = {g.code for g in hall.groups}
        for matter in hall.matters:
            assert matter.group in groups, (hall.id, matter.code)


def test_every_group_is_used(config: HallConfig) -> None:
    for hall in config.halls:
        used = {m.group for m in hall.matters}
        for group in hall.groups:
            assert group.code in used, (hall.id, group.code)


def test_groups_have_icons_and_bilingual_descriptions(config: HallConfig) -> None:
    for hall in config.halls:
        for group in hall.groups:
            assert group.icon != "folder", (hall.id, group.code)
            assert group.description.strip(), group.code
            assert group.description_en.strip(), group.code


def test_ticket_prefix_is_one_per_group(config: HallConfig) -> None:
    for hall in config.halls:
        prefixes: dict[str, set[str]] = {}
        for matter in hall.matters:
            prefixes.setdefault(matter.group, set()).add(matter.prefix)
        assert all(len(p) == 1 for p in prefixes.values()), (hall.id, prefixes)
        firsts = [next(iter(p)) for p in prefixes.values()]
        assert len(firsts) == len(set(firsts)), (hall.id, prefixes)


def test_handling_times_are_plausible(config: HallConfig) -> None:
    for hall in config.halls:
        for matter in hall.matters:
            if matter.matter_class is MatterClass.GENERAL:
                assert 1 <= matter.expected_minutes <= 20, matter.code
            else:
                assert 15 <= matter.expected_minutes <= 60, matter.code


def test_materials_are_listed_in_both_languages(config: HallConfig) -> None:
    for hall in config.halls:
        for matter in hall.matters:
            assert matter.materials, (hall.id, matter.code)
            assert len(matter.materials_en) == len(matter.materials), (hall.id, matter.code)
            assert matter.name_en.strip(), matter.code


def test_there_are_walk_in_only_matters(district: Hall) -> None:
    assert any(not m.bookable for m in district.matters)
    assert sum(m.bookable for m in district.matters) >= 20


# --- calendar ------------------------------------------------------------------------


def test_district_has_holidays_makeup_days_and_extended_sessions(district: Hall) -> None:
    assert district.holidays
    assert district.makeup_workdays
    assert district.extended_sessions
    assert not set(district.holidays) & set(district.makeup_workdays)
    assert all(d.weekday() >= 5 for d in district.makeup_workdays)  # 调休 are weekend days
    assert len(set(district.holidays)) == len(district.holidays)


def test_district_opens_on_weekdays(district: Hall) -> None:
    for day in ("mon", "tue", "wed", "thu", "fri"):
        assert district.opening_hours.get(day), day


def test_extended_sessions_lie_outside_regular_hours(district: Hall) -> None:
    for session in district.extended_sessions:
        for day in session.weekdays:
            for period in district.opening_hours.get(day, ()):
                assert session.end <= period.start or session.start >= period.end, day


def test_street_hall_is_smaller(district: Hall, street: Hall) -> None:
    assert len(street.windows) < len(district.windows)
    assert len(street.matters) < len(district.matters)
    assert any(m.matter_class is MatterClass.COMPLEX for m in street.matters)
    assert any(w.kind is WindowKind.GREEN for w in street.windows)


def test_booking_rules(config: HallConfig) -> None:
    for hall in config.halls:
        booking = hall.booking
        assert 1440 % booking.slot_minutes == 0
        assert 0 < booking.walkin_reserve < 1
        assert booking.no_show_rule.no_shows >= 1
        assert booking.no_show_rule.suspend_days > 0


# --- round trip ----------------------------------------------------------------------


def test_round_trip_through_export(config: HallConfig) -> None:
    text = dump_config(config)
    again = parse_config(tomllib.loads(text), "<exported>")
    assert again == config
    # and a second export is byte-for-byte the same
    assert dump_config(again) == text


# --- validation of a broken copy -----------------------------------------------------


def test_broken_copy_reports_every_problem_with_its_key_path() -> None:
    data = copy.deepcopy(raw_demo())
    hall = data["halls"][0]
    hall["windows"][3]["skills"] = ["X9"]
    hall["opening_hours"]["wed"][1][1] = "25:00"
    hall["windows"][6]["number"] = hall["windows"][5]["number"]
    duplicate = hall["windows"][5]["number"]
    hall["matters"][2]["colour"] = "red"
    data["halls"][1]["booking"]["slot_minutes"] = 7

    with pytest.raises(ConfigError) as caught:
        parse_config(data, "demo")

    problems = caught.value.problems
    expected = [
        "demo: halls[0].windows[3].skills: unknown matter code 'X9'",
        "demo: halls[0].opening_hours.wed[1]: '25:00' is not a time of day (HH:MM)",
        f"demo: halls[0].windows[6].number: {duplicate} is used more than once",
        "demo: halls[0].matters[2].colour: unknown key",
        "demo: halls[1].booking.slot_minutes: 7 does not divide a day evenly",
    ]
    for want in expected:
        assert any(p.startswith(want) for p in problems), (want, problems)
    assert len(problems) == len(expected), problems
    assert "X9" in caught.value.message
    assert "X9" in caught.value.message_zh


def test_broken_file_on_disk_reports_its_path(tmp_path: Path) -> None:
    text = DEMO.read_text(encoding="utf-8").replace(
        'timezone = "Asia/Shanghai"', 'timezone = "Mars/Base"', 1
    )
    broken = tmp_path / "halls.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert caught.value.problems == [
        f"{broken}: halls[0].timezone: unknown time zone 'Mars/Base' "
        "(use an IANA name like Asia/Shanghai)"
    ]


def test_hall_key_written_after_a_subtable_is_caught(tmp_path: Path) -> None:
    # The classic TOML slip: a hall key written after [halls.opening_hours] lands inside it.
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace(
        'fri = [["09:00", "12:00"], ["13:00", "17:00"]]',
        'fri = [["09:00", "12:00"], ["13:00", "17:00"]]\nnotice_en = "Welcome"',
        1,
    )
    broken = tmp_path / "halls.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(broken)
    assert len(caught.value.problems) == 1
    assert "halls[0].opening_hours.notice_en: unknown key" in caught.value.problems[0]
