"""On-air alerts as staff see them: listed for the stations of their areas, resolved by hand.

Staff see the alerts of the stations they cover; alerts without a station (a restarted
process concerns the whole deployment) are for admins. Resolving one is an operator's decision
and is audited; dead air resolves itself when sound comes back (see `studio.dead_air`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from studio.audit import Actor, record
from studio.errors import Conflict, NotFound, PermissionDenied
from studio.models import Station
from studio.onair_models import OnAirAlert
from studio.pagination import paginate
from studio.settings import DEFAULT_TIMEZONE
from studio.types import AlertKind


class AlertPublic(BaseModel):
    id: int
    station_code: str | None
    kind: AlertKind
    at: datetime
    detail: str
    open: bool
    resolved_at: datetime | None


class AlertResolve(BaseModel):
    note: str = Field(default="", max_length=300, description="Ghi chú của người xử lý")


def _public(alert: OnAirAlert, codes: dict[int, str]) -> AlertPublic:
    assert alert.id is not None
    return AlertPublic(
        id=alert.id,
        station_code=codes.get(alert.station_id) if alert.station_id is not None else None,
        kind=alert.kind,
        at=alert.at,
        detail=alert.detail,
        open=alert.resolved_at is None,
        resolved_at=alert.resolved_at,
    )


def _codes(session: Session, ids: set[int]) -> dict[int, str]:
    rows = session.exec(select(Station.id, Station.code).where(col(Station.id).in_(ids))).all()
    return {station_id: code for station_id, code in rows if station_id is not None}


def list_alerts(
    session: Session,
    area_ids: set[int] | None,
    offset: int,
    limit: int,
    *,
    station_id: int | None = None,
    open_only: bool | None = None,
    kind: AlertKind | None = None,
) -> tuple[list[AlertPublic], int]:
    """Newest first. `area_ids` None: every alert (admins); else the stations of those areas.
    `open_only`: True open alerts, False resolved ones, None both."""
    statement = select(OnAirAlert).order_by(col(OnAirAlert.at).desc(), col(OnAirAlert.id).desc())
    if area_ids is not None:
        covered = select(Station.id).where(col(Station.area_id).in_(area_ids))
        statement = statement.where(col(OnAirAlert.station_id).in_(covered))
    if station_id is not None:
        statement = statement.where(OnAirAlert.station_id == station_id)
    if open_only is not None:
        resolved = col(OnAirAlert.resolved_at)
        statement = statement.where(resolved.is_(None) if open_only else resolved.is_not(None))
    if kind is not None:
        statement = statement.where(OnAirAlert.kind == kind)
    rows, total = paginate(session, statement, offset, limit)
    codes = _codes(session, {r.station_id for r in rows if r.station_id is not None})
    return [_public(r, codes) for r in rows], total


def resolve_alert(
    session: Session,
    actor: Actor,
    alert_id: int,
    area_ids: set[int] | None,
    note: str,
    now: datetime,
) -> AlertPublic:
    """Mark an open alert resolved (audited; flushes, does not commit)."""
    alert = session.get(OnAirAlert, alert_id)
    if alert is None:
        raise NotFound(f"Không tìm thấy cảnh báo {alert_id}")
    station = session.get(Station, alert.station_id) if alert.station_id is not None else None
    if area_ids is not None and (station is None or station.area_id not in area_ids):
        raise PermissionDenied("Cảnh báo này không thuộc địa bàn bạn phụ trách")
    if alert.resolved_at is not None:
        zone = ZoneInfo(station.timezone if station is not None else DEFAULT_TIMEZONE)
        when = alert.resolved_at.astimezone(zone)
        raise Conflict(f"Cảnh báo {alert_id} đã được xử lý lúc {when:%H:%M ngày %d/%m/%Y}")
    alert.resolved_at = now
    session.add(alert)
    session.flush()
    record(
        session,
        actor,
        "alert.resolve",
        "onair_alert",
        alert_id,
        before={"resolved_at": None},
        after={"resolved_at": now.isoformat(), "kind": alert.kind.value},
        detail=note,
    )
    codes = {station.id: station.code} if station is not None and station.id is not None else {}
    return _public(alert, codes)
