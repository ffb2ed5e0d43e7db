"""Background jobs (APScheduler 3.x): expiry of bulletins, the render queue, the evening build
of the coming days' programmes and their rebuilds when something changes.

They run once per deployment: in `loa run`'s own process (whatever the number of API workers)
or in the `loa scheduler` process.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from studio.bulletins import expire_due
from studio.db import session_scope
from studio.programme_jobs import RebuildWatcher, daily_build
from studio.render_jobs import process_queue, recover_interrupted
from studio.settings import Settings
from studio.voices import VoiceKit

log = logging.getLogger(__name__)


def expire_bulletins(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        expired = expire_due(session)
    if expired:
        log.info("expired bulletins %s", expired)
    return expired


def render_queue(engine: Engine, kit: VoiceKit) -> None:
    recover_interrupted(engine, all_started=False)
    process_queue(engine, kit)


def _add_jobs(scheduler: BaseScheduler, engine: Engine, kit: VoiceKit, settings: Settings) -> None:
    recover_interrupted(engine)  # this runner is starting: nothing can be rendering now
    every = {"max_instances": 1, "coalesce": True}
    scheduler.add_job(
        expire_bulletins, "interval", seconds=30, args=[engine], id="expire_bulletins", **every
    )
    scheduler.add_job(
        render_queue, "interval", seconds=1, args=[engine, kit], id="render_queue", **every
    )
    # At start: today's and the coming days' programmes, in case the evening build was missed.
    scheduler.add_job(
        daily_build, args=[engine, settings], kwargs={"today": True}, id="catch_up", **every
    )
    build_at = settings.programme.build_at
    scheduler.add_job(
        daily_build,
        CronTrigger(hour=build_at.hour, minute=build_at.minute, timezone=settings.default_timezone),
        args=[engine, settings],
        id="daily_programmes",
        misfire_grace_time=3600,
        **every,
    )
    watcher = RebuildWatcher(engine, settings)
    scheduler.add_job(
        watcher.poll,
        "interval",
        seconds=settings.programme.rebuild_poll_s,
        id="programme_rebuilds",
        **every,
    )


def run_blocking(engine: Engine, kit: VoiceKit, settings: Settings, *, playout: bool) -> None:
    """The scheduler process: every background job, and with `playout` the on-air pushes to
    this deployment's Liquidsoap processes."""
    scheduler = BlockingScheduler(timezone="UTC")
    _add_jobs(scheduler, engine, kit, settings)
    runner = None
    if playout:
        from studio.playout_jobs import PlayoutRunner  # only the on-air process needs it

        runner = PlayoutRunner(settings, engine)
        runner.add_jobs(scheduler)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if runner is not None:
            runner.close()


class JobRunner:
    """The jobs on a background thread, for ``loa run``."""

    def __init__(self, engine: Engine, kit: VoiceKit, settings: Settings) -> None:
        self._scheduler = BackgroundScheduler(timezone="UTC")
        _add_jobs(self._scheduler, engine, kit, settings)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
