"""A throwaway PostgreSQL server for the tests marked ``postgres``.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
``postgres`` system user (the Debian package creates it) and its tools run through ``runuser``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

SUPERUSER = "postgres"
SYSTEM_USER = "postgres"
DATABASE = "loa_test"


def find_initdb() -> Path | None:
    """initdb on PATH, else the newest Debian install under /usr/lib/postgresql/<major>/bin."""
    found = shutil.which("initdb")
    if found is not None:
        return Path(found).resolve()  # Debian links it from elsewhere; pg_ctl sits beside it
    candidates = [p for p in Path("/usr/lib/postgresql").glob("*/bin/initdb") if p.is_file()]

    def major(path: Path) -> int:
        name = path.parent.parent.name
        return int(name) if name.isdigit() else 0

    return max(candidates, key=major) if candidates else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_owner(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", SYSTEM_USER, "--", *argv]


def _run(argv: list[str], *, check: bool = True) -> None:
    result = subprocess.run(
        _as_owner(argv), capture_output=True, text=True, timeout=120, check=False
    )
    if check and result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        raise RuntimeError(f"{Path(argv[0]).name} exited {result.returncode}: {output}")


def _start(bin_dir: Path, data: Path, sockets: Path, log: Path) -> int:
    """Start the server on a free port; another process may grab the port first, so retry."""
    for attempt in range(3):
        port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {sockets} "
            # Durability is pointless for a cluster deleted at the end of the run.
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        pg_ctl = str(bin_dir / "pg_ctl")
        try:
            _run([pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"])
        except RuntimeError as exc:
            tail = log.read_text(errors="replace")[-1500:] if log.exists() else ""
            if attempt == 2 or "could not bind" not in tail:
                raise RuntimeError(f"{exc}\n{tail}") from None
        else:
            return port
    raise AssertionError("unreachable")


@contextmanager
def throwaway_cluster(initdb: Path) -> Iterator[str]:
    """Start a private server on a free 127.0.0.1 port; yields a URL to an empty database.

    The server is stopped and its files removed when the block ends, whatever happens inside.
    """
    bin_dir = initdb.parent
    # Under /tmp with mode 0755: the postgres user must reach it when we are root, and pytest's
    # own temp dirs are private to the user running the tests.
    root = Path(tempfile.mkdtemp(prefix="loa-pg-", dir="/tmp"))
    data, sockets, log = root / "data", root / "sockets", root / "server.log"
    try:
        root.chmod(0o755)
        sockets.mkdir()
        if os.geteuid() == 0:
            for path in (root, sockets):
                shutil.chown(path, SYSTEM_USER, SYSTEM_USER)
        _run(
            [
                str(initdb),
                *("-D", str(data), "-U", SUPERUSER),
                "--auth=trust",  # a private server on loopback that lives for one test run
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        )
        port = _start(bin_dir, data, sockets, log)
        create_database(f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres", DATABASE)
        yield f"postgresql://{SUPERUSER}@127.0.0.1:{port}/{DATABASE}"
    finally:
        try:
            if (data / "postmaster.pid").exists():
                _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        finally:
            shutil.rmtree(root, ignore_errors=True)


def database_url(url: str, name: str) -> str:
    """The same server and credentials as ``url``, another database."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """psycopg wants a libpq URI, without SQLAlchemy's ``+driver``."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def create_database(url: str, name: str) -> None:
    # CREATE DATABASE cannot run inside a transaction block.
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str, name: str) -> None:
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        conn.execute(statement.format(sql.Identifier(name)))


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """A new empty database on the server of ``url`` for one test; dropped afterwards."""
    name = f"loa_{uuid.uuid4().hex[:12]}"
    create_database(url, name)
    try:
        yield database_url(url, name)
    finally:
        drop_database(url, name)
