"""Station endpoint devices: their heartbeats, and the fleet view staff watch.

A device posts a heartbeat every minute or so; its station's row in `endpoint_status` keeps the
last one. A station whose device has not been heard from for `onair.endpoint_offline_s` is
offline. Heartbeats are operational telemetry, not decisions: they are not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select

from studio.models import Area, Station
from studio.onair_models import AsRun, EndpointStatus, OnAirAlert
from studio.pagination import paginate
from studio.types import AlertKind, AsRunStatus, QueueKind

# An as-run row still "playing" this long after its planned length is a lost end, not on air.
STALE_AFTER = timedelta(minutes=10)
UNKNOWN_LENGTH = timedelta(hours=1)


class Heartbeat(BaseModel):
    status: Literal["online", "playing", "idle"]
    playing: str = Field(default="", max_length=300, description="Tên hoặc item_key đang phát")
    volume: int | None = Field(default=None, ge=0, le=100)
    buffer_s: float | None = Field(default=None, ge=0, le=86_400)
    clock_offset_ms: int | None = Field(default=None, ge=-86_400_000, le=86_400_000)
    software: str = Field(default="", max_length=100)


class HeartbeatAck(BaseModel):
    station_code: str
    last_seen: datetime
    server_time: datetime  # for the device to measure its clock offset
    offline_after_s: int


class OnAirNow(BaseModel):
    """What the station's as-run log says is on air."""

    item_key: str
    title: str
    queue: QueueKind
    started_at: datetime | None
    planned_start: datetime | None
    lateness_ms: int | None


class FleetEntry(BaseModel):
    code: str
    name: str
    area_code: str | None
    enabled: bool
    last_seen: datetime | None
    online: bool
    playing: str
    volume: int | None
    buffer_s: float | None
    clock_offset_ms: int | None
    software: str
    open_alerts: int
    dead_air_since: datetime | None
    on_air: OnAirNow | None


def heartbeat(
    session: Session, station: Station, token_id: int | None, data: Heartbeat, now: datetime
) -> EndpointStatus:
    """Keep the device's latest heartbeat (flushes, does not commit)."""
    assert station.id is not None

    def apply(row: EndpointStatus) -> EndpointStatus:
        row.last_seen = now
        row.online = True
        row.playing = data.playing if data.status == "playing" else ""
        row.volume = data.volume
        row.buffer_s = data.buffer_s
        row.clock_offset_ms = data.clock_offset_ms
        row.software = data.software
        row.token_id = token_id
        session.add(row)
        return row

    row = session.get(EndpointStatus, station.id)
    try:
        apply(row or EndpointStatus(station_id=station.id))
        session.flush()
    except IntegrityError:  # a first heartbeat raced another: update the row it made
        session.rollback()
        found = session.get(EndpointStatus, station.id)
        assert found is not None
        apply(found)
        session.flush()
    result = session.get(EndpointStatus, station.id)
    assert result is not None
    return result


def _on_air(session: Session, ids: list[int], now: datetime) -> dict[int, OnAirNow]:
    rows = session.exec(
        select(AsRun)
        .where(col(AsRun.station_id).in_(ids), AsRun.status == AsRunStatus.playing)
        .order_by(col(AsRun.started_at).desc(), col(AsRun.id).desc())
    ).all()
    out: dict[int, OnAirNow] = {}
    for row in rows:
        if row.station_id in out or row.started_at is None:
            continue
        length = (
            timedelta(milliseconds=row.planned_duration_ms)
            if row.planned_duration_ms
            else UNKNOWN_LENGTH
        )
        if row.started_at + length + STALE_AFTER < now:
            continue
        out[row.station_id] = OnAirNow(
            item_key=row.item_key,
            title=row.title,
            queue=row.queue,
            started_at=row.started_at,
            planned_start=row.planned_start,
            lateness_ms=row.lateness_ms,
        )
    return out


def _alerts(session: Session, ids: list[int]) -> tuple[dict[int, int], dict[int, datetime]]:
    rows = session.exec(
        select(OnAirAlert.station_id, OnAirAlert.kind, func.count(), func.min(OnAirAlert.at))
        .where(col(OnAirAlert.station_id).in_(ids), col(OnAirAlert.resolved_at).is_(None))
        .group_by(col(OnAirAlert.station_id), col(OnAirAlert.kind))
    ).all()
    counts: dict[int, int] = {}
    dead_air: dict[int, datetime] = {}
    for station_id, kind, count, first in rows:
        assert station_id is not None
        counts[station_id] = counts.get(station_id, 0) + int(count)
        if kind == AlertKind.dead_air:
            dead_air[station_id] = first
    return counts, dead_air


def fleet(
    session: Session,
    offline_s: int,
    area_ids: set[int] | None,
    offset: int,
    limit: int,
    now: datetime,
    online: bool | None = None,
) -> tuple[list[FleetEntry], int]:
    """Stations in code order (of `area_ids`; None: all), each with its device's state."""
    cutoff = now - timedelta(seconds=offline_s)
    statement = (
        select(Station)
        .outerjoin(EndpointStatus, col(EndpointStatus.station_id) == col(Station.id))
        .order_by(col(Station.code))
    )
    if area_ids is not None:
        statement = statement.where(col(Station.area_id).in_(area_ids))
    if online is True:
        statement = statement.where(col(EndpointStatus.last_seen) >= cutoff)
    elif online is False:
        statement = statement.where(
            or_(col(EndpointStatus.last_seen).is_(None), col(EndpointStatus.last_seen) < cutoff)
        )
    stations, total = paginate(session, statement, offset, limit)
    ids = [s.id for s in stations if s.id is not None]
    status = {
        r.station_id: r
        for r in session.exec(select(EndpointStatus).where(col(EndpointStatus.station_id).in_(ids)))
    }
    areas = {
        a.id: a.code
        for a in session.exec(select(Area).where(col(Area.id).in_({s.area_id for s in stations})))
    }
    on_air = _on_air(session, ids, now)
    alert_counts, dead_air = _alerts(session, ids)
    entries = []
    for station in stations:
        assert station.id is not None
        beat = status.get(station.id)
        entries.append(
            FleetEntry(
                code=station.code,
                name=station.name,
                area_code=areas.get(station.area_id),
                enabled=station.enabled,
                last_seen=beat.last_seen if beat else None,
                online=beat is not None and beat.last_seen >= cutoff,
                playing=beat.playing if beat else "",
                volume=beat.volume if beat else None,
                buffer_s=beat.buffer_s if beat else None,
                clock_offset_ms=beat.clock_offset_ms if beat else None,
                software=beat.software if beat else "",
                open_alerts=alert_counts.get(station.id, 0),
                dead_air_since=dead_air.get(station.id),
                on_air=on_air.get(station.id),
            )
        )
    return entries, total


def online_count(session: Session, offline_s: int, now: datetime) -> int:
    cutoff = now - timedelta(seconds=offline_s)
    found = session.exec(
        select(func.count()).select_from(EndpointStatus).where(EndpointStatus.last_seen >= cutoff)
    ).one()
    return int(found)
