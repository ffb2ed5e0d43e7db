"""Broadcast windows and their exceptions, per station or per area, and a station's sessions.

Admins write. Staff read what concerns their areas: the windows of stations they can see (as
GET /stations/{code}), and of their areas, the areas below them and the areas above them (whose
windows and rules their stations inherit).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlmodel import Session

from api.deps import AdminUser, CurrentUser, IdPath, SessionDep, actor_for
from studio import windows
from studio.areas import get_area, user_area_ids, with_ancestors
from studio.errors import InvalidInput
from studio.models import Station, User
from studio.programmes import local_today
from studio.schedule_models import (
    DaySessionsPublic,
    ExceptionCreate,
    ExceptionPublic,
    RefusedSessionPublic,
    SessionPublic,
    WindowCreate,
    WindowPublic,
    WindowUpdate,
)
from studio.stations import get_station
from studio.users import covered_area_ids

router = APIRouter(tags=["windows"])

NOT_YOUR_STATION = "Đài này không thuộc địa bàn bạn phụ trách"
# Far enough for any schedule question, near enough that date arithmetic never overflows.
DayQuery = Annotated[
    date | None,
    Query(
        alias="date",
        ge=date(2000, 1, 1),
        le=date(2100, 12, 31),
        description="Ngày địa phương YYYY-MM-DD (mặc định: hôm nay theo giờ của đài)",
    ),
]


def visible_station(session: Session, user: User, code: str) -> Station:
    """The station, if the user's areas include it (admins: any station)."""
    station = get_station(session, code)
    covered = covered_area_ids(session, user)
    if covered is not None and station.area_id not in covered:
        raise HTTPException(403, NOT_YOUR_STATION)
    return station


def _readable_owner(session: Session, user: User, kind: str, code: str) -> windows.Owner:
    if kind == "station":
        visible_station(session, user, code)
        return windows.owner_of(session, kind, code)
    area = get_area(session, code)
    covered = covered_area_ids(session, user)
    if covered is not None:
        assert user.id is not None
        if area.id not in covered | with_ancestors(session, user_area_ids(session, user.id)):
            raise HTTPException(403, "Địa bàn này nằm ngoài phạm vi bạn phụ trách")
    return windows.owner_of(session, kind, code)


# ------------------------------------------------------------------ windows
def _list_windows(session: Session, user: User, kind: str, code: str) -> list[WindowPublic]:
    owner = _readable_owner(session, user, kind, code)
    return [windows.window_public(session, w) for w in windows.list_windows(session, owner)]


def _create_window(
    session: Session, admin: User, kind: str, code: str, data: WindowCreate
) -> WindowPublic:
    owner = windows.owner_of(session, kind, code)
    row = windows.create_window(session, actor_for(admin), owner, data)
    session.commit()
    return windows.window_public(session, row)


@router.get("/stations/{code}/windows", response_model=list[WindowPublic])
def station_windows(code: str, user: CurrentUser, session: SessionDep) -> list[WindowPublic]:
    """The station's own windows (empty when it inherits its area's: see /sessions)."""
    return _list_windows(session, user, "station", code)


@router.post(
    "/stations/{code}/windows", response_model=WindowPublic, status_code=status.HTTP_201_CREATED
)
def add_station_window(
    code: str, data: WindowCreate, admin: AdminUser, session: SessionDep
) -> WindowPublic:
    return _create_window(session, admin, "station", code, data)


@router.get("/areas/{code}/windows", response_model=list[WindowPublic])
def area_windows(code: str, user: CurrentUser, session: SessionDep) -> list[WindowPublic]:
    return _list_windows(session, user, "area", code)


@router.post(
    "/areas/{code}/windows", response_model=WindowPublic, status_code=status.HTTP_201_CREATED
)
def add_area_window(
    code: str, data: WindowCreate, admin: AdminUser, session: SessionDep
) -> WindowPublic:
    return _create_window(session, admin, "area", code, data)


@router.patch("/windows/{window_id}", response_model=WindowPublic)
def update_window(
    window_id: IdPath, data: WindowUpdate, admin: AdminUser, session: SessionDep
) -> WindowPublic:
    row = windows.update_window(session, actor_for(admin), window_id, data)
    session.commit()
    return windows.window_public(session, row)


@router.delete("/windows/{window_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_window(window_id: IdPath, admin: AdminUser, session: SessionDep) -> Response:
    windows.delete_window(session, actor_for(admin), window_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ exceptions
def _list_exceptions(session: Session, user: User, kind: str, code: str) -> list[ExceptionPublic]:
    owner = _readable_owner(session, user, kind, code)
    return [windows.exception_public(session, e) for e in windows.list_exceptions(session, owner)]


def _create_exception(
    session: Session, admin: User, kind: str, code: str, data: ExceptionCreate
) -> ExceptionPublic:
    owner = windows.owner_of(session, kind, code)
    row = windows.create_exception(session, actor_for(admin), owner, data)
    session.commit()
    return windows.exception_public(session, row)


@router.get("/stations/{code}/window-exceptions", response_model=list[ExceptionPublic])
def station_exceptions(code: str, user: CurrentUser, session: SessionDep) -> list[ExceptionPublic]:
    return _list_exceptions(session, user, "station", code)


@router.post(
    "/stations/{code}/window-exceptions",
    response_model=ExceptionPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_station_exception(
    code: str, data: ExceptionCreate, admin: AdminUser, session: SessionDep
) -> ExceptionPublic:
    """Add a session on some days (`kind` "add", with start_time and length_minutes) or drop
    one by name (`kind` "drop")."""
    return _create_exception(session, admin, "station", code, data)


@router.get("/areas/{code}/window-exceptions", response_model=list[ExceptionPublic])
def area_exceptions(code: str, user: CurrentUser, session: SessionDep) -> list[ExceptionPublic]:
    return _list_exceptions(session, user, "area", code)


@router.post(
    "/areas/{code}/window-exceptions",
    response_model=ExceptionPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_area_exception(
    code: str, data: ExceptionCreate, admin: AdminUser, session: SessionDep
) -> ExceptionPublic:
    return _create_exception(session, admin, "area", code, data)


@router.delete("/window-exceptions/{exception_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_exception(exception_id: IdPath, admin: AdminUser, session: SessionDep) -> Response:
    windows.delete_exception(session, actor_for(admin), exception_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# ------------------------------------------------------------------ effective sessions
@router.get("/stations/{code}/sessions", response_model=DaySessionsPublic)
def station_sessions(
    code: str, user: CurrentUser, session: SessionDep, day: DayQuery = None
) -> DaySessionsPublic:
    """The sessions the station will have on a local day: its windows (or its area's), the
    exceptions, quiet hours and the session cap applied; refused windows with the reason."""
    station = visible_station(session, user, code)
    day = day or local_today(station.timezone)
    schedule = windows.schedule_of(session, station)
    try:
        plan = schedule.plan(day)
    except ValueError as exc:
        raise InvalidInput(f"Không lập được lịch buổi phát ngày {day}: {exc}") from None
    zone = ZoneInfo(station.timezone)
    return DaySessionsPublic(
        station_code=station.code,
        date=day,
        timezone=station.timezone,
        windows_from=schedule.windows_from,
        quiet_hours=windows.quiet_label(schedule.quiet),
        session_cap_minutes=(
            None if schedule.cap is None else int(schedule.cap.total_seconds()) // 60
        ),
        sessions=[
            SessionPublic(
                name=s.name,
                start=s.start,
                end=s.end,
                local_start=f"{s.start.astimezone(zone):%H:%M:%S}",
                local_end=f"{s.end.astimezone(zone):%H:%M:%S}",
                notes=list(s.notes),
            )
            for s in plan.sessions
        ],
        refused=[RefusedSessionPublic(name=r.name, reason=r.reason) for r in plan.refused],
    )
