"""Tables of what actually went on air: the as-run log, emergencies, alerts, endpoints and the
supervised processes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from studio.types import (
    AlertKind,
    AsRunSource,
    AsRunStatus,
    CapStatus,
    EmergencyState,
    EnumText,
    QueueKind,
    UTCDateTime,
    utcnow,
)


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _opt_ts(**kw: Any) -> Any:
    return Field(default=None, sa_type=UTCDateTime, **kw)


class AsRun(SQLModel, table=True):
    """One airing at one station, from the station's own report (Liquidsoap's track events or
    an endpoint's proof of play), with the plan beside it when there was one."""

    __tablename__ = "as_run"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    day: date = Field(index=True)  # the station's local day of the planned (else actual) start
    queue: QueueKind = Field(sa_type=EnumText(QueueKind, 16))
    item_key: str = Field(default="", sa_type=sa.String(100), index=True)
    bulletin_id: int | None = Field(default=None, foreign_key="bulletin.id", index=True)
    bulletin_version: int | None = None
    emergency_id: int | None = Field(default=None, foreign_key="emergency.id", index=True)
    clip_sha256: str = Field(default="", sa_type=sa.String(64))
    title: str = Field(default="", sa_type=sa.String(300))
    planned_start: datetime | None = _opt_ts()
    planned_duration_ms: int | None = None
    started_at: datetime | None = _opt_ts()
    ended_at: datetime | None = _opt_ts()
    status: AsRunStatus = Field(sa_type=EnumText(AsRunStatus, 16), index=True)
    lateness_ms: int | None = None
    source: AsRunSource = Field(sa_type=EnumText(AsRunSource, 16))
    detail: str = Field(default="", sa_type=sa.Text)
    created_at: datetime = _ts()


class Emergency(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    cap_status: CapStatus = Field(sa_type=EnumText(CapStatus, 16))
    state: EmergencyState = Field(sa_type=EnumText(EmergencyState, 16), index=True)
    title: str = Field(default="", sa_type=sa.String(300))
    text: str = Field(default="", sa_type=sa.Text)
    language: str = Field(default="vi", sa_type=sa.String(8))
    bulletin_id: int | None = Field(default=None, foreign_key="bulletin.id")
    clip_sha256: str = Field(default="", sa_type=sa.String(64))
    duration_ms: int = 0
    engine: str = Field(default="", sa_type=sa.String(32))
    repeat: int = 1
    interval_s: int = 0
    chime: bool = True
    expires_at: datetime | None = _opt_ts()
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = _ts(index=True)
    cancelled_at: datetime | None = _opt_ts()
    cancelled_by_id: int | None = Field(default=None, foreign_key="user.id")


class EmergencyTarget(SQLModel, table=True):
    __tablename__ = "emergency_target"
    __table_args__ = (sa.UniqueConstraint("emergency_id", "station_id"),)

    id: int | None = Field(default=None, primary_key=True)
    emergency_id: int = Field(foreign_key="emergency.id", index=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    pushed_at: datetime | None = _opt_ts()
    first_aired_at: datetime | None = _opt_ts()
    airings: int = 0
    error: str = Field(default="", sa_type=sa.Text)


class OnAirAlert(SQLModel, table=True):
    """Dead air, a clip that failed its checksum, a late or failed item, a restarted process."""

    __tablename__ = "onair_alert"

    id: int | None = Field(default=None, primary_key=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    kind: AlertKind = Field(sa_type=EnumText(AlertKind, 24), index=True)
    at: datetime = _ts(index=True)
    detail: str = Field(default="", sa_type=sa.Text)
    resolved_at: datetime | None = _opt_ts()


class EndpointStatus(SQLModel, table=True):
    """The last heartbeat of a station's endpoint device."""

    __tablename__ = "endpoint_status"

    station_id: int = Field(foreign_key="station.id", primary_key=True)
    last_seen: datetime = _ts()
    online: bool = True
    playing: str = Field(default="", sa_type=sa.String(300))
    volume: int | None = None
    buffer_s: float | None = None
    clock_offset_ms: int | None = None
    software: str = Field(default="", sa_type=sa.String(100))
    token_id: int | None = Field(default=None, foreign_key="stationtoken.id")


class ProcessEvent(SQLModel, table=True):
    """A supervised process started, exited or was restarted (Liquidsoap, Icecast, scheduler)."""

    __tablename__ = "process_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    process: str = Field(sa_type=sa.String(64), index=True)
    event: str = Field(sa_type=sa.String(32))
    detail: str = Field(default="", sa_type=sa.Text)
