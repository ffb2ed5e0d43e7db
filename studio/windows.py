"""Broadcast windows, their exceptions and each station's effective schedule.

A station without windows of its own uses those of its nearest area that has some (commune,
then province); the exceptions of the station and of every area above it all apply; quiet hours
and the session cap come from the nearest area that sets them. `ScheduleIndex` reads all of it
in a few queries, so the daily build of a thousand stations does not walk the tree per station.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

import playlists
from studio.areas import get_area
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import Area, Station
from studio.schedule_models import (
    BroadcastWindow,
    ExceptionCreate,
    ExceptionPublic,
    WindowCreate,
    WindowException,
    WindowPublic,
    WindowUpdate,
)
from studio.stations import get_station
from studio.types import ExceptionKind

DEFAULT_QUIET = playlists.QuietHours()


@dataclass(frozen=True)
class Owner:
    """A station or an area, as named in the API (`kind` "station" or "area")."""

    kind: str
    code: str
    id: int

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.code}"


def owner_of(session: Session, kind: str, code: str) -> Owner:
    if kind == "station":
        station = get_station(session, code)
        assert station.id is not None
        return Owner("station", station.code, station.id)
    area = get_area(session, code)
    assert area.id is not None
    return Owner("area", area.code, area.id)


def _owner_filter(model: Any, owner: Owner) -> Any:
    column = model.station_id if owner.kind == "station" else model.area_id
    return column == owner.id


def _owner_label(session: Session, row: BroadcastWindow | WindowException) -> str:
    if row.station_id is not None:
        station = session.get(Station, row.station_id)
        return f"station:{station.code if station else row.station_id}"
    area = session.get(Area, row.area_id)
    return f"area:{area.code if area else row.area_id}"


def _minutes(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 3)


def _seconds(minutes: float) -> int:
    seconds = round(minutes * 60)
    if seconds < 1:
        raise InvalidInput("Thời lượng buổi phát phải từ 1 giây trở lên")
    return seconds


def window_public(session: Session, row: BroadcastWindow) -> WindowPublic:
    assert row.id is not None
    return WindowPublic(
        id=row.id,
        owner=_owner_label(session, row),
        name=row.name,
        start_time=row.start_time,
        length_minutes=_minutes(row.length_s) or 0.0,
        weekdays=list(row.weekdays),
        first_day=row.first_day,
        last_day=row.last_day,
    )


def exception_public(session: Session, row: WindowException) -> ExceptionPublic:
    assert row.id is not None
    return ExceptionPublic(
        id=row.id,
        owner=_owner_label(session, row),
        kind=row.kind,
        name=row.name,
        first_day=row.first_day,
        last_day=row.last_day,
        start_time=row.start_time,
        length_minutes=_minutes(row.length_s),
        note=row.note,
    )


def _window_snapshot(row: BroadcastWindow) -> dict[str, Any]:
    return {
        "name": row.name,
        "start_time": row.start_time.isoformat(),
        "length_s": row.length_s,
        "weekdays": list(row.weekdays),
        "first_day": row.first_day.isoformat() if row.first_day else None,
        "last_day": row.last_day.isoformat() if row.last_day else None,
    }


def _as_value(row: BroadcastWindow) -> playlists.BroadcastWindow:
    try:
        return playlists.BroadcastWindow(
            name=row.name,
            start=row.start_time,
            max_length=timedelta(seconds=row.length_s),
            weekdays=tuple(row.weekdays),
            first_day=row.first_day,
            last_day=row.last_day,
        )
    except ValueError as exc:
        raise InvalidInput(f"Khung giờ phát không hợp lệ: {exc}") from None


# ------------------------------------------------------------------ windows
def list_windows(session: Session, owner: Owner) -> list[BroadcastWindow]:
    query = select(BroadcastWindow).where(_owner_filter(BroadcastWindow, owner))
    return list(
        session.exec(query.order_by(col(BroadcastWindow.start_time), col(BroadcastWindow.name)))
    )


def get_window(session: Session, window_id: int) -> BroadcastWindow:
    row = session.get(BroadcastWindow, window_id)
    if row is None:
        raise NotFound(f"Không tìm thấy khung giờ phát {window_id}")
    return row


def create_window(
    session: Session, actor: Actor, owner: Owner, data: WindowCreate
) -> BroadcastWindow:
    taken = session.exec(
        select(BroadcastWindow.id).where(
            _owner_filter(BroadcastWindow, owner), BroadcastWindow.name == data.name
        )
    ).first()
    if taken is not None:
        raise Conflict(f"{owner.label} đã có buổi phát tên «{data.name}»")
    row = BroadcastWindow(
        station_id=owner.id if owner.kind == "station" else None,
        area_id=owner.id if owner.kind == "area" else None,
        name=data.name,
        start_time=data.start_time.replace(microsecond=0),
        length_s=_seconds(data.length_minutes),
        weekdays=list(data.weekdays),
        first_day=data.first_day,
        last_day=data.last_day,
    )
    _as_value(row)
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "window.create",
        "window",
        row.id,
        after={"owner": owner.label, **_window_snapshot(row)},
    )
    return row


def update_window(
    session: Session, actor: Actor, window_id: int, data: WindowUpdate
) -> BroadcastWindow:
    row = get_window(session, window_id)
    before = _window_snapshot(row)
    sent = data.model_fields_set
    if data.start_time is not None:
        row.start_time = data.start_time.replace(microsecond=0)
    if data.length_minutes is not None:
        row.length_s = _seconds(data.length_minutes)
    if data.weekdays is not None:
        row.weekdays = list(data.weekdays)
    if "first_day" in sent:
        row.first_day = data.first_day
    if "last_day" in sent:
        row.last_day = data.last_day
    _as_value(row)
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "window.update",
        "window",
        row.id,
        before=before,
        after=_window_snapshot(row),
        detail=_owner_label(session, row),
    )
    return row


def delete_window(session: Session, actor: Actor, window_id: int) -> None:
    row = get_window(session, window_id)
    record(
        session,
        actor,
        "window.delete",
        "window",
        row.id,
        before=_window_snapshot(row),
        detail=_owner_label(session, row),
    )
    session.delete(row)
    session.flush()


# ------------------------------------------------------------------ exceptions
def list_exceptions(session: Session, owner: Owner) -> list[WindowException]:
    query = select(WindowException).where(_owner_filter(WindowException, owner))
    return list(
        session.exec(query.order_by(col(WindowException.first_day), col(WindowException.id)))
    )


def _exception_snapshot(row: WindowException) -> dict[str, Any]:
    return {
        "kind": str(row.kind),
        "name": row.name,
        "first_day": row.first_day.isoformat(),
        "last_day": row.last_day.isoformat(),
        "start_time": row.start_time.isoformat() if row.start_time else None,
        "length_s": row.length_s,
        "note": row.note,
    }


def _exception_value(row: WindowException) -> playlists.WindowException:
    if row.kind is ExceptionKind.drop:
        return playlists.WindowException.drop(row.name, row.first_day, row.last_day, row.note)
    assert row.start_time is not None
    assert row.length_s is not None
    window = playlists.BroadcastWindow(row.name, row.start_time, timedelta(seconds=row.length_s))
    return playlists.WindowException.add(window, row.first_day, row.last_day, row.note)


def create_exception(
    session: Session, actor: Actor, owner: Owner, data: ExceptionCreate
) -> WindowException:
    last_day = data.last_day or data.first_day
    if (last_day - data.first_day).days > 366:
        raise InvalidInput("Ngoại lệ kéo dài tối đa 367 ngày")
    row = WindowException(
        station_id=owner.id if owner.kind == "station" else None,
        area_id=owner.id if owner.kind == "area" else None,
        kind=data.kind,
        name=data.name,
        first_day=data.first_day,
        last_day=last_day,
        start_time=data.start_time.replace(microsecond=0) if data.start_time else None,
        length_s=_seconds(data.length_minutes) if data.length_minutes is not None else None,
        note=" ".join(data.note.split()),
    )
    try:
        _exception_value(row)
    except ValueError as exc:
        raise InvalidInput(f"Ngoại lệ không hợp lệ: {exc}") from None
    session.add(row)
    session.flush()
    record(
        session,
        actor,
        "window_exception.create",
        "window_exception",
        row.id,
        after={"owner": owner.label, **_exception_snapshot(row)},
    )
    return row


def get_exception(session: Session, exception_id: int) -> WindowException:
    row = session.get(WindowException, exception_id)
    if row is None:
        raise NotFound(f"Không tìm thấy ngoại lệ {exception_id}")
    return row


def delete_exception(session: Session, actor: Actor, exception_id: int) -> None:
    row = get_exception(session, exception_id)
    record(
        session,
        actor,
        "window_exception.delete",
        "window_exception",
        row.id,
        before=_exception_snapshot(row),
        detail=_owner_label(session, row),
    )
    session.delete(row)
    session.flush()


# ------------------------------------------------------------------ effective schedule
@dataclass(frozen=True)
class StationSchedule:
    windows: tuple[playlists.BroadcastWindow, ...]
    windows_from: str
    exceptions: tuple[playlists.WindowException, ...]
    quiet: playlists.QuietHours
    cap: timedelta | None
    tz: str

    def plan(self, day: date) -> playlists.SessionPlan:
        return playlists.plan_sessions(
            day, self.windows, self.exceptions, self.tz, self.quiet, self.cap
        )


class ScheduleIndex:
    """Every window, exception and area rule, read once; resolved per station on demand."""

    def __init__(self, session: Session) -> None:
        self._areas = {a.id: a for a in session.exec(select(Area)) if a.id is not None}
        self._windows: dict[tuple[str, int], list[playlists.BroadcastWindow]] = {}
        for w in session.exec(select(BroadcastWindow).order_by(col(BroadcastWindow.id))):
            self._windows.setdefault(_key(w), []).append(_as_value(w))
        self._exceptions: dict[tuple[str, int], list[playlists.WindowException]] = {}
        for e in session.exec(select(WindowException).order_by(col(WindowException.id))):
            self._exceptions.setdefault(_key(e), []).append(_exception_value(e))

    def chain(self, area_id: int) -> list[Area]:
        """The area and the areas above it, nearest first."""
        out: list[Area] = []
        current: int | None = area_id
        while current is not None and current in self._areas:
            area = self._areas[current]
            if area in out:
                break
            out.append(area)
            current = area.parent_id
        return out

    def for_station(self, station: Station) -> StationSchedule:
        assert station.id is not None
        chain = self.chain(station.area_id)
        owners = [("station", station.id, station.code)] + [
            ("area", a.id, a.code) for a in chain if a.id is not None
        ]
        windows: list[playlists.BroadcastWindow] = []
        source = "none"
        for kind, owner_id, code in owners:
            found = self._windows.get((kind, owner_id))
            if found:
                windows, source = found, f"{kind}:{code}"
                break
        exceptions = [e for kind, i, _ in owners for e in self._exceptions.get((kind, i), [])]
        quiet = next(
            (
                playlists.QuietHours(a.quiet_start, a.quiet_end)
                for a in chain
                if a.quiet_start is not None and a.quiet_end is not None
            ),
            DEFAULT_QUIET,
        )
        cap_s = next((a.session_cap_s for a in chain if a.session_cap_s is not None), None)
        return StationSchedule(
            windows=tuple(windows),
            windows_from=source,
            exceptions=tuple(exceptions),
            quiet=quiet,
            cap=timedelta(seconds=cap_s) if cap_s is not None else None,
            tz=station.timezone,
        )


def _key(row: BroadcastWindow | WindowException) -> tuple[str, int]:
    if row.station_id is not None:
        return ("station", row.station_id)
    assert row.area_id is not None
    return ("area", row.area_id)


def schedule_of(session: Session, station: Station) -> StationSchedule:
    return ScheduleIndex(session).for_station(station)


def quiet_label(quiet: playlists.QuietHours) -> str:
    return "none" if quiet.start == quiet.end else quiet.label()


def parse_local_time(text: str) -> time:
    try:
        value = time.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"Giờ không hợp lệ: {text[:20]!r} (dạng HH:MM)") from None
    if value.tzinfo is not None:
        raise InvalidInput("Giờ địa phương không kèm múi giờ")
    return value
