"""Getting an emergency onto the stations' emergency queues, now and for each repeat.

Pushes go out in parallel per Liquidsoap process and `STAGGER_S` apart within one process:
pushing into every queue of a process at the same instant stalls its playback (measured: 1.9 s
at 40 stations in one process). A process that cannot be reached or times out is not tried again
for its other stations in the same round; their targets get the error, and the repeat job
retries a failed first push every second while the emergency is active.

Airing n of an emergency (1-based) is pushed with the item key ``emergency/<id>/<n>``; the
first by the API call, the others by the scheduler's job (`RepeatRunner.tick`, every second) at
``pushed_at + (n-1) * interval_s`` per station. A repeat whose time passed more than an interval
ago (the scheduler was down) is dropped, not aired late. An emergency is `done` when the last
airing of every station has ended, `expired` at its expiry (no repeat starts after it; an
airing in progress is not cut).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from media.store import MediaStore
from stations import LiquidsoapError
from studio.audit import Actor, record
from studio.models import Station
from studio.onair_models import AsRun, Emergency, EmergencyTarget
from studio.types import EmergencyState, utcnow

log = logging.getLogger(__name__)

STAGGER_S = 0.005
# A first push still missing this long after the row was written: the API died before it.
API_GRACE = timedelta(seconds=10)
# How long a station that could not be reached is retried beyond the emergency's own span.
GIVE_UP = timedelta(seconds=60)
DEAD_PROCESS = ("unreachable", "timeout")
RECENT_KEEP_S = 3600 + 60  # the longest interval, and a margin


class EmergencyTransport(Protocol):
    """Reaching a station's emergency queue (studio.playout_transport.LiquidsoapTransport)."""

    by_station: dict[str, int]

    def push_emergency(self, station: str, path: Path, annotations: dict[str, str]) -> int: ...

    def flush_emergency(self, station: str) -> None: ...


def airing_key(emergency_id: int, n: int) -> str:
    return f"emergency/{emergency_id}/{n}"


def airing_annotations(emergency: Emergency, n: int, at: float) -> dict[str, str]:
    assert emergency.id is not None
    return {
        "item_key": airing_key(emergency.id, n),
        "emergency_id": str(emergency.id),
        "title": emergency.title,
        "sha256": emergency.clip_sha256,
        "duration_ms": str(emergency.duration_ms),
        "planned_start": f"{at:.3f}",
        "kind": "emergency",
        "cap_status": emergency.cap_status.value,
    }


def fan_out(
    transport: EmergencyTransport, codes: Iterable[str], action: Callable[[str], None]
) -> tuple[dict[str, datetime], dict[str, str]]:
    """`action(code)` for every station: when each succeeded, and each failure's message."""
    done: dict[str, datetime] = {}
    errors: dict[str, str] = {}
    groups: dict[int, list[str]] = {}
    for code in codes:
        slot = transport.by_station.get(code)
        if slot is None:
            errors[code] = "Đài chưa có trong hệ thống phát sóng (cần khởi động lại hệ thống phát)"
        else:
            groups.setdefault(slot, []).append(code)

    def run(group: list[str]) -> None:
        dead = ""
        for index, code in enumerate(group):
            if dead:
                errors[code] = dead
                continue
            if index:
                time.sleep(STAGGER_S)
            try:
                action(code)
                done[code] = utcnow()
            except LiquidsoapError as exc:
                errors[code] = exc.message
                if exc.code in DEAD_PROCESS:
                    dead = exc.message

    if groups:
        with ThreadPoolExecutor(max_workers=len(groups)) as pool:
            list(pool.map(run, groups.values()))
    return done, errors


def push_airing(
    transport: EmergencyTransport,
    store: MediaStore,
    emergency: Emergency,
    n: int,
    codes: Iterable[str],
) -> tuple[dict[str, datetime], dict[str, str]]:
    path = store.path_for(emergency.clip_sha256, "mp3")

    def push(code: str) -> None:
        transport.push_emergency(code, path, airing_annotations(emergency, n, time.time()))

    return fan_out(transport, codes, push)


def flush(transport: EmergencyTransport, codes: Iterable[str]) -> dict[str, str]:
    return fan_out(transport, codes, transport.flush_emergency)[1]


# ------------------------------------------------------------------ repeats
@dataclass(frozen=True)
class Due:
    emergency_id: int
    target_id: int
    station: str
    n: int

    @property
    def key(self) -> str:
        return f"{self.station}:{airing_key(self.emergency_id, self.n)}"


def _span(emergency: Emergency) -> timedelta:
    """From the first push to the end of the last airing, at one station."""
    repeats = (emergency.repeat - 1) * timedelta(seconds=emergency.interval_s)
    return repeats + timedelta(milliseconds=emergency.duration_ms)


def _active(session: Session) -> list[tuple[Emergency, EmergencyTarget, str]]:
    rows = session.exec(
        select(Emergency, EmergencyTarget, Station.code)
        .join(EmergencyTarget, col(EmergencyTarget.emergency_id) == Emergency.id)
        .join(Station, col(Station.id) == EmergencyTarget.station_id)
        .where(Emergency.state == EmergencyState.active)
        .order_by(col(Emergency.id), col(Station.code))
    ).all()
    return [(e, t, code) for e, t, code in rows]


def due_repeats(session: Session, now: datetime, recent: Collection[str] = ()) -> list[Due]:
    """The airings to push at `now`: repeats whose time has come at each station, and first
    airings that could not be pushed (retried). `recent` holds `Due.key`s pushed already (the
    as-run log knows only those that started)."""
    rows = _active(session)
    ids = {e.id for e, _, _ in rows}
    aired = set(
        session.exec(
            select(AsRun.station_id, AsRun.item_key).where(col(AsRun.emergency_id).in_(ids))
        ).all()
    )
    out: list[Due] = []
    for emergency, target, code in rows:
        assert emergency.id is not None
        assert target.id is not None
        if emergency.expires_at is not None and now >= emergency.expires_at:
            continue
        candidates: list[int] = []
        if target.pushed_at is None:
            if target.error or now - emergency.created_at >= API_GRACE:
                candidates.append(1)
        elif emergency.interval_s > 0:
            interval = timedelta(seconds=emergency.interval_s)
            for n in range(2, emergency.repeat + 1):
                at = target.pushed_at + (n - 1) * interval
                if at <= now < at + interval:
                    candidates.append(n)
        for n in candidates:
            due = Due(emergency.id, target.id, code, n)
            if due.key not in recent and (target.station_id, airing_key(emergency.id, n)) not in (
                aired
            ):
                out.append(due)
    return out


def push_repeats(
    session: Session, transport: EmergencyTransport, store: MediaStore, due: list[Due]
) -> list[Due]:
    """Push each due airing (staggered); record first pushes and failures on the targets
    (flushed, not committed). Returns the airings pushed."""
    pushed: list[Due] = []
    by_airing: dict[tuple[int, int], list[Due]] = {}
    for item in due:
        by_airing.setdefault((item.emergency_id, item.n), []).append(item)
    for (emergency_id, n), items in by_airing.items():
        emergency = session.get(Emergency, emergency_id)
        assert emergency is not None
        done, errors = push_airing(transport, store, emergency, n, [i.station for i in items])
        for item in items:
            target = session.get(EmergencyTarget, item.target_id)
            assert target is not None
            if item.station in done:
                pushed.append(item)
                if n == 1:
                    target.pushed_at = done[item.station]
                    target.error = ""
            else:
                message = errors.get(item.station, "")
                target.error = message if n == 1 else f"lần phát {n}: {message}"
            session.add(target)
    session.flush()
    return pushed


def settle(session: Session, now: datetime) -> list[Emergency]:
    """Active emergencies past their expiry become `expired`; those whose last airing has
    ended everywhere become `done` (audited as the system's doing)."""
    finish: dict[int, datetime] = {}
    emergencies: dict[int, Emergency] = {}
    for emergency, target, _ in _active(session):
        assert emergency.id is not None
        start = target.pushed_at or emergency.created_at + GIVE_UP
        end = start + _span(emergency)
        emergencies[emergency.id] = emergency
        finish[emergency.id] = max(end, finish.get(emergency.id, end))
    changed = []
    for emergency_id, emergency in emergencies.items():
        if emergency.expires_at is not None and now >= emergency.expires_at:
            emergency.state = EmergencyState.expired
        elif now >= finish[emergency_id]:
            emergency.state = EmergencyState.done
        else:
            continue
        session.add(emergency)
        record(
            session,
            Actor.system("job"),
            f"emergency.{emergency.state.value}",
            "emergency",
            emergency_id,
            after={"state": emergency.state.value},
        )
        changed.append(emergency)
    session.flush()
    return changed


class RepeatRunner:
    """The scheduler's emergency job: repeats, retries, and closing finished emergencies."""

    def __init__(self, engine: Engine, transport: EmergencyTransport, store: MediaStore) -> None:
        self.engine = engine
        self.transport = transport
        self.store = store
        self.recent: dict[str, float] = {}

    def tick(self, now: datetime | None = None) -> list[Due]:
        moment = now or utcnow()
        with Session(self.engine, expire_on_commit=False) as session:
            due = due_repeats(session, moment, self.recent.keys())
            pushed = push_repeats(session, self.transport, self.store, due) if due else []
            settle(session, moment)
            session.commit()
            clock = time.monotonic()
            self.recent.update((item.key, clock) for item in pushed)
            self.recent = {k: t for k, t in self.recent.items() if clock - t < RECENT_KEEP_S}
            if pushed:
                self._flush_cancelled(session, pushed)
        return pushed

    def _flush_cancelled(self, session: Session, pushed: list[Due]) -> None:
        """A cancel committed while these pushes went out has flushed the queues before them:
        flush again (read in a fresh transaction, after our commit)."""
        ids = {item.emergency_id for item in pushed}
        stopped = set(
            session.exec(
                select(Emergency.id).where(
                    col(Emergency.id).in_(ids), Emergency.state == EmergencyState.cancelled
                )
            ).all()
        )
        session.commit()
        codes = sorted({item.station for item in pushed if item.emergency_id in stopped})
        if codes:
            log.warning("emergencies %s were cancelled while pushed: flushing %s", stopped, codes)
            flush(self.transport, codes)
