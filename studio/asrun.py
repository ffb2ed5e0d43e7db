"""The as-run log: what each station actually played, from its own reports.

Liquidsoap posts a track event when an item starts, ends or resumes on a station's output (the
annotations it was pushed with come back as metadata; the wire format is in `stations.render`),
and a blank/noise event around dead air. Each start makes one row, its end completes it; the
planned start rides along in the annotations (else in the item key), so lateness is measured
against the plan the item was pushed for. The playout releases each item early by the delay from
Liquidsoap's output to a listener of the mount (`advance_ms` in the annotations,
`studio.onair_latency`); the as-run adds it back, so `lateness_ms` is the item's lateness where
it is heard (0: on time) while `started_at` stays Liquidsoap's own instant. Reports are
idempotent: the same start reported twice is one row, and so is an item started again while its
row is open (pushed again with a cue-in after a restart). An emergency that cuts in marks the
programme item it interrupted `preempted`; when that item resumes it is `playing` again and its
end makes it aired. An item that ends while its station's output is silent (an open dead-air
alert) has `failed`.

These rows are operational telemetry, not decisions: they are not written to the audit log.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    Field,
    RootModel,
    StringConstraints,
    field_validator,
    model_validator,
)
from sqlmodel import Session, col, or_, select

from studio import dead_air
from studio.asrun_keys import item_key as item_key
from studio.asrun_keys import key_start, local_clock, local_day
from studio.errors import InvalidInput, NotFound
from studio.models import MAX_ID, Bulletin, Station
from studio.onair_models import AsRun, Emergency, EmergencyTarget, OnAirAlert
from studio.types import AsRunSource, AsRunStatus, QueueKind

LATE_AFTER_MS = 1000  # an item starting later than this after its plan is "late"
# A programme item that left the air this close to an emergency's start was cut by it.
PREEMPT_WINDOW = timedelta(milliseconds=1000)
MAX_BATCH = 500
MS = timedelta(milliseconds=1)
MAX_ADVANCE_MS = 10_000  # a gate opens at most this early (the settings allow 6 s)
EventType = Literal["track_start", "track_end", "track_resume", "blank", "noise"]
MetaKey = Annotated[str, StringConstraints(max_length=200)]
MetaValue = Annotated[str, StringConstraints(max_length=4000)]


class OnAirEvent(BaseModel):
    """One report from a station's Liquidsoap output (`stations.render` documents the format)."""

    event: EventType
    station: str = Field(min_length=1, max_length=64)
    queue: QueueKind | None = None  # "" (an idle station's blank or noise) reads as None
    time: float = Field(gt=1_000_000_000, lt=10_000_000_000, description="Unix time, seconds")
    seq: int | None = Field(default=None, ge=0, le=2**53)
    boot: float | None = Field(default=None, ge=0, le=10_000_000_000)
    metadata: dict[MetaKey, MetaValue] = Field(default_factory=dict, max_length=200)

    @field_validator("queue", mode="before")
    @classmethod
    def _idle_queue(cls, value: Any) -> Any:
        return None if value == "" else value


class OnAirEvents(RootModel[list[OnAirEvent]]):
    """One event, or a list of them (a single object is a batch of one)."""

    root: list[OnAirEvent] = Field(min_length=1, max_length=MAX_BATCH)

    @model_validator(mode="before")
    @classmethod
    def _one_or_many(cls, data: Any) -> Any:
        return [data] if isinstance(data, dict) else data


# ------------------------------------------------------------------ events
def _instant(seconds: float) -> datetime:
    return datetime.fromtimestamp(round(seconds, 3), tz=UTC)


def _int(value: str | None, low: int = 0) -> int | None:
    try:
        number = int(value) if value not in (None, "") else None
    except ValueError:
        return None
    return number if number is not None and low <= number <= MAX_ID else None


def _planned(meta: dict[str, str], key: str) -> datetime | None:
    try:
        value = float(meta.get("planned_start", ""))
    except ValueError:
        return key_start(key)
    return _instant(value) if 1e9 < value < 1e10 else key_start(key)


def _advance_ms(meta: dict[str, str]) -> int:
    """How early the gate released the item (0 when not said, or not believable)."""
    value = _int(meta.get("advance_ms"))
    return value if value is not None and value <= MAX_ADVANCE_MS else 0


def _note(detail: str, text: str) -> str:
    return f"{detail}; {text}" if detail else text


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


def _finish(session: Session, row: AsRun, at: datetime) -> None:
    row.ended_at = max(at, row.started_at) if row.started_at else at
    if dead_air.silent_at_end(session, row.station_id, row.started_at or at, row.ended_at):
        row.status = AsRunStatus.failed
        row.detail = _note(row.detail, dead_air.SILENT)
    elif row.lateness_ms is not None and row.lateness_ms > LATE_AFTER_MS:
        row.status = AsRunStatus.late
    else:
        row.status = AsRunStatus.aired
    session.add(row)


def _preempt(session: Session, station: Station, at: datetime) -> None:
    """Mark the programme item an emergency starting at `at` cut off (its end may have been
    reported just before, or not yet: the two events race)."""
    assert station.id is not None
    rows = session.exec(
        select(AsRun).where(
            AsRun.station_id == station.id,
            AsRun.queue == QueueKind.programme,
            col(AsRun.status).in_([AsRunStatus.playing, AsRunStatus.aired, AsRunStatus.late]),
            or_(
                col(AsRun.status) == AsRunStatus.playing,
                col(AsRun.ended_at).between(at - PREEMPT_WINDOW, at + PREEMPT_WINDOW),
            ),
        )
    ).all()
    for row in rows:
        ended = row.ended_at or at
        if row.status is not AsRunStatus.playing and row.started_at and row.planned_duration_ms:
            if ended - row.started_at >= row.planned_duration_ms * MS - PREEMPT_WINDOW:
                continue  # it had finished anyway
        row.ended_at = ended
        row.status = AsRunStatus.preempted
        row.detail = _note(row.detail, f"bị ngắt bởi phát khẩn cấp lúc {local_clock(station, at)}")
        session.add(row)


def _start(
    session: Session, station: Station, queue: QueueKind, meta: dict[str, str], at: datetime
) -> AsRun:
    assert station.id is not None
    key = meta.get("item_key", "")[:100]
    duplicate = session.exec(
        select(AsRun).where(
            AsRun.station_id == station.id,
            AsRun.queue == queue,
            AsRun.item_key == key,
            AsRun.started_at == at,
        )
    ).first()
    if duplicate is not None:
        return duplicate
    for row in _open_rows(session, station.id, queue):
        if key and row.item_key == key:
            # The same item pushed again after a restart (cued in where it was): one airing.
            row.detail = _note(row.detail, f"phát lại tiếp lúc {local_clock(station, at)}")
            session.add(row)
            return row
        _finish(session, row, at)  # its end was never reported
    if queue is QueueKind.emergency:
        _preempt(session, station, at)
    planned = _planned(meta, key)
    bulletin_id = _int(meta.get("bulletin_id"), 1)
    emergency_id = _int(meta.get("emergency_id"), 1)
    row = AsRun(
        station_id=station.id,
        day=local_day(station, planned or at),
        queue=queue,
        item_key=key,
        # Unknown ids are dropped rather than refused: the airing happened all the same.
        bulletin_id=bulletin_id if bulletin_id and session.get(Bulletin, bulletin_id) else None,
        bulletin_version=_int(meta.get("version"), 1),
        emergency_id=emergency_id
        if emergency_id and session.get(Emergency, emergency_id)
        else None,
        clip_sha256=meta.get("sha256", "")[:64],
        title=meta.get("title", "")[:300],
        planned_start=planned,
        planned_duration_ms=_int(meta.get("duration_ms")),
        started_at=at,
        status=AsRunStatus.playing,
        lateness_ms=round((at - planned) / MS) + _advance_ms(meta) if planned else None,
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
    return row


def _end(
    session: Session, station: Station, queue: QueueKind, meta: dict[str, str], at: datetime
) -> AsRun | None:
    assert station.id is not None
    key = meta.get("item_key", "")[:100]
    rows = [r for r in _open_rows(session, station.id, queue) if r.item_key == key]
    for row in rows:
        _finish(session, row, at)
    return rows[-1] if rows else None


def _resume(
    session: Session, station: Station, queue: QueueKind, meta: dict[str, str], at: datetime
) -> AsRun:
    assert station.id is not None
    key = meta.get("item_key", "")[:100]
    row = session.exec(
        select(AsRun)
        .where(AsRun.station_id == station.id, AsRun.queue == queue, AsRun.item_key == key)
        .order_by(col(AsRun.started_at).desc(), col(AsRun.id).desc())
    ).first()
    if row is None:  # its start never reached us: this is the start we know of
        return _start(session, station, queue, meta, at)
    if row.status is AsRunStatus.playing:
        return row  # the same resume reported twice
    for other in _open_rows(session, station.id, queue):
        _finish(session, other, at)
    row.status = AsRunStatus.playing
    row.ended_at = None
    row.detail = _note(row.detail, f"phát tiếp lúc {local_clock(station, at)}")
    session.add(row)
    return row


def record_event(session: Session, event: OnAirEvent) -> AsRun | OnAirAlert | None:
    """Store one event; returns the row it made or changed, if any (flushes, no commit)."""
    station = _station(session, event.station)
    at = _instant(event.time)
    out: AsRun | OnAirAlert | None
    if event.event == "blank":
        playing = event.metadata.get("title", "") if event.queue is not None else None
        out = dead_air.blank(session, station, playing, at)
    elif event.event == "noise":
        out = dead_air.noise(session, station, at)
    elif event.queue is None:
        raise InvalidInput("Sự kiện phát sóng thiếu hàng đợi (queue)")
    elif event.event == "track_start":
        out = _start(session, station, event.queue, event.metadata, at)
    elif event.event == "track_end":
        out = _end(session, station, event.queue, event.metadata, at)
    else:
        out = _resume(session, station, event.queue, event.metadata, at)
    session.flush()
    return out


# ------------------------------------------------------------------ reading
def station_day(session: Session, station: Station, day: date) -> list[AsRun]:
    return list(
        session.exec(
            select(AsRun)
            .where(AsRun.station_id == station.id, AsRun.day == day)
            .order_by(col(AsRun.started_at), col(AsRun.id))
        )
    )


AIRED = (AsRunStatus.aired, AsRunStatus.late, AsRunStatus.playing)


def aired_counts(session: Session, station_id: int, days: list[date]) -> dict[date, dict[int, int]]:
    """Airings per bulletin on each of `days` that has any as-run record (days without one are
    missing from the result: nobody reported them). An item reported twice (by Liquidsoap and
    by an endpoint's proof of play) is one airing."""
    rows = session.exec(
        select(col(AsRun.id), col(AsRun.day), col(AsRun.bulletin_id), col(AsRun.item_key)).where(
            AsRun.station_id == station_id,
            col(AsRun.day).in_(days),
            col(AsRun.status).in_(AIRED),
        )
    ).all()
    reported = set(
        session.exec(
            select(col(AsRun.day)).where(AsRun.station_id == station_id, col(AsRun.day).in_(days))
        ).all()
    )
    airings = {(day, bulletin_id, key or f"#{row_id}") for row_id, day, bulletin_id, key in rows}
    out: dict[date, dict[int, int]] = {d: {} for d in reported}
    for day, bulletin_id, _ in airings:
        if bulletin_id is not None:
            out[day][bulletin_id] = out[day].get(bulletin_id, 0) + 1
    return out
