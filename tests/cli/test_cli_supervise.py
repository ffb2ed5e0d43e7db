"""``loa supervisor-events`` speaking supervisor's listener protocol on stdin/stdout."""

from __future__ import annotations

from sqlmodel import col, select

from studio.onair_models import OnAirAlert, ProcessEvent
from studio.types import AlertKind
from tests.cli.support import Loa, plain

READY = "READY\n"
OK = "RESULT 2\nOK"


def message(eventname: str, payload: str, serial: int = 1) -> str:
    """One notification as supervisord writes it: a header line, then ``len`` bytes."""
    header = (
        f"ver:3.0 server:supervisor serial:{serial} pool:loa-events poolserial:{serial} "
        f"eventname:{eventname} len:{len(payload.encode())}\n"
    )
    return header + payload


def state(event: str, name: str, from_state: str, extra: str = "") -> str:
    payload = f"processname:{name} groupname:{name} from_state:{from_state}"
    return message(f"PROCESS_STATE_{event}", payload + (f" {extra}" if extra else ""))


CRASH_AND_RESTART = [
    state("EXITED", "liquidsoap-0", "RUNNING", "expected:0 pid:4242"),
    state("STARTING", "liquidsoap-0", "EXITED", "tries:0"),
    state("RUNNING", "liquidsoap-0", "STARTING", "pid:4250"),
]


def test_every_state_change_is_a_row_and_a_crash_an_alert(loa: Loa) -> None:
    loa.ok("db", "upgrade")
    stream = [
        *CRASH_AND_RESTART,
        message("TICK_5", "when:1767225600"),  # not a state change: answered, not recorded
        state("STOPPED", "icecast", "STOPPING", "pid:17"),
    ]
    result = loa("supervisor-events", input="".join(stream))
    assert result.exit_code == 0, result.output
    assert result.stdout == READY + (OK + READY) * 5
    assert result.stderr == ""
    with loa.session() as session:
        rows = session.exec(select(ProcessEvent).order_by(col(ProcessEvent.id))).all()
        assert [(r.process, r.event, r.detail) for r in rows] == [
            ("liquidsoap-0", "EXITED", "from_state=RUNNING pid=4242 expected=0"),
            ("liquidsoap-0", "STARTING", "from_state=EXITED tries=0"),
            ("liquidsoap-0", "RUNNING", "from_state=STARTING pid=4250"),
            ("icecast", "STOPPED", "from_state=STOPPING pid=17"),
        ]
        found = session.exec(select(OnAirAlert)).all()
        assert [(a.kind, a.station_id, a.detail) for a in found] == [
            (
                AlertKind.process_restart,
                None,
                "Tiến trình «liquidsoap-0» dừng bất thường (pid cũ 4242) "
                "và đã được tự động khởi động lại (pid mới 4250).",
            )
        ]


def test_an_expected_exit_is_not_an_incident(loa: Loa) -> None:
    loa.ok("db", "upgrade")
    stream = [
        state("EXITED", "scheduler", "RUNNING", "expected:1 pid:9"),
        state("STARTING", "scheduler", "EXITED", "tries:0"),
        state("RUNNING", "scheduler", "STARTING", "pid:10"),
    ]
    assert loa("supervisor-events", input="".join(stream)).exit_code == 0
    with loa.session() as session:
        assert len(session.exec(select(ProcessEvent)).all()) == 3
        assert session.exec(select(OnAirAlert)).all() == []


def test_a_database_error_is_logged_and_still_answered_ok(loa: Loa) -> None:
    # No `loa db upgrade`: the tables do not exist, every write fails.
    result = loa("supervisor-events", input="".join(CRASH_AND_RESTART))
    assert result.exit_code == 0, result.output
    assert result.stdout == READY + (OK + READY) * 3
    lines = plain(result.stderr).splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(
        "loa-events: không ghi được sự kiện liquidsoap-0 EXITED: OperationalError: "
    )
    assert "no such table: process_event" in lines[0]


def test_a_malformed_payload_is_logged_and_answered_ok(loa: Loa) -> None:
    loa.ok("db", "upgrade")
    bad = message("PROCESS_STATE_RUNNING", "groupname:x from_state:STARTING pid:abc")
    result = loa("supervisor-events", input=bad + CRASH_AND_RESTART[0])
    assert result.exit_code == 0, result.output
    assert result.stdout == READY + (OK + READY) * 2
    assert "loa-events: sự kiện không đọc được:" in result.stderr
    with loa.session() as session:
        assert [r.event for r in session.exec(select(ProcessEvent)).all()] == ["EXITED"]
