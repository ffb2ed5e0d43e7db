"""Session files for store-and-forward endpoints, rendered from the current programme."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from media.probe import decoded_duration
from media.store import MediaStore
from studio import programmes
from studio.errors import InvalidInput
from studio.schedule_models import SessionAudio
from studio.session_render import render_day
from studio.settings import Settings
from tests.conftest import require_binary
from tests.factories import SYSTEM, World, clip_mp3
from tests.programmes.support import DAY, EVE, approved, two_sessions


@pytest.fixture(autouse=True)
def _ffmpeg() -> None:
    require_binary("ffmpeg")


def test_each_session_with_items_gets_a_file_as_long_as_its_plan(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    for n in range(5):
        approved(session, world, title=f"Tin {n}", media_dir=settings.media_dir)
    sa = world.stations["sa"]
    result = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    session.commit()

    files = render_day(session, settings, sa, DAY)
    session.commit()

    assert list(files) == ["Sáng"]  # the afternoon has nothing: no file
    morning = next(s for s in result.programme.sessions if s.name == "Sáng")
    items = [i for i in result.programme.items if i.session == "Sáng"]
    planned_ms = (items[-1].end - morning.start) // timedelta(milliseconds=1)
    audio = files["Sáng"]
    path = MediaStore(settings.media_dir).path_for(audio.sha256, "mp3")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == audio.sha256
    assert path.stat().st_size == audio.size_bytes
    assert abs(decoded_duration(path) * 1000 - planned_ms) <= 50
    assert abs(audio.duration_ms - planned_ms) <= 50

    manifest = programmes.manifest(
        session, settings, sa, programmes.require_current(session, sa, DAY), None
    )
    by_name = {s["name"]: s["audio"] for s in manifest["sessions"]}
    assert by_name["Chiều"] is None
    assert by_name["Sáng"] == {
        "url": f"{settings.public_base_url}/api/v1/media/{audio.sha256}.mp3",
        "sha256": audio.sha256,
        "size": audio.size_bytes,
        "duration_ms": audio.duration_ms,
    }


def test_an_unchanged_session_reuses_its_file_and_a_missing_clip_is_refused(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin có tệp", media_dir=settings.media_dir)
    sa = world.stations["sa"]
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    first = render_day(session, settings, sa, DAY)["Sáng"]
    session.commit()
    again = render_day(session, settings, sa, DAY)["Sáng"]
    assert again.id == first.id
    assert len(session.exec(select(SessionAudio)).all()) == 1

    sha = hashlib.sha256(clip_mp3()[0].read_bytes()).hexdigest()  # every test clip's content
    clip = MediaStore(settings.media_dir).path_for(sha, "mp3")
    clip.unlink()  # the clip file is lost from the store
    approved(session, world, title="Tin mới", duration_ms=2000)
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    session.commit()
    with pytest.raises(InvalidInput, match="Thiếu tệp âm thanh của «Tin có tệp»"):
        render_day(session, settings, sa, DAY)
    session.rollback()
    assert len(session.exec(select(SessionAudio)).all()) == 1
