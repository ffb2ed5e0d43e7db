"""Building, versioning and exporting stations' daily programmes.

A build feeds `playlists` from the database and stores the result as the next version of the
station's programme for that local day, with a readable diff, unless nothing changed (equal
digests). A programme on air keeps every item already started; later items are chosen again.
Days that are over are never rebuilt.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

import playlists
from media.store import MediaStore
from playlists.export import build_manifest, sign_manifest, to_m3u8, to_xspf
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import Clip, Jingle, Station, StationToken
from studio.onair_models import Emergency
from studio.programme_feed import candidates, station_plan
from studio.schedule_models import ProgrammeVersion, SessionAudio
from studio.settings import Settings
from studio.types import ClipStatus, utcnow
from studio.windows import ScheduleIndex

MEDIA_PATH = "api/v1/media/{sha256}.mp3"  # clip URL path below the public base URL
MAX_DAYS_AHEAD = 31


@dataclass(frozen=True)
class BuildResult:
    station: str
    day: date
    version: int
    created: bool  # False: the build equalled the current version, nothing stored
    changes: int
    diff_text: str
    programme: playlists.Programme
    refused: tuple[playlists.RefusedSession, ...]


def local_today(tz: str, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(ZoneInfo(tz)).date()


def check_buildable(station: Station, day: date, now: datetime) -> None:
    today = local_today(station.timezone, now)
    if day < today:
        raise InvalidInput(f"Ngày {day.isoformat()} đã qua; không thể lập lại chương trình")
    if day > today + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidInput(f"Chỉ lập chương trình trước tối đa {MAX_DAYS_AHEAD} ngày")


def current_version(session: Session, station_id: int, day: date) -> ProgrammeVersion | None:
    return session.exec(
        select(ProgrammeVersion).where(
            ProgrammeVersion.station_id == station_id,
            ProgrammeVersion.day == day,
            col(ProgrammeVersion.is_current).is_(True),
        )
    ).first()


def versions(session: Session, station_id: int, day: date) -> list[ProgrammeVersion]:
    return list(
        session.exec(
            select(ProgrammeVersion)
            .where(ProgrammeVersion.station_id == station_id, ProgrammeVersion.day == day)
            .order_by(col(ProgrammeVersion.version).desc())
        )
    )


def programme_of(row: ProgrammeVersion) -> playlists.Programme:
    return playlists.programme_from_dict(row.data)


def build(
    session: Session,
    settings: Settings,
    actor: Actor,
    station: Station,
    day: date,
    *,
    now: datetime | None = None,
    reason: str = "",
    index: ScheduleIndex | None = None,
) -> BuildResult:
    """Build (or rebuild) the station's programme of local `day`; flushes, does not commit."""
    now = now or utcnow()
    check_buildable(station, day, now)
    assert station.id is not None
    index = index or ScheduleIndex(session)
    schedule = index.for_station(station)
    plan = schedule.plan(day)
    area_ids = [a.id for a in index.chain(station.area_id) if a.id is not None]
    inputs = playlists.BuildInputs(
        station=station_plan(session, station, settings),
        day=day,
        sessions=plan.sessions,
        candidates=tuple(candidates(session, station, area_ids, day)),
    )
    current = current_version(session, station.id, day)
    # Without a previous version the day starts empty: on a day already under way nothing is
    # placed before `now` either way.
    previous = (
        programme_of(current)
        if current is not None
        else playlists.Programme(station.code, day, station.timezone, (), ())
    )
    programme = playlists.rebuild(previous, inputs, now)
    digest = playlists.programme_digest(programme)
    if current is not None and current.digest == digest:
        return BuildResult(
            station.code, day, current.version, False, 0, "", programme, plan.refused
        )
    changes = playlists.diff(previous, programme)
    lines = session_changes(previous, programme)
    if changes or not lines:
        lines.append(playlists.render_diff_text(changes, "vi", station.timezone))
    text = "\n".join(lines)
    count = len(changes) + len(session_changes(previous, programme))
    version = (current.version + 1) if current is not None else 1
    if current is not None:
        current.is_current = False
        session.add(current)
        session.flush()
    row = ProgrammeVersion(
        station_id=station.id,
        day=day,
        version=version,
        is_current=True,
        digest=digest,
        data=dict(playlists.programme_to_dict(programme)),
        diff_text=text,
        changes=count,
        reason=reason[:300],
        built_by=f"{actor.via}:{actor.label}"[:100],
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:
        raise Conflict(
            f"Chương trình của đài {station.code} ngày {day} vừa được lập bởi tiến trình khác"
        ) from None
    record(
        session,
        actor,
        "programme.build",
        "programme",
        f"{station.code}/{day.isoformat()}",
        after={"version": version, "digest": digest, "items": len(programme.items)},
        detail=(reason + "\n" + text).strip(),
    )
    return BuildResult(station.code, day, version, True, count, text, programme, plan.refused)


def session_changes(old: playlists.Programme, new: playlists.Programme) -> list[str]:
    """Sessions added, dropped or moved, one line each, on the station's wall clock."""
    zone = ZoneInfo(new.tz)

    def span(s: playlists.Session) -> str:
        start, end = s.start.astimezone(zone), s.end.astimezone(zone)
        return f"{start:%H:%M:%S}-{end:%H:%M:%S}"

    before = {s.name: s for s in old.sessions}
    after = {s.name: s for s in new.sessions}
    lines = []
    for s in new.sessions:
        if s.name not in before:
            lines.append(f"+ thêm buổi {s.name} {span(s)}")
        elif (before[s.name].start, before[s.name].end) != (s.start, s.end):
            lines.append(f"~ buổi {s.name}: {span(before[s.name])} thành {span(s)}")
    lines += [f"- bỏ buổi {s.name} {span(s)}" for s in old.sessions if s.name not in after]
    return lines


# ------------------------------------------------------------------ exports
def signing_key(token_sha256: str) -> str:
    """The manifest's HMAC key: the lowercase hex sha256 of the station token, which the
    endpoint computes from the token it holds and the server stores (never the token)."""
    return token_sha256


def newest_token(session: Session, station_id: int) -> StationToken | None:
    return session.exec(
        select(StationToken)
        .where(StationToken.station_id == station_id, col(StationToken.revoked_at).is_(None))
        .order_by(col(StationToken.id).desc())
    ).first()


def session_content_key(items: Sequence[playlists.ProgrammeItem], start: datetime, fmt: str) -> str:
    """What a session file contains: each clip and its offset from the session start."""
    parts = [
        f"{(i.start - start) // timedelta(milliseconds=1)}:{i.clip_sha256}:{i.duration_ms}"
        for i in items
    ]
    return hashlib.sha256("\n".join([fmt, *parts]).encode()).hexdigest()


def session_format(settings: Settings) -> str:
    return f"mp3:{settings.media.sample_rate}:{settings.media.bitrate_kbps}:1"


def session_files(
    session: Session, settings: Settings, programme: playlists.Programme
) -> dict[str, SessionAudio]:
    """The rendered file of each session that has one, by session name."""
    fmt = session_format(settings)
    keys = {}
    for s in programme.sessions:
        items = [i for i in programme.items if i.session == s.name]
        if items:
            keys[session_content_key(items, s.start, fmt)] = s.name
    if not keys:
        return {}
    rows = session.exec(select(SessionAudio).where(col(SessionAudio.content_key).in_(keys)))
    return {keys[r.content_key]: r for r in rows}


def manifest(
    session: Session,
    settings: Settings,
    station: Station,
    row: ProgrammeVersion,
    token: StationToken | None,
) -> dict[str, Any]:
    """The JSON manifest, signed with the key of `token` (the caller's own, or for staff the
    station's newest token); unsigned (`signature` null) when the station has no token."""
    programme = programme_of(row)
    base = settings.public_base_url
    data = build_manifest(programme, base, MEDIA_PATH)
    data["version"] = row.version
    data["built_at"] = row.built_at.isoformat().replace("+00:00", "Z")
    files = session_files(session, settings, programme)
    for entry in data["sessions"]:
        audio = files.get(entry["name"])
        entry["audio"] = (
            None
            if audio is None
            else {
                "url": f"{base}/{MEDIA_PATH.format(sha256=audio.sha256)}",
                "sha256": audio.sha256,
                "size": audio.size_bytes,
                "duration_ms": audio.duration_ms,
            }
        )
    data["token_id"] = token.id if token is not None else None
    if token is None:
        return {**data, "signature": None}
    return sign_manifest(data, signing_key(token.token_sha256))


def m3u8(settings: Settings, row: ProgrammeVersion) -> str:
    return to_m3u8(programme_of(row), settings.public_base_url, MEDIA_PATH)


def xspf(settings: Settings, row: ProgrammeVersion) -> str:
    return to_xspf(programme_of(row), settings.public_base_url, MEDIA_PATH)


def require_current(session: Session, station: Station, day: date) -> ProgrammeVersion:
    assert station.id is not None
    row = current_version(session, station.id, day)
    if row is None:
        raise NotFound(f"Đài {station.code} chưa có chương trình ngày {day.isoformat()}")
    return row


def broadcast_media_path(session: Session, settings: Settings, sha256: str) -> Path | None:
    """Where the media store keeps MP3 `sha256`, if it is a file endpoints may fetch: a ready
    clip, a jingle, a rendered session or an emergency's audio (the store holds other files
    too, e.g. masters)."""
    found = (
        session.exec(
            select(Clip.id).where(Clip.sha256 == sha256, Clip.status == ClipStatus.ready)
        ).first()
        or session.exec(select(Jingle.id).where(Jingle.sha256 == sha256)).first()
        or session.exec(select(SessionAudio.id).where(SessionAudio.sha256 == sha256)).first()
        or session.exec(select(Emergency.id).where(Emergency.clip_sha256 == sha256)).first()
    )
    return MediaStore(settings.media_dir).path_for(sha256, "mp3") if found is not None else None
