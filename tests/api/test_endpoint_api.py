"""A station's endpoint device over HTTP (station token): the signed day package, the stream
redirect, heartbeats that staff see in the fleet view, and proof of play."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from playlists.export import verify_manifest
from studio.asrun import item_key
from studio.onair_models import AsRun, EndpointStatus
from studio.settings import Settings
from studio.types import utcnow
from tests.api.api_support import API, assert_problem
from tests.api.onair_support import (
    MS,
    annotations,
    bearer,
    event,
    issue_token,
    noon,
    pin_clock,
    post_events,
    programmed_day,
)
from tests.conftest import auth
from tests.factories import World

HEARTBEAT = {
    "status": "playing",
    "playing": "Tin A",
    "volume": 80,
    "buffer_s": 12.5,
    "clock_offset_ms": -35,
    "software": "loa-endpoint/0.1",
}
# Each route with what the station's own live token gets: no programme today, the redirect,
# the heartbeat stored, an item its programme does not have.
ROUTES = [
    ("GET", "/endpoint/programme", {}, 404),
    ("GET", "/endpoint/stream", {}, 307),
    ("POST", "/endpoint/heartbeat", {"json": HEARTBEAT}, 200),
    (
        "POST",
        "/endpoint/played",
        {
            "json": {
                "item_key": "2027-03-09T22:30:00.000Z/1",
                "started_at": "2027-03-10T05:30:00+07:00",
                "ended_at": "2027-03-10T05:31:00+07:00",
            }
        },
        422,
    ),
]


@pytest.fixture
def tokens(client: TestClient, world: World) -> dict[str, tuple[int, str]]:
    return {code: issue_token(client, world, code) for code in ("sa", "sb")}


def fleet(client: TestClient, world: World, who: str = "admin", **params: str) -> Any:
    response = client.get(f"{API}/fleet", params=params, headers=auth(world[who]))
    assert response.status_code == 200, response.text
    return response.json()


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def by_code(body: Any) -> dict[str, Any]:
    return {entry["code"]: entry for entry in body["items"]}


# ------------------------------------------------------------------ who may call
@pytest.mark.parametrize(("method", "path", "kw", "own"), ROUTES)
def test_only_a_live_station_token_is_an_endpoint(
    client: TestClient,
    world: World,
    tokens: dict[str, tuple[int, str]],
    method: str,
    path: str,
    kw: dict[str, Any],
    own: int,
) -> None:
    revoked_id, revoked = issue_token(client, world, "sa")
    gone = client.delete(f"{API}/stations/sa/tokens/{revoked_id}", headers=auth(world["admin"]))
    assert gone.status_code == 204
    cases = [
        ({}, 401),
        (bearer("loa_st_khong-phai-ma-that"), 401),
        (bearer(revoked), 401),
        (auth(world["admin"]), 403),
        (auth(world["editor_a"]), 403),
    ]
    for headers, status in cases:
        response = client.request(method, API + path, headers=headers, **kw)
        assert_problem(response, status)
    device = client.request(
        method, API + path, headers=bearer(tokens["sa"][1]), follow_redirects=False, **kw
    )
    assert device.status_code == own, device.text


# ------------------------------------------------------------------ programme and stream
def test_the_day_package_is_signed_with_the_callers_own_token(
    client: TestClient, session: Session, settings: Settings, world: World, tokens: Any
) -> None:
    day = programmed_day(session, settings, world).day.isoformat()
    token_id, token = tokens["sa"]
    response = client.get(f"{API}/endpoint/programme", params={"date": day}, headers=bearer(token))
    assert response.status_code == 200, response.text
    manifest = response.json()
    assert (manifest["station"], manifest["date"], manifest["token_id"]) == ("sa", day, token_id)
    assert verify_manifest(manifest, hashlib.sha256(token.encode()).hexdigest())
    assert [i["title"] for i in manifest["items"]] == ["Tin A", "Tin B", "Tin C", "Tin D", "Tin D"]
    unchanged = client.get(
        f"{API}/endpoint/programme",
        params={"date": day},
        headers={**bearer(token), "If-None-Match": response.headers["etag"]},
    )
    assert unchanged.status_code == 304
    # Station sb's token reads sb's programme, which was never built.
    other = client.get(
        f"{API}/endpoint/programme", params={"date": day}, headers=bearer(tokens["sb"][1])
    )
    assert assert_problem(other, 404, "not_found") == f"Đài sb chưa có chương trình ngày {day}"


def test_the_stream_redirects_to_the_stations_mount(
    client: TestClient, settings: Settings, tokens: Any
) -> None:
    for code in ("sa", "sb"):
        response = client.get(
            f"{API}/endpoint/stream", headers=bearer(tokens[code][1]), follow_redirects=False
        )
        assert response.status_code == 307
        port = settings.onair.icecast_port
        assert response.headers["location"] == f"http://127.0.0.1:{port}/{code}.mp3"


# ------------------------------------------------------------------ heartbeats and the fleet
def test_heartbeats_flip_stations_online_and_offline(
    client: TestClient, session: Session, world: World, tokens: Any
) -> None:
    before = by_code(fleet(client, world))
    assert [(c, e["online"], e["last_seen"]) for c, e in before.items()] == [
        ("sa", False, None),
        ("sb", False, None),
        ("sp", False, None),
    ]
    ack = client.post(f"{API}/endpoint/heartbeat", json=HEARTBEAT, headers=bearer(tokens["sa"][1]))
    assert ack.status_code == 200, ack.text
    assert (ack.json()["station_code"], ack.json()["offline_after_s"]) == ("sa", 180)
    assert ack.json()["last_seen"] == ack.json()["server_time"]

    sa = by_code(fleet(client, world))["sa"]
    assert {k: sa[k] for k in ("online", "playing", "volume", "buffer_s", "clock_offset_ms")} == {
        "online": True,
        "playing": "Tin A",
        "volume": 80,
        "buffer_s": 12.5,
        "clock_offset_ms": -35,
    }
    assert (sa["software"], sa["last_seen"]) == ("loa-endpoint/0.1", ack.json()["last_seen"])
    assert [e["code"] for e in fleet(client, world, online="true")["items"]] == ["sa"]
    assert [e["code"] for e in fleet(client, world, online="false")["items"]] == ["sb", "sp"]

    # Three minutes without a heartbeat.
    row = session.get(EndpointStatus, world.stations["sa"].id)
    assert row is not None
    assert row.token_id == tokens["sa"][0]
    row.last_seen = utcnow() - timedelta(minutes=3)
    session.add(row)
    session.commit()
    assert by_code(fleet(client, world))["sa"]["online"] is False
    assert fleet(client, world, online="true")["items"] == []

    idle = {**HEARTBEAT, "status": "idle"}
    client.post(f"{API}/endpoint/heartbeat", json=idle, headers=bearer(tokens["sa"][1]))
    sa = by_code(fleet(client, world))["sa"]
    assert (sa["online"], sa["playing"]) == (True, "")


def test_a_token_reports_for_its_own_station_only(
    client: TestClient, session: Session, world: World, tokens: Any
) -> None:
    response = client.post(
        f"{API}/endpoint/heartbeat", json=HEARTBEAT, headers=bearer(tokens["sb"][1])
    )
    assert response.json()["station_code"] == "sb"
    online = {code: e["online"] for code, e in by_code(fleet(client, world)).items()}
    assert online == {"sa": False, "sb": True, "sp": False}
    rows = session.exec(select(EndpointStatus)).all()
    assert [(r.station_id, r.token_id) for r in rows] == [
        (world.stations["sb"].id, tokens["sb"][0])
    ]


def test_staff_see_the_fleet_of_their_areas_with_what_is_on_air(
    client: TestClient, settings: Settings, world: World
) -> None:
    assert [e["code"] for e in fleet(client, world, "editor_a")["items"]] == ["sa"]
    assert [e["code"] for e in fleet(client, world, "approver_b")["items"]] == ["sb"]
    assert fleet(client, world, "approver_p")["total"] == 3
    page = fleet(client, world, "admin", limit="2", offset="1")
    assert ([e["code"] for e in page["items"]], page["total"]) == (["sb", "sp"], 3)

    now = utcnow()
    on_air = {"item_key": "k-tin-a", "title": "Tin A", "duration_ms": "60000"}
    post_events(
        client,
        settings,
        event("track_start", now - 5000 * MS, **on_air),
        event("blank", now - 1000 * MS, **on_air),
    )
    sa = by_code(fleet(client, world, "editor_a"))["sa"]
    started, silent = (
        datetime.fromtimestamp(round((now - ms * MS).timestamp(), 3), UTC) for ms in (5000, 1000)
    )
    assert sa["on_air"] == {
        "item_key": "k-tin-a",
        "title": "Tin A",
        "queue": "programme",
        "started_at": z(started),
        "planned_start": None,
        "lateness_ms": None,
    }
    assert (sa["open_alerts"], sa["dead_air_since"]) == (1, z(silent))
    assert by_code(fleet(client, world))["sb"]["on_air"] is None


# ------------------------------------------------------------------ proof of play
def test_proof_of_play_is_recorded_once_against_the_plan(
    client: TestClient, session: Session, settings: Settings, world: World, tokens: Any
) -> None:
    day = programmed_day(session, settings, world)
    pin_clock(client, noon(day.day))
    item = day.items[0]
    report = {
        "item_key": item_key(item),
        "started_at": (item.start + 300 * MS).isoformat(),
        "ended_at": (item.start + 60_300 * MS).isoformat(),
        "sha256": item.clip_sha256,
        "bulletin_id": item.bulletin_id,
    }
    sa = bearer(tokens["sa"][1])
    first = client.post(f"{API}/endpoint/played", json=report, headers=sa)
    assert first.status_code == 201, first.text
    body = first.json()
    assert {k: body[k] for k in ("station_code", "item_key", "status", "lateness_ms")} == {
        "station_code": "sa",
        "item_key": item_key(item),
        "status": "aired",
        "lateness_ms": 300,
    }
    assert body["created"] is True
    again = client.post(f"{API}/endpoint/played", json=report, headers=sa)
    assert (again.status_code, again.json()["id"], again.json()["created"]) == (
        200,
        body["id"],
        False,
    )
    late = {**report, "started_at": (item.start + 2000 * MS).isoformat()}
    assert client.post(f"{API}/endpoint/played", json=late, headers=sa).json()["status"] == "late"

    row = session.get(AsRun, body["id"])
    assert row is not None
    assert (row.source.value, row.planned_start, row.bulletin_id, row.day) == (
        "endpoint",
        item.start,
        item.bulletin_id,
        day.day,
    )
    # Station sb has no such item; nor has sa an item at another instant.
    for token, key in ((tokens["sb"][1], item_key(item)), (tokens["sa"][1], "2030-01-01/1")):
        refused = client.post(
            f"{API}/endpoint/played", json={**report, "item_key": key}, headers=bearer(token)
        )
        assert "không có mục này trong chương trình" in assert_problem(refused, 422)
    session.expire_all()
    assert session.exec(select(func.count()).select_from(AsRun)).one() == 2


def test_proof_of_play_shows_in_the_as_run_report(
    client: TestClient, session: Session, settings: Settings, world: World, tokens: Any
) -> None:
    day = programmed_day(session, settings, world)
    pin_clock(client, noon(day.day))
    item = day.items[0]
    post_events(client, settings, event("track_start", item.start, **annotations(item)))
    report = {
        "item_key": item_key(item),
        "started_at": item.start.isoformat(),
        "ended_at": (item.start + 60_000 * MS).isoformat(),
    }
    played = client.post(f"{API}/endpoint/played", json=report, headers=bearer(tokens["sa"][1]))
    assert played.status_code == 201, played.text
    lines = client.get(
        f"{API}/stations/sa/as-run",
        params={"date": day.day.isoformat()},
        headers=auth(world["admin"]),
    ).json()["items"]
    assert [(x["item_key"], x["source"], x["status"]) for x in lines[:2]] == [
        (item_key(item), "liquidsoap", "playing"),
        (item_key(item), "endpoint", "aired"),
    ]
