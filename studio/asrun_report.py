"""A station's as-run report for one local day: the current programme beside what aired.

Every item of the day's current programme is a line, joined with the as-run rows of its item
key (one line per row: an item reported by Liquidsoap and again by an endpoint shows twice). A
planned item without any row is ``missed`` once its planned start has passed, ``pending``
before. Rows matching no planned item (emergencies, items of an earlier version, unknown keys)
follow as unplanned lines. CSV is UTF-8 with a BOM, so that Excel opens Vietnamese right.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlmodel import Session

import playlists
from playlists.times import iso_utc
from studio.asrun import station_day
from studio.asrun_keys import item_key, key_kind
from studio.models import Station
from studio.onair_models import AsRun
from studio.programmes import current_version, programme_of
from studio.types import AsRunSource, QueueKind

LineStatus = Literal[
    "aired", "late", "playing", "skipped", "preempted", "failed", "missed", "pending"
]
STATUSES: tuple[LineStatus, ...] = (
    "aired",
    "late",
    "playing",
    "skipped",
    "preempted",
    "failed",
    "missed",
    "pending",
)
MS = timedelta(milliseconds=1)
_LATEST = datetime.max.replace(tzinfo=UTC)


class AsRunLine(BaseModel):
    item_key: str
    kind: str  # opening, bulletin, closing, emergency ("" when unknown)
    planned: bool  # an item of the day's current programme
    session: str | None
    title: str
    bulletin_id: int | None
    version: int | None
    emergency_id: int | None
    queue: QueueKind | None
    status: LineStatus
    planned_start: datetime | None
    planned_duration_ms: int | None
    started_at: datetime | None
    ended_at: datetime | None
    duration_ms: int | None  # as aired
    lateness_ms: int | None
    source: AsRunSource | None
    detail: str


class AsRunDay(BaseModel):
    station_code: str
    date: date
    timezone: str
    programme_version: int | None  # None: no programme for the day
    generated_at: datetime
    totals: dict[str, int]  # lines per status, every status present
    items: list[AsRunLine]


def _from_row(row: AsRun, item: playlists.ProgrammeItem | None) -> AsRunLine:
    aired = (row.ended_at - row.started_at) // MS if row.ended_at and row.started_at else None
    kind = "emergency" if row.queue is QueueKind.emergency else key_kind(row.item_key)
    return AsRunLine(
        item_key=row.item_key,
        kind=item.kind.value if item is not None else kind,
        planned=item is not None,
        session=item.session if item is not None else None,
        title=row.title or (item.title if item is not None else ""),
        bulletin_id=row.bulletin_id if row.bulletin_id is not None else _bulletin(item),
        version=row.bulletin_version if row.bulletin_version is not None else _version(item),
        emergency_id=row.emergency_id,
        queue=row.queue,
        status=row.status.value,
        planned_start=item.start if item is not None else row.planned_start,
        planned_duration_ms=item.duration_ms if item is not None else row.planned_duration_ms,
        started_at=row.started_at,
        ended_at=row.ended_at,
        duration_ms=aired,
        lateness_ms=row.lateness_ms,
        source=row.source,
        detail=row.detail,
    )


def _bulletin(item: playlists.ProgrammeItem | None) -> int | None:
    return item.bulletin_id if item is not None else None


def _version(item: playlists.ProgrammeItem | None) -> int | None:
    return item.version if item is not None else None


def _unreported(item: playlists.ProgrammeItem, now: datetime) -> AsRunLine:
    return AsRunLine(
        item_key=item_key(item),
        kind=item.kind.value,
        planned=True,
        session=item.session,
        title=item.title,
        bulletin_id=item.bulletin_id,
        version=item.version,
        emergency_id=None,
        queue=None,
        status="missed" if item.start <= now else "pending",
        planned_start=item.start,
        planned_duration_ms=item.duration_ms,
        started_at=None,
        ended_at=None,
        duration_ms=None,
        lateness_ms=None,
        source=None,
        detail="",
    )


def _order(line: AsRunLine) -> tuple[datetime, datetime]:
    anchor = line.planned_start or line.started_at or _LATEST
    return anchor, line.started_at or _LATEST


def day_report(session: Session, station: Station, day: date, now: datetime) -> AsRunDay:
    assert station.id is not None
    version = current_version(session, station.id, day)
    programme = programme_of(version) if version is not None else None
    rows = station_day(session, station, day)
    by_key: dict[str, list[AsRun]] = defaultdict(list)
    for row in rows:
        if row.item_key:
            by_key[row.item_key].append(row)
    lines: list[AsRunLine] = []
    matched: set[int | None] = set()
    for item in programme.items if programme is not None else ():
        reported = by_key.pop(item_key(item), [])
        matched.update(r.id for r in reported)
        lines += [_from_row(r, item) for r in reported] or [_unreported(item, now)]
    lines += [_from_row(r, None) for r in rows if r.id not in matched]
    lines.sort(key=_order)  # stable: rows of one item keep their order of start
    totals: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for line in lines:
        totals[line.status] += 1
    return AsRunDay(
        station_code=station.code,
        date=day,
        timezone=station.timezone,
        programme_version=version.version if version is not None else None,
        generated_at=now.astimezone(UTC),
        totals=totals,
        items=lines,
    )


# ------------------------------------------------------------------ CSV
COLUMNS = (
    "item_key",
    "kind",
    "planned",
    "session",
    "title",
    "bulletin_id",
    "version",
    "emergency_id",
    "queue",
    "status",
    "planned_start_utc",
    "planned_start_local",
    "planned_duration_ms",
    "started_at_utc",
    "started_at_local",
    "ended_at_utc",
    "ended_at_local",
    "duration_ms",
    "lateness_ms",
    "source",
    "detail",
)


def _text(value: str) -> str:
    # A cell starting like a formula would run as one in a spreadsheet: keep it text.
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


def _times(moment: datetime | None, zone: ZoneInfo) -> list[str]:
    if moment is None:
        return ["", ""]
    local = moment.astimezone(zone)
    return [iso_utc(moment), f"{local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 1000:03d}"]


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def _cells(line: AsRunLine, zone: ZoneInfo) -> Iterable[str]:
    return [
        line.item_key,
        line.kind,
        "1" if line.planned else "0",
        _text(line.session or ""),
        _text(line.title),
        _number(line.bulletin_id),
        _number(line.version),
        _number(line.emergency_id),
        line.queue.value if line.queue is not None else "",
        line.status,
        *_times(line.planned_start, zone),
        _number(line.planned_duration_ms),
        *_times(line.started_at, zone),
        *_times(line.ended_at, zone),
        _number(line.duration_ms),
        _number(line.lateness_ms),
        line.source.value if line.source is not None else "",
        _text(line.detail),
    ]


def report_csv(report: AsRunDay) -> bytes:
    """The report as CSV: a header row, one row per line, times in UTC and local columns."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    zone = ZoneInfo(report.timezone)
    for line in report.items:
        writer.writerow(_cells(line, zone))
    return ("\ufeff" + out.getvalue()).encode("utf-8")
