"""End to end on real icecast2 + liquidsoap: mounts, pushes, events, listeners, gate, emergency.

One stack (Icecast, an event sink, one Liquidsoap with two stations) serves the whole module;
each test uses its own item ids and leaves the queues empty and the gates open.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from stations import StationStream, icecast_mounts
from tests.media.sounds import band_level_db, lavfi
from tests.stations.live import (
    Event,
    EventSink,
    IcecastServer,
    LiquidsoapRun,
    house_mp3,
    liquidsoap_config,
    listen,
    running_icecast,
    running_liquidsoap,
)

pytestmark = pytest.mark.slow

VN = StationStream("VN-01", 'Đài "Xã" Tân Phú \\ #{1}', "/vn01.mp3", description="Cụm loa số 1")
KH = StationStream("KH02", "វិទ្យុ ខេត្ត", "/kh02.mp3")
DEAD_AIR_S = 1.0


@dataclass(frozen=True)
class Stack:
    icecast: IcecastServer
    events: EventSink
    liq: LiquidsoapRun
    audio: Path

    def tone(self, name: str) -> Path:
        return self.audio / name


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    tmp = tmp_path_factory.mktemp("live")
    audio = tmp_path_factory.mktemp("audio")
    house_mp3(audio / "a440_2s.mp3", seconds=2, freq=440)
    house_mp3(audio / "a880_2s.mp3", seconds=2, freq=880)
    house_mp3(audio / "a660_1s.mp3", seconds=1, freq=660)
    house_mp3(audio / "a550_3s.mp3", seconds=3, freq=550)
    lavfi(audio / "silence_2500ms.mp3", "anullsrc=r=24000:cl=mono:d=2.5")
    with (
        running_icecast(tmp, (VN, KH)) as icecast,
        EventSink() as events,
    ):
        cfg = liquidsoap_config(tmp, icecast, events, (VN, KH), dead_air_s=DEAD_AIR_S)
        with running_liquidsoap(tmp, cfg) as liq:
            yield Stack(icecast, events, liq, audio)


@pytest.fixture(autouse=True)
def clean(stack: Stack) -> Iterator[None]:
    yield
    client = stack.liq.client
    for station in (VN, KH):
        client.flush_and_skip(station.emergency_queue)
        client.flush_and_skip(station.programme_queue)
        client.set_gate(station.slug, 0)


def item_id() -> str:
    return f"item-{uuid.uuid4().hex[:8]}"


def of_item(kind: str, item: str) -> Callable[[Event], bool]:
    def match(event: Event) -> bool:
        return bool(event["event"] == kind and event["metadata"].get("item_id") == item)

    return match


def test_generated_config_starts_icecast_without_sources(tmp_path: Path) -> None:
    with running_icecast(tmp_path, (VN, KH)) as icecast:
        assert icecast_mounts(icecast.host, icecast.port) == {}
        assert icecast.process.poll() is None


def test_liquidsoap_feeds_every_mount(stack: Stack) -> None:
    mounts = icecast_mounts(stack.icecast.host, stack.icecast.port)
    assert sorted(mounts) == ["/kh02.mp3", "/vn01.mp3"]
    vn = mounts["/vn01.mp3"]
    assert vn["server_name"] == VN.name  # UTF-8, quotes, backslash and #{ all intact
    assert vn["server_description"] == "Cụm loa số 1"
    assert vn["server_type"] == "audio/mpeg"
    assert vn["audio_info"] == "channels=1;samplerate=24000;bitrate=48"
    assert mounts["/kh02.mp3"]["server_name"] == KH.name


def test_pushed_item_airs_with_its_annotations_and_events(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    item = item_id()
    annotations = {"item_id": item, "bulletin_id": "b-9", "title": 'Bản tin "sáng" \\ ខេត្ត'}
    rid = client.push(VN.programme_queue, stack.tone("a440_2s.mp3"), annotations)

    start = events.wait(of_item("track_start", item))
    assert start["_auth"] == f"Bearer {events.token}"
    assert start["_path"] == "/internal/events"
    assert (start["station"], start["queue"]) == ("VN-01", "programme")
    assert {k: start["metadata"][k] for k in annotations} == annotations
    assert start["metadata"]["rid"] == str(rid)
    assert rid in client.on_air()
    meta = client.metadata(rid)
    assert {k: meta[k] for k in annotations} == annotations

    end = events.wait(of_item("track_end", item))
    assert (end["station"], end["queue"], end["boot"]) == ("VN-01", "programme", start["boot"])
    assert end["seq"] > start["seq"]
    assert end["time"] - start["time"] == pytest.approx(2.0, abs=0.25)
    assert client.on_air() == []


def test_listener_hears_items_at_their_own_gain(stack: Stack, tmp_path: Path) -> None:
    client = stack.liq.client
    first, second = item_id(), item_id()

    def push_both() -> None:
        client.push(VN.programme_queue, stack.tone("a440_2s.mp3"), {"item_id": first})
        client.push(
            VN.programme_queue,
            stack.tone("a880_2s.mp3"),
            {"item_id": second, "liq_amplify": "-12 dB"},
        )

    recording = tmp_path / "heard.mp3"
    recording.write_bytes(listen(stack.icecast.url(VN.mount), 6.0, on_connect=push_both))
    stack.events.wait(of_item("track_end", second))
    loud = band_level_db(recording, "bandpass=f=440:width_type=h:w=60")
    quiet = band_level_db(recording, "bandpass=f=880:width_type=h:w=60")
    # A -6 dBFS peak sine is -9 dB RMS; on air 2 s of the 6 s recorded: about -14 dB.
    assert loud > -20
    assert loud - quiet == pytest.approx(12.0, abs=1.5)


def test_time_gate_releases_the_item_at_the_armed_instant(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    item = item_id()
    gate_at = time.time() + 1.2
    client.set_gate(VN.slug, gate_at)
    rid = client.push(VN.programme_queue, stack.tone("a660_1s.mp3"), {"item_id": item})
    assert client.on_air() == []  # held
    assert client.queue(VN.programme_queue) == [rid]
    start = events.wait(of_item("track_start", item))
    lateness = start["time"] - gate_at
    assert 0 <= lateness <= 0.5, f"released {lateness:+.3f} s after the gate"


def test_arming_the_gate_holds_the_next_item_not_the_current_one(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    current, following = item_id(), item_id()
    client.push(VN.programme_queue, stack.tone("a440_2s.mp3"), {"item_id": current})
    started = events.wait(of_item("track_start", current))
    gate_at = time.time() + 0.5  # passes while `current` still plays
    client.set_gate(VN.slug, gate_at)
    client.push(VN.programme_queue, stack.tone("a660_1s.mp3"), {"item_id": following})
    ended = events.wait(of_item("track_end", current))
    assert ended["time"] - started["time"] == pytest.approx(2.0, abs=0.25)  # not cut
    nxt = events.wait(of_item("track_start", following))
    assert nxt["time"] - ended["time"] == pytest.approx(0.0, abs=0.1)  # back to back


def test_emergency_cuts_in_and_the_programme_resumes(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    prog, emer = item_id(), item_id()
    client.push(KH.programme_queue, stack.tone("a550_3s.mp3"), {"item_id": prog})
    events.wait(of_item("track_start", prog))
    client.push(KH.emergency_queue, stack.tone("a660_1s.mp3"), {"item_id": emer})
    resumed = events.wait(of_item("track_resume", prog))
    final_end = events.wait(lambda e: of_item("track_end", prog)(e) and e["seq"] > resumed["seq"])
    mine = sorted(
        events.matching(lambda e: e["metadata"].get("item_id") in (prog, emer)),
        key=lambda e: e["seq"],
    )
    assert [(e["event"], e["queue"]) for e in mine] == [
        ("track_start", "programme"),
        ("track_end", "programme"),  # preempted
        ("track_start", "emergency"),
        ("track_end", "emergency"),
        ("track_resume", "programme"),
        ("track_end", "programme"),
    ]
    assert {e["station"] for e in mine} == {"KH02"}
    cut, emergency_start = mine[1], mine[2]
    assert emergency_start["time"] - cut["time"] == pytest.approx(0.0, abs=0.05)
    aired = (mine[1]["time"] - mine[0]["time"]) + (final_end["time"] - mine[4]["time"])
    assert aired == pytest.approx(3.0, abs=0.25)  # resumed where it stopped, nothing replayed


def test_dead_air_during_an_item_is_reported_then_noise(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    tone, silent = item_id(), item_id()
    client.push(KH.programme_queue, stack.tone("a660_1s.mp3"), {"item_id": tone})
    client.push(KH.programme_queue, stack.tone("silence_2500ms.mp3"), {"item_id": silent})
    blank = events.wait(of_item("blank", silent), timeout=10)
    started = events.wait(of_item("track_start", silent))
    assert blank["station"] == "KH02"
    assert blank["queue"] == "programme"
    assert blank["time"] - started["time"] == pytest.approx(DEAD_AIR_S, abs=0.3)
    sound = item_id()
    client.push(KH.programme_queue, stack.tone("a660_1s.mp3"), {"item_id": sound})
    noise = events.wait(
        lambda e: e["event"] == "noise" and e["station"] == "KH02" and e["seq"] > blank["seq"]
    )
    sounding = events.wait(of_item("track_start", sound))
    # Reported in the frame where the sound starts (its metadata may still be the silent item's).
    assert noise["time"] - sounding["time"] == pytest.approx(0.0, abs=0.1)


def test_idle_station_reports_blank_with_no_item(stack: Stack) -> None:
    idle = stack.events.wait(lambda e: e["event"] == "blank" and e["station"] == "VN-01")
    assert idle["metadata"] == {}
    assert idle["queue"] == ""


def test_skip_and_flush_end_items_on_air(stack: Stack) -> None:
    client, events = stack.liq.client, stack.events
    first, second, third = item_id(), item_id(), item_id()
    for item in (first, second, third):
        client.push(VN.programme_queue, stack.tone("a550_3s.mp3"), {"item_id": item})
    events.wait(of_item("track_start", first))
    client.skip(VN.programme_queue)
    skipped = events.wait(of_item("track_end", first))
    nxt = events.wait(of_item("track_start", second))
    assert nxt["time"] - skipped["time"] == pytest.approx(0.0, abs=0.1)
    client.flush_and_skip(VN.programme_queue)
    events.wait(of_item("track_end", second))
    assert client.queue(VN.programme_queue) == []
    assert events.matching(of_item("track_start", third)) == []
