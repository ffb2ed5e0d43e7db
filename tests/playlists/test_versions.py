"""Determinism, storage round trip, digests, diffs, and rebuilding a programme on air."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import timedelta

import pytest

from playlists import (
    BuildInputs,
    Candidate,
    ChangeKind,
    Priority,
    Programme,
    build_day,
    diff,
    programme_digest,
    programme_from_dict,
    programme_to_dict,
    programme_to_json,
    rebuild,
    render_diff_text,
    sessions_for,
)
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
    station,
    two_sessions,
)

PLAN = station(opening=IDENT, closing=CHIME, languages=("vi", "km"))


def _mixed() -> list[Candidate]:
    categories = ["policy", "law", "health", "other", "agriculture_market"]
    out = [
        cand(n, minutes=0.5 + (n * 7 % 5) * 0.4, category=categories[n % 5], added_hours=n % 4)
        for n in range(1, 25)
    ]
    out.append(cand(40, priority=Priority.priority, added_hours=3))
    out.append(cand(41, language="km", translation_of=3, added_hours=1))
    return out


def test_same_inputs_give_identical_json_whatever_the_order() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=15))
    reference = programme_to_json(build_day(PLAN, DAY, sessions, _mixed()))
    assert reference == programme_to_json(build_day(PLAN, DAY, sessions, _mixed()))
    assert json.loads(reference)["unplaced"]  # the example is over-full: fitting is exercised
    for seed in range(5):
        shuffled = _mixed()
        random.Random(seed).shuffle(shuffled)
        reordered = sessions_for(DAY, [CHIEU, SANG], tz=VN, cap=timedelta(minutes=15))[::-1]
        assert programme_to_json(build_day(PLAN, DAY, reordered, shuffled)) == reference


def test_programme_round_trips_through_json() -> None:
    programme = build_day(PLAN, DAY, two_sessions(), _mixed())
    assert programme_from_dict(json.loads(programme_to_json(programme))) == programme
    assert programme_from_dict(programme_to_dict(programme)) == programme


def test_digest_follows_what_plays() -> None:
    programme = build_day(PLAN, DAY, two_sessions(), _mixed())
    digest = programme_digest(programme)
    assert len(digest) == 64
    assert programme_digest(build_day(PLAN, DAY, two_sessions(), _mixed())) == digest
    first = programme.items[0]
    shifted = replace(first, start=first.start + timedelta(milliseconds=1))
    moved = replace(programme, items=(shifted, *programme.items[1:]))
    assert programme_digest(moved) != digest
    # The reports are not part of what plays.
    quiet = replace(programme, unplaced=(), excluded=())
    assert programme_digest(quiet) == digest


def _three(minutes_first: float = 3, version: int = 1) -> list[Candidate]:
    return [
        cand(1, minutes=minutes_first, category="policy", version=version, clip_id=100 + version,
             clip_sha256=f"{version:064x}"),
        cand(2, minutes=3, category="law"),
        cand(3, minutes=3, category="health"),
    ]  # fmt: skip


def test_diff_is_exact_and_readable() -> None:
    sessions = sessions_for(DAY, [SANG, CHIEU], tz=VN, cap=timedelta(minutes=10))
    old = build_day(station(), DAY, sessions, _three())
    new = build_day(station(), DAY, sessions, _three(minutes_first=4, version=2))
    changes = diff(old, new)
    assert [(c.kind, c.bulletin_id) for c in changes] == [
        (ChangeKind.replaced, 1),
        (ChangeKind.retimed, 2),
        (ChangeKind.moved, 3),
    ]
    assert render_diff_text(changes, "en", VN) == "\n".join(
        [
            '~ replaced "Bản tin 1" (#1) in Sáng at 05:30:00: v1 -> v2',
            '~ retimed "Bản tin 2" (#2 v1) in Sáng: 05:33:01.500 -> 05:34:01.500',
            '~ moved "Bản tin 3" (#3 v1) from Sáng 05:36:03 to Chiều 17:00:00',
        ]
    )
    assert render_diff_text(changes, "vi", VN) == "\n".join(
        [
            '~ thay "Bản tin 1" (#1) trong buổi Sáng lúc 05:30:00: bản 1 → bản 2',
            '~ đổi giờ "Bản tin 2" (#2 bản 1) trong buổi Sáng: 05:33:01.500 → 05:34:01.500',
            '~ chuyển "Bản tin 3" (#3 bản 1) từ buổi Sáng 05:36:03 sang buổi Chiều 17:00:00',
        ]
    )
    assert diff(old, old) == []
    assert render_diff_text([], "vi") == "Không có thay đổi."
    assert render_diff_text([], "en") == "No changes."
    with pytest.raises(ValueError, match="wording"):
        render_diff_text(changes, "fr")


def _on_air() -> tuple[list[Candidate], Programme]:
    candidates = [
        cand(1, category="policy"),
        cand(2, category="law", added_hours=1),
        cand(3, category="health", added_hours=2),
        cand(4, category="other", added_hours=3),
    ]
    return candidates, build_day(PLAN, DAY, two_sessions(), candidates)


def _inputs(candidates: list[Candidate]) -> BuildInputs:
    return BuildInputs(PLAN, DAY, tuple(two_sessions()), tuple(candidates))


def test_rebuild_keeps_started_items_and_changes_only_later_ones() -> None:
    candidates, old = _on_air()
    now = old.items[2].start + timedelta(seconds=10)  # bulletin 2 is playing
    # 2 and 3 are withdrawn, a priority bulletin is approved.
    urgent = cand(9, priority=Priority.priority, added_hours=5, title="Lịch cắt điện")
    new = rebuild(old, _inputs([candidates[0], candidates[3], urgent]), now)
    started = [i for i in old.items if i.start <= now]
    assert [i for i in new.items if i.start <= now] == started
    assert [(iso_utc(i.start), i.kind.value, i.bulletin_id, i.reason) for i in new.items] == [
        ("2026-05-19T22:30:00.000Z", "opening", None, "mở đầu buổi phát"),
        ("2026-05-19T22:30:05.500Z", "bulletin", 1, "luân phiên: chính sách"),
        # Bulletin 2 is already on air: kept as it was.
        ("2026-05-19T22:31:07.000Z", "bulletin", 2, "luân phiên: pháp luật"),
        ("2026-05-19T22:32:08.500Z", "bulletin", 9, "ưu tiên"),
        ("2026-05-19T22:33:10.000Z", "bulletin", 4, "luân phiên: khác"),
        ("2026-05-19T22:34:11.500Z", "closing", None, "kết thúc buổi phát"),
    ]
    assert render_diff_text(diff(old, new), "en", VN) == "\n".join(
        [
            '- removed "Bản tin 3" (#3 v1) from Sáng at 05:32:08.500',
            '+ added "Lịch cắt điện" (#9 v1) to Sáng at 05:32:08.500',
        ]
    )


def test_rebuild_counts_kept_airings_and_closes_the_session() -> None:
    candidates, old = _on_air()
    now = old.items[1].start  # bulletin 1 starts exactly now: it counts as started
    new = rebuild(old, _inputs(candidates[:1]), now)
    assert bulletins_in(new, "Sáng") == [1]  # kept, not scheduled again anywhere
    assert bulletins_in(new, "Chiều") == []
    assert [i.kind.value for i in new.items] == ["opening", "bulletin", "closing"]
    assert new.items[2].start == old.items[1].end + timedelta(milliseconds=1500)


def test_rebuild_never_places_a_new_item_in_the_past() -> None:
    _, old = _on_air()
    now = old.items[1].end + timedelta(milliseconds=700)  # inside the gap after bulletin 1
    late = cand(9, priority=Priority.priority, added_hours=5)
    new = rebuild(old, _inputs([late]), now)
    later = [i for i in new.items if i.start > now]
    assert [i.bulletin_id for i in later] == [9, None]
    assert later[0].start == old.items[1].end + timedelta(milliseconds=1500)  # the gap holds
    # Without a closing, a session with room left takes a new item from the next millisecond.
    plain = station()
    first = build_day(plain, DAY, two_sessions(), [cand(1)])
    now = local(DAY, 5, 40, 0) + timedelta(microseconds=2500)
    inputs = BuildInputs(plain, DAY, tuple(two_sessions()), (cand(1), late))
    again = rebuild(first, inputs, now)
    assert [(i.bulletin_id, iso_utc(i.start)) for i in again.items] == [
        (1, "2026-05-19T22:30:00.000Z"),
        (9, "2026-05-19T22:40:00.003Z"),
    ]


def test_rebuild_before_and_after_the_day() -> None:
    candidates, old = _on_air()
    early = old.items[0].start - timedelta(hours=1)
    assert rebuild(old, _inputs(candidates[1:]), early) == build_day(
        PLAN, DAY, two_sessions(), candidates[1:]
    )
    after = rebuild(old, _inputs([]), old.sessions[-1].end)
    assert after.items == old.items
    with pytest.raises(ValueError, match="same station and day"):
        rebuild(old, BuildInputs(station(code="khac"), DAY, (), ()), early)
