"""Airing rules and validity windows."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from playlists import AiringRule, Priority, build_day
from tests.playlists.support import DAY, bulletins_in, cand, local, station, two_sessions


def test_already_aired_is_not_scheduled() -> None:
    candidates = [
        cand(1, aired=1),
        cand(2, airing=AiringRule.spread(3, 5, first_day=DAY), aired=3),
        cand(3, airing=AiringRule.spread(3, 5, first_day=DAY), aired=2),
    ]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert bulletins_in(programme, "Sáng") == [3]
    assert [(s.bulletin_id, s.reason) for s in programme.excluded] == [
        (1, "đã phát 1/1 lần"),
        (2, "đã phát 3/3 lần"),
    ]


def _airings_per_day(rule: AiringRule, days: int) -> list[int]:
    """Build `days` days in a row, feeding each day's airings into the next day's count."""
    aired, counts = 0, []
    for n in range(days):
        day = DAY + timedelta(days=n)
        programme = build_day(
            station(), day, two_sessions(day), [cand(1, airing=rule, aired=aired)]
        )
        sessions = Counter(i.session for i in programme.items)
        assert all(v == 1 for v in sessions.values())  # never twice in one session
        counts.append(len(programme.items))
        aired += len(programme.items)
    return counts


@pytest.mark.parametrize(
    ("times", "days", "expected"),
    [
        (3, 3, [1, 1, 1, 0]),
        (4, 3, [2, 1, 1, 0]),
        (2, 1, [2, 0, 0]),
        (6, 4, [2, 2, 1, 1, 0]),
    ],
)
def test_n_times_over_d_days_spreads(times: int, days: int, expected: list[int]) -> None:
    rule = AiringRule.spread(times, days, first_day=DAY)
    assert _airings_per_day(rule, len(expected)) == expected


def test_spread_starts_on_the_local_day_it_became_valid() -> None:
    # Valid from 23:00 local on the 19th = 16:00 UTC: the span is 19th-20th local.
    valid_from = local(date(2026, 5, 19), 23)
    c = cand(1, airing=AiringRule.spread(3, 2), valid_from=valid_from)
    programme = build_day(station(), DAY, two_sessions(), [c])
    assert len(programme.items) == 2  # ceil(3 / 1 day left), one per session
    assert [(s.bulletin_id, s.reason) for s in programme.unplaced] == [
        (1, "1/3 lượt phát trong ngày không còn buổi để xếp (mỗi buổi một lượt)")
    ]
    later = build_day(
        station(), DAY + timedelta(days=1), two_sessions(DAY + timedelta(days=1)), [c]
    )
    assert (
        later.excluded[0].reason == "đợt phát 2026-05-19 - 2026-05-20 đã kết thúc (đã phát 0/3 lần)"
    )


def test_every_session_from_a_to_b() -> None:
    rule = AiringRule.every_session(DAY, DAY + timedelta(days=1))
    c = cand(1, airing=rule, aired=7)  # counts do not end an every-session rule
    assert bulletins_in(build_day(station(), DAY, two_sessions(), [c]), "Chiều") == [1]
    assert len(build_day(station(), DAY, two_sessions(), [c]).items) == 2
    after = DAY + timedelta(days=2)
    programme = build_day(station(), after, two_sessions(after), [c])
    assert programme.items == ()
    assert programme.excluded[0].reason == "đợt phát mọi buổi đã kết thúc ngày 2026-05-21"


def test_expiry_mid_day() -> None:
    noon = local(DAY, 12)
    daily = AiringRule.every_session(DAY, DAY)
    candidates = [cand(1, airing=daily, valid_until=noon), cand(2, airing=daily)]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert bulletins_in(programme, "Sáng") == [1, 2]
    assert bulletins_in(programme, "Chiều") == [2]
    assert programme.unplaced == ()


def test_valid_from_mid_day() -> None:
    c = cand(1, valid_from=local(DAY, 12))
    programme = build_day(station(), DAY, two_sessions(), [c])
    assert bulletins_in(programme, "Sáng") == []
    assert bulletins_in(programme, "Chiều") == [1]


def test_item_must_end_before_it_expires() -> None:
    # The priority item takes 05:30-05:32; #2 would end at 05:33:01.5, after 05:32, so it goes
    # and #3 moves up into its place, ending exactly when it expires.
    ends = local(DAY, 5, 33, 1) + timedelta(milliseconds=500)
    candidates = [
        cand(1, minutes=2, priority=Priority.priority),
        cand(2, minutes=1, valid_until=local(DAY, 5, 32)),
        cand(3, minutes=1, valid_until=ends, added_hours=1),
    ]
    programme = build_day(station(), DAY, two_sessions(), candidates)
    assert bulletins_in(programme, "Sáng") == [1, 3]
    assert programme.items[1].end == ends
    assert [(s.bulletin_id, s.reason) for s in programme.unplaced] == [
        (2, "sẽ kết thúc sau khi hết hiệu lực lúc 2026-05-19T22:32:00.000Z (UTC)")
    ]


@pytest.mark.parametrize("airing", [AiringRule.once(), AiringRule.every_session(DAY, DAY)])
def test_not_valid_today_is_excluded(airing: AiringRule) -> None:
    c = cand(1, valid_until=local(DAY, 5, 0), airing=airing)
    programme = build_day(station(), DAY, two_sessions(), [c])
    assert [s.reason for s in programme.excluded] == [
        "không có hiệu lực trong buổi phát nào của ngày: "
        "hiệu lực đến 2026-05-19T22:00:00.000Z (UTC)"
    ]


def test_bad_candidates_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        cand(1, valid_until=local(DAY, 5).replace(tzinfo=None))
    with pytest.raises(ValueError, match="one candidate per bulletin"):
        build_day(station(), DAY, two_sessions(), [cand(1), cand(1, version=2)])
    with pytest.raises(ValueError, match="translation cycle"):
        build_day(
            station(), DAY, two_sessions(), [cand(1, translation_of=2), cand(2, translation_of=1)]
        )
    with pytest.raises(ValueError, match="sha256"):
        cand(1, clip_sha256="abc")
