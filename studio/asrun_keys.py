"""Item keys, and where an as-run report meets the plan.

A programme item is known to the playout, Liquidsoap's annotations, endpoints and the as-run log
by one key (`playlists.keys.item_key`): its planned start (ISO UTC with ms) and its bulletin id
(or its kind, for the opening and closing jingles). The key survives rebuilds that keep the
item, and carries its planned start when nothing else does.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

import playlists
from playlists.keys import item_key as item_key
from playlists.times import parse_utc
from studio.models import Station
from studio.schedule_models import ProgrammeVersion


def key_start(key: str) -> datetime | None:
    """The planned start written in an item key, if it has one."""
    start, sep, _ = key.partition("/")
    if not sep:
        return None
    try:
        return parse_utc(start)
    except ValueError:
        return None


def key_kind(key: str) -> str:
    """``bulletin``, ``opening``, ``closing`` (or whatever else follows the slash)."""
    _, _, what = key.partition("/")
    return "bulletin" if what.isdigit() else what


def local_day(station: Station, moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(station.timezone)).date()


def local_clock(station: Station, moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo(station.timezone)):%H:%M:%S}"


def current_programme(session: Session, station_id: int, day: date) -> playlists.Programme | None:
    row = session.exec(
        select(ProgrammeVersion).where(
            ProgrammeVersion.station_id == station_id,
            ProgrammeVersion.day == day,
            col(ProgrammeVersion.is_current).is_(True),
        )
    ).first()
    return playlists.programme_from_dict(row.data) if row is not None else None


def planned_item(
    session: Session, station: Station, key: str
) -> tuple[date, playlists.ProgrammeItem] | None:
    """The day and item of the station's current programmes with this key (a session may run
    past midnight: the programme of the day before is looked at too)."""
    start = key_start(key)
    if start is None:
        return None
    assert station.id is not None
    day = local_day(station, start)
    for candidate in (day, day - timedelta(days=1)):
        programme = current_programme(session, station.id, candidate)
        for item in programme.items if programme is not None else ():
            if item_key(item) == key:
                return candidate, item
    return None


def item_planned_at(
    session: Session, station: Station, at: datetime
) -> playlists.ProgrammeItem | None:
    """The item the station's current programme has on air at `at`, if any."""
    assert station.id is not None
    programme = current_programme(session, station.id, local_day(station, at))
    for item in programme.items if programme is not None else ():
        if item.start <= at < item.end:
            return item
    return None
