"""What is approved is what will be heard: submission needs a ready clip, approval names it."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from studio import bulletins
from studio.errors import Conflict, InvalidTransition
from studio.models import BulletinUpdate, Clip, Review
from studio.types import BulletinStatus, ClipSource, ClipStatus
from tests.factories import World, make_bulletin, make_ready_clip, submit_with_clip
from tests.studio.workflow_support import T0, act


def test_submit_without_a_ready_clip_is_refused_and_changes_nothing(
    session: Session, world: World
) -> None:
    bulletin = make_bulletin(session, world["editor_a"])
    assert bulletin.id is not None
    failed = Clip(
        bulletin_id=bulletin.id,
        bulletin_version=1,
        source=ClipSource.tts,
        status=ClipStatus.failed,
        error="edge: HTTP 403",
    )
    session.add(failed)
    session.flush()

    with pytest.raises(Conflict, match="chưa có âm thanh sẵn sàng cho phiên bản 1"):
        bulletins.submit(session, act(world, "editor_a"), bulletin.id, now=T0)
    assert bulletin.status is BulletinStatus.draft


def test_a_clip_of_an_earlier_version_does_not_count(session: Session, world: World) -> None:
    bulletin = make_bulletin(session, world["editor_a"])
    assert bulletin.id is not None
    submit_with_clip(session, act(world, "editor_a"), bulletin.id, now=T0)
    bulletins.update_bulletin(
        session, act(world, "editor_a"), bulletin.id, BulletinUpdate(title="Tin đã sửa"), T0
    )
    assert bulletin.version == 2

    with pytest.raises(Conflict, match="phiên bản 2"):
        bulletins.submit(session, act(world, "editor_a"), bulletin.id, now=T0)
    old_clip = bulletins.ready_clip_ids(session, bulletin.id, 1)
    assert len(old_clip) == 1
    new_clip = make_ready_clip(session, bulletin)
    bulletins.submit(session, act(world, "editor_a"), bulletin.id, now=T0)
    approver = act(world, "approver_a")
    with pytest.raises(Conflict, match=f"sẵn sàng: {new_clip.id}$"):
        bulletins.approve(session, approver, bulletin.id, 2, clip_id=old_clip[0], now=T0)
    bulletins.approve(session, approver, bulletin.id, 2, clip_id=new_clip.id, now=T0)
    assert (bulletin.approved_version, bulletin.approved_clip_id) == (2, new_clip.id)


def test_illegal_transitions_are_reported_before_the_missing_clip(
    session: Session, world: World
) -> None:
    draft = make_bulletin(session, world["editor_a"])
    assert draft.id is not None
    with pytest.raises(InvalidTransition):
        bulletins.approve(session, act(world, "approver_a"), draft.id, 1, now=T0)
    bulletins.withdraw(session, act(world, "editor_a"), draft.id, now=T0)
    with pytest.raises(InvalidTransition):
        bulletins.submit(session, act(world, "editor_a"), draft.id, now=T0)


def test_approval_must_name_a_ready_clip_of_this_bulletin_and_version(
    session: Session, world: World
) -> None:
    bulletin = make_bulletin(session, world["editor_a"])
    other = make_bulletin(session, world["editor_a"], title="Tin khác")
    assert bulletin.id is not None
    assert other.id is not None
    clip = make_ready_clip(session, bulletin)
    foreign = make_ready_clip(session, other)
    broken = Clip(
        bulletin_id=bulletin.id, bulletin_version=1, source=ClipSource.tts, status=ClipStatus.failed
    )
    session.add(broken)
    session.flush()
    bulletins.submit(session, act(world, "editor_a"), bulletin.id, now=T0)
    approver = act(world, "approver_a")

    with pytest.raises(Conflict, match=f"chọn bản âm thanh .* phiên bản 1: {clip.id}$"):
        bulletins.approve(session, approver, bulletin.id, 1, now=T0)
    for clip_id in (foreign.id, broken.id, 999):
        with pytest.raises(Conflict, match=f"^Bản âm thanh {clip_id} không phải bản sẵn sàng"):
            bulletins.approve(session, approver, bulletin.id, 1, clip_id=clip_id, now=T0)
    assert (bulletin.status, bulletin.approved_clip_id) == (BulletinStatus.submitted, None)
    assert session.exec(select(Review).where(Review.bulletin_id == bulletin.id)).all() == []

    bulletins.approve(session, approver, bulletin.id, 1, clip_id=clip.id, now=T0)
    review = session.exec(select(Review).where(Review.bulletin_id == bulletin.id)).one()
    assert (bulletin.status, bulletin.approved_clip_id, review.clip_id) == (
        BulletinStatus.approved,
        clip.id,
        clip.id,
    )
