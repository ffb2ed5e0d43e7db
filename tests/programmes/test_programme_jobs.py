"""The evening build and the rebuilds that follow changes in the audit log."""

from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studio import bulletins, programmes, stations
from studio.audit import Actor
from studio.models import StationUpdate
from studio.programme_jobs import RebuildWatcher, daily_build
from studio.schedule_models import ProgrammeVersion
from studio.settings import Settings
from tests.factories import SYSTEM, World
from tests.programmes.support import DAY, EVE, add_window, approved, two_sessions


def current(session: Session, world: World, code: str, day: date = DAY) -> ProgrammeVersion | None:
    session.expire_all()
    return programmes.current_version(session, world.stations[code].id or 0, day)


def titles(row: ProgrammeVersion | None) -> list[str]:
    assert row is not None
    return [i["title"] for i in row.data["items"] if i["kind"] == "bulletin"]


def test_the_evening_build_makes_tomorrow_for_every_enabled_station(
    engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(
        session,
        world,
        title="Tin tỉnh",
        target_station_codes=[],
        target_area_codes=["P"],
        author="admin",
    )
    stations.update_station(session, SYSTEM, "sp", StationUpdate(enabled=False))
    session.commit()

    made = daily_build(engine, settings, now=EVE)

    assert made == 2
    assert titles(current(session, world, "sa")) == ["Tin tỉnh"]
    assert titles(current(session, world, "sb")) == ["Tin tỉnh"]
    assert current(session, world, "sp") is None
    assert current(session, world, "sa", DAY - timedelta(days=1)) is None  # today: only at start
    assert daily_build(engine, settings, now=EVE) == 0  # nothing changed: no new versions
    assert daily_build(engine, settings, now=EVE, today=True) == 2


def test_an_approval_rebuilds_the_stations_it_targets_only(
    engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    daily_build(engine, settings, now=EVE)
    watcher = RebuildWatcher(engine, settings)
    assert watcher.poll(now=EVE) == []

    approved(
        session,
        world,
        title="Tin xã B",
        target_station_codes=[],
        target_area_codes=["B"],
        author="editor_b",
        approver="approver_b",
    )
    results = watcher.poll(now=EVE)

    built = {(r.station, r.day, r.version) for r in results if not isinstance(r, Exception)}
    assert built == {("sb", DAY - timedelta(days=1), 1), ("sb", DAY, 2)}
    assert titles(current(session, world, "sb")) == ["Tin xã B"]
    assert titles(current(session, world, "sa")) == []
    assert current(session, world, "sa").version == 1  # type: ignore[union-attr]
    assert watcher.poll(now=EVE) == []  # each event once


def test_a_withdrawal_takes_the_bulletin_out_and_a_new_window_adds_a_session(
    engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    bulletin = approved(session, world, title="Tin sẽ rút")
    daily_build(engine, settings, now=EVE)
    watcher = RebuildWatcher(engine, settings)
    assert titles(current(session, world, "sa")) == ["Tin sẽ rút"]

    assert bulletin.id is not None
    bulletins.withdraw(session, Actor(user=world["editor_a"]), bulletin.id, reason="sai")
    session.commit()
    watcher.poll(now=EVE)
    assert titles(current(session, world, "sa")) == []

    add_window(session, "area", "A", "Trưa", time(11, 0), 15)
    watcher.poll(now=EVE)
    row = current(session, world, "sa")
    assert row is not None
    assert [s["name"] for s in row.data["sessions"]] == ["Trưa"]  # A's own windows now
    assert row.diff_text.splitlines() == [
        "+ thêm buổi Trưa 11:00:00-11:15:00",
        "- bỏ buổi Sáng 05:30:00-06:00:00",
        "- bỏ buổi Chiều 17:00:00-17:30:00",
    ]
    assert row.changes == 3
    assert [s["name"] for s in current(session, world, "sb").data["sessions"]] == [  # type: ignore[union-attr]
        "Sáng",
        "Chiều",
    ]
    versions = session.exec(
        select(ProgrammeVersion.version).where(
            ProgrammeVersion.station_id == world.stations["sb"].id
        )
    ).all()
    assert sorted(versions) == [1]
