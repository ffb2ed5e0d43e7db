"""The as-run log: what each station actually played, from its own reports.

Liquidsoap posts a track event when an item starts and ends on a station's output (the
annotations it was pushed with come back as metadata), and a blank/noise event around dead air;
endpoints post proof of play. Each start makes one row, its end completes it; the planned start
rides along in the annotations, so lateness is measured against the plan the item was pushed
for. Reports are idempotent: the same start reported twice is one row.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from studio.errors import InvalidInput, NotFound
from studio.models import Station
from studio.onair_models import AsRun, EmergencyTarget, OnAirAlert
from studio.types import AlertKind, AsRunSource, AsRunStatus, QueueKind

LATE_AFTER_MS = 1000  # an item starting later than this after its plan is "late"
# Metadata keys the playout scheduler annotates every push with.
KEYS = (
    "item_key",
    "planned_start",
    "duration_ms",
    "bulletin_id",
    "version",
    "emergency_id",
    "title",
    "sha256",
)


class OnAirEvent(BaseModel):
    """One report from a station's Liquidsoap output."""

    type: Literal["track_start", "track_end", "blank", "noise"]
    station: str = Field(min_length=1, max_length=64)
    queue: QueueKind | None = None
    time: float = Field(gt=1_000_000_000, lt=10_000_000_000, description="Unix time, seconds")
    metadata: dict[str, str] = Field(default_factory=dict, max_length=200)


def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds, 3), tz=UTC)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _planned(meta: dict[str, str]) -> datetime | None:
    try:
        value = float(meta.get("planned_start", ""))
    except ValueError:
        return None
    return _instant(value) if value > 0 else None


def local_day(station: Station, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(station.timezone)).date()


def _station(session: Session, code: str) -> Station:
    station = session.exec(select(Station).where(Station.code == code)).first()
    if station is None:
        raise NotFound(f"Không tìm thấy đài có mã {code!r}")
    return station


def _open_rows(session: Session, station_id: int, queue: QueueKind) -> list[AsRun]:
    return list(
        session.exec(
            select(AsRun).where(
                AsRun.station_id == station_id,
                AsRun.queue == queue,
                AsRun.status == AsRunStatus.playing,
            )
        )
    )


def _finish(row: AsRun, at: datetime) -> None:
    row.ended_at = max(at, row.started_at) if row.started_at else at
    late = row.lateness_ms is not None and row.lateness_ms > LATE_AFTER_MS
    row.status = AsRunStatus.late if late else AsRunStatus.aired


def record_event(session: Session, event: OnAirEvent) -> AsRun | OnAirAlert | None:
    """Store one event; returns the row it made or completed (flushes, does not commit)."""
    station = _station(session, event.station)
    assert station.id is not None
    at = _instant(event.time)
    meta = event.metadata
    if event.type == "blank":
        alert = OnAirAlert(
            station_id=station.id,
            kind=AlertKind.dead_air,
            at=at,
            detail=f"im lặng trên đầu ra; đang phát: {meta.get('title', '')}",
        )
        session.add(alert)
        session.flush()
        return alert
    if event.type == "noise":
        open_alerts = session.exec(
            select(OnAirAlert).where(
                OnAirAlert.station_id == station.id,
                OnAirAlert.kind == AlertKind.dead_air,
                col(OnAirAlert.resolved_at).is_(None),
            )
        ).all()
        for alert in open_alerts:
            alert.resolved_at = at
            session.add(alert)
        session.flush()
        return open_alerts[-1] if open_alerts else None
    if event.queue is None:
        raise InvalidInput("Sự kiện phát sóng thiếu hàng đợi (queue)")
    key = meta.get("item_key", "")
    if event.type == "track_end":
        rows = [r for r in _open_rows(session, station.id, event.queue) if r.item_key == key]
        for row in rows:
            _finish(row, at)
            session.add(row)
        session.flush()
        return rows[-1] if rows else None
    duplicate = session.exec(
        select(AsRun).where(
            AsRun.station_id == station.id, AsRun.item_key == key, AsRun.started_at == at
        )
    ).first()
    if duplicate is not None and key:
        return duplicate
    for row in _open_rows(session, station.id, event.queue):  # its end was never reported
        _finish(row, at)
        session.add(row)
    planned = _planned(meta)
    row = AsRun(
        station_id=station.id,
        day=local_day(station, planned or at),
        queue=event.queue,
        item_key=key[:100],
        bulletin_id=_int(meta.get("bulletin_id")),
        bulletin_version=_int(meta.get("version")),
        emergency_id=_int(meta.get("emergency_id")),
        clip_sha256=meta.get("sha256", "")[:64],
        title=meta.get("title", "")[:300],
        planned_start=planned,
        planned_duration_ms=_int(meta.get("duration_ms")),
        started_at=at,
        status=AsRunStatus.playing,
        lateness_ms=round((at - planned) / timedelta(milliseconds=1)) if planned else None,
        source=AsRunSource.liquidsoap,
    )
    session.add(row)
    if row.emergency_id is not None:
        target = session.exec(
            select(EmergencyTarget).where(
                EmergencyTarget.emergency_id == row.emergency_id,
                EmergencyTarget.station_id == station.id,
            )
        ).first()
        if target is not None:
            target.first_aired_at = target.first_aired_at or at
            target.airings += 1
            session.add(target)
    session.flush()
    return row


def station_day(session: Session, station: Station, day: date) -> list[AsRun]:
    return list(
        session.exec(
            select(AsRun)
            .where(AsRun.station_id == station.id, AsRun.day == day)
            .order_by(col(AsRun.started_at), col(AsRun.id))
        )
    )


def aired_counts(session: Session, station_id: int, days: list[date]) -> dict[date, dict[int, int]]:
    """Airings per bulletin on each of `days` that has any as-run record (days without one are
    missing from the result: nobody reported them)."""
    rows = session.exec(
        select(col(AsRun.day), col(AsRun.bulletin_id)).where(
            AsRun.station_id == station_id,
            col(AsRun.day).in_(days),
            col(AsRun.status).in_([AsRunStatus.aired, AsRunStatus.late, AsRunStatus.playing]),
        )
    ).all()
    reported = set(
        session.exec(
            select(col(AsRun.day)).where(AsRun.station_id == station_id, col(AsRun.day).in_(days))
        ).all()
    )
    out: dict[date, dict[int, int]] = {d: {} for d in reported}
    for day, bulletin_id in rows:
        if bulletin_id is not None:
            out[day][bulletin_id] = out[day].get(bulletin_id, 0) + 1
    return out
