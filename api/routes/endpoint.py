"""What a station's endpoint device calls, with its station token: the signed day package, the
live stream, heartbeats and proof of play.

There is no station parameter: the token says which station is calling, so one station's
device can never read or report for another. A user's sign-in is refused here (403): these
routes speak for a device.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Response, status
from fastapi.responses import RedirectResponse

from api.deps import Principal, PrincipalDep, SessionDep, SettingsDep
from api.routes import programmes as programme_routes
from api.routes.onair import ClockDep
from api.routes.windows import DayQuery
from studio import fleet, proof_of_play
from studio.fleet import Heartbeat, HeartbeatAck
from studio.proof_of_play import PlayedPublic, PlayedReport

router = APIRouter(prefix="/endpoint", tags=["endpoint"])

DEVICE_ONLY = "Chức năng này dành cho thiết bị của đài (đăng nhập bằng mã truy cập của đài)"


def endpoint_caller(principal: PrincipalDep) -> Principal:
    if principal.station is None or principal.station_token is None:
        raise HTTPException(403, DEVICE_ONLY)
    return principal


EndpointDep = Annotated[Principal, Depends(endpoint_caller)]


@router.get(
    "/programme",
    responses={304: {"description": "Không đổi từ lần tải trước (If-None-Match)"}},
)
def programme(
    device: EndpointDep,
    session: SessionDep,
    settings: SettingsDep,
    day: DayQuery = None,
    if_none_match: Annotated[str | None, Header(max_length=4096)] = None,
) -> Response:
    """The station's signed manifest of a local day (default: today), the same as
    GET /stations/{code}/programme, signed with the caller's own token."""
    assert device.station is not None
    return programme_routes.get_programme(
        code=device.station.code,
        principal=device,
        session=session,
        settings=settings,
        day=day,
        fmt="json",
        if_none_match=if_none_match,
    )


@router.get(
    "/stream",
    status_code=status.HTTP_307_TEMPORARY_REDIRECT,
    response_class=RedirectResponse,
    responses={307: {"description": "Chuyển tới mount Icecast của đài"}},
)
def stream(device: EndpointDep, settings: SettingsDep) -> RedirectResponse:
    """Redirect to the station's live mount on Icecast."""
    assert device.station is not None
    onair = settings.onair
    url = f"http://{onair.icecast_host}:{onair.icecast_port}{device.station.mount}"
    return RedirectResponse(url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)


@router.post("/heartbeat", response_model=HeartbeatAck)
def heartbeat(
    data: Heartbeat,
    device: EndpointDep,
    session: SessionDep,
    settings: SettingsDep,
    now: ClockDep,
) -> HeartbeatAck:
    """The device is alive: its state, and the server's time to set its clock offset by.
    Telemetry, not audited."""
    assert device.station is not None
    assert device.station_token is not None
    row = fleet.heartbeat(session, device.station, device.station_token.id, data, now)
    session.commit()
    return HeartbeatAck(
        station_code=device.station.code,
        last_seen=row.last_seen,
        server_time=now,
        offline_after_s=settings.onair.endpoint_offline_s,
    )


@router.post(
    "/played",
    response_model=PlayedPublic,
    status_code=status.HTTP_201_CREATED,
    responses={200: {"description": "Đã ghi nhận trước đó (gửi lại)", "model": PlayedPublic}},
)
def played(
    data: PlayedReport,
    device: EndpointDep,
    session: SessionDep,
    now: ClockDep,
    response: Response,
) -> PlayedPublic:
    """Proof of play of one programme item (store-and-forward): 201 when recorded, 200 when
    the same report was already (the device may resend until it hears back)."""
    assert device.station is not None
    row, created = proof_of_play.record_played(session, device.station, data, now)
    session.commit()
    if not created:
        response.status_code = status.HTTP_200_OK
    return proof_of_play.to_public(device.station, row, created)
