"""GET /metrics: who may scrape it, and the exact values it computes from the database,
read back with prometheus_client's own parser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel import Session

from api.main import create_app
from studio import migrate
from studio.asrun import OnAirEvent, record_event
from studio.db import make_engine
from studio.onair_models import Emergency, EndpointStatus, ProcessEvent
from studio.settings import Environment, Settings
from studio.types import CapStatus, EmergencyState, utcnow
from tests import pg
from tests.api.api_support import API, assert_problem
from tests.api.onair_support import MS, bearer, events_auth, issue_token
from tests.conftest import auth
from tests.factories import SECRET, World, build_world

T0 = datetime(2027, 3, 9, 22, 30, tzinfo=UTC)


def scrape(client: TestClient, headers: dict[str, str]) -> dict[tuple[str, tuple[Any, ...]], float]:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def test_who_may_scrape(client: TestClient, settings: Settings, world: World) -> None:
    _, station_token = issue_token(client, world, "sa")
    for headers, status in (
        ({}, 401),
        (bearer("khong-phai-ma"), 401),
        (auth(world["editor_a"]), 403),
        (auth(world["approver_p"]), 403),
        (bearer(station_token), 403),
    ):
        assert_problem(client.get("/metrics", headers=headers), status)
    assert scrape(client, auth(world["admin"])) == scrape(client, events_auth(settings))


def _event(
    kind: str, at: datetime, station: str = "sa", queue: str = "programme", **meta: str
) -> OnAirEvent:
    return OnAirEvent.model_validate(
        {
            "event": kind,
            "station": station,
            "queue": queue,
            "time": at.timestamp(),
            "metadata": meta,
        }
    )


def _air(session: Session, key: str, late_ms: int, station: str = "sa", end: bool = True) -> None:
    planned = f"{T0.timestamp():.3f}"
    record_event(
        session,
        _event("track_start", T0 + late_ms * MS, station, item_key=key, planned_start=planned),
    )
    if end:
        record_event(session, _event("track_end", T0 + 60_000 * MS, station, item_key=key))


def scenario(session: Session, world: World) -> None:
    """On sa: a on time, b late, c cut by an emergency, dead air; on sb: d early. Three
    emergencies, one endpoint online and one not, two crashes of liquidsoap-0."""
    _air(session, "a", 30)
    _air(session, "b", 1500)
    _air(session, "c", -200, end=False)  # cut off by the emergency below
    record_event(session, _event("track_start", T0 + 70_000 * MS, queue="emergency", item_key="e"))
    record_event(session, _event("track_end", T0 + 80_000 * MS, queue="emergency", item_key="e"))
    _air(session, "d", -120, station="sb")
    record_event(session, _event("blank", T0 + 90_000 * MS, queue="", title="x"))
    record_event(session, _event("blank", T0 + 90_000 * MS, queue="emergency", title="x"))
    admin_id = world["admin"].id
    assert admin_id is not None
    for cap in (CapStatus.actual, CapStatus.actual, CapStatus.test):
        session.add(
            Emergency(cap_status=cap, state=EmergencyState.done, title="x", created_by_id=admin_id)
        )
    now = utcnow()
    for code, seen in (("sa", now), ("sb", now - timedelta(minutes=3))):
        station_id = world.stations[code].id
        assert station_id is not None
        session.add(EndpointStatus(station_id=station_id, last_seen=seen))
    for process, event, detail in (
        ("liquidsoap-0", "RUNNING", "from_state=STARTING pid=10"),
        ("liquidsoap-0", "EXITED", "from_state=RUNNING pid=10 expected=0"),
        ("liquidsoap-0", "RUNNING", "from_state=STARTING pid=11"),
        ("liquidsoap-0", "EXITED", "from_state=RUNNING pid=11 expected=0"),
        ("icecast", "EXITED", "from_state=RUNNING pid=9 expected=1"),
        ("scheduler", "RUNNING", "from_state=STARTING pid=12"),
    ):
        session.add(ProcessEvent(process=process, event=event, detail=detail))
    session.commit()


def expected() -> dict[tuple[str, tuple[Any, ...]], float]:
    station = {code: (("station", code),) for code in ("sa", "sb", "sp")}
    values: dict[tuple[str, tuple[Any, ...]], float] = {
        # sa: a, b and the emergency aired (c was preempted); sb: d.
        ("loa_items_aired_total", station["sa"]): 3,
        ("loa_items_aired_total", station["sb"]): 1,
        ("loa_items_aired_total", station["sp"]): 0,
        ("loa_items_late_total", station["sa"]): 1,
        ("loa_items_late_total", station["sb"]): 0,
        ("loa_items_late_total", station["sp"]): 0,
        ("loa_dead_air_events_total", station["sa"]): 1,
        ("loa_dead_air_events_total", station["sb"]): 0,
        ("loa_dead_air_events_total", station["sp"]): 0,
        ("loa_emergencies_total", (("cap_status", "Actual"),)): 2,
        ("loa_emergencies_total", (("cap_status", "Exercise"),)): 0,
        ("loa_emergencies_total", (("cap_status", "Test"),)): 1,
        ("loa_endpoints_online", ()): 1,
        ("loa_process_restarts_total", (("process", "icecast"),)): 0,
        ("loa_process_restarts_total", (("process", "liquidsoap-0"),)): 2,
        ("loa_process_restarts_total", (("process", "scheduler"),)): 0,
        # |error| of a, b, c and d: 0.03, 1.5, 0.2, 0.12 s.
        ("loa_onair_error_seconds_count", ()): 4,
        ("loa_onair_error_seconds_sum", ()): 1.85,
    }
    buckets = {"0.05": 1, "0.1": 1, "0.25": 3, "0.5": 3, "1.0": 3, "2.0": 4, "5.0": 4, "+Inf": 4}
    for le, n in buckets.items():
        values[("loa_onair_error_seconds_bucket", (("le", le),))] = n
    return values


def test_the_values_come_from_the_database(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    scenario(session, world)
    assert scrape(client, events_auth(settings)) == expected()


@pytest.mark.postgres
def test_the_on_air_queries_on_postgresql(postgres_url: str, tmp_path: Path) -> None:
    """The aggregates behind /metrics, the fleet and the as-run report, on PostgreSQL."""
    with pg.fresh_database(postgres_url) as raw_url:
        url = Settings(database_url=raw_url).effective_database_url
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with Session(engine, expire_on_commit=False) as session:
                world = build_world(session)
                scenario(session, world)
            settings = Settings(
                environment=Environment.test,
                secret_key=SecretStr(SECRET),
                database_url=url,
                var_dir=tmp_path,
            )
            with TestClient(create_app(settings)) as client:
                assert scrape(client, events_auth(settings)) == expected()
                admin = auth(world["admin"])
                fleet = client.get(f"{API}/fleet", headers=admin).json()["items"]
                assert [(e["code"], e["online"], e["open_alerts"]) for e in fleet] == [
                    ("sa", True, 1),
                    ("sb", False, 0),
                    ("sp", False, 0),
                ]
                assert fleet[0]["dead_air_since"] == "2027-03-09T22:31:30Z"
                report = client.get(
                    f"{API}/stations/sa/as-run", params={"date": "2027-03-10"}, headers=admin
                ).json()
                assert [(i["item_key"], i["status"]) for i in report["items"]] == [
                    ("c", "preempted"),
                    ("a", "aired"),
                    ("b", "late"),
                    ("e", "aired"),
                ]
        finally:
            engine.dispose()
