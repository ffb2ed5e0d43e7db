"""Playout: each programme item on air at its planned instant, at every station.

For the stations it serves, the playout loads today's and tomorrow's current programmes and
keeps a local copy of each (var/onair/plans), so a day plays on when the database is away. It
verifies every clip a few minutes ahead (file present, sha256 as approved), queues each item
into the station's programme queue `queue_ahead_s` before its release (one held item per
station, the gate armed before the push), annotated with what the as-run log needs, and arms the
station's time gate to release it the station's advance before the instant: `release_advance_ms`
(the pipeline up to the stream) plus the delay from that station's stream to a listener of its
mount (`studio.onair_latency`), so the item reaches listeners on time. The stream on air
therefore runs ahead of the plan by the listener delay.

After a restart of the playout or of Liquidsoap it resumes the item that should be playing now
at the right offset (cue-in advanced by the lateness) and never pushes an item twice: what was
pushed is kept in a local state file, what aired comes from the as-run log, and what Liquidsoap
holds is asked from Liquidsoap. A clip that fails its check is skipped with an alert; the
session goes on with the next item.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

import playlists
from media.store import MediaStore
from playlists.keys import item_key
from studio.models import Clip, Jingle, Station
from studio.onair_latency import (
    HOUSE_ENCODING,
    MountEncoding,
    load_streams,
    save_streams,
    station_advance_ms,
)
from studio.onair_models import AsRun, OnAirAlert
from studio.programmes import current_version
from studio.settings import Settings
from studio.types import AlertKind, AsRunSource, AsRunStatus, QueueKind

log = logging.getLogger(__name__)

RESUME_AFTER_S = 0.5  # pushed later than this after its release, an item starts with a cue-in


class Transport(Protocol):
    """How the playout reaches a station's programme queue (Liquidsoap, or a test double)."""

    def push(self, station: str, path: Path, annotations: dict[str, str]) -> None: ...

    def arm(self, station: str, release_at: float) -> None: ...

    def held_keys(self, station: str) -> set[str]:
        """Item keys queued or on air at the station now (empty when it cannot tell)."""
        ...


@dataclass(frozen=True)
class PlanItem:
    station: str
    key: str
    start: float  # Unix seconds
    duration_ms: int
    sha256: str
    title: str
    kind: str
    bulletin_id: int | None
    version: int | None
    gain_db: float

    @property
    def end(self) -> float:
        return self.start + self.duration_ms / 1000

    @property
    def ref(self) -> str:
        """What the playout remembers pushing: the key is unique within a station only."""
        return f"{self.station}|{self.key}"


@dataclass
class StationPlan:
    code: str
    tz: str
    versions: dict[date, int] = field(default_factory=dict)
    items: list[PlanItem] = field(default_factory=list)


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def plan_items(programme: playlists.Programme, gains: dict[str, float]) -> list[PlanItem]:
    return [
        PlanItem(
            station=programme.station,
            key=item_key(i),
            start=_epoch(i.start),
            duration_ms=i.duration_ms,
            sha256=i.clip_sha256,
            title=i.title,
            kind=i.kind.value,
            bulletin_id=i.bulletin_id,
            version=i.version,
            gain_db=gains.get(i.clip_sha256, 0.0),
        )
        for i in programme.items
    ]


class Playout:
    def __init__(
        self,
        settings: Settings,
        engine: Engine | None,
        transport: Transport,
        stations: Iterable[str],
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.transport = transport
        self.codes = sorted(stations)
        self.clock = clock
        self.store = MediaStore(settings.media_dir)
        self.plans: dict[str, StationPlan] = {}
        self.verified: dict[str, bool] = {}
        self.state_dir = settings.onair_dir / "state"
        self.plan_dir = settings.onair_dir / "plans"
        self.pushed: set[str] = self._load_pushed()
        # Each station's mount encoding sets its gate's advance; kept beside the plan copies.
        self.streams: dict[str, MountEncoding] = load_streams(self._streams_file())

    # ------------------------------------------------------------------ plans
    def refresh(self) -> None:
        """Reload the programmes that changed; without the database, the local copies."""
        now = self.clock()
        try:
            self._refresh_from_db(now)
        except SQLAlchemyError as exc:
            log.warning("database unavailable, playing from local copies: %s", exc)
            if not self.plans:
                self._load_local(now)

    def _days(self, tz: str, now: float) -> list[date]:
        today = datetime.fromtimestamp(now, ZoneInfo(tz)).date()
        return [today, today + timedelta(days=1)]

    def _refresh_from_db(self, now: float) -> None:
        assert self.engine is not None
        with Session(self.engine) as session:
            stations = session.exec(select(Station).where(col(Station.code).in_(self.codes))).all()
            self._remember_streams(stations)
            for station in stations:
                assert station.id is not None
                plan = self.plans.setdefault(
                    station.code, StationPlan(station.code, station.timezone)
                )
                changed = False
                for day in self._days(station.timezone, now):
                    row = current_version(session, station.id, day)
                    if row is None or plan.versions.get(day) == row.version:
                        continue
                    programme = playlists.programme_from_dict(row.data)
                    gains = self._gains(session, programme)
                    self._write_local(station.code, day, row.version, row.data, gains)
                    plan.versions[day] = row.version
                    changed = True
                    self._replace_day(plan, day, plan_items(programme, gains))
                if changed:
                    log.info("playout %s: programme versions %s", station.code, plan.versions)

    def _streams_file(self) -> Path:
        return self.plan_dir / "streams.json"

    def _remember_streams(self, stations: Iterable[Station]) -> None:
        streams = dict(self.streams)
        for station in stations:
            streams[station.code] = MountEncoding(
                station.stream_codec.value, station.stream_bitrate_kbps
            )
        if streams != self.streams:
            self.streams = streams
            save_streams(self._streams_file(), streams)

    def advance_s(self, station: str) -> float:
        """How long before an item's instant the station's gate releases it."""
        stream = self.streams.get(station, HOUSE_ENCODING)
        return station_advance_ms(self.settings.onair, stream) / 1000

    def _replace_day(self, plan: StationPlan, day: date, items: list[PlanItem]) -> None:
        zone = ZoneInfo(plan.tz)
        keep = [i for i in plan.items if datetime.fromtimestamp(i.start, zone).date() != day]
        plan.items = sorted(keep + items, key=lambda i: i.start)

    def _gains(self, session: Session, programme: playlists.Programme) -> dict[str, float]:
        """dB to reach the loudness target, per clip (clips are normalised: usually ~0)."""
        target = self.settings.media.target_lufs
        shas = {i.clip_sha256 for i in programme.items}
        gains: dict[str, float] = {}
        for sha, lufs in session.exec(
            select(Clip.sha256, Clip.loudness_lufs).where(col(Clip.sha256).in_(shas))
        ).all():
            if sha is not None and lufs is not None:
                gains[sha] = round(target - lufs, 2)
        for sha, lufs in session.exec(
            select(Jingle.sha256, Jingle.loudness_lufs).where(col(Jingle.sha256).in_(shas))
        ).all():
            gains[sha] = round(target - lufs, 2)
        return gains

    def _write_local(
        self, code: str, day: date, version: int, data: dict[str, Any], gains: dict[str, float]
    ) -> None:
        path = self.plan_dir / code / f"{day.isoformat()}.json"
        payload = {"version": version, "programme": data, "gains": gains}
        _write_json(path, payload)

    def _load_local(self, now: float) -> None:
        for code in self.codes:
            folder = self.plan_dir / code
            for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
                payload = json.loads(path.read_text(encoding="utf-8"))
                programme = playlists.programme_from_dict(payload["programme"])
                plan = self.plans.setdefault(code, StationPlan(code, programme.tz))
                if programme.day not in self._days(programme.tz, now):
                    continue
                plan.versions[programme.day] = int(payload["version"])
                self._replace_day(plan, programme.day, plan_items(programme, payload["gains"]))

    # ------------------------------------------------------------------ pushing
    def prestage(self) -> list[PlanItem]:
        """Check the clips of the next minutes; returns the items that failed."""
        now = self.clock()
        horizon = now + self.settings.onair.prestage_minutes * 60
        failed = []
        for item in self._items_between(now, horizon):
            if not self._clip_ok(item):
                failed.append(item)
        return failed

    def tick(self) -> list[PlanItem]:
        """Push what is due; returns the items pushed."""
        now = self.clock()
        ahead = self.settings.onair.queue_ahead_s
        # Queued `ahead` before its release, which is the station's advance before the instant.
        reach = now + ahead + max((self.advance_s(code) for code in self.plans), default=0.0)
        pushed = []
        # A station's single gate holds one item at a time: while a queued item waits for its
        # release, arming the gate for the next one would hold both until the later instant.
        held: set[str] = set()
        for item in self._items_between(now - 86_400, reach):
            advance = self.advance_s(item.station)
            release = item.start - advance
            if item.ref in self.pushed:
                if release > now:
                    held.add(item.station)
                continue
            if now >= item.end or release > now + ahead or item.station in held:
                continue
            if not self._clip_ok(item):
                self._skip(item, "tệp âm thanh thiếu hoặc sai mã băm")
                continue
            # Where the item should be on the stream now: lateness plus the station's advance.
            behind = now - item.start + advance
            annotations = self._annotations(item, advance)
            if behind > RESUME_AFTER_S:
                annotations["liq_cue_in"] = f"{behind:.3f}"
                annotations["resumed"] = "1"
            try:
                path = self.store.path_for(item.sha256, "mp3")
                # Armed before the push: a gate left open by the last release must not let the
                # new item through the moment Liquidsoap has resolved it.
                self.transport.arm(item.station, release)
                self.transport.push(item.station, path, annotations)
            except Exception:  # noqa: BLE001  (one unreachable station must not stop the rest)
                log.exception("push of %s to %s failed; retrying", item.key, item.station)
                continue
            self.pushed.add(item.ref)
            pushed.append(item)
            if release > now:
                held.add(item.station)
        if pushed:
            self._save_pushed()
        return pushed

    def resume_after_restart(self, station: str) -> None:
        """Liquidsoap came back empty: forget what it held, so the current and queued items
        are pushed again (the current one at its offset)."""
        now = self.clock()
        held = self.transport.held_keys(station)
        plan = self.plans.get(station)
        for item in plan.items if plan else []:
            if item.ref in self.pushed and item.key not in held and now < item.end:
                self.pushed.discard(item.ref)

    def _items_between(self, start: float, end: float) -> list[PlanItem]:
        out = []
        for plan in self.plans.values():
            out += [i for i in plan.items if i.end > start and i.start <= end]
        return sorted(out, key=lambda i: (i.start, i.station))

    def _annotations(self, item: PlanItem, advance_s: float) -> dict[str, str]:
        out = {
            "item_key": item.key,
            "planned_start": f"{item.start:.3f}",
            "duration_ms": str(item.duration_ms),
            "title": item.title,
            "sha256": item.sha256,
            "kind": item.kind,
            "liq_amplify": f"{item.gain_db:+.2f} dB",
            # How early the gate releases it: the as-run adds this back, so lateness is the
            # item's at its listeners (0: heard on time), not at Liquidsoap's output.
            "advance_ms": str(round(advance_s * 1000)),
        }
        if item.bulletin_id is not None:
            out["bulletin_id"] = str(item.bulletin_id)
            out["version"] = str(item.version)
        return out

    def _clip_ok(self, item: PlanItem) -> bool:
        known = self.verified.get(item.sha256)
        if known is None:
            path = self.store.path_for(item.sha256, "mp3")
            known = path.is_file() and _sha256(path) == item.sha256
            self.verified[item.sha256] = known
            if not known:
                self._alert(item, f"tệp {item.sha256[:12]}… của «{item.title}» thiếu hoặc hỏng")
        return known

    def _skip(self, item: PlanItem, why: str) -> None:
        self.pushed.add(item.ref)
        self._save_pushed()
        self._db_write(
            lambda session, station_id: session.add(
                AsRun(
                    station_id=station_id,
                    day=datetime.fromtimestamp(item.start, ZoneInfo(self._tz(item))).date(),
                    queue=QueueKind.programme,
                    item_key=item.key,
                    bulletin_id=item.bulletin_id,
                    bulletin_version=item.version,
                    clip_sha256=item.sha256,
                    title=item.title,
                    planned_start=datetime.fromtimestamp(item.start, ZoneInfo("UTC")),
                    planned_duration_ms=item.duration_ms,
                    status=AsRunStatus.skipped,
                    source=AsRunSource.scheduler,
                    detail=why,
                )
            ),
            item.station,
        )

    def _alert(self, item: PlanItem, detail: str) -> None:
        kind = AlertKind.checksum
        self._db_write(
            lambda session, station_id: session.add(
                OnAirAlert(station_id=station_id, kind=kind, detail=detail)
            ),
            item.station,
        )

    def _tz(self, item: PlanItem) -> str:
        plan = self.plans.get(item.station)
        return plan.tz if plan else self.settings.default_timezone

    def _db_write(self, write: Callable[[Session, int], None], code: str) -> None:
        if self.engine is None:
            return
        try:
            with Session(self.engine) as session:
                station_id = session.exec(select(Station.id).where(Station.code == code)).first()
                if station_id is not None:
                    write(session, station_id)
                    session.commit()
        except SQLAlchemyError as exc:
            log.warning("could not record for %s: %s", code, exc)

    # ------------------------------------------------------------------ state
    def _state_file(self) -> Path:
        return self.state_dir / "pushed.json"

    def _load_pushed(self) -> set[str]:
        try:
            data = json.loads(self._state_file().read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return set()
        horizon = self.clock() - 2 * 86_400
        return {k for k, at in data.items() if isinstance(at, (int, float)) and at > horizon}

    def _save_pushed(self) -> None:
        now = self.clock()
        previous: dict[str, float] = {}
        try:
            previous = json.loads(self._state_file().read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            pass
        data = {k: previous.get(k, now) for k in self.pushed}
        _write_json(self._state_file(), data)

    def aired_refs(self) -> set[str]:
        """`station|key` of the planned items the as-run log shows started (empty without a
        database: then the local state file is what remains)."""
        if self.engine is None:
            return set()
        planned = {i.ref for p in self.plans.values() for i in p.items}
        keys = {ref.split("|", 1)[1] for ref in planned}
        try:
            with Session(self.engine) as session:
                rows = session.exec(
                    select(Station.code, AsRun.item_key)
                    .join(Station, col(Station.id) == col(AsRun.station_id))
                    .where(
                        col(Station.code).in_(self.codes),
                        col(AsRun.item_key).in_(keys),
                        col(AsRun.started_at).is_not(None),
                    )
                ).all()
        except SQLAlchemyError:
            return set()
        return {f"{code}|{key}" for code, key in rows} & planned

    def start(self) -> None:
        """Load the plans and mark as pushed what already aired (a restarted playout)."""
        self.refresh()
        self.pushed |= self.aired_refs()
        for code in self.codes:
            self.resume_after_restart(code)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _write_json(path: Path, payload: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        json.dump(payload, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
