"""Broadcast windows over HTTP: CRUD with audit, inheritance, exceptions, quiet hours, caps,
time zones, and the sessions a station gets on a day."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from studio.models import AuditEvent
from studio.programmes import local_today
from studio.schedule_models import BroadcastWindow, WindowException
from tests.api.api_support import API, assert_problem
from tests.conftest import auth
from tests.factories import World
from tests.programmes.support import DAY

D = DAY.isoformat()  # a Wednesday


class Caller:
    """Requests as one user, insisting on the expected status."""

    def __init__(self, client: TestClient, world: World) -> None:
        self.client = client
        self.world = world

    def call(self, method: str, path: str, status: int = 200, who: str = "admin", **kw: Any) -> Any:
        response = self.client.request(method, API + path, headers=auth(self.world[who]), **kw)
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def problem(
        self, method: str, path: str, status: int, code: str, who: str = "admin", **kw: Any
    ) -> str:
        response = self.client.request(method, API + path, headers=auth(self.world[who]), **kw)
        return assert_problem(response, status, code)

    def window(self, owner: str, name: str, start: str, minutes: float, **extra: Any) -> Any:
        body = {"name": name, "start_time": start, "length_minutes": minutes, **extra}
        return self.call("POST", f"/{owner}/windows", 201, json=body)

    def day(self, station: str, day: str = D, who: str = "admin") -> Any:
        return self.call("GET", f"/stations/{station}/sessions", params={"date": day}, who=who)


@pytest.fixture
def api(client: TestClient, world: World) -> Caller:
    return Caller(client, world)


def spans(day: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(s["name"], s["local_start"], s["local_end"]) for s in day["sessions"]]


def actions(engine: Engine, prefix: str) -> list[tuple[str, str]]:
    with Session(engine) as fresh:
        rows = fresh.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).startswith(prefix))
            .order_by(col(AuditEvent.id))
        )
        return [(e.action, e.actor) for e in rows]


# ------------------------------------------------------------------ windows
def test_windows_crud_is_audited(api: Caller, engine: Engine) -> None:
    created = api.window(
        "stations/sa", "Sáng", "05:30", 30, weekdays=[4, 0, 2], first_day="2027-01-01"
    )
    window_id = created["id"]
    assert created == {
        "id": window_id,
        "owner": "station:sa",
        "name": "Sáng",
        "start_time": "05:30:00",
        "length_minutes": 30.0,
        "weekdays": [0, 2, 4],
        "first_day": "2027-01-01",
        "last_day": None,
    }
    assert api.call("GET", "/stations/sa/windows") == [created]
    assert api.call("GET", "/stations/sa/windows", who="editor_a") == [created]

    changed = api.call(
        "PATCH", f"/windows/{window_id}", json={"length_minutes": 20, "first_day": None}
    )
    assert (changed["length_minutes"], changed["first_day"], changed["start_time"]) == (
        20.0,
        None,
        "05:30:00",
    )
    api.call("DELETE", f"/windows/{window_id}", 204)
    assert api.call("GET", "/stations/sa/windows") == []
    api.problem("PATCH", f"/windows/{window_id}", 404, "not_found", json={"length_minutes": 5})
    api.problem("DELETE", f"/windows/{window_id}", 404, "not_found")

    assert actions(engine, "window.") == [
        ("window.create", "admin"),
        ("window.update", "admin"),
        ("window.delete", "admin"),
    ]
    with Session(engine) as fresh:
        events = list(fresh.exec(select(AuditEvent).where(AuditEvent.action == "window.update")))
        assert events[0].before is not None
        assert events[0].after is not None
        assert (events[0].before["length_s"], events[0].after["length_s"]) == (1800, 1200)


def test_a_duplicate_name_for_the_same_owner_is_409(api: Caller, engine: Engine) -> None:
    api.window("areas/P", "Sáng", "05:30", 30)
    detail = api.problem(
        "POST",
        "/areas/P/windows",
        409,
        "conflict",
        json={"name": "  Sáng ", "start_time": "06:00", "length_minutes": 15},
    )
    assert detail == "area:P đã có buổi phát tên «Sáng»"
    api.window("stations/sa", "Sáng", "06:00", 15)  # another owner may use the name
    with Session(engine) as fresh:
        assert len(list(fresh.exec(select(BroadcastWindow)))) == 2


def test_writes_are_for_admins(api: Caller, engine: Engine) -> None:
    body = {"name": "Sáng", "start_time": "05:30", "length_minutes": 30}
    for who in ("editor_a", "approver_a", "approver_p"):
        api.problem("POST", "/areas/A/windows", 403, "permission_denied", who=who, json=body)
    with Session(engine) as fresh:
        assert list(fresh.exec(select(BroadcastWindow))) == []


def test_staff_read_their_areas_and_the_areas_above_them(api: Caller) -> None:
    api.window("areas/P", "Sáng", "05:30", 30)
    api.window("areas/B", "Chiều", "17:00", 30)
    assert [w["name"] for w in api.call("GET", "/areas/P/windows", who="editor_a")] == ["Sáng"]
    assert api.call("GET", "/areas/A/windows", who="editor_a") == []
    api.problem("GET", "/areas/B/windows", 403, "permission_denied", who="editor_a")
    assert len(api.call("GET", "/areas/B/windows", who="approver_p")) == 1  # below P
    api.problem("GET", "/stations/sb/windows", 403, "permission_denied", who="approver_a")
    api.problem("GET", "/stations/sb/sessions", 403, "permission_denied", who="approver_a")


# ------------------------------------------------------------------ the effective schedule
def test_a_station_uses_its_own_windows_else_its_commune_else_its_province(api: Caller) -> None:
    nothing = api.day("sa")
    assert (nothing["windows_from"], nothing["sessions"], nothing["refused"]) == ("none", [], [])

    api.window("areas/P", "Sáng", "05:30", 30)
    api.window("areas/P", "Chiều", "17:00", 30)
    day = api.day("sa")
    assert day["windows_from"] == "area:P"
    assert (day["station_code"], day["date"], day["timezone"]) == ("sa", D, "Asia/Ho_Chi_Minh")
    assert spans(day) == [("Sáng", "05:30:00", "06:00:00"), ("Chiều", "17:00:00", "17:30:00")]
    # Storage is UTC: 05:30 in Hà Nội (UTC+7) is 22:30 the evening before.
    assert day["sessions"][0]["start"] == "2027-03-09T22:30:00Z"
    assert day["sessions"][0]["end"] == "2027-03-09T23:00:00Z"

    api.window("areas/A", "Trưa", "11:00", 15)
    assert (api.day("sa")["windows_from"], spans(api.day("sa"))) == (
        "area:A",
        [("Trưa", "11:00:00", "11:15:00")],
    )
    assert api.day("sb")["windows_from"] == "area:P"  # commune B has none of its own

    own = api.window("stations/sa", "Tối", "19:00", 20)
    assert api.day("sa")["windows_from"] == "station:sa"
    assert spans(api.day("sa")) == [("Tối", "19:00:00", "19:20:00")]
    api.call("DELETE", f"/windows/{own['id']}", 204)
    assert api.day("sa")["windows_from"] == "area:A"


def test_weekdays_and_date_ranges_decide_the_days(api: Caller) -> None:
    api.window("areas/P", "Chợ phiên", "06:00", 30, weekdays=[2], last_day=D)  # Wednesdays
    assert [s["name"] for s in api.day("sa")["sessions"]] == ["Chợ phiên"]
    thursday = (DAY + timedelta(days=1)).isoformat()
    next_wednesday = (DAY + timedelta(days=7)).isoformat()
    assert api.day("sa", thursday)["sessions"] == []
    assert api.day("sa", next_wednesday)["sessions"] == []  # after last_day


def test_exceptions_add_and_drop_sessions(api: Caller, engine: Engine) -> None:
    api.window("areas/P", "Sáng", "05:30", 30)
    api.window("areas/P", "Chiều", "17:00", 30)
    campaign = {
        "kind": "add",
        "name": "Trưa",
        "first_day": D,
        "last_day": (DAY + timedelta(days=13)).isoformat(),
        "start_time": "11:00",
        "length_minutes": 15,
        "note": "chiến dịch tiêm chủng",
    }
    added = api.call("POST", "/areas/P/window-exceptions", 201, json=campaign)
    assert {k: added[k] for k in ("owner", "kind", "start_time", "length_minutes")} == {
        "owner": "area:P",
        "kind": "add",
        "start_time": "11:00:00",
        "length_minutes": 15.0,
    }
    holiday = {"kind": "drop", "name": "Chiều", "first_day": D, "note": "ngày lễ"}
    dropped = api.call("POST", "/stations/sa/window-exceptions", 201, json=holiday)
    assert (dropped["last_day"], dropped["start_time"]) == (D, None)

    day = api.day("sa")
    assert spans(day) == [("Sáng", "05:30:00", "06:00:00"), ("Trưa", "11:00:00", "11:15:00")]
    assert day["sessions"][1]["notes"] == ["buổi bổ sung: chiến dịch tiêm chủng"]
    # The drop is the station's own; commune B's station keeps its afternoon.
    assert [s["name"] for s in api.day("sb")["sessions"]] == ["Sáng", "Trưa", "Chiều"]
    after = (DAY + timedelta(days=14)).isoformat()
    assert [s["name"] for s in api.day("sa", after)["sessions"]] == ["Sáng", "Chiều"]

    listed = api.call("GET", "/stations/sa/window-exceptions", who="editor_a")
    assert [e["id"] for e in listed] == [dropped["id"]]
    api.call("DELETE", f"/window-exceptions/{dropped['id']}", 204)
    assert [s["name"] for s in api.day("sa")["sessions"]] == ["Sáng", "Trưa", "Chiều"]
    api.problem("DELETE", f"/window-exceptions/{dropped['id']}", 404, "not_found")
    assert actions(engine, "window_exception.") == [
        ("window_exception.create", "admin"),
        ("window_exception.create", "admin"),
        ("window_exception.delete", "admin"),
    ]


def test_quiet_hours_refuse_and_shorten_and_caps_shorten(api: Caller) -> None:
    api.window("areas/A", "Sáng", "05:30", 30)
    api.window("areas/A", "Muộn", "21:00", 60)
    api.window("areas/A", "Đêm", "22:00", 30)
    day = api.day("sa")
    assert (day["quiet_hours"], day["session_cap_minutes"]) == ("21:30-05:00", None)
    assert spans(day) == [("Sáng", "05:30:00", "06:00:00"), ("Muộn", "21:00:00", "21:30:00")]
    assert day["sessions"][1]["notes"] == [
        "rút ngắn để kết thúc khi bắt đầu giờ yên lặng 21:30-05:00"
    ]
    assert day["refused"] == [
        {"name": "Đêm", "reason": "bắt đầu lúc 22:00, trong giờ yên lặng 21:30-05:00"}
    ]

    # The province caps sessions at 15 minutes; commune A inherits it.
    area = api.call("PATCH", "/areas/P", json={"session_cap_minutes": 15})
    assert area["session_cap_minutes"] == 15
    day = api.day("sa")
    assert day["session_cap_minutes"] == 15
    assert spans(day) == [("Sáng", "05:30:00", "05:45:00"), ("Muộn", "21:00:00", "21:15:00")]
    assert day["sessions"][0]["notes"] == ["giới hạn 15 phút"]

    # Commune A's own quiet hours: the night window now fits, whole.
    area = api.call("PATCH", "/areas/A", json={"quiet_start": "23:00", "quiet_end": "04:00"})
    assert (area["quiet_start"], area["quiet_end"]) == ("23:00:00", "04:00:00")
    day = api.day("sa")
    assert day["quiet_hours"] == "23:00-04:00"
    assert day["refused"] == []
    assert spans(day)[-1] == ("Đêm", "22:00:00", "22:15:00")

    # Equal times: no quiet hours at all. Null: inherit again (the default, P sets none).
    api.call("PATCH", "/areas/P", json={"quiet_start": "00:00", "quiet_end": "00:00"})
    assert api.day("sb")["quiet_hours"] == "none"
    cleared = api.call(
        "PATCH",
        "/areas/A",
        json={"quiet_start": None, "quiet_end": None, "session_cap_minutes": 30},
    )
    assert (cleared["quiet_start"], cleared["quiet_end"]) == (None, None)
    day = api.day("sa")
    assert (day["quiet_hours"], day["session_cap_minutes"]) == ("none", 30)
    api.call("PATCH", "/areas/P", json={"quiet_start": None, "quiet_end": None})
    api.call("PATCH", "/areas/A", json={"session_cap_minutes": None})
    day = api.day("sa")
    assert (day["quiet_hours"], day["session_cap_minutes"]) == ("21:30-05:00", 15)
    assert [r["name"] for r in day["refused"]] == ["Đêm"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"quiet_start": "22:00"}, "quiet_start và quiet_end phải gửi cùng nhau"),
        ({"quiet_end": None}, "quiet_start và quiet_end phải gửi cùng nhau"),
        (
            {"quiet_start": "22:00", "quiet_end": None},
            "quiet_start và quiet_end cùng có giá trị hoặc cùng là null",
        ),
        (
            {"quiet_start": "22:00+07:00", "quiet_end": "05:00"},
            "giờ yên lặng là giờ địa phương, không kèm múi giờ",
        ),
    ],
)
def test_quiet_hours_come_in_pairs(api: Caller, body: dict[str, Any], message: str) -> None:
    detail = api.problem("PATCH", "/areas/A", 422, "validation_failed", json=body)
    assert message in detail
    area = api.call("GET", "/areas/A")
    assert (area["quiet_start"], area["quiet_end"]) == (None, None)


def test_sessions_are_local_to_the_station_time_zone(api: Caller) -> None:
    paris = {
        "code": "paris",
        "name": "Loa Paris",
        "area_code": "A",
        "timezone": "Europe/Paris",
    }
    api.call("POST", "/stations", 201, json=paris)
    api.window("areas/P", "Sáng", "05:30", 30)
    day = api.day("paris")
    assert day["timezone"] == "Europe/Paris"
    assert spans(day) == [("Sáng", "05:30:00", "06:00:00")]
    assert (day["sessions"][0]["start"], day["sessions"][0]["end"]) == (
        "2027-03-10T04:30:00Z",  # UTC+1 in March before the clocks change
        "2027-03-10T05:00:00Z",
    )
    summer = api.day("paris", "2027-07-01")["sessions"][0]
    assert (summer["local_start"], summer["start"]) == ("05:30:00", "2027-07-01T03:30:00Z")
    hanoi = api.day("sa")["sessions"][0]
    assert (hanoi["local_start"], hanoi["start"]) == ("05:30:00", "2027-03-09T22:30:00Z")


def test_sessions_default_to_the_station_local_today(api: Caller) -> None:
    api.window("areas/P", "Sáng", "05:30", 30)
    day = api.call("GET", "/stations/sa/sessions")
    assert [s["name"] for s in day["sessions"]] == ["Sáng"]
    assert day["date"] == local_today("Asia/Ho_Chi_Minh").isoformat()


# ------------------------------------------------------------------ bad input
WINDOW = {"name": "Sáng", "start_time": "05:30", "length_minutes": 30}
ADD = {"kind": "add", "name": "Trưa", "first_day": D, "start_time": "11:00", "length_minutes": 15}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/areas/P/windows", {**WINDOW, "start_time": "25:00"}, "start_time"),
        ("/areas/P/windows", {**WINDOW, "start_time": "05:30+07:00"}, "start_time"),
        ("/areas/P/windows", {**WINDOW, "weekdays": [0, 7]}, "weekdays"),
        ("/areas/P/windows", {**WINDOW, "weekdays": [1, 1]}, "weekdays"),
        ("/areas/P/windows", {**WINDOW, "weekdays": []}, "weekdays"),
        ("/areas/P/windows", {**WINDOW, "length_minutes": -5}, "length_minutes"),
        ("/areas/P/windows", {**WINDOW, "length_minutes": 24 * 60}, "length_minutes"),
        ("/areas/P/windows", {**WINDOW, "length_minutes": "ba mươi"}, "length_minutes"),
        ("/areas/P/windows", {**WINDOW, "name": "   "}, "name"),
        ("/areas/P/windows", {**WINDOW, "name": "x" * 65}, "name"),
        (
            "/stations/sa/windows",
            {**WINDOW, "first_day": "2027-03-10", "last_day": "2027-03-09"},
            "",
        ),
        ("/stations/sa/windows", {"name": "Sáng"}, "start_time"),
        ("/areas/P/window-exceptions", {k: v for k, v in ADD.items() if k != "start_time"}, ""),
        (
            "/areas/P/window-exceptions",
            {"kind": "drop", "name": "Sáng", "first_day": D, "start_time": "05:30"},
            "",
        ),
        ("/areas/P/window-exceptions", {**ADD, "kind": "move"}, "kind"),
        ("/areas/P/window-exceptions", {**ADD, "last_day": "2027-03-01"}, ""),
        ("/areas/P/window-exceptions", {**ADD, "first_day": "mai"}, "first_day"),
    ],
)
def test_bad_windows_and_exceptions_are_422(
    api: Caller, engine: Engine, path: str, body: dict[str, Any], field: str
) -> None:
    response = api.client.post(API + path, json=body, headers=auth(api.world["admin"]))
    assert_problem(response, 422, "validation_failed")
    assert field in {e["field"] for e in response.json()["errors"]}
    with Session(engine) as fresh:
        assert list(fresh.exec(select(BroadcastWindow))) == []
        assert list(fresh.exec(select(WindowException))) == []


def test_bad_updates_are_422_and_change_nothing(api: Caller) -> None:
    window = api.window("areas/P", "Sáng", "05:30", 30)
    for body in (
        {"start_time": "24:00"},
        {"weekdays": [7]},
        {"length_minutes": 0},
        {"start_time": "05:30:00Z"},
    ):
        api.problem("PATCH", f"/windows/{window['id']}", 422, "validation_failed", json=body)
    assert api.call("GET", "/areas/P/windows") == [window]


def test_messages_name_the_problem_in_vietnamese(api: Caller) -> None:
    detail = api.problem(
        "POST",
        "/areas/P/window-exceptions",
        422,
        "validation_failed",
        json={"kind": "drop", "name": "Sáng", "first_day": D, "start_time": "05:30"},
    )
    assert "bỏ buổi phát chỉ cần tên buổi và ngày" in detail
    detail = api.problem(
        "POST",
        "/areas/P/window-exceptions",
        422,
        "validation_failed",
        json={"kind": "add", "name": "Trưa", "first_day": D},
    )
    assert "thêm buổi phát cần start_time và length_minutes" in detail
    detail = api.problem(
        "POST",
        "/areas/P/windows",
        422,
        "validation_failed",
        json={**WINDOW, "last_day": "2027-01-01", "first_day": "2027-02-01"},
    )
    assert "last_day phải từ first_day trở đi" in detail


def test_an_exception_longer_than_a_year_is_422(api: Caller) -> None:
    body = {"kind": "drop", "name": "Sáng", "first_day": "2027-01-01", "last_day": "2028-06-01"}
    detail = api.problem("POST", "/areas/P/window-exceptions", 422, "invalid_input", json=body)
    assert detail == "Ngoại lệ kéo dài tối đa 367 ngày"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/stations/zz/windows", WINDOW),
        ("POST", "/areas/ZZ/windows", WINDOW),
        ("GET", "/stations/zz/windows", None),
        ("GET", "/areas/ZZ/windows", None),
        ("POST", "/stations/zz/window-exceptions", ADD),
        ("POST", "/areas/ZZ/window-exceptions", ADD),
        ("GET", "/stations/zz/window-exceptions", None),
        ("GET", "/areas/ZZ/window-exceptions", None),
        ("GET", "/stations/zz/sessions", None),
        ("PATCH", "/windows/999999", {"length_minutes": 10}),
        ("DELETE", "/windows/999999", None),
        ("DELETE", "/window-exceptions/999999", None),
    ],
)
def test_unknown_owners_and_ids_are_404(
    api: Caller, method: str, path: str, body: dict[str, Any] | None
) -> None:
    api.problem(method, path, 404, "not_found", json=body)


def test_nul_in_a_window_name_is_refused(api: Caller, engine: Engine) -> None:
    detail = api.problem(
        "POST", "/areas/P/windows", 422, "invalid_input", json={**WINDOW, "name": "Sá\x00ng"}
    )
    assert "NUL" in detail
    with Session(engine) as fresh:
        assert list(fresh.exec(select(BroadcastWindow))) == []


@pytest.mark.parametrize("value", ["2027-02-30", "hôm nay", "10/03/2027", "9999-12-31"])
def test_a_bad_sessions_date_is_422(api: Caller, value: str) -> None:
    response = api.client.get(
        f"{API}/stations/sa/sessions", params={"date": value}, headers=auth(api.world["admin"])
    )
    assert_problem(response, 422, "validation_failed")
    assert [e["field"] for e in response.json()["errors"]] == ["date"]
