"""Value objects of a station's day: what the builder is fed and the programme it returns.

Plain frozen dataclasses so that `studio` can fill them from rows and tests from literals.
Instants are timezone-aware and normalised to UTC with millisecond precision on construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from playlists.times import MS, utc_ms

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

# The newsroom's categories in rotation order (same values as studio.types.Category).
DEFAULT_CATEGORY_ORDER: tuple[str, ...] = (
    "policy",
    "law",
    "health",
    "agriculture_market",
    "science_technology",
    "environment_disaster",
    "security_order",
    "other",
)


class Priority(StrEnum):
    """Circular 39/2020/TT-BTTTT classes (same values as studio.types.Priority)."""

    normal = "normal"
    priority = "priority"
    emergency = "emergency"


class ItemKind(StrEnum):
    opening = "opening"
    bulletin = "bulletin"
    closing = "closing"


class AiringMode(StrEnum):
    once = "once"
    spread = "spread"  # `times` airings over `days` days
    every_session = "every_session"  # every session from `first_day` to `last_day`


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)  # normalising a frozen dataclass in __post_init__


def _check_clip(sha256: str, size: int, duration_ms: int) -> None:
    if not _SHA256.match(sha256):
        raise ValueError(f"clip sha256 must be 64 lowercase hex digits, got {sha256!r}")
    if size <= 0 or duration_ms <= 0:
        raise ValueError("clip size and duration_ms must be positive")


@dataclass(frozen=True, slots=True)
class AiringRule:
    """How often a bulletin airs. Days are local dates of the station; `first_day` of a spread
    defaults to the local date the bulletin became valid (or was approved)."""

    mode: AiringMode = AiringMode.once
    times: int = 1
    days: int = 1
    first_day: date | None = None
    last_day: date | None = None

    def __post_init__(self) -> None:
        if self.times < 1 or self.days < 1:
            raise ValueError("airing times and days must be at least 1")
        if self.mode is AiringMode.every_session:
            if self.first_day is None or self.last_day is None or self.last_day < self.first_day:
                raise ValueError("every_session needs first_day <= last_day")
        elif self.last_day is not None:
            raise ValueError("last_day belongs to every_session rules only")

    @classmethod
    def once(cls) -> AiringRule:
        return cls()

    @classmethod
    def spread(cls, times: int, days: int, first_day: date | None = None) -> AiringRule:
        return cls(AiringMode.spread, times, days, first_day)

    @classmethod
    def every_session(cls, first_day: date, last_day: date) -> AiringRule:
        return cls(AiringMode.every_session, first_day=first_day, last_day=last_day)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An approved bulletin version with its ready clip, targeting the station.

    `aired` counts airings *before the programme's day* (from the as-run log); airings on the
    day itself are the programme's own items, which `rebuild` keeps and counts.
    """

    bulletin_id: int
    version: int
    clip_id: int
    clip_sha256: str
    size: int
    duration_ms: int
    title: str
    language: str
    category: str
    priority: Priority
    added_at: datetime
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    translation_of: int | None = None
    airing: AiringRule = field(default_factory=AiringRule)
    aired: int = 0

    def __post_init__(self) -> None:
        _check_clip(self.clip_sha256, self.size, self.duration_ms)
        if self.bulletin_id < 1 or self.version < 1 or self.aired < 0:
            raise ValueError("bulletin_id and version must be positive, aired not negative")
        if self.translation_of == self.bulletin_id:
            raise ValueError("a bulletin cannot be its own translation")
        _set(self, "priority", Priority(self.priority))
        _set(self, "added_at", utc_ms(self.added_at, "added_at"))
        for name in ("valid_from", "valid_until"):
            value = getattr(self, name)
            if value is not None:
                _set(self, name, utc_ms(value, name))
        if self.valid_from and self.valid_until and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")


@dataclass(frozen=True, slots=True)
class StationClip:
    """A station ident or chime played at the opening or closing of each session."""

    clip_id: int
    sha256: str
    size: int
    duration_ms: int
    title: str

    def __post_init__(self) -> None:
        _check_clip(self.sha256, self.size, self.duration_ms)


@dataclass(frozen=True, slots=True)
class StationPlan:
    code: str
    tz: str = "Asia/Ho_Chi_Minh"
    languages: tuple[str, ...] = ("vi",)
    opening: StationClip | None = None
    closing: StationClip | None = None
    gap_ms: int = 1500
    category_order: tuple[str, ...] = DEFAULT_CATEGORY_ORDER

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("station code is empty")
        ZoneInfo(self.tz)  # unknown zones fail here, not in the middle of a build
        _set(self, "languages", tuple(self.languages))
        _set(self, "category_order", tuple(self.category_order))
        if not self.languages or len(set(self.languages)) != len(self.languages):
            raise ValueError("languages must be a non-empty list without repeats")
        if not 0 <= self.gap_ms <= 60_000:
            raise ValueError("gap_ms must be between 0 and 60000")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)


@dataclass(frozen=True, slots=True)
class Session:
    """One broadcast session of a local day, as UTC instants."""

    name: str
    day: date
    start: datetime
    end: datetime
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _set(self, "start", utc_ms(self.start, "session start"))
        _set(self, "end", utc_ms(self.end, "session end"))
        if self.end <= self.start:
            raise ValueError(f"session {self.name!r} ends before it starts")

    @property
    def length_ms(self) -> int:
        return (self.end - self.start) // MS


@dataclass(frozen=True, slots=True)
class ProgrammeItem:
    session: str
    start: datetime
    duration_ms: int
    kind: ItemKind
    clip_id: int
    clip_sha256: str
    size: int
    title: str
    language: str | None
    bulletin_id: int | None
    version: int | None
    reason: str

    def __post_init__(self) -> None:
        _set(self, "start", utc_ms(self.start, "item start"))
        _set(self, "kind", ItemKind(self.kind))

    @property
    def end(self) -> datetime:
        return self.start + timedelta(milliseconds=self.duration_ms)


@dataclass(frozen=True, slots=True)
class Skipped:
    """A candidate left out of the programme, and why (in English, for the operator log)."""

    bulletin_id: int
    version: int
    title: str
    language: str
    reason: str


@dataclass(frozen=True, slots=True)
class Programme:
    station: str
    day: date
    tz: str
    sessions: tuple[Session, ...]
    items: tuple[ProgrammeItem, ...]
    unplaced: tuple[Skipped, ...] = ()  # eligible today, but no session had room
    excluded: tuple[Skipped, ...] = ()  # not to be scheduled today (emergency, aired, ...)
