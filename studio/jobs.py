"""Background jobs that keep the database true to the clock (APScheduler 3.x)."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy.engine import Engine

from studio.bulletins import expire_due
from studio.db import session_scope

log = logging.getLogger(__name__)


def expire_bulletins(engine: Engine) -> list[int]:
    with session_scope(engine) as session:
        expired = expire_due(session)
    if expired:
        log.info("expired bulletins %s", expired)
    return expired


class JobRunner:
    def __init__(self, engine: Engine, interval_seconds: int = 30) -> None:
        self._scheduler = BackgroundScheduler(timezone="UTC")
        self._scheduler.add_job(
            expire_bulletins,
            "interval",
            seconds=interval_seconds,
            args=[engine],
            id="expire_bulletins",
            max_instances=1,
            coalesce=True,
        )

    def start(self) -> None:
        self._scheduler.start()

    def shutdown(self) -> None:
        self._scheduler.shutdown(wait=False)
