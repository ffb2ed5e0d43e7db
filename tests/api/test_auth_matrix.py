"""Who may call what: every route of the app against every kind of caller, exact statuses.

A route added without a row here fails `test_the_matrix_covers_every_route`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.routing import Mount, Route

from media.store import MediaStore
from studio import bulletins, clips, jingles, lexicon, programmes, stations, windows
from studio.asrun import item_key
from studio.audit import Actor
from studio.models import LexiconEntryCreate, RenderRequest
from studio.onair_models import OnAirAlert
from studio.schedule_models import ExceptionCreate, WindowCreate
from studio.settings import Settings
from studio.types import AlertKind, ExceptionKind, Language
from studio.voices import build_kit
from tests.api.api_support import API, assert_problem, bulletin_body, wav_bytes
from tests.api.onair_support import noon, pin_clock
from tests.conftest import auth, require_binary
from tests.factories import (
    PASSWORD,
    SYSTEM,
    World,
    clip_mp3,
    make_area,
    make_bulletin,
    make_station,
    ready_clip_id,
)
from tests.programmes.support import add_window, approved
from tests.voices_support import offline, render_now

CALLERS = ("anonymous", "editor", "approver_b", "approver_a", "admin", "station")
USERS = {
    "editor": "editor_a",
    "approver_b": "approver_b",
    "approver_a": "approver_a",
    "admin": "admin",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return offline(settings)  # no test may reach the real edge-tts service


@dataclass
class Call:
    method: str
    url: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ctx:
    """What a row needs to build a request: fresh rows made through the real services."""

    client: TestClient
    session: Session
    engine: Engine
    settings: Settings
    world: World
    station_token: str
    serial: Iterator[int] = field(default_factory=itertools.count)
    _ready_clip: int | None = None

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "station":
            return {"Authorization": f"Bearer {self.station_token}"}
        return auth(self.world[USERS[caller]])

    def unique(self, prefix: str) -> str:
        return f"{prefix}{next(self.serial)}"

    def draft(self) -> int:
        """A fresh draft by editor_a targeting station sa (commune A), its audio ready."""
        bulletin = make_bulletin(self.session, self.world["editor_a"])
        assert bulletin.id is not None
        ready_clip_id(self.session, bulletin.id)
        self.session.commit()
        return bulletin.id

    def submitted(self) -> int:
        bulletin_id = self.draft()
        bulletins.submit(self.session, Actor(user=self.world["editor_a"]), bulletin_id)
        self.session.commit()
        return bulletin_id

    def clip_of(self, bulletin_id: int) -> int:
        return ready_clip_id(self.session, bulletin_id)

    def queued_clip(self) -> int:
        kit = build_kit(self.settings)
        clip = clips.request_render(
            self.session, Actor(user=self.world["editor_a"]), self.draft(), RenderRequest(), kit
        )
        self.session.commit()
        assert clip.id is not None
        return clip.id

    def jingle(self) -> int:
        """A fresh jingle through the real chain (ffmpeg), from a short WAV."""
        require_binary("ffmpeg")
        path = self.settings.var_dir / f"{self.unique('jingle')}.wav"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wav_bytes())
        row = jingles.add_jingle(self.session, self.settings, SYSTEM, path, "Nhạc hiệu")
        self.session.commit()
        assert row.id is not None
        return row.id

    def ready_clip(self) -> int:
        """One real rendered clip (espeak-ng + ffmpeg), made once per test."""
        if self._ready_clip is None:
            require_binary("espeak-ng")
            require_binary("ffmpeg")
            clip = render_now(
                self.session, self.engine, self.settings, self.world["editor_a"], self.draft()
            )
            assert clip.id is not None
            self._ready_clip = clip.id
        return self._ready_clip


Expect = dict[str, int]


def everyone(status: int) -> Expect:
    """Public: the credentials do not matter."""
    return dict.fromkeys(CALLERS, status)


def staff(editor: int, approver_b: int, approver_a: int, admin: int, station: int = 403) -> Expect:
    return {
        "anonymous": 401,
        "editor": editor,
        "approver_b": approver_b,
        "approver_a": approver_a,
        "admin": admin,
        "station": station,
    }


def any_user(status: int) -> Expect:
    return staff(status, status, status, status)


def admin_only(status: int) -> Expect:
    return staff(403, 403, 403, status)


@dataclass(frozen=True)
class Row:
    method: str
    route: str
    expect: Expect
    make: Callable[[Ctx], Call]
    label: str = ""

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}" + (f" [{self.label}]" if self.label else "")


def get(url: str, **kw: Any) -> Callable[[Ctx], Call]:
    return lambda c: Call("GET", url, kw)


def _b(path: str, method: str = "GET", **kw: Any) -> Callable[[Ctx], Call]:
    """A call on a fresh draft: `path` is what follows /bulletins/{id}."""
    return lambda c: Call(method, f"{API}/bulletins/{c.draft()}{path}", kw)


def _s(path: str, method: str = "POST", **kw: Any) -> Callable[[Ctx], Call]:
    """A call on a fresh submitted bulletin."""
    return lambda c: Call(method, f"{API}/bulletins/{c.submitted()}{path}", kw)


def _approve(c: Ctx) -> Call:
    """Approve a fresh submitted bulletin, naming the clip listened to."""
    bulletin_id = c.submitted()
    body = {"version": 1, "clip_id": c.clip_of(bulletin_id)}
    return Call("POST", f"{API}/bulletins/{bulletin_id}/approve", {"json": body})


def _new_user(c: Ctx) -> Call:
    body = {
        "username": c.unique("user"),
        "password": "mot-mat-khau-dai",
        "role": "editor",
        "area_codes": ["A"],
    }
    return Call("POST", f"{API}/users", {"json": body})


def _new_area(c: Ctx) -> Call:
    body = {"code": c.unique("X"), "name": "Xã Mới", "level": "commune", "parent_code": "P"}
    return Call("POST", f"{API}/areas", {"json": body})


def _delete_area(c: Ctx) -> Call:
    code = c.unique("D")
    make_area(c.session, code, parent="P")
    c.session.commit()
    return Call("DELETE", f"{API}/areas/{code}")


def _new_station(c: Ctx) -> Call:
    body = {"code": c.unique("sn"), "name": "Cụm loa mới", "area_code": "A"}
    return Call("POST", f"{API}/stations", {"json": body})


def _delete_station(c: Ctx) -> Call:
    code = c.unique("sd")
    make_station(c.session, code, "A")
    c.session.commit()
    return Call("DELETE", f"{API}/stations/{code}")


def _revoke_token(c: Ctx) -> Call:
    token, _ = stations.issue_token(c.session, SYSTEM, "sa", "thiết bị")
    c.session.commit()
    return Call("DELETE", f"{API}/stations/sa/tokens/{token.id}")


def _new_lexicon(c: Ctx) -> Call:
    body = {"language": "vi", "term": c.unique("TT"), "reading": "thị trấn"}
    return Call("POST", f"{API}/lexicon", {"json": body})


def _delete_lexicon(c: Ctx) -> Call:
    entry = lexicon.add_entry(
        c.session,
        SYSTEM,
        LexiconEntryCreate(language=Language.vi, term=c.unique("HTX"), reading="hợp tác xã"),
    )
    c.session.commit()
    return Call("DELETE", f"{API}/lexicon/{entry.id}")


def _recording(c: Ctx) -> Call:
    require_binary("ffprobe")
    files = {"file": ("ban-ghi.wav", wav_bytes(), "audio/wav")}
    return Call("POST", f"{API}/bulletins/{c.draft()}/recording", {"files": files})


def _window_body(c: Ctx) -> dict[str, Any]:
    return {"name": c.unique("Buổi "), "start_time": "06:00", "length_minutes": 15}


def _new_window(c: Ctx) -> int:
    owner = windows.owner_of(c.session, "area", "A")
    row = windows.create_window(
        c.session,
        SYSTEM,
        owner,
        WindowCreate(name=c.unique("Buổi "), start_time=time(6, 0), length_minutes=15),
    )
    c.session.commit()
    assert row.id is not None
    return row.id


EXCEPTION = {"kind": "drop", "name": "Sáng", "first_day": "2027-03-10"}


def soon() -> date:
    """A day the API builds with the real clock (past days and far ones are refused)."""
    return programmes.local_today("Asia/Ho_Chi_Minh") + timedelta(days=2)


def _new_exception(c: Ctx) -> Call:
    owner = windows.owner_of(c.session, "station", "sa")
    data = ExceptionCreate(kind=ExceptionKind.drop, name="Sáng", first_day=soon())
    row = windows.create_exception(c.session, SYSTEM, owner, data)
    c.session.commit()
    return Call("DELETE", f"{API}/window-exceptions/{row.id}")


def _programme(path: str, code: str = "sa", **params: str) -> Callable[[Ctx], Call]:
    """A read of the station's programme (built first, through the real builder)."""

    def make(c: Ctx) -> Call:
        station = stations.get_station(c.session, code)
        programmes.build(c.session, c.settings, SYSTEM, station, soon())
        c.session.commit()
        query = {"date": soon().isoformat(), **params}
        return Call("GET", f"{API}/stations/{code}/programme{path}", {"params": query})

    return make


def _media(c: Ctx) -> Call:
    """The MP3 of a ready clip, in the media store."""
    c.draft()
    stored = MediaStore(c.settings.media_dir).put(clip_mp3()[0], "mp3")
    return Call("GET", f"{API}/media/{stored.sha256}.mp3")


def _onair_event(c: Ctx) -> Call:
    """Sound on station sa (nothing to resolve): the intake takes only the events token."""
    body = {"event": "noise", "station": "sa", "queue": "", "time": 1804638600.0}
    return Call("POST", f"{API}/internal/onair/events", {"json": body})


def _resolve_alert(c: Ctx) -> Call:
    alert = OnAirAlert(station_id=c.world.stations["sa"].id, kind=AlertKind.dead_air)
    c.session.add(alert)
    c.session.commit()
    return Call("POST", f"{API}/alerts/{alert.id}/resolve", {"json": {"note": "đã xử lý"}})


def _endpoint_programme(c: Ctx) -> Call:
    station = stations.get_station(c.session, "sa")
    programmes.build(c.session, c.settings, SYSTEM, station, soon())
    c.session.commit()
    return Call("GET", f"{API}/endpoint/programme", {"params": {"date": soon().isoformat()}})


def _played(c: Ctx) -> Call:
    """Proof of play of the first item of sa's programme (made once), seen at noon that day."""
    station = stations.get_station(c.session, "sa")
    assert station.id is not None
    version = programmes.current_version(c.session, station.id, soon())
    if version is None:
        add_window(c.session, "station", "sa", "Sáng", time(5, 30), 15)
        approved(c.session, c.world, title="Tin đã phát")
        programmes.build(c.session, c.settings, SYSTEM, station, soon())
        c.session.commit()
        version = programmes.current_version(c.session, station.id, soon())
    assert version is not None
    item = programmes.programme_of(version).items[0]
    pin_clock(c.client, noon(soon()))
    body = {
        "item_key": item_key(item),
        "started_at": item.start.isoformat(),
        "ended_at": item.end.isoformat(),
    }
    return Call("POST", f"{API}/endpoint/played", {"json": body})


def endpoint_only(status: int) -> Expect:
    """The routes of a station's device: its own token, never a user's sign-in."""
    return staff(403, 403, 403, 403, station=status)


LOGIN = {"username": "editor_a", "password": PASSWORD}
PREVIEW = {"text": "UBND xã họp lúc 7h30.", "language": "vi"}


def _emergency(c: Ctx) -> int:
    """An active emergency for station sa, its audio in the media store."""
    from studio.onair_models import Emergency, EmergencyTarget
    from studio.types import CapStatus, EmergencyState

    path, duration_ms = clip_mp3()
    row = Emergency(
        cap_status=CapStatus.actual,
        state=EmergencyState.active,
        title="Bão số 3",
        clip_sha256=MediaStore(c.settings.media_dir).put(path, "mp3").sha256,
        duration_ms=duration_ms,
        created_by_id=c.world["admin"].id or 0,
    )
    c.session.add(row)
    c.session.flush()
    station_id = c.world.stations["sa"].id or 0
    c.session.add(EmergencyTarget(emergency_id=row.id or 0, station_id=station_id))
    c.session.commit()
    return row.id or 0


def _emergency_audio(c: Ctx) -> Call:
    require_binary("ffprobe")
    files = {"file": ("canh-bao.wav", wav_bytes(), "audio/wav")}
    form = {"target_station_codes": ["sa"]}
    return Call("POST", f"{API}/emergencies/audio", {"files": files, "data": form})


EMERGENCY = {"text": "Khẩn cấp: lũ lên nhanh.", "target_station_codes": ["sa"]}

ROWS: list[Row] = [
    # Public.
    Row("GET", "/api/v1/health", everyone(200), get(f"{API}/health")),
    Row("GET", "/api/v1/openapi.json", everyone(200), get(f"{API}/openapi.json")),
    Row("GET", "/docs", everyone(200), get("/docs")),
    Row("GET", "/docs/oauth2-redirect", everyone(200), get("/docs/oauth2-redirect")),
    Row("GET", "/redoc", everyone(200), get("/redoc")),
    # The review desk: a page and static files with no data in them (tests/desk/).
    Row("GET", "/desk", everyone(200), get("/desk")),
    Row(
        "GET", "/desk/", everyone(308), lambda c: Call("GET", "/desk/", {"follow_redirects": False})
    ),
    Row("GET", "/desk/static/{path}", everyone(200), get("/desk/static/desk.js")),
    # Signing in ignores any Authorization header: the form decides.
    Row(
        "POST",
        "/api/v1/auth/token",
        everyone(200),
        lambda c: Call("POST", f"{API}/auth/token", {"data": LOGIN}),
    ),
    Row("GET", "/api/v1/auth/me", any_user(200), get(f"{API}/auth/me")),
    # Users: admins only.
    Row("GET", "/api/v1/users", admin_only(200), get(f"{API}/users")),
    Row("POST", "/api/v1/users", admin_only(201), _new_user),
    Row(
        "GET",
        "/api/v1/users/{user_id}",
        admin_only(200),
        lambda c: Call("GET", f"{API}/users/{c.world['editor_b'].id}"),
    ),
    Row(
        "PATCH",
        "/api/v1/users/{user_id}",
        admin_only(200),
        lambda c: Call(
            "PATCH",
            f"{API}/users/{c.world['editor_b'].id}",
            {"json": {"full_name": c.unique("Tên ")}},
        ),
    ),
    # Areas: everyone signed in reads, admins write.
    Row("GET", "/api/v1/areas", any_user(200), get(f"{API}/areas")),
    Row("POST", "/api/v1/areas", admin_only(201), _new_area),
    Row("GET", "/api/v1/areas/{code}", any_user(200), get(f"{API}/areas/A")),
    Row(
        "PATCH",
        "/api/v1/areas/{code}",
        admin_only(200),
        lambda c: Call("PATCH", f"{API}/areas/A", {"json": {"name": c.unique("Xã A ")}}),
    ),
    Row("DELETE", "/api/v1/areas/{code}", admin_only(204), _delete_area),
    # Stations: a station token reads its own station and nothing else.
    Row("GET", "/api/v1/stations", any_user(200), get(f"{API}/stations")),
    Row("POST", "/api/v1/stations", admin_only(201), _new_station),
    Row(
        "GET",
        "/api/v1/stations/{code}",
        staff(200, 403, 200, 200, station=200),
        get(f"{API}/stations/sa"),
        "own station",
    ),
    Row(
        "GET",
        "/api/v1/stations/{code}",
        staff(403, 200, 403, 200, station=403),
        get(f"{API}/stations/sb"),
        "other station",
    ),
    Row(
        "PATCH",
        "/api/v1/stations/{code}",
        admin_only(200),
        lambda c: Call("PATCH", f"{API}/stations/sa", {"json": {"name": c.unique("Cụm loa ")}}),
    ),
    Row("DELETE", "/api/v1/stations/{code}", admin_only(204), _delete_station),
    Row(
        "POST",
        "/api/v1/stations/{code}/tokens",
        admin_only(201),
        lambda c: Call("POST", f"{API}/stations/sa/tokens", {"json": {"label": "loa số 2"}}),
    ),
    Row("DELETE", "/api/v1/stations/{code}/tokens/{token_id}", admin_only(204), _revoke_token),
    # Bulletins: a draft by editor_a for station sa (commune A); approver_b covers commune B.
    Row(
        "POST",
        "/api/v1/bulletins",
        staff(201, 403, 201, 201),
        lambda c: Call("POST", f"{API}/bulletins", {"json": bulletin_body()}),
    ),
    Row("GET", "/api/v1/bulletins", any_user(200), get(f"{API}/bulletins")),
    Row("GET", "/api/v1/bulletins/{bulletin_id}", staff(200, 403, 200, 200), _b("")),
    Row(
        "PATCH",
        "/api/v1/bulletins/{bulletin_id}",
        staff(200, 403, 403, 200),
        _b("", "PATCH", json={"title": "Tiêu đề đã sửa"}),
    ),
    Row(
        "POST",
        "/api/v1/bulletins/{bulletin_id}/submit",
        staff(200, 403, 403, 200),
        _b("/submit", "POST"),
    ),
    Row(
        "POST",
        "/api/v1/bulletins/{bulletin_id}/approve",
        staff(403, 403, 200, 200),
        _approve,
    ),
    Row(
        "POST",
        "/api/v1/bulletins/{bulletin_id}/reject",
        staff(403, 403, 200, 200),
        _s("/reject", json={"version": 1, "reason": "Thiếu nguồn tin"}),
    ),
    Row(
        "POST",
        "/api/v1/bulletins/{bulletin_id}/withdraw",
        staff(200, 403, 403, 200),
        _b("/withdraw", "POST", json={"reason": "Hủy lịch"}),
    ),
    Row(
        "GET",
        "/api/v1/bulletins/{bulletin_id}/versions",
        staff(200, 403, 200, 200),
        _b("/versions"),
    ),
    Row(
        "GET", "/api/v1/bulletins/{bulletin_id}/reviews", staff(200, 403, 200, 200), _b("/reviews")
    ),
    Row(
        "GET", "/api/v1/bulletins/{bulletin_id}/history", staff(200, 403, 200, 200), _b("/history")
    ),
    Row("GET", "/api/v1/reviews/queue", staff(403, 200, 200, 200), get(f"{API}/reviews/queue")),
    # Audio.
    Row(
        "POST",
        "/api/v1/bulletins/{bulletin_id}/render",
        staff(202, 403, 202, 202),
        _b("/render", "POST", json={}),
    ),
    Row("POST", "/api/v1/bulletins/{bulletin_id}/recording", staff(202, 403, 202, 202), _recording),
    Row("GET", "/api/v1/bulletins/{bulletin_id}/clips", staff(200, 403, 200, 200), _b("/clips")),
    Row(
        "GET",
        "/api/v1/clips/{clip_id}",
        staff(200, 403, 200, 200),
        lambda c: Call("GET", f"{API}/clips/{c.queued_clip()}"),
    ),
    Row(
        "GET",
        "/api/v1/clips/{clip_id}/audio",
        staff(200, 403, 200, 200),
        lambda c: Call("GET", f"{API}/clips/{c.ready_clip()}/audio"),
    ),
    # Speech tools.
    Row(
        "POST",
        "/api/v1/tts/preview",
        any_user(200),
        lambda c: Call("POST", f"{API}/tts/preview", {"json": PREVIEW}),
    ),
    Row("GET", "/api/v1/tts/voices", any_user(200), get(f"{API}/tts/voices")),
    Row("GET", "/api/v1/lexicon", any_user(200), get(f"{API}/lexicon")),
    Row("POST", "/api/v1/lexicon", admin_only(201), _new_lexicon),
    Row("DELETE", "/api/v1/lexicon/{entry_id}", admin_only(204), _delete_lexicon),
    # Broadcast windows: admins write; staff read their stations and areas, and areas above.
    Row(
        "GET",
        "/api/v1/stations/{code}/windows",
        staff(200, 403, 200, 200),
        get(f"{API}/stations/sa/windows"),
    ),
    Row(
        "POST",
        "/api/v1/stations/{code}/windows",
        admin_only(201),
        lambda c: Call("POST", f"{API}/stations/sa/windows", {"json": _window_body(c)}),
    ),
    Row(
        "GET",
        "/api/v1/areas/{code}/windows",
        staff(200, 403, 200, 200),
        get(f"{API}/areas/A/windows"),
        "own area",
    ),
    Row(
        "GET",
        "/api/v1/areas/{code}/windows",
        any_user(200),
        get(f"{API}/areas/P/windows"),
        "area above",
    ),
    Row(
        "POST",
        "/api/v1/areas/{code}/windows",
        admin_only(201),
        lambda c: Call("POST", f"{API}/areas/A/windows", {"json": _window_body(c)}),
    ),
    Row(
        "PATCH",
        "/api/v1/windows/{window_id}",
        admin_only(200),
        lambda c: Call("PATCH", f"{API}/windows/{_new_window(c)}", {"json": {"weekdays": [1]}}),
    ),
    Row(
        "DELETE",
        "/api/v1/windows/{window_id}",
        admin_only(204),
        lambda c: Call("DELETE", f"{API}/windows/{_new_window(c)}"),
    ),
    Row(
        "GET",
        "/api/v1/stations/{code}/window-exceptions",
        staff(200, 403, 200, 200),
        get(f"{API}/stations/sa/window-exceptions"),
    ),
    Row(
        "POST",
        "/api/v1/stations/{code}/window-exceptions",
        admin_only(201),
        lambda c: Call("POST", f"{API}/stations/sa/window-exceptions", {"json": EXCEPTION}),
    ),
    Row(
        "GET",
        "/api/v1/areas/{code}/window-exceptions",
        staff(200, 403, 200, 200),
        get(f"{API}/areas/A/window-exceptions"),
    ),
    Row(
        "POST",
        "/api/v1/areas/{code}/window-exceptions",
        admin_only(201),
        lambda c: Call("POST", f"{API}/areas/A/window-exceptions", {"json": EXCEPTION}),
    ),
    Row("DELETE", "/api/v1/window-exceptions/{exception_id}", admin_only(204), _new_exception),
    Row(
        "GET",
        "/api/v1/stations/{code}/sessions",
        staff(200, 403, 200, 200),
        get(f"{API}/stations/sa/sessions"),
    ),
    # Programmes: approvers and admins build; staff and the station's own token read.
    Row(
        "POST",
        "/api/v1/stations/{code}/programme/build",
        staff(403, 403, 200, 200),
        lambda c: Call(
            "POST",
            f"{API}/stations/sa/programme/build",
            {"params": {"date": soon().isoformat()}},
        ),
    ),
    Row(
        "GET",
        "/api/v1/stations/{code}/programme",
        staff(200, 403, 200, 200, station=200),
        _programme(""),
        "own station",
    ),
    Row(
        "GET",
        "/api/v1/stations/{code}/programme",
        staff(403, 200, 403, 200, station=403),
        _programme("", "sb", format="m3u8"),
        "other station",
    ),
    Row(
        "GET",
        "/api/v1/stations/{code}/programme/versions",
        staff(200, 403, 200, 200),
        _programme("/versions"),
    ),
    # Broadcast audio by address: any signed-in user, any station token.
    Row("GET", "/api/v1/media/{sha256}.mp3", staff(200, 200, 200, 200, station=200), _media),
    # Jingles: admins upload and delete, staff read.
    Row(
        "POST",
        "/api/v1/jingles",
        admin_only(201),
        lambda c: Call(
            "POST",
            f"{API}/jingles",
            {
                "files": {"file": ("j.wav", wav_bytes(), "audio/wav")},
                "data": {"title": "Nhạc hiệu"},
            },
        ),
    ),
    Row("GET", "/api/v1/jingles", any_user(200), get(f"{API}/jingles")),
    Row(
        "GET",
        "/api/v1/jingles/{jingle_id}",
        any_user(200),
        lambda c: Call("GET", f"{API}/jingles/{c.jingle()}"),
    ),
    Row(
        "DELETE",
        "/api/v1/jingles/{jingle_id}",
        admin_only(204),
        lambda c: Call("DELETE", f"{API}/jingles/{c.jingle()}"),
    ),
    # The audit log.
    Row("GET", "/api/v1/audit", admin_only(200), get(f"{API}/audit")),
    # Supervised on-air processes (no supervisord here: see tests/api/test_processes_api.py).
    Row("GET", "/api/v1/onair/processes", staff(403, 200, 200, 200), get(f"{API}/onair/processes")),
    Row(
        "POST",
        "/api/v1/onair/processes/{name}/restart",
        admin_only(409),
        lambda c: Call("POST", f"{API}/onair/processes/icecast/restart"),
        "no supervisord",
    ),
    # On air: Liquidsoap's intake takes its events token only (tests/api/test_onair_api.py).
    Row("POST", "/api/v1/internal/onair/events", staff(403, 403, 403, 403), _onair_event),
    Row(
        "GET",
        "/api/v1/stations/{code}/as-run",
        staff(200, 403, 200, 200),
        get(f"{API}/stations/sa/as-run"),
    ),
    Row("GET", "/api/v1/alerts", any_user(200), get(f"{API}/alerts")),
    Row(
        "GET",
        "/api/v1/alerts",
        staff(200, 403, 200, 200),
        get(f"{API}/alerts", params={"station": "sa"}),
        "one station",
    ),
    Row("POST", "/api/v1/alerts/{alert_id}/resolve", staff(403, 403, 200, 200), _resolve_alert),
    Row("GET", "/api/v1/fleet", any_user(200), get(f"{API}/fleet")),
    # A station's endpoint device: its own token; a user's sign-in is refused.
    Row("GET", "/api/v1/endpoint/programme", endpoint_only(200), _endpoint_programme),
    Row(
        "GET",
        "/api/v1/endpoint/stream",
        endpoint_only(307),
        get(f"{API}/endpoint/stream", follow_redirects=False),
    ),
    Row(
        "POST",
        "/api/v1/endpoint/heartbeat",
        endpoint_only(200),
        lambda c: Call("POST", f"{API}/endpoint/heartbeat", {"json": {"status": "online"}}),
    ),
    Row("POST", "/api/v1/endpoint/played", endpoint_only(201), _played),
    # Prometheus: admins, or the scraper with the events token (tests/api/test_metrics.py).
    Row("GET", "/metrics", admin_only(200), get("/metrics")),
    # Emergencies: approvers covering the targets (sa is in commune A) and admins send and
    # cancel; all staff read (tests/api/test_emergencies_api.py).
    Row(
        "POST",
        "/api/v1/emergencies",
        staff(403, 403, 201, 201),
        lambda c: Call("POST", f"{API}/emergencies", {"json": EMERGENCY}),
    ),
    Row("POST", "/api/v1/emergencies/audio", staff(403, 403, 201, 201), _emergency_audio),
    Row("GET", "/api/v1/emergencies", any_user(200), get(f"{API}/emergencies")),
    Row(
        "GET",
        "/api/v1/emergencies/{emergency_id}",
        any_user(200),
        lambda c: Call("GET", f"{API}/emergencies/{_emergency(c)}"),
    ),
    Row(
        "GET",
        "/api/v1/emergencies/{emergency_id}/audio",
        any_user(200),
        lambda c: Call("GET", f"{API}/emergencies/{_emergency(c)}/audio"),
    ),
    Row(
        "POST",
        "/api/v1/emergencies/{emergency_id}/cancel",
        staff(403, 403, 200, 200),
        lambda c: Call("POST", f"{API}/emergencies/{_emergency(c)}/cancel"),
    ),
]


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, HEAD aside, however routers nest."""
    found: set[tuple[str, str]] = set()

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:  # FastAPI >= 0.16x keeps included routers as they are
                walk(inner.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount) and route.name == "desk-static":
                found.add(("GET", prefix + route.path + "/{path}"))  # files only, no data
            elif isinstance(route, Route):
                for method in route.methods or ():
                    if method != "HEAD":
                        found.add((method, prefix + route.path))
            else:
                raise AssertionError(f"a kind of route the matrix does not know: {route!r}")

    walk(list(app.routes), "")
    return found


def test_the_matrix_covers_every_route(client: TestClient) -> None:
    app = client.app
    assert isinstance(app, FastAPI)
    served = app_routes(app)
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert documented <= served  # the route walk sees at least what OpenAPI documents
    covered = {(row.method, row.route) for row in ROWS}
    assert sorted(served - covered) == [], "routes without a row in the matrix"
    assert sorted(covered - served) == [], "matrix rows for routes that do not exist"
    assert len({row.id for row in ROWS}) == len(ROWS)


@pytest.fixture
def ctx(
    client: TestClient, session: Session, engine: Engine, settings: Settings, world: World
) -> Ctx:
    issued = client.post(
        f"{API}/stations/sa/tokens", json={"label": "cụm loa sa"}, headers=auth(world["admin"])
    )
    assert issued.status_code == 201, issued.text
    return Ctx(client, session, engine, settings, world, issued.json()["token"])


@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_who_may_call_what(ctx: Ctx, row: Row) -> None:
    responses: dict[str, httpx.Response] = {}
    for caller in CALLERS:
        call = row.make(ctx)
        assert call.method == row.method
        responses[caller] = ctx.client.request(
            call.method, call.url, headers=ctx.headers(caller), **call.kwargs
        )
    got = {caller: r.status_code for caller, r in responses.items()}
    assert got == row.expect, {c: responses[c].text[:200] for c in CALLERS if got[c] >= 400}
    for response in responses.values():
        if response.status_code >= 400:
            assert_problem(response, response.status_code)
