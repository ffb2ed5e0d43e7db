"""Administration over HTTP: users, areas, stations, station tokens and the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.api_support import API, assert_problem
from tests.conftest import auth
from tests.factories import World, make_bulletin


class Admin:
    """Calls made as the admin (or another user), insisting on the expected status."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world

    def call(self, method: str, path: str, status: int = 200, who: str = "admin", **kw: Any) -> Any:
        response = self.client.request(method, API + path, headers=auth(self.world[who]), **kw)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def problem(
        self, method: str, path: str, status: int, code: str, who: str = "admin", **kw: Any
    ) -> str:
        response = self.client.request(method, API + path, headers=auth(self.world[who]), **kw)
        return assert_problem(response, status, code)


@pytest.fixture
def admin(client: TestClient, world: World) -> Admin:
    return Admin(client, world)


def new_user(username: str, role: str = "editor", **extra: Any) -> dict[str, Any]:
    return {
        "username": username,
        "full_name": "Nguyễn Thị Mai",
        "password": "mat-khau-du-dai",
        "role": role,
        **extra,
    }


# ------------------------------------------------------------------ users
def test_users_create_read_update_list(admin: Admin, client: TestClient) -> None:
    created = admin.call("POST", "/users", 201, json=new_user("mai", area_codes=["B", "A"]))
    user_id = created["id"]
    assert created == {
        "id": user_id,
        "username": "mai",
        "full_name": "Nguyễn Thị Mai",
        "role": "editor",
        "is_active": True,
        "area_codes": ["A", "B"],
    }
    assert "password" not in created
    assert "password_hash" not in created
    assert admin.call("GET", f"/users/{user_id}") == created

    # The new account signs in with the password it was given.
    signed_in = client.post(
        f"{API}/auth/token", data={"username": "mai", "password": "mat-khau-du-dai"}
    )
    assert signed_in.status_code == 200

    updated = admin.call(
        "PATCH",
        f"/users/{user_id}",
        json={"role": "approver", "area_codes": ["P"], "full_name": "Mai"},
    )
    assert (updated["role"], updated["area_codes"], updated["full_name"]) == (
        "approver",
        ["P"],
        "Mai",
    )

    listed = admin.call("GET", "/users", params={"limit": 3})
    assert listed["total"] == 7
    assert [u["username"] for u in listed["items"]] == ["admin", "approver_a", "approver_b"]
    rest = admin.call("GET", "/users", params={"offset": 3})
    assert [u["username"] for u in rest["items"]] == ["approver_p", "editor_a", "editor_b", "mai"]


def test_user_rules(admin: Admin, world: World) -> None:
    admin.call("POST", "/users", 201, json=new_user("mai", area_codes=["A"]))
    detail = admin.problem(
        "POST", "/users", 409, "conflict", json=new_user("mai", area_codes=["B"])
    )
    assert detail == "Tên đăng nhập 'mai' đã tồn tại"

    detail = admin.problem("POST", "/users", 422, "validation_failed", json=new_user("lan"))
    assert "phải được gán ít nhất một địa bàn" in detail
    approver = new_user("lan", role="approver")
    assert "ít nhất một địa bàn" in admin.problem(
        "POST", "/users", 422, "validation_failed", json=approver
    )
    unknown = new_user("lan", area_codes=["A", "ZZ"])
    detail = admin.problem("POST", "/users", 422, "invalid_input", json=unknown)
    assert detail == "Không tìm thấy địa bàn: ZZ"
    # An admin needs no area.
    assert (
        admin.call("POST", "/users", 201, json=new_user("tuan", role="admin"))["area_codes"] == []
    )

    editor_id = world["editor_a"].id
    detail = admin.problem(
        "PATCH", f"/users/{editor_id}", 422, "invalid_input", json={"area_codes": []}
    )
    assert "ít nhất một địa bàn" in detail


def test_an_admin_cannot_demote_or_lock_themself(admin: Admin, world: World) -> None:
    me = world["admin"].id
    for change in (
        {"role": "editor", "area_codes": ["A"]},
        {"role": "approver"},
        {"is_active": False},
    ):
        detail = admin.problem("PATCH", f"/users/{me}", 422, "invalid_input", json=change)
        assert detail == "Quản trị viên không thể tự hạ quyền hoặc tự khóa tài khoản của mình"
    assert admin.call("GET", "/auth/me")["role"] == "admin"
    # Renaming oneself is fine, and so is another admin demoting them.
    assert admin.call("PATCH", f"/users/{me}", json={"full_name": "Quản trị"})["full_name"] == (
        "Quản trị"
    )
    other = admin.call("POST", "/users", 201, json=new_user("tuan", role="admin"))
    assert other["role"] == "admin"


# ------------------------------------------------------------------ areas
def test_areas_create_read_rename_delete(admin: Admin) -> None:
    province = admin.call(
        "POST", "/areas", 201, json={"code": "96", "name": "Tỉnh Cà Mau", "level": "province"}
    )
    assert (province["parent_id"], province["parent_code"]) == (None, None)
    commune = admin.call(
        "POST",
        "/areas",
        201,
        json={"code": "32248", "name": "Xã Khánh Bình", "level": "commune", "parent_code": "96"},
    )
    assert (commune["parent_id"], commune["parent_code"]) == (province["id"], "96")
    assert admin.call("GET", "/areas/32248", who="editor_a") == commune

    renamed = admin.call("PATCH", "/areas/32248", json={"name": "Xã Khánh Bình Tây"})
    assert renamed["name"] == "Xã Khánh Bình Tây"

    page = admin.call("GET", "/areas", who="approver_b")
    assert page["total"] == 5
    assert [a["code"] for a in page["items"]] == ["32248", "96", "A", "B", "P"]

    # The province holds the commune: not deletable until the commune goes.
    assert "địa bàn con" in admin.problem("DELETE", "/areas/96", 409, "conflict")
    admin.call("DELETE", "/areas/32248", 204)
    admin.call("DELETE", "/areas/96", 204)
    admin.problem("GET", "/areas/96", 404, "not_found")


AREA_RULES: list[tuple[dict[str, Any], int, str, str]] = [
    (
        {"code": "X1", "name": "Xã", "level": "commune"},
        422,
        "invalid_input",
        "Xã/phường phải thuộc một tỉnh (parent_code)",
    ),
    (
        {"code": "X1", "name": "Xã", "level": "commune", "parent_code": "A"},
        422,
        "invalid_input",
        "Địa bàn cấp trên phải là tỉnh",
    ),
    (
        {"code": "X1", "name": "Xã", "level": "commune", "parent_code": "ZZ"},
        422,
        "invalid_input",
        "Không tìm thấy địa bàn có mã 'ZZ'",
    ),
    (
        {"code": "T1", "name": "Tỉnh", "level": "province", "parent_code": "P"},
        422,
        "invalid_input",
        "Tỉnh không có địa bàn cấp trên",
    ),
    (
        {"code": "A", "name": "Trùng", "level": "commune", "parent_code": "P"},
        409,
        "conflict",
        "Mã địa bàn 'A' đã tồn tại",
    ),
]


@pytest.mark.parametrize(("body", "status", "code", "detail"), AREA_RULES)
def test_area_rules(
    admin: Admin, body: dict[str, Any], status: int, code: str, detail: str
) -> None:
    assert admin.problem("POST", "/areas", status, code, json=body) == detail


@pytest.mark.parametrize(
    ("setup", "detail"),
    [
        ("station", "Địa bàn 'X' còn đài, người dùng hoặc địa bàn con; không thể xóa"),
        ("user", "Địa bàn 'X' còn đài, người dùng hoặc địa bàn con; không thể xóa"),
        ("bulletin", "Địa bàn 'X' là đích của bản tin; không thể xóa"),
    ],
)
def test_an_area_in_use_cannot_be_deleted(admin: Admin, setup: str, detail: str) -> None:
    admin.call(
        "POST",
        "/areas",
        201,
        json={"code": "X", "name": "Xã X", "level": "commune", "parent_code": "P"},
    )
    if setup == "station":
        admin.call("POST", "/stations", 201, json={"code": "sx", "name": "Loa X", "area_code": "X"})
    elif setup == "user":
        admin.call("POST", "/users", 201, json=new_user("bao", area_codes=["X"]))
    else:
        body = {"title": "Tin", "body": "Nội dung", "language": "vi", "target_area_codes": ["X"]}
        admin.call("POST", "/bulletins", 201, json=body)
    assert admin.problem("DELETE", "/areas/X", 409, "conflict") == detail
    assert admin.call("GET", "/areas/X")["code"] == "X"


# ------------------------------------------------------------------ stations
def test_stations_create_read_update_delete(admin: Admin, client: TestClient) -> None:
    created = admin.call(
        "POST",
        "/stations",
        201,
        json={
            "code": "an-bien.01",
            "name": "Cụm loa ấp Xẻo Nhàu",
            "area_code": "B",
            "languages": ["km", "vi"],
        },
    )
    assert {k: v for k, v in created.items() if k not in ("id", "area_id")} == {
        "code": "an-bien.01",
        "name": "Cụm loa ấp Xẻo Nhàu",
        "area_code": "B",
        "kind": "loudspeaker_cluster",
        "languages": ["km", "vi"],  # the order is the station's order of languages
        "timezone": "Asia/Ho_Chi_Minh",
        "mount": "/an-bien-01.mp3",
        "enabled": True,
        "gap_ms": None,
        "accepts_tests": False,
        "stream_codec": "mp3",
        "stream_bitrate_kbps": 48,
        "opening_jingle_id": None,
        "closing_jingle_id": None,
    }
    vi_km = admin.call(
        "POST",
        "/stations",
        201,
        json={
            "code": "s2",
            "name": "Đài xã",
            "area_code": "B",
            "languages": ["vi", "km"],
            "kind": "radio_station",
        },
    )
    assert vi_km["languages"] == ["vi", "km"]
    assert admin.call("GET", "/stations/s2")["languages"] == ["vi", "km"]

    updated = admin.call(
        "PATCH",
        "/stations/an-bien.01",
        json={"area_code": "A", "timezone": "Asia/Phnom_Penh", "mount": "/xeo-nhau.mp3"},
    )
    assert (updated["area_code"], updated["timezone"], updated["mount"]) == (
        "A",
        "Asia/Phnom_Penh",
        "/xeo-nhau.mp3",
    )
    assert updated["languages"] == ["km", "vi"]

    # Listing: admins see all, others the stations of their areas (and below).
    assert [s["code"] for s in admin.call("GET", "/stations")["items"]] == [
        "an-bien.01",
        "s2",
        "sa",
        "sb",
        "sp",
    ]
    assert [s["code"] for s in admin.call("GET", "/stations", who="editor_a")["items"]] == [
        "an-bien.01",
        "sa",
    ]
    assert [s["code"] for s in admin.call("GET", "/stations", who="approver_p")["items"]] == [
        "an-bien.01",
        "s2",
        "sa",
        "sb",
        "sp",
    ]

    # A station with a device token can still be deleted; the token dies with it.
    token = admin.call("POST", "/stations/s2/tokens", 201, json={})["token"]
    admin.call("DELETE", "/stations/s2", 204)
    admin.problem("GET", "/stations/s2", 404, "not_found")
    assert_problem(
        client.get(f"{API}/stations/s2", headers={"Authorization": f"Bearer {token}"}), 401
    )


def test_a_default_mount_is_named_after_the_codec_and_follows_it(admin: Admin) -> None:
    base = {"name": "Loa", "area_code": "A"}
    opus = admin.call(
        "POST", "/stations", 201, json={**base, "code": "Tri-Ton", "stream_codec": "opus"}
    )
    assert opus["mount"] == "/tri-ton.opus"
    # The codec changes: a default mount follows it, a chosen one stays.
    assert admin.call("PATCH", "/stations/Tri-Ton", json={"stream_codec": "aac"})["mount"] == (
        "/tri-ton.aac"
    )
    chosen = admin.call(
        "POST", "/stations", 201, json={**base, "code": "s7", "mount": "/loa-cho.mp3"}
    )
    assert chosen["mount"] == "/loa-cho.mp3"
    changed = admin.call("PATCH", "/stations/s7", json={"stream_codec": "opus"})
    assert (changed["stream_codec"], changed["mount"]) == ("opus", "/loa-cho.mp3")
    # Both in one call: the mount asked for wins.
    both = admin.call(
        "PATCH", "/stations/Tri-Ton", json={"stream_codec": "mp3", "mount": "/tri-ton-fm.mp3"}
    )
    assert both["mount"] == "/tri-ton-fm.mp3"
    # The default name taken by another station: refused, nothing changed.
    admin.call("POST", "/stations", 201, json={**base, "code": "s8", "mount": "/sa.opus"})
    assert (
        admin.problem("PATCH", "/stations/sa", 409, "conflict", json={"stream_codec": "opus"})
        == "Mount '/sa.opus' đã được đài 's8' dùng"
    )
    assert admin.call("GET", "/stations/sa")["stream_codec"] == "mp3"


def test_station_rules(admin: Admin, session: Any, world: World) -> None:
    base = {"name": "Loa", "area_code": "A"}
    detail = admin.problem(
        "POST", "/stations", 409, "conflict", json={**base, "code": "s9", "mount": "/sa.mp3"}
    )
    assert detail == "Mount '/sa.mp3' đã được đài 'sa' dùng"
    assert (
        admin.problem("PATCH", "/stations/sb", 409, "conflict", json={"mount": "/sa.mp3"})
        == "Mount '/sa.mp3' đã được đài 'sa' dùng"
    )
    assert (
        admin.problem("POST", "/stations", 409, "conflict", json={**base, "code": "sa"})
        == "Mã đài 'sa' đã tồn tại"
    )
    detail = admin.problem(
        "POST",
        "/stations",
        422,
        "validation_failed",
        json={**base, "code": "s9", "timezone": "Asia/Sai_Gon"},
    )
    assert "múi giờ không tồn tại: 'Asia/Sai_Gon'" in detail
    detail = admin.problem(
        "PATCH", "/stations/sa", 422, "validation_failed", json={"timezone": "UTC+7"}
    )
    assert "timezone" in detail
    for languages in ([], ["vi", "vi"]):
        admin.problem(
            "POST",
            "/stations",
            422,
            "validation_failed",
            json={**base, "code": "s9", "languages": languages},
        )
    assert (
        admin.problem(
            "POST",
            "/stations",
            422,
            "invalid_input",
            json={**base, "code": "s9", "area_code": "ZZ"},
        )
        == "Không tìm thấy địa bàn có mã 'ZZ'"
    )
    # A station that bulletins target is disabled, not deleted.
    make_bulletin(session, world["editor_a"])
    session.commit()
    assert "enabled=false" in admin.problem("DELETE", "/stations/sa", 409, "conflict")
    assert admin.call("PATCH", "/stations/sa", json={"enabled": False})["enabled"] is False


def test_station_tokens_issue_use_revoke(admin: Admin, client: TestClient) -> None:
    issued = admin.call("POST", "/stations/sa/tokens", 201, json={"label": "Bộ thu ấp 3"})
    assert issued["station_code"] == "sa"
    assert issued["label"] == "Bộ thu ấp 3"
    assert issued["token"].startswith("loa_st_")
    assert len(issued["token"]) > 40
    device = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get(f"{API}/stations/sa", headers=device).json()["code"] == "sa"

    second = admin.call("POST", "/stations/sa/tokens", 201, json={})
    assert second["token"] != issued["token"]
    assert second["label"] == ""

    admin.call("DELETE", f"/stations/sa/tokens/{issued['id']}", 204)
    assert_problem(client.get(f"{API}/stations/sa", headers=device), 401)
    # Revoking twice is harmless; the other token still works.
    admin.call("DELETE", f"/stations/sa/tokens/{issued['id']}", 204)
    other = {"Authorization": f"Bearer {second['token']}"}
    assert client.get(f"{API}/stations/sa", headers=other).status_code == 200
    # A token id is only found under its own station.
    detail = admin.problem("DELETE", f"/stations/sb/tokens/{second['id']}", 404, "not_found")
    assert detail == f"Không tìm thấy mã truy cập {second['id']} của đài 'sb'"


# ------------------------------------------------------------------ the audit log
def test_the_audit_log_lists_admin_actions_newest_first(admin: Admin, world: World) -> None:
    user = admin.call("POST", "/users", 201, json=new_user("mai", area_codes=["A"]))
    admin.call("PATCH", f"/users/{user['id']}", json={"is_active": False})
    admin.call(
        "POST",
        "/areas",
        201,
        json={"code": "X", "name": "Xã X", "level": "commune", "parent_code": "P"},
    )
    admin.call("PATCH", "/areas/X", json={"name": "Xã Mới"})
    admin.call("POST", "/stations", 201, json={"code": "sx", "name": "Loa X", "area_code": "X"})
    token = admin.call("POST", "/stations/sx/tokens", 201, json={"label": "thiết bị"})
    admin.call("DELETE", f"/stations/sx/tokens/{token['id']}", 204)
    admin.call("DELETE", "/stations/sx", 204)
    admin.call("DELETE", "/areas/X", 204)

    def log(**params: Any) -> list[tuple[str, str]]:
        page = admin.call("GET", "/audit", params=params)
        return [(e["action"], e["entity_id"]) for e in page["items"]]

    mine = log(actor="admin")
    assert mine == [
        ("area.delete", "X"),
        ("station.delete", "sx"),
        ("station.token.revoke", "sx"),
        ("station.token.issue", "sx"),
        ("station.create", "sx"),
        ("area.update", "X"),
        ("area.create", "X"),
        ("user.update", str(user["id"])),
        ("user.create", str(user["id"])),
    ]
    assert log(entity_type="station", actor="admin") == mine[1:5]
    assert len(log(entity_type="station")) == 4 + 3  # and the world's three, by the system
    assert log(action="user.update") == [("user.update", str(user["id"]))]
    assert log(entity_type="area", entity_id="X") == [mine[0], mine[5], mine[6]]
    assert log(actor="admin", limit=2, offset=1) == mine[1:3]
    assert log(actor="khong-ai") == []

    page = admin.call("GET", "/audit", params={"action": "user.update"})
    event = page["items"][0]
    assert event["actor_id"] == world["admin"].id
    assert event["via"] == "api"
    assert (event["before"]["is_active"], event["after"]["is_active"]) == (True, False)
    created = admin.call("GET", "/audit", params={"action": "user.create", "actor": "admin"})
    assert "password" not in str(created["items"][0]["after"])
    # The world's own setup was logged by the system, before all of this.
    total = admin.call("GET", "/audit")["total"]
    assert total == len(mine) + admin.call("GET", "/audit", params={"actor": "system"})["total"]
