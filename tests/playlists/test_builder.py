"""Placement, order and fit inside sessions."""

from __future__ import annotations

from datetime import timedelta

from playlists import ItemKind, Priority, build_day, sessions_for
from playlists.times import iso_utc
from tests.playlists.support import (
    CHIEU,
    CHIME,
    DAY,
    IDENT,
    SANG,
    VN,
    bulletins_in,
    cand,
    local,
    reasons,
    station,
    two_sessions,
)


def test_items_are_timed_to_the_millisecond_with_gaps_opening_and_closing() -> None:
    plan = station(opening=IDENT, closing=CHIME, gap_ms=1500)
    programme = build_day(plan, DAY, two_sessions(), [cand(1, minutes=1.5), cand(2, minutes=2)])
    rows = [(i.session, iso_utc(i.start), i.duration_ms, i.kind.value) for i in programme.items]
    assert rows == [
        ("Sáng", "2026-05-19T22:30:00.000Z", 4000, "opening"),
        ("Sáng", "2026-05-19T22:30:05.500Z", 90000, "bulletin"),
        ("Sáng", "2026-05-19T22:31:37.000Z", 120000, "bulletin"),
        ("Sáng", "2026-05-19T22:33:38.500Z", 2000, "closing"),
    ]
    opening = programme.items[0]
    assert (opening.clip_id, opening.title) == (9001, IDENT.title)
    assert (opening.reason, programme.items[-1].reason) == (
        "mở đầu buổi phát",
        "kết thúc buổi phát",
    )
    assert (opening.bulletin_id, opening.language) == (None, None)
    # Once-only bulletins aired in the morning; the afternoon plays nothing, not even the ident.
    assert bulletins_in(programme, "Chiều") == []
    assert [i for i in programme.items if i.session == "Chiều"] == []


def test_items_never_leave_their_session() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=15))
    candidates = [cand(n, minutes=1 + (n % 4) * 0.75, added_hours=n) for n in range(1, 30)]
    programme = build_day(station(opening=IDENT, closing=CHIME), DAY, sessions, candidates)
    by_name = {s.name: s for s in sessions}
    assert len(programme.items) > 10
    for item in programme.items:
        session = by_name[item.session]
        assert session.start <= item.start
        assert item.end <= session.end
    for a, b in zip(programme.items, programme.items[1:], strict=False):
        assert b.start - a.end >= timedelta(milliseconds=1500)
    assert [i.kind for i in programme.items if i.session == "Sáng"][-1] is ItemKind.closing


def test_overfull_session_moves_lowest_priority_newest_to_next_session() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=10))
    candidates = [
        cand(1, minutes=3, priority=Priority.priority, added_hours=10),  # newest, but priority
        cand(2, minutes=3, added_hours=0),
        cand(3, minutes=3, added_hours=1),
        cand(4, minutes=3, added_hours=3),  # newest normal
        cand(5, minutes=3, added_hours=2),
    ]
    programme = build_day(station(), DAY, sessions, candidates)
    assert bulletins_in(programme, "Sáng") == [1, 2, 3]
    assert bulletins_in(programme, "Chiều") == [5, 4]
    assert reasons(programme)[("Chiều", 4)] == "chuyển từ buổi Sáng: buổi đã đầy"
    assert reasons(programme)[("Chiều", 5)] == "chuyển từ buổi Sáng: buổi đã đầy"
    assert programme.unplaced == ()


def test_what_fits_nowhere_is_unplaced_and_nothing_is_cut() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=15))
    candidates = [cand(1, minutes=14), cand(2, minutes=16), cand(3, minutes=5, added_hours=1)]
    programme = build_day(station(), DAY, sessions, candidates)
    assert bulletins_in(programme, "Sáng") == [1]
    assert bulletins_in(programme, "Chiều") == [3]
    assert reasons(programme)[("Chiều", 3)] == "chuyển từ buổi Sáng: buổi đã đầy"
    assert [(s.bulletin_id, s.reason) for s in programme.unplaced] == [
        (2, "buổi đã đầy: Sáng, Chiều")
    ]
    assert all(i.duration_ms in (14 * 60_000, 5 * 60_000) for i in programme.items)


def test_priority_items_come_first_oldest_first() -> None:
    candidates = [
        cand(1, added_hours=0),
        cand(2, priority=Priority.priority, added_hours=5),
        cand(3, priority=Priority.priority, added_hours=4),
    ]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert bulletins_in(programme, "Sáng") == [3, 2, 1]
    assert [reasons(programme)[("Sáng", n)] for n in (3, 2, 1)] == [
        "ưu tiên",
        "ưu tiên",
        "luân phiên: y tế",
    ]


def test_category_rotation_round_robin_oldest_first() -> None:
    candidates = [
        cand(1, category="health", added_hours=1),
        cand(2, category="policy", added_hours=3),
        cand(3, category="health", added_hours=0),
        cand(4, category="other", added_hours=2),
        cand(5, category="policy", added_hours=2),
        cand(6, category="agriculture_market", added_hours=9),
    ]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    # Fixed order policy, law, health, agriculture_market, ..., other; one each per turn.
    assert bulletins_in(programme, "Sáng") == [5, 3, 6, 4, 2, 1]
    assert reasons(programme)[("Sáng", 6)] == "luân phiên: nông nghiệp - thị trường"


def test_translation_follows_its_original_in_the_station_language_order() -> None:
    candidates = [
        cand(12, category="health", added_hours=1, title="Tiêm chủng mở rộng"),
        cand(13, language="km", translation_of=12, added_hours=2, title="ការចាក់វ៉ាក់សាំង"),
        cand(5, category="policy", added_hours=3),
        cand(7, category="law", added_hours=0),
    ]
    both = build_day(station(languages=("vi", "km")), DAY, two_sessions(), candidates)
    assert bulletins_in(both, "Sáng") == [5, 7, 12, 13]
    assert reasons(both)[("Sáng", 13)] == "bản dịch, phát kèm bản gốc #12"
    assert reasons(both)[("Sáng", 12)] == "luân phiên: y tế"

    khmer_first = build_day(station(languages=("km", "vi")), DAY, two_sessions(), candidates)
    assert bulletins_in(khmer_first, "Sáng") == [5, 7, 13, 12]
    assert reasons(khmer_first)[("Sáng", 12)] == "phát kèm bản tin #13"

    vi_only = build_day(station(languages=("vi",)), DAY, two_sessions(), candidates)
    assert bulletins_in(vi_only, "Sáng") == [5, 7, 12]
    assert [(s.bulletin_id, s.reason) for s in vi_only.excluded] == [
        (13, "đài không phát tiếng km")
    ]


def test_a_pair_moves_together() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=10))
    candidates = [
        cand(1, minutes=5, added_hours=0),
        cand(12, minutes=3, added_hours=1),
        cand(13, minutes=3, language="km", translation_of=12, added_hours=1),
    ]
    programme = build_day(station(languages=("vi", "km")), DAY, sessions, candidates)
    assert bulletins_in(programme, "Sáng") == [1]
    assert bulletins_in(programme, "Chiều") == [12, 13]
    assert reasons(programme)[("Chiều", 12)] == "chuyển từ buổi Sáng: buổi đã đầy"
    assert reasons(programme)[("Chiều", 13)] == "bản dịch, phát kèm bản gốc #12"


def test_emergencies_are_not_scheduled_but_reported() -> None:
    candidates = [cand(1), cand(2, priority=Priority.emergency, title="Bão số 5")]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert bulletins_in(programme, "Sáng") == [1]
    assert [(s.bulletin_id, s.title, s.reason) for s in programme.excluded] == [
        (2, "Bão số 5", "khẩn cấp: phát ngay, không xếp lịch")
    ]


def test_session_too_short_for_ident_and_closing_stays_empty() -> None:
    sessions = sessions_for(DAY, [SANG], tz=VN, cap=timedelta(seconds=5))
    programme = build_day(
        station(opening=IDENT, closing=CHIME), DAY, sessions, [cand(1, minutes=0.01)]
    )
    assert programme.items == ()
    assert [(s.bulletin_id, s.reason) for s in programme.unplaced] == [(1, "buổi đã đầy: Sáng")]


def test_item_fields_come_from_the_candidate() -> None:
    c = cand(4, version=3, clip_id=77, title="Giá lúa ស្រូវ", category="agriculture_market")
    item = build_day(station(), DAY, two_sessions(), [c]).items[0]
    assert (item.bulletin_id, item.version, item.clip_id, item.clip_sha256) == (
        4,
        3,
        77,
        c.clip_sha256,
    )
    assert (item.size, item.duration_ms, item.language, item.title) == (
        c.size,
        60_000,
        "vi",
        c.title,
    )
    assert item.start == local(DAY, 5, 30)
