"""The programme as built from the database: what is a candidate, and where it airs."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlmodel import Session

from playlists import ItemKind, Programme
from studio import bulletins, programmes
from studio.audit import Actor
from studio.errors import InvalidInput
from studio.models import AreaUpdate, BulletinUpdate, StationUpdate
from studio.settings import Settings
from tests.factories import SYSTEM, World, make_bulletin, make_ready_clip
from tests.programmes.support import (
    DAY,
    EVE,
    add_exception,
    add_window,
    approved,
    local,
    two_sessions,
)


def build(
    session: Session, settings: Settings, world: World, code: str, day: date = DAY
) -> Programme:
    result = programmes.build(session, settings, SYSTEM, world.stations[code], day, now=EVE)
    session.commit()
    return result.programme


def titles(programme: Programme, session_name: str | None = None) -> list[str]:
    return [
        i.title
        for i in programme.items
        if i.kind is ItemKind.bulletin and (session_name is None or i.session == session_name)
    ]


def test_windows_come_from_the_station_else_the_nearest_area(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session, "P")
    add_window(session, "area", "B", "Trưa", time(11, 0), 20)
    add_window(session, "station", "sa", "Tối", time(19, 0), 10)

    assert [s.name for s in build(session, settings, world, "sp").sessions] == ["Sáng", "Chiều"]
    assert [s.name for s in build(session, settings, world, "sb").sessions] == ["Trưa"]
    only = build(session, settings, world, "sa").sessions
    assert [(s.name, s.start, s.end) for s in only] == [("Tối", local(DAY, 19), local(DAY, 19, 10))]


def test_exceptions_of_every_area_above_apply(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session, "P")
    add_exception(session, "area", "P", kind="drop", name="Chiều", first_day=DAY, note="Tết")
    add_exception(
        session,
        "station",
        "sa",
        kind="add",
        name="Trưa",
        first_day=DAY - timedelta(days=3),
        last_day=DAY + timedelta(days=10),
        start_time=time(11, 30),
        length_minutes=15,
    )

    names = [s.name for s in build(session, settings, world, "sa").sessions]
    assert names == ["Sáng", "Trưa"]
    assert [s.name for s in build(session, settings, world, "sp").sessions] == ["Sáng"]
    next_day = build(session, settings, world, "sp", DAY + timedelta(days=1))
    assert [s.name for s in next_day.sessions] == ["Sáng", "Chiều"]


def test_quiet_hours_and_caps_come_from_the_nearest_area_that_sets_them(
    session: Session, settings: Settings, world: World
) -> None:
    add_window(session, "area", "P", "Sáng", time(5, 30), 30)
    add_window(session, "area", "P", "Khuya", time(22, 0), 30)
    actor = Actor(user=world["admin"])
    from studio import areas

    areas.update_area(session, actor, "A", AreaUpdate(session_cap_minutes=15))
    areas.update_area(
        session, actor, "B", AreaUpdate(quiet_start=time(23, 0), quiet_end=time(5, 0))
    )
    session.commit()

    sp = build(session, settings, world, "sp").sessions  # default quiet hours 21:30-05:00
    assert [(s.name, s.end - s.start) for s in sp] == [("Sáng", timedelta(minutes=30))]
    sa = build(session, settings, world, "sa").sessions  # capped, default quiet hours
    assert [(s.name, s.end - s.start) for s in sa] == [("Sáng", timedelta(minutes=15))]
    sb = build(session, settings, world, "sb").sessions  # quiet from 23:00: 22:00 may air
    assert [(s.name, s.end - s.start) for s in sb] == [
        ("Sáng", timedelta(minutes=30)),
        ("Khuya", timedelta(minutes=30)),
    ]


def test_only_approved_bulletins_with_their_approved_clip_air(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    editor = Actor(user=world["editor_a"])
    make_bulletin(session, world["editor_a"], title="Bản nháp")
    submitted = make_bulletin(session, world["editor_a"], title="Chờ duyệt")
    assert submitted.id is not None
    make_ready_clip(session, submitted)
    bulletins.submit(session, editor, submitted.id)
    approved(session, world, title="Đã duyệt")
    edited = approved(session, world, title="Đã duyệt rồi sửa")
    assert edited.id is not None
    bulletins.update_bulletin(session, editor, edited.id, BulletinUpdate(body="Nội dung mới."))
    withdrawn = approved(session, world, title="Đã rút")
    assert withdrawn.id is not None
    bulletins.withdraw(session, editor, withdrawn.id, reason="sai")
    session.commit()

    programme = build(session, settings, world, "sa")

    assert titles(programme) == ["Đã duyệt"]


def test_targets_reach_stations_directly_and_through_areas(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Cho đài sa", target_station_codes=["sa"])
    approved(
        session,
        world,
        title="Cho xã B",
        target_station_codes=[],
        target_area_codes=["B"],
        author="editor_b",
    )
    approved(
        session,
        world,
        title="Cho cả tỉnh",
        target_station_codes=[],
        target_area_codes=["P"],
        author="admin",
    )

    assert titles(build(session, settings, world, "sa"), "Sáng") == ["Cho đài sa", "Cho cả tỉnh"]
    assert titles(build(session, settings, world, "sb"), "Sáng") == ["Cho xã B", "Cho cả tỉnh"]
    assert titles(build(session, settings, world, "sp"), "Sáng") == ["Cho cả tỉnh"]


def test_validity_is_checked_per_session_and_expiry_mid_day(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Hết hạn trưa", valid_until=local(DAY, 12))
    approved(session, world, title="Có hiệu lực từ trưa", valid_from=local(DAY, 12))
    approved(session, world, title="Hết hạn hôm trước", valid_until=local(DAY, 0))
    approved(
        session,
        world,
        title="Cả ngày",
        airing={"mode": "every_session", "first_day": DAY, "last_day": DAY},
    )

    programme = build(session, settings, world, "sa")

    assert titles(programme, "Sáng") == ["Hết hạn trưa", "Cả ngày"]
    assert titles(programme, "Chiều") == ["Có hiệu lực từ trưa", "Cả ngày"]


def test_languages_the_station_does_not_broadcast_are_excluded_and_translations_paired(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    original = approved(
        session, world, title="Lịch tiêm chủng", target_station_codes=["sa", "sb"], author="admin"
    )
    approved(
        session,
        world,
        title="កាលវិភាគចាក់វ៉ាក់សាំង",
        language="km",
        translation_of=original.id,
        target_station_codes=["sa", "sb"],
        author="admin",
        body="សេចក្តីជូនដំណឹង។",
    )
    approved(session, world, title="Tin khác", target_station_codes=["sa", "sb"], author="admin")

    sb = build(session, settings, world, "sb")
    assert titles(sb, "Sáng") == ["Lịch tiêm chủng", "កាលវិភាគចាក់វ៉ាក់សាំង", "Tin khác"]
    sa = build(session, settings, world, "sa")
    assert titles(sa, "Sáng") == ["Lịch tiêm chủng", "Tin khác"]
    assert [(s.title, s.reason) for s in sa.excluded] == [
        ("កាលវិភាគចាក់វ៉ាក់សាំង", "đài không phát tiếng km")
    ]


def test_airings_on_earlier_days_count(session: Session, settings: Settings, world: World) -> None:
    two_sessions(session)
    approved(session, world, title="Một lần")
    approved(
        session,
        world,
        title="Ba lần trong hai ngày",
        airing={"times": 3, "days": 2},
        valid_from=local(DAY, 0),
    )

    first = build(session, settings, world, "sa")
    second = build(session, settings, world, "sa", DAY + timedelta(days=1))
    third = build(session, settings, world, "sa", DAY + timedelta(days=2))

    assert titles(first) == ["Một lần", "Ba lần trong hai ngày", "Ba lần trong hai ngày"]
    assert titles(second) == ["Ba lần trong hai ngày"]
    assert titles(third) == []
    assert {s.title: s.reason for s in second.excluded}["Một lần"] == "đã phát 1/1 lần"


def test_priority_first_emergency_excluded_and_gap_from_the_station(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Thường")
    approved(session, world, title="Ưu tiên", priority="priority")
    approved(session, world, title="Khẩn cấp", priority="emergency")
    from studio import stations

    stations.update_station(session, SYSTEM, "sa", StationUpdate(gap_ms=3000))
    session.commit()

    programme = build(session, settings, world, "sa")

    morning = [i for i in programme.items if i.session == "Sáng"]
    assert [i.title for i in morning] == ["Ưu tiên", "Thường"]
    assert morning[1].start - morning[0].end == timedelta(milliseconds=3000)
    assert [(s.title, s.reason) for s in programme.excluded] == [
        ("Khẩn cấp", "khẩn cấp: phát ngay, không xếp lịch")
    ]


def test_an_overfull_session_moves_the_newest_normal_items_on(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    for n in range(4):
        approved(session, world, title=f"Dài {n}", duration_ms=9 * 60_000)

    programme = build(session, settings, world, "sa")

    assert titles(programme, "Sáng") == ["Dài 0", "Dài 1", "Dài 2"]
    moved = [i for i in programme.items if i.session == "Chiều"]
    assert [i.title for i in moved] == ["Dài 3"]
    assert "Sáng" in moved[0].reason
    for s in programme.sessions:
        assert all(
            s.start <= i.start and i.end <= s.end for i in programme.items if i.session == s.name
        )


def test_days_that_are_over_are_not_built(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    with pytest.raises(InvalidInput, match="đã qua"):
        programmes.build(
            session, settings, SYSTEM, world.stations["sa"], DAY - timedelta(days=2), now=EVE
        )
