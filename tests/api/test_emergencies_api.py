"""The emergency routes over HTTP: what a create, read and cancel answer, and bad input refused
with a Vietnamese problem and nothing written (no emergency, no audit row, no stored audio,
no upload left behind). No Liquidsoap runs: the pushes are refused and said so per station."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from studio.models import AuditEvent
from studio.onair_models import Emergency, EmergencyTarget
from studio.settings import Settings
from tests.api.api_support import API, assert_problem, wav_bytes
from tests.conftest import auth, require_binary
from tests.factories import World
from tests.stations.live import free_port
from tests.voices_support import KHMER_BODY, offline, stored_files, with_edge, with_media

URL = f"{API}/emergencies"
TEXT = "Khẩn cấp: nước lũ lên nhanh. Bà con vùng trũng di chuyển lên nơi cao."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return with_media(offline(settings), max_upload_bytes=200_000)


@pytest.fixture(autouse=True)
def _binaries() -> None:
    require_binary("espeak-ng")
    require_binary("ffmpeg")


def body(**overrides: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"text": TEXT, "target_station_codes": ["sa"]}
    out.update(overrides)
    return out


def written(engine: Engine, settings: Settings) -> tuple[int, int, int, int]:
    with Session(engine) as fresh:
        emergencies = fresh.exec(select(func.count()).select_from(Emergency)).one()
        audit = fresh.exec(select(func.count()).where(AuditEvent.entity_type == "emergency")).one()
    uploads = list(settings.work_dir.glob("*")) if settings.work_dir.exists() else []
    return emergencies, audit, len(stored_files(settings.media_dir)), len(uploads)


def test_create_read_list_and_cancel(client: TestClient, world: World) -> None:
    admin = auth(world["admin"])
    made = client.post(URL, json=body(title="Lũ", target_area_codes=["B"]), headers=admin)
    assert made.status_code == 201, made.text
    created = made.json()
    assert created["state"] == "active"
    assert created["cap_status"] == "Actual"
    assert created["engine"] == "espeak"
    assert created["title"] == "Lũ"
    assert created["audio_url"] == f"/api/v1/emergencies/{created['id']}/audio"
    assert created["target_count"] == 2
    assert [t["station_code"] for t in created["targets"]] == ["sa", "sb"]
    for target in created["targets"]:
        assert target["pushed_at"] is None
        assert target["error"].startswith("Không kết nối được Liquidsoap")

    editor = auth(world["editor_b"])
    listed = client.get(URL, headers=editor)
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()["items"]] == [created["id"]]
    assert listed.json()["items"][0]["targets"] is None
    one = client.get(f"{URL}/{created['id']}", headers=editor)
    assert one.status_code == 200
    assert one.json()["targets"] == created["targets"]

    audio = client.get(created["audio_url"], headers=editor)
    assert audio.status_code == 200
    assert audio.headers["content-type"] == "audio/mpeg"

    cancelled = client.post(f"{URL}/{created['id']}/cancel", headers=auth(world["approver_p"]))
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["state"] == "cancelled"
    assert cancelled.json()["cancelled_by"] == "approver_p"
    again = client.post(f"{URL}/{created['id']}/cancel", headers=admin)
    assert_problem(again, 409, "conflict")


def test_a_recording_upload(client: TestClient, world: World) -> None:
    files = {"file": ("canh-bao.wav", wav_bytes(2.0), "audio/wav")}
    form = {"target_station_codes": ["sa", "sb"], "cap_status": "Actual", "language": "km"}
    made = client.post(f"{URL}/audio", files=files, data=form, headers=auth(world["admin"]))
    assert made.status_code == 201, made.text
    assert made.json()["engine"] == "recording"
    assert made.json()["title"] == "canh-bao"
    assert made.json()["language"] == "km"
    assert made.json()["duration_ms"] > 2000  # with the chain's pre-roll
    assert made.json()["target_count"] == 2


def test_newest_first(client: TestClient, world: World) -> None:
    admin = auth(world["admin"])
    ids = [client.post(URL, json=body(text=f"Tin {n}."), headers=admin).json()["id"] for n in "12"]
    assert [e["id"] for e in client.get(URL, headers=admin).json()["items"]] == ids[::-1]


def refuse(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    response_of: Any,
    status: int,
    code: str | None = None,
) -> str:
    before = written(engine, settings)
    response: httpx.Response = response_of()
    detail = assert_problem(response, status, code)
    assert written(engine, settings) == before
    return detail


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": "  \n "}, "text"),
        ({"text": "a" * 5001}, "text"),
        ({"repeat": 0}, "repeat"),
        ({"repeat": 11}, "repeat"),
        ({"interval_s": -5}, "interval_s"),
        ({"expires_at": "2027-01-01T00:00:00"}, "expires_at"),
        ({"cap_status": "Draft"}, "cap_status"),
        ({"language": "en"}, "language"),
        ({"bulletin_id": 0}, "bulletin_id"),
        ({"stations": ["sa"]}, "stations"),
    ],
)
def test_bad_fields_are_422_naming_them(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    overrides: dict[str, Any],
    field: str,
) -> None:
    def send() -> httpx.Response:
        return client.post(URL, json=body(**overrides), headers=auth(world["admin"]))

    refuse(client, engine, settings, send, 422, "validation_failed")
    assert field in send().json()["detail"]


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"target_station_codes": ["nope"]}, "Không tìm thấy đài: nope"),
        ({"target_area_codes": ["ZZ"]}, "Không tìm thấy địa bàn: ZZ"),
        ({"target_station_codes": []}, "ít nhất một đài"),
        ({"expires_at": "2020-01-01T00:00:00+07:00"}, "đã qua"),
        ({"repeat": 2, "interval_s": 1}, "interval_s"),
        ({"cap_status": "Test"}, "accepts_tests"),
        ({"bulletin_id": 5}, "Cần đúng một nguồn"),
        ({"text": None}, "Cần đúng một nguồn"),
        ({"text": None, "bulletin_id": 999}, "Không tìm thấy bản tin 999"),
    ],
)
def test_impossible_requests_are_422_with_the_reason(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    overrides: dict[str, Any],
    words: str,
) -> None:
    def send() -> httpx.Response:
        return client.post(URL, json=body(**overrides), headers=auth(world["admin"]))

    assert words in refuse(client, engine, settings, send, 422, "invalid_input")


def test_khmer_text_without_edge_is_409_asking_for_a_recording(
    engine: Engine, settings: Settings, world: World
) -> None:
    from api.main import create_app

    closed = with_edge(settings, f"ws://127.0.0.1:{free_port()}/edge")
    with TestClient(create_app(closed)) as client:

        def send() -> httpx.Response:
            khmer = body(text=KHMER_BODY, language="km", target_station_codes=["sb"])
            return client.post(URL, json=khmer, headers=auth(world["admin"]))

        detail = refuse(client, engine, closed, send, 409, "needs_recording")
    assert "tiếng Khmer" in detail
    assert "/api/v1/emergencies/audio" in detail


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("ghi-chu.txt", b"khong phai am thanh", "Định dạng tệp .txt"),
        ("gia.mp3", b"khong phai am thanh" * 50, ""),
        ("trong.wav", wav_bytes(0.0), ""),
    ],
)
def test_uploads_that_are_not_audio_are_422(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    name: str,
    content: bytes,
    words: str,
) -> None:
    def send() -> httpx.Response:
        files = {"file": (name, content, "application/octet-stream")}
        form = {"target_station_codes": ["sa"]}
        return client.post(f"{URL}/audio", files=files, data=form, headers=auth(world["admin"]))

    assert words in refuse(client, engine, settings, send, 422, "invalid_input")


def test_an_oversized_upload_is_413(
    client: TestClient, engine: Engine, settings: Settings, world: World
) -> None:
    def send() -> httpx.Response:
        files = {"file": ("dai.wav", wav_bytes(10.0), "audio/wav")}  # 320 kB > 200 kB
        form = {"target_station_codes": ["sa"]}
        return client.post(f"{URL}/audio", files=files, data=form, headers=auth(world["admin"]))

    refuse(client, engine, settings, send, 413)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"target_station_codes": ["sa"], "repeat": "0"}, "repeat"),
        ({"target_station_codes": ["sa"], "repeat": "11"}, "repeat"),
        ({"target_station_codes": ["sa"], "interval_s": "-1"}, "interval_s"),
        ({"target_station_codes": ["sa"], "cap_status": "Nope"}, "cap_status"),
    ],
)
def test_bad_upload_fields_are_422(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    world: World,
    form: dict[str, Any],
    field: str,
) -> None:
    def send() -> httpx.Response:
        files = {"file": ("a.wav", wav_bytes(1.0), "audio/wav")}
        return client.post(f"{URL}/audio", files=files, data=form, headers=auth(world["admin"]))

    refuse(client, engine, settings, send, 422, "validation_failed")
    assert field in send().json()["detail"]


def test_unknown_emergency_is_404(client: TestClient, world: World) -> None:
    assert_problem(client.get(f"{URL}/999", headers=auth(world["admin"])), 404, "not_found")
    cancel = client.post(f"{URL}/999/cancel", headers=auth(world["admin"]))
    assert_problem(cancel, 404, "not_found")


def test_targets_rows_match_the_response(client: TestClient, engine: Engine, world: World) -> None:
    made = client.post(URL, json=body(), headers=auth(world["approver_a"])).json()
    with Session(engine) as fresh:
        rows = fresh.exec(select(EmergencyTarget)).all()
    assert [(r.emergency_id, r.station_id) for r in rows] == [(made["id"], world.stations["sa"].id)]
