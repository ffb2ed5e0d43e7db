"""Clips over HTTP: queueing renders, uploading recordings, serving the audio with Range."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from studio import bulletins, clips
from studio.audit import Actor
from studio.render_jobs import process_queue
from studio.settings import Settings
from studio.stations import issue_token
from studio.types import ClipStatus, utcnow
from studio.voices import build_kit
from tests.conftest import auth
from tests.factories import SECRET, World, make_bulletin
from tests.media.sounds import convert, lavfi, speech
from tests.voices_support import (
    SHORT_BODY,
    SHORT_TITLE,
    clip_rows,
    offline,
    reload,
    store_temp_files,
    stored_files,
    with_media,
)

PROBLEM = "application/problem+json"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return offline(settings)


@pytest.fixture
def bulletin_id(session: Session, world: World) -> int:
    bulletin = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body=SHORT_BODY)
    session.commit()
    assert bulletin.id is not None
    return bulletin.id


def render(client: TestClient, bulletin_id: int, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"/api/v1/bulletins/{bulletin_id}/render", json=body, headers=headers)


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    detail: str = response.json()["detail"]
    return detail


# ------------------------------------------------------------------ render requests
def test_render_permissions_and_deduplication(
    client: TestClient, session: Session, engine: Engine, world: World, bulletin_id: int
) -> None:
    first = render(client, bulletin_id, auth(world["editor_a"]))
    assert first.status_code == 202, first.text
    body = first.json()
    assert (body["status"], body["source"], body["audio_url"]) == ("rendering", "tts", None)
    assert body["bulletin_version"] == 1

    # The same request while it waits: the same queued clip, not a second render.
    assert render(client, bulletin_id, auth(world["editor_a"])).json()["id"] == body["id"]
    covering = render(client, bulletin_id, auth(world["approver_p"]))
    assert covering.status_code == 202
    assert covering.json()["id"] == body["id"]
    slower = render(client, bulletin_id, auth(world["approver_a"]), rate_percent=-10)
    assert slower.status_code == 202
    assert slower.json()["id"] == body["id"] + 1  # another request: another clip

    assert "địa bàn" in problem(render(client, bulletin_id, auth(world["editor_b"])), 403)
    assert "địa bàn" in problem(render(client, bulletin_id, auth(world["approver_b"])), 403)
    problem(render(client, bulletin_id, {}), 401)
    _, plain = issue_token(session, Actor.system("test"), "sa", "loa")
    session.commit()
    problem(render(client, bulletin_id, {"Authorization": f"Bearer {plain}"}), 403)
    problem(render(client, 999_999, auth(world["admin"])), 404)
    assert [c.id for c in clip_rows(engine)] == [body["id"], body["id"] + 1]


@pytest.mark.parametrize(
    ("voice", "detail"),
    [
        ("vi-VN-Khong-Co", "Không có giọng đọc 'vi-VN-Khong-Co' cho tiếng Việt"),
        ("km-KH-SreymomNeural", "Không có giọng đọc 'km-KH-SreymomNeural' cho tiếng Việt"),
    ],
)
def test_render_with_an_unknown_voice(
    client: TestClient, engine: Engine, world: World, bulletin_id: int, voice: str, detail: str
) -> None:
    assert problem(render(client, bulletin_id, auth(world["editor_a"]), voice=voice), 422) == detail
    assert clip_rows(engine) == []


def test_render_then_listen(
    client: TestClient,
    session: Session,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
) -> None:
    editor = auth(world["editor_a"])
    clip_id = render(client, bulletin_id, editor, voice="vi").json()["id"]
    queued = client.get(f"/api/v1/clips/{clip_id}/audio", headers=editor)
    assert "chưa sẵn sàng" in problem(queued, 409)

    assert process_queue(engine, build_kit(settings)) == [clip_id]
    meta = client.get(f"/api/v1/clips/{clip_id}", headers=editor).json()
    assert (meta["status"], meta["engine"], meta["voice"]) == ("ready", "espeak", "vi")
    assert meta["normalized_text"] == "Tin xã.\n\nHọp dân lúc bảy giờ ba mươi phút."
    assert [
        c["id"] for c in client.get(f"/api/v1/bulletins/{bulletin_id}/clips", headers=editor).json()
    ] == [clip_id]
    stored = reload(engine, clip_id)
    assert stored.sha256 is not None
    data = build_kit(settings).store.path_for(stored.sha256, "mp3").read_bytes()
    assert meta["size_bytes"] == len(data)
    url = f"/api/v1/clips/{clip_id}/audio"

    whole = client.get(url, headers=editor)
    assert whole.status_code == 200
    assert whole.headers["content-type"] == "audio/mpeg"
    assert whole.content == data

    part = client.get(url, headers={**editor, "Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    assert part.content == data[100:1100]
    tail = client.get(url, headers={**editor, "Range": "bytes=-500"})
    assert (tail.status_code, tail.content) == (206, data[-500:])

    # The signed URL of the metadata plays in a browser <audio> element: no header needed.
    signed = meta["audio_url"]
    assert signed.startswith(f"{url}?exp=")
    assert client.get(signed).content == data
    tampered = signed[:-1] + ("0" if signed[-1] != "0" else "1")
    assert "hết hạn hoặc không hợp lệ" in problem(client.get(tampered), 403)
    another_clips = clips.signed_audio_query(SECRET, clip_id + 1, 5)
    problem(client.get(f"{url}?{another_clips}"), 403)
    expired = clips.signed_audio_query(SECRET, clip_id, 5, now=utcnow() - timedelta(minutes=10))
    assert "hết hạn" in problem(client.get(f"{url}?{expired}"), 403)

    problem(client.get(url), 401)
    problem(client.get(url, headers={"Authorization": "Bearer nonsense"}), 401)
    _, plain = issue_token(session, Actor.system("test"), "sa", "loa")
    session.commit()
    problem(client.get(url, headers={"Authorization": f"Bearer {plain}"}), 403)
    assert "địa bàn" in problem(client.get(url, headers=auth(world["editor_b"])), 403)
    problem(client.get(f"/api/v1/clips/{clip_id}", headers=auth(world["editor_b"])), 403)
    assert client.get(url, headers=auth(world["approver_p"])).content == data


def test_no_render_once_approved_or_withdrawn(
    client: TestClient,
    session: Session,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
) -> None:
    clip_id = render(client, bulletin_id, auth(world["editor_a"])).json()["id"]
    process_queue(engine, build_kit(settings))
    bulletins.submit(session, Actor(user=world["editor_a"]), bulletin_id)
    bulletins.approve(session, Actor(user=world["approver_a"]), bulletin_id, 1, clip_id=clip_id)
    session.commit()
    assert "bản nháp" in problem(render(client, bulletin_id, auth(world["editor_a"])), 409)

    other = make_bulletin(session, world["editor_a"], title=SHORT_TITLE, body="Họp tổ.")
    assert other.id is not None
    bulletins.withdraw(session, Actor(user=world["editor_a"]), other.id)
    session.commit()
    problem(render(client, other.id, auth(world["editor_a"])), 409)
    assert [c.id for c in clip_rows(engine)] == [clip_id]


# ------------------------------------------------------------------ recordings
@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A short spoken sentence in every accepted format, and the bad files, made once."""
    folder = tmp_path_factory.mktemp("recordings")
    voice = speech(folder / "voice.wav", "Bà con chú ý, sáng mai xã tổ chức tiêm chủng.")
    files = {
        "mp3": convert(voice, folder / "r.mp3", "-c:a", "libmp3lame", "-b:a", "64k"),
        "wav": convert(voice, folder / "r.wav", "-c:a", "pcm_s16le", "-ar", "44100"),
        "ogg": convert(voice, folder / "r.ogg", "-c:a", "libopus", "-b:a", "32k"),
        "m4a": convert(voice, folder / "r.m4a", "-c:a", "aac", "-b:a", "64k"),
        "flac": convert(voice, folder / "r.flac", "-c:a", "flac"),
        "silence": lavfi(folder / "quiet.mp3", "anoisesrc=r=24000:a=0.001:d=3", "-b:a", "48k"),
        "low_rate": lavfi(folder / "low.wav", "sine=f=440:r=4000:d=2"),
        # Two hours of 8 kHz silence: ~1.3 MB of FLAC, made in about half a second.
        "two_hours": lavfi(
            folder / "long.flac", "anullsrc=r=8000:cl=mono", "-t", "7200", "-c:a", "flac"
        ),
    }
    whole = files["mp3"].read_bytes()
    files["truncated"] = folder / "cut.mp3"
    files["truncated"].write_bytes(whole[: len(whole) // 2])
    files["text"] = folder / "ban-tin.mp3"
    files["text"].write_text("Thông báo: UBND xã họp lúc 8 giờ.\n" * 50, encoding="utf-8")
    files["empty"] = folder / "empty.mp3"
    files["empty"].touch()
    return files


def upload(client: TestClient, bulletin_id: int, user: Any, name: str, content: bytes) -> Any:
    return client.post(
        f"/api/v1/bulletins/{bulletin_id}/recording",
        files={"file": (name, content, "application/octet-stream")},
        headers=auth(user),
    )


def assert_nothing_kept(settings: Settings, engine: Engine) -> None:
    assert clip_rows(engine) == []
    work = settings.work_dir
    leftovers = sorted(p.name for p in work.rglob("*") if p.is_file()) if work.exists() else []
    assert leftovers == []  # neither the upload inbox nor a temp upload file
    assert stored_files(settings.media_dir) == []
    assert store_temp_files(settings.media_dir) == []


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("mp3", "ghi-am.mp3"),
        ("wav", "ghi-am.wav"),
        ("ogg", "ghi-am.ogg"),
        ("m4a", "ghi-am.m4a"),
        ("flac", "ghi-am.FLAC"),
    ],
)
def test_recording_accepted_then_processed(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
    recordings: dict[str, Path],
    kind: str,
    name: str,
) -> None:
    response = upload(client, bulletin_id, world["editor_a"], name, recordings[kind].read_bytes())
    assert response.status_code == 202, response.text
    body = response.json()
    assert (body["status"], body["source"], body["engine"]) == (
        "rendering",
        "recording",
        "recording",
    )
    inbox = settings.work_dir / "uploads"
    assert len(list(inbox.iterdir())) == 1

    assert process_queue(engine, build_kit(settings)) == [body["id"]]
    clip = reload(engine, body["id"])
    assert clip.status is ClipStatus.ready, clip.error
    assert (clip.source.value, clip.engine, clip.voice) == ("recording", "recording", "")
    assert clip.request["filename"] == name
    assert clip.request["upload"].endswith(Path(name).suffix.lower())
    assert "/" not in clip.request["upload"]  # resolved in the runner's own inbox
    assert clip.duration_ms is not None
    assert 2000 < clip.duration_ms < 6000
    assert clip.loudness_lufs is not None
    assert abs(clip.loudness_lufs + 16) <= 1
    assert clip.sha256 is not None
    assert build_kit(settings).store.verify(clip.sha256, "mp3")
    assert list(inbox.iterdir()) == []  # the upload is gone once it is in the store
    audio = client.get(f"/api/v1/clips/{clip.id}/audio", headers=auth(world["editor_a"]))
    assert audio.headers["content-type"] == "audio/mpeg"


def test_recording_the_chain_cannot_use_fails_with_a_reason(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
    tmp_path: Path,
) -> None:
    # A valid file, but a blip too short to measure loudness on: accepted, then failed.
    blip = lavfi(tmp_path / "blip.wav", "sine=f=440:r=24000:d=0.25")
    response = upload(client, bulletin_id, world["editor_a"], "blip.wav", blip.read_bytes())
    assert response.status_code == 202, response.text
    clip_id = response.json()["id"]

    assert process_queue(engine, build_kit(settings)) == [clip_id]
    meta = client.get(f"/api/v1/clips/{clip_id}", headers=auth(world["editor_a"])).json()
    assert (meta["status"], meta["audio_url"], meta["sha256"]) == ("failed", None, None)
    assert meta["error"] == "Âm thanh quá ngắn để chuẩn hoá (dưới 0,4 giây)"
    assert list((settings.work_dir / "uploads").iterdir()) == []
    assert stored_files(settings.media_dir) == []


@pytest.mark.parametrize(
    ("kind", "name", "detail"),
    [
        ("text", "ban-tin.mp3", "Tệp không phải âm thanh"),
        ("truncated", "cut.mp3", "Tệp âm thanh bị cắt cụt"),
        ("empty", "empty.mp3", "Tệp rỗng (0 byte)"),
        ("silence", "quiet.mp3", "Bản ghi toàn im lặng"),
        ("low_rate", "low.wav", "Tần số lấy mẫu 4000 Hz quá thấp (tối thiểu 8000 Hz)"),
        ("two_hours", "long.flac", "Bản ghi dài 7200 giây, vượt giới hạn 900 giây"),
        ("mp3", "ghi-am.exe", "Định dạng tệp .exe không được hỗ trợ"),
        ("mp3", "ghi-am", "Định dạng tệp (không có đuôi) không được hỗ trợ"),
    ],
)
def test_bad_recordings_are_refused_and_nothing_is_kept(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
    recordings: dict[str, Path],
    kind: str,
    name: str,
    detail: str,
) -> None:
    response = upload(client, bulletin_id, world["editor_a"], name, recordings[kind].read_bytes())
    assert problem(response, 422).startswith(detail)
    assert_nothing_kept(settings, engine)


def test_recording_over_the_duration_limit(
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
    recordings: dict[str, Path],
) -> None:
    strict = with_media(settings, max_recording_s=1.5)
    with TestClient(create_app(strict)) as client:
        response = upload(
            client, bulletin_id, world["editor_a"], "r.wav", recordings["wav"].read_bytes()
        )
    assert "vượt giới hạn 1.5 giây" in problem(response, 422)
    assert_nothing_kept(settings, engine)


def test_oversized_and_malformed_uploads(
    engine: Engine, settings: Settings, world: World, bulletin_id: int, recordings: dict[str, Path]
) -> None:
    small = with_media(settings, max_upload_bytes=20_000)
    wav = recordings["wav"].read_bytes()
    assert len(wav) > 100_000  # over the multipart allowance too: refused before it is read
    with TestClient(create_app(small)) as client:
        just_over = upload(client, bulletin_id, world["editor_a"], "r.mp3", b"\xff" * 30_000)
        far_over = upload(client, bulletin_id, world["editor_a"], "r.wav", wav)
        json_body = client.post(
            f"/api/v1/bulletins/{bulletin_id}/recording",
            json={"file": "r.mp3"},
            headers=auth(world["editor_a"]),
        )
        raw = client.post(
            f"/api/v1/bulletins/{bulletin_id}/recording",
            content=recordings["mp3"].read_bytes(),
            headers={**auth(world["editor_a"]), "Content-Type": "audio/mpeg"},
        )
    assert "20000 byte" in problem(just_over, 413)
    assert "byte" in problem(far_over, 413)
    problem(json_body, 422)
    problem(raw, 422)
    assert_nothing_kept(settings, engine)


def test_recording_from_a_stranger_or_for_an_unknown_bulletin(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    bulletin_id: int,
    recordings: dict[str, Path],
) -> None:
    mp3 = recordings["mp3"].read_bytes()
    assert "địa bàn" in problem(upload(client, bulletin_id, world["editor_b"], "r.mp3", mp3), 403)
    problem(upload(client, 424_242, world["admin"], "r.mp3", mp3), 404)
    anonymous = client.post(
        f"/api/v1/bulletins/{bulletin_id}/recording", files={"file": ("r.mp3", mp3, "audio/mpeg")}
    )
    problem(anonymous, 401)
    assert_nothing_kept(settings, engine)


def test_lavfi_sources_exist() -> None:
    # The fixtures above rely on ffmpeg's lavfi sources and encoders being built in.
    result = subprocess.run(
        ["ffmpeg", "-hide_banner", "-encoders"], check=True, capture_output=True, text=True
    )
    for encoder in ("libmp3lame", "libopus", "aac", "flac"):
        assert encoder in result.stdout
