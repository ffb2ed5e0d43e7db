"""A bulletin from the newsroom to a listener of the mount: written, rendered, approved,
programmed for a session a few seconds ahead, pushed by the playout, heard on time, logged."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from studio import areas, bulletins, programmes
from studio.audit import Actor
from studio.models import AreaUpdate
from studio.onair_models import AsRun
from studio.settings import Settings
from studio.types import AsRunStatus
from tests.factories import SYSTEM, World, make_bulletin
from tests.onair.support import Listener, on_air
from tests.programmes.support import add_window
from tests.voices_support import offline, render_now

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_bulletin_reaches_the_listener_on_time_and_the_as_run_log(
    tmp_path, engine: Engine, session: Session, settings: Settings, world: World
) -> None:
    settings = offline(settings)  # espeak-ng: the test must not reach the internet
    # Any time of day: no quiet hours in this province.
    areas.update_area(session, SYSTEM, "P", AreaUpdate(quiet_start=dtime(0), quiet_end=dtime(0)))
    bulletin = make_bulletin(session, world["editor_a"], title="Thông báo tiêm chủng")
    assert bulletin.id is not None
    clip = render_now(session, engine, settings, world["editor_a"], bulletin.id)
    assert clip.duration_ms is not None
    bulletins.submit(session, Actor(user=world["editor_a"]), bulletin.id)
    bulletins.approve(session, Actor(user=world["approver_a"]), bulletin.id, 1, clip_id=clip.id)
    session.commit()

    stations = list(world.stations.values())
    with on_air(tmp_path, settings, engine, stations) as rig:
        sa = world.stations["sa"]
        # A session starting 8 s from now (whole seconds, local time).
        start = (datetime.now(UTC) + timedelta(seconds=8)).replace(microsecond=0)
        local = start.astimezone(VN)
        add_window(session, "station", "sa", "Thử", local.time(), 2)
        built = programmes.build(session, settings, SYSTEM, sa, local.date())
        session.commit()
        (item,) = built.programme.items
        assert item.start == start
        planned = start.timestamp()
        with Listener(rig.mount_url(sa)) as listener:
            deadline = planned + clip.duration_ms / 1000 + 6
            while time.time() < deadline:
                time.sleep(0.2)
        onset = listener.onset_after(planned - 3)
        assert onset is not None, "no audio reached the listener"
        # The clip opens with the chain's pre-roll silence: its speech starts that much later.
        error = onset - (planned + settings.media.preroll_ms / 1000)
        assert -0.3 < error < 1.0, f"onset {error * 1000:.0f} ms from plan"
        heard = listener.loud_span(onset - 0.1, onset + clip.duration_ms / 1000 + 1)
        speech = clip.duration_ms / 1000 - settings.media.preroll_ms / 1000
        assert abs(heard - speech) < 1.0, (heard, speech)

        row = None
        for _ in range(50):
            session.expire_all()
            row = session.exec(select(AsRun).where(AsRun.station_id == sa.id)).first()
            if row is not None and row.ended_at is not None:
                break
            time.sleep(0.1)
        assert row is not None
        assert row.status is AsRunStatus.aired
        assert row.bulletin_id == bulletin.id
        assert row.clip_sha256 == clip.sha256
        assert row.lateness_ms is not None
        assert abs(row.lateness_ms) < 500
        assert row.ended_at is not None
        assert row.started_at is not None
        aired_ms = (row.ended_at - row.started_at) / timedelta(milliseconds=1)
        assert abs(aired_ms - clip.duration_ms) < 300
