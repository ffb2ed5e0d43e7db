"""The operator-facing reasons and notes the builder writes are Vietnamese, word for word."""

from __future__ import annotations

from datetime import date, time, timedelta

from playlists import CATEGORY_VI, AiringRule, BroadcastWindow, WindowException, build_day
from playlists import plan_sessions as plan
from studio.types import Category
from tests.playlists.support import DAY, SANG, VN, cand, local, reasons, station, two_sessions


def test_every_category_has_a_vietnamese_label_in_the_rotation_reason() -> None:
    assert set(CATEGORY_VI) == {c.value for c in Category}
    candidates = [cand(n, category=c.value) for n, c in enumerate(Category, start=1)]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert [reasons(programme)[("Sáng", n)] for n in range(1, len(Category) + 1)] == [
        "luân phiên: chính sách",
        "luân phiên: pháp luật",
        "luân phiên: y tế",
        "luân phiên: nông nghiệp - thị trường",
        "luân phiên: khoa học - công nghệ",
        "luân phiên: môi trường - thiên tai",
        "luân phiên: an ninh - trật tự",
        "luân phiên: khác",
    ]


def test_an_unknown_category_is_shown_as_it_is() -> None:
    programme = build_day(station(), DAY, two_sessions(), [cand(1, category="sports")])
    assert reasons(programme)[("Sáng", 1)] == "luân phiên: sports"


def test_airings_not_due_yet_say_when_they_start() -> None:
    later = DAY + timedelta(days=2)
    candidates = [
        cand(1, airing=AiringRule.every_session(later, later)),
        cand(2, airing=AiringRule.spread(2, 2, first_day=later)),
    ]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert [(s.bulletin_id, s.reason) for s in programme.excluded] == [
        (1, "chưa đến đợt phát mọi buổi: bắt đầu ngày 2026-05-22"),
        (2, "chưa đến đợt phát: bắt đầu ngày 2026-05-22"),
    ]
    assert programme.items == programme.unplaced == ()


def test_a_day_without_sessions_says_so() -> None:
    programme = build_day(station(), DAY, [], [cand(1)])
    assert [(s.bulletin_id, s.reason) for s in programme.excluded] == [
        (1, "ngày này không có buổi phát nào")
    ]


def test_validity_from_a_later_instant_is_given_in_utc() -> None:
    c = cand(1, valid_from=local(DAY + timedelta(days=1), 5, 30))  # tomorrow's morning session
    programme = build_day(station(), DAY, two_sessions(), [c])
    assert [s.reason for s in programme.excluded] == [
        "không có hiệu lực trong buổi phát nào của ngày: hiệu lực từ 2026-05-20T22:30:00.000Z (UTC)"
    ]


def test_session_notes_name_the_added_session_and_a_cap_with_seconds() -> None:
    noon = BroadcastWindow("Trưa", time(11, 30), timedelta(minutes=20))
    unnamed = WindowException.add(noon, DAY)
    result = plan(DAY, [SANG], [unnamed], tz=VN, cap=timedelta(minutes=15, seconds=30))
    assert [(s.name, s.notes) for s in result.sessions] == [
        ("Sáng", ("giới hạn 15 phút 30 giây",)),
        ("Trưa", ("buổi bổ sung", "giới hạn 15 phút 30 giây")),
    ]
    assert result.refused == ()
    assert plan(date(2026, 5, 21), [SANG], [unnamed], tz=VN).sessions[0].notes == ()
