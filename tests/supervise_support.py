"""A real supervisord for tests: small Python programs, the real listener, the test's database."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlmodel import Session, col, select

from studio.db import make_engine
from studio.onair_models import OnAirAlert, ProcessEvent
from studio.supervise import Program, Supervisor, SupervisorFiles

T = TypeVar("T")
SLEEP = "import time; time.sleep(600)"
# Arguments supervisor's ini dialect would mangle if they were not escaped.
TRICKY_ARGS = ("100% sure", "a ;comment?", "x #y", "it's", 'say "hi"', "%(here)s", "")


def python_program(name: str, code: str = SLEEP, **options: object) -> Program:
    return Program(name, (sys.executable, "-c", code), **options)  # type: ignore[arg-type]


def listener_env(db_url: str, var_dir: Path) -> dict[str, str]:
    """What `loa supervisor-events` needs to find the test's database (and nothing else)."""
    return {"LOA_DATABASE_URL": db_url, "LOA_VAR_DIR": str(var_dir)}


@contextmanager
def running_supervisor(
    onair_dir: Path, db_url: str, var_dir: Path, programs: Sequence[Program]
) -> Iterator[Supervisor]:
    """supervisord with ``programs`` all RUNNING; stopped when the block ends, whatever happens."""
    sv = Supervisor(
        SupervisorFiles.under(onair_dir), listener_environment=listener_env(db_url, var_dir)
    )
    try:
        sv.start(sv.write_config(programs))
        sv.wait_running(timeout_s=20)
        yield sv
    finally:
        sv.stop()


def wait_for(probe: Callable[[], T | None], timeout_s: float = 15.0, what: str = "") -> T:
    """Poll ``probe`` every 20 ms until it returns something truthy."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or probe}")
        time.sleep(0.02)


def alive(pid: int) -> bool:
    """Is ``pid`` a live process? A zombie (left for a non-reaping PID 1) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def events_of(db_url: str, process: str) -> list[tuple[str, str]]:
    """(event, detail) of one process's rows, oldest first, read through a fresh connection."""
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(ProcessEvent)
                .where(ProcessEvent.process == process)
                .order_by(col(ProcessEvent.id))
            ).all()
            return [(r.event, r.detail) for r in rows]
    finally:
        engine.dispose()


def alerts(db_url: str) -> list[OnAirAlert]:
    engine = make_engine(db_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            return list(session.exec(select(OnAirAlert).order_by(col(OnAirAlert.id))).all())
    finally:
        engine.dispose()
