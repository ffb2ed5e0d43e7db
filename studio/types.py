"""Column types and enums shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (which drops offsets) as on PG."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class Language(StrEnum):
    vi = "vi"
    km = "km"


class Category(StrEnum):
    policy = "policy"
    law = "law"
    health = "health"
    agriculture_market = "agriculture_market"
    science_technology = "science_technology"
    environment_disaster = "environment_disaster"
    security_order = "security_order"
    other = "other"


class Priority(StrEnum):
    """Circular 39/2020/TT-BTTTT priority classes."""

    normal = "normal"
    priority = "priority"
    emergency = "emergency"


class AiringMode(StrEnum):
    """How a bulletin's airings are counted (same values as playlists.AiringMode)."""

    once = "once"
    spread = "spread"  # `times` airings over `days` days
    every_session = "every_session"  # every session from `first_day` to `last_day`


class ExceptionKind(StrEnum):
    add = "add"  # a session added for some days (a campaign's noon session)
    drop = "drop"  # a session dropped for some days (a holiday)


class StreamCodec(StrEnum):
    """How a station's mount is encoded (MP3 is the house format; Opus and AAC via ffmpeg)."""

    mp3 = "mp3"
    opus = "opus"
    aac = "aac"


class QueueKind(StrEnum):
    programme = "programme"
    emergency = "emergency"


class AsRunStatus(StrEnum):
    playing = "playing"  # started, no end reported yet
    aired = "aired"
    late = "late"  # started later than its plan allows
    skipped = "skipped"  # planned, never started (missed, dead air, checksum)
    preempted = "preempted"  # cut by an emergency
    failed = "failed"


class AsRunSource(StrEnum):
    liquidsoap = "liquidsoap"
    endpoint = "endpoint"
    scheduler = "scheduler"  # a skip decided by the playout scheduler (nothing aired)


class CapStatus(StrEnum):
    """CAP 1.2 <status>: Test and Exercise go only to stations marked for tests."""

    actual = "Actual"
    exercise = "Exercise"
    test = "Test"


class EmergencyState(StrEnum):
    active = "active"
    cancelled = "cancelled"
    done = "done"
    expired = "expired"


class AlertKind(StrEnum):
    dead_air = "dead_air"
    checksum = "checksum"
    missing_file = "missing_file"
    late = "late"
    process_restart = "process_restart"
    endpoint_offline = "endpoint_offline"


class Role(StrEnum):
    editor = "editor"
    approver = "approver"
    admin = "admin"


class AreaLevel(StrEnum):
    province = "province"
    commune = "commune"


class StationKind(StrEnum):
    loudspeaker_cluster = "loudspeaker_cluster"
    radio_station = "radio_station"
    fm_gateway = "fm_gateway"


class BulletinStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"
    rejected = "rejected"
    withdrawn = "withdrawn"
    expired = "expired"


class ClipSource(StrEnum):
    tts = "tts"
    recording = "recording"


class ClipStatus(StrEnum):
    rendering = "rendering"
    ready = "ready"
    failed = "failed"
    needs_recording = "needs_recording"


class ReviewDecision(StrEnum):
    approve = "approve"
    reject = "reject"


class EnumText(sa.types.TypeDecorator[StrEnum]):
    """A StrEnum stored as plain VARCHAR (no database enum types to migrate), loaded as the enum."""

    impl = sa.String
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnum], length: int = 32) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return self.enum_cls(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnum | None:
        return None if value is None else self.enum_cls(value)
