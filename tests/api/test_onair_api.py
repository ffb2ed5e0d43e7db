"""On air over HTTP: Liquidsoap's event intake (its own token), a station's as-run report in
JSON and CSV, and alerts (listed by area, resolved and audited)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from studio.asrun import item_key
from studio.models import AuditEvent
from studio.onair_models import AsRun, Emergency, OnAirAlert
from studio.settings import Settings
from studio.types import AlertKind, CapStatus, EmergencyState
from tests.api.api_support import API, assert_problem
from tests.api.onair_support import (
    EVENTS,
    MS,
    Day,
    annotations,
    event,
    events_auth,
    issue_token,
    noon,
    pin_clock,
    post_events,
    programmed_day,
)
from tests.conftest import auth
from tests.factories import World

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def count(session: Session, model: Any) -> int:
    session.expire_all()
    return int(session.exec(select(func.count()).select_from(model)).one())


# ------------------------------------------------------------------ the intake
def test_the_intake_takes_only_the_events_token(
    client: TestClient, settings: Settings, world: World
) -> None:
    body = event("noise", datetime(2027, 3, 10, tzinfo=ZoneInfo("UTC")), queue="")
    _, station_token = issue_token(client, world, "sa")
    refused = {
        "no token": ({}, 401),
        "not bearer": ({"Authorization": "Basic YWRtaW46YWRtaW4="}, 401),
        "wrong token": ({"Authorization": "Bearer khong-dung"}, 403),
        "a user's sign-in": (auth(world["admin"]), 403),
        "a station token": ({"Authorization": f"Bearer {station_token}"}, 403),
    }
    for label, (headers, status) in refused.items():
        response = client.post(EVENTS, json=body, headers=headers)
        assert response.status_code == status, label
        assert_problem(response, status)
    accepted = client.post(EVENTS, json=body, headers=events_auth(settings))
    assert (accepted.status_code, accepted.json()) == (200, {"received": 1, "recorded": 0})


def test_a_list_of_events_is_recorded_in_order(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    day = programmed_day(session, settings, world)
    first, second = day.items[:2]
    result = post_events(
        client,
        settings,
        event("track_start", first.start, **annotations(first)),
        event("track_end", second.start, **annotations(first)),
        event("track_start", second.start, **annotations(second)),
    )
    assert result == {"received": 3, "recorded": 3}
    statuses = [r.status.value for r in session.exec(select(AsRun).order_by(AsRun.id))]  # type: ignore[arg-type]
    assert statuses == ["aired", "playing"]


def test_an_unknown_station_refuses_the_whole_body(
    client: TestClient, session: Session, settings: Settings, world: World
) -> None:
    at = datetime(2027, 3, 10, tzinfo=ZoneInfo("UTC"))
    body = [
        event("track_start", at, item_key="k1"),
        event("track_start", at, station="khong-co", item_key="k2"),
    ]
    response = client.post(EVENTS, json=body, headers=events_auth(settings))
    assert assert_problem(response, 404, "not_found") == "Không tìm thấy đài có mã 'khong-co'"
    assert count(session, AsRun) == 0


# ------------------------------------------------------------------ the as-run report
@pytest.fixture
def aired_day(client: TestClient, session: Session, settings: Settings, world: World) -> Day:
    """Tin A aired (80 ms late), Tin B late (1.5 s), Tin C missed, Tin D's morning airing cut
    by an emergency (not resumed); its afternoon airing is still to come: it is noon."""
    day = programmed_day(session, settings, world)
    a, b, _c, d_morning, _d_afternoon = day.items
    admin = world["admin"]
    assert admin.id is not None
    urgent = Emergency(
        cap_status=CapStatus.actual,
        state=EmergencyState.active,
        title="Bão",
        created_by_id=admin.id,
    )
    session.add(urgent)
    session.commit()
    cut = d_morning.start + 20_000 * MS
    alarm = {"item_key": f"emergency/{urgent.id}/1", "emergency_id": str(urgent.id)}
    post_events(client, settings, event("track_start", a.start + 80 * MS, **annotations(a)))
    post_events(
        client,
        settings,
        event("track_end", a.start + 60_080 * MS, **annotations(a)),
        event("track_start", b.start + 1500 * MS, **annotations(b)),
        event("track_end", b.start + 61_500 * MS, **annotations(b)),
        event("track_start", d_morning.start, **annotations(d_morning)),
        event("track_start", cut, "emergency", title="Bão số 3", **alarm),
        event("track_end", cut, **annotations(d_morning)),
        event("track_end", cut + 15_000 * MS, "emergency", title="Bão số 3", **alarm),
    )
    pin_clock(client, noon(day.day))
    return day


def z(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def test_the_as_run_report_in_json(client: TestClient, world: World, aired_day: Day) -> None:
    a, b, c, d_morning, d_afternoon = aired_day.items
    ids = {title: bulletin.id for title, bulletin in aired_day.bulletins.items()}
    cut = d_morning.start + 20_000 * MS

    def line(item: Any, status: str, **row: Any) -> dict[str, Any]:
        return {
            "item_key": item_key(item),
            "kind": "bulletin",
            "planned": True,
            "session": item.session,
            "title": item.title,
            "bulletin_id": ids[item.title],
            "version": 1,
            "emergency_id": None,
            "queue": None,
            "status": status,
            "planned_start": z(item.start),
            "planned_duration_ms": 60_000,
            "started_at": None,
            "ended_at": None,
            "duration_ms": None,
            "lateness_ms": None,
            "source": None,
            "detail": "",
            **row,
        }

    aired = {"queue": "programme", "source": "liquidsoap", "duration_ms": 60_000}
    response = client.get(
        f"{API}/stations/sa/as-run",
        params={"date": aired_day.day.isoformat()},
        headers=auth(world["editor_a"]),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    emergency_id = body["items"][4]["emergency_id"]
    expected_items = [
        line(
            a,
            "aired",
            **aired,
            started_at=z(a.start + 80 * MS),
            ended_at=z(a.start + 60_080 * MS),
            lateness_ms=80,
        ),
        line(
            b,
            "late",
            **aired,
            started_at=z(b.start + 1500 * MS),
            ended_at=z(b.start + 61_500 * MS),
            lateness_ms=1500,
        ),
        line(c, "missed"),
        line(
            d_morning,
            "preempted",
            **{**aired, "duration_ms": 20_000},
            started_at=z(d_morning.start),
            ended_at=z(cut),
            lateness_ms=0,
            detail="bị ngắt bởi phát khẩn cấp lúc 05:33:24",
        ),
        {
            "item_key": f"emergency/{emergency_id}/1",
            "kind": "emergency",
            "planned": False,
            "session": None,
            "title": "Bão số 3",
            "bulletin_id": None,
            "version": None,
            "emergency_id": emergency_id,
            "queue": "emergency",
            "status": "aired",
            "planned_start": None,
            "planned_duration_ms": None,
            "started_at": z(cut),
            "ended_at": z(cut + 15_000 * MS),
            "duration_ms": 15_000,
            "lateness_ms": None,
            "source": "liquidsoap",
            "detail": "",
        },
        line(d_afternoon, "pending"),
    ]
    assert body["items"] == expected_items
    assert body["totals"] == {
        "aired": 2,
        "late": 1,
        "playing": 0,
        "skipped": 0,
        "preempted": 1,
        "failed": 0,
        "missed": 1,
        "pending": 1,
    }
    assert (body["station_code"], body["date"], body["timezone"], body["programme_version"]) == (
        "sa",
        aired_day.day.isoformat(),
        "Asia/Ho_Chi_Minh",
        1,
    )
    assert body["generated_at"] == z(noon(aired_day.day).astimezone(UTC))


def test_the_as_run_report_in_csv(client: TestClient, world: World, aired_day: Day) -> None:
    a, b, c, d_morning, d_afternoon = aired_day.items
    response = client.get(
        f"{API}/stations/sa/as-run",
        params={"date": aired_day.day.isoformat(), "format": "csv"},
        headers=auth(world["admin"]),
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="as-run-sa-{aired_day.day.isoformat()}.csv"'
    )
    assert response.content.startswith(b"\xef\xbb\xbf")
    text = response.content.decode("utf-8-sig")
    assert text.count("\r\n") == 7
    assert text.endswith("\r\n")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == [
        "item_key", "kind", "planned", "session", "title", "bulletin_id", "version",
        "emergency_id", "queue", "status", "planned_start_utc", "planned_start_local",
        "planned_duration_ms", "started_at_utc", "started_at_local", "ended_at_utc",
        "ended_at_local", "duration_ms", "lateness_ms", "source", "detail",
    ]  # fmt: skip
    d = aired_day.day.isoformat()
    cut = d_morning.start + 20_000 * MS

    def planned(item: Any, status: str) -> list[str]:
        queue = "" if status in ("missed", "pending") else "programme"
        local = f"{d} {item.start.astimezone(VN):%H:%M:%S.%f}"[:-3]
        return [item_key(item), "bulletin", "1", item.session, item.title, str(item.bulletin_id),
                "1", "", queue, status, u(item.start), local, "60000"]  # fmt: skip

    nothing = [""] * 8
    emergency_id = table[5][7]
    assert table[1:] == [
        [*planned(a, "aired"), u(a.start + 80 * MS), f"{d} 05:30:00.080",
         u(a.start + 60_080 * MS), f"{d} 05:31:00.080", "60000", "80", "liquidsoap", ""],
        [*planned(b, "late"), u(b.start + 1500 * MS), f"{d} 05:31:03.000",
         u(b.start + 61_500 * MS), f"{d} 05:32:03.000", "60000", "1500", "liquidsoap", ""],
        [*planned(c, "missed"), *nothing],
        [*planned(d_morning, "preempted"), u(d_morning.start), f"{d} 05:33:04.500", u(cut),
         f"{d} 05:33:24.500", "20000", "0", "liquidsoap",
         "bị ngắt bởi phát khẩn cấp lúc 05:33:24"],
        [f"emergency/{emergency_id}/1", "emergency", "0", "", "Bão số 3", "", "",
         emergency_id, "emergency", "aired", "", "", "", u(cut), f"{d} 05:33:24.500",
         u(cut + 15_000 * MS), f"{d} 05:33:39.500", "15000", "", "liquidsoap", ""],
        [*planned(d_afternoon, "pending"), *nothing],
    ]  # fmt: skip
    assert emergency_id.isdigit()


def u(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def test_who_reads_an_as_run_report(client: TestClient, world: World) -> None:
    for who, status in (("editor_a", 200), ("approver_b", 403), ("admin", 200)):
        response = client.get(f"{API}/stations/sa/as-run", headers=auth(world[who]))
        assert response.status_code == status, (who, response.text)
    today = client.get(f"{API}/stations/sa/as-run", headers=auth(world["admin"])).json()
    assert (today["items"], today["programme_version"]) == ([], None)
    missing = client.get(f"{API}/stations/khong-co/as-run", headers=auth(world["admin"]))
    assert_problem(missing, 404, "not_found")


# ------------------------------------------------------------------ alerts
@pytest.fixture
def three_alerts(session: Session, world: World) -> dict[str, int]:
    made = {
        "sa": OnAirAlert(
            station_id=world.stations["sa"].id, kind=AlertKind.dead_air, detail="im lặng"
        ),
        "sb": OnAirAlert(station_id=world.stations["sb"].id, kind=AlertKind.checksum, detail="x"),
        "deployment": OnAirAlert(kind=AlertKind.process_restart, detail="liquidsoap-0"),
    }
    for alert in made.values():
        session.add(alert)
        session.commit()
    return {name: alert.id for name, alert in made.items() if alert.id is not None}


def listed(client: TestClient, world: World, who: str, **params: str) -> list[int]:
    response = client.get(f"{API}/alerts", params=params, headers=auth(world[who]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return [item["id"] for item in body["items"]]


def test_staff_see_the_alerts_of_their_stations(
    client: TestClient, world: World, three_alerts: dict[str, int]
) -> None:
    sa, sb, deployment = three_alerts["sa"], three_alerts["sb"], three_alerts["deployment"]
    assert listed(client, world, "admin") == [deployment, sb, sa]  # newest first
    assert listed(client, world, "editor_a") == [sa]
    assert listed(client, world, "approver_b") == [sb]
    assert listed(client, world, "approver_p") == [sb, sa]
    assert listed(client, world, "admin", station="sb") == [sb]
    assert listed(client, world, "admin", kind="process_restart") == [deployment]
    refused = client.get(
        f"{API}/alerts", params={"station": "sa"}, headers=auth(world["approver_b"])
    )
    assert_problem(refused, 403, "permission_denied")
    first = client.get(f"{API}/alerts", headers=auth(world["editor_a"])).json()["items"][0]
    assert {k: first[k] for k in ("station_code", "kind", "detail", "open", "resolved_at")} == {
        "station_code": "sa",
        "kind": "dead_air",
        "detail": "im lặng",
        "open": True,
        "resolved_at": None,
    }


def test_resolving_an_alert_is_audited_and_happens_once(
    client: TestClient, session: Session, world: World, three_alerts: dict[str, int]
) -> None:
    sa, deployment = three_alerts["sa"], three_alerts["deployment"]

    def resolve(alert_id: int, who: str, **body: str) -> Any:
        return client.post(
            f"{API}/alerts/{alert_id}/resolve", json=body or None, headers=auth(world[who])
        )

    assert_problem(resolve(sa, "editor_a"), 403, "permission_denied")
    assert_problem(resolve(sa, "approver_b"), 403, "permission_denied")
    assert_problem(resolve(deployment, "approver_a"), 403, "permission_denied")
    assert_problem(resolve(999, "admin"), 404, "not_found")

    done = resolve(sa, "approver_a", note="đã thay dây loa")
    assert done.status_code == 200, done.text
    assert (done.json()["id"], done.json()["open"]) == (sa, False)
    assert resolve(deployment, "admin").status_code == 200
    again = assert_problem(resolve(sa, "admin"), 409, "conflict")
    assert again.startswith(f"Cảnh báo {sa} đã được xử lý lúc ")

    assert listed(client, world, "admin", open="true") == [three_alerts["sb"]]
    assert listed(client, world, "admin", open="false") == [deployment, sa]
    session.expire_all()
    audit = session.exec(
        select(AuditEvent).where(AuditEvent.action == "alert.resolve").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [(e.actor, e.entity_id, e.detail, e.before) for e in audit] == [
        ("approver_a", str(sa), "đã thay dây loa", {"resolved_at": None}),
        ("admin", str(deployment), "", {"resolved_at": None}),
    ]
    assert audit[0].after is not None
    assert audit[0].after["kind"] == "dead_air"
