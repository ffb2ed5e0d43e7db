"""The whole on-air path on loopback for end-to-end tests: the API (a real uvicorn server, so
Liquidsoap can post its events to it), Icecast, Liquidsoap from the generated script, and the
playout driving it, plus a listener that timestamps the audio it hears.

Everything started here is stopped when the context ends, also on failure.
"""

from __future__ import annotations

import contextlib
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from api.main import create_app
from media.probe import decoded_duration
from media.store import MediaStore
from playlists import Programme
from stations import LiquidsoapConfig
from studio import areas, bulletins, programmes
from studio.audit import Actor
from studio.models import AreaUpdate, Bulletin, Clip, Station
from studio.onair_layout import slots
from studio.onair_models import AsRun
from studio.onair_secrets import load_or_create
from studio.onair_stack import EVENTS_PATH, stream_of
from studio.playout_jobs import PlayoutRunner
from studio.settings import Settings
from studio.types import ClipSource, ClipStatus, utcnow
from tests.conftest import require_binary
from tests.factories import SYSTEM, World, make_bulletin
from tests.programmes.support import add_window
from tests.stations.live import (
    IS_ROOT,
    IcecastServer,
    LiquidsoapRun,
    free_port,
    house_mp3,
    running_icecast,
)


@contextlib.contextmanager
def api_server(settings: Settings) -> Iterator[str]:
    """The API on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class PlayoutThread:
    """The playout as the scheduler process runs it (refresh, restart watch, tick), in a thread
    that can be stopped and started again like a restarted scheduler."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.runner = PlayoutRunner(settings, engine)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        self.runner.playout.start()
        last_refresh = 0.0
        while not self._stop.is_set():
            if time.monotonic() - last_refresh > 1:
                self.runner.playout.refresh()
                self.runner.watch_restarts()
                last_refresh = time.monotonic()
            self.runner.tick()
            self._stop.wait(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.runner.close()


@dataclass
class Rig:
    settings: Settings
    engine: Engine
    api: str
    icecast: IcecastServer
    liquidsoap: LiquidsoapRun
    playout: PlayoutThread

    @property
    def runner(self) -> PlayoutRunner:
        return self.playout.runner

    def mount_url(self, station: Station) -> str:
        return self.icecast.url(station.mount)

    def restart_playout(self, engine: Engine | None = None) -> None:
        """A scheduler process that dies and comes back (with a fresh memory)."""
        self.playout.stop()
        self.playout = PlayoutThread(self.settings, engine or self.engine)


@contextlib.contextmanager
def on_air(
    tmp_path: Path, settings: Settings, engine: Engine, stations: list[Station]
) -> Iterator[Rig]:
    """The stack for `stations` (one Liquidsoap process) with the playout ticking every 50 ms."""
    require_binary("ffmpeg")
    streams = [stream_of(s) for s in stations]
    secrets = load_or_create(settings)
    (slot,) = slots(settings, [s.code for s in stations])
    slot.log_path.parent.mkdir(parents=True, exist_ok=True)
    with api_server(settings) as api, running_icecast(tmp_path, streams) as ice:
        cfg = LiquidsoapConfig(
            stations=tuple(streams),
            icecast_password=ice.config.source_password,
            icecast_port=ice.port,
            events_url=api + EVENTS_PATH,
            events_token=secrets.events_token,
            log_path=slot.log_path.absolute(),
            socket_path=slot.socket_path.absolute(),
            allow_root=IS_ROOT,
        )
        liquidsoap = LiquidsoapRun(tmp_path, cfg)
        liquidsoap.start()
        rig = Rig(settings, engine, api, ice, liquidsoap, PlayoutThread(settings, engine))
        try:
            yield rig
        finally:
            rig.playout.stop()
            liquidsoap.client.close()
            liquidsoap.stop()


@dataclass
class Listener:
    """Decodes a mount as it arrives (ffmpeg to 8 kHz mono PCM) and timestamps every 10 ms."""

    url: str
    chunks: list[tuple[float, int]] = field(default_factory=list)  # (arrival, peak)
    _proc: subprocess.Popen[bytes] | None = None
    _thread: threading.Thread | None = None

    def __enter__(self) -> Listener:
        ffmpeg = require_binary("ffmpeg")
        self._proc = subprocess.Popen(
            [
                ffmpeg,
                "-nostdin",
                "-v",
                "error",
                "-fflags",
                "nobuffer",
                "-f",
                "mp3",  # no probing: the stream may start mid-frame after a reconnect
                "-i",
                self.url,
                "-f",
                "s16le",
                "-ac",
                "1",
                "-ar",
                "8000",
                "-",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        return self

    def _read(self) -> None:
        assert self._proc is not None
        assert self._proc.stdout is not None
        while True:
            block = self._proc.stdout.read(160)  # 10 ms
            if len(block) < 160:
                return
            samples = memoryview(block).cast("h")
            self.chunks.append((time.time(), max(abs(s) for s in samples)))

    def __exit__(self, *exc: object) -> None:
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()

    def onset_after(self, moment: float, threshold: int = 1000) -> float | None:
        """Arrival time of the first loud 10 ms after `moment`."""
        for at, peak in list(self.chunks):
            if at >= moment and peak >= threshold:
                return at
        return None

    def loud_span(self, start: float, end: float, threshold: int = 1000) -> float:
        """Seconds between the first and last loud 10 ms in [start, end]."""
        loud = [at for at, peak in list(self.chunks) if start <= at <= end and peak >= threshold]
        return loud[-1] - loud[0] if loud else 0.0


def tone_clip(
    session: Session, settings: Settings, bulletin: Bulletin, seconds: float, freq: int
) -> Clip:
    """A ready clip of `bulletin`'s current version: a real house-format tone of `seconds`,
    stored in the media store (no pre-roll: its audio starts at its first sample)."""
    work = settings.work_dir / "tones"
    work.mkdir(parents=True, exist_ok=True)
    path = house_mp3(work / f"{bulletin.id}-{freq}.mp3", seconds=seconds, freq=freq)
    stored = MediaStore(settings.media_dir).put(path, "mp3")
    assert bulletin.id is not None
    clip = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=bulletin.version,
        source=ClipSource.recording,
        status=ClipStatus.ready,
        sha256=stored.sha256,
        size_bytes=stored.size,
        duration_ms=round(decoded_duration(stored.path) * 1000),
        loudness_lufs=settings.media.target_lufs,
        finished_at=utcnow(),
    )
    session.add(clip)
    session.flush()
    return clip


def approved_tone(
    session: Session,
    world: World,
    settings: Settings,
    title: str,
    seconds: float,
    freq: int,
    stations: list[str],
) -> tuple[Bulletin, Clip]:
    """A bulletin for `stations`, with a tone clip, submitted and approved."""
    bulletin = make_bulletin(session, world["admin"], title=title, target_station_codes=stations)
    assert bulletin.id is not None
    clip = tone_clip(session, settings, bulletin, seconds, freq)
    bulletins.submit(session, Actor(user=world["admin"]), bulletin.id)
    bulletins.approve(
        session, Actor(user=world["approver_p"]), bulletin.id, bulletin.version, clip_id=clip.id
    )
    session.commit()
    return bulletin, clip


def no_quiet_hours(session: Session) -> None:
    """Tests run at any hour: no quiet hours in the test province."""
    areas.update_area(session, SYSTEM, "P", AreaUpdate(quiet_start=dtime(0), quiet_end=dtime(0)))
    session.commit()


def session_soon(
    session: Session,
    settings: Settings,
    world: World,
    codes: list[str],
    lead_s: float,
    minutes: float = 3,
) -> dict[str, Programme]:
    """A session "Thử" starting `lead_s` from now (whole seconds) at each station, built."""
    start = (datetime.now(UTC) + timedelta(seconds=lead_s)).replace(microsecond=0)
    local = start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    out = {}
    for code in codes:
        add_window(session, "station", code, "Thử", local.time(), minutes)
        built = programmes.build(session, settings, SYSTEM, world.stations[code], local.date())
        session.commit()
        out[code] = built.programme
    return out


def as_run_rows(engine: Engine, station: Station) -> list[AsRun]:
    with Session(engine) as fresh:
        return list(
            fresh.exec(select(AsRun).where(AsRun.station_id == station.id).order_by(col(AsRun.id)))
        )


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
