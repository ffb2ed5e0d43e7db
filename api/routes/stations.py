from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from api.deps import (
    AdminUser,
    CurrentUser,
    IdPath,
    PageDep,
    PrincipalDep,
    SessionDep,
    actor_for,
)
from studio import stations
from studio.models import (
    Page,
    StationCreate,
    StationPublic,
    StationTokenCreate,
    StationTokenIssued,
    StationUpdate,
)
from studio.users import covered_area_ids

router = APIRouter(prefix="/stations", tags=["stations"])


@router.get("", response_model=Page[StationPublic])
def list_stations(user: CurrentUser, session: SessionDep, page: PageDep) -> Page[StationPublic]:
    """Admins see every station; editors and approvers the stations of their areas."""
    rows, total = stations.list_stations(
        session, page.offset, page.limit, covered_area_ids(session, user)
    )
    return Page[StationPublic](
        items=[stations.to_public(session, s) for s in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("", response_model=StationPublic, status_code=status.HTTP_201_CREATED)
def create_station(data: StationCreate, admin: AdminUser, session: SessionDep) -> StationPublic:
    station = stations.create_station(session, actor_for(admin), data)
    session.commit()
    return stations.to_public(session, station)


@router.get("/{code}", response_model=StationPublic)
def get_station(code: str, principal: PrincipalDep, session: SessionDep) -> StationPublic:
    """Staff whose areas include the station (as in the list), or the station itself with its
    own station token."""
    station = None
    if principal.user is not None:
        station = stations.get_station(session, code)
        covered = covered_area_ids(session, principal.user)
        if covered is not None and station.area_id not in covered:
            raise HTTPException(403, "Đài này không thuộc địa bàn bạn phụ trách")
    if principal.station is not None:
        if principal.station.code != code:
            raise HTTPException(403, "Mã truy cập này thuộc về một đài khác")
        station = principal.station
    assert station is not None
    return stations.to_public(session, station)


@router.patch("/{code}", response_model=StationPublic)
def update_station(
    code: str, data: StationUpdate, admin: AdminUser, session: SessionDep
) -> StationPublic:
    station = stations.update_station(session, actor_for(admin), code, data)
    session.commit()
    return stations.to_public(session, station)


@router.delete("/{code}", status_code=status.HTTP_204_NO_CONTENT)
def delete_station(code: str, admin: AdminUser, session: SessionDep) -> Response:
    stations.delete_station(session, actor_for(admin), code)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{code}/tokens", response_model=StationTokenIssued, status_code=status.HTTP_201_CREATED
)
def issue_token(
    code: str, data: StationTokenCreate, admin: AdminUser, session: SessionDep
) -> StationTokenIssued:
    """A read-only token for the station's endpoints. It is shown once; store it on the device."""
    token, plain = stations.issue_token(session, actor_for(admin), code, data.label)
    session.commit()
    assert token.id is not None
    return StationTokenIssued(id=token.id, station_code=code, label=token.label, token=plain)


@router.delete("/{code}/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(code: str, token_id: IdPath, admin: AdminUser, session: SessionDep) -> Response:
    stations.revoke_token(session, actor_for(admin), code, token_id)
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
