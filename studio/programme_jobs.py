"""Programme jobs: the evening build of the coming days, and rebuilds when something changes.

Changes are read from the audit log, which every state change already goes through: an
approval, withdrawal, expiry or edit of a bulletin rebuilds the stations it targets; a change
of windows, exceptions, area rules or a station rebuilds the stations concerned. Rebuilding is
idempotent (an unchanged programme stores no version), so reading an event twice is harmless.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from studio.areas import descendants
from studio.audit import Actor
from studio.models import Area, AuditEvent, BulletinTarget, Station
from studio.programmes import BuildResult, build, local_today
from studio.schedule_models import BroadcastWindow, ProgrammeVersion, WindowException
from studio.session_render import render_day
from studio.settings import Settings
from studio.types import utcnow
from studio.windows import ScheduleIndex

log = logging.getLogger(__name__)

BULLETIN_ACTIONS = {"bulletin.approve", "bulletin.withdraw", "bulletin.expire", "bulletin.edit"}
OVERLAP = 500  # events re-read behind the cursor: ids of slow transactions commit out of order

Progress = Callable[[str, date, "BuildResult | Exception"], None]


def build_days(
    engine: Engine,
    settings: Settings,
    targets: Iterable[tuple[int, date]],
    *,
    reason: str,
    actor: Actor | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> list[BuildResult | Exception]:
    """Build each (station id, day) in its own transaction; failures are returned, logged,
    and do not stop the others."""
    actor = actor or Actor.system("job")
    out: list[BuildResult | Exception] = []
    # Windows, exceptions and area rules read once for the whole batch, not per station; when
    # a damaged row stops that, each build reads them itself and fails on its own.
    index: ScheduleIndex | None = None
    with Session(engine) as session, contextlib.suppress(Exception):
        index = ScheduleIndex(session)
    for station_id, day in targets:
        result: BuildResult | Exception
        code = str(station_id)
        with Session(engine, expire_on_commit=False) as session:
            try:
                station = session.get(Station, station_id)
                if station is None:
                    continue
                code = station.code
                result = build(
                    session, settings, actor, station, day, now=now, reason=reason, index=index
                )
                session.commit()
            except Exception as exc:  # noqa: BLE001  (one station must not stop the rest)
                session.rollback()
                log.warning("programme build %s %s failed: %s", code, day, exc)
                result = exc
        out.append(result)
        if progress is not None:
            progress(code, day, result)
    return out


def coming_days(station: Station, days_ahead: int, now: datetime, *, today: bool) -> list[date]:
    first = local_today(station.timezone, now)
    days = [first + timedelta(days=n) for n in range(1, days_ahead + 1)]
    return [first, *days] if today else days


def enabled_stations(session: Session, codes: Iterable[str] | None = None) -> list[Station]:
    query = select(Station).where(col(Station.enabled).is_(True)).order_by(col(Station.code))
    if codes is not None:
        query = query.where(col(Station.code).in_(list(codes)))
    return list(session.exec(query))


def daily_build(
    engine: Engine, settings: Settings, *, today: bool = False, now: datetime | None = None
) -> int:
    """Tomorrow's (and up to `days_ahead`) programmes of every enabled station; with `today`,
    today's too (at start-up, in case the evening build was missed). Returns new versions."""
    now = now or utcnow()
    with Session(engine) as session:
        targets = [
            (s.id, day)
            for s in enabled_stations(session)
            if s.id is not None
            for day in coming_days(s, settings.programme.days_ahead, now, today=today)
        ]
    results = build_days(engine, settings, targets, reason="lập lịch hằng ngày", now=now)
    made = sum(1 for r in results if isinstance(r, BuildResult) and r.created)
    log.info("daily programme build: %d targets, %d new versions", len(targets), made)
    render_results(engine, settings, results)
    return made


def render_results(
    engine: Engine, settings: Settings, results: Iterable[BuildResult | Exception]
) -> int:
    """The session files of the programmes just built (unchanged sessions reuse theirs).
    A failure is logged and leaves that station's endpoints on per-clip playback."""
    if not settings.programme.render_sessions:
        return 0
    rendered = 0
    for result in results:
        if not isinstance(result, BuildResult) or not result.programme.items:
            continue
        with Session(engine, expire_on_commit=False) as session:
            try:
                station = session.exec(select(Station).where(Station.code == result.station)).one()
                rendered += len(render_day(session, settings, station, result.day))
                session.commit()
            except Exception as exc:  # noqa: BLE001  (one station must not stop the rest)
                session.rollback()
                log.warning("session render %s %s failed: %s", result.station, result.day, exc)
    return rendered


def _stations_of_bulletin(session: Session, bulletin_id: int) -> set[int]:
    rows = session.exec(
        select(BulletinTarget.station_id, BulletinTarget.area_id).where(
            BulletinTarget.bulletin_id == bulletin_id
        )
    ).all()
    ids = {s for s, _ in rows if s is not None}
    areas = descendants(session, {a for _, a in rows if a is not None})
    if areas:
        found = session.exec(select(Station.id).where(col(Station.area_id).in_(areas))).all()
        ids |= {i for i in found if i is not None}
    return ids


def _stations_under(session: Session, owner: str) -> set[int]:
    kind, _, code = owner.partition(":")
    if kind == "station":
        found = session.exec(select(Station.id).where(Station.code == code)).all()
        return {i for i in found if i is not None}
    area = session.exec(select(Area).where(Area.code == code)).first()
    if area is None or area.id is None:
        return set()
    below = descendants(session, {area.id})
    found = session.exec(select(Station.id).where(col(Station.area_id).in_(below))).all()
    return {i for i in found if i is not None}


def _window_owner(session: Session, event: AuditEvent) -> str:
    owner = (event.after or {}).get("owner") or event.detail
    if owner:
        return str(owner)
    row: BroadcastWindow | WindowException | None
    if event.entity_type == "window":
        row = session.get(BroadcastWindow, int(event.entity_id))
    else:
        row = session.get(WindowException, int(event.entity_id))
    if row is None:
        return ""
    if row.station_id is not None:
        station = session.get(Station, row.station_id)
        return f"station:{station.code}" if station else ""
    area = session.get(Area, row.area_id)
    return f"area:{area.code}" if area else ""


def stations_touched(session: Session, event: AuditEvent) -> set[int]:
    """The stations whose programmes an audited change can alter."""
    if event.entity_type == "bulletin" and event.action in BULLETIN_ACTIONS:
        return _stations_of_bulletin(session, int(event.entity_id))
    if event.entity_type in ("window", "window_exception"):
        return _stations_under(session, _window_owner(session, event))
    if event.action == "area.update":
        return _stations_under(session, f"area:{event.entity_id}")
    if event.action in ("station.update", "station.create"):
        return _stations_under(session, f"station:{event.entity_id}")
    return set()


class RebuildWatcher:
    """Follows the audit log and rebuilds the programmes a change concerns: today (items
    already started stay) and every later day that already has a programme."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        with Session(engine) as session:
            last = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first()
            self.cursor = last or 0
            # What happened before the watcher started is in the start-up build already.
            recent = session.exec(
                select(AuditEvent.id).where(col(AuditEvent.id) > self.cursor - OVERLAP)
            ).all()
        self._seen = {i for i in recent if i is not None}

    def poll(self, now: datetime | None = None) -> list[BuildResult | Exception]:
        now = now or utcnow()
        with Session(self.engine) as session:
            events = session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.id) > max(0, self.cursor - OVERLAP))
                .order_by(col(AuditEvent.id))
            ).all()
            fresh = [e for e in events if e.id is not None and e.id not in self._seen]
            stations: set[int] = set()
            for event in fresh:
                stations |= stations_touched(session, event)
            targets = self._targets(session, stations, now)
        for event in fresh:
            assert event.id is not None
            self._seen.add(event.id)
            self.cursor = max(self.cursor, event.id)
        self._seen = {i for i in self._seen if i > self.cursor - OVERLAP}
        if not targets:
            return []
        results = build_days(self.engine, self.settings, targets, reason="thay đổi", now=now)
        render_results(self.engine, self.settings, results)
        return results

    def _targets(
        self, session: Session, station_ids: set[int], now: datetime
    ) -> list[tuple[int, date]]:
        targets: list[tuple[int, date]] = []
        for station in session.exec(
            select(Station)
            .where(col(Station.id).in_(station_ids), col(Station.enabled).is_(True))
            .order_by(col(Station.id))
        ):
            assert station.id is not None
            today = local_today(station.timezone, now)
            later = session.exec(
                select(col(ProgrammeVersion.day))
                .where(
                    ProgrammeVersion.station_id == station.id,
                    col(ProgrammeVersion.is_current).is_(True),
                    col(ProgrammeVersion.day) > today,
                )
                .order_by(col(ProgrammeVersion.day))
            ).all()
            targets += [(station.id, day) for day in [today, *later]]
        return targets
