"""The playout's jobs in the scheduler process: push what is due (every 250 ms; items are queued
seconds ahead and released by Liquidsoap's own time gate, so this is not the precision), reload
changed programmes, check the coming clips, and resume after a Liquidsoap restart."""

from __future__ import annotations

import logging

from apscheduler.schedulers.base import BaseScheduler
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from media.store import MediaStore
from studio.emergency_push import RepeatRunner
from studio.onair_layout import enabled_codes, slots
from studio.playout import Playout
from studio.playout_transport import LiquidsoapTransport
from studio.settings import Settings

log = logging.getLogger(__name__)


def station_codes(settings: Settings, engine: Engine) -> list[str]:
    """The enabled stations; without the database, those with a local copy of a plan."""
    try:
        with Session(engine) as session:
            return enabled_codes(session)
    except SQLAlchemyError as exc:
        folder = settings.onair_dir / "plans"
        codes = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
        log.warning("database unavailable (%s): playing the local plans of %s", exc, codes)
        return codes


class PlayoutRunner:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        codes = station_codes(settings, engine)
        self.transport = LiquidsoapTransport(slots(settings, codes))
        self.playout = Playout(settings, engine, self.transport, codes)
        self.emergencies = RepeatRunner(engine, self.transport, MediaStore(settings.media_dir))

    def watch_restarts(self) -> None:
        for slot in self.transport.restarted():
            log.warning("liquidsoap-%d restarted: resuming %s", slot.index, slot.station_codes)
            for code in slot.station_codes:
                self.playout.resume_after_restart(code)
            self.playout.tick()

    def tick(self) -> None:
        try:
            self.playout.tick()
        except Exception:  # a station that cannot be reached must not stop the others' items
            log.exception("playout tick failed")

    def add_jobs(self, scheduler: BaseScheduler) -> None:
        self.playout.start()
        every = {"max_instances": 1, "coalesce": True}
        scheduler.add_job(self.tick, "interval", seconds=0.25, id="playout_tick", **every)
        scheduler.add_job(
            self.playout.refresh, "interval", seconds=5, id="playout_refresh", **every
        )
        scheduler.add_job(
            self.playout.prestage, "interval", seconds=30, id="playout_prestage", **every
        )
        scheduler.add_job(
            self.watch_restarts, "interval", seconds=1, id="playout_restarts", **every
        )
        scheduler.add_job(
            self.emergency_repeats, "interval", seconds=1, id="emergency_repeats", **every
        )

    def emergency_repeats(self) -> None:
        try:
            self.emergencies.tick()
        except Exception:  # the database away for a moment: the next second tries again
            log.exception("emergency repeats failed")

    def close(self) -> None:
        self.transport.close()
