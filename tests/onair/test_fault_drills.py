"""Fault drills on the real stack: what the loudspeakers hear when a part of the system fails.

Each drill runs a short session a few seconds ahead on station sa (tones, no speech, so the
audio is easy to find at the listener) and breaks something while it plays.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from media.store import MediaStore
from stations import icecast_command, wait_icecast_ready, wait_mounts
from studio.db import make_engine
from studio.onair_models import OnAirAlert
from studio.settings import Settings
from studio.types import AlertKind, AsRunSource, AsRunStatus
from tests.factories import World
from tests.onair.support import (
    Listener,
    approved_tone,
    as_run_rows,
    no_quiet_hours,
    on_air,
    session_soon,
    wait_for,
)


def test_liquidsoap_killed_mid_item_comes_back_at_the_right_offset_and_airs_it_once(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    no_quiet_hours(session)
    approved_tone(session, world, settings, "Tin dài", 20, 440, ["sa"])
    sa = world.stations["sa"]
    with on_air(tmp_path, settings, engine, list(world.stations.values())) as rig:
        (item,) = session_soon(session, settings, world, ["sa"], 6)["sa"].items
        planned, end = item.start.timestamp(), item.end.timestamp()
        wait_for(lambda: bool(as_run_rows(engine, sa)), 15, "the item on air")
        time.sleep(2)
        rig.liquidsoap.kill()
        killed_at = time.time()
        rig.liquidsoap.start()
        with Listener(rig.mount_url(sa)) as listener:
            time.sleep(max(0.0, end - time.time()) + 2)
        back = listener.onset_after(killed_at)
        assert back is not None, "nothing on air after the restart"
        assert back - killed_at < 10  # cold start ~2 s + the playout noticing within 1 s
        # Aligned: the resumed item ends where the plan says, not 20 s after the restart.
        last_loud = max(at for at, peak in listener.chunks if peak >= 1000)
        assert abs(last_loud - end) < 5, f"ends {last_loud - end:+.1f} s from plan"
    rows = [r for r in as_run_rows(engine, sa) if r.source is AsRunSource.liquidsoap]
    assert len(rows) == 1, [(r.status, r.started_at) for r in rows]  # aired once, resumed
    assert rows[0].item_key.endswith(f"/{item.bulletin_id}")
    assert rows[0].planned_start is not None
    assert rows[0].planned_start.timestamp() == planned


def test_a_restarted_scheduler_pushes_nothing_twice_and_keeps_time(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    no_quiet_hours(session)
    approved_tone(session, world, settings, "Tin một", 4, 440, ["sa"])
    approved_tone(session, world, settings, "Tin hai", 3, 660, ["sa"])
    sa = world.stations["sa"]
    with on_air(tmp_path, settings, engine, list(world.stations.values())) as rig:
        first, second = session_soon(session, settings, world, ["sa"], 6)["sa"].items
        wait_for(lambda: len(as_run_rows(engine, sa)) >= 1, 15, "the first item on air")
        rig.restart_playout()  # mid-item, fresh memory
        wait_for(
            lambda: any(r.ended_at for r in as_run_rows(engine, sa) if r.title == "Tin hai"),
            20,
            "the second item aired",
        )
    rows = as_run_rows(engine, sa)
    assert [r.title for r in rows] == ["Tin một", "Tin hai"]
    assert all(r.status is AsRunStatus.aired for r in rows), [r.status for r in rows]
    assert rows[1].lateness_ms is not None
    assert abs(rows[1].lateness_ms) < 500
    assert rows[1].item_key.endswith(f"/{second.bulletin_id}")
    assert rows[0].item_key.endswith(f"/{first.bulletin_id}")


def test_the_day_plays_from_the_local_copy_without_api_and_database(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    no_quiet_hours(session)
    approved_tone(session, world, settings, "Tin khi mất mạng", 3, 440, ["sa"])
    sa = world.stations["sa"]
    with on_air(tmp_path, settings, engine, list(world.stations.values())) as rig:
        (item,) = session_soon(session, settings, world, ["sa"], 10)["sa"].items
        day = item.start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
        plan_copy = settings.onair_dir / "plans" / "sa" / f"{day.isoformat()}.json"
        wait_for(plan_copy.exists, 5, "the local copy of the plan")
        # The database goes away (its file moved), and the scheduler restarts without it.
        db_file = Path(settings.effective_database_url.removeprefix("sqlite:///"))
        moved = db_file.with_suffix(".away")
        os.replace(db_file, moved)
        dead = make_engine(f"sqlite:///{tmp_path / 'nowhere' / 'loa.db'}")
        try:
            rig.restart_playout(dead)
            with Listener(rig.mount_url(sa)) as listener:
                time.sleep(max(0.0, item.end.timestamp() - time.time()) + 1)
        finally:
            dead.dispose()
            os.replace(moved, db_file)
        onset = listener.onset_after(item.start.timestamp() - 2)
        assert onset is not None, "the local copy did not play"
        assert abs(onset - item.start.timestamp()) < 1.0


def test_icecast_restarted_the_station_is_heard_again(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    no_quiet_hours(session)
    approved_tone(session, world, settings, "Tin dài", 25, 440, ["sa"])
    sa = world.stations["sa"]
    with on_air(tmp_path, settings, engine, list(world.stations.values())) as rig:
        session_soon(session, settings, world, ["sa"], 5)
        wait_for(lambda: bool(as_run_rows(engine, sa)), 15, "the item on air")
        process = rig.icecast.process
        process.terminate()
        process.wait(timeout=10)
        restarted_at = time.time()
        with (tmp_path / "icecast.out").open("ab") as out:
            new = subprocess.Popen(
                icecast_command(tmp_path / "icecast.xml"), stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_icecast_ready(rig.icecast.host, rig.icecast.port, timeout=10, process=new)
            # Liquidsoap reconnects by itself (every 3 s); then a listener hears the item.
            wait_mounts(rig.icecast.host, rig.icecast.port, [sa.mount], timeout=15)
            reconnected = time.time() - restarted_at
            with Listener(rig.mount_url(sa)) as listener:
                time.sleep(3)
            heard = listener.onset_after(restarted_at)
            assert heard is not None, "no audio after Icecast came back"
            assert reconnected < 10
        finally:
            new.terminate()
            new.wait(timeout=10)


def test_a_corrupted_clip_is_skipped_with_an_alert_and_the_next_airs_on_time(
    tmp_path: Path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    no_quiet_hours(session)
    _, bad = approved_tone(session, world, settings, "Tin hỏng", 3, 440, ["sa"])
    approved_tone(session, world, settings, "Tin lành", 3, 660, ["sa"])
    assert bad.sha256 is not None
    path = MediaStore(settings.media_dir).path_for(bad.sha256, "mp3")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte after approval
    path.write_bytes(bytes(data))
    sa = world.stations["sa"]
    with on_air(tmp_path, settings, engine, list(world.stations.values())) as rig:
        first, second = session_soon(session, settings, world, ["sa"], 6)["sa"].items
        with Listener(rig.mount_url(sa)) as listener:
            time.sleep(max(0.0, second.end.timestamp() - time.time()) + 1)
        wait_for(lambda: any(r.ended_at for r in as_run_rows(engine, sa)), 5, "as-run")
    onset = listener.onset_after(first.start.timestamp() - 1)
    assert onset is not None
    assert abs(onset - second.start.timestamp()) < 1.0  # the good one, at its own time
    rows = as_run_rows(engine, sa)
    by_title = {r.title: r for r in rows}
    assert by_title["Tin hỏng"].status is AsRunStatus.skipped
    assert by_title["Tin hỏng"].source is AsRunSource.scheduler
    assert by_title["Tin lành"].status is AsRunStatus.aired
    with Session(engine) as fresh:
        alerts = fresh.exec(select(OnAirAlert).where(OnAirAlert.station_id == sa.id)).all()
    assert [a.kind for a in alerts] == [AlertKind.checksum]
    assert "Tin hỏng" in alerts[0].detail
