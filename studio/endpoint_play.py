"""Playing a day package in real time, as an endpoint device does: each item at its planned
instant, silence between, into a WAV file; and the reporter thread that sends heartbeats and
proof of play meanwhile.

Output sample n is due at the wall-clock instant start + n / rate. Each item is placed at the
sample of its planned start counted from that instant (never from the end of the previous
write, so timing errors cannot accumulate), and writing is paced so that it runs at most
`LEAD_S` ahead of the clock, like a sound card's buffer: the file grows as time passes. Clips
are decoded by ffmpeg and streamed through in blocks; the day is never held in memory.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
import time
import wave
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from media.tools import FFMPEG_BASE
from playlists.times import iso_utc
from studio.endpoint_outbox import write_json_atomic
from studio.endpoint_package import DayPackage, EndpointError, PackageItem, file_matches

if TYPE_CHECKING:
    from studio.endpoint_device import Device

LEAD_S = 0.5
BLOCK_S = 0.1


class WavSink:
    """16-bit mono PCM into `path`, written under a temp name and renamed when complete."""

    def __init__(self, path: Path, rate: int) -> None:
        self.path = path
        self.rate = rate
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
        self._wav = wave.open(str(self.tmp), "wb")  # closed by commit() or discard()
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(rate)

    def write(self, pcm: bytes) -> None:
        self._wav.writeframesraw(pcm)

    def commit(self) -> None:
        self._wav.close()  # patches the header's lengths
        with self.tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(self.tmp, self.path)

    def discard(self) -> None:
        with contextlib.suppress(Exception):
            self._wav.close()
        self.tmp.unlink(missing_ok=True)


@dataclass
class Placed:
    """One item as it went into the output."""

    item_key: str
    title: str
    planned_start: str
    status: str  # aired, skipped
    offset_s: float | None = None  # where its first sample is, from the output's start
    started_at: str | None = None  # that instant, in the server's time
    ended_at: str | None = None
    cue_in_ms: int = 0  # joined late (the device started mid-item): this much was left out
    detail: str = ""


@dataclass
class PlayResult:
    path: Path
    sample_rate: int
    started_at: float  # the device clock's instant of sample 0
    clock_correction_ms: int  # added to device time to get server time
    samples: int
    items: list[Placed] = field(default_factory=list)

    @property
    def started_at_server(self) -> float:
        return self.started_at + self.clock_correction_ms / 1000


class Timeline:
    def __init__(self, sink: WavSink, rate: int, start: float, device: Device) -> None:
        self.sink, self.rate, self.start, self.device = sink, rate, start, device
        self.written = 0

    def _pace(self, upto: int) -> None:
        wait = self.start + upto / self.rate - LEAD_S - self.device.clock()
        if wait > 0:
            time.sleep(wait)
        self.device.state.buffer_s = self.start + upto / self.rate - self.device.clock()

    def write(self, pcm: bytes) -> None:
        upto = self.written + len(pcm) // 2
        self._pace(upto)
        self.sink.write(pcm)
        self.written = upto

    def silence_to(self, sample: int) -> None:
        block = max(1, int(self.rate * BLOCK_S))
        while self.written < sample:
            self.write(bytes(2 * min(block, sample - self.written)))

    def clip(self, path: Path, cue: int, limit: int) -> int:
        """Decode `path` from sample `cue` into the output, at most `limit` samples; returns
        how many were written."""
        seek = ["-ss", f"{cue / self.rate:.6f}"] if cue else []
        cmd = [*FFMPEG_BASE, "-v", "error", *seek, "-i", str(path)]
        cmd += ["-f", "s16le", "-ac", "1", "-ar", str(self.rate), "-"]
        block = 2 * max(1, int(self.rate * BLOCK_S))
        done = 0
        # stderr is not read: a broken file could fill the pipe and stall ffmpeg.
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None
            try:
                while done < limit:
                    pcm = proc.stdout.read(min(block, 2 * (limit - done)))
                    pcm = pcm[: len(pcm) - len(pcm) % 2]
                    if not pcm:
                        break
                    self.write(pcm)
                    done += len(pcm) // 2
            finally:
                if proc.poll() is None:
                    proc.kill()
        return done


def _iso(moment: float) -> str:
    return iso_utc(datetime.fromtimestamp(moment, UTC))


def _write_sidecar(path: Path, package: DayPackage, result: PlayResult) -> None:
    sidecar = path.with_name(path.name + ".json")
    data: dict[str, Any] = {
        "format": "loa-endpoint-play/1",
        "station": package.station,
        "date": package.day.isoformat(),
        "version": package.version,
        "sample_rate": result.sample_rate,
        "samples": result.samples,
        "started_at": datetime.fromtimestamp(result.started_at, UTC).isoformat(),
        "started_at_epoch": result.started_at,
        "clock_correction_ms": result.clock_correction_ms,
        "items": [asdict(p) for p in result.items],
    }
    write_json_atomic(sidecar, data)


def _due(package: DayPackage, start: float, until: float) -> list[PackageItem]:
    """Items not over at `start` and starting before `until` (server seconds)."""
    return [i for i in package.items if i.end.timestamp() > start and i.start.timestamp() < until]


def play(
    device: Device, package: DayPackage, sink: WavSink, until: datetime | timedelta, rate: int
) -> PlayResult:
    """Play until the instant `until`, or for the span `until` from now."""
    correction = device.correction_s()
    start = device.clock()
    result = PlayResult(sink.path, rate, start, round(correction * 1000), 0)
    timeline = Timeline(sink, rate, start, device)
    server_start = start + correction
    stop = (
        server_start + until.total_seconds() if isinstance(until, timedelta) else until.timestamp()
    )
    end = max(0, round((stop - server_start) * rate))
    try:
        for item in _due(package, server_start, stop):
            placed = Placed(item.key, item.title, iso_utc(item.start), "skipped")
            result.items.append(placed)
            target = round((item.start.timestamp() - server_start) * rate)
            cue = max(0, -target)
            timeline.silence_to(max(target, timeline.written))
            if not file_matches(item.path, item.media.sha256, item.media.size):
                placed.detail = "tệp trong bộ nhớ đệm thiếu hoặc sai mã băm: bỏ qua"
                device.say(f"Bỏ qua «{item.title}»: {placed.detail}")
                continue
            at = timeline.written
            if at >= end:
                break
            device.state.status, device.state.playing = "playing", item.title
            device.kick()
            count = timeline.clip(item.path, cue, end - at)
            device.state.status, device.state.playing = "idle", ""
            if count == 0:
                placed.detail = "không giải mã được tệp"
                continue
            started, ended = server_start + at / rate, server_start + (at + count) / rate
            placed.status = "aired"
            placed.offset_s, placed.cue_in_ms = at / rate, cue * 1000 // rate
            placed.started_at, placed.ended_at = _iso(started), _iso(ended)
            device.played(
                item, datetime.fromtimestamp(started, UTC), datetime.fromtimestamp(ended, UTC)
            )
            device.say(f"Đã phát «{item.title}» lúc {placed.started_at}")
        timeline.silence_to(end)
    except KeyboardInterrupt:
        device.say("Đã dừng theo yêu cầu; lưu phần đã phát")
    except BaseException:
        sink.discard()
        raise
    finally:
        device.state.status, device.state.playing = "idle", ""
    result.samples = timeline.written
    sink.commit()
    _write_sidecar(sink.path, package, result)
    return result


class Reporter:
    """Heartbeats every `interval_s`, at once on a change of state, and proof of play as soon
    as there is some: on its own thread, so a slow network never holds up the audio. Network
    failures are said and retried at the next beat; the reports wait on disk meanwhile."""

    def __init__(self, device: Device, interval_s: float) -> None:
        self.device = device
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._wake_event = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="loa-endpoint-report", daemon=True)

    def start(self) -> None:
        self.device.kick = self._wake
        self._thread.start()

    def _wake(self) -> None:
        self._wake_event.set()

    def _round(self) -> None:
        try:
            self.device.heartbeat()
            self.device.flush_outbox()
        except EndpointError as exc:
            self.device.say(f"Chưa báo được về máy chủ: {exc.message}")

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake_event.clear()  # before the round: a kick during it is not lost
            self._round()
            self._wake_event.wait(self.interval_s)

    def stop(self) -> None:
        self._stop.set()
        self._wake_event.set()
        self._thread.join(timeout=30)
        self.device.kick = lambda: None
        self._round()  # the last state (idle) and whatever proof of play is left
