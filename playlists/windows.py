"""Broadcast windows (local, per station) turned into the UTC sessions of one local day.

A window is a named, recurring session ("Sáng" 05:30 for 30 min on weekdays); exceptions add
a session for a date range (a campaign's noon session) or drop one (a holiday). Quiet hours
(default 21:30-05:00 local) are off limits to everything but emergencies: a session starting
inside them is refused, one running into them is shortened. A length cap (15 min in urban
wards) shortens every session.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from playlists.model import Session
from playlists.times import MS

ALL_DAYS: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # date.weekday(): Monday is 0


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M:%S") if value.second else value.strftime("%H:%M")


def _minutes(length: timedelta) -> str:
    seconds = int(length.total_seconds())
    return f"{seconds // 60} phút" + (f" {seconds % 60} giây" if seconds % 60 else "")


@dataclass(frozen=True, slots=True)
class BroadcastWindow:
    name: str
    start: time  # local wall time, naive
    max_length: timedelta
    weekdays: tuple[int, ...] = ALL_DAYS
    first_day: date | None = None  # inclusive local dates; None is open-ended
    last_day: date | None = None

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a window needs a name")
        if self.start.tzinfo is not None:
            raise ValueError("a window's start is a local wall time without a zone")
        _set(self, "start", self.start.replace(microsecond=self.start.microsecond // 1000 * 1000))
        if not timedelta(0) < self.max_length < timedelta(hours=24):
            raise ValueError("max_length must be between 0 and 24 hours")
        _set(self, "max_length", self.max_length // MS * MS)
        days = tuple(sorted(set(self.weekdays)))
        if not days or not set(days) <= set(ALL_DAYS):
            raise ValueError("weekdays must be a non-empty subset of 0 (Monday) .. 6 (Sunday)")
        _set(self, "weekdays", days)
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")

    def active_on(self, day: date) -> bool:
        if self.first_day is not None and day < self.first_day:
            return False
        if self.last_day is not None and day > self.last_day:
            return False
        return day.weekday() in self.weekdays


@dataclass(frozen=True, slots=True)
class WindowException:
    """On `first_day`..`last_day`: add a session (`adds`, replacing a regular one of the same
    name) or drop the session named `drops`. Drops win over adds."""

    first_day: date
    last_day: date
    adds: BroadcastWindow | None = None
    drops: str | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.adds is None) == (self.drops is None):
            raise ValueError("an exception either adds a window or drops a session name")
        if self.last_day < self.first_day:
            raise ValueError("last_day is before first_day")

    @classmethod
    def add(
        cls, window: BroadcastWindow, first_day: date, last_day: date | None = None, note: str = ""
    ) -> WindowException:
        return cls(first_day, last_day or first_day, adds=window, note=note)

    @classmethod
    def drop(
        cls, name: str, first_day: date, last_day: date | None = None, note: str = ""
    ) -> WindowException:
        return cls(first_day, last_day or first_day, drops=name, note=note)

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local wall times; `start` > `end` crosses midnight. Equal times mean no quiet hours."""

    start: time = time(21, 30)
    end: time = time(5, 0)

    def periods(self, day: date, zone: ZoneInfo) -> list[tuple[datetime, datetime]]:
        """The UTC intervals of quiet hours that can touch local `day`'s sessions."""
        if self.start == self.end:
            return []
        crosses = self.start > self.end
        spans = []
        for offset in (-1, 0, 1):
            first = day + timedelta(days=offset)
            last = first + timedelta(days=1) if crosses else first
            spans.append((_utc(first, self.start, zone), _utc(last, self.end, zone)))
        return spans

    def label(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True, slots=True)
class RefusedSession:
    name: str
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class SessionPlan:
    sessions: tuple[Session, ...]
    refused: tuple[RefusedSession, ...]


def _utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # A wall time skipped by a DST jump resolves (fold=0) to the instant just after the jump.
    return datetime.combine(day, wall, tzinfo=zone).astimezone(UTC)


def windows_on(
    day: date, windows: Iterable[BroadcastWindow], exceptions: Iterable[WindowException] = ()
) -> list[tuple[BroadcastWindow, str]]:
    """The windows in force on `day`, each with a note of the exception that added it."""
    chosen: dict[str, tuple[BroadcastWindow, str]] = {}
    for window in sorted(windows, key=lambda w: (w.start, w.name)):
        if window.active_on(day):
            if window.name in chosen:
                raise ValueError(f"two windows named {window.name!r} on {day}")
            chosen[window.name] = (window, "")
    live = sorted(
        (e for e in exceptions if e.covers(day)),
        key=lambda e: (e.first_day, e.last_day, e.drops or "", e.note),
    )
    for exc in live:
        if exc.adds is not None and exc.adds.active_on(day):
            chosen[exc.adds.name] = (
                exc.adds,
                f"buổi bổ sung: {exc.note}" if exc.note else "buổi bổ sung",
            )
    for exc in live:
        if exc.drops is not None:
            chosen.pop(exc.drops, None)
    return sorted(chosen.values(), key=lambda pair: (pair[0].start, pair[0].name))


def plan_sessions(
    day: date,
    windows: Iterable[BroadcastWindow],
    exceptions: Iterable[WindowException] = (),
    tz: str = "Asia/Ho_Chi_Minh",
    quiet: QuietHours | None = None,
    cap: timedelta | None = None,
) -> SessionPlan:
    """The sessions of local `day` (UTC, ordered), and the windows refused with the reason.

    `quiet` None means the default 21:30-05:00; `QuietHours(time(0), time(0))` means none.
    A session that would overlap an earlier one is refused rather than shortened."""
    zone = ZoneInfo(tz)
    quiet = quiet if quiet is not None else QuietHours()
    quiet_spans = quiet.periods(day, zone)
    if cap is not None and cap <= timedelta(0):
        raise ValueError("the session cap must be positive")
    planned: list[Session] = []
    refused: list[RefusedSession] = []
    for window, note in windows_on(day, windows, exceptions):
        notes = [note] if note else []
        start = _utc(day, window.start, zone)
        if start.astimezone(zone).replace(tzinfo=None) != datetime.combine(day, window.start):
            moved = "đã dời sang giờ kế tiếp"
            notes.append(
                f"giờ {_hhmm(window.start)} không có trong ngày này (đổi giờ mùa hè): {moved}"
            )
        length = window.max_length
        if cap is not None and length > cap:
            length = cap // MS * MS
            notes.append(f"giới hạn {_minutes(cap)}")
        end = start + length
        if any(quiet_start <= start < quiet_end for quiet_start, quiet_end in quiet_spans):
            reason = f"bắt đầu lúc {_hhmm(window.start)}, trong giờ yên lặng {quiet.label()}"
            refused.append(RefusedSession(window.name, day, reason))
            continue
        for quiet_start, _ in quiet_spans:
            if start < quiet_start < end:
                end = quiet_start
                notes.append(f"rút ngắn để kết thúc khi bắt đầu giờ yên lặng {quiet.label()}")
        planned.append(Session(window.name, day, start, end, tuple(notes)))
    sessions: list[Session] = []
    for session in sorted(planned, key=lambda s: (s.start, s.name)):
        if sessions and session.start < sessions[-1].end:
            reason = f"trùng với buổi {sessions[-1].name}"
            refused.append(RefusedSession(session.name, day, reason))
            continue
        sessions.append(session)
    return SessionPlan(tuple(sessions), tuple(refused))


def sessions_for(
    day: date,
    windows: Iterable[BroadcastWindow],
    exceptions: Iterable[WindowException] = (),
    tz: str = "Asia/Ho_Chi_Minh",
    quiet: QuietHours | None = None,
    cap: timedelta | None = None,
) -> list[Session]:
    """The sessions of local `day`; see `plan_sessions` for the refused ones and why."""
    return list(plan_sessions(day, windows, exceptions, tz, quiet, cap).sessions)
