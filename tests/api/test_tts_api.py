"""What a voice will read (preview), which voices exist, and the pronunciation lexicon API."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.main import create_app
from studio.audit import Actor
from studio.models import AuditEvent
from studio.settings import Settings
from studio.stations import issue_token
from tests.conftest import auth
from tests.factories import World
from tests.tts.edge_server import running
from tests.voices_support import offline, with_edge
from tts.frontend import FRONTEND_VERSION

PROBLEM = "application/problem+json"
KHMER_DIGITS = set("០១២៣៤៥៦៧៨៩")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return offline(settings)


def preview(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post("/api/v1/tts/preview", json=body, headers=headers)


def problem(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    detail: str = response.json()["detail"]
    return detail


# ------------------------------------------------------------------ preview
@pytest.mark.parametrize(
    ("text", "voice", "region", "expected"),
    [
        (
            "Ngày 20-5, UBND xã có 105 hộ.",
            "vi-vn-x-south",
            "south",
            "Ngày hai mươi tháng năm, ủy ban nhân dân xã có một trăm lẻ năm hộ.",
        ),
        (
            "Ngày 20-5, UBND xã có 105 hộ.",
            "vi",
            "north",
            "Ngày hai mươi tháng năm, ủy ban nhân dân xã có một trăm linh năm hộ.",
        ),
        (
            "90% ĐBDTTS có BHYT.",
            None,  # the first voice of the offline chain: espeak's Southern default
            "south",
            "Chín mươi phần trăm đồng bào dân tộc thiểu số có bảo hiểm y tế.",
        ),
        (
            "Họp lúc 7h30 ngày 05/12/2026.",
            "vi",
            "north",
            "Họp lúc bảy giờ ba mươi phút ngày năm tháng mười hai năm hai nghìn không trăm hai "
            "mươi sáu.",
        ),
    ],
)
def test_preview_vietnamese(
    client: TestClient, world: World, text: str, voice: str | None, region: str, expected: str
) -> None:
    body: dict[str, Any] = {"text": text, "language": "vi"}
    if voice is not None:
        body["voice"] = voice
    response = preview(client, auth(world["editor_a"]), **body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["language"], result["region"], result["text"]) == ("vi", region, expected)
    assert result["segments"] == [{"text": expected, "pause_after_ms": 0}]
    assert result["frontend_version"] == FRONTEND_VERSION


def test_preview_segments_pause_longer_between_paragraphs(client: TestClient, world: World) -> None:
    text = "Tin xã. Họp dân lúc 7h30.\n\nBà con chú ý."
    result = preview(client, auth(world["editor_a"]), text=text, language="vi").json()
    assert result["segments"] == [
        {"text": "Tin xã.", "pause_after_ms": 350},
        {"text": "Họp dân lúc bảy giờ ba mươi phút.", "pause_after_ms": 700},
        {"text": "Bà con chú ý.", "pause_after_ms": 0},
    ]


def test_preview_khmer_reads_the_digits(client: TestClient, world: World) -> None:
    text = "ថ្ងៃទី ២០ ខែឧសភា មាន ១០៥ គ្រួសារ និង 30 នាក់។"
    response = preview(client, auth(world["editor_b"]), text=text, language="km")
    assert response.status_code == 200, response.text
    spoken = response.json()["text"]
    assert spoken
    assert not KHMER_DIGITS & set(spoken), spoken
    assert not any(c.isdigit() for c in spoken), spoken


def test_preview_applies_the_lexicon_of_the_area(client: TestClient, world: World) -> None:
    admin = auth(world["admin"])
    assert (
        client.post(
            "/api/v1/lexicon",
            json={"language": "vi", "term": "Tà Pạ", "reading": "Tà Pa chung"},
            headers=admin,
        ).status_code
        == 201
    )
    assert (
        client.post(
            "/api/v1/lexicon",
            json={"language": "vi", "term": "Tà Pạ", "reading": "Tà Pa xã A", "area_code": "A"},
            headers=admin,
        ).status_code
        == 201
    )
    editor = auth(world["editor_a"])

    def read(**extra: Any) -> str:
        response = preview(client, editor, text="Ấp Tà Pạ có 105 hộ.", language="vi", **extra)
        assert response.status_code == 200, response.text
        text: str = response.json()["text"]
        return text

    assert read(area_code="A") == "Ấp Tà Pa xã A có một trăm lẻ năm hộ."
    assert read(area_code="B") == "Ấp Tà Pa chung có một trăm lẻ năm hộ."
    assert read() == "Ấp Tà Pa chung có một trăm lẻ năm hộ."
    problem(preview(client, editor, text="Tà Pạ", language="vi", area_code="KHONG-CO"), 404)


def test_preview_refusals(client: TestClient, session: Session, world: World) -> None:
    editor = auth(world["editor_a"])
    problem(preview(client, editor, text="Xin chào.", language="en"), 422)
    assert problem(
        preview(client, editor, text="Xin chào.", language="vi", voice="xx-XX"), 422
    ) == ("Không có giọng đọc 'xx-XX' cho tiếng Việt")
    problem(preview(client, editor, text="", language="vi"), 422)
    problem(preview(client, editor, language="vi"), 422)
    problem(preview(client, {}, text="Xin chào.", language="vi"), 401)
    _, plain = issue_token(session, Actor.system("test"), "sa", "loa")
    session.commit()
    station = {"Authorization": f"Bearer {plain}"}
    problem(preview(client, station, text="Xin chào.", language="vi"), 403)


# ------------------------------------------------------------------ voices
def test_voices_follow_the_configured_chains(client: TestClient, world: World) -> None:
    offline_voices = client.get("/api/v1/tts/voices", headers=auth(world["editor_a"]))
    assert offline_voices.status_code == 200
    assert [(v["engine"], v["id"], v["language"]) for v in offline_voices.json()] == [
        ("espeak", "vi", "vi"),
        ("espeak", "vi-vn-x-central", "vi"),
        ("espeak", "vi-vn-x-south", "vi"),
    ]
    problem(client.get("/api/v1/tts/voices"), 401)


def test_voices_and_default_region_with_edge_in_the_chain(settings: Settings, world: World) -> None:
    with running("ok") as server:
        with TestClient(create_app(with_edge(settings, server.url))) as client:
            listed = client.get("/api/v1/tts/voices", headers=auth(world["editor_a"])).json()
            default = preview(client, auth(world["editor_a"]), text="Có 105 hộ.", language="vi")
            wrong_language = preview(
                client,
                auth(world["editor_a"]),
                text="Có 105 hộ.",
                language="vi",
                voice="km-KH-SreymomNeural",
            )
        assert server.handshakes == 0  # listing and previewing never call the service
    ids = [(v["engine"], v["id"]) for v in listed]
    assert ids[:2] == [("edge", "vi-VN-HoaiMyNeural"), ("edge", "vi-VN-NamMinhNeural")]
    assert ("espeak", "vi-vn-x-south") in ids
    assert [v["id"] for v in listed if v["language"] == "km"] == [
        "km-KH-SreymomNeural",
        "km-KH-PisethNeural",
    ]
    assert {v["gender"] for v in listed} == {"female", "male"}
    # The preferred edge voice is Northern: 105 reads "linh".
    assert default.json()["region"] == "north"
    assert default.json()["text"] == "Có một trăm linh năm hộ."
    assert problem(wrong_language, 422) == "Không có giọng đọc 'km-KH-SreymomNeural' cho tiếng Việt"


# ------------------------------------------------------------------ lexicon
def test_lexicon_admin_add_list_delete_audited(
    client: TestClient, session: Session, world: World
) -> None:
    admin = auth(world["admin"])
    created = client.post(
        "/api/v1/lexicon",
        json={"language": "vi", "term": "  Ba   Chúc ", "reading": "Ba Chúc", "area_code": "A"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry == {
        "id": entry["id"],
        "language": "vi",
        "term": "Ba Chúc",
        "reading": "Ba Chúc",
        "area_code": "A",
    }
    khmer = client.post(
        "/api/v1/lexicon", json={"language": "km", "term": "ស្រុក", "reading": "ស្រុក"}, headers=admin
    ).json()

    editor = auth(world["editor_a"])
    listed = client.get("/api/v1/lexicon", headers=editor)
    assert listed.status_code == 200
    assert [e["id"] for e in listed.json()] == [entry["id"], khmer["id"]]
    assert [e["id"] for e in client.get("/api/v1/lexicon?language=km", headers=editor).json()] == [
        khmer["id"]
    ]
    assert [e["id"] for e in client.get("/api/v1/lexicon?area=A", headers=editor).json()] == [
        entry["id"]
    ]
    problem(client.get("/api/v1/lexicon?area=KHONG-CO", headers=editor), 404)

    assert "Ba Chúc" in problem(
        client.post(
            "/api/v1/lexicon",
            json={"language": "vi", "term": "Ba Chúc", "reading": "khác", "area_code": "A"},
            headers=admin,
        ),
        409,
    )
    problem(
        client.post(
            "/api/v1/lexicon",
            json={"language": "vi", "term": "X", "reading": "ích"},
            headers=editor,
        ),
        403,
    )
    problem(client.delete(f"/api/v1/lexicon/{entry['id']}", headers=editor), 403)
    problem(
        client.post(
            "/api/v1/lexicon", json={"language": "vi", "term": " ", "reading": "x"}, headers=admin
        ),
        422,
    )
    problem(
        client.post(
            "/api/v1/lexicon",
            json={"language": "vi", "term": "Y", "reading": "y", "area_code": "KHONG-CO"},
            headers=admin,
        ),
        404,
    )

    deleted = client.delete(f"/api/v1/lexicon/{entry['id']}", headers=admin)
    assert (deleted.status_code, deleted.content) == (204, b"")
    problem(client.delete(f"/api/v1/lexicon/{entry['id']}", headers=admin), 404)
    assert [e["id"] for e in client.get("/api/v1/lexicon", headers=editor).json()] == [khmer["id"]]

    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "lexicon").order_by(col(AuditEvent.id))
    ).all()
    assert [(e.action, e.entity_id, e.actor_id, e.via) for e in events] == [
        ("lexicon.add", str(entry["id"]), world["admin"].id, "api"),
        ("lexicon.add", str(khmer["id"]), world["admin"].id, "api"),
        ("lexicon.delete", str(entry["id"]), world["admin"].id, "api"),
    ]
