"""``loa supervisor-events``: supervisord's event listener (started by supervisord, not by hand).

The protocol (supervisor.childutils.listener): write READY, read one header line and a payload,
handle it, answer RESULT OK. stdout is the protocol channel, so every message goes to stderr
(supervisord keeps it in log/loa-events.log). Whatever happens to the database, the answer is
OK: a listener that stalls or dies makes supervisord buffer and then drop events.
"""

from __future__ import annotations

import sys
import traceback
from typing import TextIO

from sqlalchemy.engine import Engine
from supervisor import childutils  # type: ignore[import-untyped]

from studio.cli import app
from studio.db import make_engine, session_scope
from studio.process_events import RestartTracker, StateEvent, record
from studio.settings import Settings


class _Store:
    """The database, opened on first use and reopened after a failure."""

    def __init__(self, log: TextIO) -> None:
        self._log = log
        self._engine: Engine | None = None

    def write(self, event: StateEvent, alert: str | None) -> None:
        try:
            if self._engine is None:
                self._engine = make_engine(Settings().effective_database_url)
            with session_scope(self._engine) as session:
                record(session, event, alert)
        except Exception as exc:  # database down, schema missing, bad settings...
            line = " ".join(str(exc).split())[:500]
            print(
                f"loa-events: không ghi được sự kiện {event.process} {event.event}: "
                f"{type(exc).__name__}: {line}",
                file=self._log,
                flush=True,
            )
            self.close()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def serve(stdin: TextIO, stdout: TextIO, log: TextIO) -> int:
    """Answer events until stdin closes; returns how many were handled."""
    tracker = RestartTracker()
    store = _Store(log)
    handled = 0
    try:
        while True:
            childutils.listener.ready(stdout)
            line = stdin.readline()
            if not line:
                return handled
            headers = childutils.get_headers(line)
            payload = stdin.read(int(headers["len"]))
            try:
                event = StateEvent.parse(headers, payload)
                if event is not None:
                    store.write(event, tracker.alert_for(event))
            except Exception:  # a malformed payload must not stop the listener
                print("loa-events: sự kiện không đọc được:", repr(payload), file=log)
                traceback.print_exc(file=log)
                log.flush()
            childutils.listener.ok(stdout)
            handled += 1
    finally:
        store.close()


@app.command("supervisor-events")
def supervisor_events() -> None:
    """supervisord's event listener: records process state changes and restarts."""
    serve(sys.stdin, sys.stdout, sys.stderr)
