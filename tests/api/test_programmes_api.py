"""Programmes over HTTP: building, the signed manifest (verified as an endpoint would), M3U8 and
XSPF read back, ETags, versions with their diff, and the content-addressed media route."""

from __future__ import annotations

import copy
import hashlib
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from media.store import MediaStore
from playlists.export import verify_manifest
from studio import programmes
from studio.onair_models import Emergency
from studio.schedule_models import SessionAudio
from studio.security import STATION_TOKEN_PREFIX
from studio.settings import Settings
from studio.types import CapStatus, EmergencyState
from tests.api.api_support import API, assert_problem
from tests.conftest import auth
from tests.factories import World, clip_mp3
from tests.programmes.support import DAY, approved, two_sessions

XSPF = "{http://xspf.org/ns/0/}"


@pytest.fixture
def soon() -> date:
    """A day the API builds with the real clock: after today, within the 31 days allowed."""
    return programmes.local_today("Asia/Ho_Chi_Minh") + timedelta(days=2)


@pytest.fixture
def tin_a(session: Session, settings: Settings, world: World) -> int:
    two_sessions(session)
    bulletin = approved(session, world, title="Tin A", media_dir=settings.media_dir)
    assert bulletin.id is not None
    return bulletin.id


class Api:
    def __init__(self, client: TestClient, world: World, day: date) -> None:
        self.client = client
        self.world = world
        self.day = day.isoformat()

    def headers(self, who: str) -> dict[str, str]:
        if who.startswith(STATION_TOKEN_PREFIX):
            return {"Authorization": f"Bearer {who}"}
        return auth(self.world[who])

    def build(self, station: str = "sa", who: str = "approver_a", status: int = 200) -> Any:
        response = self.client.post(
            f"{API}/stations/{station}/programme/build",
            params={"date": self.day},
            headers=self.headers(who),
        )
        assert response.status_code == status, response.text
        return response.json()

    def programme(self, station: str = "sa", who: str = "admin", **params: str) -> Any:
        return self.client.get(
            f"{API}/stations/{station}/programme",
            params={"date": self.day, **params},
            headers=self.headers(who),
        )

    def token(self, station: str = "sa") -> str:
        response = self.client.post(
            f"{API}/stations/{station}/tokens",
            json={"label": "thiết bị"},
            headers=auth(self.world["admin"]),
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


@pytest.fixture
def api(client: TestClient, world: World, soon: date) -> Api:
    return Api(client, world, soon)


def key_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ------------------------------------------------------------------ building
def test_build_returns_the_programme_and_stores_version_1(api: Api, tin_a: int, soon: date) -> None:
    built = api.build()
    assert {k: built[k] for k in ("station_code", "date", "version", "created")} == {
        "station_code": "sa",
        "date": soon.isoformat(),
        "version": 1,
        "created": True,
    }
    assert [s["name"] for s in built["sessions"]] == ["Sáng", "Chiều"]
    assert [(i["session"], i["title"], i["bulletin_id"]) for i in built["items"]] == [
        ("Sáng", "Tin A", tin_a)
    ]
    assert (built["unplaced"], built["excluded"], built["refused"]) == ([], [], [])
    assert built["changes"] == len(built["diff_text"].splitlines())
    assert '+ thêm "Tin A"' in built["diff_text"]

    again = api.build()
    assert (again["version"], again["created"], again["changes"], again["diff_text"]) == (
        1,
        False,
        0,
        "",
    )


def test_who_may_build(api: Api, tin_a: int) -> None:
    for who in ("editor_a", "approver_b"):
        response = api.client.post(
            f"{API}/stations/sa/programme/build",
            params={"date": api.day},
            headers=api.headers(who),
        )
        assert_problem(response, 403, "permission_denied")
    assert api.build(who="approver_p")["version"] == 1  # the province covers commune A


def test_a_past_day_or_one_too_far_ahead_is_422(api: Api, tin_a: int) -> None:
    yesterday = programmes.local_today("Asia/Ho_Chi_Minh") - timedelta(days=1)
    for day, message in [
        (yesterday, f"Ngày {yesterday.isoformat()} đã qua; không thể lập lại chương trình"),
        (DAY + timedelta(days=400), "Chỉ lập chương trình trước tối đa 31 ngày"),
    ]:
        response = api.client.post(
            f"{API}/stations/sa/programme/build",
            params={"date": day.isoformat()},
            headers=api.headers("admin"),
        )
        assert assert_problem(response, 422, "invalid_input") == message


def test_a_second_approval_makes_version_2_with_its_diff(
    api: Api, session: Session, settings: Settings, world: World, tin_a: int
) -> None:
    api.build()
    approved(session, world, title="Tin B", priority="priority", media_dir=settings.media_dir)
    second = api.build()
    assert (second["version"], second["created"]) == (2, True)
    assert second["diff_text"].splitlines()[0].startswith('+ thêm "Tin B"')
    assert [i["title"] for i in second["items"]] == ["Tin B", "Tin A"]

    response = api.client.get(
        f"{API}/stations/sa/programme/versions",
        params={"date": api.day},
        headers=api.headers("editor_a"),
    )
    assert response.status_code == 200, response.text
    listed = response.json()
    assert [(v["version"], v["is_current"]) for v in listed] == [(2, True), (1, False)]
    assert listed[0]["diff_text"] == second["diff_text"]
    assert listed[0]["built_by"] == "api:approver_a"
    assert listed[0]["changes"] == second["changes"]
    manifest = api.programme().json()
    assert (manifest["version"], [i["title"] for i in manifest["items"]]) == (2, ["Tin B", "Tin A"])


# ------------------------------------------------------------------ the signed manifest
def test_the_station_token_gets_a_manifest_signed_with_its_own_token(
    api: Api, tin_a: int, soon: date
) -> None:
    api.build()
    first, second = api.token(), api.token()

    for token in (first, second):
        response = api.programme(who=token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        manifest = response.json()
        assert verify_manifest(manifest, key_of(token))
        other = second if token == first else first
        assert not verify_manifest(manifest, key_of(other))
    assert manifest["station"] == "sa"
    assert manifest["date"] == soon.isoformat()
    assert manifest["version"] == 1
    assert [i["title"] for i in manifest["items"]] == ["Tin A"]

    tampered = copy.deepcopy(manifest)
    tampered["items"][0]["title"] = "Tin giả"
    assert not verify_manifest(tampered, key_of(second))
    tampered = copy.deepcopy(manifest)
    tampered["version"] = 3
    assert not verify_manifest(tampered, key_of(second))

    # Staff get it signed with the station's newest token.
    staff = api.programme(who="editor_a").json()
    assert staff["token_id"] == manifest["token_id"]
    assert verify_manifest(staff, key_of(second))


def test_a_station_without_a_token_gets_an_unsigned_manifest_for_staff(api: Api) -> None:
    api.build("sb", who="approver_b")
    manifest = api.programme("sb", who="approver_b").json()
    assert (manifest["signature"], manifest["token_id"]) == (None, None)
    assert manifest["items"] == []
    assert [s["name"] for s in manifest["sessions"]] == []  # no windows anywhere


def test_who_may_read_a_programme(api: Api, tin_a: int) -> None:
    api.build()
    own, other = api.token("sa"), api.token("sb")
    assert api.programme(who=own).status_code == 200
    assert api.programme(who="editor_a").status_code == 200
    assert_problem(api.programme(who=other), 403, "permission_denied")
    assert_problem(api.programme(who="approver_b"), 403, "permission_denied")
    assert_problem(api.client.get(f"{API}/stations/sa/programme"), 401, "not_authenticated")
    revoked_id = api.client.post(
        f"{API}/stations/sa/tokens", json={}, headers=auth(api.world["admin"])
    ).json()
    api.client.delete(
        f"{API}/stations/sa/tokens/{revoked_id['id']}", headers=auth(api.world["admin"])
    )
    assert_problem(api.programme(who=revoked_id["token"]), 401, "not_authenticated")


def test_no_programme_for_the_day_is_404_naming_it(api: Api) -> None:
    detail = assert_problem(api.programme(), 404, "not_found")
    assert detail == f"Đài sa chưa có chương trình ngày {api.day}"
    assert_problem(api.programme("zz"), 404, "not_found")


def test_an_unknown_format_is_422(api: Api, tin_a: int) -> None:
    api.build()
    response = api.programme(format="pls")
    assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in response.json()["errors"]] == ["format"]


# ------------------------------------------------------------------ M3U8 and XSPF
def test_m3u8_lists_every_item_with_its_duration_and_title(
    api: Api, session: Session, settings: Settings, world: World, tin_a: int
) -> None:
    approved(session, world, title="Tin B\ttab", priority="priority", media_dir=settings.media_dir)
    items = api.build()["items"]
    response = api.programme(format="m3u8", who="editor_a")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl; charset=utf-8"
    lines = response.text.splitlines()
    assert lines[0] == "#EXTM3U"
    assert lines[-1] == "#EXT-X-ENDLIST"
    entries = [(line, lines[n + 1]) for n, line in enumerate(lines) if line.startswith("#EXTINF:")]
    base = settings.public_base_url
    assert entries == [
        (
            f"#EXTINF:{i['duration_ms'] // 1000}.{i['duration_ms'] % 1000:03d},"
            + " ".join(i["title"].split()),
            f"{base}/api/v1/media/{i['clip_sha256']}.mp3",
        )
        for i in items
    ]
    assert [e[0].split(",", 1)[1] for e in entries] == ["Tin B tab", "Tin A"]
    starts = [line.split(":", 1)[1] for line in lines if line.startswith("#EXT-X-PROGRAM-")]
    assert starts == [i["start"] for i in items]


def test_xspf_parses_with_its_namespace_and_durations(
    api: Api, settings: Settings, tin_a: int
) -> None:
    items = api.build()["items"]
    response = api.programme(format="xspf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xspf+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert (root.tag, root.get("version")) == (f"{XSPF}playlist", "1")
    tracks = root.findall(f"{XSPF}trackList/{XSPF}track")
    assert [
        (
            t.findtext(f"{XSPF}title"),
            int(t.findtext(f"{XSPF}duration") or -1),
            t.findtext(f"{XSPF}location"),
        )
        for t in tracks
    ] == [
        (
            i["title"],
            i["duration_ms"],
            f"{settings.public_base_url}/api/v1/media/{i['clip_sha256']}.mp3",
        )
        for i in items
    ]


# ------------------------------------------------------------------ ETag
def test_etags_answer_304_until_the_programme_changes(
    api: Api, session: Session, settings: Settings, world: World, tin_a: int
) -> None:
    api.build()
    token = api.token()
    tags = {}
    for fmt in ("json", "m3u8", "xspf"):
        first = api.programme(who=token, format=fmt)
        tag = first.headers["etag"]
        tags[fmt] = tag
        again = api.client.get(
            f"{API}/stations/sa/programme",
            params={"date": api.day, "format": fmt},
            headers={**api.headers(token), "If-None-Match": f'"other", {tag}'},
        )
        assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", tag)
        stale = api.client.get(
            f"{API}/stations/sa/programme",
            params={"date": api.day, "format": fmt},
            headers={**api.headers(token), "If-None-Match": '"other"'},
        )
        assert (stale.status_code, stale.content) == (200, first.content)
    assert len(set(tags.values())) == 3
    digest = api.programme(who=token).json()["digest"]
    assert tags["m3u8"] == f'"{digest}-m3u8"'

    # Another token signs differently: the JSON tag differs, the playlists' do not.
    staff_tag = api.programme(who="admin").headers["etag"]
    assert staff_tag == tags["json"]  # staff: the station's newest token, the same one
    second = api.token()
    assert api.programme(who=second).headers["etag"] != tags["json"]

    approved(session, world, title="Tin B", media_dir=settings.media_dir)
    api.build()
    after = api.client.get(
        f"{API}/stations/sa/programme",
        params={"date": api.day, "format": "m3u8"},
        headers={**api.headers(token), "If-None-Match": tags["m3u8"]},
    )
    assert after.status_code == 200
    assert after.headers["etag"] != tags["m3u8"]


def test_a_session_file_rendered_later_changes_the_manifest_and_its_etag(
    api: Api, session: Session, settings: Settings, tin_a: int, soon: date
) -> None:
    """Rendering adds the session's audio to the manifest without a new version."""
    api.build()
    before = api.programme()
    station = api.world.stations["sa"]
    row = programmes.require_current(session, station, soon)
    programme = programmes.programme_of(row)
    morning = programme.sessions[0]
    items = [i for i in programme.items if i.session == morning.name]
    stored = MediaStore(settings.media_dir).put(clip_mp3()[0], "mp3")
    key = programmes.session_content_key(items, morning.start, programmes.session_format(settings))
    session.add(
        SessionAudio(
            content_key=key, sha256=stored.sha256, size_bytes=stored.size, duration_ms=1000
        )
    )
    session.commit()

    after = api.programme()
    assert after.headers["etag"] != before.headers["etag"]
    assert before.json()["sessions"][0]["audio"] is None
    assert after.json()["sessions"][0]["audio"] == {
        "url": f"{settings.public_base_url}/api/v1/media/{stored.sha256}.mp3",
        "sha256": stored.sha256,
        "size": stored.size,
        "duration_ms": 1000,
    }


# ------------------------------------------------------------------ media
def test_media_serves_clips_with_range_to_station_tokens_and_staff(
    api: Api, settings: Settings, tin_a: int
) -> None:
    api.build()
    token = api.token("sb")  # any station may fetch audio by its address
    item = api.programme(who="editor_a").json()["items"][0]
    path = item["url"].removeprefix(settings.public_base_url)
    data = MediaStore(settings.media_dir).path_for(item["sha256"], "mp3").read_bytes()
    assert len(data) == item["size"]

    whole = api.client.get(path, headers=api.headers(token))
    assert (whole.status_code, whole.headers["content-type"]) == (200, "audio/mpeg")
    assert whole.content == data
    assert whole.headers["accept-ranges"] == "bytes"
    part = api.client.get(path, headers={**api.headers("editor_b"), "Range": "bytes=100-199"})
    assert (part.status_code, part.content) == (206, data[100:200])
    assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
    tail = api.client.get(path, headers={**api.headers(token), "Range": "bytes=-64"})
    assert (tail.status_code, tail.content) == (206, data[-64:])


def test_media_refuses_the_unknown_and_the_anonymous(
    api: Api, settings: Settings, tmp_path: Path, tin_a: int
) -> None:
    api.build()
    item = api.programme().json()["items"][0]
    assert_problem(api.client.get(f"{API}/media/{item['sha256']}.mp3"), 401, "not_authenticated")
    unknown = "0" * 64
    detail = assert_problem(
        api.client.get(f"{API}/media/{unknown}.mp3", headers=api.headers("admin")), 404, "not_found"
    )
    assert unknown in detail
    # In the store but no clip, jingle or session file of it: not served.
    other = tmp_path / "khac.mp3"
    other.write_bytes(b"ID3 not broadcast audio")
    stored = MediaStore(settings.media_dir).put(other, "mp3")
    response = api.client.get(f"{API}/media/{stored.sha256}.mp3", headers=api.headers("admin"))
    assert_problem(response, 404, "not_found")
    for bad in ("abc", item["sha256"].upper(), item["sha256"] + "0", "../" + "0" * 61):
        response = api.client.get(f"{API}/media/{bad}.mp3", headers=api.headers("admin"))
        assert response.status_code in (404, 422), bad
        assert_problem(response, response.status_code)
    response = api.client.get(f"{API}/media/{'g' * 64}.mp3", headers=api.headers("admin"))
    assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in response.json()["errors"]] == ["sha256"]


def test_media_serves_an_emergencys_audio_to_station_tokens(
    api: Api, session: Session, settings: Settings, world: World, tmp_path: Path
) -> None:
    """A device that missed the live stream can fetch the emergency it must play."""
    source = tmp_path / "khan.mp3"
    source.write_bytes(b"ID3 emergency audio stand-in")
    stored = MediaStore(settings.media_dir).put(source, "mp3")
    path = f"{API}/media/{stored.sha256}.mp3"
    token = api.token("sa")
    assert_problem(api.client.get(path, headers=api.headers(token)), 404, "not_found")
    session.add(
        Emergency(
            cap_status=CapStatus.actual,
            state=EmergencyState.active,
            title="Bão số 9",
            clip_sha256=stored.sha256,
            duration_ms=1000,
            created_by_id=world["admin"].id or 0,
        )
    )
    session.commit()

    served = api.client.get(path, headers=api.headers(token))

    assert (served.status_code, served.content) == (200, source.read_bytes())
