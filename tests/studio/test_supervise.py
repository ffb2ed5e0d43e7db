"""supervisord for real: start, kill -9 and restart, the listener's rows, reload, stop."""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

import pytest

from studio.errors import NotFound
from studio.settings import Settings
from studio.supervise import (
    Program,
    Supervisor,
    SupervisorClient,
    SupervisorError,
    SupervisorFiles,
    SupervisorUnavailable,
)
from studio.types import AlertKind
from tests.supervise_support import (
    TRICKY_ARGS,
    alerts,
    alive,
    events_of,
    listener_env,
    python_program,
    running_supervisor,
    wait_for,
)


@pytest.fixture
def onair(settings: Settings) -> Path:
    return settings.onair_dir


def test_programs_run_supervised_with_exact_arguments(
    onair: Path, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "argv.json"
    code = (
        "import json, os, sys, time; "
        f"open({str(out)!r}, 'w').write(json.dumps([sys.argv[1:], os.environ['RATE']])); "
        "time.sleep(600)"
    )
    program = Program(
        "echoer", (sys.executable, "-c", code, *TRICKY_ARGS), environment={"RATE": "100%"}
    )
    with running_supervisor(onair, db_url, settings.var_dir, [program]) as sv:
        states = {s.name: s for s in sv.status()}
        assert sorted(states) == ["echoer", "loa-events"]
        assert {s.state for s in states.values()} == {"RUNNING"}
        assert all(s.pid and alive(s.pid) for s in states.values())
        assert json.loads(wait_for(lambda: out.exists() and out.read_text() or None)) == [
            list(TRICKY_ARGS),
            "100%",
        ]
        assert oct(sv.files.socket.stat().st_mode & 0o777) == "0o700"


def test_kill_9_is_restarted_logged_and_alerted(
    onair: Path, db_url: str, settings: Settings
) -> None:
    programs = [python_program("liquidsoap-0", startsecs=0), python_program("icecast")]
    with running_supervisor(onair, db_url, settings.var_dir, programs) as sv:
        old = next(s for s in sv.status() if s.name == "liquidsoap-0")
        assert old.pid is not None
        os.kill(old.pid, signal.SIGKILL)
        killed = time.monotonic()
        new = wait_for(
            lambda: next(
                (
                    s
                    for s in sv.status()
                    if s.name == "liquidsoap-0" and s.state == "RUNNING" and s.pid != old.pid
                ),
                None,
            ),
            what="liquidsoap-0 running again",
        )
        print(f"restart delay after kill -9: {time.monotonic() - killed:.3f} s")
        assert new.pid is not None
        assert alive(new.pid)

        def settled() -> list[tuple[str, str]] | None:
            rows = events_of(db_url, "liquidsoap-0")
            done = rows[-1:] == [("RUNNING", f"from_state=STARTING pid={new.pid}")]
            return rows if done else None

        rows = wait_for(settled, what="the listener's rows")
        tail = rows[rows.index(("EXITED", f"from_state=RUNNING pid={old.pid} expected=0")) :]
        assert tail == [
            ("EXITED", f"from_state=RUNNING pid={old.pid} expected=0"),
            ("STARTING", "from_state=EXITED tries=0"),
            ("RUNNING", f"from_state=STARTING pid={new.pid}"),
        ]
        found = wait_for(lambda: alerts(db_url), what="the alert")
        assert [(a.kind, a.detail) for a in found] == [
            (
                AlertKind.process_restart,
                f"Tiến trình «liquidsoap-0» dừng bất thường (pid cũ {old.pid}) "
                f"và đã được tự động khởi động lại (pid mới {new.pid}).",
            )
        ]
        assert events_of(db_url, "icecast")[-1][0] == "RUNNING"
        pids = [s.pid for s in sv.status() if s.pid]
        supervisord = sv.pid
    assert supervisord is not None
    assert not alive(supervisord)
    assert len(pids) == 3
    assert not [pid for pid in pids if alive(pid)]


def test_stop_leaves_no_child_nor_grandchild(
    onair: Path, db_url: str, settings: Settings, tmp_path: Path
) -> None:
    pidfile = tmp_path / "grandchild.pid"
    spawner = (
        "import subprocess, sys, time; "
        "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)']); "
        f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(600)"
    )
    stubborn = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"
    programs = [
        python_program("spawner", spawner),
        python_program("stubborn", stubborn, stopwaitsecs=1),
    ]
    with running_supervisor(onair, db_url, settings.var_dir, programs) as sv:
        grandchild = int(wait_for(lambda: pidfile.exists() and pidfile.read_text() or None))
        pids = [s.pid for s in sv.status() if s.pid]
        assert len(pids) == 3
        assert alive(grandchild)
    assert not [pid for pid in [*pids, grandchild] if alive(pid)]


def test_a_program_that_keeps_failing_ends_fatal_and_alerted(
    onair: Path, db_url: str, settings: Settings
) -> None:
    failing = python_program("scheduler", "import sys; sys.exit(3)", startsecs=1, startretries=1)
    sv = Supervisor(
        SupervisorFiles.under(onair), listener_environment=listener_env(db_url, settings.var_dir)
    )
    try:
        sv.start(sv.write_config([failing]))
        with pytest.raises(
            SupervisorError,
            match=r"^không khởi động được: scheduler \(FATAL: Exited too quickly \(process log ",
        ):
            sv.wait_running(timeout_s=20)
        found = wait_for(lambda: alerts(db_url), what="the FATAL alert")
        assert [a.detail for a in found] == [
            "Tiến trình «scheduler» không khởi động lại được sau nhiều lần thử; "
            "cần người vận hành kiểm tra nhật ký và khởi động lại."
        ]
        assert [e for e, _ in events_of(db_url, "scheduler")] == [
            "STARTING",
            "BACKOFF",
            "STARTING",
            "BACKOFF",
            "FATAL",
        ]
    finally:
        sv.stop()


def test_restart_by_name_and_unknown_names(onair: Path, db_url: str, settings: Settings) -> None:
    with running_supervisor(onair, db_url, settings.var_dir, [python_program("icecast")]) as sv:
        before = sv.client.info("icecast")
        after = sv.restart("icecast")
        assert after.state == "RUNNING"
        assert after.pid != before.pid
        with pytest.raises(NotFound, match="không có tiến trình «nope»"):
            sv.restart("nope")
        wait_for(lambda: events_of(db_url, "icecast")[-1][0] == "RUNNING" or None)
        assert [e for e, _ in events_of(db_url, "icecast")][-4:] == [
            "STOPPING",
            "STOPPED",
            "STARTING",
            "RUNNING",
        ]
        assert alerts(db_url) == []  # a restart asked for is not an incident


def test_reload_applies_only_what_changed(onair: Path, db_url: str, settings: Settings) -> None:
    keep, change, drop = python_program("keep"), python_program("change"), python_program("drop")
    with running_supervisor(onair, db_url, settings.var_dir, [keep, change, drop]) as sv:
        pids = {s.name: s.pid for s in sv.status()}
        changed = python_program("change", "import time; time.sleep(599)")
        result = sv.reload([keep, changed, python_program("new")])
        assert (result.added, result.changed, result.removed) == (("new",), ("change",), ("drop",))
        states = {s.name: s for s in sv.wait_running(timeout_s=20)}
        assert sorted(states) == ["change", "keep", "loa-events", "new"]
        assert states["keep"].pid == pids["keep"]
        assert states["change"].pid != pids["change"]
        assert not alive(pids["drop"] or 0)


def test_start_refuses_a_second_supervisord_and_reports_a_bad_config(
    onair: Path, db_url: str, settings: Settings
) -> None:
    sv = Supervisor(
        SupervisorFiles.under(onair), listener_environment=listener_env(db_url, settings.var_dir)
    )
    try:
        sv.start(sv.write_config([python_program("slow", startsecs=60)]))
        with pytest.raises(SupervisorError) as waited:
            sv.wait_running(timeout_s=0.3)
        assert waited.value.message.startswith("chưa chạy sau thời gian chờ: ")
        assert "slow (STARTING: không rõ)" in waited.value.message
        second = Supervisor(sv.files)
        with pytest.raises(SupervisorError, match="đã có một supervisord khác đang chạy"):
            second.start()
    finally:
        sv.stop()
    broken = Supervisor(SupervisorFiles.under(onair / "other"))
    with pytest.raises(SupervisorError, match="supervisord dừng ngay khi khởi động"):
        broken.start(onair / "missing.conf")
    assert broken.pid is None


def test_no_supervisord_means_unavailable(tmp_path: Path) -> None:
    client = SupervisorClient(tmp_path / "none.sock")
    assert client.is_running() is False
    with pytest.raises(SupervisorUnavailable, match="không chạy"):
        client.status()
