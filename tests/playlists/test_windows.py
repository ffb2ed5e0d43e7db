from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from playlists import BroadcastWindow, QuietHours, WindowException, plan_sessions, sessions_for
from tests.playlists.support import CHIEU, DAY, SANG, VN


def test_local_windows_become_utc_sessions() -> None:
    sessions = sessions_for(DAY, [CHIEU, SANG], tz=VN)
    assert [(s.name, s.start, s.end) for s in sessions] == [
        ("Sáng", datetime(2026, 5, 19, 22, 30, tzinfo=UTC), datetime(2026, 5, 19, 23, tzinfo=UTC)),
        ("Chiều", datetime(2026, 5, 20, 10, tzinfo=UTC), datetime(2026, 5, 20, 10, 30, tzinfo=UTC)),
    ]
    assert all(s.day == DAY and s.notes == () for s in sessions)


def test_weekdays_and_date_range() -> None:
    weekdays = BroadcastWindow(
        "Sáng", time(5, 30), timedelta(minutes=15), weekdays=(0, 1, 2, 3, 4),
        first_day=date(2026, 5, 1), last_day=date(2026, 5, 31),
    )  # fmt: skip
    assert [s.name for s in sessions_for(DAY, [weekdays])] == ["Sáng"]  # Wednesday
    assert sessions_for(date(2026, 5, 23), [weekdays]) == []  # Saturday
    assert sessions_for(date(2026, 6, 1), [weekdays]) == []  # Monday after the range
    assert [s.name for s in sessions_for(date(2026, 5, 1), [weekdays])] == ["Sáng"]  # first day


def test_quiet_hours_refuse_a_window_that_starts_inside_them() -> None:
    early = BroadcastWindow("Sớm", time(4, 30), timedelta(minutes=20))
    late = BroadcastWindow("Khuya", time(22, 0), timedelta(minutes=20))
    plan = plan_sessions(DAY, [early, SANG, late], tz=VN)
    assert [s.name for s in plan.sessions] == ["Sáng"]
    assert [(r.name, r.reason) for r in plan.refused] == [
        ("Sớm", "bắt đầu lúc 04:30, trong giờ yên lặng 21:30-05:00"),
        ("Khuya", "bắt đầu lúc 22:00, trong giờ yên lặng 21:30-05:00"),
    ]


def test_quiet_hours_boundaries_and_shortening() -> None:
    at_end = BroadcastWindow("Năm giờ", time(5, 0), timedelta(minutes=10))
    running_in = BroadcastWindow("Tối", time(21, 0), timedelta(minutes=45))
    plan = plan_sessions(DAY, [at_end, running_in], tz=VN)
    assert [s.name for s in plan.sessions] == ["Năm giờ", "Tối"]
    evening = plan.sessions[1]
    assert evening.end == datetime(2026, 5, 20, 14, 30, tzinfo=UTC)  # 21:30 local
    assert evening.notes == ("rút ngắn để kết thúc khi bắt đầu giờ yên lặng 21:30-05:00",)


def test_custom_quiet_hours_and_none() -> None:
    quiet = QuietHours(time(20, 0), time(6, 0))
    assert sessions_for(DAY, [SANG], tz=VN, quiet=quiet) == []
    assert len(sessions_for(DAY, [SANG], tz=VN, quiet=QuietHours(time(0), time(0)))) == 1


def test_cap_clamps_max_length() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=15))
    assert [s.length_ms for s in sessions] == [900_000, 900_000]
    assert sessions[0].notes == ("giới hạn 15 phút",)
    short = BroadcastWindow("Ngắn", time(12, 0), timedelta(minutes=10))
    assert sessions_for(DAY, [short], cap=timedelta(minutes=15))[0].length_ms == 600_000


def test_campaign_adds_a_session_and_holiday_drops_one() -> None:
    noon = BroadcastWindow("Trưa", time(11, 30), timedelta(minutes=20))
    campaign = WindowException.add(noon, date(2026, 5, 18), date(2026, 5, 31), note="bầu cử")
    holiday = WindowException.drop("Chiều", date(2026, 5, 20), note="nghỉ lễ")
    plan = plan_sessions(DAY, [SANG, CHIEU], [campaign, holiday], tz=VN)
    assert [(s.name, s.notes) for s in plan.sessions] == [
        ("Sáng", ()),
        ("Trưa", ("buổi bổ sung: bầu cử",)),
    ]
    after = sessions_for(date(2026, 6, 1), [SANG, CHIEU], [campaign, holiday], tz=VN)
    assert [s.name for s in after] == ["Sáng", "Chiều"]
    # A drop beats an add of the same name on the same day.
    drop_noon = WindowException.drop("Trưa", DAY)
    assert [s.name for s in sessions_for(DAY, [SANG], [campaign, drop_noon])] == ["Sáng"]


def test_exception_with_same_name_replaces_the_regular_window() -> None:
    longer = BroadcastWindow("Sáng", time(5, 30), timedelta(minutes=45))
    sessions = sessions_for(DAY, [SANG], [WindowException.add(longer, DAY)], tz=VN)
    assert [(s.name, s.length_ms) for s in sessions] == [("Sáng", 45 * 60_000)]


def test_overlapping_windows_are_refused() -> None:
    overlap = BroadcastWindow("Chen", time(5, 45), timedelta(minutes=10))
    plan = plan_sessions(DAY, [SANG, overlap], tz=VN)
    assert [s.name for s in plan.sessions] == ["Sáng"]
    assert plan.refused[0].reason == "trùng với buổi Sáng"


def test_dst_gap_moves_the_window_forward() -> None:
    # Paris springs forward on 2026-03-29: 02:30 does not exist that night.
    night = BroadcastWindow("Đêm", time(2, 30), timedelta(minutes=10))
    sessions = sessions_for(date(2026, 3, 29), [night], tz="Europe/Paris", quiet=None)
    plan = plan_sessions(
        date(2026, 3, 29), [night], tz="Europe/Paris", quiet=QuietHours(time(0), time(0))
    )
    assert sessions == []  # inside the default quiet hours
    assert plan.sessions[0].start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert plan.sessions[0].notes == (
        "giờ 02:30 không có trong ngày này (đổi giờ mùa hè): đã dời sang giờ kế tiếp",
    )


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="max_length"):
        BroadcastWindow("X", time(5), timedelta(0))
    with pytest.raises(ValueError, match="weekdays"):
        BroadcastWindow("X", time(5), timedelta(minutes=5), weekdays=(7,))
    with pytest.raises(ValueError, match="either adds"):
        WindowException(DAY, DAY)
    with pytest.raises(ValueError, match="two windows"):
        sessions_for(DAY, [SANG, SANG])
