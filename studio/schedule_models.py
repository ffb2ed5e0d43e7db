"""Tables and API shapes of broadcast windows and programmes.

A window or exception belongs to exactly one owner, a station or an area: a station without
windows of its own inherits those of its nearest area that has some; exceptions of the station
and of every area above it all apply.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from studio.types import EnumText, ExceptionKind, UTCDateTime, utcnow

WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)  # Monday is 0, as date.weekday()
NAME_MAX = 64


def _owner_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(
        "(station_id IS NULL) <> (area_id IS NULL)", name=f"ck_{table}_one_owner"
    )


class BroadcastWindow(SQLModel, table=True):
    __tablename__ = "broadcast_window"
    __table_args__ = (_owner_check("broadcast_window"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    name: str = Field(sa_type=sa.String(NAME_MAX))
    start_time: time
    length_s: int
    weekdays: list[int] = Field(default_factory=lambda: list(WEEKDAYS), sa_type=sa.JSON)
    first_day: date | None = None
    last_day: date | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class WindowException(SQLModel, table=True):
    __tablename__ = "window_exception"
    __table_args__ = (_owner_check("window_exception"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    kind: ExceptionKind = Field(sa_type=EnumText(ExceptionKind, 8))
    name: str = Field(sa_type=sa.String(NAME_MAX))
    start_time: time | None = None  # for "add"
    length_s: int | None = None
    first_day: date
    last_day: date
    note: str = Field(default="", sa_type=sa.String(300))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProgrammeVersion(SQLModel, table=True):
    """One built version of a station's programme for one local day. Versions are never
    changed; a rebuild that differs adds the next version and makes it the current one."""

    __tablename__ = "programme"
    __table_args__ = (sa.UniqueConstraint("station_id", "day", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    day: date = Field(index=True)
    version: int
    is_current: bool = Field(default=True, index=True)
    digest: str = Field(sa_type=sa.String(64))
    data: dict[str, Any] = Field(sa_type=sa.JSON)  # playlists.codec.programme_to_dict
    diff_text: str = Field(default="", sa_type=sa.Text)
    changes: int = 0
    reason: str = Field(default="", sa_type=sa.String(300))
    built_by: str = Field(default="", sa_type=sa.String(100))
    built_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionAudio(SQLModel, table=True):
    """A rendered session file, keyed by what it contains (clips and their offsets), so a
    rebuild that leaves a session unchanged reuses its file."""

    __tablename__ = "session_audio"

    id: int | None = Field(default=None, primary_key=True)
    content_key: str = Field(sa_type=sa.String(64), unique=True, index=True)
    sha256: str = Field(sa_type=sa.String(64), index=True)
    size_bytes: int
    duration_ms: int
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


# ---------------------------------------------------------------- API shapes
def _check_name(value: str) -> str:
    value = " ".join(value.split())
    if not value or "\x00" in value:
        raise ValueError("tên buổi phát không được để trống")
    return value


def _check_local(value: time | None) -> time | None:
    if value is not None and value.tzinfo is not None:
        raise ValueError("giờ bắt đầu là giờ địa phương, không kèm múi giờ")
    return value


def _check_weekdays(value: list[int] | None) -> list[int] | None:
    if value is not None:
        if not set(value) <= set(WEEKDAYS) or len(set(value)) != len(value):
            raise ValueError("weekdays là các số khác nhau từ 0 (thứ Hai) đến 6 (Chủ nhật)")
        value = sorted(value)
    return value


class WindowCreate(SQLModel):
    name: str = Field(min_length=1, max_length=NAME_MAX)
    start_time: time
    length_minutes: float = Field(gt=0, lt=24 * 60)
    weekdays: list[int] = Field(default_factory=lambda: list(WEEKDAYS), min_length=1, max_length=7)
    first_day: date | None = None
    last_day: date | None = None

    _name = field_validator("name")(_check_name)
    _local = field_validator("start_time")(_check_local)
    _days = field_validator("weekdays")(_check_weekdays)

    @model_validator(mode="after")
    def _range(self) -> WindowCreate:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValueError("last_day phải từ first_day trở đi")
        return self


class WindowUpdate(SQLModel):
    start_time: time | None = None
    length_minutes: float | None = Field(default=None, gt=0, lt=24 * 60)
    weekdays: list[int] | None = Field(default=None, min_length=1, max_length=7)
    first_day: date | None = None
    last_day: date | None = None

    _local = field_validator("start_time")(_check_local)
    _days = field_validator("weekdays")(_check_weekdays)


class WindowPublic(SQLModel):
    id: int
    owner: str  # "station:CODE" or "area:CODE"
    name: str
    start_time: time
    length_minutes: float
    weekdays: list[int]
    first_day: date | None
    last_day: date | None


class ExceptionCreate(SQLModel):
    kind: ExceptionKind
    name: str = Field(min_length=1, max_length=NAME_MAX)
    first_day: date
    last_day: date | None = None
    start_time: time | None = None
    length_minutes: float | None = Field(default=None, gt=0, lt=24 * 60)
    note: str = Field(default="", max_length=300)

    _name = field_validator("name")(_check_name)
    _local = field_validator("start_time")(_check_local)

    @model_validator(mode="after")
    def _coherent(self) -> ExceptionCreate:
        if self.last_day is not None and self.last_day < self.first_day:
            raise ValueError("last_day phải từ first_day trở đi")
        if self.kind is ExceptionKind.add and (
            self.start_time is None or self.length_minutes is None
        ):
            raise ValueError("thêm buổi phát cần start_time và length_minutes")
        if self.kind is ExceptionKind.drop and (
            self.start_time is not None or self.length_minutes is not None
        ):
            raise ValueError("bỏ buổi phát chỉ cần tên buổi và ngày")
        return self


class ExceptionPublic(SQLModel):
    id: int
    owner: str
    kind: ExceptionKind
    name: str
    first_day: date
    last_day: date
    start_time: time | None
    length_minutes: float | None
    note: str


class SessionPublic(SQLModel):
    name: str
    start: datetime
    end: datetime
    local_start: str
    local_end: str
    notes: list[str]


class RefusedSessionPublic(SQLModel):
    name: str
    reason: str


class DaySessionsPublic(SQLModel):
    station_code: str
    date: date
    timezone: str
    windows_from: str  # where the windows come from: "station:CODE", "area:CODE" or "none"
    quiet_hours: str
    session_cap_minutes: int | None
    sessions: list[SessionPublic]
    refused: list[RefusedSessionPublic]


class ProgrammeVersionPublic(SQLModel):
    station_code: str
    date: date
    version: int
    is_current: bool
    digest: str
    changes: int
    reason: str
    built_by: str
    built_at: datetime
    diff_text: str
