"""Signing in and the tokens that prove it: users' JWTs and stations' read-only tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import httpx
import jwt
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from studio.models import AuditEvent
from studio.security import create_access_token
from tests.api.api_support import API, assert_problem
from tests.conftest import auth
from tests.factories import PASSWORD, SECRET, World

ME = f"{API}/auth/me"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, username: str, password: str) -> httpx.Response:
    response: httpx.Response = client.post(
        f"{API}/auth/token", data={"username": username, "password": password}
    )
    return response


def audit(engine: Engine, action: str) -> list[AuditEvent]:
    with Session(engine) as fresh:
        return list(
            fresh.exec(
                select(AuditEvent).where(AuditEvent.action == action).order_by(col(AuditEvent.id))
            ).all()
        )


def test_login_returns_a_token_that_works(client: TestClient, world: World) -> None:
    response = login(client, "editor_a", PASSWORD)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 8 * 60 * 60
    me = client.get(ME, headers=bearer(body["access_token"]))
    assert me.status_code == 200
    assert me.json() == {
        "id": world["editor_a"].id,
        "username": "editor_a",
        "full_name": "Editor_A",
        "role": "editor",
        "is_active": True,
        "area_codes": ["A"],
    }


def test_wrong_password_unknown_user_and_inactive_user_are_refused_alike(
    client: TestClient, session: Session, world: World
) -> None:
    inactive = world["editor_b"]
    inactive.is_active = False
    session.add(inactive)
    session.commit()

    details = {
        assert_problem(login(client, "editor_a", PASSWORD + "x"), 401, "not_authenticated"),
        assert_problem(login(client, "khong-co-ai", PASSWORD), 401, "not_authenticated"),
        assert_problem(login(client, "editor_b", PASSWORD), 401, "not_authenticated"),
    }
    # One message for all three: a caller cannot tell which accounts exist or are locked.
    assert details == {"Sai tên đăng nhập hoặc mật khẩu"}


def test_a_deactivated_user_loses_access_with_a_token_already_issued(
    client: TestClient, world: World
) -> None:
    headers = auth(world["editor_b"])
    assert client.get(ME, headers=headers).status_code == 200

    response = client.patch(
        f"{API}/users/{world['editor_b'].id}",
        json={"is_active": False},
        headers=auth(world["admin"]),
    )
    assert response.status_code == 200, response.text

    assert_problem(client.get(ME, headers=headers), 401)


def test_an_expired_token_is_refused(client: TestClient, world: World) -> None:
    user_id = world["editor_a"].id
    assert user_id is not None
    past = datetime.now(UTC) - timedelta(hours=2)
    token = create_access_token(user_id, SECRET, 60, now=past)

    detail = assert_problem(client.get(ME, headers=bearer(token)), 401, "not_authenticated")
    assert detail == "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn"


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_tampered_token_is_refused(client: TestClient, world: World) -> None:
    """An editor's valid token with the payload rewritten to claim the admin's id."""
    header, _, signature = create_access_token(world["editor_a"].id or 0, SECRET, 60).split(".")
    exp = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    forged = ".".join([header, _b64({"sub": str(world["admin"].id), "exp": exp}), signature])

    assert_problem(client.get(ME, headers=bearer(forged)), 401)
    assert_problem(client.get(f"{API}/users", headers=bearer(forged)), 401)


def test_unsigned_and_foreign_tokens_are_refused(client: TestClient, world: World) -> None:
    admin_id = world["admin"].id
    assert admin_id is not None
    other_secret = create_access_token(admin_id, "another-secret-" + "x" * 40, 60)
    exp = int((datetime.now(UTC) + timedelta(hours=1)).timestamp())
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64({'sub': str(admin_id), 'exp': exp})}."
    no_expiry = jwt.encode({"sub": str(admin_id)}, SECRET, algorithm="HS256")
    not_a_number = jwt.encode({"sub": "admin", "exp": exp}, SECRET, algorithm="HS256")

    for token in (other_secret, unsigned, no_expiry, not_a_number, "garbage", "a.b.c"):
        assert_problem(client.get(f"{API}/users", headers=bearer(token)), 401)
    # A token for a user id that does not exist.
    ghost = create_access_token(999_999, SECRET, 60)
    assert_problem(client.get(ME, headers=bearer(ghost)), 401)


def test_a_missing_or_odd_authorization_header_is_401(client: TestClient, world: World) -> None:
    assert_problem(client.get(ME), 401)
    assert_problem(client.get(ME, headers={"Authorization": "Basic YWRtaW46eA=="}), 401)
    assert_problem(client.get(ME, headers={"Authorization": "Bearer "}), 401)


def _station_token(client: TestClient, world: World, code: str = "sa") -> tuple[int, str]:
    issued = client.post(
        f"{API}/stations/{code}/tokens", json={"label": "thiết bị"}, headers=auth(world["admin"])
    )
    assert issued.status_code == 201, issued.text
    return issued.json()["id"], issued.json()["token"]


def test_a_revoked_station_token_is_refused(client: TestClient, world: World) -> None:
    token_id, token = _station_token(client, world)
    assert client.get(f"{API}/stations/sa", headers=bearer(token)).status_code == 200

    revoked = client.delete(f"{API}/stations/sa/tokens/{token_id}", headers=auth(world["admin"]))
    assert revoked.status_code == 204

    assert_problem(client.get(f"{API}/stations/sa", headers=bearer(token)), 401)
    # A guessed token of the right shape is no better.
    assert_problem(client.get(f"{API}/stations/sa", headers=bearer("loa_st_" + "A" * 43)), 401)


def test_the_token_of_a_disabled_station_is_refused(client: TestClient, world: World) -> None:
    _, token = _station_token(client, world)
    admin = auth(world["admin"])

    assert (
        client.patch(f"{API}/stations/sa", json={"enabled": False}, headers=admin).status_code
        == 200
    )
    assert_problem(client.get(f"{API}/stations/sa", headers=bearer(token)), 401)

    assert (
        client.patch(f"{API}/stations/sa", json={"enabled": True}, headers=admin).status_code == 200
    )
    assert client.get(f"{API}/stations/sa", headers=bearer(token)).status_code == 200


def test_sign_ins_are_audited_whether_they_succeed_or_fail(
    client: TestClient, engine: Engine, world: World
) -> None:
    assert login(client, "approver_a", PASSWORD).status_code == 200
    assert login(client, "approver_a", "sai-mat-khau").status_code == 401
    assert login(client, "nguoi-la", "sai-mat-khau").status_code == 401

    succeeded = audit(engine, "auth.login")
    assert [(e.actor, e.actor_id, e.entity_type, e.entity_id) for e in succeeded] == [
        ("approver_a", world["approver_a"].id, "user", str(world["approver_a"].id))
    ]
    failed = audit(engine, "auth.login_failed")
    assert [(e.actor, e.actor_id, e.entity_type, e.entity_id) for e in failed] == [
        ("system", None, "user", "approver_a"),
        ("system", None, "user", "nguoi-la"),
    ]
    # The password never reaches the log.
    for event in succeeded + failed:
        assert "sai-mat-khau" not in json.dumps([event.before, event.after, event.detail])


def test_overlong_and_missing_credentials_are_422_and_not_audited(
    client: TestClient, engine: Engine, world: World
) -> None:
    assert_problem(login(client, "x" * 65, PASSWORD), 422)
    assert_problem(login(client, "admin", "x" * 257), 422)
    assert_problem(client.post(f"{API}/auth/token", data={"username": "admin"}), 422)
    assert_problem(client.post(f"{API}/auth/token", data={"password": PASSWORD}), 422)
    assert audit(engine, "auth.login_failed") == []
