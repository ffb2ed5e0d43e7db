"""The reference endpoint device against the real API on loopback: it fetches and verifies the
signed day package, plays it into a WAV at the planned instants (measured here, sample by
sample), reports heartbeats and proof of play, refuses what a man in the middle spoiled, plays
from its cache when the server is gone, and records the live mount from a real Icecast."""

from __future__ import annotations

import hashlib
import json
import subprocess
import threading
import time
import wave
from array import array
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from playlists import Programme
from playlists.times import iso_utc
from stations import stop_process, wait_mounts
from studio import stations
from studio.asrun import item_key
from studio.endpoint_device import Device
from studio.endpoint_package import DayPackage, EndpointError, MediaRef, PackageItem
from studio.fleet import fleet
from studio.onair_models import AsRun, EndpointStatus
from studio.onair_stack import stream_of
from studio.session_render import render_day
from studio.settings import Settings
from studio.types import AsRunSource, AsRunStatus, utcnow
from tests.conftest import require_binary
from tests.factories import SYSTEM, World
from tests.onair.support import api_server, approved_tone, no_quiet_hours, session_soon
from tests.stations.live import free_port, house_mp3, running_icecast

RATE = 24_000
LOUD = 1000  # the tones peak near 16,000; digital silence is exactly 0


def station_token(session: Session, code: str = "sa") -> str:
    _, plain = stations.issue_token(session, SYSTEM, code, "thiết bị thử")
    session.commit()
    return plain


def two_tones(
    session: Session, settings: Settings, world: World, lead_s: float
) -> tuple[Programme, dict[str, str]]:
    """A session at station sa `lead_s` from now with a 2 s 440 Hz and a 1.5 s 880 Hz tone."""
    no_quiet_hours(session)
    shas = {}
    for title, seconds, freq in (("Tin một", 2.0, 440), ("Tin hai", 1.5, 880)):
        _, clip = approved_tone(session, world, settings, title, seconds, freq, ["sa"])
        assert clip.sha256 is not None
        shas[title] = clip.sha256
    programme = session_soon(session, settings, world, ["sa"], lead_s)["sa"]
    assert sorted(i.title for i in programme.items) == ["Tin hai", "Tin một"]
    return programme, shas


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def samples_of(path: Path) -> array[int]:
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, RATE)
        pcm = array("h")
        pcm.frombytes(wav.readframes(wav.getnframes()))
    return pcm


def onset(pcm: array[int], start: int, stop: int) -> int | None:
    for n in range(max(0, start), min(len(pcm), stop)):
        if abs(pcm[n]) >= LOUD:
            return n
    return None


def frequency(pcm: array[int], start: int, seconds: float) -> float:
    window = pcm[start : start + int(seconds * RATE)]
    crossings = sum(1 for a, b in zip(window, window[1:], strict=False) if (a < 0) != (b < 0))
    return crossings / 2 / seconds


def fleet_entry(engine: Engine, settings: Settings, code: str) -> dict[str, object]:
    with Session(engine) as fresh:
        entries, _ = fleet(fresh, settings.onair.endpoint_offline_s, None, 0, 10, utcnow())
    return next(e.model_dump() for e in entries if e.code == code)


# ------------------------------------------------------------------ the day into a WAV
def test_the_device_plays_the_day_into_a_wav_at_the_planned_instants(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    require_binary("ffmpeg")
    token = station_token(session)
    with api_server(settings) as api:
        settings.programme.public_base_url = api  # the manifest names this server's media
        programme, shas = two_tones(session, settings, world, lead_s=8)
        day = programme.day
        rendered = render_day(session, settings, world.stations["sa"], day)
        session.commit()
        (session_file,) = rendered.values()

        device = Device(api, token, "sa", tmp_path / "cache")
        package = device.fetch_day(day)
        assert (package.source, package.downloaded, package.reused) == ("network", 3, 0)
        assert [i.key for i in package.items] == [item_key(i) for i in programme.items]
        for item in package.items:
            assert sha256_of(item.path) == shas[item.title]
        (cached_session,) = package.session_files
        assert sha256_of(cached_session) == session_file.sha256

        # A cached clip spoiled on the device's disk is fetched again; the manifest is unchanged.
        first = package.items[0]
        first.path.write_bytes(b"\0" * first.media.size)
        again = device.fetch_day(day)
        assert (again.source, again.downloaded, again.reused) == ("not_modified", 1, 2)
        assert sha256_of(first.path) == first.media.sha256

        before = time.time()
        until = programme.items[-1].end + timedelta(seconds=1)
        result = device.play_to_wav(tmp_path / "day.wav", until, heartbeat_s=1)
        returned = time.time()
        device.close()

        # ---- the WAV, measured against the plan
        pcm = samples_of(tmp_path / "day.wav")
        sidecar = json.loads((tmp_path / "day.wav.json").read_text(encoding="utf-8"))
        assert sidecar["started_at_epoch"] == result.started_at
        assert sidecar["clock_correction_ms"] == result.clock_correction_ms == 0
        assert before <= result.started_at < programme.items[0].start.timestamp()
        assert returned >= until.timestamp() - 0.6  # it waited for the day: real time
        assert len(pcm) == result.samples == round((until.timestamp() - result.started_at) * RATE)
        errors = []
        for item in programme.items:
            planned = round((item.start.timestamp() - result.started_at) * RATE)
            heard = onset(pcm, planned - RATE // 2, planned + RATE)
            assert heard is not None, item.title
            errors.append((heard - planned) * 1000 / RATE)
            expected = 440 if item.title == "Tin một" else 880
            assert abs(frequency(pcm, heard, 1.0) - expected) < expected * 0.02
            # The clip lasts its length, then digital silence until the next item.
            end = heard + item.duration_ms * RATE // 1000
            assert abs(pcm[end - RATE // 100]) + abs(pcm[end - RATE // 50]) > 0
            assert set(pcm[end + RATE // 50 : end + RATE // 5]) == {0}
        print("endpoint WAV onset error vs plan (ms):", [f"{e:+.2f}" for e in errors])
        assert all(abs(e) < 100 for e in errors), errors
        lead_in = round((programme.items[0].start.timestamp() - result.started_at) * RATE)
        assert set(pcm[: lead_in - RATE // 100]) == {0}
        assert [(p.item_key, p.status) for p in result.items] == [
            (item_key(i), "aired") for i in programme.items
        ]

        # ---- proof of play, heartbeats, the fleet
        with Session(engine) as fresh:
            rows = fresh.exec(
                select(AsRun).where(AsRun.source == AsRunSource.endpoint).order_by(col(AsRun.id))
            ).all()
        assert [(r.item_key, r.status, r.clip_sha256) for r in rows] == [
            (item_key(i), AsRunStatus.aired, i.clip_sha256) for i in programme.items
        ]
        assert all(r.lateness_ms is not None and abs(r.lateness_ms) < 100 for r in rows)
        assert device.outbox.pending() == []
        states = [(h["status"], h["playing"]) for h in device.heartbeats]
        playing = [s for s in states if s[0] == "playing"]
        assert list(dict.fromkeys(playing)) == [("playing", "Tin một"), ("playing", "Tin hai")]
        assert states[-1] == ("idle", "")
        entry = fleet_entry(engine, settings, "sa")
        assert (entry["online"], entry["software"], entry["volume"]) == (
            True,
            "loa-endpoint/1",
            100,
        )
        offset = entry["clock_offset_ms"]
        assert isinstance(offset, int)
        assert abs(offset) < 1000

        # Three minutes without a heartbeat: offline.
        with Session(engine) as fresh:
            row = fresh.get(EndpointStatus, world.stations["sa"].id)
            assert row is not None
            row.last_seen = utcnow() - timedelta(minutes=3)
            fresh.add(row)
            fresh.commit()
        assert fleet_entry(engine, settings, "sa")["online"] is False


# ------------------------------------------------------------------ a man in the middle
class TamperingProxy:
    """A man in the middle on 127.0.0.1 forwarding to the real API. `mode` says what it spoils:
    "manifest" (a title changed, the cache validator dropped) or "media" (one byte flipped)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.mode = "pass"
        self.port = free_port()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def _forward(self) -> None:
                keep = ("authorization", "range", "if-none-match", "content-type")
                headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
                if proxy.mode == "manifest":
                    headers.pop("If-None-Match", None)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                response = httpx.request(
                    self.command, proxy.upstream + self.path, headers=headers, content=body
                )
                data = response.content
                if proxy.mode == "manifest" and "/endpoint/programme" in self.path:
                    manifest = response.json()
                    manifest["items"][0]["title"] += " (đã sửa)"
                    data = json.dumps(manifest, ensure_ascii=False).encode("utf-8")
                if proxy.mode == "media" and "/media/" in self.path and data:
                    middle = len(data) // 2
                    data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
                self.send_response(response.status_code)
                for name in ("content-type", "etag", "content-range", "location"):
                    if name in response.headers:
                        self.send_header(name, response.headers[name])
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = _forward  # noqa: N815
            do_POST = _forward  # noqa: N815

        return Handler

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None


@pytest.fixture
def proxied(settings: Settings) -> Iterator[tuple[str, TamperingProxy]]:
    with api_server(settings) as api:
        proxy = TamperingProxy(api)
        proxy.start()
        settings.programme.public_base_url = proxy.url  # audio too goes through the proxy
        try:
            yield api, proxy
        finally:
            proxy.stop()


def test_spoiled_packages_are_refused_and_the_cache_plays_offline(
    tmp_path: Path,
    engine: Engine,
    session: Session,
    settings: Settings,
    world: World,
    proxied: tuple[str, TamperingProxy],
) -> None:
    _, proxy = proxied
    token = station_token(session)
    programme, _ = two_tones(session, settings, world, lead_s=120)
    device = Device(proxy.url, token, "sa", tmp_path / "cache")
    good = device.fetch_day(programme.day)
    assert (good.source, good.downloaded) == ("network", 2)
    (stored,) = (tmp_path / "cache" / "manifests").iterdir()
    kept = stored.read_bytes()

    proxy.mode = "manifest"
    with pytest.raises(EndpointError) as refused:
        device.fetch_day(programme.day)
    assert refused.value.kind == "signature"
    assert "Chữ ký của bản kê chương trình không khớp" in refused.value.message
    assert stored.read_bytes() == kept  # the last good manifest stays

    proxy.mode = "media"
    first = good.items[0]
    first.path.unlink()
    spoiled = device.fetch_day(programme.day)
    assert (spoiled.source, spoiled.downloaded, spoiled.reused) == ("not_modified", 0, 1)
    assert spoiled.missing == (first.key,)
    assert [p[:60] for p in spoiled.problems] == [
        f"Tệp {first.media.sha256[:12]}… tải về không đúng mã băm sha256/kích thước: đã bỏ"[:60]
    ]
    assert sorted(p.name for p in first.path.parent.iterdir()) == [good.items[1].path.name]

    # The server is gone: the day comes from the cache, minus the file it could not get.
    proxy.stop()
    offline = device.fetch_day(programme.day)
    assert (offline.source, offline.missing) == ("offline", (first.key,))
    assert [i.key for i in offline.items] == [i.key for i in good.items]

    # Proof of play waits on disk until the server is back.
    second = good.items[1]
    device.played(second, second.start, second.end)
    with pytest.raises(EndpointError) as down:
        device.flush_outbox()
    assert down.value.kind == "network"
    assert [r["item_key"] for r in device.outbox.pending()] == [second.key]
    proxy.mode = "pass"
    proxy.start()
    assert device.flush_outbox() == 1
    device.close()
    with Session(engine) as fresh:
        rows = fresh.exec(select(AsRun)).all()
    assert [(r.item_key, r.source, r.status) for r in rows] == [
        (second.key, AsRunSource.endpoint, AsRunStatus.aired)
    ]


# ------------------------------------------------------------------ who the device is
def test_a_wrong_token_is_refused_and_a_token_speaks_for_its_own_station(
    tmp_path: Path, session: Session, settings: Settings, world: World
) -> None:
    other = station_token(session, "sb")
    with api_server(settings) as api:
        with Device(api, "loa_st_khong-phai-ma-that", "sa", tmp_path / "a") as device:
            with pytest.raises(EndpointError) as wrong:
                device.fetch_day()
            assert wrong.value.kind == "auth"
            assert "Máy chủ từ chối mã truy cập của đài khi tải chương trình (401)" in str(
                wrong.value
            )
            with pytest.raises(EndpointError):
                device.heartbeat()
        with Device(api, other, "sa", tmp_path / "b") as device:
            with pytest.raises(EndpointError) as mismatch:
                device.heartbeat()
        assert mismatch.value.message == "Mã truy cập này thuộc đài sb, không phải đài sa"


def test_a_device_clock_that_is_off_is_measured_and_corrected(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    token = station_token(session)
    with api_server(settings) as api:
        with Device(api, token, "sa", tmp_path, clock=lambda: time.time() - 30) as device:
            device.heartbeat()
            device.heartbeat()  # reports what the first one measured
            offset = device.clock_offset_ms
            assert offset is not None
            assert abs(offset - 30_000) < 1000
            assert abs(device.server_now() - datetime.now(UTC)) < timedelta(seconds=1)
    reported = fleet_entry(engine, settings, "sa")["clock_offset_ms"]
    assert isinstance(reported, int)
    assert abs(reported - 30_000) < 1000


# ------------------------------------------------------------------ live relay
def test_live_mode_records_the_stations_mount_through_the_redirect(
    tmp_path: Path, session: Session, settings: Settings, world: World
) -> None:
    ffmpeg = require_binary("ffmpeg")
    token = station_token(session)
    sa = world.stations["sa"]
    with running_icecast(tmp_path, [stream_of(sa)]) as ice:
        settings.onair.icecast_port = ice.port
        password = ice.config.source_password
        source = subprocess.Popen(
            [ffmpeg, "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i", "sine=f=660:r=24000"]
            + ["-c:a", "libmp3lame", "-b:a", "48k", "-ar", "24000", "-ac", "1"]
            + ["-content_type", "audio/mpeg", "-f", "mp3"]
            + [f"icecast://source:{password}@{ice.host}:{ice.port}{sa.mount}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_mounts(ice.host, ice.port, [sa.mount], process=ice.process)
            with api_server(settings) as api, Device(api, token, "sa", tmp_path) as device:
                got = device.listen(3, tmp_path / "live.mp3", heartbeat_s=1)
                states = [(h["status"], h["playing"]) for h in device.heartbeats]
        finally:
            stop_process(source)
    assert got.url == ice.url(sa.mount)
    assert got.bytes == (tmp_path / "live.mp3").stat().st_size
    assert states[0] == ("playing", "Trực tiếp")
    assert states[-1] == ("idle", "")
    decoded = subprocess.run(
        [ffmpeg, "-nostdin", "-v", "error", "-i", str(tmp_path / "live.mp3")]
        + ["-f", "s16le", "-ac", "1", "-ar", str(RATE), "-"],
        capture_output=True,
        check=True,
    ).stdout
    pcm = array("h")
    pcm.frombytes(decoded[: len(decoded) - len(decoded) % 2])
    assert len(pcm) >= RATE  # at least a second of the stream
    assert abs(frequency(pcm, RATE // 4, 0.5) - 660) < 660 * 0.02


# ------------------------------------------------------------------ joining a day under way
def test_a_device_started_mid_item_joins_at_the_right_offset_offline(tmp_path: Path) -> None:
    """No server at all: the device plays from its cache by its own clock, joins the item
    on air at the offset it has reached, skips an item whose file it lacks, and keeps its
    proof of play on disk for later."""
    require_binary("ffmpeg")
    tone = house_mp3(tmp_path / "tone.mp3", seconds=3.0, freq=440)
    sha = sha256_of(tone)
    media = tmp_path / "cache" / "media"
    media.mkdir(parents=True)
    (media / f"{sha}.mp3").write_bytes(tone.read_bytes())
    now = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    starts = {"on-air": now - timedelta(seconds=1.5), "next": now + timedelta(seconds=2.5)}
    starts["lost"] = now + timedelta(seconds=1.8)

    def item(name: str, file_sha: str) -> PackageItem:
        ref = MediaRef(sha256=file_sha, size=tone.stat().st_size, url="http://x/a.mp3")
        start = starts[name]
        return PackageItem(
            key=f"{iso_utc(start)}/{name}",
            session="Thử",
            kind="bulletin",
            start=start,
            duration_ms=3000 if name != "lost" else 500,
            title=name,
            bulletin_id=None,
            media=ref,
            path=ref.path(media),
        )

    items = (item("on-air", sha), item("lost", "0" * 64), item("next", sha))
    device = Device(f"http://127.0.0.1:{free_port()}", "t", "sa", tmp_path / "cache")
    device.package = DayPackage(
        station="sa",
        day=now.date(),
        timezone="Asia/Ho_Chi_Minh",
        version=1,
        manifest={"sessions": []},
        items=tuple(sorted(items, key=lambda i: i.start)),
        session_files=(),
        source="offline",
        downloaded=0,
        reused=1,
        missing=(),
        problems=(),
    )
    while time.time() < now.timestamp():
        time.sleep(0.01)
    result = device.play_to_wav(tmp_path / "join.wav", starts["next"] + timedelta(seconds=1))
    device.close()

    pcm = samples_of(tmp_path / "join.wav")
    joined, lost, following = result.items
    cue = round((result.started_at - starts["on-air"].timestamp()) * RATE)
    assert (joined.status, joined.offset_s, joined.cue_in_ms) == ("aired", 0.0, cue * 1000 // RATE)
    remaining = RATE * 3 - cue
    assert abs(pcm[remaining - RATE // 100]) + abs(pcm[remaining - RATE // 50]) > 0
    assert set(pcm[remaining + RATE // 50 : remaining + RATE // 2]) == {0}
    assert (lost.status, lost.detail) == (
        "skipped",
        "tệp trong bộ nhớ đệm thiếu hoặc sai mã băm: bỏ qua",
    )
    planned = round((starts["next"].timestamp() - result.started_at) * RATE)
    assert following.status == "aired"
    assert onset(pcm, planned - RATE // 2, planned + RATE) == planned + 1
    reports = device.outbox.pending()
    assert [r["item_key"] for r in reports] == [joined.item_key, following.item_key]
    assert reports[0]["started_at"] == iso_utc(datetime.fromtimestamp(result.started_at, UTC))
