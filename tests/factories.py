"""Plain factory functions that build real rows through the real services."""

from __future__ import annotations

import atexit
import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from media.probe import decoded_duration
from media.store import MediaStore
from studio import areas, bulletins, stations
from studio.audit import Actor, record
from studio.models import (
    Area,
    AreaCreate,
    Bulletin,
    BulletinCreate,
    Clip,
    Station,
    StationCreate,
    User,
    UserArea,
)
from studio.security import create_access_token, hash_password
from studio.types import AreaLevel, ClipSource, ClipStatus, Language, Role, utcnow

PASSWORD = "correct horse battery staple"
SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


@lru_cache(maxsize=1)
def password_hash() -> str:
    # argon2 is slow by design; one real hash serves every factory user.
    return hash_password(PASSWORD)


SYSTEM = Actor.system("test")


def make_area(
    session: Session,
    code: str,
    level: AreaLevel = AreaLevel.commune,
    parent: str | None = None,
    name: str | None = None,
) -> Area:
    return areas.create_area(
        session,
        SYSTEM,
        AreaCreate(code=code, name=name or f"Địa bàn {code}", level=level, parent_code=parent),
    )


def make_station(
    session: Session, code: str, area: str, languages: list[Language] | None = None
) -> Station:
    return stations.create_station(
        session,
        SYSTEM,
        StationCreate(
            code=code, name=f"Cụm loa {code}", area_code=area, languages=languages or [Language.vi]
        ),
    )


def make_user(
    session: Session, username: str, role: Role, area_codes: list[str] | None = None
) -> User:
    user = User(
        username=username, full_name=username.title(), password_hash=password_hash(), role=role
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    for code in area_codes or []:
        area = areas.get_area(session, code)
        assert area.id is not None
        session.add(UserArea(user_id=user.id, area_id=area.id))
    record(session, SYSTEM, "user.create", "user", user.id)
    session.flush()
    return user


def bulletin_data(**overrides: Any) -> BulletinCreate:
    data: dict[str, Any] = {
        "title": "Thông báo về tiêm chủng",
        "body": "UBND xã thông báo lịch tiêm chủng ngày 05/12/2026 lúc 7h30.",
        "language": "vi",
        "category": "health",
        "target_station_codes": ["sa"],
    }
    data.update(overrides)
    return BulletinCreate.model_validate(data)


def make_bulletin(session: Session, author: User, **overrides: Any) -> Bulletin:
    return bulletins.create_bulletin(session, Actor(user=author), bulletin_data(**overrides))


@lru_cache(maxsize=1)
def clip_mp3() -> tuple[Path, int]:
    """One real house-format MP3 (mono, 24 kHz, 48 kbit/s) made once per test session, and
    its decoded duration in ms, as the broadcast chain records it. Removed when the test process
    ends."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:  # imported late: conftest imports this module (and bench/ uses it too)
        from tests.conftest import require_binary

        ffmpeg = require_binary("ffmpeg")
    folder = Path(tempfile.mkdtemp(prefix="loa-clip-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    path = folder / "clip.mp3"
    subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=1"]
        + ["-ac", "1", "-ar", "24000", "-c:a", "libmp3lame", "-b:a", "48k", str(path)],
        check=True,
    )
    return path, round(decoded_duration(path) * 1000)


def make_ready_clip(session: Session, bulletin: Bulletin, media_dir: Path | None = None) -> Clip:
    """A ready espeak clip of the bulletin's current version, backed by a real MP3 (as a render
    would leave it). With `media_dir` (settings.media_dir) the file is put in that media store,
    so the API can serve the clip's audio."""
    source, duration_ms = clip_mp3()
    data = source.read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    if media_dir is not None:
        assert MediaStore(media_dir).put(source, "mp3").sha256 == sha256
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.tts,
        engine="espeak",
        voice="vi-vn-x-south",
        status=ClipStatus.ready,
        sha256=sha256,
        size_bytes=len(data),
        duration_ms=duration_ms,
        normalized_text=bulletin.body,
        finished_at=utcnow(),
    )
    session.add(clip)
    session.flush()
    return clip


def ready_clip_id(session: Session, bulletin_id: int) -> int:
    """The id of a ready clip of the bulletin's current version, made if there is none."""
    bulletin = session.get(Bulletin, bulletin_id)
    assert bulletin is not None
    existing = session.exec(
        select(Clip).where(
            Clip.bulletin_id == bulletin_id,
            Clip.bulletin_version == bulletin.version,
            Clip.status == ClipStatus.ready,
        )
    ).first()
    clip = existing or make_ready_clip(session, bulletin)
    assert clip.id is not None
    return clip.id


def submit_with_clip(session: Session, actor: Actor, bulletin_id: int, **kw: Any) -> Bulletin:
    """Give the current version a ready clip (as a render would), then submit it."""
    ready_clip_id(session, bulletin_id)
    return bulletins.submit(session, actor, bulletin_id, **kw)


def approve_with_clip(
    session: Session, actor: Actor, bulletin_id: int, version: int, **kw: Any
) -> Bulletin:
    """Approve naming a ready clip of the current version, as an approver who listened would."""
    kw.setdefault("clip_id", ready_clip_id(session, bulletin_id))
    return bulletins.approve(session, actor, bulletin_id, version, **kw)


def token_for(user: User) -> str:
    assert user.id is not None
    return create_access_token(user.id, SECRET, 60)


@dataclass
class World:
    """Province P with communes A (vi) and B (vi, km); a station in each; one user per role."""

    users: dict[str, User] = field(default_factory=dict)
    stations: dict[str, Station] = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]


def build_world(session: Session) -> World:
    world = World()
    make_area(session, "P", AreaLevel.province, name="Tỉnh Thử")
    make_area(session, "A", parent="P", name="Xã A")
    make_area(session, "B", parent="P", name="Xã B")
    world.stations["sa"] = make_station(session, "sa", "A")
    world.stations["sb"] = make_station(session, "sb", "B", [Language.vi, Language.km])
    world.stations["sp"] = make_station(session, "sp", "P", [Language.vi, Language.km])
    world.users["admin"] = make_user(session, "admin", Role.admin)
    world.users["editor_a"] = make_user(session, "editor_a", Role.editor, ["A"])
    world.users["editor_b"] = make_user(session, "editor_b", Role.editor, ["B"])
    world.users["approver_a"] = make_user(session, "approver_a", Role.approver, ["A"])
    world.users["approver_b"] = make_user(session, "approver_b", Role.approver, ["B"])
    world.users["approver_p"] = make_user(session, "approver_p", Role.approver, ["P"])
    session.commit()
    return world
