"""Station jingles (idents, chimes): uploaded by admins, listed for all staff."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Response, UploadFile, status

from api.deps import AdminUser, CurrentUser, IdPath, PageDep, SessionDep, SettingsDep, actor_for
from api.routes.clips import KitDep
from studio import jingles
from studio.models import JinglePublic, Page

router = APIRouter(prefix="/jingles", tags=["jingles"])


@router.post("", response_model=JinglePublic, status_code=status.HTTP_201_CREATED)
def add_jingle(
    file: UploadFile,
    title: Annotated[str, Form(max_length=jingles.MAX_TITLE)],
    admin: AdminUser,
    session: SessionDep,
    settings: SettingsDep,
    kit: KitDep,
) -> JinglePublic:
    """An ident or chime of at most 30 s (MP3, WAV, OGG/Opus, M4A, FLAC), processed at once
    into the house format. A sync route: the processing runs in a worker thread."""
    limit = settings.media.max_upload_bytes
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=settings.work_dir, prefix=".jingle-upload-", delete=False
    ) as tmp:
        temp_path = Path(tmp.name)
    try:
        with temp_path.open("wb") as target:
            shutil.copyfileobj(file.file, target, 1024 * 1024)
        if temp_path.stat().st_size > limit:
            raise HTTPException(413, f"Tệp nhạc hiệu vượt quá giới hạn {limit} byte")
        jingle = jingles.add_jingle(
            session, settings, actor_for(admin), temp_path, title, kit_params=kit.params
        )
        session.commit()
    finally:
        temp_path.unlink(missing_ok=True)
    return jingles.to_public(jingle)


@router.get("", response_model=Page[JinglePublic])
def list_jingles(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[JinglePublic]:
    rows, total = jingles.list_jingles(session, page.offset, page.limit)
    return Page[JinglePublic](
        items=[jingles.to_public(j) for j in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{jingle_id}", response_model=JinglePublic)
def get_jingle(jingle_id: IdPath, user: CurrentUser, session: SessionDep) -> JinglePublic:
    return jingles.to_public(jingles.get_jingle(session, jingle_id))


@router.delete("/{jingle_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_jingle(jingle_id: IdPath, admin: AdminUser, session: SessionDep) -> Response:
    jingles.delete_jingle(session, actor_for(admin), jingle_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
