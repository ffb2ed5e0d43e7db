"""Emergencies on the real stack (API server, Icecast, Liquidsoap, playout, the repeat job):
one cuts into a session playing on two stations and the session resumes; a long one is
cancelled everywhere; a Test one reaches only the station marked for tests, twice.

One rig serves the module; the cases run in file order (the first needs its session, the
others idle stations). Latencies are measured from the API call and printed (`-s`)."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from media.probe import decoded_duration
from media.store import MediaStore
from stations import slug
from studio import areas, bulletins, programmes, stations
from studio.audit import Actor
from studio.db import make_engine
from studio.models import AreaUpdate, Clip, StationUpdate
from studio.onair_models import AsRun, Emergency, EmergencyTarget
from studio.settings import Settings
from studio.types import AsRunStatus, ClipSource, ClipStatus, EmergencyState, QueueKind, utcnow
from tests.conftest import auth, require_binary
from tests.factories import SECRET, SYSTEM, World, build_world, make_bulletin
from tests.onair.support import Listener, Rig, on_air
from tests.programmes.support import add_window
from tests.stations.live import house_mp3
from tests.voices_support import offline

pytestmark = pytest.mark.slow

VN = ZoneInfo("Asia/Ho_Chi_Minh")
LOUD = 1000  # of 32767: speech and the tone are far above, the pre-roll and idle far below
PROGRAMME_S = 20
SHORT = "Khẩn cấp. Bão số ba sắp vào đất liền. Bà con sơ tán ngay."
# About 100 words: the latency target is for a text of this size.
HUNDRED_WORDS = (
    "Khẩn cấp. Ủy ban nhân dân xã thông báo: bão số 3 đang tiến vào đất liền, gió giật cấp 12. "
    "Bà con khẩn trương chằng chống nhà cửa, đưa thuyền vào nơi neo đậu an toàn, không ra khơi, "
    "không đi lại khi có gió mạnh. Các hộ ở vùng trũng thấp di chuyển đến trường tiểu học của "
    "xã trước 17 giờ hôm nay. Mọi thông tin liên hệ ban chỉ huy phòng chống thiên tai xã qua số "
    "điện thoại 0291 3822 555. Đề nghị bà con theo dõi loa truyền thanh để nhận thông báo mới."
)


@dataclass
class Stack:
    rig: Rig
    engine: Engine
    session: Session
    world: World
    http: httpx.Client
    listeners: dict[str, Listener]
    tmp: Path

    def post(self, path: str, **kw: Any) -> dict[str, Any]:
        response = self.http.post(f"/api/v1/emergencies{path}", **kw)
        assert response.status_code in (200, 201), response.text
        body: dict[str, Any] = response.json()
        return body

    def rows(self, emergency_id: int) -> dict[str, list[AsRun]]:
        self.session.expire_all()
        out: dict[str, list[AsRun]] = {}
        for code, station in self.world.stations.items():
            out[code] = list(
                self.session.exec(
                    select(AsRun)
                    .where(AsRun.station_id == station.id, AsRun.emergency_id == emergency_id)
                    .order_by(col(AsRun.started_at))
                )
            )
        return out


def wait_for(check: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def first_quiet_after(listener: Listener, moment: float) -> float | None:
    for at, peak in list(listener.chunks):
        if at >= moment and peak < LOUD:
            return at
    return None


def loud_between(listener: Listener, start: float, end: float) -> list[float]:
    return [at for at, peak in list(listener.chunks) if start <= at <= end and peak >= LOUD]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, migrated_template: Path) -> Iterator[Stack]:
    require_binary("espeak-ng")
    tmp = tmp_path_factory.mktemp("emergency")
    shutil.copyfile(migrated_template, tmp / "loa.db")
    url = f"sqlite:///{tmp / 'loa.db'}"
    settings = offline(
        Settings(environment="test", secret_key=SECRET, database_url=url, var_dir=tmp / "var")
    )
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        world = build_world(session)
        # Any time of day: no quiet hours in this province.
        areas.update_area(
            session, SYSTEM, "P", AreaUpdate(quiet_start=dtime(0), quiet_end=dtime(0))
        )
        session.commit()
        with on_air(tmp, settings, engine, list(world.stations.values())) as rig:
            stop = threading.Event()

            def repeats() -> None:  # the scheduler's 1 s job, a little faster here
                while not stop.wait(0.25):
                    rig.runner.emergency_repeats()

            job = threading.Thread(target=repeats, daemon=True)
            job.start()
            try:
                with (
                    httpx.Client(
                        base_url=rig.api, headers=auth(world["admin"]), timeout=30
                    ) as http,
                    Listener(rig.mount_url(world.stations["sa"])) as sa,
                    Listener(rig.mount_url(world.stations["sb"])) as sb,
                ):
                    started = time.monotonic()
                    wait_for(lambda: sa.chunks and sb.chunks, 20, "the listeners to hear")
                    print(f"\nlisteners decoding after {time.monotonic() - started:.1f} s")
                    yield Stack(rig, engine, session, world, http, {"sa": sa, "sb": sb}, tmp)
            finally:
                stop.set()
                job.join(timeout=10)
    engine.dispose()


def programme_on_two_stations(stack: Stack, seconds: int) -> float:
    """A 20 s tone, approved and programmed on sa and sb from `seconds` from now; its start."""
    session, world = stack.session, stack.world
    tone = house_mp3(stack.tmp / "tone.mp3", seconds=PROGRAMME_S, freq=440)
    stored = MediaStore(stack.rig.settings.media_dir).put(tone, "mp3")
    bulletin = make_bulletin(
        session, world["admin"], title="Chương trình", target_station_codes=["sa", "sb"]
    )
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.recording,
        engine="recording",
        status=ClipStatus.ready,
        sha256=stored.sha256,
        size_bytes=stored.size,
        duration_ms=round(decoded_duration(tone) * 1000),
        finished_at=utcnow(),
    )
    session.add(clip)
    session.flush()
    bulletins.submit(session, Actor(user=world["admin"]), bulletin.id)
    approver = Actor(user=world["approver_p"])
    bulletins.approve(session, approver, bulletin.id, 1, clip_id=clip.id)
    session.commit()
    start = (datetime.now(UTC) + timedelta(seconds=seconds)).replace(microsecond=0)
    local = start.astimezone(VN)
    for code in ("sa", "sb"):
        add_window(session, "station", code, "Thử", local.time(), 2)
        built = programmes.build(
            session, stack.rig.settings, SYSTEM, world.stations[code], local.date()
        )
        (item,) = built.programme.items
        assert item.start == start
    session.commit()
    return start.timestamp()


def test_an_emergency_cuts_into_two_stations_and_the_session_resumes(stack: Stack) -> None:
    planned = programme_on_two_stations(stack, 7)
    wait_for(lambda: time.time() > planned + 4, 20, "the programme to be on air")
    for listener in stack.listeners.values():
        assert len(loud_between(listener, planned + 2, planned + 4)) > 150  # the tone

    called = time.time()
    body = stack.post("", json={"text": SHORT, "target_station_codes": ["sa", "sb"]})
    answered = time.time()
    emergency_id = body["id"]
    assert body["engine"] == "espeak"
    assert [(t["station_code"], t["error"]) for t in body["targets"]] == [("sa", ""), ("sb", "")]
    length = body["duration_ms"] / 1000
    preroll = stack.rig.settings.media.preroll_ms / 1000
    wait_for(lambda: time.time() > answered + length + 3, 30, "the emergency to end")

    print(f"\nemergency, {len(SHORT.split())} words: API answered in {answered - called:.2f} s")
    for code, listener in stack.listeners.items():
        cut = first_quiet_after(listener, called)  # the tone stops: the pre-roll is on air
        assert cut is not None
        speech = listener.onset_after(cut + preroll / 2, LOUD)
        assert speech is not None
        print(f"  {code}: programme cut {cut - called:.2f} s, speech heard {speech - called:.2f} s")
        assert cut - called < 2.0, f"{code}: the emergency reached the listener late"

    rows = stack.rows(emergency_id)
    for code in ("sa", "sb"):
        (row,) = rows[code]
        assert (row.queue, row.status) == (QueueKind.emergency, AsRunStatus.aired)
        assert row.item_key == f"emergency/{emergency_id}/1"
        assert row.started_at is not None
        assert row.ended_at is not None
        aired = (row.ended_at - row.started_at).total_seconds()
        assert aired == pytest.approx(length, abs=0.3)

    # The programme item resumes where it was cut and ends later by the emergency's length.
    end = planned + PROGRAMME_S + length
    wait_for(lambda: time.time() > end + 2, 40, "the programme to end")
    stack.session.expire_all()
    for code in ("sa", "sb"):
        station = stack.world.stations[code]
        (item,) = stack.session.exec(
            select(AsRun).where(AsRun.station_id == station.id, AsRun.queue == QueueKind.programme)
        ).all()
        assert item.status is AsRunStatus.aired, item.detail
        assert "phát tiếp" in item.detail
        assert item.started_at is not None
        assert item.ended_at is not None
        played = (item.ended_at - item.started_at).total_seconds()
        assert played == pytest.approx(PROGRAMME_S + length, abs=1.0)
        listener = stack.listeners[code]
        resumed = loud_between(listener, end - 4, end - 1)
        assert len(resumed) > 250, f"{code}: the tone did not come back"
        target = stack.session.exec(
            select(EmergencyTarget).where(EmergencyTarget.station_id == station.id)
        ).one()
        assert (target.airings, target.error) == (1, "")
        assert target.first_aired_at is not None
        assert target.pushed_at is not None
    wait_for(lambda: state(stack, emergency_id) is EmergencyState.done, 5, "done")


def state(stack: Stack, emergency_id: int) -> EmergencyState:
    stack.session.expire_all()
    emergency = stack.session.get(Emergency, emergency_id)
    assert emergency is not None
    return emergency.state


def test_cancel_stops_a_long_repeating_emergency_everywhere(stack: Stack) -> None:
    request = {
        "text": HUNDRED_WORDS,
        "target_station_codes": ["sa", "sb"],
        "repeat": 3,
        "interval_s": 300,
    }
    called = time.time()
    body = stack.post("", json=request)
    answered = time.time()
    assert body["duration_ms"] > 20_000
    wait_for(lambda: time.time() > called + 4, 10, "the emergency to play")
    words = len(HUNDRED_WORDS.split())
    print(f"\nemergency, {words} words: API answered in {answered - called:.2f} s")
    rows = stack.rows(body["id"])
    for code, listener in stack.listeners.items():
        (row,) = rows[code]
        assert row.started_at is not None
        on_mount = row.started_at.timestamp() - called  # Liquidsoap's clock: first frame out
        heard = listener.onset_after(called, LOUD)
        assert heard is not None, f"{code}: nothing heard"
        print(f"  {code}: on the mount {on_mount:.2f} s, speech heard {heard - called:.2f} s")
        assert heard - called < 5.0  # the 2 s target is to the mount; speech follows a pre-roll

    cancelled_at = time.time()
    done = stack.post(f"/{body['id']}/cancel")
    assert done["state"] == "cancelled"
    assert [t["error"] for t in done["targets"]] == ["", ""]
    time.sleep(3.5)
    client = stack.rig.liquidsoap.client
    for code, listener in stack.listeners.items():
        assert loud_between(listener, cancelled_at + 1.0, cancelled_at + 3.5) == [], code
        assert client.queue(f"{slug(code)}_emergency") == []
    rows = stack.rows(body["id"])
    for code in ("sa", "sb"):
        (row,) = rows[code]
        assert row.ended_at is not None
        assert row.ended_at.timestamp() < cancelled_at + 1.0
    assert state(stack, body["id"]) is EmergencyState.cancelled


def test_a_test_emergency_reaches_only_the_test_station(stack: Stack) -> None:
    stations.update_station(stack.session, SYSTEM, "sb", StationUpdate(accepts_tests=True))
    stack.session.commit()
    request = {
        "text": SHORT,
        "cap_status": "Test",
        "target_station_codes": ["sa", "sb"],
        "repeat": 2,
        "interval_s": 8,
    }
    called = time.time()
    body = stack.post("", json=request)
    assert [t["station_code"] for t in body["targets"]] == ["sb"]
    length = body["duration_ms"] / 1000
    assert length < 8
    end = called + 8 + length + 2
    wait_for(lambda: time.time() > end, 30, "both airings")

    sb, sa = stack.listeners["sb"], stack.listeners["sa"]
    first = sb.onset_after(called, LOUD)
    second = sb.onset_after(called + 8, LOUD)
    assert first is not None
    assert second is not None
    print(f"\nTest emergency: sb heard it {first - called:.2f} s after the call, again 8 s later")
    assert loud_between(sa, called, end) == []
    rows = stack.rows(body["id"])
    assert rows["sa"] == []
    keys = [r.item_key for r in rows["sb"]]
    assert keys == [f"emergency/{body['id']}/1", f"emergency/{body['id']}/2"]
    target = stack.session.exec(
        select(EmergencyTarget).where(EmergencyTarget.emergency_id == body["id"])
    ).one()
    assert target.airings == 2
    wait_for(lambda: state(stack, body["id"]) is EmergencyState.done, 5, "done")
