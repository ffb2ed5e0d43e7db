"""The real ``loa`` executable: configuration mistakes, and ``loa run`` serving HTTP."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.support import PASSWORD_SHOWN, clean_environment, plain
from tests.conftest import require_binary
from tests.pg import free_port

LOA = Path(sys.executable).with_name("loa")


def run_loa(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LOA), *args],
        cwd=tmp_path,
        env={**clean_environment(), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(autouse=True)
def _installed() -> None:
    assert LOA.is_file(), f"{LOA} is missing: the project is not installed in this venv"


@pytest.mark.parametrize("command", [["db", "upgrade"], ["station", "list"], ["run"]])
def test_unsupported_database_url_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    result = run_loa(tmp_path, *command, LOA_DATABASE_URL="mysql://loa:pw@db/loa")

    assert result.returncode == 1
    assert result.stdout == ""
    assert plain(result.stderr) == (
        "Lỗi: cấu hình sai: dữ liệu không hợp lệ: database_url: "
        "LOA_DATABASE_URL must be a sqlite:// or postgresql:// URL\n"
    )


@pytest.mark.parametrize("command", [["db", "upgrade"], ["station", "list"]])
def test_unreachable_database_is_one_clear_line(tmp_path: Path, command: list[str]) -> None:
    url = f"postgresql://loa@127.0.0.1:{free_port()}/loa"  # nothing listens there

    result = run_loa(tmp_path, *command, LOA_DATABASE_URL=url)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = plain(result.stderr).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Lỗi: không truy cập được cơ sở dữ liệu (")
    assert "Connection refused" in lines[0]


def test_default_secret_outside_development_is_refused(tmp_path: Path) -> None:
    result = run_loa(tmp_path, "db", "upgrade", LOA_ENVIRONMENT="production")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = plain(result.stderr).splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Lỗi: cấu hình sai: ")
    assert "LOA_SECRET_KEY" in lines[0]


def wait_for_health(process: subprocess.Popen[bytes], url: str, log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"loa run exited {process.returncode}: {log.read_text()[-2000:]}")
            try:
                return client.get(url)
            except httpx.TransportError:
                time.sleep(0.1)
    pytest.fail(f"{url} did not answer within 60 s: {log.read_text()[-2000:]}")


def wait_mounts(
    host: str, port: int, count: int, process: subprocess.Popen[bytes], log: Path
) -> list[str]:
    deadline = time.monotonic() + 60
    found: list[str] = []
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"loa run exited {process.returncode}: {log.read_text()[-2000:]}")
        try:
            stats = httpx.get(f"http://{host}:{port}/status-json.xsl", timeout=2).json()
            sources = stats["icestats"].get("source", [])
            sources = sources if isinstance(sources, list) else [sources]
            found = [s["listenurl"] for s in sources]
            if len(found) >= count:
                return found
        except (httpx.TransportError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{count} mounts did not come up within 60 s (found {found})")


def processes_under(tmp_path: Path) -> list[str]:
    """Command lines of live processes that mention this test's directory."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (proc / "stat").read_text().split()[2]
        except OSError:
            continue
        if str(tmp_path) in cmdline and state != "Z":
            found.append(cmdline)
    return found


def test_loa_run_migrates_seeds_and_serves(tmp_path: Path) -> None:
    require_binary("icecast2")
    require_binary("liquidsoap")
    port, icecast_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    stdout, stderr = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    env = {
        **clean_environment(),
        "LOA_VAR_DIR": str(tmp_path / "var"),
        "LOA_ONAIR__ICECAST_PORT": str(icecast_port),
    }
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(
            [str(LOA), "run", "--port", str(port)], cwd=tmp_path, env=env, stdout=out, stderr=err
        )
    try:
        health = wait_for_health(process, f"{base}/api/v1/health", stderr)
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": "ok"}

        printed = plain(stdout.read_text(encoding="utf-8"))
        for line in (
            f"Desk:     {base}/desk",
            f"API:      {base}/api/v1",
            f"OpenAPI:  {base}/docs",
            f"Health:   {base}/api/v1/health",
        ):
            assert line in printed.splitlines()
        shown = PASSWORD_SHOWN.search(printed)
        assert shown is not None, printed
        assert re.search(r"Tài khoản quản trị: admin\s+mật khẩu", printed)
        # Each demo account on one line, its password whole, whatever the terminal's width.
        for username in ("bientap.lx", "lanhdao.tinh"):
            [line] = [x for x in printed.splitlines() if f": {username} " in x]
            assert re.fullmatch(r"Tài khoản .+: \S+\s+mật khẩu \(chỉ hiện một lần\): \S{16,}", line)
        password = shown.group(1)

        with httpx.Client(base_url=base, trust_env=False, timeout=10) as client:
            desk = client.get("/desk")  # the review desk is served by the same process
            assert desk.status_code == 200
            assert "Bàn biên tập" in desk.text
            wrong = client.post(
                "/api/v1/auth/token", data={"username": "admin", "password": password + "!"}
            )
            assert wrong.status_code == 401
            login = client.post(
                "/api/v1/auth/token", data={"username": "admin", "password": password}
            )
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
            assert me.status_code == 200
            assert (me.json()["username"], me.json()["role"]) == ("admin", "admin")
            stations = client.get("/api/v1/stations", headers={"Authorization": f"Bearer {token}"})
            assert stations.status_code == 200
            assert stations.json()["total"] == 4
        # The streaming stack: every demo station's mount is up on the local Icecast.
        mounts = wait_mounts("127.0.0.1", icecast_port, 4, process, stderr)
        assert sorted(mounts) == [
            f"http://127.0.0.1:{icecast_port}/{code}.mp3"
            for code in ("91-dai-tinh", "91-lx-loa1", "91-mhh-loa1", "91-tt-loa1")
        ]
        assert f"Icecast:  http://127.0.0.1:{icecast_port}/  (4 mount)" in printed.splitlines()
        supervisord_pid = int((tmp_path / "var" / "onair" / "supervisord.pid").read_text())
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    log = stderr.read_text()
    # supervisord and everything it ran (Icecast, Liquidsoap, the scheduler) are gone.
    assert not Path(f"/proc/{supervisord_pid}").exists()
    assert processes_under(tmp_path) == [], "a process outlived loa run"
    # uvicorn shuts down cleanly on SIGTERM, then re-raises the signal as its exit status.
    assert process.returncode in (0, -signal.SIGTERM), log[-2000:]
    assert "Application shutdown complete." in log
    assert "Traceback" not in log
    assert (tmp_path / "var" / "loa.db").is_file()
