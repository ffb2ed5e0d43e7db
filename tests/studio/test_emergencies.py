"""Emergencies in the studio: who may send one where, the audio it gets, what is recorded, and
when repeats are due (explicit `now`). No Liquidsoap runs here: pushes meet the real client and
find no process, which is what a station that is down looks like (tests/onair covers airing)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from media.store import MediaStore
from studio import emergencies, stations
from studio.audit import Actor
from studio.emergencies import EmergencyCreate
from studio.emergency_audio import NeedsRecordingError
from studio.emergency_push import API_GRACE, GIVE_UP, Due, due_repeats, push_repeats, settle
from studio.errors import Conflict, InvalidInput, PermissionDenied
from studio.models import AuditEvent, StationCreate, StationUpdate
from studio.onair_models import AsRun, Emergency, EmergencyTarget
from studio.playout_transport import LiquidsoapTransport
from studio.settings import Settings
from studio.types import AsRunSource, AsRunStatus, CapStatus, EmergencyState, QueueKind
from studio.voices import build_kit
from tests.conftest import require_binary
from tests.factories import SYSTEM, World, clip_mp3, make_station
from tests.programmes.support import approved, clip_of
from tests.stations.live import free_port
from tests.tts.edge_server import running
from tests.voices_support import KHMER_BODY, offline, stored_files, with_edge

T0 = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
S = timedelta(seconds=1)
TEXT = "Khẩn cấp: bão số 3 vào đất liền lúc 17h. Bà con khẩn trương sơ tán."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return offline(settings)


def data(**overrides: Any) -> EmergencyCreate:
    body: dict[str, Any] = {"text": TEXT, "target_station_codes": ["sa"]}
    body.update(overrides)
    return EmergencyCreate.model_validate(body)


def codes(session: Session, world: World, who: str, **overrides: Any) -> list[str]:
    found, _ = emergencies.resolve(session, Actor(user=world[who]), data(**overrides), T0)
    return [s.code for s in found]


@contextlib.contextmanager
def nowhere(settings: Settings, session: Session) -> Iterator[LiquidsoapTransport]:
    """The layout's transport with no Liquidsoap running: every push is refused."""
    transport = emergencies.open_transport(settings, session)
    try:
        yield transport
    finally:
        transport.close()


def create(session: Session, settings: Settings, who: str, world: World, **kw: Any) -> Emergency:
    with nowhere(settings, session) as transport:
        return emergencies.create(
            session,
            Actor(user=world[who]),
            data(**kw),
            kit=build_kit(settings),
            settings=settings,
            transport=transport,
        )


def actions(session: Session, emergency_id: int) -> list[str]:
    rows = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "emergency", AuditEvent.entity_id == str(emergency_id))
        .order_by(col(AuditEvent.id))
    ).all()
    return list(rows)


# ------------------------------------------------------------------ targets
def test_areas_mean_every_enabled_station_under_them(session: Session, world: World) -> None:
    make_station(session, "sa2", "A")
    stations.update_station(session, SYSTEM, "sa2", StationUpdate(enabled=False))
    assert codes(session, world, "admin", target_station_codes=[], target_area_codes=["A"]) == [
        "sa"
    ]
    everything = codes(session, world, "admin", target_station_codes=[], target_area_codes=["P"])
    assert everything == ["sa", "sb", "sp"]
    both = codes(session, world, "approver_p", target_station_codes=["sb"], target_area_codes=["A"])
    assert both == ["sa", "sb"]


def test_test_and_exercise_go_only_to_stations_marked_for_tests(
    session: Session, world: World
) -> None:
    stations.update_station(session, SYSTEM, "sb", StationUpdate(accepts_tests=True))
    province = {"target_station_codes": [], "target_area_codes": ["P"]}
    assert codes(session, world, "admin", cap_status="Test", **province) == ["sb"]
    assert codes(session, world, "admin", cap_status="Exercise", **province) == ["sb"]
    assert codes(session, world, "admin", cap_status="Actual", **province) == ["sa", "sb", "sp"]
    with pytest.raises(InvalidInput, match="accepts_tests"):
        codes(session, world, "admin", cap_status="Test", target_station_codes=["sa"])


def test_who_may_send_where(session: Session, world: World) -> None:
    assert codes(session, world, "approver_a") == ["sa"]
    with pytest.raises(PermissionDenied):
        codes(session, world, "approver_b")  # sa is in commune A
    with pytest.raises(PermissionDenied):
        codes(session, world, "approver_a", target_station_codes=[], target_area_codes=["P"])
    with pytest.raises(PermissionDenied, match="người duyệt"):
        codes(session, world, "editor_a")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"target_station_codes": ["nope"]}, "Không tìm thấy đài: nope"),
        ({"target_area_codes": ["ZZ"]}, "Không tìm thấy địa bàn: ZZ"),
        ({"target_station_codes": []}, "ít nhất một đài"),
        ({"expires_at": T0 - S}, "đã qua"),
    ],
)
def test_bad_targets_and_expiry_are_refused(
    session: Session, world: World, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        codes(session, world, "admin", **overrides)


def test_a_disabled_station_alone_is_no_target(session: Session, world: World) -> None:
    stations.create_station(
        session, SYSTEM, StationCreate(code="off", name="Tắt", area_code="A", enabled=False)
    )
    with pytest.raises(InvalidInput, match="đang hoạt động"):
        codes(session, world, "admin", target_station_codes=["off"])


@pytest.mark.parametrize(
    "body",
    [
        {"text": "   \n"},
        {"text": "x" * 5001},
        {"repeat": 0},
        {"repeat": 11},
        {"interval_s": -1},
        {"interval_s": 3601},
        {"expires_at": "2027-03-10T08:00:00"},  # no time zone
        {"targets": ["sa"]},  # unknown field
    ],
)
def test_the_request_model_refuses(body: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        data(**body)


# ------------------------------------------------------------------ create
def test_a_text_is_spoken_stored_recorded_and_its_failed_pushes_kept(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    require_binary("espeak-ng")
    emergency = create(session, settings, "approver_p", world, target_area_codes=["A", "B"])
    assert emergency.id is not None
    assert emergency.state is EmergencyState.active
    assert emergency.engine == "espeak"
    assert emergency.title == TEXT[:80]
    assert emergency.cap_status is CapStatus.actual
    assert emergency.duration_ms > 2000
    assert MediaStore(settings.media_dir).verify(emergency.clip_sha256, "mp3")
    with Session(engine) as fresh:
        targets = fresh.exec(select(EmergencyTarget).order_by(col(EmergencyTarget.id))).all()
        assert [t.station_id for t in targets] == [world.stations[c].id for c in ("sa", "sb")]
        for target in targets:  # no Liquidsoap: refused, recorded, retried by the job
            assert target.pushed_at is None
            assert target.error.startswith("Không kết nối được Liquidsoap")
        assert actions(fresh, emergency.id) == ["emergency.create"]
        event = fresh.exec(select(AuditEvent).where(AuditEvent.action == "emergency.create")).one()
        assert event.actor == "approver_p"
        assert event.after is not None
        assert event.after["stations"] == ["sa", "sb"]


def test_a_repeat_interval_shorter_than_the_message_is_refused(
    session: Session, engine: Engine, settings: Settings, world: World
) -> None:
    require_binary("espeak-ng")
    with pytest.raises(InvalidInput, match="interval_s"):
        create(session, settings, "admin", world, repeat=2, interval_s=1)
    session.rollback()
    with Session(engine) as fresh:
        assert fresh.exec(select(Emergency)).all() == []
    assert stored_files(settings.media_dir) == []  # refused before the audio was stored


def test_an_approved_bulletin_airs_its_approved_clip(
    session: Session, settings: Settings, world: World
) -> None:
    bulletin = approved(session, world, title="Lũ quét", media_dir=settings.media_dir)
    clip = clip_of(session, bulletin)
    emergency = create(session, settings, "admin", world, text=None, bulletin_id=bulletin.id)
    assert (emergency.clip_sha256, emergency.duration_ms) == (clip.sha256, clip.duration_ms)
    assert emergency.title == "Lũ quét"
    assert emergency.text == ""
    khmer = approved(
        session,
        world,
        author="editor_b",
        approver="approver_b",
        title="ទឹកជំនន់",
        body="ទឹកឡើងខ្លាំង។",
        language="km",
        target_station_codes=["sb"],
        media_dir=settings.media_dir,
    )
    aired = create(session, settings, "admin", world, text=None, bulletin_id=khmer.id)
    assert (aired.language, aired.title) == ("km", "ទឹកជំនន់")


def test_a_bulletin_not_approved_is_refused(
    session: Session, settings: Settings, world: World
) -> None:
    from tests.factories import make_bulletin

    draft = make_bulletin(session, world["editor_a"])
    with pytest.raises(Conflict, match="chưa được duyệt"):
        create(session, settings, "admin", world, text=None, bulletin_id=draft.id)
    with pytest.raises(InvalidInput, match="Cần đúng một nguồn"):
        create(session, settings, "admin", world, bulletin_id=draft.id)


def test_khmer_without_edge_asks_for_a_recording(
    session: Session, settings: Settings, world: World
) -> None:
    closed = with_edge(settings, f"ws://127.0.0.1:{free_port()}/edge")  # nothing listens
    with pytest.raises(NeedsRecordingError, match="tải lên bản ghi âm") as caught:
        create(session, closed, "admin", world, text=KHMER_BODY, language="km")
    assert "tiếng Khmer" in caught.value.message
    assert caught.value.code == "needs_recording"


def test_vietnamese_falls_back_to_espeak_when_edge_stays_silent(
    session: Session, settings: Settings, world: World
) -> None:
    require_binary("espeak-ng")
    with running("silent") as server:
        slow = with_edge(settings, server.url, timeout_s=30)
        onair = slow.onair.model_copy(update={"emergency_edge_timeout_s": 0.5})
        slow = slow.model_copy(update={"onair": onair})
        emergency = create(session, slow, "admin", world)
    assert emergency.engine == "espeak"
    assert len(server.received()) == 1


def test_edge_gets_the_whole_text_in_one_request_when_it_answers(
    session: Session, settings: Settings, world: World
) -> None:
    require_binary("espeak-ng")
    with running("ok") as server:
        emergency = create(session, with_edge(settings, server.url), "admin", world)
    assert emergency.engine == "edge"
    (request,) = server.received()
    assert request.voice.endswith("(vi-VN, HoaiMyNeural)")
    assert "bão số ba" in request.text
    assert "sơ tán" in request.text


# ------------------------------------------------------------------ cancel
def test_cancel_is_recorded_once_and_only_by_who_covers_the_targets(
    session: Session, settings: Settings, world: World
) -> None:
    emergency = stored(session, settings, world, {"sa": T0})
    assert emergency.id is not None

    def cancel(who: str) -> Emergency:
        with nowhere(settings, session) as transport:
            return emergencies.cancel(
                session, Actor(user=world[who]), emergency.id or 0, transport=transport, now=T0
            )

    with pytest.raises(PermissionDenied):
        cancel("approver_b")
    assert cancel("approver_a").state is EmergencyState.cancelled
    with pytest.raises(Conflict, match="đã kết thúc"):
        cancel("admin")
    session.expire_all()
    assert emergency.cancelled_at == T0
    assert actions(session, emergency.id) == ["emergency.cancel"]
    (target,) = session.exec(select(EmergencyTarget)).all()
    assert target.error.startswith("hủy: Không kết nối được Liquidsoap")


# ------------------------------------------------------------------ repeats
def stored(
    session: Session,
    settings: Settings,
    world: World,
    pushed: dict[str, datetime | None],
    *,
    repeat: int = 1,
    interval_s: int = 0,
    duration_ms: int = 20_000,
    expires_at: datetime | None = None,
    error: str = "",
) -> Emergency:
    """An emergency as `create` leaves it, its first airing pushed at the given times."""
    sha = MediaStore(settings.media_dir).put(clip_mp3()[0], "mp3").sha256
    emergency = Emergency(
        cap_status=CapStatus.actual,
        state=EmergencyState.active,
        title="Bão",
        clip_sha256=sha,
        duration_ms=duration_ms,
        repeat=repeat,
        interval_s=interval_s,
        expires_at=expires_at,
        created_by_id=world["admin"].id or 0,
        created_at=T0,
    )
    session.add(emergency)
    session.flush()
    for code, at in pushed.items():
        session.add(
            EmergencyTarget(
                emergency_id=emergency.id or 0,
                station_id=world.stations[code].id or 0,
                pushed_at=at,
                error="" if at else error,
            )
        )
    session.commit()
    return emergency


def due(session: Session, now: datetime, recent: tuple[str, ...] = ()) -> list[tuple[str, int]]:
    return [(d.station, d.n) for d in due_repeats(session, now, recent)]


def test_repeats_fall_due_per_station_from_its_own_first_push(
    session: Session, settings: Settings, world: World
) -> None:
    stored(session, settings, world, {"sa": T0, "sb": T0 + 2 * S}, repeat=3, interval_s=60)
    assert due(session, T0 + 59 * S) == []
    assert due(session, T0 + 60 * S) == [("sa", 2)]
    assert due(session, T0 + 62 * S) == [("sa", 2), ("sb", 2)]
    assert due(session, T0 + 62 * S, ("sa:emergency/1/2",)) == [("sb", 2)]
    # Missed by less than an interval: still pushed; by more: dropped for the next one.
    assert due(session, T0 + 119 * S) == [("sa", 2), ("sb", 2)]
    assert due(session, T0 + 121 * S) == [("sa", 3), ("sb", 2)]
    assert due(session, T0 + 190 * S) == []  # three airings, no fourth


def test_an_airing_in_the_as_run_log_is_not_pushed_again(
    session: Session, settings: Settings, world: World
) -> None:
    emergency = stored(session, settings, world, {"sa": T0}, repeat=2, interval_s=60)
    session.add(
        AsRun(
            station_id=world.stations["sa"].id or 0,
            day=T0.date(),
            queue=QueueKind.emergency,
            item_key=f"emergency/{emergency.id}/2",
            emergency_id=emergency.id,
            started_at=T0 + 60 * S,
            status=AsRunStatus.playing,
            source=AsRunSource.liquidsoap,
        )
    )
    session.commit()
    assert due(session, T0 + 61 * S) == []


def test_no_repeat_after_expiry_or_cancel(
    session: Session, settings: Settings, world: World
) -> None:
    expiring = stored(
        session, settings, world, {"sa": T0}, repeat=3, interval_s=60, expires_at=T0 + 100 * S
    )
    cancelled = stored(session, settings, world, {"sb": T0}, repeat=3, interval_s=60)
    cancelled.state = EmergencyState.cancelled
    session.add(cancelled)
    session.commit()
    assert due(session, T0 + 60 * S) == [("sa", 2)]
    assert due(session, T0 + 120 * S) == []
    assert [e.id for e in settle(session, T0 + 100 * S)] == [expiring.id]
    assert expiring.state is EmergencyState.expired


def test_a_failed_first_push_is_retried_and_a_forgotten_one_after_a_grace(
    session: Session, settings: Settings, world: World
) -> None:
    stored(session, settings, world, {"sa": None}, error="Không kết nối được Liquidsoap")
    stored(session, settings, world, {"sb": None})  # the API died between its commit and its push
    assert due(session, T0 + S) == [("sa", 1)]
    assert due(session, T0 + API_GRACE) == [("sa", 1), ("sb", 1)]


def test_done_when_the_last_airing_of_every_station_has_ended(
    session: Session, settings: Settings, world: World
) -> None:
    emergency = stored(
        session,
        settings,
        world,
        {"sa": T0, "sb": T0 + 3 * S},
        repeat=2,
        interval_s=30,
        duration_ms=20_000,
    )
    assert emergency.id is not None
    assert settle(session, T0 + 52 * S) == []  # sb's second airing ends at T0 + 53 s
    assert [e.id for e in settle(session, T0 + 53 * S)] == [emergency.id]
    assert emergency.state is EmergencyState.done
    session.commit()
    assert actions(session, emergency.id) == ["emergency.done"]
    never = stored(session, settings, world, {"sa": None}, error="x", duration_ms=5_000)
    assert settle(session, T0 + GIVE_UP + 4 * S) == []
    assert [e.id for e in settle(session, T0 + GIVE_UP + 5 * S)] == [never.id]


def test_push_repeats_records_what_failed(
    session: Session, settings: Settings, world: World
) -> None:
    stored(session, settings, world, {"sa": T0}, repeat=2, interval_s=60)
    stored(session, settings, world, {"sb": None}, error="x")
    found = due_repeats(session, T0 + 60 * S)
    assert [(d.station, d.n) for d in found] == [("sa", 2), ("sb", 1)]
    with nowhere(settings, session) as transport:
        store = MediaStore(settings.media_dir)
        assert push_repeats(session, transport, store, found) == []
    errors = {t.station_id: t.error for t in session.exec(select(EmergencyTarget)).all()}
    assert errors[world.stations["sa"].id].startswith("lần phát 2: Không kết nối được")
    assert errors[world.stations["sb"].id].startswith("Không kết nối được")
    assert isinstance(found[0], Due)
