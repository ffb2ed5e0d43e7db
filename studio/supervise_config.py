"""supervisord's configuration: the programs it runs, and the file it reads.

Supervisor's ini dialect has traps that plain string formatting falls into: ``%`` starts an
expansion (``%(here)s``), `` ;`` and `` #`` start an inline comment anywhere in a value,
``command`` is split with ``shlex`` (POSIX), ``environment`` with a non-POSIX ``shlex`` that
keeps quotes and strips them afterwards. The filters here escape what can be escaped and refuse
the rest with ``ValueError``; the written file is parsed by supervisor's own parser before it
replaces the previous one.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from supervisor.options import ServerOptions  # type: ignore[import-untyped]

from media.tools import atomic_output, fsync_path

TEMPLATES = Path(__file__).parent / "templates"
LISTENER_NAME = "loa-events"
# Supervisor refuses " :/" in names; we also keep them short ASCII (they are process_event.process,
# 64 characters) and free of "%", so no escaping is ever needed for a name.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
_NAME = re.compile(NAME_PATTERN)
_ENV_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SIGNALS = frozenset({"TERM", "HUP", "INT", "QUIT", "KILL", "USR1", "USR2"})
# Linux sun_path holds 108 bytes including the terminating NUL.
MAX_SOCKET_PATH = 107


@dataclass(frozen=True)
class Program:
    """One supervised process. ``stderr_log=None`` sends stderr to the stdout log;
    ``stdout_log=None`` lets supervisor name the log file in ``childlogdir``.

    ``startsecs``: how long it must stay up to count as started (RUNNING). A process that dies
    sooner is retried ``startretries`` times with a growing back-off, then FATAL.
    ``priority``: lower starts first and stops last (Icecast before Liquidsoap)."""

    name: str
    command: tuple[str, ...]
    directory: Path | None = None
    environment: dict[str, str] = field(default_factory=dict)
    autorestart: bool = True
    startsecs: int = 1
    startretries: int = 5
    stopsignal: str = "TERM"
    stopwaitsecs: int = 10
    stdout_log: Path | None = None
    stderr_log: Path | None = None
    priority: int = 100

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"program name {self.name!r} must match {NAME_PATTERN}")
        if self.name == LISTENER_NAME:
            raise ValueError(f"program name {LISTENER_NAME!r} is reserved for the event listener")
        if not self.command or not self.command[0]:
            raise ValueError(f"program {self.name}: empty command")
        if self.startsecs < 0 or self.startretries < 0 or not 1 <= self.stopwaitsecs <= 600:
            raise ValueError(f"program {self.name}: startsecs, startretries or stopwaitsecs")
        if self.stopsignal not in _SIGNALS:
            raise ValueError(f"program {self.name}: unknown stop signal {self.stopsignal!r}")
        if not 1 <= self.priority <= 999:
            raise ValueError(f"program {self.name}: priority must be 1-999")
        for key in self.environment:
            if not _ENV_KEY.match(key):
                raise ValueError(f"program {self.name}: bad environment name {key!r}")


@dataclass(frozen=True)
class SupervisorFiles:
    """Where supervisord's files live (all under the on-air directory, so every process of the
    deployment, the API included, finds the socket from the same settings)."""

    conf: Path
    socket: Path
    pidfile: Path
    logfile: Path
    output: Path  # supervisord's own stdout/stderr: errors before its log is open
    childlogdir: Path

    @classmethod
    def under(cls, onair_dir: Path) -> SupervisorFiles:
        base = onair_dir.absolute()
        log = base / "log"
        return cls(
            conf=base / "supervisord.conf",
            socket=base / "supervisor.sock",
            pidfile=base / "supervisord.pid",
            logfile=log / "supervisord.log",
            output=log / "supervisord.out",
            childlogdir=log,
        )


def _one_line(text: str) -> str:
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text):
        raise ValueError(f"control character in a supervisor value: {text!r}")
    if re.search(r"\s[;#]", text):
        raise ValueError(f"' ;' or ' #' would start a comment in a supervisor value: {text!r}")
    return text.replace("%", "%%")


def ini_value(value: object) -> str:
    """A single-line ini value whose text after supervisor's ``%`` expansion is ``value``."""
    text = str(value)
    if text != text.strip():
        raise ValueError(f"leading or trailing space in a supervisor value: {text!r}")
    return _one_line(text)


def path_value(value: Path) -> str:
    """A path for supervisor, absolute (supervisord's working directory is not ours to assume)."""
    return ini_value(Path(value).absolute())


def argv_value(args: Sequence[str]) -> str:
    """``command=`` for ``args``: quoted for ``shlex.split``, ``%`` doubled.

    A quoted argument may hold `` ;`` or `` #``: an empty quote pair (``''``) is put before the
    ``;`` or ``#`` so that no whitespace precedes it on the line, which shlex reads back as the
    same argument."""
    quoted = []
    for arg in args:
        if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in arg):
            raise ValueError(f"control character in a command argument: {arg!r}")
        q = shlex.quote(arg)
        if q.startswith("'"):
            q = q.replace(";", "'';").replace("#", "''#")
        quoted.append(q)
    return " ".join(quoted).replace("%", "%%")


def env_value(environment: Mapping[str, str]) -> str:
    """``environment=`` for a mapping: ``KEY="value",...`` (supervisor strips the quotes)."""
    parts = []
    for key, value in environment.items():
        if not _ENV_KEY.match(key):
            raise ValueError(f"bad environment name {key!r}")
        if '"' in value or value.startswith("'") or value.endswith("'"):
            raise ValueError(f"environment {key}: quotes cannot be passed to supervisor")
        parts.append(f'{key}="{_one_line(value)}"')
    return ",".join(parts)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ini"] = ini_value
    env.filters["path"] = path_value
    env.filters["argv"] = argv_value
    env.filters["env"] = env_value
    return env


def render_config(
    programs: Sequence[Program],
    *,
    socket_path: Path,
    pidfile: Path,
    logfile: Path,
    listener_command: Sequence[str],
    listener_environment: Mapping[str, str] | None = None,
    childlogdir: Path | None = None,
) -> str:
    """The supervisord.conf text: a private unix socket (0700, no TCP server), the programs,
    and the ``loa-events`` listener subscribed to PROCESS_STATE events."""
    names = [p.name for p in programs]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate program names: {sorted(names)}")
    socket_path = socket_path.absolute()
    if len(os.fsencode(socket_path)) > MAX_SOCKET_PATH:
        raise ValueError(f"socket path longer than {MAX_SOCKET_PATH} bytes: {socket_path}")
    logdir = (childlogdir or logfile.parent).absolute()
    return (
        _environment()
        .get_template("supervisord.conf.j2")
        .render(
            programs=programs,
            socket=socket_path,
            pidfile=pidfile.absolute(),
            logfile=logfile.absolute(),
            childlogdir=logdir,
            listener_name=LISTENER_NAME,
            listener_command=tuple(listener_command),
            listener_environment=dict(listener_environment or {}),
            listener_log=logdir / f"{LISTENER_NAME}.log",
        )
    )


def check_config(path: Path) -> None:
    """Parse ``path`` with supervisor's own parser; raises ``ValueError`` if it refuses it."""
    options = ServerOptions()
    options.configfile = str(path)
    options.process_config(do_usage=False)


def write_config(path: Path, text: str) -> None:
    """Write the config atomically: temp file beside it, fsync, parse it, rename, fsync dir."""
    with atomic_output(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        check_config(tmp)
    fsync_path(path.parent)
