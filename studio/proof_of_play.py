"""Proof of play from a station's endpoint device: an item of the station's programme played
(store-and-forward) from one instant to another.

Each report becomes an as-run row (source ``endpoint``) with the plan beside it, so the as-run
report and the airing counts see it. A device may send the same report again (it retries until
it hears back): the same item started at the same instant is one row. Operational telemetry,
not audited.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import AwareDatetime, BaseModel, Field, model_validator
from sqlmodel import Session, select

from playlists.times import utc_ms
from studio.asrun import LATE_AFTER_MS, MS
from studio.asrun_keys import planned_item
from studio.errors import InvalidInput
from studio.models import MAX_ID, Station
from studio.onair_models import AsRun
from studio.types import AsRunSource, AsRunStatus, QueueKind

# A device's clock may run ahead of ours; beyond this a report from the future is refused.
FUTURE_SLACK = timedelta(minutes=5)


class PlayedReport(BaseModel):
    item_key: str = Field(min_length=1, max_length=100)
    started_at: AwareDatetime
    ended_at: AwareDatetime
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    bulletin_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    @model_validator(mode="after")
    def _span(self) -> PlayedReport:
        if self.ended_at < self.started_at:
            raise ValueError("ended_at phải từ started_at trở đi")
        if self.ended_at - self.started_at > timedelta(days=1):
            raise ValueError("một lần phát không thể dài quá 24 giờ")
        return self


class PlayedPublic(BaseModel):
    id: int
    station_code: str
    item_key: str
    status: AsRunStatus
    planned_start: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    lateness_ms: int | None
    created: bool  # False: the same report was already recorded


def record_played(
    session: Session, station: Station, report: PlayedReport, now: datetime
) -> tuple[AsRun, bool]:
    """The row for this report and whether it is new (flushes, does not commit)."""
    assert station.id is not None
    started, ended = utc_ms(report.started_at), utc_ms(report.ended_at)
    if started > now + FUTURE_SLACK:
        raise InvalidInput("started_at ở tương lai: đồng hồ của thiết bị có thể bị sai")
    existing = session.exec(
        select(AsRun).where(
            AsRun.station_id == station.id,
            AsRun.item_key == report.item_key,
            AsRun.started_at == started,
            AsRun.source == AsRunSource.endpoint,  # Liquidsoap's own row of the item is another
        )
    ).first()
    if existing is not None:
        return existing, False
    found = planned_item(session, station, report.item_key)
    if found is None:
        raise InvalidInput(
            f"Đài {station.code}: không có mục này trong chương trình ({report.item_key})"
        )
    day, item = found
    if report.bulletin_id is not None and report.bulletin_id != item.bulletin_id:
        raise InvalidInput("bulletin_id không khớp với mục này trong chương trình")
    lateness = (started - item.start) // MS
    other_file = report.sha256 is not None and report.sha256 != item.clip_sha256
    row = AsRun(
        station_id=station.id,
        day=day,
        queue=QueueKind.programme,
        item_key=report.item_key,
        bulletin_id=item.bulletin_id,
        bulletin_version=item.version,
        clip_sha256=report.sha256 or item.clip_sha256,
        title=item.title,
        planned_start=item.start,
        planned_duration_ms=item.duration_ms,
        started_at=started,
        ended_at=ended,
        status=AsRunStatus.late if lateness > LATE_AFTER_MS else AsRunStatus.aired,
        lateness_ms=lateness,
        source=AsRunSource.endpoint,
        detail="thiết bị đã phát một tệp khác với chương trình hiện hành" if other_file else "",
    )
    session.add(row)
    session.flush()
    return row, True


def to_public(station: Station, row: AsRun, created: bool) -> PlayedPublic:
    assert row.id is not None
    return PlayedPublic(
        id=row.id,
        station_code=station.code,
        item_key=row.item_key,
        status=row.status,
        planned_start=row.planned_start,
        started_at=row.started_at,
        ended_at=row.ended_at,
        lateness_ms=row.lateness_ms,
        created=created,
    )
