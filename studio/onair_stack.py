"""The streaming stack of a deployment, from the station registry: Icecast's config, one
Liquidsoap script per group of stations, and the supervised programs that run them and the
playout scheduler.

Everything binds to loopback by default; passwords and the events token come from
`onair_secrets` (generated, never defaults). Running as root (a container), Icecast switches to
Debian's icecast2 account and Liquidsoap is allowed to stay root.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from stations import (
    IcecastConfig,
    LiquidsoapConfig,
    RunAs,
    StationStream,
    StreamFormat,
    icecast_command,
    liquidsoap_command,
    render_icecast_xml,
    render_liquidsoap,
    write_atomic,
)
from studio.models import Station
from studio.onair_layout import ProcessSlot, slots
from studio.onair_secrets import load_or_create
from studio.settings import Settings
from studio.supervise import Program

EVENTS_PATH = "/api/v1/internal/onair/events"


@dataclass(frozen=True)
class Stack:
    icecast: IcecastConfig
    icecast_path: Path
    liquidsoap: tuple[tuple[ProcessSlot, LiquidsoapConfig], ...]

    @property
    def stations(self) -> tuple[StationStream, ...]:
        return self.icecast.mounts


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def stream_of(station: Station) -> StationStream:
    fmt = StreamFormat(codec=station.stream_codec.value, bitrate_kbps=station.stream_bitrate_kbps)
    return StationStream(code=station.code, name=station.name, mount=station.mount, format=fmt)


def build_stack(session: Session, settings: Settings, events_base_url: str) -> Stack:
    secrets = load_or_create(settings)
    onair = settings.onair
    base = settings.onair_dir.absolute()
    enabled = session.exec(
        select(Station).where(col(Station.enabled).is_(True)).order_by(col(Station.code))
    ).all()
    streams = {s.code: stream_of(s) for s in enabled}
    root = is_root()
    icecast = IcecastConfig(
        source_password=secrets.icecast_source_password,
        admin_password=secrets.icecast_admin_password,
        log_dir=base / "log" / "icecast",
        mounts=tuple(streams.values()),
        host=onair.icecast_host,
        port=onair.icecast_port,
        hostname=onair.icecast_host,
        run_as=RunAs() if root else None,
        log_to_stderr=True,
    )
    processes = []
    for slot in slots(settings, list(streams)):
        processes.append(
            (
                slot,
                LiquidsoapConfig(
                    stations=tuple(streams[c] for c in slot.station_codes),
                    icecast_password=secrets.icecast_source_password,
                    events_url=events_base_url.rstrip("/") + EVENTS_PATH,
                    events_token=secrets.events_token,
                    log_path=slot.log_path.absolute(),
                    socket_path=slot.socket_path.absolute(),
                    icecast_host=onair.icecast_host,
                    icecast_port=onair.icecast_port,
                    dead_air_s=onair.dead_air_s,
                    blank_threshold_db=onair.blank_threshold_db,
                    allow_root=root,
                ),
            )
        )
    return Stack(icecast, base / "icecast.xml", tuple(processes))


def write_stack(stack: Stack) -> None:
    """Write every config atomically and make the log directories (Icecast logs to stderr,
    which the supervisor keeps: after dropping root it needs no directory of its own)."""
    stack.icecast.log_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(stack.icecast_path, render_icecast_xml(stack.icecast))
    for slot, cfg in stack.liquidsoap:
        cfg.log_path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(slot.script_path.absolute(), render_liquidsoap(cfg))


def programs(stack: Stack, settings: Settings, environment: dict[str, str]) -> list[Program]:
    """Icecast first, then the Liquidsoap processes, then the playout scheduler."""
    log = settings.onair_dir.absolute() / "log"
    out = [
        Program(
            name="icecast",
            command=tuple(icecast_command(stack.icecast_path)),
            priority=10,
            stdout_log=log / "icecast.out",
        )
    ]
    for slot, _ in stack.liquidsoap:
        out.append(
            Program(
                name=f"liquidsoap-{slot.index}",
                command=tuple(liquidsoap_command(slot.script_path.absolute())),
                priority=20,
                startsecs=3,
                stdout_log=log / f"liquidsoap-{slot.index}.out",
            )
        )
    loa = str(Path(sys.executable).parent / "loa")
    out.append(
        Program(
            name="scheduler",
            command=(loa, "scheduler"),
            environment=environment,
            priority=30,
            stdout_log=log / "scheduler.out",
        )
    )
    return out
