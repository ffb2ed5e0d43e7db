"""Supervising the on-air processes (Icecast, Liquidsoap, the playout scheduler) with supervisord.

``loa run`` owns one supervisord through ``Supervisor``::

    files = SupervisorFiles.under(settings.onair_dir)
    sv = Supervisor(files, listener_environment={"LOA_DATABASE_URL": url, ...})
    sv.start(sv.write_config(programs))  # supervisord -n, its own process group
    sv.wait_running()                    # every program RUNNING, or SupervisorError
    ...
    sv.reload(new_programs)              # like `supervisorctl update`: only changed ones restart
    sv.stop()                            # SIGTERM: supervisord stops its children, then exits

supervisord restarts a program that exits (``autorestart``); its ``loa-events`` listener
(``loa supervisor-events``) records every state change as a ``ProcessEvent`` and a restart
as an ``OnAirAlert``. Other processes (the API) talk to the same supervisord through
``SupervisorClient`` on the unix socket (mode 0700, no TCP server).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from studio.supervise_config import (
    LISTENER_NAME,
    NAME_PATTERN,
    Program,
    SupervisorFiles,
    render_config,
    write_config,
)
from studio.supervise_rpc import (
    ProcessState,
    SupervisorClient,
    SupervisorError,
    SupervisorUnavailable,
)

__all__ = [
    "LISTENER_NAME",
    "NAME_PATTERN",
    "ProcessState",
    "Program",
    "ReloadResult",
    "Supervisor",
    "SupervisorClient",
    "SupervisorError",
    "SupervisorFiles",
    "SupervisorUnavailable",
    "listener_command",
    "render_config",
]


def _bin(name: str) -> str:
    """A console script of this environment: beside the interpreter (a venv), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or str(beside))


def listener_command() -> tuple[str, ...]:
    return (_bin("loa"), "supervisor-events")


def _describe(states: Sequence[ProcessState]) -> str:
    """``icecast (BACKOFF: Exited too quickly (process log may have details))``, ..."""
    return ", ".join(
        f"{s.name} ({s.state}: {s.spawn_error or s.description or 'không rõ'})"
        for s in sorted(states, key=lambda s: s.name)
    )


@dataclass(frozen=True)
class ReloadResult:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]


class Supervisor:
    """One supervisord child of this process. Not thread-safe; one owner calls it."""

    def __init__(
        self,
        files: SupervisorFiles,
        *,
        listener_environment: Mapping[str, str] | None = None,
        listener: Sequence[str] | None = None,
        supervisord: str | None = None,
        timeout_s: float = 15.0,
    ) -> None:
        self.files = files
        self.client = SupervisorClient(files.socket)
        self._listener = tuple(listener or listener_command())
        self._listener_env = dict(listener_environment or {})
        self._supervisord = supervisord or _bin("supervisord")
        self._timeout_s = timeout_s
        self._programs: tuple[Program, ...] = ()
        self._proc: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    # ------------------------------------------------------------------ config
    def write_config(self, programs: Sequence[Program]) -> Path:
        """Render and atomically write the config (parsed by supervisor before the rename)."""
        text = render_config(
            programs,
            socket_path=self.files.socket,
            pidfile=self.files.pidfile,
            logfile=self.files.logfile,
            listener_command=self._listener,
            listener_environment=self._listener_env,
            childlogdir=self.files.childlogdir,
        )
        self.files.childlogdir.mkdir(parents=True, exist_ok=True)
        for program in programs:
            for log in (program.stdout_log, program.stderr_log):
                if log is not None:
                    log.parent.mkdir(parents=True, exist_ok=True)
        write_config(self.files.conf, text)
        self._programs = tuple(programs)
        return self.files.conf

    # ------------------------------------------------------------------ lifecycle
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None and self._proc.poll() is None else None

    def start(self, conf_path: Path | None = None) -> None:
        """Launch ``supervisord -n -c conf`` and return once it answers on its socket."""
        if self._proc is not None and self._proc.poll() is None:
            raise SupervisorError("supervisord đã được khởi động")
        if self.client.is_running():
            raise SupervisorError(
                f"đã có một supervisord khác đang chạy trên {self.files.socket}; hãy dừng nó trước"
            )
        conf = conf_path or self.files.conf
        self.files.output.parent.mkdir(parents=True, exist_ok=True)
        self._output = self.files.output.open("wb")
        # Its own session: a terminal's Ctrl+C reaches only `loa run`, which stops supervisord
        # (and so the stack) in order, instead of every process at once.
        self._proc = subprocess.Popen(
            [self._supervisord, "-n", "-c", str(conf)],
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + self._timeout_s
        while not self.client.is_running():
            if self._proc.poll() is not None:
                code = self._proc.returncode
                self._close()
                raise SupervisorError(
                    f"supervisord dừng ngay khi khởi động (mã {code}): {self._output_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise SupervisorError(f"supervisord không trả lời sau {self._timeout_s:g} giây")
            time.sleep(0.02)

    def stop(self) -> None:
        """SIGTERM supervisord: it stops every program (stopsignal, then SIGKILL after
        stopwaitsecs, to the whole process group) and exits. If it does not exit in time it is
        killed, and so are the process groups of the programs it was running."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            pids = self._running_pids()
            proc.send_signal(signal.SIGTERM)
            # Groups stop one after the other: the worst case is the sum of the waits.
            budget = sum(p.stopwaitsecs for p in self._programs) + 5 + 5
            try:
                proc.wait(budget)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                for pid in pids:  # each program leads its own process group
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.killpg(pid, signal.SIGKILL)
        self._close()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ control
    def status(self) -> list[ProcessState]:
        return self.client.status()

    def restart(self, name: str) -> ProcessState:
        return self.client.restart(name)

    def wait_running(self, timeout_s: float | None = None) -> list[ProcessState]:
        """Poll until every process is RUNNING; a FATAL one or the timeout raises."""
        deadline = time.monotonic() + (timeout_s if timeout_s is not None else self._timeout_s)
        expected = {p.name for p in self._programs} | {LISTENER_NAME}
        while True:
            states = self.status()
            fatal = [s for s in states if s.state == "FATAL"]
            if fatal:
                raise SupervisorError(f"không khởi động được: {_describe(fatal)}")
            waiting = [s for s in states if s.name in expected and s.state != "RUNNING"]
            missing = expected - {s.name for s in states}
            if not waiting and not missing:
                return states
            if time.monotonic() > deadline:
                names = _describe(waiting) + "".join(f", {n}" for n in sorted(missing))
                raise SupervisorError(f"chưa chạy sau thời gian chờ: {names.lstrip(', ')}")
            time.sleep(0.05)

    def reload(self, programs: Sequence[Program]) -> ReloadResult:
        """Rewrite the config and apply it like ``supervisorctl update``: new programs start,
        removed ones stop, changed ones (any option) restart; unchanged ones keep running."""
        self.write_config(programs)
        added, changed, removed = self.client.reread()
        for name in (*removed, *changed):
            self.client.remove_group(name)
        for name in (*changed, *added):
            self.client.add_group(name)
        return ReloadResult(tuple(added), tuple(changed), tuple(removed))

    # ------------------------------------------------------------------ internals
    def _running_pids(self) -> list[int]:
        try:
            return [s.pid for s in self.client.status() if s.pid]
        except SupervisorError:
            return []

    def _close(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None
        self._proc = None

    def _output_tail(self) -> str:
        try:
            text = self.files.output.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "không có thông báo"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return lines[-1][:300] if lines else "không có thông báo"
