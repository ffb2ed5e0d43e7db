"""A station's programme for one local day, from plain values; and its rebuild while on air.

Deterministic: inputs are sorted by stable keys before use, no set or dict order reaches the
output, and the clock is an argument (`now`), never read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from playlists.airing import quota_today
from playlists.fill import Slot, Unit, fill
from playlists.model import (
    Candidate,
    ItemKind,
    Priority,
    Programme,
    ProgrammeItem,
    Session,
    Skipped,
    StationPlan,
)
from playlists.times import MS, iso_utc, utc_ms


@dataclass(frozen=True, slots=True)
class BuildInputs:
    station: StationPlan
    day: date
    sessions: tuple[Session, ...]
    candidates: tuple[Candidate, ...]


@dataclass(slots=True)
class _Demand:
    candidate: Candidate
    quota: int
    placed: int = 0
    full_in: list[str] = field(default_factory=list)
    late: bool = False


def build_day(
    station: StationPlan, day: date, sessions: Sequence[Session], candidates: Sequence[Candidate]
) -> Programme:
    """The programme of local `day`: its sessions filled from `candidates`."""
    return _assemble(BuildInputs(station, day, tuple(sessions), tuple(candidates)), (), None)


def rebuild(previous: Programme, inputs: BuildInputs, now: datetime) -> Programme:
    """`previous` rebuilt from new inputs: items started by `now` (planned start <= now) stay
    exactly as they were and count as airings; only later items are chosen again."""
    if previous.station != inputs.station.code or previous.day != inputs.day:
        raise ValueError("rebuild needs the same station and day as the previous programme")
    now = utc_ms(now, "now")
    kept = tuple(item for item in previous.items if item.start <= now)
    return _assemble(inputs, kept, now)


def _skip(c: Candidate, reason: str) -> Skipped:
    return Skipped(c.bulletin_id, c.version, c.title, c.language, reason)


def _valid_in(c: Candidate, session: Session) -> bool:
    if c.valid_from is not None and c.valid_from > session.start:
        return False
    end = session.start + timedelta(milliseconds=c.duration_ms)
    return c.valid_until is None or c.valid_until >= end


def _checked(inputs: BuildInputs) -> tuple[list[Session], list[Candidate]]:
    sessions = sorted(inputs.sessions, key=lambda s: (s.start, s.name))
    if len({s.name for s in sessions}) != len(sessions):
        raise ValueError("session names must be unique within a day")
    if any(s.day != inputs.day for s in sessions):
        raise ValueError(f"every session must belong to {inputs.day}")
    candidates = sorted(inputs.candidates, key=lambda c: (c.bulletin_id, c.version))
    ids = [c.bulletin_id for c in candidates]
    if len(set(ids)) != len(ids):
        raise ValueError("one candidate per bulletin: pass only its approved version")
    return sessions, candidates


def _demands(
    inputs: BuildInputs,
    sessions: list[Session],
    candidates: list[Candidate],
    kept: tuple[ProgrammeItem, ...],
) -> tuple[dict[int, _Demand], list[Skipped]]:
    station, zone = inputs.station, inputs.station.zone
    kept_count = Counter(i.bulletin_id for i in kept if i.bulletin_id is not None)
    demands: dict[int, _Demand] = {}
    excluded: list[Skipped] = []
    for c in candidates:
        valid = sum(1 for s in sessions if _valid_in(c, s))
        quota, why = quota_today(c, inputs.day, zone, valid)
        if c.priority is Priority.emergency:
            excluded.append(_skip(c, "khẩn cấp: phát ngay, không xếp lịch"))
        elif c.language not in station.languages:
            excluded.append(_skip(c, f"đài không phát tiếng {c.language}"))
        elif quota == 0 and why:
            excluded.append(_skip(c, why))
        elif valid == 0 and not kept_count[c.bulletin_id]:
            excluded.append(_skip(c, _not_valid(c, bool(sessions))))
        else:
            demands[c.bulletin_id] = _Demand(c, quota, placed=kept_count[c.bulletin_id])
    return demands, excluded


def _not_valid(c: Candidate, any_session: bool) -> str:
    if not any_session:
        return "ngày này không có buổi phát nào"
    span = [f"từ {iso_utc(c.valid_from)}"] if c.valid_from is not None else []
    span += [f"đến {iso_utc(c.valid_until)}"] if c.valid_until is not None else []
    return "không có hiệu lực trong buổi phát nào của ngày: hiệu lực " + " ".join(span) + " (UTC)"


def _groups(
    demands: dict[int, _Demand], languages: tuple[str, ...]
) -> list[tuple[Candidate, list[Candidate]]]:
    """Originals with their translations, members in the station's language order."""

    def root(bulletin_id: int) -> int:
        seen = {bulletin_id}
        parent = demands[bulletin_id].candidate.translation_of
        while parent is not None and parent in demands:
            if parent in seen:
                raise ValueError(f"translation cycle through bulletin {parent}")
            seen.add(parent)
            bulletin_id, parent = parent, demands[parent].candidate.translation_of
        return bulletin_id

    groups: dict[int, list[Candidate]] = {}
    for bulletin_id in sorted(demands):
        groups.setdefault(root(bulletin_id), []).append(demands[bulletin_id].candidate)
    order = {language: i for i, language in enumerate(languages)}
    return [
        (demands[r].candidate, sorted(groups[r], key=lambda c: (order[c.language], c.bulletin_id)))
        for r in sorted(groups)
    ]


def _slot(
    station: StationPlan, session: Session, kept: tuple[ProgrammeItem, ...], now: datetime | None
) -> Slot | None:
    gap = timedelta(milliseconds=station.gap_ms)
    mine = [i for i in kept if i.session == session.name]
    if any(i.kind is ItemKind.closing for i in mine):
        return None
    start = session.start
    for item in kept:
        if item.session == session.name or (item.start < session.end and item.end > session.start):
            start = max(start, item.end + gap)
    if now is not None:
        start = max(start, now + MS)  # a new item must not count as started already
    if start >= session.end:
        return None
    opening = None if mine else station.opening
    return Slot(
        session.name, start, session.end, opening, station.closing, bool(mine), station.gap_ms
    )


def _assemble(
    inputs: BuildInputs, kept: tuple[ProgrammeItem, ...], now: datetime | None
) -> Programme:
    station = inputs.station
    sessions, candidates = _checked(inputs)
    demands, excluded = _demands(inputs, sessions, candidates, kept)
    groups = _groups(demands, station.languages)
    items = list(kept)
    moved: dict[int, str] = {}
    for session in sessions:
        slot = _slot(station, session, kept, now)
        if slot is None:
            continue
        here = {i.bulletin_id for i in kept if i.session == session.name}
        units = []
        for root, group in groups:
            members = tuple(
                c
                for c in group
                if demands[c.bulletin_id].placed < demands[c.bulletin_id].quota
                and c.bulletin_id not in here
                and _valid_in(c, session)
                and not demands[c.bulletin_id].late
            )
            if members:
                units.append(Unit(root, members))
        filled = fill(slot, units, station.category_order, moved)
        items.extend(filled.items)
        for c in filled.placed:
            demands[c.bulletin_id].placed += 1
            moved.pop(c.bulletin_id, None)
        for c in filled.overflow:
            demands[c.bulletin_id].full_in.append(session.name)
            moved.setdefault(c.bulletin_id, session.name)
        for c in filled.late:
            demands[c.bulletin_id].late = True
    return Programme(
        station=station.code,
        day=inputs.day,
        tz=station.tz,
        sessions=tuple(sessions),
        items=tuple(sorted(items, key=lambda i: (i.start, i.session))),
        unplaced=tuple(_unplaced(demands)),
        excluded=tuple(excluded),
    )


def _unplaced(demands: dict[int, _Demand]) -> list[Skipped]:
    out = []
    for bulletin_id in sorted(demands):
        d = demands[bulletin_id]
        missing = d.quota - d.placed
        if missing <= 0:
            continue
        c = d.candidate
        if d.late:
            assert c.valid_until is not None
            reason = f"sẽ kết thúc sau khi hết hiệu lực lúc {iso_utc(c.valid_until)} (UTC)"
        elif d.full_in:
            reason = "buổi đã đầy: " + ", ".join(d.full_in)
        else:
            reason = f"{missing}/{d.quota} lượt phát trong ngày không còn buổi để xếp"
            reason += " (mỗi buổi một lượt)"
        out.append(_skip(c, reason))
    return out
