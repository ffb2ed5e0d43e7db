"""Broadcast audio by content address, the URLs of programme manifests and playlists.

Any signed-in user or any station token may fetch a file, but only one the programmes can name:
a ready clip, a jingle or a rendered session file (the store holds other files too).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path
from fastapi.responses import FileResponse

from api.deps import PrincipalDep, SessionDep, SettingsDep
from studio.programmes import broadcast_media_path

router = APIRouter(prefix="/media", tags=["media"])

Sha256Path = Annotated[
    str,
    Path(pattern="^[0-9a-f]{64}$", description="SHA-256 của tệp, 64 chữ số hex viết thường"),
]


@router.get(
    "/{sha256}.mp3",
    response_class=FileResponse,
    responses={200: {"content": {"audio/mpeg": {}}}, 206: {"description": "Range"}},
)
def media_file(
    sha256: Sha256Path, principal: PrincipalDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    """The MP3 named by its SHA-256, with HTTP Range support (endpoints resume downloads)."""
    path = broadcast_media_path(session, settings, sha256)
    if path is None:
        raise HTTPException(404, f"Không có tệp âm thanh phát sóng {sha256}")
    if not path.is_file():
        raise HTTPException(410, "Tệp âm thanh không còn trong kho")
    return FileResponse(
        path, media_type="audio/mpeg", filename=f"{sha256}.mp3", content_disposition_type="inline"
    )
