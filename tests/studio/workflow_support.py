"""Shared helpers for the workflow tests: a fixed clock and bulletins driven into a status."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from studio import bulletins
from studio.audit import Actor
from studio.models import AuditEvent, Bulletin, BulletinVersion
from studio.types import BulletinStatus
from tests.factories import World, approve_with_clip, make_bulletin, submit_with_clip

T0 = datetime(2026, 12, 1, 7, 0, tzinfo=UTC)
UNTIL = T0 + timedelta(days=7)
AFTER = UNTIL + timedelta(minutes=1)
REASON = "Thiếu nguồn tin chính thức"


def act(world: World, name: str) -> Actor:
    return Actor(user=world[name])


def drive(
    session: Session,
    world: World,
    status: BulletinStatus,
    author: str = "editor_a",
    approver: str = "approver_a",
    **overrides: Any,
) -> Bulletin:
    """A committed bulletin in ``status``, reached only through the real services."""
    overrides.setdefault("valid_until", UNTIL)
    bulletin = make_bulletin(session, world[author], **overrides)
    assert bulletin.id is not None
    bid = bulletin.id
    if status is BulletinStatus.withdrawn:
        bulletins.withdraw(session, act(world, author), bid, now=T0)
    elif status is BulletinStatus.expired:
        assert bid in bulletins.expire_due(session, now=AFTER)
    elif status is not BulletinStatus.draft:
        submit_with_clip(session, act(world, author), bid, now=T0)
        if status is BulletinStatus.approved:
            approve_with_clip(session, act(world, approver), bid, bulletin.version, now=T0)
        elif status is BulletinStatus.rejected:
            bulletins.reject(session, act(world, approver), bid, bulletin.version, REASON, now=T0)
    session.commit()
    assert bulletin.status is status
    return bulletin


def snapshot(session: Session, bulletin_id: int, version: int) -> BulletinVersion:
    return session.exec(
        select(BulletinVersion).where(
            BulletinVersion.bulletin_id == bulletin_id, BulletinVersion.version == version
        )
    ).one()


def canonical_sha256(content: dict[str, Any]) -> str:
    """Recomputed here, independently of the service, so a wrong digest cannot agree with it."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def last_audit_id(session: Session) -> int:
    ids = session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc())).first()
    return ids or 0


def audit_since(session: Session, after_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent).where(col(AuditEvent.id) > after_id).order_by(col(AuditEvent.id))
        ).all()
    )
