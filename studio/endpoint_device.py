"""The reference endpoint device: what a station's loudspeaker box does with its token.

Download then play, the robust mode: fetch the signed day package ahead, refuse it unless its
HMAC verifies with the key derived from the token, keep every clip (and session file) in a
cache by sha256, and play each item at its planned instant (`studio.endpoint_play`), reporting
heartbeats and proof of play; the last good manifest stays on disk, so a day plays without the
network. Live relay: read the station's mount through the API's redirect.

It speaks only HTTP to the API (no database, no settings), so integrators can read it as the
behaviour expected of a device.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from playlists.times import iso_utc, parse_utc
from studio.endpoint_device_http import DeviceHttp
from studio.endpoint_outbox import Outbox, write_json_atomic
from studio.endpoint_package import (
    DayPackage,
    EndpointError,
    MediaRef,
    PackageItem,
    Source,
    cache_name,
    checked_manifest,
    file_matches,
    load_cached,
    manifest_day,
    parse_items,
    session_media,
    signing_key,
)
from studio.endpoint_play import PlayResult, Reporter, WavSink, play

SOFTWARE = "loa-endpoint/1"
PROGRAMME = "/api/v1/endpoint/programme"
HEARTBEAT = "/api/v1/endpoint/heartbeat"
PLAYED = "/api/v1/endpoint/played"
STREAM = "/api/v1/endpoint/stream"
MEDIA = "/api/v1/media/{sha256}.mp3"
# A clock this close to the server's is trusted (NTP keeps it right, and a loopback measure is
# noise); beyond it the device plays by the server's time: a box without a real-time clock may
# boot hours off.
CLOCK_TRUST_MS = 250


@dataclass
class DeviceState:
    """What heartbeats report; the player updates it, the reporter thread reads it."""

    status: str = "idle"
    playing: str = ""
    buffer_s: float = 0.0


@dataclass(frozen=True)
class ListenResult:
    path: Path
    url: str  # where the redirect led
    bytes: int


class Device:
    def __init__(
        self,
        base_url: str,
        token: str,
        station_code: str | None = None,
        cache_dir: Path = Path("var/endpoint"),
        clock: Callable[[], float] = time.time,
        *,
        volume: int = 100,
        timeout_s: float = 10.0,
        say: Callable[[str], None] = lambda _: None,
    ) -> None:
        if not token.strip():
            raise EndpointError("Thiếu mã truy cập của đài", "auth")
        self.http = DeviceHttp(base_url, token, SOFTWARE, timeout_s)
        self.base_url = self.http.base_url
        self.key = signing_key(token)
        self.station_code = station_code
        self.cache_dir = cache_dir
        self.media_dir = cache_dir / "media"
        self.manifests = cache_dir / "manifests"  # the last good one of each day
        self.clock = clock
        self.volume = volume
        self.say = say
        self.state = DeviceState()
        self.clock_offset_ms: int | None = None  # server minus device, from the last heartbeat
        self.heartbeats: list[dict[str, Any]] = []  # what was sent, for the curious and tests
        self.package: DayPackage | None = None
        self.outbox = Outbox(cache_dir / "outbox.json")
        self.kick: Callable[[], None] = lambda: None  # wakes the reporter thread, when running

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Device:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the day package
    def fetch_day(self, day: date | None = None) -> DayPackage:
        """The signed package of a local day (default: the station's today), every file in the
        cache checked and the missing ones fetched; the cached manifest when the server cannot
        be reached. A file that cannot be had leaves its items out (`missing`, `problems`)."""
        cached = load_cached(self.manifests, self.key, self.station_code, day)
        headers = {"If-None-Match": cached[0]} if cached and cached[0] else {}
        params = {"date": day.isoformat()} if day else {}
        try:
            response = self.http.send("GET", PROGRAMME, params=params, headers=headers)
        except EndpointError as exc:
            if exc.kind != "network" or cached is None:
                raise
            self.say(f"Không tới được máy chủ ({exc.message}); phát theo bản kê đã lưu")
            return self._package(cached[1], "offline")
        if response.status_code == 304 and cached is not None:
            return self._package(cached[1], "not_modified")
        self.http.check(response, "tải chương trình")
        try:
            data = response.json()
        except ValueError as exc:
            raise EndpointError("Máy chủ trả về bản kê không phải JSON", "data") from exc
        manifest = checked_manifest(data, self.key, self.station_code)
        if day is not None and manifest_day(manifest) != day:  # an old package replayed
            raise EndpointError(
                f"Máy chủ trả về chương trình ngày {manifest.get('date')}, không phải {day}", "data"
            )
        parse_items(manifest, self.media_dir)  # refuse a malformed one before it replaces ours
        where = cache_name(self.manifests, manifest["station"], manifest_day(manifest))
        write_json_atomic(where, {"etag": response.headers.get("etag"), "manifest": manifest})
        return self._package(manifest, "network")

    def _package(self, manifest: dict[str, Any], source: Source) -> DayPackage:
        items = parse_items(manifest, self.media_dir)
        downloaded = reused = 0
        missing: list[str] = []
        problems: list[str] = []
        wanted: dict[str, tuple[MediaRef, list[PackageItem]]] = {}
        for item in items:
            wanted.setdefault(item.media.sha256, (item.media, []))[1].append(item)
        for ref in session_media(manifest):
            wanted.setdefault(ref.sha256, (ref, []))
        for ref, users in wanted.values():
            if file_matches(ref.path(self.media_dir), ref.sha256, ref.size):
                reused += 1
                continue
            if source == "offline":
                missing += [i.key for i in users]
                continue
            try:
                self.download(ref)
            except EndpointError as exc:  # the other items still play; this one is skipped
                missing += [i.key for i in users]
                problems.append(exc.message)
                self.say(exc.message)
                continue
            downloaded += 1
        version = manifest.get("version")
        self.package = DayPackage(
            station=str(manifest["station"]),
            day=manifest_day(manifest),
            timezone=str(manifest.get("timezone") or "Asia/Ho_Chi_Minh"),
            version=version if isinstance(version, int) else None,
            manifest=manifest,
            items=items,
            session_files=tuple(r.path(self.media_dir) for r in session_media(manifest)),
            source=source,
            downloaded=downloaded,
            reused=reused,
            missing=tuple(missing),
            problems=tuple(problems),
        )
        return self.package

    def download(self, ref: MediaRef) -> Path:
        """Fetch a file into the cache and keep it only if its sha256 and size match: from the
        manifest's URL, else from this server's media route (the content is what is checked,
        not where it came from)."""
        final = ref.path(self.media_dir)
        part = final.with_suffix(".part")
        urls = list(dict.fromkeys([ref.url, self.base_url + MEDIA.format(sha256=ref.sha256)]))
        error: EndpointError | None = None
        for url in urls:
            # A partial file left by an earlier run is resumed; if the whole then fails the
            # check, the same URL is tried once more from the first byte.
            for _ in range(2):
                resumed = part.exists()
                try:
                    self.http.download(url, part, ref.size)
                except EndpointError as exc:
                    error = exc
                    break
                if file_matches(part, ref.sha256, ref.size):
                    os.replace(part, final)
                    return final
                part.unlink(missing_ok=True)
                error = EndpointError(
                    f"Tệp {ref.sha256[:12]}… tải về không đúng mã băm sha256/kích thước: đã bỏ",
                    "integrity",
                )
                if not resumed:
                    break
        assert error is not None
        raise error

    # ------------------------------------------------------------------ reports
    def correction_s(self) -> float:
        """Seconds to add to the device's clock to get the server's (0 when trusted)."""
        offset = self.clock_offset_ms
        return 0.0 if offset is None or abs(offset) <= CLOCK_TRUST_MS else offset / 1000

    def heartbeat(self, status: str | None = None) -> dict[str, Any]:
        """Tell the server the device is alive, and measure the clock against its time."""
        state = self.state
        body = {
            "status": status or state.status,
            "playing": state.playing[:300] if (status or state.status) == "playing" else "",
            "volume": self.volume,
            "buffer_s": round(max(0.0, state.buffer_s), 3),
            "clock_offset_ms": self.clock_offset_ms,
            "software": SOFTWARE,
        }
        sent = self.clock()
        response = self.http.send("POST", HEARTBEAT, json=body)
        received = self.clock()
        self.http.check(response, "gửi nhịp tim")
        ack: dict[str, Any] = response.json()
        server = parse_utc(ack["server_time"]).timestamp()
        self.clock_offset_ms = round((server - (sent + received) / 2) * 1000)
        if self.station_code is not None and ack["station_code"] != self.station_code:
            raise EndpointError(
                f"Mã truy cập này thuộc đài {ack['station_code']}, không phải đài "
                f"{self.station_code}",
                "auth",
            )
        self.heartbeats.append(body)
        return ack

    def played(self, item: PackageItem, started: datetime, ended: datetime) -> dict[str, Any]:
        """Proof of play of an item: kept in the outbox on disk and sent by the reporter
        (store and forward: the server may be unreachable now)."""
        report = {
            "item_key": item.key,
            "started_at": iso_utc(started),
            "ended_at": iso_utc(ended),
            "sha256": item.media.sha256,
            "bulletin_id": item.bulletin_id,
        }
        self.outbox.add(report)
        self.kick()
        return report

    def flush_outbox(self) -> int:
        """Send the waiting proof of play in order; stops at the first network failure (the
        rest wait). A report the server refuses (422: not in its programme) is dropped, with a
        message. Returns how many were sent."""

        def send(report: dict[str, Any]) -> None:
            response = self.http.send("POST", PLAYED, json=report)
            if response.status_code == 422:
                self.say(f"Máy chủ không nhận báo cáo phát {report.get('item_key')}")
                return
            self.http.check(response, "gửi xác nhận đã phát")

        return self.outbox.flush(send)

    # ------------------------------------------------------------------ playing
    def play(
        self,
        sink: WavSink,
        until: datetime | timedelta,
        heartbeat_s: float = 30,
        sample_rate: int = 24_000,
    ) -> PlayResult:
        package = self.package or self.fetch_day()
        try:
            self.heartbeat()  # the clock offset, before anything is placed
        except EndpointError as exc:
            self.say(f"Chưa báo được về máy chủ: {exc.message}; phát theo đồng hồ của máy")
        reporter = Reporter(self, heartbeat_s)
        reporter.start()
        try:
            return play(self, package, sink, until, sample_rate)
        finally:
            reporter.stop()

    def play_to_wav(
        self,
        path: Path,
        until: datetime | timedelta,
        heartbeat_s: float = 30,
        sample_rate: int = 24_000,
    ) -> PlayResult:
        """Play the package's items into a WAV file at their planned instants, in real time,
        until `until` (an instant, or a span from the start); the WAV's start instant and each
        placement go in a sidecar `<path>.json`."""
        return self.play(WavSink(path, sample_rate), until, heartbeat_s, sample_rate)

    def listen(self, seconds: float, path: Path, heartbeat_s: float = 30) -> ListenResult:
        """Record the live mount (via the redirect) for `seconds` into `path`."""
        self.state.status, self.state.playing = "playing", "Trực tiếp"
        reporter = Reporter(self, heartbeat_s)
        reporter.start()
        try:
            url, size = self.http.record(STREAM, path, seconds)
        except httpx.InvalidURL as exc:
            raise EndpointError(f"Địa chỉ luồng trực tiếp không hợp lệ: {exc}", "data") from exc
        finally:
            self.state.status, self.state.playing = "idle", ""
            reporter.stop()
        return ListenResult(path=path, url=url, bytes=size)

    def server_now(self) -> datetime:
        return datetime.fromtimestamp(self.clock() + self.correction_s(), UTC)
