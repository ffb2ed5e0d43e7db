"""Which Liquidsoap process carries which station, and where its control socket is.

Liquidsoap encodes in one thread per process (~40 mounts keep real time on two cores), so the
enabled stations, in code order, are cut into groups of `stations_per_process`. Every process
of the deployment computes the same layout from the same registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from studio.models import Station
from studio.settings import Settings


@dataclass(frozen=True)
class ProcessSlot:
    index: int
    station_codes: tuple[str, ...]
    socket_path: Path
    script_path: Path
    log_path: Path


def slots(settings: Settings, codes: list[str]) -> list[ProcessSlot]:
    per = settings.onair.stations_per_process
    ordered = sorted(codes)
    base = settings.onair_dir
    return [
        ProcessSlot(
            index=n,
            station_codes=tuple(ordered[i : i + per]),
            # Unix socket paths are limited to ~107 bytes: keep the name short.
            socket_path=base / f"ls{n}.sock",
            script_path=base / f"liquidsoap-{n}.liq",
            log_path=base / "log" / f"liquidsoap-{n}.log",
        )
        for n, i in enumerate(range(0, len(ordered), per))
    ]


def enabled_codes(session: Session) -> list[str]:
    rows = session.exec(select(Station.code).where(col(Station.enabled).is_(True))).all()
    return sorted(rows)
