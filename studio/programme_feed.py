"""What the pure builder (`playlists`) is fed from the database, for one station and day.

Candidates are the bulletins whose standing approval names a ready clip, that target the
station directly or through its area (or any area above it), and whose validity touches the
local day. Airings before the day are counted from the current programmes of earlier days
(what was planned to air); the as-run log replaces that count once stations report it.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

import playlists
from studio.asrun import aired_counts
from studio.models import (
    Bulletin,
    BulletinTarget,
    Clip,
    Jingle,
    Station,
    airing_rule_of,
)
from studio.schedule_models import ProgrammeVersion
from studio.settings import Settings
from studio.types import AiringMode, BulletinStatus, ClipStatus

# How far back earlier programmes are read for airing counts (a spread lasts at most 366 days).
AIRING_LOOKBACK_DAYS = 366


def day_bounds(day: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants at which local `day` starts and ends."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def _jingle(session: Session, jingle_id: int | None) -> playlists.StationClip | None:
    if jingle_id is None:
        return None
    row = session.get(Jingle, jingle_id)
    if row is None:
        return None
    assert row.id is not None
    return playlists.StationClip(row.id, row.sha256, row.size_bytes, row.duration_ms, row.title)


def station_plan(session: Session, station: Station, settings: Settings) -> playlists.StationPlan:
    return playlists.StationPlan(
        code=station.code,
        tz=station.timezone,
        languages=tuple(station.languages),
        opening=_jingle(session, station.opening_jingle_id),
        closing=_jingle(session, station.closing_jingle_id),
        gap_ms=station.gap_ms if station.gap_ms is not None else settings.programme.gap_ms,
    )


def _airing(bulletin: Bulletin) -> playlists.AiringRule:
    rule = airing_rule_of(bulletin)
    if rule.mode is AiringMode.every_session:
        assert rule.first_day is not None
        assert rule.last_day is not None
        return playlists.AiringRule.every_session(rule.first_day, rule.last_day)
    if rule.mode is AiringMode.once:
        return playlists.AiringRule.once()
    return playlists.AiringRule.spread(rule.times, rule.days, rule.first_day)


def aired_before(session: Session, station_id: int, day: date) -> Counter[int]:
    """Airings per bulletin on the station's earlier days: from the as-run log for days the
    station reported, else from the current programme of that day (what was planned)."""
    rows = session.exec(
        select(col(ProgrammeVersion.day), col(ProgrammeVersion.data)).where(
            ProgrammeVersion.station_id == station_id,
            col(ProgrammeVersion.is_current).is_(True),
            col(ProgrammeVersion.day) < day,
            col(ProgrammeVersion.day) >= day - timedelta(days=AIRING_LOOKBACK_DAYS),
        )
    ).all()
    reported = aired_counts(session, station_id, [d for d, _ in rows])
    counts: Counter[int] = Counter()
    for planned_day, data in rows:
        if planned_day in reported:
            counts.update(reported[planned_day])
            continue
        for item in data.get("items", []):
            if item.get("bulletin_id") is not None:
                counts[int(item["bulletin_id"])] += 1
    return counts


def candidates(
    session: Session, station: Station, area_ids: list[int], day: date
) -> list[playlists.Candidate]:
    """Approved bulletins with their approved, ready clip that target the station."""
    assert station.id is not None
    day_start, day_end = day_bounds(day, station.timezone)
    targeted = select(BulletinTarget.bulletin_id).where(
        or_(
            BulletinTarget.station_id == station.id,
            col(BulletinTarget.area_id).in_(area_ids),
        )
    )
    rows = session.exec(
        select(Bulletin, Clip)
        .join(Clip, col(Clip.id) == col(Bulletin.approved_clip_id))
        .where(
            Bulletin.status == BulletinStatus.approved,
            col(Bulletin.approved_version).is_not(None),
            Clip.status == ClipStatus.ready,
            col(Clip.bulletin_id) == col(Bulletin.id),
            col(Clip.bulletin_version) == col(Bulletin.approved_version),
            col(Bulletin.id).in_(targeted),
            or_(col(Bulletin.valid_until).is_(None), col(Bulletin.valid_until) > day_start),
            or_(col(Bulletin.valid_from).is_(None), col(Bulletin.valid_from) < day_end),
        )
        .order_by(col(Bulletin.id))
    ).all()
    aired = aired_before(session, station.id, day) if rows else Counter()
    out = []
    for bulletin, clip in rows:
        assert bulletin.id is not None
        assert clip.id is not None
        assert bulletin.approved_version is not None
        if clip.sha256 is None or not clip.size_bytes or not clip.duration_ms:
            continue  # a ready clip always has these; a damaged row must not stop the build
        out.append(
            playlists.Candidate(
                bulletin_id=bulletin.id,
                version=bulletin.approved_version,
                clip_id=clip.id,
                clip_sha256=clip.sha256,
                size=clip.size_bytes,
                duration_ms=clip.duration_ms,
                title=bulletin.title,
                language=str(bulletin.language),
                category=str(bulletin.category),
                priority=playlists.Priority(str(bulletin.priority)),
                added_at=bulletin.created_at,
                valid_from=bulletin.valid_from,
                valid_until=bulletin.valid_until,
                translation_of=bulletin.translation_of,
                airing=_airing(bulletin),
                aired=aired[bulletin.id],
            )
        )
    return out
