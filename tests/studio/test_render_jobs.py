"""The render queue end to end: bulletin text -> front-end -> engine chain -> clip chain -> store.

Real espeak-ng, ffmpeg and SQLite; edge-tts is the real client talking to the local fake server.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from media.loudness import measure
from studio import lexicon
from studio.audit import Actor
from studio.models import Clip, LexiconEntryCreate
from studio.render_jobs import MAX_ATTEMPTS, claim, process_queue, recover_interrupted
from studio.settings import Settings
from studio.types import ClipSource, ClipStatus, Language
from studio.voices import build_kit
from tests.conftest import require_binary
from tests.factories import World, make_bulletin
from tests.tts.edge_server import Mode, running
from tests.voices_support import (
    KHMER_BODY,
    KHMER_TITLE,
    NUMBERS_BODY,
    SHORT_BODY,
    SHORT_TITLE,
    audit_actions,
    clip_rows,
    ffprobe,
    offline,
    queue_render,
    reload,
    render_now,
    store_temp_files,
    stored_files,
    with_edge,
)


@pytest.fixture(autouse=True)
def _binaries() -> None:
    require_binary("espeak-ng")
    require_binary("ffmpeg")


def test_espeak_render_through_the_queue(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    settings = offline(settings)
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=NUMBERS_BODY)
    session.commit()
    assert bulletin.id is not None

    clip = render_now(session, engine, settings, world["editor_a"], bulletin.id)

    assert clip.status is ClipStatus.ready, clip.error
    assert clip.source is ClipSource.tts
    assert (clip.engine, clip.voice) == ("espeak", "vi-vn-x-south")
    assert clip.error == ""
    # The Southern voice reads 105 the Southern way; no digit is left for the engine to guess.
    assert not any(c.isdigit() for c in clip.normalized_text), clip.normalized_text
    assert "một trăm lẻ năm" in clip.normalized_text
    assert "bảo hiểm y tế" in clip.normalized_text
    assert clip.sha256 is not None
    assert clip.master_sha256 is not None
    assert clip.cache_key is not None
    assert len(clip.cache_key) == 64

    mp3 = settings.media_dir / clip.sha256[:2] / clip.sha256[2:4] / f"{clip.sha256}.mp3"
    flac = settings.media_dir / clip.master_sha256[:2] / clip.master_sha256[2:4]
    flac = flac / f"{clip.master_sha256}.flac"
    assert hashlib.sha256(mp3.read_bytes()).hexdigest() == clip.sha256
    assert hashlib.sha256(flac.read_bytes()).hexdigest() == clip.master_sha256
    assert clip.size_bytes == mp3.stat().st_size
    assert stored_files(settings.media_dir) == sorted([mp3, flac])
    assert store_temp_files(settings.media_dir) == []
    assert not (settings.work_dir / f"clip-{clip.id}").exists()

    info = ffprobe(mp3)
    (stream,) = info["streams"]
    assert stream["codec_name"] == "mp3"
    assert stream["channels"] == 1
    assert stream["sample_rate"] == "24000"
    assert stream["bit_rate"] == "48000"
    probed_ms = float(info["format"]["duration"]) * 1000
    assert clip.duration_ms is not None
    # The container estimate includes the encoder's delay and padding (a few 24 ms frames).
    assert abs(clip.duration_ms - probed_ms) <= 100, (clip.duration_ms, probed_ms)
    assert clip.duration_ms > 2000  # the whole text was spoken, not a fragment

    loudness = measure(mp3)
    assert abs(loudness.integrated_lufs - (-16.0)) <= 1.0, loudness
    assert loudness.true_peak_dbtp <= -1.5, loudness
    assert clip.loudness_lufs == pytest.approx(loudness.integrated_lufs, abs=0.1)
    assert clip.true_peak_dbtp is not None
    assert clip.true_peak_dbtp <= -1.5

    actions = audit_actions(engine, bulletin.id)
    assert "clip.render" in actions
    assert "clip.ready" in actions
    assert actions.index("clip.render") < actions.index("clip.ready")


@pytest.mark.parametrize(
    ("mode", "engine_name", "voice", "reading"),
    [
        ("ok", "edge", "vi-VN-HoaiMyNeural", "một trăm linh năm"),
        ("forbidden", "espeak", "vi-vn-x-south", "một trăm lẻ năm"),
    ],
)
def test_vietnamese_chain_edge_then_espeak(
    session: Session,
    engine: Engine,
    settings: Settings,
    world: World,
    mode: Mode,
    engine_name: str,
    voice: str,
    reading: str,
) -> None:
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=NUMBERS_BODY)
    session.commit()
    assert bulletin.id is not None
    with running(mode) as server:
        clip = render_now(
            session, engine, with_edge(settings, server.url), world["editor_a"], bulletin.id
        )
        received = server.received()
        handshakes = server.handshakes

    assert clip.status is ClipStatus.ready, clip.error
    assert (clip.engine, clip.voice) == (engine_name, voice)
    # The reading follows the voice that actually spoke: Northern edge, Southern espeak.
    assert reading in clip.normalized_text
    assert handshakes >= 1
    if mode == "ok":
        assert {r.voice for r in received} == {
            "Microsoft Server Speech Text to Speech Voice (vi-VN, HoaiMyNeural)"
        }
        assert reading in " ".join(r.text for r in received)
    else:
        assert received == []  # refused at the handshake; espeak read the whole text


def khmer_bulletin(session: Session, world: World) -> int:
    bulletin = make_bulletin(
        session,
        world["editor_b"],
        title=KHMER_TITLE,
        body=KHMER_BODY,
        language="km",
        target_station_codes=["sb"],
    )
    session.commit()
    assert bulletin.id is not None
    return bulletin.id


def test_khmer_with_edge_speaks_khmer(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    bulletin_id = khmer_bulletin(session, world)
    with running("ok") as server:
        clip = render_now(
            session, engine, with_edge(settings, server.url), world["editor_b"], bulletin_id
        )
        received = server.received()

    assert clip.status is ClipStatus.ready, clip.error
    assert (clip.engine, clip.voice) == ("edge", "km-KH-SreymomNeural")
    assert received
    assert all("km-KH" in r.voice for r in received)
    assert not any(c.isdigit() for c in clip.normalized_text), clip.normalized_text


@pytest.mark.parametrize("mode", ["forbidden", "silent"])
def test_khmer_without_edge_needs_a_recording(
    session: Session, engine: Engine, settings: Settings, world: World, mode: Mode
) -> None:
    bulletin_id = khmer_bulletin(session, world)
    # espeak in the Khmer chain too: it must be skipped, never read Khmer as Vietnamese.
    chains = {"vi": ["espeak"], "km": ["edge", "espeak"]}
    with running(mode) as server:
        configured = with_edge(settings, server.url, chains=chains, timeout_s=2)
        clip = render_now(session, engine, configured, world["editor_b"], bulletin_id)

    assert clip.status is ClipStatus.needs_recording
    assert "tiếng Khmer" in clip.error
    assert "cần bản ghi âm" in clip.error
    assert (clip.engine, clip.voice, clip.sha256) == ("", "", None)
    assert stored_files(configured.media_dir) == []
    assert "clip.needs_recording" in audit_actions(engine, bulletin_id)


def test_khmer_with_an_empty_chain_needs_a_recording(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    bulletin_id = khmer_bulletin(session, world)
    settings = offline(settings)
    clip = render_now(session, engine, settings, world["editor_b"], bulletin_id)
    assert clip.status is ClipStatus.needs_recording
    assert "tiếng Khmer" in clip.error
    assert (clip.engine, clip.voice, clip.sha256) == ("", "", None)
    assert stored_files(settings.media_dir) == []


def test_vietnamese_with_every_engine_failing_is_a_failed_clip(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    session.commit()
    assert bulletin.id is not None
    with running("forbidden") as server:
        configured = with_edge(settings, server.url, chains={"vi": ["edge"], "km": []})
        clip = render_now(session, engine, configured, world["editor_a"], bulletin.id)
    assert clip.status is ClipStatus.failed
    assert "403" in clip.error
    assert clip.sha256 is None
    assert stored_files(configured.media_dir) == []


# ------------------------------------------------------------------ cache
def test_identical_text_reuses_the_stored_clip_without_calling_the_engine(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    first = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    second = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    session.commit()
    assert first.id is not None
    assert second.id is not None
    with running("ok") as server:
        configured = with_edge(settings, server.url)
        one = render_now(session, engine, configured, world["editor_a"], first.id)
        calls = len(server.received())
        two = render_now(session, engine, configured, world["editor_a"], second.id)
        again = render_now(session, engine, configured, world["editor_a"], first.id)
        assert len(server.received()) == calls  # both served from the cache

    assert calls >= 1
    assert one.engine == two.engine == again.engine == "edge"
    assert one.status is two.status is again.status is ClipStatus.ready
    assert len({one.id, two.id, again.id}) == 3
    assert one.cache_key == two.cache_key == again.cache_key
    assert one.sha256 == two.sha256 == again.sha256
    assert (two.duration_ms, two.loudness_lufs) == (one.duration_ms, one.loudness_lufs)
    assert len(stored_files(configured.media_dir)) == 2  # one MP3, one master


def test_lexicon_changes_invalidate_the_cache_only_when_they_change_the_reading(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    settings = offline(settings)
    admin = Actor(user=world["admin"])
    bulletin = make_bulletin(
        session, world["editor_a"], title=SHORT_TITLE, body="Họp dân ở ấp Tà Pạ."
    )
    session.commit()
    assert bulletin.id is not None
    author = world["editor_a"]

    base = render_now(session, engine, settings, author, bulletin.id)
    # Entries that do not touch this text: another term, and this term for another area.
    lexicon.add_entry(
        session, admin, LexiconEntryCreate(language=Language.vi, term="Ô Lâm", reading="Ô Lum")
    )
    lexicon.add_entry(
        session,
        admin,
        LexiconEntryCreate(language=Language.vi, term="Tà Pạ", reading="Tà Pa Bê", area_code="B"),
    )
    session.commit()
    untouched = render_now(session, engine, settings, author, bulletin.id)
    lexicon.add_entry(
        session,
        admin,
        LexiconEntryCreate(language=Language.vi, term="Tà Pạ", reading="Tà Pạ A", area_code="A"),
    )
    session.commit()
    changed = render_now(session, engine, settings, author, bulletin.id)

    assert base.status is untouched.status is changed.status is ClipStatus.ready
    assert untouched.normalized_text == base.normalized_text
    assert untouched.cache_key == base.cache_key
    assert untouched.sha256 == base.sha256
    assert "Tà Pạ A" in changed.normalized_text
    assert changed.cache_key != base.cache_key
    assert changed.sha256 != base.sha256
    assert len(stored_files(settings.media_dir)) == 4


# ------------------------------------------------------------------ queue mechanics
def test_claim_is_exclusive_and_recovery_requeues_or_gives_up(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    kit = build_kit(offline(settings))
    first = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    second = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body="Họp tổ.")
    session.commit()
    assert first.id is not None
    assert second.id is not None
    one = queue_render(session, kit, world["editor_a"], first.id)
    two = queue_render(session, kit, world["editor_a"], second.id)

    assert claim(engine, two) == two
    assert claim(engine, two) is None  # already taken
    assert claim(engine) == one
    assert claim(engine) is None
    # A runner that is still within its time is left alone by the periodic sweep.
    assert recover_interrupted(engine, all_started=False) == []
    assert reload(engine, one).started_at is not None

    with Session(engine) as fresh:
        exhausted = fresh.get(Clip, two)
        assert exhausted is not None
        exhausted.attempts = MAX_ATTEMPTS
        fresh.add(exhausted)
        fresh.commit()
    assert recover_interrupted(engine) == [one]
    requeued, gave_up = reload(engine, one), reload(engine, two)
    assert (requeued.status, requeued.started_at, requeued.attempts) == (
        ClipStatus.rendering,
        None,
        1,
    )
    assert gave_up.status is ClipStatus.failed
    assert "gián đoạn" in gave_up.error
    assert audit_actions(engine, first.id).count("clip.recover") == 1


def test_identical_render_requests_share_one_queued_clip(
    session: Session, settings: Settings, world: World, engine: Engine
) -> None:
    kit = build_kit(offline(settings))
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    session.commit()
    assert bulletin.id is not None
    first = queue_render(session, kit, world["editor_a"], bulletin.id)
    assert queue_render(session, kit, world["editor_a"], bulletin.id) == first
    other = queue_render(session, kit, world["editor_a"], bulletin.id, rate_percent=-10)
    assert other != first
    assert [c.id for c in clip_rows(engine)] == [first, other]


# ------------------------------------------------------------------ crash safety
# About 70 s of speech: a render of a few seconds, long enough to be killed in the middle.
LONG_BODY = "\n\n".join(
    [
        "Ngày 20-5, Ban Dân tộc tỉnh tổ chức hội nghị tổng kết công tác giai đoạn 2019-2025. "
        "Bà con chú ý phòng chống bão lũ và theo dõi thông tin trên loa truyền thanh của xã."
    ]
    * 4
)


def _loa() -> str:
    path = Path(sys.executable).parent / "loa"
    assert path.is_file(), path
    return str(path)


def test_render_killed_midway_leaves_nothing_and_can_be_retried(
    session: Session, engine: Engine, settings: Settings, world: World, tmp_path: Path
) -> None:
    settings = offline(settings)
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=LONG_BODY)
    session.commit()
    assert bulletin.id is not None
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("LOA_")}
    env |= {
        "LOA_DATABASE_URL": settings.effective_database_url,
        "LOA_VAR_DIR": str(settings.var_dir),
        "LOA_TTS__CHAINS": '{"vi": ["espeak"], "km": []}',
    }
    log = tmp_path / "render.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [_loa(), "bulletin", "render", str(bulletin.id), "--as", "editor_a"],
            env=env,
            cwd=tmp_path,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its espeak-ng and ffmpeg children die with it
        )
    try:
        clip = _wait_until_started(engine, process, log)
        scratch = settings.work_dir / f"clip-{clip.id}"
        deadline = time.monotonic() + 30
        while not scratch.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, log.read_text()
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, log.read_text()
    assert scratch.is_dir()  # it died in the middle of the work

    killed = reload(engine, clip.id or 0)
    assert killed.status is ClipStatus.rendering
    assert killed.started_at is not None
    assert killed.sha256 is None
    assert [(c.status, c.sha256) for c in clip_rows(engine)] == [(ClipStatus.rendering, None)]
    # Nothing half-written at an address, and no temp file the store would keep forever.
    for path in stored_files(settings.media_dir):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.name.split(".")[0]
    assert store_temp_files(settings.media_dir) == []

    kit = build_kit(settings)
    assert recover_interrupted(engine) == [killed.id]
    assert process_queue(engine, kit) == [killed.id]
    done = reload(engine, killed.id or 0)
    assert done.status is ClipStatus.ready, done.error
    assert done.attempts == 2
    assert done.sha256 is not None
    assert kit.store.verify(done.sha256, "mp3")
    assert not scratch.exists()
    assert store_temp_files(settings.media_dir) == []


def _wait_until_started(engine: Engine, process: subprocess.Popen[bytes], log: Path) -> Clip:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        started = [c for c in clip_rows(engine) if c.started_at is not None]
        if started:
            return started[0]
        time.sleep(0.02)
    raise AssertionError(f"the render never started: {log.read_text()}")
