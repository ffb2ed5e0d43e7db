"""The as-run intake: Liquidsoap's track and dead-air events become as-run rows and alerts, and
the airing counts the programme builder uses come from them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, func, select

import playlists
from studio import programmes
from studio.asrun import OnAirEvent, OnAirEvents, item_key, record_event
from studio.asrun_keys import key_kind, key_start
from studio.asrun_report import day_report
from studio.errors import InvalidInput, NotFound
from studio.onair_models import AsRun, Emergency, EmergencyTarget, OnAirAlert
from studio.programme_feed import aired_before
from studio.settings import Settings
from studio.types import AlertKind, AsRunSource, AsRunStatus, CapStatus, EmergencyState, QueueKind
from tests.factories import SYSTEM, World, make_bulletin
from tests.programmes.support import DAY, EVE, approved, local, two_sessions

PLANNED = local(DAY, 5, 30)
KEY = "2027-03-09T22:30:00.000Z/7"  # PLANNED in UTC, "bulletin 7"
MS = timedelta(milliseconds=1)


def event(kind: str, at: datetime, queue: str | None = "programme", **meta: str) -> OnAirEvent:
    return OnAirEvent.model_validate(
        {"event": kind, "station": "sa", "queue": queue, "time": at.timestamp(), "metadata": meta}
    )


def annotations(key: str, planned: datetime, **extra: str) -> dict[str, str]:
    return {
        "item_key": key,
        "planned_start": f"{planned.timestamp():.3f}",
        "duration_ms": "60000",
        "title": "Tin tiêm chủng",
        **extra,
    }


def rows(session: Session) -> list[AsRun]:
    return list(session.exec(select(AsRun).order_by(AsRun.id)))  # type: ignore[arg-type]


def alerts(session: Session) -> list[OnAirAlert]:
    return list(session.exec(select(OnAirAlert).order_by(OnAirAlert.id)))  # type: ignore[arg-type]


def test_the_wire_format_of_stations_render_is_read(world: World) -> None:
    wire: dict[str, Any] = {
        "event": "blank",
        "station": "sa",
        "queue": "",
        "time": 1767225600.123,
        "seq": 7,
        "boot": 1767225000.5,
        "metadata": {},
    }
    batch = OnAirEvents.model_validate(wire)
    assert [(e.event, e.queue, e.seq) for e in batch.root] == [("blank", None, 7)]
    assert len(OnAirEvents.model_validate([wire, {**wire, "event": "noise"}]).root) == 2


def test_item_keys_carry_the_planned_start_and_the_bulletin_or_kind() -> None:
    def item(bulletin_id: int | None, kind: str) -> playlists.ProgrammeItem:
        return playlists.ProgrammeItem(
            "Sáng", PLANNED, 1000, playlists.ItemKind(kind), 3, "a" * 64, 10, "x", "vi",
            bulletin_id, 1 if bulletin_id else None, "",
        )  # fmt: skip

    assert item_key(item(7, "bulletin")) == KEY
    assert item_key(item(None, "opening")) == "2027-03-09T22:30:00.000Z/opening"
    assert (key_start(KEY), key_kind(KEY)) == (PLANNED, "bulletin")
    assert (key_start("emergency/3/1"), key_kind("2027-03-09T22:30:00.000Z/closing")) == (
        None,
        "closing",
    )


def test_a_start_is_a_playing_row_late_against_its_plan(session: Session, world: World) -> None:
    bulletin = make_bulletin(session, world["editor_a"])
    meta = annotations(KEY, PLANNED, bulletin_id=str(bulletin.id), version="1", sha256="b" * 64)
    row = record_event(session, event("track_start", PLANNED + 250 * MS, **meta))

    assert isinstance(row, AsRun)
    assert (row.status, row.lateness_ms, row.started_at, row.planned_start) == (
        AsRunStatus.playing,
        250,
        PLANNED + 250 * MS,
        PLANNED,
    )
    assert (row.day, row.queue, row.item_key, row.source) == (
        DAY,
        QueueKind.programme,
        KEY,
        AsRunSource.liquidsoap,
    )
    assert (row.bulletin_id, row.bulletin_version, row.clip_sha256, row.title) == (
        bulletin.id,
        1,
        "b" * 64,
        "Tin tiêm chủng",
    )
    assert (row.planned_duration_ms, row.ended_at) == (60_000, None)


@pytest.mark.parametrize(
    ("advance", "lateness_ms"),
    [("377", 40), ("0", -337), ("", -337), ("abc", -337), ("-5", -337), ("99999", -337)],
)
def test_lateness_is_where_the_item_is_heard_the_gate_advance_added_back(
    session: Session, world: World, advance: str, lateness_ms: int
) -> None:
    """Released 377 ms early for its listeners, an item Liquidsoap starts 337 ms before plan is
    heard 40 ms late; an unbelievable advance is ignored, never trusted."""
    meta = annotations(KEY, PLANNED, advance_ms=advance)
    row = record_event(session, event("track_start", PLANNED - 337 * MS, **meta))
    assert isinstance(row, AsRun)
    assert (row.lateness_ms, row.started_at) == (lateness_ms, PLANNED - 337 * MS)


def test_the_plan_comes_from_the_key_when_unannotated_and_unknown_ids_are_dropped(
    session: Session, world: World
) -> None:
    meta = {"item_key": KEY, "bulletin_id": "999", "planned_start": "1e300", "version": "x"}
    row = record_event(session, event("track_start", PLANNED - 40 * MS, **meta))
    assert isinstance(row, AsRun)
    assert (row.planned_start, row.lateness_ms, row.bulletin_id, row.bulletin_version) == (
        PLANNED,
        -40,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("late_ms", "status"),
    [(0, AsRunStatus.aired), (1000, AsRunStatus.aired), (1001, AsRunStatus.late)],
)
def test_an_end_makes_it_aired_or_late(
    session: Session, world: World, late_ms: int, status: AsRunStatus
) -> None:
    start = PLANNED + late_ms * MS
    record_event(session, event("track_start", start, **annotations(KEY, PLANNED)))
    row = record_event(session, event("track_end", start + 60 * 1000 * MS, item_key=KEY))
    assert isinstance(row, AsRun)
    assert (row.status, row.lateness_ms, row.ended_at) == (status, late_ms, start + 60_000 * MS)


def test_the_same_start_reported_twice_is_one_row(session: Session, world: World) -> None:
    start = event("track_start", PLANNED, **annotations(KEY, PLANNED))
    first = record_event(session, start)
    again = record_event(session, start)
    assert first is again
    assert len(rows(session)) == 1


def test_a_start_closes_what_its_queue_left_open(session: Session, world: World) -> None:
    second_key = "2027-03-09T22:31:01.500Z/8"
    second_planned = PLANNED + 61_500 * MS
    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    record_event(
        session, event("track_start", second_planned, **annotations(second_key, second_planned))
    )
    # The lost end arrives after all: nothing left to close.
    assert record_event(session, event("track_end", second_planned, item_key=KEY)) is None

    first, second = rows(session)
    assert (first.status, first.ended_at) == (AsRunStatus.aired, second_planned)
    assert (second.status, second.ended_at) == (AsRunStatus.playing, None)


def test_an_item_pushed_again_after_a_restart_stays_one_airing(
    session: Session, world: World
) -> None:
    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    # Liquidsoap was killed; the playout cues the same item in where it was.
    record_event(session, event("track_start", PLANNED + 7000 * MS, **annotations(KEY, PLANNED)))
    record_event(session, event("track_end", PLANNED + 60_000 * MS, item_key=KEY))
    (row,) = rows(session)
    assert (row.status, row.started_at, row.ended_at, row.lateness_ms, row.detail) == (
        AsRunStatus.aired,
        PLANNED,
        PLANNED + 60_000 * MS,
        0,
        "phát lại tiếp lúc 05:30:07",
    )


def test_a_track_event_without_a_queue_or_for_an_unknown_station_is_refused(
    session: Session, world: World
) -> None:
    with pytest.raises(InvalidInput, match="queue"):
        record_event(session, event("track_start", PLANNED, queue=None, item_key=KEY))
    unknown = OnAirEvent(event="noise", station="khong-co", time=PLANNED.timestamp())
    with pytest.raises(NotFound, match="khong-co"):
        record_event(session, unknown)
    assert rows(session) == []


def test_blank_opens_one_dead_air_alert_and_noise_resolves_it(
    session: Session, world: World
) -> None:
    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    blank_at = PLANNED + 20_000 * MS
    alert = record_event(session, event("blank", blank_at, title="Tin tiêm chủng"))
    assert record_event(session, event("blank", blank_at + 5000 * MS, title="x")) is alert
    assert isinstance(alert, OnAirAlert)
    assert (alert.kind, alert.at, alert.resolved_at, alert.station_id) == (
        AlertKind.dead_air,
        blank_at,
        None,
        world.stations["sa"].id,
    )
    assert alert.detail == (
        "Im lặng trên đầu ra (phát hiện lúc 05:30:20); đang phát «Tin tiêm chủng»"
    )

    # The item ends while the output is still silent: it failed.
    row = record_event(session, event("track_end", PLANNED + 30_000 * MS, item_key=KEY))
    assert isinstance(row, AsRun)
    assert (row.status, row.detail) == (AsRunStatus.failed, "im lặng trên đầu ra (dead air)")

    resolved = record_event(session, event("noise", PLANNED + 30_040 * MS, queue=""))
    assert resolved is alert
    assert [(a.kind, a.resolved_at) for a in alerts(session)] == [
        (AlertKind.dead_air, PLANNED + 30_040 * MS)
    ]
    assert record_event(session, event("noise", PLANNED + 40_000 * MS, queue="")) is None


def test_an_item_skipped_for_silence_failed_whichever_report_came_first(
    session: Session, world: World
) -> None:
    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    blank_at = PLANNED + 20_000 * MS
    record_event(session, event("track_end", blank_at + 30 * MS, item_key=KEY))
    (row,) = rows(session)
    assert row.status is AsRunStatus.aired
    record_event(session, event("blank", blank_at, title="Tin tiêm chủng"))
    assert (row.status, row.detail) == (AsRunStatus.failed, "im lặng trên đầu ra (dead air)")


def test_silence_on_an_idle_station_is_dead_air_only_while_an_item_is_planned(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin A", duration_ms=60_000)
    sa = world.stations["sa"]
    programme = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE).programme
    session.commit()
    item = programme.items[0]

    between_sessions = local(DAY, 9)
    assert record_event(session, event("blank", between_sessions, queue="")) is None
    alert = record_event(session, event("blank", item.start + 10_000 * MS, queue=""))
    assert isinstance(alert, OnAirAlert)
    assert alert.detail == (
        "Im lặng trên đầu ra (phát hiện lúc 05:30:10): theo chương trình đang phải phát "
        "«Tin A» nhưng hàng đợi trống"
    )
    assert len(alerts(session)) == 1


def test_an_emergency_preempts_the_programme_item_which_then_resumes(
    session: Session, world: World
) -> None:
    admin = world["admin"]
    assert admin.id is not None
    emergency = Emergency(
        cap_status=CapStatus.actual,
        state=EmergencyState.active,
        title="Bão số 3",
        created_by_id=admin.id,
    )
    session.add(emergency)
    session.flush()
    assert emergency.id is not None
    sa_id = world.stations["sa"].id
    assert sa_id is not None
    target = EmergencyTarget(emergency_id=emergency.id, station_id=sa_id)
    session.add(target)
    session.flush()
    cut, back = PLANNED + 10_000 * MS, PLANNED + 25_000 * MS
    urgent = {"item_key": f"emergency/{emergency.id}/1", "emergency_id": str(emergency.id)}

    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    # Both reports leave Liquidsoap at once; the emergency's may well arrive first.
    record_event(session, event("track_start", cut, "emergency", title="Bão số 3", **urgent))
    assert record_event(session, event("track_end", cut, item_key=KEY)) is None
    programme_row, emergency_row = rows(session)
    assert (programme_row.status, programme_row.ended_at) == (AsRunStatus.preempted, cut)
    assert programme_row.detail == "bị ngắt bởi phát khẩn cấp lúc 05:30:10"
    assert (emergency_row.emergency_id, emergency_row.day, emergency_row.lateness_ms) == (
        emergency.id,
        DAY,
        None,
    )
    session.refresh(target)
    assert (target.first_aired_at, target.airings) == (cut, 1)

    record_event(session, event("track_end", back, "emergency", **urgent))
    record_event(session, event("track_resume", back, item_key=KEY))
    assert (programme_row.status, programme_row.ended_at) == (AsRunStatus.playing, None)
    done = record_event(session, event("track_end", PLANNED + 75_000 * MS, item_key=KEY))
    assert done is programme_row
    assert (programme_row.status, programme_row.ended_at, programme_row.detail) == (
        AsRunStatus.aired,
        PLANNED + 75_000 * MS,
        "bị ngắt bởi phát khẩn cấp lúc 05:30:10; phát tiếp lúc 05:30:25",
    )
    assert emergency_row.status is AsRunStatus.aired


def test_an_item_that_had_finished_is_not_preempted(session: Session, world: World) -> None:
    record_event(session, event("track_start", PLANNED, **annotations(KEY, PLANNED)))
    end = PLANNED + 60_000 * MS
    record_event(session, event("track_end", end, item_key=KEY))
    record_event(session, event("track_start", end, "emergency", item_key="emergency/1/1"))
    assert [r.status for r in rows(session)] == [AsRunStatus.aired, AsRunStatus.playing]


def _air(session: Session, item: playlists.ProgrammeItem, late_ms: int = 0) -> None:
    meta = annotations(item_key(item), item.start, bulletin_id=str(item.bulletin_id))
    meta["title"] = item.title
    start = item.start + late_ms * MS
    record_event(session, event("track_start", start, **meta))
    record_event(session, event("track_end", start + item.duration_ms * MS, **meta))


def test_airings_come_from_the_as_run_log_on_reported_days_else_from_the_plan(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    every = {"mode": "every_session", "first_day": DAY, "last_day": DAY + timedelta(days=2)}
    daily = approved(session, world, title="Mỗi buổi", airing=every, duration_ms=60_000)
    sa = world.stations["sa"]
    assert sa.id is not None
    built = {
        day: programmes.build(session, settings, SYSTEM, sa, day, now=EVE).programme
        for day in (DAY, DAY + timedelta(days=1))
    }
    session.commit()
    planned = [i for i in built[DAY].items if i.bulletin_id == daily.id]
    assert [i.session for i in planned] == ["Sáng", "Chiều"]
    assert daily.id is not None

    # Nothing reported yet: both days count what they planned.
    assert aired_before(session, sa.id, DAY + timedelta(days=2))[daily.id] == 4
    # DAY reported: the morning aired, the afternoon never did; DAY+1 still counts its plan.
    _air(session, planned[0], late_ms=1500)
    session.commit()
    assert aired_before(session, sa.id, DAY + timedelta(days=2))[daily.id] == 1 + 2
    # A second report of the same airing (an endpoint's proof of play) is not a second airing.
    twice = rows(session)[0]
    session.add(AsRun(**{**twice.model_dump(exclude={"id"}), "source": AsRunSource.endpoint}))
    session.commit()
    assert session.exec(select(func.count()).select_from(AsRun)).one() == 2
    assert aired_before(session, sa.id, DAY + timedelta(days=2))[daily.id] == 3


def test_the_day_report_places_rows_beside_the_plan(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin A", duration_ms=60_000)
    approved(session, world, title="Tin B", duration_ms=60_000)
    sa = world.stations["sa"]
    programme = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE).programme
    session.commit()
    first, second = programme.items
    _air(session, second, late_ms=2000)

    morning = day_report(session, sa, DAY, first.start + 30_000 * MS)
    assert [(line.title, line.status, line.lateness_ms) for line in morning.items] == [
        ("Tin A", "missed", None),
        ("Tin B", "late", 2000),
    ]
    earlier = day_report(session, sa, DAY, first.start - MS)
    assert [line.status for line in earlier.items] == ["pending", "late"]
    assert (earlier.totals["pending"], earlier.totals["late"], earlier.totals["aired"]) == (1, 1, 0)
    assert earlier.programme_version == 1
    empty = day_report(session, sa, date(2027, 3, 11), EVE)
    assert (empty.items, empty.programme_version) == ([], None)
