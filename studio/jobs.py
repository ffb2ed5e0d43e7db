"""Background jobs (APScheduler 3.x): expiry of bulletins and the render queue.

They run once per deployment: in `loa run`'s own process (whatever the number of API workers)
or in the `loa scheduler` process.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine

from studio.bulletins import expire_due
from studio.db import session_scope
from studio.render_jobs import process_queue, recover_interrupted
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


def _add_jobs(scheduler: BaseScheduler, engine: Engine, kit: VoiceKit) -> None:
    recover_interrupted(engine)  # this runner is starting: nothing can be rendering now
    scheduler.add_job(
        expire_bulletins,
        "interval",
        seconds=30,
        args=[engine],
        id="expire_bulletins",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        render_queue,
        "interval",
        seconds=1,
        args=[engine, kit],
        id="render_queue",
        max_instances=1,
        coalesce=True,
    )


def run_blocking(engine: Engine, kit: VoiceKit) -> None:
    scheduler = BlockingScheduler(timezone="UTC")
    _add_jobs(scheduler, engine, kit)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


class JobRunner:
    """The jobs on a background thread, for ``loa run``."""

    def __init__(self, engine: Engine, kit: VoiceKit) -> None:
        self._scheduler = BackgroundScheduler(timezone="UTC")
        _add_jobs(self._scheduler, engine, kit)

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
