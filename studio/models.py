"""All tables (``table=True``) and their API shapes: XBase, XCreate, XUpdate, X, XPublic."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Generic, TypeVar
from zoneinfo import available_timezones

import sqlalchemy as sa
from pydantic import field_validator, model_validator
from sqlmodel import Field, SQLModel

from studio.settings import DEFAULT_TIMEZONE
from studio.types import (
    AiringMode,
    AreaLevel,
    BulletinStatus,
    Category,
    ClipSource,
    ClipStatus,
    EnumText,
    Language,
    Priority,
    ReviewDecision,
    Role,
    StationKind,
    StreamCodec,
    UTCDateTime,
    utcnow,
)

CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MOUNT_PATTERN = r"^/[A-Za-z0-9_.-]{1,60}$"
_ZONES = available_timezones()
# Ids are INTEGER columns (int4 on PostgreSQL): a bigger value makes the database raise an
# overflow instead of matching nothing, so it is refused as input.
MAX_ID = 2**31 - 1


def _ts(**kw: Any) -> Any:
    return Field(default_factory=utcnow, sa_type=UTCDateTime, **kw)


def _str(length: int, **kw: Any) -> Any:
    return Field(sa_type=sa.String(length), **kw)


# ---------------------------------------------------------------- areas
class AreaBase(SQLModel):
    code: str = Field(
        min_length=1,
        max_length=64,
        schema_extra={"pattern": CODE_PATTERN},
        sa_type=sa.String(64),
        description="Administrative code, kept as data (e.g. 2025 merged-province codes).",
    )
    name: str = Field(min_length=1, max_length=200, sa_type=sa.String(200))
    level: AreaLevel = Field(sa_type=EnumText(AreaLevel, 16))
    parent_id: int | None = Field(default=None, foreign_key="area.id", index=True)


class AreaCreate(SQLModel):
    code: str = Field(min_length=1, max_length=64, schema_extra={"pattern": CODE_PATTERN})
    name: str = Field(min_length=1, max_length=200)
    level: AreaLevel
    parent_code: str | None = Field(default=None, max_length=64)


class AreaUpdate(SQLModel):
    """Only the fields sent change; send null to make a broadcast rule inherit again."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    quiet_start: time | None = None
    quiet_end: time | None = None
    session_cap_minutes: int | None = Field(default=None, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _quiet_pair(self) -> AreaUpdate:
        sent = self.model_fields_set
        if ("quiet_start" in sent) != ("quiet_end" in sent):
            raise ValueError("quiet_start và quiet_end phải gửi cùng nhau")
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start và quiet_end cùng có giá trị hoặc cùng là null")
        for value in (self.quiet_start, self.quiet_end):
            if value is not None and value.tzinfo is not None:
                raise ValueError("giờ yên lặng là giờ địa phương, không kèm múi giờ")
        return self


class Area(AreaBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(64), unique=True, index=True)
    # Broadcast rules; None inherits from the parent area, then the defaults (21:30-05:00
    # quiet hours, no cap). Equal quiet start and end means no quiet hours.
    quiet_start: time | None = None
    quiet_end: time | None = None
    session_cap_s: int | None = None
    created_at: datetime = _ts()


class AreaPublic(SQLModel):
    id: int
    code: str
    name: str
    level: AreaLevel
    parent_id: int | None
    parent_code: str | None = None
    quiet_start: time | None = None
    quiet_end: time | None = None
    session_cap_minutes: int | None = None


# ---------------------------------------------------------------- stations
def _check_languages(value: list[Language] | None) -> list[Language] | None:
    if value is not None:
        if not value:
            raise ValueError("đài phải phát ít nhất một ngôn ngữ")
        if len(set(value)) != len(value):
            raise ValueError("ngôn ngữ không được lặp lại")
    return value


def _check_zone(value: str | None) -> str | None:
    if value is not None and value not in _ZONES:
        raise ValueError(f"múi giờ không tồn tại: {value!r}")
    return value


class StationCreate(SQLModel):
    code: str = Field(min_length=1, max_length=64, schema_extra={"pattern": CODE_PATTERN})
    name: str = Field(min_length=1, max_length=200)
    area_code: str = Field(min_length=1, max_length=64)
    kind: StationKind = StationKind.loudspeaker_cluster
    languages: list[Language] = Field(default_factory=lambda: [Language.vi], max_length=4)
    timezone: str = DEFAULT_TIMEZONE
    mount: str | None = Field(default=None, schema_extra={"pattern": MOUNT_PATTERN})
    enabled: bool = True
    gap_ms: int | None = Field(default=None, ge=0, le=60_000)
    accepts_tests: bool = False
    stream_codec: StreamCodec = StreamCodec.mp3
    stream_bitrate_kbps: int = Field(default=48, ge=16, le=320)
    opening_jingle_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    closing_jingle_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    _langs = field_validator("languages")(_check_languages)
    _zone = field_validator("timezone")(_check_zone)


class StationUpdate(SQLModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    area_code: str | None = Field(default=None, min_length=1, max_length=64)
    kind: StationKind | None = None
    languages: list[Language] | None = Field(default=None, max_length=4)
    timezone: str | None = None
    mount: str | None = Field(default=None, schema_extra={"pattern": MOUNT_PATTERN})
    enabled: bool | None = None
    gap_ms: int | None = Field(default=None, ge=0, le=60_000)
    accepts_tests: bool | None = None
    stream_codec: StreamCodec | None = None
    stream_bitrate_kbps: int | None = Field(default=None, ge=16, le=320)
    opening_jingle_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    closing_jingle_id: int | None = Field(default=None, ge=1, le=MAX_ID)

    _langs = field_validator("languages")(_check_languages)
    _zone = field_validator("timezone")(_check_zone)


class Station(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_type=sa.String(64), unique=True, index=True)
    name: str = _str(200)
    area_id: int = Field(foreign_key="area.id", index=True)
    kind: StationKind = Field(sa_type=EnumText(StationKind, 32))
    languages: list[str] = Field(default_factory=lambda: ["vi"], sa_type=sa.JSON)
    timezone: str = Field(default=DEFAULT_TIMEZONE, sa_type=sa.String(64))
    mount: str = Field(sa_type=sa.String(64), unique=True)
    enabled: bool = True
    # Programme: the silence between items (None: the deployment default) and the jingles
    # played at the opening and closing of every session (None: none).
    gap_ms: int | None = None
    # Receives Test and Exercise emergencies (CAP status); Actual ones go to every station.
    accepts_tests: bool = Field(default=False, sa_column_kwargs={"server_default": sa.false()})
    # The mount's encoding: MP3 CBR mono 48 kbit/s by default; Opus or AAC per station.
    stream_codec: StreamCodec = Field(
        default=StreamCodec.mp3,
        sa_type=EnumText(StreamCodec, 8),
        sa_column_kwargs={"server_default": "mp3"},
    )
    stream_bitrate_kbps: int = Field(default=48, sa_column_kwargs={"server_default": "48"})
    opening_jingle_id: int | None = Field(default=None, foreign_key="jingle.id")
    closing_jingle_id: int | None = Field(default=None, foreign_key="jingle.id")
    created_at: datetime = _ts()


class Jingle(SQLModel, table=True):
    """A station ident or chime in the house format, played at a session's opening or closing."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = _str(200)
    sha256: str = _str(64)
    size_bytes: int
    duration_ms: int
    loudness_lufs: float
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _ts()


class JinglePublic(SQLModel):
    id: int
    title: str
    sha256: str
    size_bytes: int
    duration_ms: int
    loudness_lufs: float
    created_at: datetime


class StationPublic(SQLModel):
    id: int
    code: str
    name: str
    area_id: int
    area_code: str | None = None
    kind: StationKind
    languages: list[Language]
    timezone: str
    mount: str
    enabled: bool
    gap_ms: int | None = None
    accepts_tests: bool = False
    stream_codec: StreamCodec = StreamCodec.mp3
    stream_bitrate_kbps: int = 48
    opening_jingle_id: int | None = None
    closing_jingle_id: int | None = None


class StationToken(SQLModel, table=True):
    """A read-only credential for one station's endpoints. Only its sha256 is stored."""

    id: int | None = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    label: str = Field(default="", sa_type=sa.String(200))
    token_sha256: str = Field(sa_type=sa.String(64), unique=True, index=True)
    created_at: datetime = _ts()
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StationTokenCreate(SQLModel):
    label: str = Field(default="", max_length=200)


class StationTokenIssued(SQLModel):
    id: int
    station_code: str
    label: str
    token: str


# ---------------------------------------------------------------- users
class UserCreate(SQLModel):
    username: str = Field(
        min_length=3, max_length=64, schema_extra={"pattern": r"^[a-z0-9][a-z0-9_.-]{2,63}$"}
    )
    full_name: str = Field(default="", max_length=200)
    password: str = Field(min_length=10, max_length=256)
    role: Role
    area_codes: list[str] = Field(default_factory=list, max_length=500)

    @model_validator(mode="after")
    def _scoped(self) -> UserCreate:
        if self.role is not Role.admin and not self.area_codes:
            raise ValueError("biên tập viên và người duyệt phải được gán ít nhất một địa bàn")
        return self


class UserUpdate(SQLModel):
    full_name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=256)
    role: Role | None = None
    area_codes: list[str] | None = Field(default=None, max_length=500)
    is_active: bool | None = None


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_type=sa.String(64), unique=True, index=True)
    full_name: str = Field(default="", sa_type=sa.String(200))
    password_hash: str = _str(255)
    role: Role = Field(sa_type=EnumText(Role, 16))
    is_active: bool = True
    created_at: datetime = _ts()


class UserArea(SQLModel, table=True):
    user_id: int = Field(foreign_key="user.id", primary_key=True)
    area_id: int = Field(foreign_key="area.id", primary_key=True)


class UserPublic(SQLModel):
    id: int
    username: str
    full_name: str
    role: Role
    is_active: bool
    area_codes: list[str] = []


# ---------------------------------------------------------------- bulletins
class AiringRule(SQLModel):
    """How often a bulletin airs, per station: ``once``; ``spread``: ``times`` airings over
    ``days`` days from ``first_day`` (default: the local day it becomes valid); or
    ``every_session`` from ``first_day`` to ``last_day`` (local dates). Without a mode, one
    airing in one day is ``once`` and anything more a ``spread``."""

    mode: AiringMode | None = None
    times: int = Field(default=1, ge=1, le=100)
    days: int = Field(default=1, ge=1, le=366)
    first_day: date | None = None
    last_day: date | None = None

    @model_validator(mode="after")
    def _coherent(self) -> AiringRule:
        if self.mode is None:
            self.mode = AiringMode.once if self.times == self.days == 1 else AiringMode.spread
        if self.mode is AiringMode.once and (self.times, self.days) != (1, 1):
            raise ValueError("phát một lần (once) không đi cùng times/days khác 1")
        if self.mode is AiringMode.every_session:
            if self.first_day is None or self.last_day is None:
                raise ValueError("every_session cần first_day và last_day")
            if self.last_day < self.first_day:
                raise ValueError("last_day phải từ first_day trở đi")
            if (self.last_day - self.first_day).days > 365:
                raise ValueError("every_session kéo dài tối đa 366 ngày")
        elif self.last_day is not None:
            raise ValueError("last_day chỉ dùng cho every_session")
        return self


class BulletinContent(SQLModel):
    """What an editor writes; one snapshot per version."""

    title: str = Field(min_length=1, max_length=300)
    body: str = Field(min_length=1, max_length=20_000)
    language: Language
    category: Category = Category.other
    priority: Priority = Priority.normal
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    airing: AiringRule = Field(default_factory=AiringRule)
    target_station_codes: list[str] = Field(default_factory=list, max_length=1000)
    target_area_codes: list[str] = Field(default_factory=list, max_length=1000)
    translation_of: int | None = Field(default=None, ge=1, le=MAX_ID)


class BulletinCreate(BulletinContent):
    @model_validator(mode="after")
    def _coherent(self) -> BulletinCreate:
        _check_content(self)
        return self


class BulletinUpdate(SQLModel):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    body: str | None = Field(default=None, min_length=1, max_length=20_000)
    language: Language | None = None
    category: Category | None = None
    priority: Priority | None = None
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    airing: AiringRule | None = None
    target_station_codes: list[str] | None = Field(default=None, max_length=1000)
    target_area_codes: list[str] | None = Field(default=None, max_length=1000)
    translation_of: int | None = Field(default=None, ge=1, le=MAX_ID)


def _check_content(content: BulletinContent) -> None:
    for name in ("valid_from", "valid_until"):
        value = getattr(content, name)
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{name} phải có múi giờ, ví dụ 2026-12-01T17:00:00+07:00")
    if content.valid_from and content.valid_until and content.valid_until <= content.valid_from:
        raise ValueError("valid_until phải sau valid_from")
    if not content.target_station_codes and not content.target_area_codes:
        raise ValueError("bản tin cần ít nhất một đài hoặc địa bàn đích")
    if "\x00" in content.body or "\x00" in content.title:
        raise ValueError("văn bản không được chứa ký tự NUL")


class Bulletin(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    title: str = _str(300)
    body: str = Field(sa_type=sa.Text)
    language: Language = Field(sa_type=EnumText(Language, 8), index=True)
    category: Category = Field(sa_type=EnumText(Category, 32), index=True)
    priority: Priority = Field(sa_type=EnumText(Priority, 16), index=True)
    valid_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    valid_until: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    airing_times: int = 1
    airing_days: int = 1
    airing_mode: AiringMode = Field(
        default=AiringMode.once,
        sa_type=EnumText(AiringMode, 16),
        sa_column_kwargs={"server_default": "once"},
    )
    airing_first_day: date | None = None
    airing_last_day: date | None = None
    translation_of: int | None = Field(default=None, foreign_key="bulletin.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    status: BulletinStatus = Field(sa_type=EnumText(BulletinStatus, 16), index=True)
    version: int = 1
    # The version that holds the standing approval, and the clip approved with it.
    approved_version: int | None = None
    approved_clip_id: int | None = None
    created_at: datetime = _ts(index=True)
    updated_at: datetime = _ts()


def airing_rule_of(bulletin: Bulletin) -> AiringRule:
    return AiringRule(
        mode=bulletin.airing_mode,
        times=bulletin.airing_times,
        days=bulletin.airing_days,
        first_day=bulletin.airing_first_day,
        last_day=bulletin.airing_last_day,
    )


def set_airing_rule(bulletin: Bulletin, rule: AiringRule) -> None:
    assert rule.mode is not None  # filled in by the rule's validator
    bulletin.airing_mode = rule.mode
    bulletin.airing_times = rule.times
    bulletin.airing_days = rule.days
    bulletin.airing_first_day = rule.first_day
    bulletin.airing_last_day = rule.last_day


class BulletinTarget(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bulletin_id: int = Field(foreign_key="bulletin.id", index=True)
    station_id: int | None = Field(default=None, foreign_key="station.id", index=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)


class BulletinVersion(SQLModel, table=True):
    """Immutable once submitted: what was reviewed is exactly what airs."""

    __table_args__ = (sa.UniqueConstraint("bulletin_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    bulletin_id: int = Field(foreign_key="bulletin.id", index=True)
    version: int
    content: dict[str, Any] = Field(sa_type=sa.JSON)
    content_sha256: str = _str(64)
    created_by_id: int = Field(foreign_key="user.id")
    created_at: datetime = _ts()
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class BulletinPublic(SQLModel):
    id: int
    title: str
    body: str
    language: Language
    category: Category
    priority: Priority
    valid_from: datetime | None
    valid_until: datetime | None
    airing: AiringRule
    target_station_codes: list[str]
    target_area_codes: list[str]
    translation_of: int | None
    author_id: int
    author_username: str | None = None
    status: BulletinStatus
    version: int
    approved_version: int | None
    approved_clip_id: int | None
    created_at: datetime
    updated_at: datetime


class BulletinVersionPublic(SQLModel):
    version: int
    content: dict[str, Any]
    content_sha256: str
    created_by_id: int
    created_at: datetime
    submitted_at: datetime | None


# ---------------------------------------------------------------- clips and reviews
class Clip(SQLModel, table=True):
    """One rendition of one bulletin version. Rendered by the job runner, never in a request."""

    id: int | None = Field(default=None, primary_key=True)
    bulletin_id: int = Field(foreign_key="bulletin.id", index=True)
    bulletin_version: int
    source: ClipSource = Field(sa_type=EnumText(ClipSource, 16))
    engine: str = Field(default="", sa_type=sa.String(32))
    voice: str = Field(default="", sa_type=sa.String(64))
    status: ClipStatus = Field(sa_type=EnumText(ClipStatus, 16), index=True)
    error: str = Field(default="", sa_type=sa.Text)
    sha256: str | None = Field(default=None, sa_type=sa.String(64), index=True)
    master_sha256: str | None = Field(default=None, sa_type=sa.String(64))
    size_bytes: int | None = None
    duration_ms: int | None = None
    loudness_lufs: float | None = None
    true_peak_dbtp: float | None = None
    normalized_text: str = Field(default="", sa_type=sa.Text)
    frontend_version: str = Field(default="", sa_type=sa.String(64))
    cache_key: str | None = Field(default=None, sa_type=sa.String(64), index=True)
    # What was asked for: voice, rate, pitch; for recordings the uploaded file's name.
    request: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    attempts: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _ts()
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ClipPublic(SQLModel):
    id: int
    bulletin_id: int
    bulletin_version: int
    source: ClipSource
    engine: str
    voice: str
    status: ClipStatus
    error: str
    sha256: str | None
    size_bytes: int | None
    duration_ms: int | None
    loudness_lufs: float | None
    true_peak_dbtp: float | None
    normalized_text: str
    created_at: datetime
    finished_at: datetime | None
    audio_url: str | None = None


class RenderRequest(SQLModel):
    voice: str | None = Field(default=None, max_length=64)
    rate_percent: int | None = Field(default=None, ge=-50, le=50)
    pitch_hz: int = Field(default=0, ge=-50, le=50)


class LexiconEntry(SQLModel, table=True):
    """How to read a term (a place name, a Khmer name in Vietnamese text, an acronym).
    ``area_id`` None: everywhere; otherwise that area and the areas below it."""

    __table_args__ = (sa.UniqueConstraint("area_id", "language", "term"),)

    id: int | None = Field(default=None, primary_key=True)
    area_id: int | None = Field(default=None, foreign_key="area.id", index=True)
    language: Language = Field(sa_type=EnumText(Language, 8))
    term: str = Field(sa_type=sa.String(200))
    reading: str = Field(sa_type=sa.String(500))
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = _ts()


class LexiconEntryCreate(SQLModel):
    language: Language
    term: str = Field(min_length=1, max_length=200)
    reading: str = Field(min_length=1, max_length=500)
    area_code: str | None = Field(default=None, max_length=64)

    @field_validator("term", "reading")
    @classmethod
    def _clean(cls, value: str) -> str:
        value = " ".join(value.split())
        if not value or "\x00" in value:
            raise ValueError("không được để trống hoặc chứa ký tự NUL")
        return value


class LexiconEntryPublic(SQLModel):
    id: int
    language: Language
    term: str
    reading: str
    area_code: str | None


class PreviewRequest(SQLModel):
    text: str = Field(min_length=1, max_length=20_000)
    language: Language
    voice: str | None = Field(default=None, max_length=64)
    area_code: str | None = Field(default=None, max_length=64)


class PreviewSegment(SQLModel):
    text: str
    pause_after_ms: int


class PreviewResponse(SQLModel):
    language: Language
    region: str
    text: str
    segments: list[PreviewSegment]
    frontend_version: str


class VoicePublic(SQLModel):
    engine: str
    id: str
    language: Language
    gender: str
    description: str


class Review(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    bulletin_id: int = Field(foreign_key="bulletin.id", index=True)
    bulletin_version: int
    reviewer_id: int = Field(foreign_key="user.id")
    decision: ReviewDecision = Field(sa_type=EnumText(ReviewDecision, 16))
    reason: str = Field(default="", sa_type=sa.Text)
    clip_id: int | None = Field(default=None, foreign_key="clip.id")
    fast_track: bool = False
    created_at: datetime = _ts()


class ReviewPublic(SQLModel):
    id: int
    bulletin_id: int
    bulletin_version: int
    reviewer_id: int
    decision: ReviewDecision
    reason: str
    clip_id: int | None
    fast_track: bool
    created_at: datetime


class ApproveRequest(SQLModel):
    version: int = Field(ge=1, description="The version the approver read; must be current.")
    # Required by the workflow, not by the schema: a missing clip gets a 409 naming the ready
    # clips of the version, which tells the approver more than a 422 would.
    clip_id: int | None = Field(
        default=None,
        ge=1,
        description="Required: the ready clip of that version the approver listened to.",
    )
    comment: str = Field(default="", max_length=2000)


class RejectRequest(SQLModel):
    version: int = Field(ge=1)
    reason: str = Field(max_length=2000)


class WithdrawRequest(SQLModel):
    reason: str = Field(default="", max_length=2000)


# ---------------------------------------------------------------- audit
class AuditEvent(SQLModel, table=True):
    """Append-only: database triggers refuse UPDATE and DELETE."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    actor: str = Field(sa_type=sa.String(100))
    via: str = Field(default="api", sa_type=sa.String(16))
    action: str = Field(sa_type=sa.String(64), index=True)
    entity_type: str = Field(sa_type=sa.String(32), index=True)
    entity_id: str = Field(sa_type=sa.String(64), index=True)
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    detail: str = Field(default="", sa_type=sa.Text)


class AuditEventPublic(SQLModel):
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    via: str
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    detail: str


T = TypeVar("T")


class Page(SQLModel, Generic[T]):
    items: list[T]
    total: int
    offset: int
    limit: int
