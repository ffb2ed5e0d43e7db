"""Value objects describing the streaming stack: formats, station streams, Icecast, Liquidsoap.

Everything the renderers and the client need arrives here as frozen dataclasses built by the
caller (studio); this package never reads settings or the environment. Each class validates
itself in ``__post_init__`` and raises ``ValueError`` with an English message (these are
deployment mistakes, not operator input).

Identifiers inside one Liquidsoap process derive from ``slug(code)``:

=========================  ===================================  ============================
what                       id / server command                  property
=========================  ===================================  ============================
programme queue            ``<slug>_programme`` (``.push`` ...)  ``StationStream.programme_queue``
emergency queue            ``<slug>_emergency``                 ``StationStream.emergency_queue``
output to the mount        ``<slug>_out`` (``.remaining``)      ``StationStream.output_id``
time gate of the programme ``<slug>.gate [<epoch>]``            ``StationStream.gate_command``
=========================  ===================================  ============================
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from stations.checks import (
    CODE_RE,
    CONTENT_TYPES,
    MAX_SOCKET_PATH,
    MOUNT_RE,
    SAMPLE_RATES,
    TOKEN_RE,
    check_host,
    check_password,
    check_port,
    check_text,
)

Codec = Literal["mp3", "opus", "aac"]


def slug(code: str) -> str:
    """The id stem of a station inside Liquidsoap: lower-case ``[a-z0-9_]``, starting with a letter.

    ``"VN-01"`` -> ``"vn_01"``; ``"01"`` -> ``"s01"``. Readable rather than injective: codes that
    differ only in case or punctuation share a slug, which ``LiquidsoapConfig`` refuses.
    """
    stem = re.sub(r"[^a-z0-9]+", "_", code.lower()).strip("_")
    if not stem:
        raise ValueError(f"station code {code!r} has no letters or digits")
    return stem if stem[0].isalpha() else f"s{stem}"


@dataclass(frozen=True)
class StreamFormat:
    """How one mount is encoded. Default: the house format, MP3 CBR 48 kbit/s mono 24 kHz."""

    codec: Codec = "mp3"
    bitrate_kbps: int = 48
    sample_rate: int = 24000
    channels: int = 1

    def __post_init__(self) -> None:
        if self.codec not in SAMPLE_RATES:
            raise ValueError(f"codec {self.codec!r} is not one of mp3, opus, aac")
        if not 8 <= self.bitrate_kbps <= 320:
            raise ValueError(f"bitrate {self.bitrate_kbps} kbit/s is outside 8-320")
        if self.sample_rate not in SAMPLE_RATES[self.codec]:
            raise ValueError(f"{self.codec} cannot be encoded at {self.sample_rate} Hz")
        if self.channels not in (1, 2):
            raise ValueError(f"channels must be 1 or 2, not {self.channels}")

    @property
    def content_type(self) -> str:
        """The Content-Type Icecast serves the mount with."""
        return CONTENT_TYPES[self.codec]


@dataclass(frozen=True)
class StationStream:
    """One station's stream: its code (as in the registry), display name and Icecast mount."""

    code: str
    name: str
    mount: str
    format: StreamFormat = field(default_factory=StreamFormat)
    description: str = ""

    def __post_init__(self) -> None:
        if not CODE_RE.match(self.code):
            raise ValueError(f"station code {self.code!r} must match {CODE_RE.pattern}")
        slug(self.code)
        check_text("station name", self.name)
        check_text("station description", self.description, max_len=500, empty=True)
        if not MOUNT_RE.match(self.mount):
            raise ValueError(f"mount {self.mount!r} must match {MOUNT_RE.pattern}")

    @property
    def slug(self) -> str:
        return slug(self.code)

    @property
    def programme_queue(self) -> str:
        return f"{self.slug}_programme"

    @property
    def emergency_queue(self) -> str:
        return f"{self.slug}_emergency"

    @property
    def output_id(self) -> str:
        return f"{self.slug}_out"

    @property
    def gate_command(self) -> str:
        return f"{self.slug}.gate"


@dataclass(frozen=True)
class RunAs:
    """The unprivileged account a daemon started as root switches to (Icecast's changeowner)."""

    user: str = "icecast2"
    group: str = "icecast"

    def __post_init__(self) -> None:
        for what, value in (("user", self.user), ("group", self.group)):
            if not re.match(r"^[a-z_][a-z0-9_-]{0,31}$", value):
                raise ValueError(f"{what} {value!r} is not a valid account name")


@dataclass(frozen=True)
class IcecastConfig:
    """One Icecast server carrying the given mounts. Passwords come from the caller (generated);
    ``run_as`` is required when the server is started as root (Icecast refuses root otherwise).
    """

    source_password: str
    admin_password: str
    log_dir: Path
    mounts: tuple[StationStream, ...] = ()
    host: str = "127.0.0.1"
    port: int = 8000
    hostname: str = "127.0.0.1"
    admin_user: str = "admin"
    admin_email: str = "loa@localhost"
    location: str = "Loa"
    burst_size: int = 2048
    queue_size: int = 524288
    max_clients: int = 1000
    max_sources: int = 200
    client_timeout_s: int = 30
    header_timeout_s: int = 15
    source_timeout_s: int = 10
    log_level: int = 3
    run_as: RunAs | None = None
    # Logs to stderr (captured by the supervisor) instead of files in log_dir: a server that
    # drops root then needs no writable directory of its own.
    log_to_stderr: bool = False
    pid_file: Path | None = None
    base_dir: Path = Path("/usr/share/icecast2")
    web_dir: Path = Path("/usr/share/icecast2/web")
    admin_dir: Path = Path("/usr/share/icecast2/admin")

    def __post_init__(self) -> None:
        check_password("Icecast source password", self.source_password)
        check_password("Icecast admin password", self.admin_password)
        if self.source_password == self.admin_password:
            raise ValueError("Icecast source and admin passwords must differ")
        check_text("Icecast admin user", self.admin_user, max_len=64)
        check_text("Icecast admin e-mail", self.admin_email)
        check_text("Icecast location", self.location)
        check_host("Icecast bind address", self.host)
        check_host("Icecast hostname", self.hostname)
        check_port("Icecast port", self.port)
        for what, path in self._paths():
            check_text(what, str(path), max_len=4096)
            if not path.is_absolute():
                raise ValueError(f"{what} {path} must be absolute")
        mounts = [m.mount for m in self.mounts]
        if len(set(mounts)) != len(mounts):
            raise ValueError("two stations share one Icecast mount")
        if not 0 <= self.burst_size <= 1_048_576:
            raise ValueError("burst size must be 0-1048576 bytes")
        if self.queue_size < max(self.burst_size, 65536):
            raise ValueError("queue size must be at least 64 KiB and the burst size")
        if self.max_sources < len(self.mounts) or self.max_clients < 1:
            raise ValueError("client/source limits are below the number of mounts")
        for what, value in (
            ("client timeout", self.client_timeout_s),
            ("header timeout", self.header_timeout_s),
            ("source timeout", self.source_timeout_s),
        ):
            if not 1 <= value <= 3600:
                raise ValueError(f"Icecast {what} must be 1-3600 s")
        if self.log_level not in (1, 2, 3, 4):
            raise ValueError("Icecast log level must be 1-4")

    def _paths(self) -> list[tuple[str, Path]]:
        paths = [
            ("log dir", self.log_dir),
            ("base dir", self.base_dir),
            ("web dir", self.web_dir),
            ("admin dir", self.admin_dir),
        ]
        return paths + ([("pid file", self.pid_file)] if self.pid_file else [])

    @property
    def status_url(self) -> str:
        return f"http://{self.host}:{self.port}/status-json.xsl"

    def listen_url(self, mount: str) -> str:
        return f"http://{self.host}:{self.port}{mount}"


@dataclass(frozen=True)
class LiquidsoapConfig:
    """One Liquidsoap process: its stations, where it streams to and where it reports events.

    The server listens on ``socket_path`` (a unix socket, preferred) or, when that is None, on
    ``telnet_host:telnet_port``. Several processes may share the stations of one deployment;
    each needs its own config, socket and log. ``events_url`` receives JSON POSTs (see
    ``stations.render``) with ``Authorization: Bearer <events_token>``.
    """

    stations: tuple[StationStream, ...]
    icecast_password: str
    events_url: str
    events_token: str
    log_path: Path
    socket_path: Path | None = None
    socket_permissions: int = 0o660
    telnet_host: str = "127.0.0.1"
    telnet_port: int | None = None
    icecast_host: str = "127.0.0.1"
    icecast_port: int = 8000
    dead_air_s: float = 5.0
    blank_threshold_db: float = -40.0
    sample_rate: int = 24000
    events_timeout_ms: int = 2000
    server_timeout_s: float = 30.0
    log_level: int = 3
    allow_root: bool = False

    def __post_init__(self) -> None:
        if not self.stations:
            raise ValueError("a Liquidsoap process needs at least one station")
        seen: dict[str, str] = {}
        for station in self.stations:
            other = seen.setdefault(station.slug, station.code)
            if other != station.code:
                raise ValueError(
                    f"stations {other!r} and {station.code!r} share the id {station.slug!r}"
                )
        if len(self.stations) != len(seen):
            raise ValueError("a station appears twice")
        mounts = [s.mount for s in self.stations]
        if len(set(mounts)) != len(mounts):
            raise ValueError("two stations share one Icecast mount")
        check_password("Icecast source password", self.icecast_password)
        self._check_server()
        check_host("Icecast host", self.icecast_host)
        check_port("Icecast port", self.icecast_port)
        self._check_events()
        if not 0.5 <= self.dead_air_s <= 600:
            raise ValueError("dead air must be 0.5-600 s")
        if not -90 <= self.blank_threshold_db <= 0:
            raise ValueError("blank threshold must be -90..0 dB")
        if self.sample_rate not in (8000, 16000, 22050, 24000, 32000, 44100, 48000):
            raise ValueError(f"internal sample rate {self.sample_rate} Hz is not supported")
        if not 1 <= self.log_level <= 5:
            raise ValueError("Liquidsoap log level must be 1-5")
        if not 1 <= self.server_timeout_s <= 3600:
            raise ValueError("server timeout must be 1-3600 s")
        check_text("log path", str(self.log_path), max_len=4096)
        if not self.log_path.is_absolute():
            raise ValueError("log path must be absolute")

    def _check_server(self) -> None:
        if (self.socket_path is None) == (self.telnet_port is None):
            raise ValueError("give exactly one of socket_path and telnet_port")
        if self.socket_path is not None:
            text = str(self.socket_path)
            check_text("socket path", text, max_len=4096)
            if not self.socket_path.is_absolute():
                raise ValueError("socket path must be absolute")
            if len(text.encode()) > MAX_SOCKET_PATH:
                raise ValueError(f"socket path is longer than {MAX_SOCKET_PATH} bytes")
            if self.socket_permissions & 0o600 != 0o600 or not 0 < self.socket_permissions <= 0o777:
                raise ValueError("socket permissions must give the owner read and write")
        if self.telnet_port is not None:
            check_port("telnet port", self.telnet_port)
            check_host("telnet host", self.telnet_host)

    def _check_events(self) -> None:
        check_text("events URL", self.events_url, max_len=2000)
        parts = urlsplit(self.events_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"events URL {self.events_url!r} is not an http(s) URL")
        if " " in self.events_url:
            raise ValueError("events URL contains a space")
        if not TOKEN_RE.match(self.events_token):
            raise ValueError("events token must be 16-512 characters of [A-Za-z0-9._~+/=-]")
        if not 100 <= self.events_timeout_ms <= 60_000:
            raise ValueError("events timeout must be 100-60000 ms")

    @property
    def server_address(self) -> Path | tuple[str, int]:
        """What ``LiquidsoapClient`` connects to: the socket path or (host, port)."""
        if self.socket_path is not None:
            return self.socket_path
        assert self.telnet_port is not None
        return (self.telnet_host, self.telnet_port)

    def station(self, code: str) -> StationStream:
        for station in self.stations:
            if station.code == code:
                return station
        raise KeyError(code)
