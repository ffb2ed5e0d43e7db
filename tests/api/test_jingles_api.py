"""Jingles over HTTP: upload through the real chain, assign to a station, delete, refusals."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from media.loudness import scan
from media.store import MediaStore
from studio.audit import Actor
from studio.models import Jingle
from studio.settings import Settings
from studio.stations import issue_token
from tests.api.api_support import assert_problem
from tests.conftest import auth, require_binary
from tests.factories import World
from tests.jingles_support import (
    CHIME_S,
    chime_ogg,
    chime_wav,
    files_under,
    jingle_audit,
    jingle_rows,
)
from tests.media.sounds import lavfi
from tests.voices_support import ffprobe, offline, store_temp_files, stored_files, with_media

URL = "/api/v1/jingles"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return offline(settings)


@pytest.fixture(scope="module")
def sounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("jingles")
    wav = chime_wav(folder / "chime.wav")
    files = {
        "wav": wav,
        "ogg": chime_ogg(wav, folder / "chime.ogg"),
        "long": lavfi(folder / "long.wav", "sine=f=440:r=8000:d=31"),
        "blip": lavfi(folder / "blip.wav", "sine=f=440:r=24000:d=0.25"),
        "video": folder / "clip.mp4",
    }
    require_binary("ffmpeg")
    subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=d=2:s=64x48"]
        + ["-f", "lavfi", "-i", "sine=d=2", "-shortest", "-c:v", "mpeg4", "-c:a", "aac"]
        + [str(files["video"])],
        check=True,
    )
    files["text"] = folder / "nhac-hieu.mp3"
    files["text"].write_text("Đây là văn bản, không phải âm thanh.\n" * 40, encoding="utf-8")
    files["empty"] = folder / "empty.wav"
    files["empty"].touch()
    return files


def upload(
    client: TestClient, headers: dict[str, str], content: bytes, title: str | None = "Nhạc hiệu"
) -> Any:
    data = {} if title is None else {"title": title}
    return client.post(
        URL, files={"file": ("nhac-hieu.wav", content, "audio/wav")}, data=data, headers=headers
    )


def assert_nothing_kept(settings: Settings, engine: Engine) -> None:
    assert jingle_rows(engine) == []
    assert jingle_audit(engine) == []
    assert files_under(settings.work_dir) == []
    assert stored_files(settings.media_dir) == []
    assert store_temp_files(settings.media_dir) == []


@pytest.mark.parametrize("kind", ["wav", "ogg"])
def test_upload_processes_into_the_house_format(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    sounds: dict[str, Path],
    kind: str,
) -> None:
    response = upload(client, auth(world["admin"]), sounds[kind].read_bytes(), "  Nhạc  hiệu xã ")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["title"] == "Nhạc hiệu xã"
    assert set(body) == {
        "id",
        "title",
        "sha256",
        "size_bytes",
        "duration_ms",
        "loudness_lufs",
        "created_at",
    }

    store = MediaStore(settings.media_dir)
    assert store.verify(body["sha256"], "mp3")
    path = store.path_for(body["sha256"], "mp3")
    assert path.stat().st_size == body["size_bytes"]
    # The MP3 only: a FLAC master would have no row to be found by.
    assert stored_files(settings.media_dir) == [path]
    assert files_under(settings.work_dir) == []

    stream = ffprobe(path)["streams"][0]
    assert (stream["codec_name"], stream["sample_rate"], stream["channels"]) == ("mp3", "24000", 1)
    # Both seconds of silence trimmed (50 ms kept at each edge), and no pre-roll added.
    assert abs(body["duration_ms"] - (CHIME_S * 1000 + 100)) <= 80, body["duration_ms"]
    measured = scan(path, silence_threshold_db=-50.0, min_silence_s=0.05)
    assert measured.loudness is not None
    assert abs(measured.loudness.integrated_lufs - settings.media.target_lufs) <= 0.5
    assert measured.loudness.true_peak_dbtp <= settings.media.true_peak_dbtp
    assert abs(body["loudness_lufs"] - measured.loudness.integrated_lufs) <= 0.1
    # No 500 ms pre-roll: at most the 50 ms edge the trim keeps (plus MP3 encoder delay).
    leading = [s.end_s for s in measured.silences if s.start_s <= 0.01]
    assert all(end <= 0.12 for end in leading), measured.silences

    row = jingle_rows(engine)[0]
    assert (row.id, row.created_by_id) == (body["id"], world["admin"].id)
    assert jingle_audit(engine) == [("jingle.create", str(body["id"]), "admin")]


def test_assign_then_delete(
    client: TestClient, engine: Engine, settings: Settings, world: World, sounds: dict[str, Path]
) -> None:
    admin = auth(world["admin"])
    jingle_id = upload(client, admin, sounds["wav"].read_bytes()).json()["id"]
    sha256 = jingle_rows(engine)[0].sha256

    assigned = client.patch(
        "/api/v1/stations/sa",
        json={"opening_jingle_id": jingle_id, "closing_jingle_id": jingle_id},
        headers=admin,
    )
    assert assigned.status_code == 200, assigned.text
    station = client.get("/api/v1/stations/sa", headers=admin).json()
    assert (station["opening_jingle_id"], station["closing_jingle_id"]) == (jingle_id, jingle_id)

    refused = client.delete(f"{URL}/{jingle_id}", headers=admin)
    detail = assert_problem(refused, 409, "conflict")
    assert detail == (
        f"Nhạc hiệu {jingle_id} đang được dùng ở đài sa (mở đầu), sa (kết thúc); "
        "hãy bỏ gán trước khi xoá"
    )
    client.patch("/api/v1/stations/sa", json={"opening_jingle_id": None}, headers=admin)
    assert "sa (kết thúc)" in assert_problem(
        client.delete(f"{URL}/{jingle_id}", headers=admin), 409
    )
    client.patch("/api/v1/stations/sa", json={"closing_jingle_id": None}, headers=admin)

    deleted = client.delete(f"{URL}/{jingle_id}", headers=admin)
    assert deleted.status_code == 204, deleted.text
    assert_problem(client.get(f"{URL}/{jingle_id}", headers=admin), 404, "not_found")
    assert client.get(URL, headers=admin).json()["items"] == []
    assert jingle_rows(engine) == []
    # Programmes already published may still name the file: it stays in the store.
    assert MediaStore(settings.media_dir).verify(sha256, "mp3")
    assert jingle_audit(engine) == [
        ("jingle.create", str(jingle_id), "admin"),
        ("jingle.delete", str(jingle_id), "admin"),
    ]
    unknown = client.patch(
        "/api/v1/stations/sa", json={"opening_jingle_id": jingle_id}, headers=admin
    )
    assert assert_problem(unknown, 422) == f"Không tìm thấy nhạc hiệu {jingle_id}"


def test_list_and_get_for_staff(
    client: TestClient, session: Session, engine: Engine, world: World, sounds: dict[str, Path]
) -> None:
    admin = auth(world["admin"])
    first = upload(client, admin, sounds["wav"].read_bytes(), "Mở đầu").json()
    second = upload(client, admin, sounds["ogg"].read_bytes(), "Kết thúc").json()
    editor = auth(world["editor_b"])
    listed = client.get(URL, headers=editor).json()
    assert (listed["total"], [j["title"] for j in listed["items"]]) == (2, ["Mở đầu", "Kết thúc"])
    page = client.get(URL, params={"offset": 1, "limit": 1}, headers=editor).json()
    assert [j["id"] for j in page["items"]] == [second["id"]]
    assert client.get(f"{URL}/{first['id']}", headers=editor).json() == first
    assert_problem(client.get(f"{URL}/424242", headers=editor), 404)
    assert_problem(client.get(f"{URL}/0", headers=editor), 422)
    assert_problem(client.delete(f"{URL}/424242", headers=admin), 404)
    assert len(jingle_rows(engine)) == 2


def test_who_may_do_what(
    client: TestClient,
    session: Session,
    engine: Engine,
    settings: Settings,
    world: World,
    sounds: dict[str, Path],
) -> None:
    wav = sounds["wav"].read_bytes()
    assert_problem(upload(client, {}, wav), 401)
    assert_problem(client.get(URL), 401)
    assert_problem(client.get(f"{URL}/1"), 401)
    assert_problem(client.delete(f"{URL}/1"), 401)
    for role in ("editor_a", "approver_p"):
        detail = assert_problem(upload(client, auth(world[role]), wav), 403)
        assert detail == "Chức năng này dành cho vai trò: admin"
    _, plain = issue_token(session, Actor.system("test"), "sa", "loa")
    session.commit()
    station = {"Authorization": f"Bearer {plain}"}
    assert_problem(client.get(URL, headers=station), 403)
    assert_problem(upload(client, station, wav), 403)
    assert_nothing_kept(settings, engine)

    jingle_id = upload(client, auth(world["admin"]), wav).json()["id"]
    assert_problem(client.delete(f"{URL}/{jingle_id}", headers=auth(world["editor_a"])), 403)
    assert_problem(client.delete(f"{URL}/{jingle_id}", headers=station), 403)
    assert [j.id for j in jingle_rows(engine)] == [jingle_id]


@pytest.mark.parametrize(
    ("kind", "detail"),
    [
        ("text", "Tệp không phải âm thanh"),
        ("empty", "Tệp rỗng (0 byte)"),
        ("long", "Bản ghi dài 31 giây, vượt giới hạn 30 giây"),
        ("video", "Tệp có hình ảnh (video); chỉ nhận tệp âm thanh"),
        ("blip", "Âm thanh quá ngắn để chuẩn hoá (dưới 0,4 giây)"),
    ],
)
def test_bad_audio_is_refused_and_nothing_is_kept(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    sounds: dict[str, Path],
    kind: str,
    detail: str,
) -> None:
    response = upload(client, auth(world["admin"]), sounds[kind].read_bytes())
    assert assert_problem(response, 422, "invalid_input").startswith(detail)
    assert_nothing_kept(settings, engine)


@pytest.mark.parametrize(
    ("title", "detail"),
    [
        (None, "Dữ liệu không hợp lệ ở: title"),
        ("   ", "Nhạc hiệu cần có tên (title)"),
        ("x" * 201, "Dữ liệu không hợp lệ ở: title"),
    ],
)
def test_a_title_is_required(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    sounds: dict[str, Path],
    title: str | None,
    detail: str,
) -> None:
    response = upload(client, auth(world["admin"]), sounds["wav"].read_bytes(), title)
    assert assert_problem(response, 422).startswith(detail)
    assert_nothing_kept(settings, engine)


def test_missing_file_and_wrong_content_types(
    client: TestClient, engine: Engine, settings: Settings, world: World, sounds: dict[str, Path]
) -> None:
    admin = auth(world["admin"])
    no_file = client.post(URL, data={"title": "Nhạc hiệu"}, headers=admin)
    assert assert_problem(no_file, 422) == "Dữ liệu không hợp lệ ở: file"
    as_json = client.post(URL, json={"title": "Nhạc hiệu", "file": "x.wav"}, headers=admin)
    assert_problem(as_json, 422)
    raw = client.post(
        URL, content=sounds["wav"].read_bytes(), headers={**admin, "Content-Type": "audio/wav"}
    )
    assert_problem(raw, 422)
    assert_nothing_kept(settings, engine)


def test_oversized_uploads(
    engine: Engine, settings: Settings, world: World, sounds: dict[str, Path]
) -> None:
    small = with_media(settings, max_upload_bytes=20_000)
    wav = sounds["wav"].read_bytes()
    assert len(wav) > 20_000 + 64 * 1024  # over the multipart allowance: refused unread
    with TestClient(create_app(small)) as client:
        just_over = upload(client, auth(world["admin"]), b"\xff" * 30_000)
        far_over = upload(client, auth(world["admin"]), wav)
    assert assert_problem(just_over, 413) == "Tệp nhạc hiệu vượt quá giới hạn 20000 byte"
    assert "20000" not in assert_problem(far_over, 413)  # the body limit, with its allowance
    assert_nothing_kept(settings, engine)


def test_jingle_uploads_may_be_larger_than_other_bodies(
    engine: Engine, settings: Settings, world: World, sounds: dict[str, Path]
) -> None:
    wav = sounds["wav"].read_bytes()
    tight = settings.model_copy(
        update={"api": settings.api.model_copy(update={"max_body_bytes": 100_000})}
    )
    assert len(wav) > 100_000
    with TestClient(create_app(tight)) as client:
        response = upload(client, auth(world["admin"]), wav)
        other = client.post(
            "/api/v1/bulletins",
            content=b'{"title": "' + b"x" * len(wav) + b'"}',
            headers={**auth(world["admin"]), "Content-Type": "application/json"},
        )
    assert response.status_code == 201, response.text
    assert_problem(other, 413)
    with Session(engine) as fresh:
        assert fresh.get(Jingle, response.json()["id"]) is not None


def test_the_configured_chime_is_not_added(
    engine: Engine, settings: Settings, world: World, sounds: dict[str, Path]
) -> None:
    # Bulletin clips start with the chime; a jingle usually is the chime, and gets none.
    chiming = with_media(settings, chime=sounds["ogg"], preroll_ms=1000)
    with TestClient(create_app(chiming)) as client:
        response = upload(client, auth(world["admin"]), sounds["wav"].read_bytes())
    assert response.status_code == 201, response.text
    assert abs(response.json()["duration_ms"] - (CHIME_S * 1000 + 100)) <= 80
