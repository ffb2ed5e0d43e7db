"""Reading emergencies: their API shape, the list (newest first) and one with its targets."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session, col, func, select

from studio.errors import NotFound
from studio.models import Station, User
from studio.onair_models import Emergency, EmergencyTarget
from studio.pagination import paginate
from studio.types import CapStatus, EmergencyState


class EmergencyTargetPublic(BaseModel):
    station_code: str
    station_name: str
    pushed_at: datetime | None
    first_aired_at: datetime | None
    airings: int
    error: str


class EmergencyPublic(BaseModel):
    id: int
    cap_status: CapStatus
    state: EmergencyState
    title: str
    text: str
    language: str
    bulletin_id: int | None
    clip_sha256: str
    audio_url: str
    duration_ms: int
    engine: str
    repeat: int
    interval_s: int
    chime: bool
    expires_at: datetime | None
    created_by: str
    created_at: datetime
    cancelled_at: datetime | None
    cancelled_by: str | None
    target_count: int
    aired_count: int  # stations where it has started at least once
    targets: list[EmergencyTargetPublic] | None = None  # in the detail only


def get_emergency(session: Session, emergency_id: int) -> Emergency:
    emergency = session.get(Emergency, emergency_id)
    if emergency is None:
        raise NotFound(f"Không tìm thấy lệnh phát khẩn cấp {emergency_id}")
    return emergency


def targets_of(session: Session, emergency_id: int) -> list[tuple[EmergencyTarget, Station]]:
    rows = session.exec(
        select(EmergencyTarget, Station)
        .join(Station, col(Station.id) == EmergencyTarget.station_id)
        .where(EmergencyTarget.emergency_id == emergency_id)
        .order_by(col(Station.code))
    ).all()
    return [(t, s) for t, s in rows]


def list_emergencies(session: Session, offset: int, limit: int) -> tuple[list[Emergency], int]:
    query = select(Emergency).order_by(col(Emergency.created_at).desc(), col(Emergency.id).desc())
    return paginate(session, query, offset, limit)


def _username(session: Session, user_id: int | None) -> str | None:
    user = session.get(User, user_id) if user_id is not None else None
    return user.username if user is not None else None


def to_public(session: Session, emergency: Emergency, *, detail: bool = False) -> EmergencyPublic:
    assert emergency.id is not None
    counts = session.exec(
        select(func.count(), func.count(col(EmergencyTarget.first_aired_at))).where(
            EmergencyTarget.emergency_id == emergency.id
        )
    ).one()
    targets = None
    if detail:
        targets = [
            EmergencyTargetPublic(
                station_code=station.code,
                station_name=station.name,
                pushed_at=target.pushed_at,
                first_aired_at=target.first_aired_at,
                airings=target.airings,
                error=target.error,
            )
            for target, station in targets_of(session, emergency.id)
        ]
    return EmergencyPublic(
        id=emergency.id,
        cap_status=emergency.cap_status,
        state=emergency.state,
        title=emergency.title,
        text=emergency.text,
        language=emergency.language,
        bulletin_id=emergency.bulletin_id,
        clip_sha256=emergency.clip_sha256,
        audio_url=f"/api/v1/emergencies/{emergency.id}/audio",
        duration_ms=emergency.duration_ms,
        engine=emergency.engine,
        repeat=emergency.repeat,
        interval_s=emergency.interval_s,
        chime=emergency.chime,
        expires_at=emergency.expires_at,
        created_by=_username(session, emergency.created_by_id) or "",
        created_at=emergency.created_at,
        cancelled_at=emergency.cancelled_at,
        cancelled_by=_username(session, emergency.cancelled_by_id),
        target_count=counts[0],
        aired_count=counts[1],
        targets=targets,
    )
