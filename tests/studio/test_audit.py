"""Every bulletin state change leaves exactly its audit events; the audit table is append-only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from studio import bulletins
from studio.errors import DomainError
from studio.models import AuditEvent, BulletinUpdate
from studio.types import BulletinStatus as S
from tests.factories import World, approve_with_clip, bulletin_data, ready_clip_id, submit_with_clip
from tests.studio.workflow_support import (
    AFTER,
    REASON,
    T0,
    UNTIL,
    act,
    audit_since,
    drive,
    last_audit_id,
    snapshot,
)


def _state(
    status: str, version: int = 1, approved: int | None = None, clip: int | None = None
) -> dict[str, Any]:
    return {
        "status": status,
        "version": version,
        "approved_version": approved,
        "approved_clip_id": clip,
    }


def _one_event(session: Session, since: int) -> AuditEvent:
    session.flush()
    events = audit_since(session, since)
    assert len(events) == 1, [e.action for e in events]
    return events[0]


def _who(event: AuditEvent) -> tuple[str, int | None, str]:
    return event.actor, event.actor_id, event.via


def test_create_edit_submit_approve(session: Session, world: World) -> None:
    editor, approver = act(world, "editor_a"), act(world, "approver_a")
    mark = last_audit_id(session)
    bulletin = bulletins.create_bulletin(session, editor, bulletin_data(valid_until=UNTIL))
    assert bulletin.id is not None
    bid = bulletin.id
    event = _one_event(session, mark)
    assert (event.action, event.entity_type, event.entity_id) == (
        "bulletin.create",
        "bulletin",
        str(bid),
    )
    assert _who(event) == ("editor_a", world["editor_a"].id, "api")
    assert event.before is None
    assert event.after == {
        **_state("draft"),
        "content_sha256": snapshot(session, bid, 1).content_sha256,
    }

    mark = event.id or 0
    bulletins.update_bulletin(session, editor, bid, BulletinUpdate(title="Tin mới"), T0)
    event = _one_event(session, mark)
    assert (event.action, _who(event)) == (
        "bulletin.edit",
        ("editor_a", world["editor_a"].id, "api"),
    )
    assert event.before == _state("draft")
    assert event.after == {
        **_state("draft"),
        "content_sha256": snapshot(session, bid, 1).content_sha256,
    }

    mark = event.id or 0
    submit_with_clip(session, editor, bid, now=T0)
    event = _one_event(session, mark)
    assert event.action == "bulletin.submit"
    assert (event.before, event.after) == ({"status": "draft", "version": 1}, _state("submitted"))

    mark = event.id or 0
    clip_id = ready_clip_id(session, bid)
    approve_with_clip(session, approver, bid, 1, clip_id=clip_id, now=T0)
    event = _one_event(session, mark)
    assert (event.action, _who(event)) == (
        "bulletin.approve",
        ("approver_a", world["approver_a"].id, "api"),
    )
    assert event.before == _state("submitted")
    assert event.after is not None
    assert event.after.pop("review_id") is not None
    assert event.after == {**_state("approved", approved=1, clip=clip_id), "fast_track": False}
    assert event.detail == ""

    mark = event.id or 0
    bulletins.update_bulletin(session, editor, bid, BulletinUpdate(title="Tin sửa lại"), T0)
    event = _one_event(session, mark)
    assert event.before == _state("approved", approved=1, clip=clip_id)
    assert event.after == {
        **_state("draft", version=2),
        "content_sha256": snapshot(session, bid, 2).content_sha256,
    }


def test_reject_records_the_reason(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    mark = last_audit_id(session)
    bulletins.reject(session, act(world, "approver_p"), bulletin.id, 1, f"  {REASON} ", now=T0)
    event = _one_event(session, mark)
    assert (event.action, _who(event), event.detail) == (
        "bulletin.reject",
        ("approver_p", world["approver_p"].id, "api"),
        REASON,
    )
    assert event.before == _state("submitted")
    assert event.after is not None
    assert event.after.pop("review_id") is not None
    assert event.after == _state("rejected")


def test_withdraw_by_admin(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.approved)
    assert bulletin.id is not None
    clip_id = bulletin.approved_clip_id
    mark = last_audit_id(session)
    bulletins.withdraw(session, act(world, "admin"), bulletin.id, " Sai địa bàn ", now=T0)
    event = _one_event(session, mark)
    assert (event.action, _who(event), event.detail) == (
        "bulletin.withdraw",
        ("admin", world["admin"].id, "api"),
        "Sai địa bàn",
    )
    assert (event.before, event.after) == (
        _state("approved", approved=1, clip=clip_id),
        _state("withdrawn"),
    )


def test_expire_due_records_one_system_event_per_bulletin(session: Session, world: World) -> None:
    draft = drive(session, world, S.draft)
    approved = drive(session, world, S.approved)
    clip_id = approved.approved_clip_id
    drive(session, world, S.withdrawn)
    mark = last_audit_id(session)
    expired = bulletins.expire_due(session, now=AFTER)
    session.flush()
    events = sorted(audit_since(session, mark), key=lambda e: int(e.entity_id))
    assert [(e.action, e.entity_id) for e in events] == [
        ("bulletin.expire", str(b.id)) for b in (draft, approved)
    ]
    assert sorted(expired) == [draft.id, approved.id]
    assert {_who(e) for e in events} == {("system", None, "job")}
    assert [(e.before, e.after) for e in events] == [
        (_state("draft"), _state("expired")),
        (_state("approved", approved=1, clip=clip_id), _state("expired")),
    ]
    assert {e.detail for e in events} == {"valid_until 2026-12-08T07:00:00Z"}


def test_refused_actions_record_nothing(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    bid = bulletin.id
    mark = last_audit_id(session)
    refusals: list[Callable[[], object]] = [
        lambda: approve_with_clip(session, act(world, "approver_b"), bid, 1, now=T0),
        lambda: approve_with_clip(session, act(world, "approver_a"), bid, 2, now=T0),
        lambda: bulletins.reject(session, act(world, "approver_a"), bid, 1, " ", now=T0),
        lambda: submit_with_clip(session, act(world, "editor_a"), bid, now=T0),
        lambda: bulletins.withdraw(session, act(world, "editor_b"), bid, now=T0),
        lambda: bulletins.create_bulletin(
            session, act(world, "editor_b"), bulletin_data(target_station_codes=["sa"])
        ),
    ]
    for refuse in refusals:
        with pytest.raises(DomainError):
            refuse()
        assert not [o for o in session.new if isinstance(o, AuditEvent)]
        session.rollback()
    assert audit_since(session, mark) == []


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE auditevent SET detail = 'forged' WHERE id = {id}",
        "UPDATE auditevent SET actor = 'someone-else'",
        "DELETE FROM auditevent WHERE id = {id}",
        "DELETE FROM auditevent",
    ],
)
def test_audit_table_is_append_only(
    session: Session, world: World, engine: Engine, statement: str
) -> None:
    drive(session, world, S.approved)
    mark = last_audit_id(session)
    before = [(e.id, e.actor, e.action, e.detail) for e in audit_since(session, 0)]
    with engine.connect() as connection:
        with pytest.raises(DatabaseError, match="append-only"):
            connection.exec_driver_sql(statement.format(id=mark))
        connection.rollback()
    session.expire_all()
    assert [(e.id, e.actor, e.action, e.detail) for e in audit_since(session, 0)] == before
    assert len(before) > 0
