"""Emergency broadcasts (khẩn cấp): on air at once on every targeted station, over the programme.

`create` checks the request (targets, the caller's areas, expiry), makes the audio
(`studio.emergency_audio`: a text spoken at once, an approved bulletin's clip, or an uploaded
recording), writes the emergency and its targets with an audit record, commits, and only then
pushes the first airing into each station's emergency queue (Liquidsoap cuts the programme at
once and resumes it after; quiet hours and windows do not apply). The rows are committed before
the push so the as-run events of the airing find them. `cancel` stops it everywhere.

Targets are stations and areas; an area (commune or province) means every enabled station under
it. CAP status `Actual` goes to all of them, `Exercise` and `Test` only to the stations marked
`accepts_tests`. Approvers may target only their own areas; admins anywhere. Staff read all
emergencies (`studio.emergency_reads`): they are public broadcasts. Repeats, retries and closing
are in `studio.emergency_push`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlmodel import Session, col, select

from studio import emergency_audio as audio
from studio.areas import descendants
from studio.audit import Actor, record
from studio.bulletins import resolve_targets
from studio.emergency_push import (
    Due,
    EmergencyTransport,
    RepeatRunner,
    due_repeats,
    flush,
    push_airing,
    push_repeats,
    settle,
)
from studio.emergency_reads import EmergencyPublic, get_emergency, targets_of
from studio.errors import Conflict, InvalidInput, PermissionDenied
from studio.models import MAX_ID, Station, User
from studio.onair_layout import enabled_codes, slots
from studio.onair_models import Emergency, EmergencyTarget
from studio.playout_transport import LiquidsoapTransport
from studio.settings import Settings
from studio.types import CapStatus, EmergencyState, Language, Role, utcnow
from studio.users import covered_area_ids
from studio.voices import VoiceKit

__all__ = [
    "Due",
    "EmergencyCreate",
    "EmergencyPublic",
    "RepeatRunner",
    "cancel",
    "create",
    "get_emergency",
    "due_repeats",
    "push_repeats",
    "settle",
]

MAX_TEXT = 5000
MAX_INTERVAL_S = 3600


class EmergencyCreate(BaseModel):
    """What to air (exactly one of `text`, `bulletin_id` or an uploaded file), where and how."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(default="", max_length=300)
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    language: Language = Language.vi
    bulletin_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    cap_status: CapStatus = CapStatus.actual
    target_station_codes: list[str] = Field(default_factory=list, max_length=1000)
    target_area_codes: list[str] = Field(default_factory=list, max_length=1000)
    repeat: int = Field(default=1, ge=1, le=10, description="Số lần phát (1-10)")
    interval_s: int = Field(
        default=0, ge=0, le=MAX_INTERVAL_S, description="Giây giữa hai lần phát (≥ độ dài)"
    )
    expires_at: AwareDatetime | None = None
    chime: bool = Field(default=True, description="Tiếng chuông trước bản tin (nếu có cấu hình)")

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("nội dung khẩn cấp (text) trống")
        return value


@dataclass(frozen=True)
class Upload:
    path: Path  # a temporary file; the caller deletes it
    filename: str


def open_transport(settings: Settings, session: Session) -> LiquidsoapTransport:
    """The way into every Liquidsoap process of the layout (close it after use)."""
    return LiquidsoapTransport(slots(settings, enabled_codes(session)))


# ------------------------------------------------------------------ targets
def _require_user(actor: Actor) -> User:
    if actor.user is None or actor.user.role not in (Role.approver, Role.admin):
        raise PermissionDenied("Chỉ người duyệt hoặc quản trị viên được phát khẩn cấp")
    return actor.user


def _require_cover(session: Session, user: User, area_ids: set[int]) -> None:
    covered = covered_area_ids(session, user)
    if covered is not None and not area_ids <= covered:
        raise PermissionDenied("Bạn không phụ trách tất cả địa bàn đích của lệnh phát khẩn cấp")


def resolve(
    session: Session, actor: Actor, data: EmergencyCreate, now: datetime
) -> tuple[list[Station], set[int]]:
    """The stations it goes to (by code), and the target areas (stations count as theirs)."""
    user = _require_user(actor)
    if data.expires_at is not None and data.expires_at <= now:
        raise InvalidInput("Thời hạn (expires_at) đã qua")
    if not data.target_station_codes and not data.target_area_codes:
        raise InvalidInput("Cần ít nhất một đài hoặc địa bàn đích")
    named, areas = resolve_targets(session, data.target_station_codes, data.target_area_codes)
    area_ids = {s.area_id for s in named} | {a.id for a in areas if a.id is not None}
    _require_cover(session, user, area_ids)
    under = descendants(session, {a.id for a in areas if a.id is not None})
    found = {s.code: s for s in named}
    if under:
        for station in session.exec(select(Station).where(col(Station.area_id).in_(under))):
            found.setdefault(station.code, station)
    stations = [s for s in found.values() if s.enabled]
    if not stations:
        raise InvalidInput("Không có đài nào đang hoạt động trong các đích đã chọn")
    if data.cap_status is not CapStatus.actual:
        stations = [s for s in stations if s.accepts_tests]
        if not stations:
            raise InvalidInput(
                f"Không có đài nào trong đích nhận bản tin {data.cap_status.value} "
                "(thử nghiệm/diễn tập chỉ gửi tới đài bật accepts_tests)"
            )
    return sorted(stations, key=lambda s: s.code), area_ids


# ------------------------------------------------------------------ create
def _check_interval(data: EmergencyCreate, duration_ms: int) -> None:
    shortest = max(1, math.ceil(duration_ms / 1000))
    if data.repeat > 1 and not shortest <= data.interval_s <= MAX_INTERVAL_S:
        raise InvalidInput(
            f"Khoảng cách giữa hai lần phát (interval_s) phải từ {shortest} giây "
            f"(độ dài bản tin) đến {MAX_INTERVAL_S} giây"
        )


def _prepare(
    session: Session,
    kit: VoiceKit,
    settings: Settings,
    data: EmergencyCreate,
    area_ids: set[int],
    upload: Upload | None,
) -> tuple[audio.Prepared, str]:
    """The audio (checked against the repeat interval before it is stored), and a title for
    it when the request gave none."""

    def accept(duration_ms: int) -> None:
        _check_interval(data, duration_ms)

    if data.text is not None:
        prepared = audio.from_text(
            session,
            kit,
            settings,
            data.text,
            data.language,
            area_ids,
            chime=data.chime,
            accept=accept,
        )
        return prepared, data.text.strip().splitlines()[0][:80]
    if data.bulletin_id is not None:
        prepared, title = audio.from_bulletin(session, kit, data.bulletin_id)
        accept(prepared.duration_ms)
        return prepared, title
    assert upload is not None
    prepared = audio.from_upload(
        kit, settings, upload.path, upload.filename, chime=data.chime, accept=accept
    )
    return prepared, Path(upload.filename).stem[:80] or "Phát khẩn cấp"


def create(
    session: Session,
    actor: Actor,
    data: EmergencyCreate,
    *,
    kit: VoiceKit,
    settings: Settings,
    transport: EmergencyTransport,
    upload: Upload | None = None,
    now: datetime | None = None,
) -> Emergency:
    """Check, make the audio, record (commit), push the first airing, record how each push
    went (commit). Domain errors before the first commit leave nothing behind."""
    sources = (data.text is not None, data.bulletin_id is not None, upload is not None)
    if sum(sources) != 1:
        raise InvalidInput("Cần đúng một nguồn: nội dung (text), bản tin (bulletin_id) hoặc tệp")
    moment = now or utcnow()
    stations, area_ids = resolve(session, actor, data, moment)
    user = _require_user(actor)
    prepared, fallback_title = _prepare(session, kit, settings, data, area_ids, upload)
    emergency = Emergency(
        cap_status=data.cap_status,
        state=EmergencyState.active,
        title=data.title.strip() or fallback_title,
        text=data.text or "",
        language=prepared.language or data.language.value,
        bulletin_id=data.bulletin_id,
        clip_sha256=prepared.sha256,
        duration_ms=prepared.duration_ms,
        engine=prepared.engine,
        repeat=data.repeat,
        interval_s=data.interval_s if data.repeat > 1 else 0,
        chime=data.chime,
        expires_at=data.expires_at,
        created_by_id=user.id or 0,
        created_at=utcnow(),
    )
    session.add(emergency)
    session.flush()
    assert emergency.id is not None
    targets = {
        s.code: EmergencyTarget(emergency_id=emergency.id, station_id=s.id or 0) for s in stations
    }
    session.add_all(targets.values())
    record(
        session,
        actor,
        "emergency.create",
        "emergency",
        emergency.id,
        after=_snapshot(emergency, list(targets)),
    )
    session.commit()
    done, errors = push_airing(transport, kit.store, emergency, 1, list(targets))
    for code, target in targets.items():
        target.pushed_at = done.get(code)
        target.error = errors.get(code, "")
        session.add(target)
    session.commit()
    return emergency


def _snapshot(emergency: Emergency, codes: list[str]) -> dict[str, object]:
    return {
        "cap_status": emergency.cap_status.value,
        "title": emergency.title,
        "language": emergency.language,
        "bulletin_id": emergency.bulletin_id,
        "clip_sha256": emergency.clip_sha256,
        "duration_ms": emergency.duration_ms,
        "engine": emergency.engine,
        "repeat": emergency.repeat,
        "interval_s": emergency.interval_s,
        "expires_at": emergency.expires_at.isoformat() if emergency.expires_at else None,
        "stations": codes,
    }


# ------------------------------------------------------------------ cancel
def cancel(
    session: Session,
    actor: Actor,
    emergency_id: int,
    *,
    transport: EmergencyTransport,
    now: datetime | None = None,
) -> Emergency:
    """Stop it everywhere: recorded (commit) first, so no repeat starts after the flush, then
    each station's emergency queue is emptied and its airing cut (commit of any failures)."""
    user = _require_user(actor)
    emergency = get_emergency(session, emergency_id)
    rows = targets_of(session, emergency_id)
    _require_cover(session, user, {s.area_id for _, s in rows})
    if emergency.state is not EmergencyState.active:
        raise Conflict(f"Lệnh phát khẩn cấp đã kết thúc ({emergency.state.value}), không thể hủy")
    emergency.state = EmergencyState.cancelled
    emergency.cancelled_at = now or utcnow()
    emergency.cancelled_by_id = user.id
    session.add(emergency)
    record(
        session,
        actor,
        "emergency.cancel",
        "emergency",
        emergency_id,
        before={"state": EmergencyState.active.value},
        after={"state": emergency.state.value},
    )
    session.commit()
    errors = flush(transport, [s.code for _, s in rows])
    for target, station in rows:
        if station.code in errors:
            target.error = f"hủy: {errors[station.code]}"
            session.add(target)
    session.commit()
    return emergency
