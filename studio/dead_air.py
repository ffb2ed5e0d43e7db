"""Dead air: a station's output silent for longer than `onair.dead_air_s`, as Liquidsoap's
blank.detect reports it, kept as an open `OnAirAlert` until sound comes back.

Silence on an idle station is what it should air (outside its sessions, and in the gaps between
items): a blank while nothing is queued is dead air only when the station's programme has an
item planned at that instant. Telemetry, not audited (an operator resolving the alert is).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from studio.asrun_keys import item_planned_at, local_clock
from studio.models import Station
from studio.onair_models import AsRun, OnAirAlert
from studio.types import AlertKind, AsRunStatus

SILENT = "im lặng trên đầu ra (dead air)"
# How soon after reporting a blank Liquidsoap's skip ends the silent item.
SKIP_WINDOW = timedelta(seconds=2)


def open_dead_air(session: Session, station_id: int) -> list[OnAirAlert]:
    return list(
        session.exec(
            select(OnAirAlert)
            .where(
                OnAirAlert.station_id == station_id,
                OnAirAlert.kind == AlertKind.dead_air,
                col(OnAirAlert.resolved_at).is_(None),
            )
            .order_by(col(OnAirAlert.id))
        )
    )


def silent_at_end(session: Session, station_id: int, start: datetime, end: datetime) -> bool:
    """Did dead air begin while an item was on air (`start`..`end`) and last until its end?
    Judged by the reported instants, not by the order the reports arrived in."""
    found = session.exec(
        select(OnAirAlert.id).where(
            OnAirAlert.station_id == station_id,
            OnAirAlert.kind == AlertKind.dead_air,
            col(OnAirAlert.at).between(start, end),
            or_(col(OnAirAlert.resolved_at).is_(None), col(OnAirAlert.resolved_at) >= end),
        )
    ).first()
    return found is not None


def blank(
    session: Session, station: Station, playing: str | None, at: datetime
) -> OnAirAlert | None:
    """The output went silent (detected at `at`) while `playing` was on air (None: the station
    was idle). One open alert per station: a repeated report returns it."""
    assert station.id is not None
    already = open_dead_air(session, station.id)
    if already:
        return already[-1]
    clock = local_clock(station, at)
    if playing is not None:
        detail = f"Im lặng trên đầu ra (phát hiện lúc {clock}); đang phát «{playing}»"
    else:
        planned = item_planned_at(session, station, at)
        if planned is None:
            return None
        detail = (
            f"Im lặng trên đầu ra (phát hiện lúc {clock}): theo chương trình đang phải phát "
            f"«{planned.title}» nhưng hàng đợi trống"
        )
    alert = OnAirAlert(station_id=station.id, kind=AlertKind.dead_air, at=at, detail=detail)
    session.add(alert)
    _fail_skipped(session, station.id, at)
    return alert


def _fail_skipped(session: Session, station_id: int, at: datetime) -> None:
    """Liquidsoap skips a silent item right after reporting the blank; when the item's end
    overtook the blank on the way here, it was recorded as aired: it failed."""
    rows = session.exec(
        select(AsRun).where(
            AsRun.station_id == station_id,
            col(AsRun.status).in_([AsRunStatus.aired, AsRunStatus.late]),
            col(AsRun.started_at) <= at,
            col(AsRun.ended_at).between(at, at + SKIP_WINDOW),
        )
    ).all()
    for row in rows:
        row.status = AsRunStatus.failed
        row.detail = f"{row.detail}; {SILENT}" if row.detail else SILENT
        session.add(row)


def noise(session: Session, station: Station, at: datetime) -> OnAirAlert | None:
    """Sound again: the station's open dead-air alerts are resolved at `at`."""
    assert station.id is not None
    alerts = open_dead_air(session, station.id)
    for alert in alerts:
        alert.resolved_at = max(at, alert.at)
        session.add(alert)
    return alerts[-1] if alerts else None
