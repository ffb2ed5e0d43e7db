"""Command lines and readiness checks for the two daemons (supervision lives elsewhere).

``icecast_command(config)`` / ``liquidsoap_command(script)``: argv for a supervisor or a test.
``check_script(script)``: ``liquidsoap --check`` (type-checks, ~1.5-5 s); raises
``LiquidsoapError(code="invalid_script")`` with Liquidsoap's own words. Pass it as
``write_atomic(..., verify=check_script)`` so a broken script never replaces a good one.
``wait_icecast_ready`` polls ``/status-json.xsl``; ``icecast_mounts`` lists the mounts that
have a source connected; ``wait_socket_ready`` waits until the Liquidsoap server answers.
``stop_process`` terminates, waits, then kills.
"""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from stations.client import LiquidsoapClient, LiquidsoapError

ICECAST = "icecast2"  # Debian's name for the binary
LIQUIDSOAP = "liquidsoap"
POLL_S = 0.05


def icecast_command(config_path: Path, *, binary: str = ICECAST) -> list[str]:
    return [binary, "-c", str(config_path)]


def liquidsoap_command(script_path: Path, *, binary: str = LIQUIDSOAP) -> list[str]:
    return [binary, str(script_path)]


def check_script(script_path: Path, *, binary: str = LIQUIDSOAP, timeout: float = 120.0) -> None:
    """Type-check a script without streaming; LiquidsoapError(code="invalid_script") if bad."""
    try:
        result = subprocess.run(
            [binary, "--check", str(script_path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LiquidsoapError(f"Không kiểm tra được kịch bản Liquidsoap: {exc}") from exc
    if result.returncode != 0:
        words = (result.stdout + result.stderr).strip()[-2000:]
        raise LiquidsoapError(f"Kịch bản Liquidsoap không hợp lệ:\n{words}", code="invalid_script")


def icecast_status(host: str, port: int, *, timeout: float = 2.0) -> dict[str, Any]:
    """The ``icestats`` object of ``/status-json.xsl``."""
    url = f"http://{host}:{port}/status-json.xsl"
    with urllib.request.urlopen(url, timeout=timeout) as response:
        data = json.loads(response.read().decode("utf-8", errors="replace"))
    stats = data.get("icestats") if isinstance(data, dict) else None
    if not isinstance(stats, dict):
        raise ValueError(f"{url} did not return icestats")
    return stats


def icecast_mounts(host: str, port: int, *, timeout: float = 2.0) -> dict[str, dict[str, Any]]:
    """Mounts with a connected source, by mount name (``"/vn01.mp3"``) -> Icecast's record."""
    sources = icecast_status(host, port, timeout=timeout).get("source", [])
    if isinstance(sources, dict):  # Icecast 2.4 gives an object, not a list, for one source
        sources = [sources]
    return {urlsplit(s.get("listenurl", "")).path: s for s in sources if isinstance(s, dict)}


def _alive(process: subprocess.Popen[Any] | None, what: str) -> None:
    if process is not None and process.poll() is not None:
        raise RuntimeError(f"{what} exited with status {process.returncode} while starting")


def wait_icecast_ready(
    host: str, port: int, timeout: float = 10.0, *, process: subprocess.Popen[Any] | None = None
) -> dict[str, Any]:
    """Poll until Icecast answers its status page; returns ``icestats``. Fails fast if
    ``process`` exits; TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        _alive(process, "icecast")
        try:
            return icecast_status(host, port, timeout=1.0)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            if time.monotonic() > deadline:
                raise TimeoutError(f"Icecast on {host}:{port} not ready: {exc}") from exc
        time.sleep(POLL_S)


def wait_mounts(
    host: str,
    port: int,
    mounts: Collection[str],
    timeout: float = 15.0,
    *,
    process: subprocess.Popen[Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """Poll until every mount in ``mounts`` has a source connected."""
    deadline = time.monotonic() + timeout
    while True:
        _alive(process, "liquidsoap")
        try:
            found = icecast_mounts(host, port, timeout=1.0)
        except (OSError, urllib.error.URLError, ValueError):
            found = {}
        if set(mounts) <= set(found):
            return found
        if time.monotonic() > deadline:
            missing = sorted(set(mounts) - set(found))
            raise TimeoutError(f"mounts not up after {timeout:g} s: {missing}")
        time.sleep(POLL_S)


def wait_socket_ready(
    address: Path | tuple[str, int],
    timeout: float = 15.0,
    *,
    process: subprocess.Popen[Any] | None = None,
) -> None:
    """Poll until the Liquidsoap server at ``address`` answers ``uptime``."""
    deadline = time.monotonic() + timeout
    while True:
        _alive(process, "liquidsoap")
        try:
            with LiquidsoapClient(address, timeout=1.0) as client:
                client.uptime()
                return
        except LiquidsoapError as exc:
            if time.monotonic() > deadline:
                raise TimeoutError(f"Liquidsoap at {address} not ready: {exc}") from exc
        time.sleep(POLL_S)


def stop_process(process: subprocess.Popen[Any], timeout: float = 5.0) -> int:
    """SIGTERM, wait up to ``timeout``, then SIGKILL; returns the exit status."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    return process.returncode
