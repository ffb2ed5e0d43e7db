"""Bad input on every write route: a clear Vietnamese problem, never a 500, nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import time
from pathlib import Path
from typing import Any, Protocol

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from api.main import create_app
from studio import migrate, windows
from studio.audit import Actor
from studio.db import make_engine
from studio.onair_models import AsRun, EndpointStatus, OnAirAlert
from studio.onair_secrets import load_or_create
from studio.schedule_models import WindowCreate
from studio.settings import Environment, Settings
from tests import pg
from tests.api.api_support import API, assert_problem, bulletin_body, counts, wav_bytes
from tests.conftest import auth
from tests.factories import (
    PASSWORD,
    SECRET,
    SYSTEM,
    World,
    build_world,
    make_bulletin,
    submit_with_clip,
)
from tests.voices_support import offline, with_media

SQL = "'; DROP TABLE bulletin; --"
TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # A small upload limit so that a 10 MB recording is over it too.
    return with_media(offline(settings), max_upload_bytes=2_000_000)


@dataclass
class Target:
    """The ids a route needs: a draft and a submitted bulletin by editor_a, for station sa, and
    a broadcast window of commune A."""

    draft: int
    submitted: int
    editor_b: int
    window: int


@pytest.fixture
def target(session: Session, world: World) -> Target:
    draft = make_bulletin(session, world["editor_a"])
    submitted = make_bulletin(session, world["editor_a"], title="Tin chờ duyệt")
    session.flush()
    assert draft.id is not None
    assert submitted.id is not None
    submit_with_clip(session, Actor(user=world["editor_a"]), submitted.id)
    window = windows.create_window(
        session,
        SYSTEM,
        windows.owner_of(session, "area", "A"),
        WindowCreate(name="Sáng", start_time=time(5, 30), length_minutes=30),
    )
    session.commit()
    assert world["editor_b"].id is not None
    assert window.id is not None
    return Target(draft.id, submitted.id, world["editor_b"].id, window.id)


@pytest.fixture
def admin(world: World) -> dict[str, str]:
    return auth(world["admin"])


class Refuse(Protocol):
    def __call__(
        self, method: str, url: str, status: int, code: str | None = None, **kw: Any
    ) -> httpx.Response: ...


@pytest.fixture
def refused(client: TestClient, engine: Engine, admin: dict[str, str]) -> Refuse:
    """Send a request that must be refused; check the problem and that nothing was written."""

    def send(
        method: str, url: str, status: int, code: str | None = None, **kw: Any
    ) -> httpx.Response:
        before = counts(engine)
        headers = {**admin, **kw.pop("headers", {})}
        response: httpx.Response = client.request(method, url, headers=headers, **kw)
        assert_problem(response, status, code)
        assert counts(engine) == before, f"{method} {url} wrote something"
        return response

    return send


# ------------------------------------------------------------------ routes that write
JSON_WRITES: list[tuple[str, str]] = [
    ("POST", "/users"),
    ("PATCH", "/users/{editor_b}"),
    ("POST", "/areas"),
    ("PATCH", "/areas/A"),
    ("POST", "/stations"),
    ("PATCH", "/stations/sa"),
    ("POST", "/stations/sa/tokens"),
    ("POST", "/bulletins"),
    ("PATCH", "/bulletins/{draft}"),
    ("POST", "/bulletins/{submitted}/approve"),
    ("POST", "/bulletins/{submitted}/reject"),
    ("POST", "/bulletins/{draft}/withdraw"),
    ("POST", "/bulletins/{draft}/render"),
    ("POST", "/tts/preview"),
    ("POST", "/lexicon"),
    ("POST", "/stations/sa/windows"),
    ("POST", "/areas/A/windows"),
    ("PATCH", "/windows/{window}"),
    ("POST", "/stations/sa/window-exceptions"),
    ("POST", "/areas/A/window-exceptions"),
    # On air: the body is refused before anyone's credentials are looked at.
    ("POST", "/internal/onair/events"),
    ("POST", "/endpoint/heartbeat"),
    ("POST", "/endpoint/played"),
    ("POST", "/alerts/1/resolve"),
]
OTHER_WRITES: list[tuple[str, str]] = [
    ("POST", "/auth/token"),
    ("POST", "/bulletins/{draft}/recording"),
    ("POST", "/bulletins/{draft}/submit"),
    ("DELETE", "/areas/B"),
    ("DELETE", "/stations/sb"),
    ("DELETE", "/stations/sa/tokens/1"),
    ("DELETE", "/lexicon/1"),
    ("DELETE", "/windows/{window}"),
    ("DELETE", "/window-exceptions/1"),
    ("POST", "/stations/sa/programme/build"),
]


def url(template: str, target: Target) -> str:
    return API + template.format(
        draft=target.draft,
        submitted=target.submitted,
        editor_b=target.editor_b,
        window=target.window,
    )


@pytest.mark.parametrize(("method", "path"), JSON_WRITES + OTHER_WRITES)
def test_a_10_mb_body_is_413_before_anything_reads_it(
    refused: Refuse, target: Target, method: str, path: str
) -> None:
    body = b"{" + b" " * TEN_MB + b"}"
    detail = refused(
        method,
        url(path, target),
        413,
        "too_large",
        content=body,
        headers={"content-type": "application/json"},
    ).json()["detail"]
    assert "vượt quá giới hạn" in detail


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/bulletins"), ("PATCH", "/users/{editor_b}")]
)
def test_a_10_mb_body_without_a_length_is_413_too(
    refused: Refuse, target: Target, method: str, path: str
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"title": "'
        for _ in range(10):
            yield b"a" * 1024 * 1024
        yield b'"}'

    refused(
        method,
        url(path, target),
        413,
        "too_large",
        content=chunks(),
        headers={"content-type": "application/json"},
    )


def test_a_10_mb_recording_is_413(refused: Refuse, target: Target) -> None:
    files = {"file": ("lon.wav", b"\0" * TEN_MB, "audio/wav")}
    refused("POST", url("/bulletins/{draft}/recording", target), 413, "too_large", files=files)


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_invalid_utf8_is_400(refused: Refuse, target: Target, method: str, path: str) -> None:
    body = b'{"title": "Th\xf4ng b\xe1o", "name": "\xff\xfe"}'  # Latin-1, not UTF-8
    detail = refused(
        method,
        url(path, target),
        400,
        content=body,
        headers={"content-type": "application/json"},
    ).json()["detail"]
    assert detail in (
        "Không đọc được nội dung yêu cầu (JSON hoặc UTF-8 sai)",
        "Nội dung yêu cầu không phải JSON hợp lệ",
    )


@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_malformed_json_is_400(refused: Refuse, target: Target, method: str, path: str) -> None:
    for body in (b'{"title": ', b"{'title': 'x'}", b'{"a": 1,}', b"NaN]"):
        refused(
            method,
            url(path, target),
            400,
            "malformed_json",
            content=body,
            headers={"content-type": "application/json"},
        )


# ------------------------------------------------------------------ missing and wrong fields
def _fields(response: httpx.Response) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/users", {"username", "password", "role"}),
        ("/areas", {"code", "name", "level"}),
        ("/stations", {"code", "name", "area_code"}),
        ("/bulletins", {"title", "body", "language"}),
        ("/bulletins/{submitted}/approve", {"version"}),
        ("/bulletins/{submitted}/reject", {"version", "reason"}),
        ("/tts/preview", {"text", "language"}),
        ("/lexicon", {"language", "term", "reading"}),
        ("/stations/sa/windows", {"name", "start_time", "length_minutes"}),
        ("/areas/A/windows", {"name", "start_time", "length_minutes"}),
        ("/stations/sa/window-exceptions", {"kind", "name", "first_day"}),
        ("/areas/A/window-exceptions", {"kind", "name", "first_day"}),
    ],
)
def test_missing_fields_are_named(
    refused: Refuse, target: Target, path: str, fields: set[str]
) -> None:
    response = refused("POST", url(path, target), 422, "validation_failed", json={})
    assert _fields(response) == fields
    for field in fields:
        assert field in response.json()["detail"]


@pytest.mark.parametrize(
    "path",
    ["/users", "/bulletins", "/bulletins/{submitted}/approve", "/bulletins/{draft}/withdraw"],
)
def test_no_body_at_all_is_422(refused: Refuse, target: Target, path: str) -> None:
    refused("POST", url(path, target), 422, "validation_failed")


def test_login_without_fields_is_422(refused: Refuse) -> None:
    response = refused("POST", f"{API}/auth/token", 422, "validation_failed", data={})
    assert _fields(response) == {"username", "password"}


WINDOW = {"name": "Trưa", "start_time": "11:00", "length_minutes": 15}
DROP = {"kind": "drop", "name": "Sáng", "first_day": "2027-03-10"}
WRONG_VALUES: list[tuple[str, str, dict[str, Any], str]] = [
    ("POST", "/bulletins", bulletin_body(language="fr"), "language"),
    ("POST", "/bulletins", bulletin_body(priority="urgent"), "priority"),
    ("POST", "/bulletins", bulletin_body(category="sport"), "category"),
    ("PATCH", "/bulletins/{draft}", {"language": "fr"}, "language"),
    ("PATCH", "/bulletins/{draft}", {"priority": "urgent"}, "priority"),
    ("POST", "/users", {"username": "moi", "password": "x" * 12, "role": "root"}, "role"),
    ("PATCH", "/users/{editor_b}", {"role": "root"}, "role"),
    ("POST", "/areas", {"code": "H1", "name": "Huyện", "level": "district"}, "level"),
    ("POST", "/stations", {"code": "s9", "name": "Loa", "area_code": "A", "kind": "tv"}, "kind"),
    ("PATCH", "/stations/sa", {"languages": ["vi", "fr"]}, "languages.1"),
    ("POST", "/tts/preview", {"text": "Xin chào", "language": "fr"}, "language"),
    ("POST", "/lexicon", {"language": "fr", "term": "UBND", "reading": "ủy ban"}, "language"),
    # Wrong types.
    ("POST", "/bulletins", bulletin_body(title=123), "title"),
    ("POST", "/bulletins", bulletin_body(target_station_codes="sa"), "target_station_codes"),
    ("POST", "/bulletins", bulletin_body(airing={"times": "nhiều"}), "airing.times"),
    ("POST", "/bulletins", bulletin_body(airing={"times": 101}), "airing.times"),
    ("POST", "/bulletins", bulletin_body(translation_of=10**30), "translation_of"),
    ("POST", "/bulletins", bulletin_body(valid_from="ngày mai"), "valid_from"),
    ("PATCH", "/bulletins/{draft}", {"title": ""}, "title"),
    ("POST", "/bulletins/{submitted}/approve", {"version": "một"}, "version"),
    ("POST", "/bulletins/{submitted}/approve", {"version": 0}, "version"),
    ("POST", "/bulletins/{submitted}/reject", {"version": 1, "reason": ["x"]}, "reason"),
    ("POST", "/users", {"username": "Ab", "password": "x" * 12, "role": "admin"}, "username"),
    ("POST", "/users", {"username": "moi", "password": "ngan", "role": "admin"}, "password"),
    (
        "POST",
        "/users",
        {"username": "moi", "password": "x" * 12, "role": "editor", "area_codes": "A"},
        "area_codes",
    ),
    ("PATCH", "/users/{editor_b}", {"is_active": "có"}, "is_active"),
    ("PATCH", "/stations/sa", {"enabled": "có"}, "enabled"),
    ("PATCH", "/stations/sa", {"mount": "khong-co-gach"}, "mount"),
    ("POST", "/areas", {"code": "a b", "name": "Xã", "level": "province"}, "code"),
    ("POST", "/bulletins/{draft}/render", {"rate_percent": 500}, "rate_percent"),
    ("POST", "/areas/A/windows", {**WINDOW, "start_time": "25:00"}, "start_time"),
    ("POST", "/stations/sa/windows", {**WINDOW, "weekdays": [7]}, "weekdays"),
    ("POST", "/stations/sa/windows", {**WINDOW, "weekdays": "thứ hai"}, "weekdays"),
    ("POST", "/areas/A/windows", {**WINDOW, "length_minutes": -1}, "length_minutes"),
    ("POST", "/areas/A/windows", {**WINDOW, "first_day": "2027-02-30"}, "first_day"),
    ("PATCH", "/windows/{window}", {"length_minutes": 0}, "length_minutes"),
    ("PATCH", "/windows/{window}", {"start_time": 530}, "start_time"),
    ("POST", "/areas/A/window-exceptions", {**DROP, "kind": "move"}, "kind"),
    ("POST", "/stations/sa/window-exceptions", {**DROP, "note": "x" * 301}, "note"),
    ("PATCH", "/areas/A", {"session_cap_minutes": 0}, "session_cap_minutes"),
    ("PATCH", "/areas/A", {"session_cap_minutes": "mười"}, "session_cap_minutes"),
    ("PATCH", "/areas/A", {"quiet_start": "25:00", "quiet_end": "05:00"}, "quiet_start"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), WRONG_VALUES)
def test_wrong_values_and_types_are_422_naming_the_field(
    refused: Refuse, target: Target, method: str, path: str, body: dict[str, Any], field: str
) -> None:
    response = refused(method, url(path, target), 422, "validation_failed", json=body)
    assert field in _fields(response)
    assert field in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [[1, 2], "một chuỗi", 42, None],
    ids=["list", "string", "number", "null"],
)
def test_a_body_that_is_not_an_object_is_422(refused: Refuse, body: Any) -> None:
    refused("POST", f"{API}/bulletins", 422, "validation_failed", json=body)


@pytest.mark.parametrize("field", ["title", "body", "language", "airing", "target_station_codes"])
def test_explicit_null_on_edit_is_422_not_500(refused: Refuse, target: Target, field: str) -> None:
    detail = refused(
        "PATCH", url("/bulletins/{draft}", target), 422, "invalid_input", json={field: None}
    ).json()["detail"]
    assert field in detail


# ------------------------------------------------------------------ time windows and targets
NAIVE = "2026-12-01T17:00:00"


@pytest.mark.parametrize(
    "extra",
    [
        {"valid_from": NAIVE},
        {"valid_until": NAIVE},
        {"valid_from": "2026-12-02T00:00:00+07:00", "valid_until": "2026-12-01T00:00:00+07:00"},
        {"valid_from": "2026-12-01T00:00:00+07:00", "valid_until": "2026-11-30T17:00:00Z"},
    ],
    ids=["naive-from", "naive-until", "until-before-from", "until-equals-from"],
)
def test_bad_validity_windows_are_422(
    refused: Refuse, target: Target, extra: dict[str, str]
) -> None:
    created = refused(
        "POST", f"{API}/bulletins", 422, "validation_failed", json=bulletin_body(**extra)
    )
    edited = refused("PATCH", url("/bulletins/{draft}", target), 422, "invalid_input", json=extra)
    for response in (created, edited):
        detail = response.json()["detail"]
        assert "múi giờ" in detail or "valid_until phải sau valid_from" in detail


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ({"target_station_codes": ["sa", "khong-co"]}, "Không tìm thấy đài: khong-co"),
        ({"target_station_codes": [], "target_area_codes": ["ZZ"]}, "Không tìm thấy địa bàn: ZZ"),
        ({"target_station_codes": [SQL]}, f"Không tìm thấy đài: {SQL}"),
    ],
)
def test_unknown_targets_are_422(
    refused: Refuse, target: Target, targets: dict[str, list[str]], message: str
) -> None:
    created = refused(
        "POST", f"{API}/bulletins", 422, "invalid_input", json=bulletin_body(**targets)
    )
    edited = refused("PATCH", url("/bulletins/{draft}", target), 422, "invalid_input", json=targets)
    assert created.json()["detail"] == message
    assert edited.json()["detail"] == message


def test_a_bulletin_without_any_target_is_422(refused: Refuse, target: Target) -> None:
    empty: dict[str, list[str]] = {"target_station_codes": [], "target_area_codes": []}
    refused("POST", f"{API}/bulletins", 422, "validation_failed", json=bulletin_body(**empty))
    refused("PATCH", url("/bulletins/{draft}", target), 422, "invalid_input", json=empty)


# ------------------------------------------------------------------ NUL characters
NUL_CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/bulletins", bulletin_body(title="Tin\x00xã")),
    ("POST", "/bulletins", bulletin_body(body="Nội dung\x00")),
    ("PATCH", "/bulletins/{draft}", {"body": "Nội\x00dung"}),
    (
        "POST",
        "/users",
        {"username": "moi", "full_name": "Ng\x00uyễn", "password": "x" * 12, "role": "admin"},
    ),
    ("PATCH", "/users/{editor_b}", {"full_name": "\x00"}),
    ("POST", "/areas", {"code": "N1", "name": "Xã\x00", "level": "province"}),
    ("PATCH", "/areas/A", {"name": "Xã\x00A"}),
    ("POST", "/stations", {"code": "s9", "name": "Loa\x00", "area_code": "A"}),
    ("POST", "/stations/sa/tokens", {"label": "thiết\x00bị"}),
    ("POST", "/bulletins/{submitted}/reject", {"version": 1, "reason": "Sai\x00"}),
    ("POST", "/bulletins/{submitted}/approve", {"version": 1, "comment": "Được\x00"}),
    ("POST", "/bulletins/{draft}/withdraw", {"reason": "\x00"}),
    ("POST", "/lexicon", {"language": "vi", "term": "UB\x00ND", "reading": "ủy ban"}),
    ("POST", "/tts/preview", {"text": "Xin\x00chào", "language": "vi"}),
    ("POST", "/bulletins", {**bulletin_body(), "kh\x00ac": 1}),
    ("POST", "/areas/A/windows", {**WINDOW, "name": "Tr\x00ưa"}),
    ("PATCH", "/windows/{window}", {"weekdays": [1], "x": "\x00"}),
    ("POST", "/stations/sa/window-exceptions", {**DROP, "note": "ngày\x00lễ"}),
]


@pytest.mark.parametrize(("method", "path", "body"), NUL_CASES)
def test_nul_characters_are_refused(
    refused: Refuse, target: Target, method: str, path: str, body: dict[str, Any]
) -> None:
    detail = refused(method, url(path, target), 422, json=body).json()["detail"]
    assert "NUL" in detail


@pytest.mark.parametrize(
    ("method", "path", "kw"),
    [
        ("GET", "/areas/A%00", {}),
        ("GET", "/audit?actor=admin%00", {}),
        ("GET", "/bulletins?station=sa%00", {}),
        ("GET", "/stations/sa/sessions?date=2027-03-10%00", {}),
        ("GET", "/stations/sa/programme?format=json%00", {}),
        ("GET", "/media/%00.mp3", {}),
        ("POST", "/auth/token", {"data": {"username": "admin\x00", "password": PASSWORD}}),
    ],
)
def test_nul_in_paths_queries_and_forms_is_refused(
    refused: Refuse, method: str, path: str, kw: dict[str, Any]
) -> None:
    refused(method, API + path, 422, "invalid_input", **kw)


def test_a_json_escaped_backslash_u0000_is_just_text(
    client: TestClient, admin: dict[str, str]
) -> None:
    title = "đường dẫn C:\\u0000"  # a backslash, then the letters u0000: not a NUL
    response = client.post(f"{API}/bulletins", json=bulletin_body(title=title), headers=admin)
    assert response.status_code == 201, response.text
    assert response.json()["title"] == title


# ------------------------------------------------------------------ SQL-looking text
def test_sql_looking_text_is_stored_verbatim_and_harmless(
    client: TestClient, engine: Engine, admin: dict[str, str], target: Target
) -> None:
    created = client.post(
        f"{API}/bulletins", json=bulletin_body(title=SQL, body=SQL + " ' OR '1'='1"), headers=admin
    )
    assert created.status_code == 201, created.text
    bulletin_id = created.json()["id"]
    read = client.get(f"{API}/bulletins/{bulletin_id}", headers=admin).json()
    assert (read["title"], read["body"]) == (SQL, SQL + " ' OR '1'='1")

    writes = [
        ("PATCH", f"/users/{target.editor_b}", {"full_name": SQL}, "full_name"),
        ("PATCH", "/areas/A", {"name": SQL}, "name"),
        ("PATCH", "/stations/sa", {"name": SQL}, "name"),
        ("POST", "/stations/sa/tokens", {"label": SQL}, "label"),
        ("POST", "/lexicon", {"language": "vi", "term": SQL, "reading": SQL}, "term"),
    ]
    for method, path, body, field in writes:
        response = client.request(method, API + path, json=body, headers=admin)
        assert response.status_code in (200, 201), response.text
        assert response.json()[field] == SQL
    rejected = client.post(
        url("/bulletins/{submitted}/reject", target),
        json={"version": 1, "reason": SQL},
        headers=admin,
    )
    assert rejected.status_code == 200, rejected.text
    reviews = client.get(url("/bulletins/{submitted}/reviews", target), headers=admin).json()
    assert [r["reason"] for r in reviews] == [SQL]

    # Every table is still there and still counts.
    assert counts(engine)["Bulletin"] == 3
    listed = client.get(f"{API}/bulletins", headers=admin).json()
    assert listed["total"] == 3
    # ... and SQL in filters matches nothing rather than everything.
    audit = client.get(f"{API}/audit", params={"actor": "' OR '1'='1"}, headers=admin)
    assert (audit.status_code, audit.json()["total"]) == (200, 0)


def test_sql_looking_codes_in_urls_are_404(refused: Refuse) -> None:
    refused("GET", f"{API}/areas/' OR 1=1 --", 404, "not_found")
    refused("GET", f"{API}/bulletins", 404, "not_found", params={"station": SQL})
    refused("GET", f"{API}/bulletins", 404, "not_found", params={"area": SQL})


# ------------------------------------------------------------------ unknown things
UNKNOWN: list[tuple[str, str, dict[str, Any]]] = [
    ("GET", "/bulletins/999999", {}),
    ("PATCH", "/bulletins/999999", {"json": {"title": "Mới"}}),
    ("POST", "/bulletins/999999/submit", {}),
    ("POST", "/bulletins/999999/approve", {"json": {"version": 1}}),
    ("POST", "/bulletins/999999/reject", {"json": {"version": 1, "reason": "Không rõ"}}),
    ("POST", "/bulletins/999999/withdraw", {"json": {}}),
    ("GET", "/bulletins/999999/versions", {}),
    ("GET", "/bulletins/999999/reviews", {}),
    ("GET", "/bulletins/999999/history", {}),
    ("POST", "/bulletins/999999/render", {"json": {}}),
    ("GET", "/bulletins/999999/clips", {}),
    ("GET", "/clips/999999", {}),
    ("GET", "/clips/999999/audio", {}),
    ("GET", "/users/999999", {}),
    ("PATCH", "/users/999999", {"json": {"full_name": "Ai"}}),
    ("GET", "/areas/ZZ", {}),
    ("PATCH", "/areas/ZZ", {"json": {"name": "Xã"}}),
    ("DELETE", "/areas/ZZ", {}),
    ("GET", "/stations/zz", {}),
    ("PATCH", "/stations/zz", {"json": {"name": "Loa"}}),
    ("DELETE", "/stations/zz", {}),
    ("POST", "/stations/zz/tokens", {"json": {}}),
    ("DELETE", "/stations/zz/tokens/1", {}),
    ("DELETE", "/stations/sa/tokens/999999", {}),
    ("DELETE", "/lexicon/999999", {}),
    ("GET", "/stations/zz/windows", {}),
    ("POST", "/areas/ZZ/windows", {"json": WINDOW}),
    ("PATCH", "/windows/999999", {"json": {"length_minutes": 10}}),
    ("DELETE", "/windows/999999", {}),
    ("POST", "/stations/zz/window-exceptions", {"json": DROP}),
    ("DELETE", "/window-exceptions/999999", {}),
    ("GET", "/stations/zz/sessions", {}),
    ("POST", "/stations/zz/programme/build", {}),
    ("GET", "/stations/zz/programme", {}),
    ("GET", "/stations/sa/programme", {}),  # no programme for today
    ("GET", "/stations/zz/programme/versions", {}),
    ("GET", "/media/" + "0" * 64 + ".mp3", {}),
    ("GET", "/khong-co-duong-nay", {}),
]


@pytest.mark.parametrize(("method", "path", "kw"), UNKNOWN, ids=[f"{m} {p}" for m, p, _ in UNKNOWN])
def test_unknown_ids_and_codes_are_404(
    refused: Refuse, method: str, path: str, kw: dict[str, Any]
) -> None:
    refused(method, API + path, 404, "not_found", **kw)


def test_an_unknown_recording_target_is_404_and_leaves_no_upload(
    refused: Refuse, settings: Settings
) -> None:
    files = {"file": ("ban-ghi.wav", wav_bytes(0.5), "audio/wav")}
    refused("POST", f"{API}/bulletins/999999/recording", 404, "not_found", files=files)
    work = settings.work_dir
    leftovers = [p for p in work.rglob("*") if p.is_file()] if work.exists() else []
    assert leftovers == []


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", "1.5", str(2**31), str(2**63), "9" * 30])
def test_malformed_or_impossible_ids_are_422(refused: Refuse, bad_id: str) -> None:
    for path in (f"/bulletins/{bad_id}", f"/users/{bad_id}", f"/clips/{bad_id}"):
        response = refused("GET", API + path, 422, "validation_failed")
        assert _fields(response) <= {"bulletin_id", "user_id", "clip_id"}


@pytest.mark.parametrize("bad_id", ["abc", "0", "-1", str(2**31), "9" * 30])
def test_malformed_window_ids_are_422(refused: Refuse, bad_id: str) -> None:
    for path in (f"/windows/{bad_id}", f"/window-exceptions/{bad_id}"):
        response = refused("DELETE", API + path, 422, "validation_failed")
        assert _fields(response) <= {"window_id", "exception_id"}
    response = refused(
        "PATCH", f"{API}/windows/{bad_id}", 422, "validation_failed", json={"weekdays": [1]}
    )
    assert _fields(response) == {"window_id"}


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("GET", "/stations/sa/sessions", {"date": "2027-13-01"}, "date"),
        ("GET", "/stations/sa/programme", {"date": "hôm qua"}, "date"),
        ("GET", "/stations/sa/programme", {"format": "pls"}, "format"),
        ("GET", "/stations/sa/programme/versions", {"date": "10/03/2027"}, "date"),
        ("POST", "/stations/sa/programme/build", {"date": "0001-01-01"}, "date"),
        ("POST", "/stations/sa/programme/build", {"date": "10-03-2027"}, "date"),
    ],
)
def test_bad_programme_queries_are_422(
    refused: Refuse, method: str, path: str, params: dict[str, str], field: str
) -> None:
    response = refused(method, API + path, 422, "validation_failed", params=params)
    assert _fields(response) == {field}


def test_a_wrong_method_is_405(refused: Refuse) -> None:
    refused("DELETE", f"{API}/bulletins", 405, "method_not_allowed")
    refused("PUT", f"{API}/users", 405, "method_not_allowed")


# ------------------------------------------------------------------ pagination and filters
LISTS = ["/users", "/areas", "/stations", "/bulletins", "/audit", "/reviews/queue"]


BAD_PAGES: list[dict[str, Any]] = [
    {"offset": -1},
    {"offset": 10**8},
    {"offset": "abc"},
    {"limit": 0},
    {"limit": -5},
    {"limit": 201},
    {"limit": 10**30},
    {"limit": "mười"},
]


@pytest.mark.parametrize("path", LISTS)
def test_bad_pagination_is_422(refused: Refuse, path: str) -> None:
    for params in BAD_PAGES:
        response = refused("GET", API + path, 422, params=params)
        assert next(iter(params)) in response.json()["detail"]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "published"},
        {"language": "fr"},
        {"priority": "urgent"},
        {"category": "sport"},
        {"date": "2026-13-01"},
        {"date": "hôm nay"},
        {"mine": "có lẽ"},
        {"station": "x" * 65},
    ],
    ids=lambda p: next(iter(p)),
)
def test_bad_bulletin_filters_are_422(refused: Refuse, params: dict[str, str]) -> None:
    response = refused("GET", f"{API}/bulletins", 422, "validation_failed", params=params)
    assert _fields(response) == set(params)


# ------------------------------------------------------------------ the same on PostgreSQL
@pytest.mark.postgres
def test_nul_and_impossible_ids_are_refused_on_postgresql_too(
    postgres_url: str, tmp_path: Path
) -> None:
    """PostgreSQL cannot store NUL at all: without the guard these were 500s there."""
    with pg.fresh_database(postgres_url) as raw_url:
        url_ = Settings(database_url=raw_url).effective_database_url
        migrate.upgrade(url_)
        engine = make_engine(url_)
        try:
            with Session(engine, expire_on_commit=False) as session:
                world = build_world(session)
            configured = Settings(
                environment=Environment.test,
                secret_key=SecretStr(SECRET),
                database_url=url_,
                var_dir=tmp_path,
            )
            headers = auth(world["admin"])
            with TestClient(create_app(offline(configured))) as client:
                before = counts(engine)
                cases = [
                    ("POST", "/areas", {"code": "N1", "name": "Xã\x00", "level": "province"}),
                    ("PATCH", "/stations/sa", {"name": "Loa\x00"}),
                    ("POST", "/stations/sa/tokens", {"label": "\x00"}),
                    ("GET", "/areas/A%00", None),
                    ("GET", "/audit?actor=%00", None),
                ]
                for method, path, body in cases:
                    response = client.request(method, API + path, json=body, headers=headers)
                    assert_problem(response, 422, "invalid_input")
                login = {"username": "admin\x00", "password": PASSWORD}
                assert_problem(client.post(f"{API}/auth/token", data=login), 422)
                for impossible in (2**31, 2**40, 2**63):
                    response = client.get(f"{API}/bulletins/{impossible}", headers=headers)
                    assert_problem(response, 422, "validation_failed")
                largest = client.get(f"{API}/bulletins/{2**31 - 1}", headers=headers)
                assert_problem(largest, 404, "not_found")
                body = bulletin_body(translation_of=2**31)
                created = client.post(f"{API}/bulletins", json=body, headers=headers)
                assert_problem(created, 422, "validation_failed")
                assert counts(engine) == before
        finally:
            engine.dispose()


# ------------------------------------------------------------------ on air
ONAIR_TABLES = (AsRun, OnAirAlert, EndpointStatus)


def onair_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as fresh:
        return {
            model.__name__: int(fresh.exec(select(func.count()).select_from(model)).one())
            for model in ONAIR_TABLES
        }


@pytest.fixture
def refused_onair(refused: Refuse, engine: Engine) -> Iterator[Refuse]:
    """`refused`, and nothing written to the on-air tables either."""
    before = onair_counts(engine)
    yield refused
    assert onair_counts(engine) == before


@pytest.fixture
def device(client: TestClient, admin: dict[str, str]) -> dict[str, str]:
    issued = client.post(f"{API}/stations/sa/tokens", json={"label": "thiết bị"}, headers=admin)
    assert issued.status_code == 201, issued.text
    return {"Authorization": f"Bearer {issued.json()['token']}"}


@pytest.fixture
def events(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {load_or_create(settings).events_token}"}


EVENT: dict[str, Any] = {
    "event": "track_start",
    "station": "sa",
    "queue": "programme",
    "time": 1804638600.25,
    "metadata": {"item_key": "2027-03-09T22:30:00.000Z/1"},
}
BAD_EVENTS: list[tuple[Any, str]] = [
    ({**EVENT, "time": 999_999_999}, "0.time"),
    ({**EVENT, "time": 1e12}, "0.time"),
    ({**EVENT, "time": "hôm nay"}, "0.time"),
    ({**EVENT, "event": "track_pause"}, "0.event"),
    ({k: v for k, v in EVENT.items() if k != "event"}, "0.event"),
    ({**EVENT, "queue": "music"}, "0.queue"),
    ({**EVENT, "station": ""}, "0.station"),
    ({**EVENT, "station": "s" * 65}, "0.station"),
    ({**EVENT, "metadata": {"item_key": 5}}, "0.metadata.item_key"),
    ({**EVENT, "metadata": {"title": ["Tin"]}}, "0.metadata.title"),
    ({**EVENT, "metadata": ["item_key"]}, "0.metadata"),
    ({**EVENT, "metadata": {f"k{i}": "v" for i in range(201)}}, "0.metadata"),
    ({**EVENT, "metadata": {"title": "x" * 4001}}, "0.metadata.title"),
    ([EVENT, {**EVENT, "time": 5}], "1.time"),
    ([EVENT] * 501, ""),
    ([], ""),
    ("track_start", ""),
]


@pytest.mark.parametrize(("body", "field"), BAD_EVENTS)
def test_malformed_onair_events_are_422_and_record_nothing(
    refused_onair: Refuse, events: dict[str, str], world: World, body: Any, field: str
) -> None:
    response = refused_onair(
        "POST", f"{API}/internal/onair/events", 422, "validation_failed", json=body, headers=events
    )
    assert field in _fields(response)


def test_a_track_event_without_its_queue_is_422(
    refused_onair: Refuse, events: dict[str, str]
) -> None:
    body = {**EVENT, "queue": ""}
    detail = refused_onair(
        "POST", f"{API}/internal/onair/events", 422, "invalid_input", json=body, headers=events
    ).json()["detail"]
    assert detail == "Sự kiện phát sóng thiếu hàng đợi (queue)"


def test_nul_in_an_onair_event_is_refused(refused_onair: Refuse, events: dict[str, str]) -> None:
    body = {**EVENT, "metadata": {"title": "Tin\x00"}}
    refused_onair("POST", f"{API}/internal/onair/events", 422, json=body, headers=events)


HEARTBEAT = {"status": "online"}
BAD_HEARTBEATS: list[tuple[dict[str, Any], str]] = [
    ({}, "status"),
    ({"status": "sleeping"}, "status"),
    ({**HEARTBEAT, "volume": 101}, "volume"),
    ({**HEARTBEAT, "volume": -1}, "volume"),
    ({**HEARTBEAT, "volume": "to"}, "volume"),
    ({**HEARTBEAT, "buffer_s": -0.5}, "buffer_s"),
    ({**HEARTBEAT, "clock_offset_ms": 86_400_001}, "clock_offset_ms"),
    ({**HEARTBEAT, "clock_offset_ms": -86_400_001}, "clock_offset_ms"),
    ({**HEARTBEAT, "clock_offset_ms": 1.5}, "clock_offset_ms"),
    ({**HEARTBEAT, "software": "x" * 101}, "software"),
    ({**HEARTBEAT, "playing": "x" * 301}, "playing"),
]


@pytest.mark.parametrize(("body", "field"), BAD_HEARTBEATS)
def test_bad_heartbeats_are_422(
    refused_onair: Refuse, device: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = refused_onair(
        "POST", f"{API}/endpoint/heartbeat", 422, "validation_failed", json=body, headers=device
    )
    assert _fields(response) == {field}


PLAYED = {
    "item_key": "2026-03-09T22:30:00.000Z/1",
    "started_at": "2026-03-10T05:30:00+07:00",
    "ended_at": "2026-03-10T05:31:00+07:00",
}
BAD_PLAYED: list[tuple[dict[str, Any], str]] = [
    ({**PLAYED, "started_at": "2026-03-10T05:30:00"}, "started_at"),
    ({**PLAYED, "ended_at": "hết"}, "ended_at"),
    ({**PLAYED, "sha256": "xyz"}, "sha256"),
    ({**PLAYED, "item_key": ""}, "item_key"),
    ({**PLAYED, "item_key": "k" * 101}, "item_key"),
    ({**PLAYED, "bulletin_id": 0}, "bulletin_id"),
    ({k: v for k, v in PLAYED.items() if k != "ended_at"}, "ended_at"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PLAYED)
def test_bad_proofs_of_play_are_422(
    refused_onair: Refuse, device: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = refused_onair(
        "POST", f"{API}/endpoint/played", 422, "validation_failed", json=body, headers=device
    )
    assert _fields(response) == {field}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"ended_at": "2026-03-10T05:29:00+07:00"},
            "Dữ liệu không hợp lệ ở: (nội dung). ended_at phải từ started_at trở đi",
        ),
        (
            {"ended_at": "2026-03-12T05:29:00+07:00"},
            "Dữ liệu không hợp lệ ở: (nội dung). một lần phát không thể dài quá 24 giờ",
        ),
        (
            {"started_at": "2099-01-01T00:00:00Z", "ended_at": "2099-01-01T00:01:00Z"},
            "started_at ở tương lai: đồng hồ của thiết bị có thể bị sai",
        ),
        ({}, "Đài sa: không có mục này trong chương trình (2026-03-09T22:30:00.000Z/1)"),
    ],
)
def test_proofs_of_play_that_cannot_be_are_422(
    refused_onair: Refuse, device: dict[str, str], change: dict[str, str], message: str
) -> None:
    response = refused_onair(
        "POST", f"{API}/endpoint/played", 422, json={**PLAYED, **change}, headers=device
    )
    assert response.json()["detail"] == message


@pytest.mark.parametrize(
    ("method", "path", "kw", "field"),
    [
        ("POST", "/alerts/1/resolve", {"json": {"note": "x" * 301}}, "note"),
        ("POST", "/alerts/1/resolve", {"json": {"note": 5}}, "note"),
        ("GET", "/stations/sa/as-run?format=pdf", {}, "format"),
        ("GET", "/stations/sa/as-run?date=2027-02-30", {}, "date"),
        ("GET", "/alerts?open=chua", {}, "open"),
        ("GET", "/alerts?kind=fire", {}, "kind"),
        ("GET", "/fleet?online=co", {}, "online"),
    ],
)
def test_bad_onair_parameters_are_422(
    refused_onair: Refuse, method: str, path: str, kw: dict[str, Any], field: str
) -> None:
    response = refused_onair(method, API + path, 422, "validation_failed", **kw)
    assert _fields(response) == {field}
