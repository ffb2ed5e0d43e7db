"""The supervised processes over HTTP, against a real supervisord in the test's on-air dir."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from studio.models import AuditEvent
from studio.settings import Settings
from studio.supervise import Supervisor
from tests.api.api_support import API, assert_problem
from tests.conftest import auth
from tests.factories import World
from tests.supervise_support import alive, events_of, python_program, running_supervisor, wait_for

URL = f"{API}/onair/processes"


@pytest.fixture
def supervisor(settings: Settings, db_url: str) -> Iterator[Supervisor]:
    programs = [python_program("icecast"), python_program("liquidsoap-0")]
    with running_supervisor(settings.onair_dir, db_url, settings.var_dir, programs) as sv:
        yield sv


def _get(client: TestClient, world: World, user: str = "admin") -> dict[str, Any]:
    response = client.get(URL, headers=auth(world[user]))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_the_processes_and_their_events(
    client: TestClient, world: World, supervisor: Supervisor, db_url: str
) -> None:
    body = _get(client, world, "approver_a")
    assert body["running"] is True
    states = {p["name"]: p for p in body["processes"]}
    assert sorted(states) == ["icecast", "liquidsoap-0", "loa-events"]
    pids = {s.name: s.pid for s in supervisor.status()}
    for name, process in states.items():
        assert process["state"] == "RUNNING"
        assert process["pid"] == pids[name]
        assert process["uptime_s"] >= 0
        assert process["exit_status"] is None
    # The listener writes asynchronously: wait until it has seen the start-up.
    wait_for(
        lambda: (
            ("RUNNING", f"from_state=STARTING pid={pids['icecast']}")
            in events_of(db_url, "icecast")
        )
    )
    events = _get(client, world)["events"]
    assert ("icecast", "RUNNING", f"from_state=STARTING pid={pids['icecast']}") in [
        (e["process"], e["event"], e["detail"]) for e in events
    ]
    assert [e["id"] for e in events] == sorted((e["id"] for e in events), reverse=True)


def test_restart_is_done_and_audited(
    client: TestClient, world: World, supervisor: Supervisor, session: Session
) -> None:
    old = next(s for s in supervisor.status() if s.name == "icecast")
    response = client.post(f"{URL}/icecast/restart", headers=auth(world["admin"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["name"] == "icecast"
    assert body["state"] == "RUNNING"
    assert body["pid"] != old.pid
    assert alive(body["pid"])
    assert not alive(old.pid or 0)
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "process.restart")).one()
    assert (audit.actor, audit.entity_type, audit.entity_id) == ("admin", "process", "icecast")
    assert audit.before == {"state": "RUNNING", "pid": old.pid}
    assert audit.after == {"state": "RUNNING", "pid": body["pid"]}


def test_restart_refusals(
    client: TestClient, world: World, supervisor: Supervisor, session: Session
) -> None:
    pid = next(s.pid for s in supervisor.status() if s.name == "icecast")
    assert_problem(client.post(f"{URL}/icecast/restart"), 401)
    for user in ("editor_a", "approver_a"):
        assert_problem(client.post(f"{URL}/icecast/restart", headers=auth(world[user])), 403)
    assert_problem(client.get(URL, headers=auth(world["editor_a"])), 403)
    assert_problem(client.get(URL), 401)
    detail = assert_problem(
        client.post(f"{URL}/nope/restart", headers=auth(world["admin"])), 404, "not_found"
    )
    assert detail == "không có tiến trình «nope» trong bộ giám sát"
    for bad in ("a%20b", "%25", "a:b", "x" * 65):
        assert_problem(client.post(f"{URL}/{bad}/restart", headers=auth(world["admin"])), 422)
    assert next(s.pid for s in supervisor.status() if s.name == "icecast") == pid
    assert (
        session.exec(select(AuditEvent).where(col(AuditEvent.action) == "process.restart")).all()
        == []
    )


def test_without_supervisord(client: TestClient, world: World) -> None:
    assert _get(client, world) == {"running": False, "processes": [], "events": []}
    detail = assert_problem(
        client.post(f"{URL}/icecast/restart", headers=auth(world["admin"])),
        409,
        "supervisor_unavailable",
    )
    assert detail.startswith("bộ giám sát tiến trình (supervisord) không chạy")
