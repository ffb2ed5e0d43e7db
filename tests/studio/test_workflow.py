"""The bulletin state machine, driven through the real services on a real database."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from studio import bulletin_queries as queries
from studio import bulletins
from studio.errors import Conflict, InvalidInput, InvalidTransition, PermissionDenied
from studio.models import Bulletin, BulletinUpdate, BulletinVersion
from studio.types import BulletinStatus as S
from studio.types import Language, ReviewDecision
from studio.workflow import TRANSITIONS, Action, allowed_actions, next_status
from tests.factories import World, approve_with_clip, make_bulletin, submit_with_clip
from tests.studio.workflow_support import (
    AFTER,
    REASON,
    T0,
    UNTIL,
    act,
    audit_since,
    canonical_sha256,
    drive,
    last_audit_id,
    snapshot,
)

# The README's diagram, written out by hand so that a wrong TRANSITIONS table cannot pass.
EXPECTED = {
    (S.draft, Action.edit): S.draft,
    (S.submitted, Action.edit): S.draft,
    (S.rejected, Action.edit): S.draft,
    (S.approved, Action.edit): S.draft,
    (S.draft, Action.submit): S.submitted,
    (S.submitted, Action.approve): S.approved,
    (S.submitted, Action.reject): S.rejected,
    (S.draft, Action.withdraw): S.withdrawn,
    (S.submitted, Action.withdraw): S.withdrawn,
    (S.approved, Action.withdraw): S.withdrawn,
    (S.rejected, Action.withdraw): S.withdrawn,
    (S.expired, Action.withdraw): S.withdrawn,
    (S.draft, Action.expire): S.expired,
    (S.submitted, Action.expire): S.expired,
    (S.approved, Action.expire): S.expired,
    (S.rejected, Action.expire): S.expired,
}
PAIRS = list(itertools.product(S, Action))


def test_transition_table_is_the_documented_one() -> None:
    assert TRANSITIONS == EXPECTED
    assert allowed_actions(S.withdrawn) == []
    assert allowed_actions(S.submitted) == [
        Action.edit,
        Action.approve,
        Action.reject,
        Action.withdraw,
        Action.expire,
    ]


def _perform(session: Session, world: World, bulletin: Bulletin, action: Action) -> None:
    assert bulletin.id is not None
    bid, author = bulletin.id, act(world, "editor_a")
    # An expired bulletin is only ever seen after its valid_until.
    now = AFTER if bulletin.status is S.expired else T0
    if action is Action.edit:
        bulletins.update_bulletin(session, author, bid, BulletinUpdate(title="Tin đã sửa"), now)
    elif action is Action.submit:
        submit_with_clip(session, author, bid, now=now)
    elif action is Action.approve:
        approve_with_clip(session, act(world, "approver_a"), bid, bulletin.version, now=now)
    elif action is Action.reject:
        reviewer = act(world, "approver_a")
        bulletins.reject(session, reviewer, bid, bulletin.version, REASON, now=now)
    elif action is Action.withdraw:
        bulletins.withdraw(session, author, bid, now=now)


@pytest.mark.parametrize(
    ("status", "action"), PAIRS, ids=[f"{s.value}-{a.value}" for s, a in PAIRS]
)
def test_every_status_action_pair(
    session: Session, world: World, status: S, action: Action
) -> None:
    bulletin = drive(session, world, status)
    assert bulletin.id is not None
    expected = EXPECTED.get((status, action))
    if action is Action.expire:
        expired = bulletins.expire_due(session, now=AFTER)
        assert (bulletin.id in expired) is (expected is not None)
        if expected is None:
            with pytest.raises(InvalidTransition):
                next_status(status, action)
    elif expected is not None:
        _perform(session, world, bulletin, action)
    else:
        with pytest.raises(InvalidTransition):
            _perform(session, world, bulletin, action)
        assert bulletin.status is status  # refused before anything was touched
        session.rollback()
    session.commit()
    session.expire_all()
    assert session.get(Bulletin, bulletin.id).status is (expected or status)  # type: ignore[union-attr]


# ------------------------------------------------------------------ four eyes
@pytest.mark.parametrize("author", ["approver_a", "approver_p", "admin"])
def test_author_may_not_decide_own_bulletin(session: Session, world: World, author: str) -> None:
    bulletin = drive(session, world, S.submitted, author=author)
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="bốn mắt"):
        approve_with_clip(session, act(world, author), bulletin.id, 1, now=T0)
    with pytest.raises(PermissionDenied, match="bốn mắt"):
        bulletins.reject(session, act(world, author), bulletin.id, 1, REASON, now=T0)
    session.rollback()
    assert queries.reviews(session, bulletin.id) == []
    assert session.get(Bulletin, bulletin.id).status is S.submitted  # type: ignore[union-attr]


@pytest.mark.parametrize("author", ["approver_a", "approver_p", "admin"])
def test_emergency_is_fast_tracked_by_its_author(
    session: Session, world: World, author: str
) -> None:
    bulletin = drive(session, world, S.submitted, author=author, priority="emergency")
    assert bulletin.id is not None
    first_event = last_audit_id(session)
    approve_with_clip(session, act(world, author), bulletin.id, 1, now=T0)
    session.commit()
    assert bulletin.status is S.approved
    assert bulletin.approved_version == 1
    [review] = queries.reviews(session, bulletin.id)
    assert (review.reviewer_id, review.decision, review.fast_track) == (
        world[author].id,
        ReviewDecision.approve,
        True,
    )
    [event] = audit_since(session, first_event)
    assert event.action == "bulletin.approve"
    assert "fast-track" in event.detail
    assert event.after is not None
    assert event.after["fast_track"] is True


def test_emergency_fast_track_is_for_approving_only(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted, author="approver_a", priority="emergency")
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="bốn mắt"):
        bulletins.reject(session, act(world, "approver_a"), bulletin.id, 1, REASON, now=T0)


def test_editor_author_of_an_emergency_still_needs_an_approver(
    session: Session, world: World
) -> None:
    bulletin = drive(session, world, S.submitted, priority="emergency")
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied):
        approve_with_clip(session, act(world, "editor_a"), bulletin.id, 1, now=T0)
    session.rollback()
    approve_with_clip(session, act(world, "approver_a"), bulletin.id, 1, now=T0)
    [review] = queries.reviews(session, bulletin.id)
    assert (review.reviewer_id, review.fast_track) == (world["approver_a"].id, False)


# ------------------------------------------------------------------ area scope
def test_approver_of_another_commune_may_not_decide(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="không phụ trách"):
        approve_with_clip(session, act(world, "approver_b"), bulletin.id, 1, now=T0)
    with pytest.raises(PermissionDenied, match="không phụ trách"):
        bulletins.reject(session, act(world, "approver_b"), bulletin.id, 1, REASON, now=T0)


@pytest.mark.parametrize(
    ("author", "targets"),
    [
        ("editor_a", {"target_station_codes": ["sa"]}),
        ("editor_b", {"target_station_codes": ["sb"]}),
        ("admin", {"target_station_codes": ["sp"]}),
        ("editor_a", {"target_station_codes": [], "target_area_codes": ["A"]}),
        ("editor_b", {"target_station_codes": [], "target_area_codes": ["B"]}),
        ("admin", {"target_station_codes": ["sa", "sb"]}),
    ],
)
def test_province_approver_covers_its_communes(
    session: Session, world: World, author: str, targets: dict[str, Any]
) -> None:
    bulletin = drive(session, world, S.submitted, author=author, **targets)
    assert bulletin.id is not None
    approve_with_clip(session, act(world, "approver_p"), bulletin.id, 1, now=T0)
    assert bulletin.status is S.approved


@pytest.mark.parametrize(
    "targets",
    [
        {"target_station_codes": ["sa", "sb"]},
        {"target_station_codes": ["sp"]},
        {"target_station_codes": [], "target_area_codes": ["P"]},
        {"target_station_codes": ["sa"], "target_area_codes": ["B"]},
    ],
)
def test_commune_approver_needs_every_target(
    session: Session, world: World, targets: dict[str, Any]
) -> None:
    bulletin = drive(session, world, S.submitted, author="admin", **targets)
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="không phụ trách"):
        approve_with_clip(session, act(world, "approver_a"), bulletin.id, 1, now=T0)


@pytest.mark.parametrize(
    "targets",
    [
        {"target_station_codes": ["sb"]},
        {"target_station_codes": ["sp"]},
        {"target_station_codes": ["sa", "sb"]},
        {"target_station_codes": [], "target_area_codes": ["B"]},
        {"target_station_codes": [], "target_area_codes": ["P"]},
    ],
)
def test_editor_may_not_target_outside_their_areas(
    session: Session, world: World, targets: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied, match="không phụ trách"):
        make_bulletin(session, world["editor_a"], **targets)
    session.rollback()
    own = drive(session, world, S.draft)
    assert own.id is not None
    with pytest.raises(PermissionDenied, match="không phụ trách"):
        bulletins.update_bulletin(
            session, act(world, "editor_a"), own.id, BulletinUpdate.model_validate(targets), T0
        )


@pytest.mark.parametrize("editor", ["editor_a", "editor_b"])
def test_editors_never_decide(session: Session, world: World, editor: str) -> None:
    bulletin = drive(session, world, S.submitted, author="admin")
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="Chỉ người duyệt"):
        approve_with_clip(session, act(world, editor), bulletin.id, 1, now=T0)
    with pytest.raises(PermissionDenied, match="Chỉ người duyệt"):
        bulletins.reject(session, act(world, editor), bulletin.id, 1, REASON, now=T0)


# ------------------------------------------------------------------ versions
@pytest.mark.parametrize("status", [S.submitted, S.approved, S.rejected])
def test_editing_a_decided_or_pending_version_starts_a_new_draft(
    session: Session, world: World, status: S
) -> None:
    bulletin = drive(session, world, status)
    assert bulletin.id is not None
    edit = BulletinUpdate(body="Lịch tiêm chủng dời sang ngày 06/12/2026.")
    bulletins.update_bulletin(session, act(world, "editor_a"), bulletin.id, edit, T0)
    session.commit()
    assert (bulletin.status, bulletin.version, bulletin.approved_version) == (S.draft, 2, None)
    assert bulletin.approved_clip_id is None
    old, new = queries.versions(session, bulletin.id)
    assert (old.version, new.version) == (1, 2)
    assert old.submitted_at == T0
    assert new.submitted_at is None
    assert old.content["body"] != new.content["body"] == edit.body


def test_editing_a_draft_keeps_its_version(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.draft)
    assert bulletin.id is not None
    edit = BulletinUpdate(title="Thông báo mới")
    bulletins.update_bulletin(session, act(world, "editor_a"), bulletin.id, edit, T0)
    session.commit()
    assert (bulletin.status, bulletin.version) == (S.draft, 1)
    [only] = queries.versions(session, bulletin.id)
    assert only.content["title"] == "Thông báo mới"
    assert only.content_sha256 == canonical_sha256(only.content)


def test_submitted_snapshot_never_changes(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    v1 = snapshot(session, bulletin.id, 1)
    content, digest = dict(v1.content), v1.content_sha256
    assert digest == canonical_sha256(content)
    editor = act(world, "editor_a")
    for title in ("Sửa lần một", "Sửa lần hai"):
        bulletins.update_bulletin(session, editor, bulletin.id, BulletinUpdate(title=title), T0)
    submit_with_clip(session, editor, bulletin.id, now=T0)
    approve_with_clip(session, act(world, "approver_a"), bulletin.id, 2, now=T0)
    bulletins.update_bulletin(session, editor, bulletin.id, BulletinUpdate(title="Lần ba"), T0)
    session.commit()
    session.expire_all()
    v1 = snapshot(session, bulletin.id, 1)
    assert (v1.content, v1.content_sha256) == (content, digest)
    assert snapshot(session, bulletin.id, 2).content["title"] == "Sửa lần hai"
    assert bulletin.version == 3


def test_approving_a_stale_version_is_a_conflict(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    editor = act(world, "editor_a")
    bulletins.update_bulletin(session, editor, bulletin.id, BulletinUpdate(title="Mới"), T0)
    submit_with_clip(session, editor, bulletin.id, now=T0)
    session.commit()
    for seen in (1, 3):
        with pytest.raises(Conflict, match="phiên bản hiện tại là 2") as caught:
            approve_with_clip(session, act(world, "approver_a"), bulletin.id, seen, now=T0)
        assert type(caught.value) is Conflict
        with pytest.raises(Conflict, match="phiên bản hiện tại là 2"):
            bulletins.reject(session, act(world, "approver_a"), bulletin.id, seen, REASON)
    assert (bulletin.status, bulletin.approved_version) == (S.submitted, None)


@pytest.mark.parametrize(
    "edit",
    [
        BulletinUpdate(target_station_codes=[], target_area_codes=[]),
        BulletinUpdate(valid_from=UNTIL + timedelta(hours=1)),
        BulletinUpdate(title="Thông báo về tiêm chủng"),  # no change at all
        BulletinUpdate(target_station_codes=["khong-co"]),
    ],
)
def test_bad_edits_are_invalid_input(session: Session, world: World, edit: BulletinUpdate) -> None:
    bulletin = drive(session, world, S.draft)
    assert bulletin.id is not None
    with pytest.raises(InvalidInput):
        bulletins.update_bulletin(session, act(world, "editor_a"), bulletin.id, edit, T0)


# ------------------------------------------------------------------ rejection
@pytest.mark.parametrize("reason", ["", "   ", "ab", " x \n ", "\t"])
def test_rejection_needs_a_reason(session: Session, world: World, reason: str) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    with pytest.raises(InvalidInput, match="lý do"):
        bulletins.reject(session, act(world, "approver_a"), bulletin.id, 1, reason, now=T0)
    session.rollback()
    assert queries.reviews(session, bulletin.id) == []
    assert session.get(Bulletin, bulletin.id).status is S.submitted  # type: ignore[union-attr]


def test_rejection_keeps_the_trimmed_reason(session: Session, world: World) -> None:
    bulletin = drive(session, world, S.submitted)
    assert bulletin.id is not None
    bulletins.reject(session, act(world, "approver_a"), bulletin.id, 1, "  Sai ngày  ", now=T0)
    [review] = queries.reviews(session, bulletin.id)
    assert (review.decision, review.reason, review.reviewer_id) == (
        ReviewDecision.reject,
        "Sai ngày",
        world["approver_a"].id,
    )
    assert bulletin.status is S.rejected


# ------------------------------------------------------------------ withdrawal
WITHDRAWABLE = [s for s in S if s is not S.withdrawn]


@pytest.mark.parametrize("who", ["editor_a", "admin"])
@pytest.mark.parametrize("status", WITHDRAWABLE)
def test_author_or_admin_withdraws(session: Session, world: World, status: S, who: str) -> None:
    bulletin = drive(session, world, status)
    assert bulletin.id is not None
    bulletins.withdraw(session, act(world, who), bulletin.id, "Không còn cần", now=AFTER)
    session.commit()
    session.expire_all()
    stored = session.get(Bulletin, bulletin.id)
    assert stored is not None
    assert (stored.status, stored.approved_version, stored.approved_clip_id) == (
        S.withdrawn,
        None,
        None,
    )


@pytest.mark.parametrize("who", ["editor_b", "approver_a", "approver_p"])
@pytest.mark.parametrize("status", WITHDRAWABLE)
def test_others_may_not_withdraw(session: Session, world: World, status: S, who: str) -> None:
    bulletin = drive(session, world, status)
    assert bulletin.id is not None
    with pytest.raises(PermissionDenied, match="tác giả"):
        bulletins.withdraw(session, act(world, who), bulletin.id, now=T0)
    assert bulletin.status is status


# ------------------------------------------------------------------ expiry
def test_expire_due_moves_only_live_bulletins_past_their_validity(
    session: Session, world: World
) -> None:
    due = {s: drive(session, world, s) for s in (S.draft, S.submitted, S.approved, S.rejected)}
    withdrawn = drive(session, world, S.withdrawn)
    later = drive(session, world, S.approved, valid_until=UNTIL + timedelta(days=1))
    forever = drive(session, world, S.submitted, valid_until=None)
    assert bulletins.expire_due(session, now=UNTIL - timedelta(seconds=1)) == []
    expired = bulletins.expire_due(session, now=UNTIL)  # valid_until itself is past
    session.commit()
    assert sorted(expired) == sorted(b.id or 0 for b in due.values())
    session.expire_all()
    for bulletin in due.values():
        stored = session.get(Bulletin, bulletin.id)
        assert stored is not None
        assert (stored.status, stored.approved_version) == (S.expired, None)
    assert [session.get(Bulletin, b.id).status for b in (withdrawn, later, forever)] == [  # type: ignore[union-attr]
        S.withdrawn,
        S.approved,
        S.submitted,
    ]
    assert bulletins.expire_due(session, now=UNTIL) == []


def test_no_submit_edit_or_approval_after_valid_until(session: Session, world: World) -> None:
    draft = drive(session, world, S.draft)
    submitted = drive(session, world, S.submitted)
    assert draft.id is not None
    assert submitted.id is not None
    editor = act(world, "editor_a")
    with pytest.raises(Conflict, match="quá hạn"):
        submit_with_clip(session, editor, draft.id, now=UNTIL)
    assert draft.status is S.draft  # refused before anything was touched
    with pytest.raises(Conflict, match="quá hạn"):
        approve_with_clip(session, act(world, "approver_a"), submitted.id, 1, now=AFTER)
    assert (submitted.status, submitted.approved_version) == (S.submitted, None)
    with pytest.raises(Conflict, match="quá hạn"):
        bulletins.update_bulletin(session, editor, draft.id, BulletinUpdate(title="Muộn"), AFTER)
    session.rollback()
    assert not session.exec(select(BulletinVersion).where(BulletinVersion.version > 1)).all()


# ------------------------------------------------------------------ translations
def test_khmer_translation_of_a_vietnamese_original(session: Session, world: World) -> None:
    original = make_bulletin(session, world["editor_b"], target_station_codes=["sb"])
    khmer = make_bulletin(
        session,
        world["editor_b"],
        language="km",
        title="សេចក្តីជូនដំណឹង",
        body="ការចាក់វ៉ាក់សាំងនៅថ្ងៃទី០៥។",
        target_station_codes=["sb"],
        translation_of=original.id,
    )
    session.commit()
    assert khmer.translation_of == original.id
    assert khmer.id is not None
    assert snapshot(session, khmer.id, 1).content["translation_of"] == original.id


def _pair(session: Session, world: World) -> tuple[Bulletin, Bulletin]:
    original = make_bulletin(session, world["editor_b"], target_station_codes=["sb"])
    khmer = make_bulletin(
        session,
        world["editor_b"],
        language="km",
        target_station_codes=["sb"],
        translation_of=original.id,
    )
    session.commit()
    return original, khmer


def test_translation_must_change_language(session: Session, world: World) -> None:
    original, _ = _pair(session, world)
    with pytest.raises(InvalidInput, match="khác ngôn ngữ"):
        make_bulletin(
            session, world["editor_b"], target_station_codes=["sb"], translation_of=original.id
        )


def test_bulletin_is_not_its_own_translation(session: Session, world: World) -> None:
    original, _ = _pair(session, world)
    assert original.id is not None
    with pytest.raises(InvalidInput, match="chính nó"):
        bulletins.update_bulletin(
            session,
            act(world, "editor_b"),
            original.id,
            BulletinUpdate(translation_of=original.id),
            T0,
        )


def test_no_translation_of_a_translation(session: Session, world: World) -> None:
    _, khmer = _pair(session, world)
    with pytest.raises(InvalidInput, match="không được là một bản dịch"):
        make_bulletin(
            session, world["editor_b"], target_station_codes=["sb"], translation_of=khmer.id
        )


def test_original_with_translations_stays_an_original(session: Session, world: World) -> None:
    original, _ = _pair(session, world)
    other = make_bulletin(session, world["editor_b"], language="km", target_station_codes=["sb"])
    session.commit()
    assert original.id is not None
    editor = act(world, "editor_b")
    with pytest.raises(InvalidInput, match="đã có bản dịch"):
        bulletins.update_bulletin(
            session, editor, original.id, BulletinUpdate(translation_of=other.id), T0
        )
    session.rollback()
    with pytest.raises(InvalidInput, match="cùng ngôn ngữ"):
        bulletins.update_bulletin(
            session, editor, original.id, BulletinUpdate(language=Language.km), T0
        )


def test_translation_of_a_missing_bulletin(session: Session, world: World) -> None:
    with pytest.raises(InvalidInput, match="Không tìm thấy bản tin gốc 999"):
        make_bulletin(session, world["editor_a"], language="km", translation_of=999)
