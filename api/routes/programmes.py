"""A station's daily programme: build it now, read it (JSON manifest, M3U8, XSPF), its versions.

Staff covering the station read it; so does the station itself with its own token, and the JSON
manifest it gets is signed with that very token. Builds are for approvers and admins.
"""

from __future__ import annotations

import hashlib
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Query, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session

import playlists
from api.deps import (
    CurrentUser,
    Principal,
    PrincipalDep,
    ReviewerUser,
    SessionDep,
    SettingsDep,
    actor_for,
)
from api.routes.windows import DayQuery, visible_station
from studio import programmes
from studio.models import Station
from studio.schedule_models import ProgrammeVersion, ProgrammeVersionPublic, RefusedSessionPublic

router = APIRouter(prefix="/stations/{code}/programme", tags=["programmes"])

MEDIA_TYPES = {
    "json": "application/json",
    "m3u8": "application/vnd.apple.mpegurl; charset=utf-8",
    "xspf": "application/xspf+xml; charset=utf-8",
}
Format = Literal["json", "m3u8", "xspf"]


class ProgrammeBuildPublic(BaseModel):
    station_code: str
    date: date
    version: int
    created: bool  # false: the build equalled the current version, nothing was stored
    changes: int
    diff_text: str
    sessions: list[dict[str, Any]]
    items: list[dict[str, Any]]
    unplaced: list[dict[str, Any]]
    excluded: list[dict[str, Any]]
    refused: list[RefusedSessionPublic]


def _readable_station(session: Session, principal: Principal, code: str) -> Station:
    if principal.user is not None:
        return visible_station(session, principal.user, code)
    if principal.station is None or principal.station.code != code:
        raise HTTPException(403, "Mã truy cập này thuộc về một đài khác")
    return principal.station


@router.post("/build", response_model=ProgrammeBuildPublic)
def build_programme(
    code: str,
    user: ReviewerUser,
    session: SessionDep,
    settings: SettingsDep,
    day: DayQuery = None,
) -> ProgrammeBuildPublic:
    """Build (or rebuild) the station's programme of a local day now (default: today). A new
    version is stored only when it differs from the current one (`created`)."""
    station = visible_station(session, user, code)
    day = day or programmes.local_today(station.timezone)
    result = programmes.build(session, settings, actor_for(user), station, day)
    session.commit()
    data = playlists.programme_to_dict(result.programme)
    return ProgrammeBuildPublic(
        station_code=result.station,
        date=result.day,
        version=result.version,
        created=result.created,
        changes=result.changes,
        diff_text=result.diff_text,
        sessions=list(data["sessions"]),
        items=list(data["items"]),
        unplaced=list(data["unplaced"]),
        excluded=list(data["excluded"]),
        refused=[RefusedSessionPublic(name=r.name, reason=r.reason) for r in result.refused],
    )


def _etag(row: ProgrammeVersion, fmt: str, body: bytes) -> str:
    # M3U8 and XSPF follow from the programme alone. The JSON manifest also carries the signing
    # token and the session files rendered after the build: its tag includes the body's hash.
    if fmt == "json":
        return f'"{row.digest}-json-{hashlib.sha256(body).hexdigest()[:16]}"'
    return f'"{row.digest}-{fmt}"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    if if_none_match is None:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


@router.get(
    "",
    responses={
        200: {"content": {t.split(";")[0]: {} for t in MEDIA_TYPES.values()}},
        304: {"description": "Không đổi từ lần tải trước (If-None-Match)"},
    },
)
def get_programme(
    code: str,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    day: DayQuery = None,
    fmt: Annotated[
        Format, Query(alias="format", description="json (bản kê có chữ ký), m3u8 hoặc xspf")
    ] = "json",
    if_none_match: Annotated[str | None, Header(max_length=4096)] = None,
) -> Response:
    """The station's current programme of a local day (default: today)."""
    station = _readable_station(session, principal, code)
    day = day or programmes.local_today(station.timezone)
    row = programmes.require_current(session, station, day)
    response: Response
    if fmt == "json":
        assert station.id is not None
        token = principal.station_token or programmes.newest_token(session, station.id)
        manifest = programmes.manifest(session, settings, station, row, token)
        response = JSONResponse(manifest)
    else:
        text = (programmes.m3u8 if fmt == "m3u8" else programmes.xspf)(settings, row)
        response = Response(text, media_type=MEDIA_TYPES[fmt])
    # The manifest is signed with the caller's token: a shared cache must not mix callers.
    headers = {"ETag": _etag(row, fmt, bytes(response.body)), "Vary": "Authorization"}
    if _matches(if_none_match, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


@router.get("/versions", response_model=list[ProgrammeVersionPublic])
def programme_versions(
    code: str, user: CurrentUser, session: SessionDep, day: DayQuery = None
) -> list[ProgrammeVersionPublic]:
    """Every built version of the day's programme, newest first, each with its diff."""
    station = visible_station(session, user, code)
    day = day or programmes.local_today(station.timezone)
    assert station.id is not None
    return [
        ProgrammeVersionPublic(
            station_code=station.code,
            date=row.day,
            version=row.version,
            is_current=row.is_current,
            digest=row.digest,
            changes=row.changes,
            reason=row.reason,
            built_by=row.built_by,
            built_at=row.built_at,
            diff_text=row.diff_text,
        )
        for row in programmes.versions(session, station.id, day)
    ]
