"""Property tests over random windows, days (month, year and DST boundaries) and candidates."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from playlists import (
    AiringRule,
    BroadcastWindow,
    BuildInputs,
    Candidate,
    Priority,
    Programme,
    ProgrammeItem,
    QuietHours,
    Session,
    StationPlan,
    build_day,
    diff,
    plan_sessions,
    programme_from_dict,
    programme_to_dict,
    programme_to_json,
    rebuild,
    render_diff_text,
)
from tests.playlists.support import CHIME, IDENT, sha

ZONES = ["Asia/Ho_Chi_Minh", "Europe/Paris"]
EDGE_DAYS = [
    date(2026, 1, 1), date(2026, 12, 31), date(2027, 1, 1), date(2026, 2, 28), date(2028, 2, 29),
    date(2026, 3, 1), date(2026, 4, 30), date(2026, 5, 31), date(2026, 6, 1),
    date(2026, 3, 29), date(2026, 10, 25),  # Paris: clocks forward, clocks back
]  # fmt: skip
# Quiet hours that cover Paris' DST hour (02:00-03:00), so wall-clock checks stay unambiguous.
QUIETS = [QuietHours(), QuietHours(time(22), time(6)), QuietHours(time(20), time(4, 30)), None]
NAMES = ["Sáng", "Trưa", "Chiều", "Tối", "Sớm"]
CATEGORIES = ["policy", "law", "health", "other", "agriculture_market"]

# Weighted towards what usually happens, so that most examples place several items.
hours = st.one_of(st.integers(5, 20), st.integers(0, 23))
sometimes = st.sampled_from([True, False, False])
priorities = st.sampled_from([Priority.normal] * 3 + [Priority.priority, Priority.emergency])
days = st.one_of(st.sampled_from(EDGE_DAYS), st.dates(date(2024, 1, 1), date(2030, 12, 31)))


@st.composite
def windows(draw: st.DrawFn) -> list[BroadcastWindow]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    return [
        BroadcastWindow(
            name,
            time(draw(hours), draw(st.integers(0, 59)), draw(st.integers(0, 59))),
            timedelta(minutes=draw(st.integers(1, 120))),
            weekdays=tuple(draw(st.sets(st.integers(0, 6), min_size=5))),
        )
        for name in names
    ]


@st.composite
def candidates(draw: st.DrawFn, day: date, zone: ZoneInfo) -> list[Candidate]:
    midnight = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    count = draw(st.one_of(st.integers(4, 18), st.integers(0, 18)))
    out = []
    for n in range(1, count + 1):
        valid_from = valid_until = None
        if draw(sometimes):
            valid_from = midnight + timedelta(minutes=draw(st.integers(-600, 1500)))
        if draw(sometimes):
            base = valid_from or midnight
            valid_until = base + timedelta(minutes=draw(st.integers(1, 1800)))
        mode = draw(st.sampled_from(["once", "spread", "every"]))
        airing = {
            "once": AiringRule.once(),
            "spread": AiringRule.spread(draw(st.integers(1, 5)), draw(st.integers(1, 3))),
            "every": AiringRule.every_session(day - timedelta(days=1), day),
        }[mode]
        out.append(
            Candidate(
                bulletin_id=n,
                version=draw(st.integers(1, 3)),
                clip_id=1000 + n,
                clip_sha256=sha(n),
                size=1000 + n,
                duration_ms=draw(st.integers(1_000, 8 * 60_000)),
                title=f"Bản tin {n} ព័ត៌មាន",
                language=draw(st.sampled_from(["vi", "vi", "km", "fr"])),
                category=draw(st.sampled_from(CATEGORIES)),
                priority=draw(priorities),
                added_at=midnight - timedelta(minutes=draw(st.integers(0, 5000))),
                valid_from=valid_from,
                valid_until=valid_until,
                translation_of=draw(st.sampled_from([None, n - 1, 1])) if n > 1 else None,
                airing=airing,
                aired=draw(st.sampled_from([0, 0, 0, 1, 2])),
            )
        )
    return out


@dataclass(frozen=True)
class Case:
    inputs: BuildInputs
    quiet: QuietHours | None
    cap: timedelta | None
    windows: list[BroadcastWindow]


@st.composite
def cases(draw: st.DrawFn) -> Case:
    tz = draw(st.sampled_from(ZONES))
    day = draw(days)
    quiet = draw(st.sampled_from(QUIETS))
    cap = draw(st.one_of(st.none(), st.integers(5, 60).map(lambda m: timedelta(minutes=m))))
    chosen = draw(windows())
    plan = plan_sessions(day, chosen, tz=tz, quiet=quiet or QuietHours(time(0), time(0)), cap=cap)
    languages = draw(st.sampled_from([("vi",), ("vi", "km"), ("km", "vi")]))
    station = StationPlan(
        "st-1",
        tz,
        languages,
        opening=draw(st.sampled_from([None, IDENT])),
        closing=draw(st.sampled_from([None, CHIME])),
        gap_ms=draw(st.integers(0, 5000)),
    )
    found = draw(candidates(day, ZoneInfo(tz)))
    return Case(BuildInputs(station, day, plan.sessions, tuple(found)), quiet, cap, chosen)


def _in_quiet(wall: time, quiet: QuietHours) -> bool:
    if quiet.start > quiet.end:
        return wall >= quiet.start or wall < quiet.end
    return quiet.start <= wall < quiet.end


def check_sessions(case: Case) -> None:
    zone = ZoneInfo(case.inputs.station.tz)
    by_name = {w.name: w for w in case.windows}
    previous: Session | None = None
    for session in case.inputs.sessions:
        assert session.length_ms <= by_name[session.name].max_length // timedelta(milliseconds=1)
        if case.cap is not None:
            assert session.end - session.start <= case.cap
        if previous is not None:
            assert previous.end <= session.start
        previous = session
        if case.quiet is None:
            continue
        at = session.start
        while at < session.end:  # every minute and the last millisecond
            assert not _in_quiet(at.astimezone(zone).time(), case.quiet), (session, at)
            at = min(at + timedelta(minutes=1), session.end - timedelta(milliseconds=1))
            if at == session.end - timedelta(milliseconds=1):
                assert not _in_quiet(at.astimezone(zone).time(), case.quiet)
                break


def check_programme(inputs: BuildInputs, programme: Programme, kept: Sequence[object] = ()) -> None:
    station, sessions = inputs.station, {s.name: s for s in inputs.sessions}
    by_id = {c.bulletin_id: c for c in inputs.candidates}
    gap = timedelta(milliseconds=station.gap_ms)
    items = programme.items
    for item in items:
        session = sessions[item.session]
        assert session.start <= item.start
        assert item.end <= session.end
        if item.bulletin_id is not None and item not in kept:
            c = by_id[item.bulletin_id]
            assert c.language in station.languages
            assert c.priority is not Priority.emergency
            assert c.valid_from is None or c.valid_from <= session.start
            assert c.valid_until is None or item.end <= c.valid_until
    for a, b in zip(items, items[1:], strict=False):
        assert a.end + gap <= b.start, (a, b)
    per_session = Counter((i.session, i.bulletin_id) for i in items if i.bulletin_id is not None)
    assert all(n == 1 for n in per_session.values())
    placed = {i.bulletin_id for i in items if i.bulletin_id is not None}
    excluded = {s.bulletin_id for s in programme.excluded}
    unplaced = {s.bulletin_id for s in programme.unplaced}
    assert all(s.reason for s in programme.excluded + programme.unplaced)
    assert not placed & excluded
    assert not unplaced & excluded
    assert placed | excluded | unplaced >= set(by_id)
    assert excluded | unplaced <= set(by_id)


@settings(max_examples=300, deadline=None)
@given(cases())
def test_random_days_respect_windows_gaps_and_validity(case: Case) -> None:
    check_sessions(case)
    programme = build_day(
        case.inputs.station, case.inputs.day, case.inputs.sessions, case.inputs.candidates
    )
    check_programme(case.inputs, programme)
    assert programme_from_dict(programme_to_dict(programme)) == programme


@settings(max_examples=150, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_random_days_are_deterministic(case: Case, rng: random.Random) -> None:
    inputs = case.inputs
    reference = programme_to_json(
        build_day(inputs.station, inputs.day, inputs.sessions, inputs.candidates)
    )
    shuffled = list(inputs.candidates)
    rng.shuffle(shuffled)
    sessions = list(inputs.sessions)
    rng.shuffle(sessions)
    assert programme_to_json(build_day(inputs.station, inputs.day, sessions, shuffled)) == reference


@settings(max_examples=150, deadline=None)
@given(cases(), st.integers(-60, 26 * 60), st.data())
def test_random_rebuilds_keep_the_past(case: Case, minute: int, data: st.DataObject) -> None:
    inputs = case.inputs
    old = build_day(inputs.station, inputs.day, inputs.sessions, inputs.candidates)
    start = datetime.combine(inputs.day, time(0), tzinfo=ZoneInfo(inputs.station.tz))
    now = start.astimezone(UTC) + timedelta(
        minutes=minute, milliseconds=data.draw(st.integers(0, 999))
    )
    survivors = tuple(c for c in inputs.candidates if data.draw(st.booleans()))
    changed = BuildInputs(inputs.station, inputs.day, inputs.sessions, survivors)
    new = rebuild(old, changed, now)
    started = [i for i in old.items if i.start <= now]
    assert [i for i in new.items if i.start <= now] == started
    check_programme(changed, new, started)
    check_diff(old, new)


def _where(item: ProgrammeItem) -> tuple[object, ...]:
    return (item.session, item.start, item.duration_ms, item.kind, item.clip_sha256,
            item.bulletin_id, item.version)  # fmt: skip


def check_diff(old: Programme, new: Programme) -> None:
    """The diff accounts for every difference and nothing else: what it does not mention is
    identical in both versions."""
    changes = diff(old, new)
    before = Counter(_where(c.old) for c in changes if c.old is not None)
    after = Counter(_where(c.new) for c in changes if c.new is not None)
    assert before <= Counter(_where(i) for i in old.items)
    assert after <= Counter(_where(i) for i in new.items)
    assert (
        Counter(_where(i) for i in old.items) - before
        == Counter(_where(i) for i in new.items) - after
    )
    assert all(c.old != c.new for c in changes)
    assert render_diff_text(changes, "vi", old.tz).count("\n") == max(len(changes) - 1, 0)
