"""The bulletin workflow over HTTP: create, submit, approve, edit, list, review queue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from studio.models import Bulletin, Clip
from studio.settings import Settings
from studio.types import ClipSource, ClipStatus
from tests.api.api_support import API, assert_problem, bulletin_body
from tests.conftest import auth
from tests.factories import World, make_ready_clip, ready_clip_id

BULLETINS = f"{API}/bulletins"


class Api:
    """A thin HTTP client that acts as a named user and insists on the expected status."""

    def __init__(self, client: TestClient, world: World, session: Session) -> None:
        self.client = client
        self.world = world
        self.session = session

    def call(self, who: str, method: str, path: str, status: int = 200, **kw: Any) -> Any:
        # Like the desk: the audio is rendered before submitting, and the approver names the
        # clip listened to (the rules themselves are tested in tests/studio/test_clip_rules.py).
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 3 and parts[0] == "bulletins":
            bulletin_id, action = int(parts[1]), parts[2]
            if action == "submit":
                ready_clip_id(self.session, bulletin_id)
                self.session.commit()
            elif action == "approve" and "clip_id" not in kw.get("json", {}):
                kw["json"] = {**kw["json"], "clip_id": ready_clip_id(self.session, bulletin_id)}
                self.session.commit()
        response = self.client.request(method, API + path, headers=auth(self.world[who]), **kw)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def create(self, who: str, **overrides: Any) -> int:
        created = self.call(who, "POST", "/bulletins", 201, json=bulletin_body(**overrides))
        return int(created["id"])

    def submit(self, who: str, bulletin_id: int) -> None:
        self.call(who, "POST", f"/bulletins/{bulletin_id}/submit")

    def ids(self, who: str, **params: Any) -> list[int]:
        page = self.call(who, "GET", "/bulletins", params=params)
        assert page["total"] == len(page["items"]), "a test list must fit on one page"
        return [item["id"] for item in page["items"]]


@pytest.fixture
def api(client: TestClient, world: World, session: Session) -> Api:
    return Api(client, world, session)


# ------------------------------------------------------------------ the whole way through
def test_create_submit_approve_edit_resubmit(api: Api, world: World) -> None:
    created = api.call(
        "editor_a",
        "POST",
        "/bulletins",
        201,
        json=bulletin_body(
            priority="priority",
            valid_from="2099-12-01T05:30:00+07:00",
            valid_until="2099-12-03T17:00:00+07:00",
            airing={"times": 2, "days": 3},
        ),
    )
    bulletin_id = created["id"]
    assert created["status"] == "draft"
    assert created["version"] == 1
    assert created["author_id"] == world["editor_a"].id
    assert created["author_username"] == "editor_a"
    assert created["target_station_codes"] == ["sa"]
    assert created["target_area_codes"] == []
    assert created["valid_from"] == "2099-11-30T22:30:00Z"  # stored and returned in UTC
    assert created["airing"] == {
        "mode": "spread",
        "times": 2,
        "days": 3,
        "first_day": None,
        "last_day": None,
    }
    assert (created["approved_version"], created["approved_clip_id"]) == (None, None)

    submitted = api.call("editor_a", "POST", f"/bulletins/{bulletin_id}/submit")
    assert submitted["status"] == "submitted"

    approved = api.call(
        "approver_a",
        "POST",
        f"/bulletins/{bulletin_id}/approve",
        json={"version": 1, "comment": "Đồng ý phát"},
    )
    clip_id = ready_clip_id(api.session, bulletin_id)  # the one the approver named
    assert (
        approved["status"],
        approved["version"],
        approved["approved_version"],
        approved["approved_clip_id"],
    ) == ("approved", 1, 1, clip_id)

    edited = api.call(
        "editor_a", "PATCH", f"/bulletins/{bulletin_id}", json={"title": "Lịch tiêm đã đổi"}
    )
    assert (edited["status"], edited["version"], edited["approved_version"]) == ("draft", 2, None)
    assert edited["title"] == "Lịch tiêm đã đổi"

    api.submit("editor_a", bulletin_id)
    stale = api.client.post(
        f"{BULLETINS}/{bulletin_id}/approve",
        json={"version": 1},
        headers=auth(world["approver_a"]),
    )
    detail = assert_problem(stale, 409, "conflict")
    assert "phiên bản hiện tại là 2" in detail

    versions = api.call("approver_a", "GET", f"/bulletins/{bulletin_id}/versions")
    assert [v["version"] for v in versions] == [1, 2]
    assert [v["content"]["title"] for v in versions] == [
        "Thông báo lịch tiêm chủng",
        "Lịch tiêm đã đổi",
    ]
    assert all(v["submitted_at"] is not None for v in versions)
    # The snapshot holds the instant in UTC, as the database and every response give it.
    assert versions[0]["content"]["valid_from"] == "2099-11-30T22:30:00Z"
    assert versions[0]["content_sha256"] != versions[1]["content_sha256"]
    assert {v["created_by_id"] for v in versions} == {world["editor_a"].id}

    reviews = api.call("editor_a", "GET", f"/bulletins/{bulletin_id}/reviews")
    assert [
        (r["bulletin_version"], r["reviewer_id"], r["decision"], r["reason"], r["clip_id"])
        for r in reviews
    ] == [(1, world["approver_a"].id, "approve", "Đồng ý phát", clip_id)]

    history = api.call("admin", "GET", f"/bulletins/{bulletin_id}/history")
    assert [(e["action"], e["actor"]) for e in history] == [
        ("bulletin.create", "editor_a"),
        ("bulletin.submit", "editor_a"),
        ("bulletin.approve", "approver_a"),
        ("bulletin.edit", "editor_a"),
        ("bulletin.submit", "editor_a"),
    ]
    assert history[3]["before"]["status"] == "approved"
    assert history[3]["after"]["version"] == 2


def test_reject_then_edit_then_withdraw(api: Api) -> None:
    bulletin_id = api.create("editor_a")
    api.submit("editor_a", bulletin_id)
    short = api.client.post(
        f"{BULLETINS}/{bulletin_id}/reject",
        json={"version": 1, "reason": " x "},
        headers=auth(api.world["approver_a"]),
    )
    assert "lý do" in assert_problem(short, 422, "invalid_input")

    rejected = api.call(
        "approver_a",
        "POST",
        f"/bulletins/{bulletin_id}/reject",
        json={"version": 1, "reason": "Thiếu giờ tiêm"},
    )
    assert rejected["status"] == "rejected"
    edited = api.call("editor_a", "PATCH", f"/bulletins/{bulletin_id}", json={"body": "Tiêm 7h30."})
    assert (edited["status"], edited["version"]) == ("draft", 2)
    withdrawn = api.call(
        "editor_a", "POST", f"/bulletins/{bulletin_id}/withdraw", json={"reason": "Hoãn"}
    )
    assert withdrawn["status"] == "withdrawn"
    history = api.call("editor_a", "GET", f"/bulletins/{bulletin_id}/history")
    assert history[-1]["action"] == "bulletin.withdraw"
    assert history[-1]["detail"] == "Hoãn"


ILLEGAL: list[tuple[str, str, str, dict[str, Any] | None, str]] = [
    (
        "draft",
        "approver_a",
        "approve",
        {"version": 1},
        "Không thể duyệt bản tin đang ở trạng thái «bản nháp»",
    ),
    (
        "draft",
        "approver_a",
        "reject",
        {"version": 1, "reason": "Sai"},
        "Không thể từ chối bản tin đang ở trạng thái «bản nháp»",
    ),
    (
        "submitted",
        "editor_a",
        "submit",
        None,
        "Không thể gửi duyệt bản tin đang ở trạng thái «chờ duyệt»",
    ),
    (
        "approved",
        "approver_a",
        "approve",
        {"version": 1},
        "Không thể duyệt bản tin đang ở trạng thái «đã duyệt»",
    ),
    (
        "approved",
        "editor_a",
        "submit",
        None,
        "Không thể gửi duyệt bản tin đang ở trạng thái «đã duyệt»",
    ),
    ("withdrawn", "editor_a", "withdraw", {}, "Không thể rút bản tin đang ở trạng thái «đã rút»"),
    (
        "withdrawn",
        "editor_a",
        "submit",
        None,
        "Không thể gửi duyệt bản tin đang ở trạng thái «đã rút»",
    ),
]


@pytest.mark.parametrize(("state", "who", "action", "body", "detail"), ILLEGAL)
def test_an_illegal_transition_is_a_409_problem_saying_why(
    api: Api,
    state: str,
    who: str,
    action: str,
    body: dict[str, Any] | None,
    detail: str,
) -> None:
    bulletin_id = api.create("editor_a")
    if state != "draft" and state != "withdrawn":
        api.submit("editor_a", bulletin_id)
    if state == "approved":
        api.call("approver_a", "POST", f"/bulletins/{bulletin_id}/approve", json={"version": 1})
    if state == "withdrawn":
        api.call("editor_a", "POST", f"/bulletins/{bulletin_id}/withdraw", json={})
    before = api.call("admin", "GET", f"/bulletins/{bulletin_id}/history")

    response = api.client.post(
        f"{BULLETINS}/{bulletin_id}/{action}", json=body, headers=auth(api.world[who])
    )

    assert assert_problem(response, 409, "invalid_transition") == detail
    assert api.call("admin", "GET", f"/bulletins/{bulletin_id}")["status"] == state
    assert api.call("admin", "GET", f"/bulletins/{bulletin_id}/history") == before


def test_four_eyes_over_http(api: Api) -> None:
    own = api.create("approver_a")
    api.submit("approver_a", own)
    response = api.client.post(
        f"{BULLETINS}/{own}/approve", json={"version": 1}, headers=auth(api.world["approver_a"])
    )
    assert "bốn mắt" in assert_problem(response, 403, "permission_denied")
    # An emergency may be fast-tracked by its own author, and the review says so.
    urgent = api.create("approver_a", priority="emergency", category="environment_disaster")
    api.submit("approver_a", urgent)
    api.call("approver_a", "POST", f"/bulletins/{urgent}/approve", json={"version": 1})
    reviews = api.call("approver_a", "GET", f"/bulletins/{urgent}/reviews")
    assert [r["fast_track"] for r in reviews] == [True]


# ------------------------------------------------------------------ lists and filters
@dataclass
class Five:
    approved: int  # editor_a, vi, health, sa, valid 1-3 Dec 2099
    emergency: int  # editor_a, vi, disaster, emergency, area A, submitted
    khmer: int  # editor_b, km, market, priority, sb, draft
    province: int  # admin, vi, policy, area P, valid from 5 Dec 2099, draft
    withdrawn: int  # editor_a, vi, other, sa, withdrawn


@pytest.fixture
def five(api: Api) -> Five:
    approved = api.create(
        "editor_a",
        valid_from="2099-12-01T00:00:00+07:00",
        valid_until="2099-12-03T00:00:00+07:00",
    )
    api.submit("editor_a", approved)
    api.call("approver_a", "POST", f"/bulletins/{approved}/approve", json={"version": 1})
    emergency = api.create(
        "editor_a",
        priority="emergency",
        category="environment_disaster",
        target_station_codes=[],
        target_area_codes=["A"],
    )
    api.submit("editor_a", emergency)
    khmer = api.create(
        "editor_b",
        language="km",
        title="សេចក្តីជូនដំណឹង",
        body="តម្លៃស្រូវថ្ងៃនេះ។",
        category="agriculture_market",
        priority="priority",
        target_station_codes=["sb"],
    )
    province = api.create(
        "admin",
        category="policy",
        target_station_codes=[],
        target_area_codes=["P"],
        valid_from="2099-12-05T00:00:00+07:00",
    )
    withdrawn = api.create("editor_a", category="other")
    api.call("editor_a", "POST", f"/bulletins/{withdrawn}/withdraw", json={})
    return Five(approved, emergency, khmer, province, withdrawn)


def test_each_filter_gives_exactly_its_bulletins(api: Api, five: Five) -> None:
    f = five
    newest_first = [f.withdrawn, f.province, f.khmer, f.emergency, f.approved]
    expected: list[tuple[dict[str, Any], list[int]]] = [
        ({}, newest_first),
        ({"status": "approved"}, [f.approved]),
        ({"status": "submitted"}, [f.emergency]),
        ({"status": "draft"}, [f.province, f.khmer]),
        ({"status": "withdrawn"}, [f.withdrawn]),
        ({"status": "rejected"}, []),
        # A station hears what targets it, its commune and its province.
        ({"station": "sa"}, [f.withdrawn, f.province, f.emergency, f.approved]),
        ({"station": "sb"}, [f.province, f.khmer]),
        ({"station": "sp"}, [f.province]),
        # An area covers itself, the areas below it and their stations.
        ({"area": "A"}, [f.withdrawn, f.emergency, f.approved]),
        ({"area": "B"}, [f.khmer]),
        ({"area": "P"}, newest_first),
        ({"language": "km"}, [f.khmer]),
        ({"language": "vi"}, [f.withdrawn, f.province, f.emergency, f.approved]),
        ({"category": "health"}, [f.approved]),
        ({"category": "agriculture_market"}, [f.khmer]),
        ({"priority": "emergency"}, [f.emergency]),
        ({"priority": "priority"}, [f.khmer]),
        ({"priority": "normal"}, [f.withdrawn, f.province, f.approved]),
        # Valid on a local day: no window means always; the window's end is exclusive.
        ({"date": "2099-12-02"}, [f.withdrawn, f.khmer, f.emergency, f.approved]),
        ({"date": "2099-12-03"}, [f.withdrawn, f.khmer, f.emergency]),
        ({"date": "2099-12-05"}, [f.withdrawn, f.province, f.khmer, f.emergency]),
        ({"status": "draft", "language": "vi"}, [f.province]),
        ({"station": "sa", "priority": "emergency"}, [f.emergency]),
    ]
    for params, ids in expected:
        assert api.ids("admin", **params) == ids, params


def test_mine_and_what_each_user_sees(api: Api, five: Five) -> None:
    f = five
    assert api.ids("editor_a", mine="true") == [f.withdrawn, f.emergency, f.approved]
    assert api.ids("editor_b", mine="true") == [f.khmer]
    assert api.ids("admin", mine="true") == [f.province]
    assert api.ids("approver_a", mine="true") == []
    # Without `mine`: what targets the user's areas or the province above them.
    assert api.ids("editor_a") == [f.withdrawn, f.province, f.emergency, f.approved]
    assert api.ids("approver_b") == [f.province, f.khmer]
    assert api.ids("approver_p") == [f.withdrawn, f.province, f.khmer, f.emergency, f.approved]
    assert api.ids("editor_b", status="draft") == [f.province, f.khmer]


def test_pagination_reports_total_offset_and_limit(api: Api, five: Five) -> None:
    f = five
    pages = [
        ({"limit": 2}, [f.withdrawn, f.province]),
        ({"limit": 2, "offset": 2}, [f.khmer, f.emergency]),
        ({"limit": 2, "offset": 4}, [f.approved]),
        ({"limit": 2, "offset": 10}, []),
        ({"limit": 200, "offset": 1}, [f.province, f.khmer, f.emergency, f.approved]),
    ]
    for params, ids in pages:
        page = api.call("admin", "GET", "/bulletins", params=params)
        assert [item["id"] for item in page["items"]] == ids, params
        assert (page["total"], page["offset"], page["limit"]) == (
            5,
            params.get("offset", 0),
            params["limit"],
        )
    filtered = api.call("admin", "GET", "/bulletins", params={"station": "sa", "limit": 1})
    assert (filtered["total"], [i["id"] for i in filtered["items"]]) == (4, [f.withdrawn])
    default = api.call("admin", "GET", "/bulletins")
    assert (default["offset"], default["limit"]) == (0, 50)


# ------------------------------------------------------------------ review queue and visibility
def test_the_review_queue_of_each_approver(api: Api) -> None:
    normal = api.create("editor_a")
    api.submit("editor_a", normal)
    urgent = api.create("editor_a", priority="emergency", category="environment_disaster")
    api.submit("editor_a", urgent)
    in_b = api.create("editor_b", target_station_codes=["sb"])
    api.submit("editor_b", in_b)
    own = api.create("approver_a")
    api.submit("approver_a", own)
    api.create("editor_a")  # a draft waits for nobody

    def queue(who: str) -> tuple[int, list[int]]:
        page = api.call(who, "GET", "/reviews/queue")
        return page["total"], [item["id"] for item in page["items"]]

    # Emergencies first, then the newest; never one's own (non-emergency) bulletin.
    assert queue("approver_a") == (2, [urgent, normal])
    assert queue("approver_b") == (1, [in_b])
    assert queue("approver_p") == (4, [urgent, own, in_b, normal])
    assert queue("admin") == (4, [urgent, own, in_b, normal])

    api.call("approver_a", "POST", f"/bulletins/{urgent}/approve", json={"version": 1})
    assert queue("approver_a") == (1, [normal])


def test_a_bulletin_outside_ones_areas_is_403(api: Api) -> None:
    only_sa = api.create("editor_a")
    for path in ("", "/versions", "/reviews", "/history", "/clips"):
        response = api.client.get(
            f"{BULLETINS}/{only_sa}{path}", headers=auth(api.world["editor_b"])
        )
        detail = assert_problem(response, 403, "permission_denied")
        assert detail == "Bản tin này không thuộc địa bàn bạn phụ trách"
    edit = api.client.patch(
        f"{BULLETINS}/{only_sa}", json={"title": "Chen ngang"}, headers=auth(api.world["editor_b"])
    )
    assert_problem(edit, 403, "permission_denied")
    assert only_sa not in api.ids("editor_b")
    # Creating for a station outside one's areas is refused the same way.
    outside = api.client.post(BULLETINS, json=bulletin_body(), headers=auth(api.world["editor_b"]))
    assert_problem(outside, 403, "permission_denied")


def test_submit_needs_ready_audio_and_approval_names_the_clip(
    client: TestClient, world: World, session: Session, settings: Settings
) -> None:
    editor, approver = auth(world["editor_a"]), auth(world["approver_a"])
    bulletin_id = Api(client, world, session).create("editor_a")
    other_id = Api(client, world, session).create("editor_a")
    bulletin = session.get(Bulletin, bulletin_id)
    other = session.get(Bulletin, other_id)
    assert bulletin is not None
    assert other is not None

    refused = client.post(f"{BULLETINS}/{bulletin_id}/submit", headers=editor)
    assert assert_problem(refused, 409, "conflict") == (
        "Bản tin chưa có âm thanh sẵn sàng cho phiên bản 1: hãy tạo âm thanh hoặc tải bản ghi âm "
        "trước khi gửi duyệt"
    )
    assert client.get(f"{BULLETINS}/{bulletin_id}", headers=editor).json()["status"] == "draft"

    clip = make_ready_clip(session, bulletin, settings.media_dir)
    foreign = make_ready_clip(session, other)
    failed = Clip(
        bulletin_id=bulletin_id, bulletin_version=1, source=ClipSource.tts, status=ClipStatus.failed
    )
    session.add(failed)
    session.commit()
    submitted = client.post(f"{BULLETINS}/{bulletin_id}/submit", headers=editor)
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")

    approve = f"{BULLETINS}/{bulletin_id}/approve"
    unnamed = client.post(approve, json={"version": 1}, headers=approver)
    assert assert_problem(unnamed, 409, "conflict").endswith(f"phiên bản 1: {clip.id}")
    for wrong in (foreign.id, failed.id):
        named = client.post(approve, json={"version": 1, "clip_id": wrong}, headers=approver)
        assert assert_problem(named, 409, "conflict").startswith(f"Bản âm thanh {wrong} không")
    approved = client.post(approve, json={"version": 1, "clip_id": clip.id}, headers=approver)
    assert (approved.status_code, approved.json()["approved_clip_id"]) == (200, clip.id)
    reviews = client.get(f"{BULLETINS}/{bulletin_id}/reviews", headers=editor).json()
    assert [(r["decision"], r["clip_id"]) for r in reviews] == [("approve", clip.id)]
    # What was approved can be heard: the very file the clip row names.
    audio = client.get(f"{API}/clips/{clip.id}/audio", headers=approver)
    assert audio.status_code == 200
    assert hashlib.sha256(audio.content).hexdigest() == clip.sha256

    # An edit makes version 2: the clip of version 1 no longer counts.
    edited = client.patch(f"{BULLETINS}/{bulletin_id}", json={"title": "Đổi"}, headers=editor)
    assert (edited.status_code, edited.json()["approved_clip_id"]) == (200, None)
    again = client.post(f"{BULLETINS}/{bulletin_id}/submit", headers=editor)
    assert "cho phiên bản 2" in assert_problem(again, 409, "conflict")
