"""Clips: asking for a render, accepting a recording, reading them back."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from media.errors import MediaError
from media.recording import inspect_recording
from studio.audit import Actor, record
from studio.bulletins import get_bulletin, target_area_ids
from studio.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from studio.models import Bulletin, Clip, ClipPublic, RenderRequest, User
from studio.types import BulletinStatus, ClipSource, ClipStatus, Role, utcnow
from studio.users import covered_area_ids
from studio.voices import VoiceKit
from tts.base import EngineError

RENDERABLE = (BulletinStatus.draft, BulletinStatus.submitted)
RECORDING_TYPES = {".mp3", ".wav", ".ogg", ".opus", ".oga", ".m4a", ".aac", ".flac", ".webm"}


def _may_produce(session: Session, actor: Actor, bulletin: Bulletin) -> User:
    user = actor.user
    if user is None:
        raise PermissionDenied("Thao tác này cần một người dùng đăng nhập")
    if user.id == bulletin.author_id or user.role is Role.admin:
        return user
    covered = covered_area_ids(session, user)
    assert bulletin.id is not None
    if covered is not None and target_area_ids(session, bulletin.id) <= covered:
        return user
    raise PermissionDenied("Bạn không phụ trách địa bàn của bản tin này")


def _require_renderable(bulletin: Bulletin) -> None:
    if bulletin.status not in RENDERABLE:
        raise Conflict("Chỉ tạo âm thanh cho bản tin ở trạng thái «bản nháp» hoặc «chờ duyệt»")


def request_render(
    session: Session, actor: Actor, bulletin_id: int, data: RenderRequest, kit: VoiceKit
) -> Clip:
    """Queue a text-to-speech render of the bulletin's current version (the job runner does it)."""
    bulletin = get_bulletin(session, bulletin_id)
    user = _may_produce(session, actor, bulletin)
    _require_renderable(bulletin)
    if data.voice is not None:
        try:
            kit.chain.choices(bulletin.language.value, data.voice)
        except EngineError as exc:
            raise InvalidInput(exc.message) from None
    wanted = {
        "voice": data.voice,
        "rate": kit.rate_percent if data.rate_percent is None else data.rate_percent,
        "pitch": data.pitch_hz,
    }
    pending = session.exec(
        select(Clip).where(
            Clip.bulletin_id == bulletin.id,
            Clip.bulletin_version == bulletin.version,
            Clip.status == ClipStatus.rendering,
            Clip.source == ClipSource.tts,
        )
    ).all()
    for clip in pending:
        if clip.request == wanted:
            return clip  # the same render is already queued: no duplicate work
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.tts,
        status=ClipStatus.rendering,
        request=wanted,
        created_by_id=user.id,
    )
    session.add(clip)
    session.flush()
    record(
        session,
        actor,
        "clip.render",
        "bulletin",
        bulletin.id,
        after={"clip_id": clip.id, "version": bulletin.version, **wanted},
    )
    return clip


def accept_recording(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    upload: Path,
    filename: str,
    kit: VoiceKit,
    max_duration_s: float,
    max_bytes: int,
) -> Clip:
    """Check an uploaded recording and queue it for the clip chain. `upload` is a temporary
    file this function takes over: it is moved into the work area or deleted."""
    try:
        bulletin = get_bulletin(session, bulletin_id)
        user = _may_produce(session, actor, bulletin)
        _require_renderable(bulletin)
        suffix = Path(filename).suffix.lower()
        if suffix not in RECORDING_TYPES:
            raise InvalidInput(
                f"Định dạng tệp {suffix or '(không có đuôi)'} không được hỗ trợ; "
                "dùng MP3, WAV, OGG/Opus, M4A hoặc FLAC"
            )
        try:
            info = inspect_recording(upload, max_duration_s, max_bytes)
        except MediaError as exc:
            raise InvalidInput(exc.message) from None
        kit.uploads.mkdir(parents=True, exist_ok=True)
        kept = kit.uploads / f"{uuid.uuid4().hex}{suffix}"
        shutil.move(str(upload), kept)
    finally:
        upload.unlink(missing_ok=True)
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.recording,
        engine="recording",
        voice="",
        status=ClipStatus.rendering,
        created_by_id=user.id,
        request={
            # The name only: the API and the job runner may see the var dir at different paths.
            "upload": kept.name,
            "filename": Path(filename).name[:200],
            "duration_s": round(info.duration_s, 3),
        },
    )
    session.add(clip)
    session.flush()
    record(
        session,
        actor,
        "clip.recording",
        "bulletin",
        bulletin.id,
        after={
            "clip_id": clip.id,
            "version": bulletin.version,
            "filename": Path(filename).name[:200],
            "duration_s": round(info.duration_s, 3),
        },
    )
    return clip


def get_clip(session: Session, clip_id: int) -> Clip:
    clip = session.get(Clip, clip_id)
    if clip is None:
        raise NotFound(f"Không tìm thấy bản âm thanh {clip_id}")
    return clip


def clips_of(session: Session, bulletin_id: int) -> list[Clip]:
    return list(
        session.exec(
            select(Clip).where(Clip.bulletin_id == bulletin_id).order_by(col(Clip.id).desc())
        ).all()
    )


# ------------------------------------------------------------------ signed audio URLs
def _signature(secret: str, clip_id: int, expires: int) -> str:
    message = f"clip:{clip_id}:{expires}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_audio_query(secret: str, clip_id: int, minutes: int, now: datetime | None = None) -> str:
    """`exp=…&sig=…` that lets a browser <audio> element fetch the file without a header."""
    expires = int(((now or utcnow()) + timedelta(minutes=minutes)).timestamp())
    return f"exp={expires}&sig={_signature(secret, clip_id, expires)}"


def verify_audio_signature(
    secret: str, clip_id: int, expires: int, sig: str, now: datetime | None = None
) -> bool:
    if expires < int((now or utcnow()).timestamp()):
        return False
    return hmac.compare_digest(_signature(secret, clip_id, expires), sig)


def to_public(clip: Clip, audio_url: str | None = None) -> ClipPublic:
    assert clip.id is not None
    return ClipPublic(
        id=clip.id,
        bulletin_id=clip.bulletin_id,
        bulletin_version=clip.bulletin_version,
        source=clip.source,
        engine=clip.engine,
        voice=clip.voice,
        status=clip.status,
        error=clip.error,
        sha256=clip.sha256,
        size_bytes=clip.size_bytes,
        duration_ms=clip.duration_ms,
        loudness_lufs=clip.loudness_lufs,
        true_peak_dbtp=clip.true_peak_dbtp,
        normalized_text=clip.normalized_text,
        created_at=clip.created_at,
        finished_at=clip.finished_at,
        audio_url=audio_url if clip.status is ClipStatus.ready else None,
    )
