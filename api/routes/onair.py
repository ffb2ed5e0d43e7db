"""What went on air: Liquidsoap's event intake, a station's as-run report, alerts, the fleet.

The intake is for the streaming stack only: it presents the deployment's events token
(`studio.onair_secrets`) as a bearer token; neither a user's sign-in nor a station token will
do. It stays light, as it sits on the on-air path: a few indexed queries per event. Staff read
the as-run report, alerts and fleet of the stations of their areas (as GET /stations/{code});
approvers and admins resolve alerts (audited).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, HTTPException, Query, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlmodel import Session

from api.deps import CurrentUser, IdPath, PageDep, ReviewerUser, SessionDep, SettingsDep, actor_for
from api.routes.windows import DayQuery, visible_station
from studio import alerts, asrun, asrun_report, fleet
from studio.alerts import AlertPublic, AlertResolve
from studio.asrun_keys import local_day
from studio.models import Page, User
from studio.onair_secrets import load_or_create
from studio.settings import Settings
from studio.types import AlertKind, utcnow
from studio.users import covered_area_ids

router = APIRouter(tags=["on air"])

events_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="EventsToken",
    description="Mã sự kiện của hệ thống phát sóng (var/onair/secrets.json: events_token)",
)


def clock() -> datetime:
    """Now, as a dependency: tests pin it to a moment of the day they report on."""
    return utcnow()


ClockDep = Annotated[datetime, Depends(clock)]


def events_token_matches(settings: Settings, presented: str) -> bool:
    expected = load_or_create(settings).events_token
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def require_events_token(
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(events_bearer)],
) -> None:
    if credentials is None:
        raise HTTPException(401, "Thiếu mã sự kiện phát sóng (Authorization: Bearer …)")
    if not events_token_matches(settings, credentials.credentials):
        raise HTTPException(403, "Mã sự kiện phát sóng không đúng")


class EventsAccepted(BaseModel):
    received: int
    # Events that concern a row (made, changed or already there); a blank on an idle station
    # outside its programme, or an end with nothing open, concerns none.
    recorded: int


@router.post(
    "/internal/onair/events",
    response_model=EventsAccepted,
    dependencies=[Depends(require_events_token)],
)
def onair_events(events: asrun.OnAirEvents, session: SessionDep) -> EventsAccepted:
    """Track and dead-air events from the stations' Liquidsoap outputs: one event or a list.
    All or nothing: an event for an unknown station refuses the whole body (404)."""
    results = [asrun.record_event(session, event) for event in events.root]
    session.commit()
    return EventsAccepted(
        received=len(results), recorded=sum(result is not None for result in results)
    )


# ------------------------------------------------------------------ as-run
@router.get(
    "/stations/{code}/as-run",
    response_model=asrun_report.AsRunDay,
    responses={200: {"content": {"text/csv": {}}}},
)
def as_run(
    code: str,
    user: CurrentUser,
    session: SessionDep,
    now: ClockDep,
    day: DayQuery = None,
    fmt: Annotated[
        Literal["json", "csv"], Query(alias="format", description="json hoặc csv (Excel)")
    ] = "json",
) -> Any:
    """The day's programme beside what aired (default: the station's today), with the
    unplanned airings (emergencies); as JSON or as CSV with UTC and local times."""
    station = visible_station(session, user, code)
    day = day or local_day(station, now)
    report = asrun_report.day_report(session, station, day, now)
    session.commit()
    if fmt == "json":
        return report
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", f"as-run-{station.code}-{day.isoformat()}.csv")
    return Response(
        asrun_report.report_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# ------------------------------------------------------------------ alerts
def _station_filter(session: Session, user: User, code: str | None) -> int | None:
    if code is None:
        return None
    return visible_station(session, user, code).id


@router.get("/alerts", response_model=Page[AlertPublic])
def list_alerts(
    user: CurrentUser,
    session: SessionDep,
    page: PageDep,
    station: Annotated[str | None, Query(max_length=64, description="Mã đài")] = None,
    open_only: Annotated[
        bool | None, Query(alias="open", description="true: chưa xử lý; false: đã xử lý")
    ] = None,
    kind: AlertKind | None = None,
) -> Page[AlertPublic]:
    """Alerts of the stations of your areas, newest first (admins: also the deployment's own,
    such as a restarted process)."""
    rows, total = alerts.list_alerts(
        session,
        covered_area_ids(session, user),
        page.offset,
        page.limit,
        station_id=_station_filter(session, user, station),
        open_only=open_only,
        kind=kind,
    )
    session.commit()
    return Page[AlertPublic](items=rows, total=total, offset=page.offset, limit=page.limit)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertPublic)
def resolve_alert(
    alert_id: IdPath,
    user: ReviewerUser,
    session: SessionDep,
    now: ClockDep,
    data: Annotated[AlertResolve | None, Body()] = None,
) -> AlertPublic:
    """Mark an alert handled, with an optional note (audited)."""
    resolved = alerts.resolve_alert(
        session,
        actor_for(user),
        alert_id,
        covered_area_ids(session, user),
        data.note if data is not None else "",
        now,
    )
    session.commit()
    return resolved


# ------------------------------------------------------------------ fleet
@router.get("/fleet", response_model=Page[fleet.FleetEntry])
def fleet_view(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    now: ClockDep,
    online: Annotated[
        bool | None, Query(description="true: chỉ thiết bị trực tuyến; false: chỉ ngoại tuyến")
    ] = None,
) -> Page[fleet.FleetEntry]:
    """The endpoint devices of your areas' stations: last heartbeat, online (heard from within
    `onair.endpoint_offline_s`), what they play, volume, buffer, clock offset, open alerts, and
    what the station's as-run log says is on air."""
    rows, total = fleet.fleet(
        session,
        settings.onair.endpoint_offline_s,
        covered_area_ids(session, user),
        page.offset,
        page.limit,
        now,
        online,
    )
    session.commit()
    return Page[fleet.FleetEntry](items=rows, total=total, offset=page.offset, limit=page.limit)
