"""One place for configuration: environment variables prefixed ``LOA_`` and an optional ``.env``.

Nested sections use ``__`` as delimiter, e.g. ``LOA_API__PORT=8080``.
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "loa-development-secret-do-not-use-in-production"
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class Environment(StrEnum):
    development = "development"
    test = "test"
    production = "production"


class ApiSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # Routes are CPU-bound Python; one worker per core is what carries 200 requests/s.
    workers: int = Field(default=2, ge=1, le=64)
    threads: int = Field(default=4, ge=1, le=256)
    # One line per request costs ~10% of a core at 200 requests/s; state changes are in the
    # audit log anyway. Turn on for debugging.
    access_log: bool = False
    gc_thresholds: tuple[int, int, int] = (50_000, 20, 100)
    access_token_minutes: int = Field(default=8 * 60, ge=1, le=7 * 24 * 60)
    # JSON bodies larger than this are refused with 413 before they are parsed.
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)
    page_size_max: int = Field(default=200, ge=1)


class TTSSettings(BaseModel):
    """Speech engines. Chains are tried in order per language; the first that voices the whole
    text wins. Khmer has no offline engine: when edge fails, a human recording is needed."""

    chains: dict[str, list[str]] = {"vi": ["edge", "espeak"], "km": ["edge"]}
    # Preferred voice per language (the first engine that has it uses it; others use theirs).
    voices: dict[str, str] = {"vi": "vi-VN-HoaiMyNeural", "km": "km-KH-SreymomNeural"}
    espeak_voice: str = "vi-vn-x-south"  # the Mekong default
    espeak_wpm: int = Field(default=140, ge=80, le=260)
    edge_endpoint: str | None = None  # override the service URL (tests, proxies)
    edge_timeout_s: float = Field(default=20.0, gt=0, le=300)
    rate_percent: int = Field(default=0, ge=-50, le=50)


class MediaSettings(BaseModel):
    """The broadcast audio chain and the media store."""

    target_lufs: float = Field(default=-16.0, ge=-40, le=-5)
    true_peak_dbtp: float = Field(default=-1.5, ge=-10, le=0)
    highpass_hz: int = Field(default=150, ge=0, le=1000)
    preroll_ms: int = Field(default=500, ge=0, le=5000)
    chime: Path | None = None
    sample_rate: int = Field(default=24000, ge=8000, le=48000)
    bitrate_kbps: int = Field(default=48, ge=16, le=320)
    max_recording_s: float = Field(default=900.0, gt=0)
    max_upload_bytes: int = Field(default=50_000_000, ge=1_000)
    audio_url_minutes: int = Field(default=60, ge=1, le=24 * 60)

    @model_validator(mode="after")
    def _reachable_loudness(self) -> MediaSettings:
        # Below ~14 dB between the loudness target and the peak limit, MP3 coding overshoot on
        # speech makes the target unreachable for many clips (measured: see docs/BENCHMARKS.md).
        if self.true_peak_dbtp - self.target_lufs < 14.0:
            raise ValueError(
                "true_peak_dbtp must be at least 14 dB above target_lufs "
                f"(got {self.target_lufs} LUFS / {self.true_peak_dbtp} dBTP)"
            )
        return self


class ProgrammeSettings(BaseModel):
    """Daily programmes: how they are built and where endpoints fetch their audio."""

    gap_ms: int = Field(default=1500, ge=0, le=60_000)  # silence between items
    # The daily job builds the next `days_ahead` days at this local time (station's zone).
    build_at: time = time(20, 0)
    days_ahead: int = Field(default=1, ge=1, le=14)
    render_sessions: bool = True  # one audio file per session for store-and-forward endpoints
    # Reacting to approvals, withdrawals, expiries and window changes, every this many seconds.
    rebuild_poll_s: float = Field(default=5.0, gt=0, le=3600)
    # Manifest URLs are absolute: endpoints resolve them from this base (default: the API's
    # own host and port).
    public_base_url: str | None = None

    @field_validator("public_base_url")
    @classmethod
    def _http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("public_base_url must be an http:// or https:// URL")
        return value.rstrip("/") if value else None


class OnAirSettings(BaseModel):
    """The streaming stack (Icecast + Liquidsoap, on loopback by default) and playout."""

    enabled: bool = True  # `loa run` starts and supervises Icecast, Liquidsoap and playout
    icecast_host: str = "127.0.0.1"
    icecast_port: int = Field(default=8010, ge=1, le=65535)
    # Liquidsoap encodes in one thread per process: ~40 mounts per process keep real time
    # on two cores (docs/BENCHMARKS.md); more stations get more processes.
    stations_per_process: int = Field(default=40, ge=1, le=200)
    dead_air_s: float = Field(default=5.0, ge=1.0, le=600.0)
    blank_threshold_db: float = Field(default=-40.0, ge=-90.0, le=-10.0)
    # Items are released by a time gate inside Liquidsoap `release_advance_ms + listener
    # delay` before their planned instant (the pipeline's measured delay up to the stream, then
    # the station's delay from its stream to a listener of its mount), and queued
    # `queue_ahead_s` before that release.
    queue_ahead_s: float = Field(default=2.0, ge=0.5, le=60.0)
    release_advance_ms: int = Field(default=120, ge=0, le=1000)
    # The delay from a station's stream to a listener of its mount that the gate compensates.
    # None: derived per station from its stream (studio/onair_latency.py): one Icecast
    # 1,400-byte block (for Opus one ~4,200-byte Ogg page) at the station's bitrate plus one
    # codec frame, 233 + 24 = 257 ms for the house MP3 48 kbit/s. A number applies to every
    # station (0: aim at the stream, not the listener).
    listener_delay_ms: int | None = Field(default=None, ge=0, le=5000)
    prestage_minutes: float = Field(default=5.0, ge=0.5, le=120.0)
    endpoint_offline_s: int = Field(default=180, ge=10, le=86_400)
    emergency_edge_timeout_s: float = Field(default=2.0, gt=0, le=30.0)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOA_",
        env_file=".env",
        env_file_encoding="utf-8",
        env_nested_delimiter="__",
        extra="ignore",
    )

    environment: Environment = Environment.development
    secret_key: SecretStr = SecretStr(DEV_SECRET_KEY)
    var_dir: Path = Path("var")
    database_url: str = ""
    default_timezone: str = DEFAULT_TIMEZONE
    api: ApiSettings = ApiSettings()
    tts: TTSSettings = TTSSettings()
    media: MediaSettings = MediaSettings()
    programme: ProgrammeSettings = ProgrammeSettings()
    onair: OnAirSettings = OnAirSettings()

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if value and not value.startswith(("sqlite://", "postgresql://", "postgresql+psycopg://")):
            raise ValueError("LOA_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if value.startswith("postgresql://"):
            # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
            value = "postgresql+psycopg://" + value.removeprefix("postgresql://")
        return value

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if self.environment is not Environment.development:
            if secret == DEV_SECRET_KEY:
                raise ValueError(
                    "LOA_SECRET_KEY is the development default; set a random secret "
                    f"(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`) "
                    f"when LOA_ENVIRONMENT={self.environment.value}"
                )
            if len(secret) < 32:
                raise ValueError("LOA_SECRET_KEY must be at least 32 characters")
        return self

    @property
    def media_dir(self) -> Path:
        return self.var_dir / "media"

    @property
    def public_base_url(self) -> str:
        return self.programme.public_base_url or f"http://{self.api.host}:{self.api.port}"

    @property
    def onair_dir(self) -> Path:
        """Generated configs, sockets, logs and secrets of the streaming stack."""
        return self.var_dir / "onair"

    @property
    def work_dir(self) -> Path:
        return self.var_dir / "work"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.var_dir / 'loa.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
