"""Random sequences of workflow actions by random people against the real services and database.

Each example is a list of steps (create, edit, submit, approve, reject, withdraw, and clock ticks
that run ``expire_due``). Refusals (``DomainError``) are expected: the session is rolled back and
must have recorded nothing. After every step the invariants are checked against what is stored.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session, col, select

from studio import bulletins
from studio.audit import Actor
from studio.db import make_engine
from studio.errors import DomainError
from studio.models import AuditEvent, Bulletin, BulletinUpdate, BulletinVersion, Review, User
from studio.types import BulletinStatus, Priority, ReviewDecision
from studio.workflow import TRANSITIONS, Action
from tests.factories import approve_with_clip, build_world, bulletin_data, submit_with_clip
from tests.studio.workflow_support import T0, canonical_sha256

SA, SB = {"target_station_codes": ["sa"]}, {"target_station_codes": ["sb"]}
AREA_P = {"target_station_codes": [], "target_area_codes": ["P"]}
# Author and targets: mostly allowed pairs, a few that overreach.
AUTHORED: list[tuple[str, dict[str, list[str]]]] = [
    ("editor_a", SA),
    ("editor_a", {"target_station_codes": [], "target_area_codes": ["A"]}),
    ("editor_b", SB),
    ("approver_a", SA),
    ("approver_p", {"target_station_codes": ["sp"]}),
    ("admin", {"target_station_codes": ["sa", "sb"]}),
    ("admin", AREA_P),
    ("editor_a", SB),
    ("editor_b", AREA_P),
]
# Weighted towards people who may act; "author" stands for the bulletin's author.
REVIEWERS = st.sampled_from(
    ["approver_p", "admin"] * 3 + ["approver_a", "approver_b", "editor_a", "author"]
)
OWNERS = st.sampled_from(["author"] * 4 + ["admin", "editor_b", "approver_a"])
EDITS = st.sampled_from(
    [
        BulletinUpdate(title="Tin đã sửa"),
        BulletinUpdate(body="Nội dung mới của bản tin."),
        BulletinUpdate(priority=Priority.emergency),
        BulletinUpdate(priority=Priority.normal),
        BulletinUpdate(target_station_codes=["sb"], target_area_codes=[]),
        BulletinUpdate(target_station_codes=["sa"], target_area_codes=[]),
    ]
)
MAX_BULLETINS = 6  # few bulletins, so that random actions keep meeting the same ones
picks = st.integers(min_value=0, max_value=20)


@dataclass(frozen=True)
class Step:
    """One action. ``aimed`` picks, when there is one, a bulletin where the action is legal."""

    kind: str
    who: str = ""
    pick: int = 0
    aimed: bool = False
    detail: Any = None


def _steps(kind: str, who: st.SearchStrategy[str], detail: st.SearchStrategy[Any]) -> Any:
    aimed = st.integers(0, 3).map(bool)  # three in four
    return st.builds(Step, st.just(kind), who, picks, aimed, detail)


CREATE = st.tuples(
    st.sampled_from(AUTHORED),
    st.sampled_from(Priority),
    st.sampled_from(["vi", "km"]),
    st.sampled_from([None, None, timedelta(hours=2), timedelta(days=1), timedelta(days=4)]),
    st.none() | picks,
)
BY_KIND = {
    "create": st.builds(Step, st.just("create"), detail=CREATE),
    "edit": _steps("edit", OWNERS, EDITS),
    "submit": _steps("submit", OWNERS, st.none()),
    # detail: one approval in four names the version before the current one
    "approve": _steps("approve", REVIEWERS, st.integers(0, 3).map(lambda n: n == 0)),
    "reject": _steps("reject", REVIEWERS, st.sampled_from(["", "   ", "ok", "Thiếu nguồn tin"])),
    "withdraw": _steps("withdraw", OWNERS, st.none()),
    "clock": st.builds(Step, st.just("clock"), detail=st.sampled_from([1, 5, 30])),
}
# Submit and approve come up more often: a bulletin must pass both to reach "approved".
KINDS = ["create", "edit", "reject", "withdraw", "clock"] + ["submit"] * 2 + ["approve"] * 3
STEPS = st.sampled_from(KINDS).flatmap(BY_KIND.__getitem__)

Row = tuple[str, int, int | None, str, datetime]


class Workflow:
    def __init__(self, db_file: Path) -> None:
        self.engine = make_engine(f"sqlite:///{db_file}")
        self.session = Session(self.engine, expire_on_commit=False)
        self.world = build_world(self.session)
        self.now = T0
        self.ids: list[int] = []
        # (bulletin id, version) -> (content, sha256) when first seen approved
        self.approved: dict[tuple[int, int], tuple[dict[str, Any], str]] = {}

    def close(self) -> None:
        self.session.close()
        self.engine.dispose()

    # ------------------------------------------------------------ helpers
    def _actor(self, name: str, bulletin_id: int) -> Actor:
        if name == "author":
            bulletin = self.session.get(Bulletin, bulletin_id)
            assert bulletin is not None
            return Actor(user=self.session.get(User, bulletin.author_id))
        return Actor(user=self.world[name])

    def _pick(self, index: int, focus: Action | None) -> int | None:
        pool = self.ids
        if focus is not None:
            statuses = {b.id: b.status for b in self.session.exec(select(Bulletin)).all()}
            pool = [bid for bid in self.ids if (statuses[bid], focus) in TRANSITIONS] or pool
        return pool[index % len(pool)] if pool else None

    def _rows(self) -> dict[int, Row]:
        return {
            b.id: (str(b.status), b.version, b.approved_version, b.title, b.updated_at)
            for b in self.session.exec(select(Bulletin)).all()
            if b.id is not None
        }

    def _last_audit(self) -> int:
        with self.session.no_autoflush:
            last = self.session.exec(select(AuditEvent.id).order_by(col(AuditEvent.id).desc()))
            return last.first() or 0

    def _attempt(self, label: str, call: Callable[[], Any]) -> tuple[Any, list[AuditEvent]]:
        mark, rows = self._last_audit(), self._rows()
        try:
            result = call()
        except DomainError as refused:
            event(f"{label}: refused ({refused.code})")
            assert not [o for o in self.session.new if isinstance(o, AuditEvent)]
            self.session.rollback()
            assert (self._last_audit(), self._rows()) == (mark, rows)
            return None, []
        self.session.commit()
        event(f"{label}: done")
        events = list(self.session.exec(select(AuditEvent).where(col(AuditEvent.id) > mark)))
        touched = {int(e.entity_id) for e in events if e.entity_type == "bulletin"}
        changed = {bid for bid, row in self._rows().items() if rows.get(bid) != row}
        assert changed <= touched, (changed, touched)
        assert label == "expire" or events, f"{label} succeeded without an audit event"
        return result, events

    # ------------------------------------------------------------ steps
    def run(self, step: Step) -> None:
        if step.kind == "clock":
            self.now += timedelta(hours=step.detail)
            due, events = self._attempt(
                "expire", lambda: bulletins.expire_due(self.session, self.now)
            )
            assert sorted(int(e.entity_id) for e in events) == sorted(due)
            assert {e.action for e in events} <= {"bulletin.expire"}
            return
        if step.kind == "create":
            if len(self.ids) < MAX_BULLETINS:
                self._create(*step.detail)
            return
        bid = self._pick(step.pick, Action(step.kind) if step.aimed else None)
        if bid is None:
            return
        actor, now, session = self._actor(step.who, bid), self.now, self.session
        bulletin = session.get(Bulletin, bid)
        assert bulletin is not None
        version = bulletin.version
        if step.kind == "edit":
            self._attempt(
                "edit", lambda: bulletins.update_bulletin(session, actor, bid, step.detail, now)
            )
        elif step.kind == "submit":
            self._attempt("submit", lambda: submit_with_clip(session, actor, bid, now=now))
        elif step.kind == "withdraw":
            self._attempt("withdraw", lambda: bulletins.withdraw(session, actor, bid, now=now))
        elif step.kind == "reject":
            reason = step.detail
            done, _ = self._attempt(
                "reject", lambda: bulletins.reject(session, actor, bid, version, reason, now=now)
            )
            assert done is None or len(reason.strip()) >= 3
        elif step.kind == "approve":
            seen = version - 1 if step.detail else version
            done, _ = self._attempt(
                "approve", lambda: approve_with_clip(session, actor, bid, seen, now=now)
            )
            if done is not None:
                assert seen == version
                row = session.exec(
                    select(BulletinVersion).where(
                        BulletinVersion.bulletin_id == bid, BulletinVersion.version == seen
                    )
                ).one()
                self.approved.setdefault((bid, seen), (dict(row.content), row.content_sha256))

    def _create(
        self,
        authored: tuple[str, dict[str, list[str]]],
        priority: Priority,
        language: str,
        validity: timedelta | None,
        original: int | None,
    ) -> None:
        who, aim = authored
        data = bulletin_data(
            priority=priority,
            language=language,
            valid_until=None if validity is None else self.now + validity,
            translation_of=None if original is None else self._pick(original, None),
            **aim,
        )
        actor = Actor(user=self.world[who])
        created, _ = self._attempt(
            "create", lambda: bulletins.create_bulletin(self.session, actor, data)
        )
        if created is not None:
            self.ids.append(created.id)

    # ------------------------------------------------------------ invariants
    def check(self) -> None:
        self.session.expire_all()
        for (bid, version), (content, digest) in self.approved.items():
            row = self.session.exec(
                select(BulletinVersion).where(
                    BulletinVersion.bulletin_id == bid, BulletinVersion.version == version
                )
            ).one()
            assert (row.content, row.content_sha256) == (content, digest)
            assert digest == canonical_sha256(content)
        stored = self.session.execute(text("SELECT status FROM bulletin")).scalars().all()
        assert set(stored) <= {s.value for s in BulletinStatus}
        for bulletin in self.session.exec(select(Bulletin)).all():
            approved = bulletin.status is BulletinStatus.approved
            assert (bulletin.approved_version is not None) is approved, bulletin
            if approved:
                assert bulletin.approved_version == bulletin.version
                self._check_second_pair_of_eyes(bulletin)

    def _check_second_pair_of_eyes(self, bulletin: Bulletin) -> None:
        review = self.session.exec(
            select(Review)
            .where(
                Review.bulletin_id == bulletin.id,
                Review.bulletin_version == bulletin.approved_version,
                Review.decision == ReviewDecision.approve,
            )
            .order_by(col(Review.id).desc())
        ).first()
        assert review is not None
        if review.fast_track:
            assert review.reviewer_id == bulletin.author_id
            assert bulletin.priority is Priority.emergency
        else:
            assert review.reviewer_id != bulletin.author_id


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workflow-runs")


@settings(max_examples=30, deadline=None)
@given(steps=st.lists(STEPS, min_size=25, max_size=50))
def test_random_workflows_keep_the_invariants(
    migrated_template: Path, runs: Path, steps: list[Step]
) -> None:
    # A fresh copy of the migrated schema per example: function-scoped fixtures would be shared.
    db_file = runs / "run.db"
    for suffix in ("-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(migrated_template, db_file)
    workflow = Workflow(db_file)
    try:
        workflow.check()
        for step in steps:
            workflow.run(step)
            workflow.check()
    finally:
        workflow.close()
