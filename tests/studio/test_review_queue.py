"""The review queue: what an approver may decide, emergencies first."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from studio.bulletin_queries import review_queue
from studio.errors import PermissionDenied
from tests.factories import World, approve_with_clip, make_bulletin, submit_with_clip
from tests.studio.workflow_support import T0, UNTIL, act


def _submitted(session: Session, world: World, minute: int, author: str, **over: Any) -> int:
    bulletin = make_bulletin(session, world[author], valid_until=UNTIL, **over)
    assert bulletin.id is not None
    # Distinct submit times make "newest first" a fixed order.
    submit_with_clip(session, act(world, author), bulletin.id, now=T0 + timedelta(minutes=minute))
    return bulletin.id


@pytest.fixture
def queue(session: Session, world: World) -> dict[str, int]:
    ids = {
        "normal_a": _submitted(session, world, 1, "editor_a"),
        "emergency_a": _submitted(session, world, 2, "editor_a", priority="emergency"),
        "priority_a": _submitted(session, world, 3, "editor_a", priority="priority"),
        "normal_b": _submitted(session, world, 4, "editor_b", target_station_codes=["sb"]),
        "own_normal": _submitted(session, world, 5, "approver_a"),
        "own_emergency": _submitted(session, world, 6, "approver_a", priority="emergency"),
        "newer_normal_a": _submitted(session, world, 7, "editor_a"),
        "province": _submitted(session, world, 8, "admin", target_station_codes=["sp"]),
    }
    make_bulletin(session, world["editor_a"])  # a draft: never in any queue
    approved = _submitted(session, world, 9, "editor_a")
    approve_with_clip(session, act(world, "approver_p"), approved, 1, now=T0)
    session.commit()
    return ids


def _names(session: Session, world: World, viewer: str, ids: dict[str, int]) -> list[str]:
    rows, total = review_queue(session, world[viewer], 0, 50)
    by_id = {v: k for k, v in ids.items()}
    assert total == len(rows)
    return [by_id[row.id] for row in rows if row.id is not None]


def test_commune_approver_queue(session: Session, world: World, queue: dict[str, int]) -> None:
    assert _names(session, world, "approver_a", queue) == [
        "own_emergency",
        "emergency_a",
        "priority_a",
        "newer_normal_a",
        "normal_a",
    ]


def test_other_commune_approver_queue(
    session: Session, world: World, queue: dict[str, int]
) -> None:
    assert _names(session, world, "approver_b", queue) == ["normal_b"]


def test_province_approver_queue(session: Session, world: World, queue: dict[str, int]) -> None:
    assert _names(session, world, "approver_p", queue) == [
        "own_emergency",
        "emergency_a",
        "priority_a",
        "province",
        "newer_normal_a",
        "own_normal",
        "normal_b",
        "normal_a",
    ]


def test_admin_sees_every_submitted_bulletin_but_their_own(
    session: Session, world: World, queue: dict[str, int]
) -> None:
    names = _names(session, world, "admin", queue)
    assert sorted(names) == sorted(set(queue) - {"province"})
    assert names[:2] == ["own_emergency", "emergency_a"]


def test_queue_pages(session: Session, world: World, queue: dict[str, int]) -> None:
    rows, total = review_queue(session, world["approver_p"], 2, 3)
    assert total == 8
    assert [r.id for r in rows] == [queue["priority_a"], queue["province"], queue["newer_normal_a"]]


@pytest.mark.parametrize("editor", ["editor_a", "editor_b"])
def test_editors_have_no_queue(session: Session, world: World, editor: str) -> None:
    with pytest.raises(PermissionDenied):
        review_queue(session, world[editor], 0, 50)


def test_every_queued_bulletin_can_be_decided_by_the_viewer(
    session: Session, world: World, queue: dict[str, int]
) -> None:
    for viewer in ("approver_a", "approver_b", "approver_p", "admin"):
        rows, _ = review_queue(session, world[viewer], 0, 50)
        for row in rows:
            assert row.id is not None
            approve_with_clip(session, act(world, viewer), row.id, row.version, now=T0)
        session.rollback()
