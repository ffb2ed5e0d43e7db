"""Real icecast2 + liquidsoap on free 127.0.0.1 ports, for end-to-end tests (reusable).

    with running_icecast(tmp_path, mounts) as ice, EventSink() as events:
        cfg = liquidsoap_config(tmp_path, ice, events, stations)
        with running_liquidsoap(tmp_path, cfg) as liq:
            liq.client.push(stations[0].programme_queue, house_mp3(tmp_path / "a.mp3"), {...})
            events.wait(lambda e: e["event"] == "track_start")

Every context manager stops what it started (SIGTERM, wait, SIGKILL) even when the body
fails. Root (this sandbox, containers): Icecast gets ``<changeowner>`` to icecast2:icecast and
a log dir it can write (outside pytest's 0700 tmp tree); Liquidsoap gets ``allow_root``.
Daemon output goes to ``<tmp_path>/icecast.out`` / ``liquidsoap.out``; Liquidsoap's own log to
``liquidsoap.log`` (see ``name`` for several processes): read them when a test fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from stations import (
    IcecastConfig,
    LiquidsoapClient,
    LiquidsoapConfig,
    RunAs,
    StationStream,
    icecast_command,
    liquidsoap_command,
    render_icecast_xml,
    render_liquidsoap,
    stop_process,
    wait_icecast_ready,
    wait_mounts,
    wait_socket_ready,
    write_atomic,
)
from tests.conftest import require_binary
from tests.media.sounds import lavfi

IS_ROOT = os.geteuid() == 0
Event = dict[str, Any]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def house_mp3(path: Path, seconds: float = 3.0, freq: int = 440, peak_db: float = -6.0) -> Path:
    """A sine tone peaking at ``peak_db`` dBFS in the house format: MP3 CBR 48k, 24 kHz, mono."""
    return lavfi(
        path,
        f"sine=f={freq}:r=24000:d={seconds}",
        *("-c:a", "libmp3lame", "-b:a", "48k", "-ar", "24000", "-ac", "1"),
        filters=f"volume={peak_db + 18:g}dB",  # lavfi's sine peaks at 1/8 (-18 dBFS)
    )


@dataclass(frozen=True)
class IcecastServer:
    config: IcecastConfig
    process: subprocess.Popen[bytes]

    @property
    def host(self) -> str:
        return self.config.host

    @property
    def port(self) -> int:
        return self.config.port

    def url(self, mount: str) -> str:
        return self.config.listen_url(mount)


@contextlib.contextmanager
def running_icecast(
    tmp_path: Path, mounts: Sequence[StationStream] = ()
) -> Iterator[IcecastServer]:
    """Icecast from our generated icecast.xml on a free port; ready when yielded."""
    binary = require_binary("icecast2")
    # Icecast drops root before opening its logs: the dir must be reachable by icecast2, and
    # pytest's tmp tree is 0700.
    log_dir = Path(tempfile.mkdtemp(prefix="loa-icecast-"))
    try:
        if IS_ROOT:
            shutil.chown(log_dir, "icecast2", "icecast")
        config = IcecastConfig(
            source_password=secrets.token_urlsafe(16),
            admin_password=secrets.token_urlsafe(16),
            log_dir=log_dir,
            mounts=tuple(mounts),
            port=free_port(),
            run_as=RunAs() if IS_ROOT else None,
        )
        path = tmp_path / "icecast.xml"
        write_atomic(path, render_icecast_xml(config))
        with (tmp_path / "icecast.out").open("ab") as out:
            process = subprocess.Popen(
                icecast_command(path, binary=binary), stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_icecast_ready(config.host, config.port, timeout=10, process=process)
            yield IcecastServer(config, process)
        finally:
            stop_process(process)
    finally:
        shutil.rmtree(log_dir, ignore_errors=True)


class EventSink:
    """A tiny HTTP server on 127.0.0.1 recording the JSON bodies Liquidsoap POSTs.

    ``events`` holds each body with ``_auth`` (the Authorization header) and ``_path`` added.
    """

    def __init__(self) -> None:
        self.events: list[Event] = []
        self._changed = threading.Condition()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                event = json.loads(body.decode("utf-8"))
                event["_auth"] = self.headers.get("Authorization")
                event["_path"] = self.path
                with sink._changed:
                    sink.events.append(event)
                    sink._changed.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self.token = secrets.token_urlsafe(24)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/internal/events"

    def __enter__(self) -> EventSink:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, predicate: Callable[[Event], bool], timeout: float = 10.0) -> Event:
        """The first recorded event matching ``predicate``, waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for event in self.events:
                    if predicate(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [(e.get("event"), e.get("station")) for e in self.events[-20:]]
                    raise AssertionError(f"no matching event in {timeout:g} s; last: {seen}")
                self._changed.wait(left)

    def matching(self, predicate: Callable[[Event], bool]) -> list[Event]:
        with self._changed:
            return [event for event in self.events if predicate(event)]


def liquidsoap_config(
    tmp_path: Path,
    icecast: IcecastServer,
    events: EventSink,
    stations: Sequence[StationStream],
    *,
    name: str = "liquidsoap",
    **overrides: Any,
) -> LiquidsoapConfig:
    """A config streaming ``stations`` to ``icecast`` and reporting to ``events``.

    ``name`` names the log and socket (``<name>.log``, ``<name>.sock``): give each process of a
    multi-process test its own.
    """
    config = LiquidsoapConfig(
        stations=tuple(stations),
        icecast_password=icecast.config.source_password,
        icecast_port=icecast.port,
        events_url=events.url,
        events_token=events.token,
        log_path=tmp_path / f"{name}.log",
        socket_path=tmp_path / f"{name}.sock",
        allow_root=IS_ROOT,
    )
    return replace(config, **overrides) if overrides else config


class LiquidsoapRun:
    """One Liquidsoap process for ``cfg``, restartable (for fault drills) and stoppable."""

    def __init__(self, tmp_path: Path, cfg: LiquidsoapConfig, name: str = "liquidsoap") -> None:
        self.binary = require_binary("liquidsoap")
        self.cfg = cfg
        self.script = tmp_path / f"{name}.liq"
        self.output = tmp_path / f"{name}.out"
        self.process: subprocess.Popen[bytes] | None = None
        write_atomic(self.script, render_liquidsoap(cfg))
        self.client = LiquidsoapClient(cfg.server_address, timeout=2.0)

    def start(self, *, wait_for_mounts: bool = True) -> None:
        with self.output.open("ab") as out:
            self.process = subprocess.Popen(
                liquidsoap_command(self.script, binary=self.binary),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_socket_ready(self.cfg.server_address, timeout=20, process=self.process)
            if wait_for_mounts:
                mounts = [s.mount for s in self.cfg.stations]
                wait_mounts(
                    self.cfg.icecast_host, self.cfg.icecast_port, mounts, process=self.process
                )
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)

    def kill(self) -> None:
        """kill -9: no clean shutdown (the socket file stays behind)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=5)

    def restart(self, *, wait_for_mounts: bool = True) -> None:
        self.stop()
        self.start(wait_for_mounts=wait_for_mounts)


@contextlib.contextmanager
def running_liquidsoap(
    tmp_path: Path, cfg: LiquidsoapConfig, *, name: str = "liquidsoap", wait_for_mounts: bool = True
) -> Iterator[LiquidsoapRun]:
    """Liquidsoap running ``cfg``: server answering (and mounts up) when yielded.

    Files: ``<name>.liq`` (the script), ``<name>.out`` (stdout/stderr) in ``tmp_path``.
    """
    run = LiquidsoapRun(tmp_path, cfg, name)
    try:
        run.start(wait_for_mounts=wait_for_mounts)
        yield run
    finally:
        run.client.close()
        run.stop()


def listen(url: str, seconds: float, *, on_connect: Callable[[], object] | None = None) -> bytes:
    """Read a mount like a listener for ``seconds`` (wall clock); returns the bytes received.

    ``on_connect`` runs once the response headers are in (e.g. to push an item then).
    """
    chunks: list[bytes] = []
    with urllib.request.urlopen(url, timeout=5) as response:
        if on_connect is not None:
            on_connect()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            chunk = response.read1(4096)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)
