"""Secrets of the streaming stack, generated once per deployment and kept in var/onair.

Icecast's source and admin passwords and the token Liquidsoap presents when it reports track
and dead-air events to the API. Never the Icecast defaults; readable by the owner only. Every
process of the deployment (API workers, scheduler, `loa run`) reads the same file.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path

from studio.settings import Settings

FILE_NAME = "secrets.json"


@dataclass(frozen=True)
class OnAirSecrets:
    icecast_source_password: str
    icecast_admin_password: str
    events_token: str


def _new() -> OnAirSecrets:
    return OnAirSecrets(
        icecast_source_password=secrets.token_urlsafe(24),
        icecast_admin_password=secrets.token_urlsafe(24),
        events_token=secrets.token_urlsafe(32),
    )


def secrets_path(settings: Settings) -> Path:
    return settings.onair_dir / FILE_NAME


def load_or_create(settings: Settings) -> OnAirSecrets:
    """The deployment's secrets; made on first use (atomically: concurrent first users agree,
    the first rename wins and the others read it)."""
    path = secrets_path(settings)
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(asdict(_new()), f)
            f.flush()
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)  # fails if another process made it first: theirs wins
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> OnAirSecrets:
    data = json.loads(path.read_text(encoding="utf-8"))
    return OnAirSecrets(
        icecast_source_password=str(data["icecast_source_password"]),
        icecast_admin_password=str(data["icecast_admin_password"]),
        events_token=str(data["events_token"]),
    )
