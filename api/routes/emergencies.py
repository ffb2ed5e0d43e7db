"""Emergency broadcasts: on air at once on the targeted stations, and stopped everywhere.

- ``POST /emergencies`` (JSON): a ``text`` spoken at once, or an approved ``bulletin_id``.
- ``POST /emergencies/audio`` (multipart/form-data): an uploaded recording in ``file`` (MP3,
  WAV, OGG/Opus, M4A, FLAC; the way for Khmer when the online voice is unavailable), with the
  same fields as form fields (lists repeated: ``target_station_codes=a&target_station_codes=b``).
- ``GET /emergencies`` (newest first), ``GET /emergencies/{id}`` (with each station's push,
  first airing, airings and error), ``GET /emergencies/{id}/audio`` (the MP3 that airs),
  ``POST /emergencies/{id}/cancel``.

Creating and cancelling are for approvers (covering every target) and admins, and audited; all
staff read. The create call returns once the first airing is in every station's queue (it is on
air ~0.1 s later): the response shows, per station, when it was pushed or why it was not.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, UploadFile, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse
from pydantic import ValidationError

from api.deps import CurrentUser, IdPath, PageDep, ReviewerUser, SessionDep, SettingsDep, actor_for
from api.routes.clips import KitDep
from studio import emergencies
from studio import emergency_reads as reads
from studio.emergencies import EmergencyCreate, Upload
from studio.emergency_reads import EmergencyPublic
from studio.models import Page
from studio.types import CapStatus, Language

router = APIRouter(prefix="/emergencies", tags=["emergencies"])


@router.post("", response_model=EmergencyPublic, status_code=status.HTTP_201_CREATED)
def create_emergency(
    data: EmergencyCreate,
    user: ReviewerUser,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
) -> EmergencyPublic:
    """Air a text (spoken by the fastest voice that answers: edge within 2 s, else espeak-ng
    for Vietnamese; Khmer without edge needs a recording) or an approved bulletin, now."""
    with contextlib.closing(emergencies.open_transport(settings, session)) as transport:
        emergency = emergencies.create(
            session, actor_for(user), data, kit=kit, settings=settings, transport=transport
        )
    return reads.to_public(session, emergency, detail=True)


@router.post("/audio", response_model=EmergencyPublic, status_code=status.HTTP_201_CREATED)
def create_emergency_from_audio(
    file: UploadFile,
    user: ReviewerUser,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
    title: Annotated[str, Form(max_length=300)] = "",
    language: Annotated[Language, Form()] = Language.vi,
    cap_status: Annotated[CapStatus, Form()] = CapStatus.actual,
    target_station_codes: Annotated[list[str] | None, Form()] = None,
    target_area_codes: Annotated[list[str] | None, Form()] = None,
    repeat: Annotated[int, Form()] = 1,
    interval_s: Annotated[int, Form()] = 0,
    expires_at: Annotated[datetime | None, Form()] = None,
    chime: Annotated[bool, Form()] = True,
) -> EmergencyPublic:
    """Air an uploaded recording now (checked and put through the broadcast chain first)."""
    try:
        data = EmergencyCreate(
            title=title,
            language=language,
            cap_status=cap_status,
            target_station_codes=target_station_codes or [],
            target_area_codes=target_area_codes or [],
            repeat=repeat,
            interval_s=interval_s,
            expires_at=expires_at,
            chime=chime,
        )
    except ValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    limit = settings.media.max_upload_bytes
    kit.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=kit.work_dir, prefix=".emergency-", delete=False) as tmp:
        temp_path = Path(tmp.name)
    try:
        with temp_path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1024 * 1024)
        if temp_path.stat().st_size > limit:
            raise HTTPException(413, f"Tệp ghi âm vượt quá giới hạn {limit} byte")
        upload = Upload(temp_path, file.filename or "")
        with contextlib.closing(emergencies.open_transport(settings, session)) as transport:
            emergency = emergencies.create(
                session,
                actor_for(user),
                data,
                kit=kit,
                settings=settings,
                transport=transport,
                upload=upload,
            )
    finally:
        temp_path.unlink(missing_ok=True)
    return reads.to_public(session, emergency, detail=True)


@router.get("", response_model=Page[EmergencyPublic])
def list_emergencies(
    user: CurrentUser, session: SessionDep, page: PageDep
) -> Page[EmergencyPublic]:
    rows, total = reads.list_emergencies(session, page.offset, page.limit)
    return Page[EmergencyPublic](
        items=[reads.to_public(session, e) for e in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{emergency_id}", response_model=EmergencyPublic)
def get_emergency(emergency_id: IdPath, user: CurrentUser, session: SessionDep) -> EmergencyPublic:
    emergency = reads.get_emergency(session, emergency_id)
    return reads.to_public(session, emergency, detail=True)


@router.get(
    "/{emergency_id}/audio",
    response_class=FileResponse,
    responses={200: {"content": {"audio/mpeg": {}}}, 206: {"description": "Range"}},
)
def emergency_audio(
    emergency_id: IdPath, user: CurrentUser, session: SessionDep, kit: KitDep
) -> FileResponse:
    """The MP3 that airs (chime and pre-roll included), with HTTP Range support."""
    emergency = reads.get_emergency(session, emergency_id)
    path = kit.store.path_for(emergency.clip_sha256, "mp3")
    if not path.is_file():
        raise HTTPException(410, "Tệp âm thanh không còn trong kho")
    return FileResponse(
        path,
        media_type="audio/mpeg",
        filename=f"emergency-{emergency_id}.mp3",
        content_disposition_type="inline",
    )


@router.post("/{emergency_id}/cancel", response_model=EmergencyPublic)
def cancel_emergency(
    emergency_id: IdPath, user: ReviewerUser, session: SessionDep, settings: SettingsDep
) -> EmergencyPublic:
    """Stop it on every station now (the programme resumes); no repeat follows."""
    with contextlib.closing(emergencies.open_transport(settings, session)) as transport:
        emergency = emergencies.cancel(session, actor_for(user), emergency_id, transport=transport)
    return reads.to_public(session, emergency, detail=True)
