from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import FileResponse

from api.deps import (
    CurrentUser,
    IdPath,
    SessionDep,
    SettingsDep,
    actor_for,
    get_current_user,
    get_principal,
    oauth2_scheme,
)
from studio import bulletin_queries as queries
from studio import clips
from studio.models import Clip, ClipPublic, RenderRequest, User
from studio.settings import Settings
from studio.types import ClipStatus
from studio.voices import VoiceKit, build_kit

router = APIRouter(tags=["clips"])


def get_kit(request: Request) -> VoiceKit:
    kit: VoiceKit | None = getattr(request.app.state, "voice_kit", None)
    if kit is None:
        kit = build_kit(request.app.state.settings)
        request.app.state.voice_kit = kit
    return kit


KitDep = Annotated[VoiceKit, Depends(get_kit)]


def _public(settings: Settings, clip: Clip) -> ClipPublic:
    assert clip.id is not None
    query = clips.signed_audio_query(
        settings.secret_key.get_secret_value(), clip.id, settings.media.audio_url_minutes
    )
    return clips.to_public(clip, f"/api/v1/clips/{clip.id}/audio?{query}")


@router.post(
    "/bulletins/{bulletin_id}/render",
    response_model=ClipPublic,
    status_code=status.HTTP_202_ACCEPTED,
)
def render(
    bulletin_id: IdPath,
    data: RenderRequest,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
) -> ClipPublic:
    """Queue text-to-speech for the current version; poll GET /clips/{id} for the outcome."""
    clip = clips.request_render(session, actor_for(user), bulletin_id, data, kit)
    session.commit()
    return _public(settings, clip)


@router.post(
    "/bulletins/{bulletin_id}/recording",
    response_model=ClipPublic,
    status_code=status.HTTP_202_ACCEPTED,
)
def upload_recording(
    bulletin_id: IdPath,
    file: UploadFile,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
) -> ClipPublic:
    """A human recording (MP3, WAV, OGG/Opus, M4A, FLAC) instead of a synthetic voice."""
    limit = settings.media.max_upload_bytes
    kit.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=kit.work_dir, prefix=".upload-", delete=False) as tmp:
        temp_path = Path(tmp.name)
        try:
            shutil.copyfileobj(file.file, tmp, 1024 * 1024)
        except OSError:
            temp_path.unlink(missing_ok=True)
            raise
    if temp_path.stat().st_size > limit:
        temp_path.unlink(missing_ok=True)
        raise HTTPException(413, f"Tệp ghi âm vượt quá giới hạn {limit} byte")
    clip = clips.accept_recording(
        session,
        actor_for(user),
        bulletin_id,
        temp_path,
        file.filename or "",
        kit,
        settings.media.max_recording_s,
        limit,
    )
    session.commit()
    return _public(settings, clip)


@router.get("/bulletins/{bulletin_id}/clips", response_model=list[ClipPublic])
def list_clips(
    bulletin_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> list[ClipPublic]:
    queries.require_visible(session, user, bulletin_id)
    return [_public(settings, c) for c in clips.clips_of(session, bulletin_id)]


@router.get("/clips/{clip_id}", response_model=ClipPublic)
def get_clip(
    clip_id: IdPath, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ClipPublic:
    clip = clips.get_clip(session, clip_id)
    queries.require_visible(session, user, clip.bulletin_id)
    return _public(settings, clip)


@router.get(
    "/clips/{clip_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/mpeg": {}}}, 206: {"description": "Range"}},
)
def clip_audio(
    clip_id: IdPath,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    exp: Annotated[int | None, Query(ge=0)] = None,
    sig: Annotated[str | None, Query(max_length=128)] = None,
) -> FileResponse:
    """The broadcast MP3, with HTTP Range support. Authorised by a Bearer token, or by the
    signed `exp`/`sig` query of the clip's `audio_url` (for browser audio players)."""
    secret = settings.secret_key.get_secret_value()
    # Who asks is settled before the clip is looked up: anonymous callers learn nothing.
    user: User | None = None
    if exp is not None and sig is not None:
        if not clips.verify_audio_signature(secret, clip_id, exp, sig):
            raise HTTPException(403, "Đường dẫn âm thanh đã hết hạn hoặc không hợp lệ")
    else:
        # The same checks, and answers, as every other route (the dependencies called directly
        # because the signed URL makes the token optional here).
        user = get_current_user(get_principal(session, settings, token))
    clip = clips.get_clip(session, clip_id)
    if user is not None:
        queries.require_visible(session, user, clip.bulletin_id)
    if clip.status is not ClipStatus.ready or clip.sha256 is None:
        raise HTTPException(409, "Bản âm thanh chưa sẵn sàng")
    path = kit.store.path_for(clip.sha256, "mp3")
    if not path.is_file():
        raise HTTPException(410, "Tệp âm thanh không còn trong kho")
    return FileResponse(
        path,
        media_type="audio/mpeg",
        filename=f"clip-{clip_id}.mp3",
        content_disposition_type="inline",
    )
