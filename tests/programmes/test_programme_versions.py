"""Stored programme versions: rebuilds, diffs, a programme on air, and the signed manifest."""

from __future__ import annotations

import copy
import hashlib
from datetime import timedelta

from sqlmodel import Session, select

from playlists.export import verify_manifest
from studio import bulletins, programmes, stations
from studio.audit import Actor
from studio.models import AuditEvent
from studio.schedule_models import ProgrammeVersion
from studio.settings import Settings
from tests.factories import SYSTEM, World
from tests.programmes.support import DAY, EVE, approved, local, two_sessions


def rows(session: Session, station_id: int | None) -> list[ProgrammeVersion]:
    return list(
        session.exec(
            select(ProgrammeVersion)
            .where(ProgrammeVersion.station_id == station_id, ProgrammeVersion.day == DAY)
            .order_by(ProgrammeVersion.version)  # type: ignore[arg-type]
        )
    )


def test_a_rebuild_that_changes_nothing_stores_nothing(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin A")
    sa = world.stations["sa"]

    first = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    again = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE + timedelta(hours=1))
    session.commit()

    assert (first.created, first.version) == (True, 1)
    assert (again.created, again.version) == (False, 1)
    assert [r.version for r in rows(session, sa.id)] == [1]
    assert again.programme == first.programme  # deterministic from the same inputs


def test_a_new_approval_makes_a_new_version_with_a_readable_diff(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin A")
    sa = world.stations["sa"]
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    approved(session, world, title="Tin B", priority="priority")

    second = programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE, reason="duyệt tin B")
    session.commit()

    stored = rows(session, sa.id)
    assert [(r.version, r.is_current) for r in stored] == [(1, False), (2, True)]
    assert stored[1].digest != stored[0].digest
    assert second.diff_text.splitlines()[0].startswith('+ thêm "Tin B"')
    assert "Tin A" in second.diff_text  # moved later: Tin B is a priority item and goes first
    assert stored[1].changes == len(second.diff_text.splitlines())
    event = session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "programme.build")
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
    ).first()
    assert event is not None
    assert event.entity_id == f"sa/{DAY.isoformat()}"
    assert event.after == {"version": 2, "digest": stored[1].digest, "items": 2}


def test_on_air_only_items_not_yet_started_change(
    session: Session, settings: Settings, world: World
) -> None:
    """Withdrawn at 05:31 while the morning session plays: the item that started at 05:30
    stays in the programme (it aired); its afternoon airing goes."""
    two_sessions(session)
    first = approved(
        session,
        world,
        title="Tin sáng chiều",
        airing={"mode": "every_session", "first_day": DAY, "last_day": DAY},
    )
    approved(session, world, title="Tin khác", duration_ms=120_000)
    sa = world.stations["sa"]
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    assert first.id is not None
    bulletins.withdraw(session, Actor(user=world["editor_a"]), first.id, reason="sai giờ")
    session.commit()

    during = local(DAY, 5, 31)
    result = programmes.build(session, settings, SYSTEM, sa, DAY, now=during)

    kept = [(i.session, i.title) for i in result.programme.items]
    assert kept == [("Sáng", "Tin sáng chiều"), ("Sáng", "Tin khác")]
    assert result.diff_text == '- bỏ "Tin sáng chiều" (#1 bản 1) khỏi buổi Chiều lúc 17:00:00'
    before = programmes.programme_of(rows(session, sa.id)[0])
    assert result.programme.items[:2] == before.items[:2]


def test_the_manifest_is_signed_with_the_station_token_hash(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    approved(session, world, title="Tin A")
    sa = world.stations["sa"]
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    _, plain = stations.issue_token(session, SYSTEM, "sa", "thiết bị 1")
    session.commit()
    row = programmes.require_current(session, sa, DAY)
    token = programmes.newest_token(session, sa.id or 0)
    assert token is not None

    manifest = programmes.manifest(session, settings, sa, row, token)

    key = hashlib.sha256(plain.encode()).hexdigest()
    assert verify_manifest(manifest, key)
    assert manifest["token_id"] == token.id
    assert manifest["version"] == 1
    assert [i["title"] for i in manifest["items"]] == ["Tin A"]
    assert manifest["items"][0]["url"].startswith(f"{settings.public_base_url}/api/v1/media/")
    tampered = copy.deepcopy(manifest)
    tampered["items"][0]["start"] = tampered["items"][0]["start"].replace(":30:", ":31:")
    assert not verify_manifest(tampered, key)
    assert not verify_manifest(manifest, hashlib.sha256(b"another token").hexdigest())


def test_a_station_without_tokens_gets_an_unsigned_manifest(
    session: Session, settings: Settings, world: World
) -> None:
    two_sessions(session)
    sa = world.stations["sa"]
    programmes.build(session, settings, SYSTEM, sa, DAY, now=EVE)
    session.commit()
    token, _ = stations.issue_token(session, SYSTEM, "sa", "")
    stations.revoke_token(session, SYSTEM, "sa", token.id or 0)
    session.commit()

    assert programmes.newest_token(session, sa.id or 0) is None
    manifest = programmes.manifest(
        session, settings, sa, programmes.require_current(session, sa, DAY), None
    )
    assert manifest["signature"] is None
    assert manifest["items"] == []
    assert [s["name"] for s in manifest["sessions"]] == ["Sáng", "Chiều"]
