"""Bulletin commands: every change of a bulletin goes through here and through the workflow."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from studio.areas import areas_by_codes
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from studio.models import (
    Area,
    Bulletin,
    BulletinContent,
    BulletinCreate,
    BulletinTarget,
    BulletinUpdate,
    BulletinVersion,
    Clip,
    Review,
    Station,
    User,
    _check_content,
    airing_rule_of,
    set_airing_rule,
)
from studio.types import BulletinStatus, ClipStatus, Priority, ReviewDecision, Role, utcnow
from studio.users import covered_area_ids
from studio.workflow import STATUS_VI, TRANSITIONS, Action, next_status


def get_bulletin(session: Session, bulletin_id: int) -> Bulletin:
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound(f"Không tìm thấy bản tin {bulletin_id}")
    return bulletin


# ------------------------------------------------------------------ targets and scope
def resolve_targets(
    session: Session, station_codes: list[str], area_codes: list[str]
) -> tuple[list[Station], list[Area]]:
    codes = list(dict.fromkeys(station_codes))
    stations = list(session.exec(select(Station).where(col(Station.code).in_(codes))).all())
    missing = set(codes) - {s.code for s in stations}
    if missing:
        raise InvalidInput(f"Không tìm thấy đài: {', '.join(sorted(missing))}")
    return stations, areas_by_codes(session, area_codes) if area_codes else []


def target_codes(session: Session, bulletin_id: int) -> tuple[list[str], list[str]]:
    rows = session.exec(
        select(Station.code, Area.code)
        .select_from(BulletinTarget)
        .outerjoin(Station, col(Station.id) == BulletinTarget.station_id)
        .outerjoin(Area, col(Area.id) == BulletinTarget.area_id)
        .where(BulletinTarget.bulletin_id == bulletin_id)
    ).all()
    stations = sorted(code for code, _ in rows if code is not None)
    areas = sorted(code for _, code in rows if code is not None)
    return stations, areas


def target_area_ids(session: Session, bulletin_id: int) -> set[int]:
    """The area of every target: a station counts as the area it stands in."""
    rows = session.exec(
        select(BulletinTarget.area_id, Station.area_id)
        .select_from(BulletinTarget)
        .outerjoin(Station, col(Station.id) == BulletinTarget.station_id)
        .where(BulletinTarget.bulletin_id == bulletin_id)
    ).all()
    return {area_id for pair in rows for area_id in pair if area_id is not None}


def _require_cover(session: Session, user: User, area_ids: set[int], verb: str) -> None:
    covered = covered_area_ids(session, user)
    if covered is not None and not area_ids <= covered:
        raise PermissionDenied(
            f"Bạn không phụ trách tất cả địa bàn đích của bản tin nên không thể {verb}"
        )


def _require_user(actor: Actor) -> User:
    if actor.user is None:
        raise PermissionDenied("Thao tác này cần một người dùng đăng nhập")
    return actor.user


# ------------------------------------------------------------------ snapshots
def content_of(session: Session, bulletin: Bulletin) -> BulletinContent:
    assert bulletin.id is not None
    stations, areas = target_codes(session, bulletin.id)
    return BulletinContent(
        title=bulletin.title,
        body=bulletin.body,
        language=bulletin.language,
        category=bulletin.category,
        priority=bulletin.priority,
        valid_from=bulletin.valid_from,
        valid_until=bulletin.valid_until,
        airing=airing_rule_of(bulletin),
        target_station_codes=stations,
        target_area_codes=areas,
        translation_of=bulletin.translation_of,
    )


def _digest(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _write_snapshot(session: Session, bulletin: Bulletin, author: User) -> BulletinVersion:
    assert bulletin.id is not None
    assert author.id is not None
    content = content_of(session, bulletin).model_dump(mode="json")
    snapshot = session.exec(
        select(BulletinVersion).where(
            BulletinVersion.bulletin_id == bulletin.id, BulletinVersion.version == bulletin.version
        )
    ).first()
    if snapshot is None:
        snapshot = BulletinVersion(
            bulletin_id=bulletin.id,
            version=bulletin.version,
            content=content,
            content_sha256=_digest(content),
            created_by_id=author.id,
        )
    elif snapshot.submitted_at is not None:  # pragma: no cover - guarded by the workflow
        raise Conflict("Phiên bản đã gửi duyệt không được sửa")
    else:
        snapshot.content = content
        snapshot.content_sha256 = _digest(content)
    session.add(snapshot)
    session.flush()
    return snapshot


def _state(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "status": str(bulletin.status),
        "version": bulletin.version,
        "approved_version": bulletin.approved_version,
        "approved_clip_id": bulletin.approved_clip_id,
    }


# ------------------------------------------------------------------ content changes
def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


def _apply_content(
    session: Session, user: User, bulletin: Bulletin, content: BulletinContent
) -> None:
    try:
        _check_content(content)
    except ValueError as exc:  # the edit path has no pydantic validator to turn this into a 422
        raise InvalidInput(f"Nội dung bản tin không hợp lệ: {exc}") from None
    stations, areas = resolve_targets(
        session, content.target_station_codes, content.target_area_codes
    )
    area_ids = {s.area_id for s in stations} | {a.id for a in areas if a.id is not None}
    _require_cover(session, user, area_ids, "nhắm tới các địa bàn này")
    if content.translation_of is not None:
        original = session.get(Bulletin, content.translation_of)
        if original is None:
            raise InvalidInput(f"Không tìm thấy bản tin gốc {content.translation_of}")
        if original.id == bulletin.id:
            raise InvalidInput("Bản tin không thể là bản dịch của chính nó")
        if original.language == content.language:
            raise InvalidInput("Bản dịch phải khác ngôn ngữ với bản tin gốc")
        if original.translation_of is not None:
            raise InvalidInput("Bản tin gốc không được là một bản dịch")
    translations = session.exec(select(Bulletin).where(Bulletin.translation_of == bulletin.id))
    for translation in translations:
        if content.translation_of is not None:
            raise InvalidInput("Bản tin đã có bản dịch nên không thể là bản dịch của bản tin khác")
        if translation.language == content.language:
            raise InvalidInput("Bản tin đã có bản dịch cùng ngôn ngữ này")
    bulletin.title = content.title
    bulletin.body = content.body
    bulletin.language = content.language
    bulletin.category = content.category
    bulletin.priority = content.priority
    # In UTC from the start: the response and the version snapshot (and its digest) must read
    # the same instant the same way as it comes back from the database later.
    bulletin.valid_from = _utc(content.valid_from)
    bulletin.valid_until = _utc(content.valid_until)
    set_airing_rule(bulletin, content.airing)
    bulletin.translation_of = content.translation_of
    bulletin.updated_at = utcnow()
    session.add(bulletin)
    session.flush()
    assert bulletin.id is not None
    for old in session.exec(
        select(BulletinTarget).where(BulletinTarget.bulletin_id == bulletin.id)
    ):
        session.delete(old)
    session.flush()
    for station in stations:
        session.add(BulletinTarget(bulletin_id=bulletin.id, station_id=station.id))
    for area in areas:
        session.add(BulletinTarget(bulletin_id=bulletin.id, area_id=area.id))
    session.flush()


def create_bulletin(session: Session, actor: Actor, data: BulletinCreate) -> Bulletin:
    user = _require_user(actor)
    assert user.id is not None
    bulletin = Bulletin(
        title=data.title,
        body=data.body,
        language=data.language,
        category=data.category,
        priority=data.priority,
        author_id=user.id,
        status=BulletinStatus.draft,
        version=1,
    )
    session.add(bulletin)
    session.flush()
    _apply_content(session, user, bulletin, data)
    snapshot = _write_snapshot(session, bulletin, user)
    record(
        session,
        actor,
        "bulletin.create",
        "bulletin",
        bulletin.id,
        after={**_state(bulletin), "content_sha256": snapshot.content_sha256},
    )
    return bulletin


def _require_author_or_admin(actor: Actor, bulletin: Bulletin, verb: str) -> User:
    user = _require_user(actor)
    if user.id != bulletin.author_id and user.role is not Role.admin:
        raise PermissionDenied(f"Chỉ tác giả hoặc quản trị viên mới được {verb} bản tin này")
    return user


def update_bulletin(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    data: BulletinUpdate,
    now: datetime | None = None,
) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    user = _require_author_or_admin(actor, bulletin, "sửa")
    status = next_status(bulletin.status, Action.edit)
    _refuse_if_past_validity(bulletin, now or utcnow(), Action.edit)
    before = _state(bulletin)
    merged = content_of(session, bulletin).model_dump()
    merged.update(data.model_dump(exclude_unset=True))
    try:
        content = BulletinContent.model_validate(merged)
    except ValidationError as exc:  # e.g. an explicit null for a field that cannot be empty
        fields = ", ".join(dict.fromkeys(".".join(map(str, e["loc"])) for e in exc.errors()))
        raise InvalidInput(f"Nội dung bản tin không hợp lệ ở: {fields}") from None
    if content == content_of(session, bulletin):
        raise InvalidInput("Không có thay đổi nào để lưu")
    if bulletin.status is not BulletinStatus.draft:
        # What was submitted or approved stays exactly as it was: edits make a new version.
        bulletin.version += 1
        bulletin.approved_version = None
        bulletin.approved_clip_id = None
    bulletin.status = status
    _apply_content(session, user, bulletin, content)
    snapshot = _write_snapshot(session, bulletin, user)
    record(
        session,
        actor,
        "bulletin.edit",
        "bulletin",
        bulletin.id,
        before=before,
        after={**_state(bulletin), "content_sha256": snapshot.content_sha256},
    )
    return bulletin


# ------------------------------------------------------------------ workflow actions
def _refuse_if_past_validity(bulletin: Bulletin, now: datetime, action: Action) -> None:
    if (
        bulletin.valid_until is not None
        and bulletin.valid_until <= now
        and action is not Action.withdraw
    ):
        raise Conflict("Bản tin đã quá hạn hiệu lực (valid_until); hãy tạo bản tin mới")


def _require_current(bulletin: Bulletin, version: int) -> None:
    if version != bulletin.version:
        raise Conflict(
            f"Bản tin đã được sửa: phiên bản hiện tại là {bulletin.version}, "
            f"bạn đang xem phiên bản {version}. Hãy đọc lại trước khi quyết định"
        )


def ready_clip_ids(session: Session, bulletin_id: int, version: int) -> list[int]:
    """The ready clips of one version of a bulletin, oldest first."""
    return [
        clip_id
        for clip_id in session.exec(
            select(Clip.id)
            .where(
                Clip.bulletin_id == bulletin_id,
                Clip.bulletin_version == version,
                Clip.status == ClipStatus.ready,
            )
            .order_by(col(Clip.id))
        )
        if clip_id is not None
    ]


def _ids(clip_ids: list[int]) -> str:
    return ", ".join(map(str, clip_ids)) or "chưa có"


def submit(
    session: Session, actor: Actor, bulletin_id: int, now: datetime | None = None
) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    _require_author_or_admin(actor, bulletin, "gửi duyệt")
    moment = now or utcnow()
    status = next_status(bulletin.status, Action.submit)
    _refuse_if_past_validity(bulletin, moment, Action.submit)
    assert bulletin.id is not None
    if not ready_clip_ids(session, bulletin.id, bulletin.version):
        # The approver approves what will be heard: no audio, nothing to review.
        raise Conflict(
            f"Bản tin chưa có âm thanh sẵn sàng cho phiên bản {bulletin.version}: hãy tạo âm "
            "thanh hoặc tải bản ghi âm trước khi gửi duyệt"
        )
    bulletin.status = status
    snapshot = session.exec(
        select(BulletinVersion).where(
            BulletinVersion.bulletin_id == bulletin.id, BulletinVersion.version == bulletin.version
        )
    ).one()
    snapshot.submitted_at = moment
    bulletin.updated_at = moment
    session.add_all([bulletin, snapshot])
    session.flush()
    record(
        session,
        actor,
        "bulletin.submit",
        "bulletin",
        bulletin.id,
        before={"status": "draft", "version": bulletin.version},
        after=_state(bulletin),
    )
    return bulletin


def _reviewer(session: Session, actor: Actor, bulletin: Bulletin, verb: str) -> tuple[User, bool]:
    """Check who may decide; returns the reviewer and whether four-eyes was waived."""
    user = _require_user(actor)
    if user.role not in (Role.approver, Role.admin):
        raise PermissionDenied(f"Chỉ người duyệt hoặc quản trị viên mới được {verb} bản tin")
    assert bulletin.id is not None
    _require_cover(session, user, target_area_ids(session, bulletin.id), verb)
    own = user.id == bulletin.author_id
    if own and not (bulletin.priority is Priority.emergency and verb == "duyệt"):
        raise PermissionDenied(f"Nguyên tắc bốn mắt: không được {verb} bản tin do chính mình soạn")
    return user, own


def approve(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    version: int,
    clip_id: int | None = None,
    comment: str = "",
    now: datetime | None = None,
) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    user, fast_track = _reviewer(session, actor, bulletin, "duyệt")
    moment = now or utcnow()
    status = next_status(bulletin.status, Action.approve)
    _require_current(bulletin, version)
    _refuse_if_past_validity(bulletin, moment, Action.approve)
    assert bulletin.id is not None
    ready = ready_clip_ids(session, bulletin.id, version)
    if clip_id is None:
        # Submission guaranteed a ready clip: approval records which one was heard.
        raise Conflict(
            f"Hãy nghe và chọn bản âm thanh (clip_id) để duyệt; các bản sẵn sàng của phiên bản "
            f"{version}: {_ids(ready)}"
        )
    if clip_id not in ready:
        raise Conflict(
            f"Bản âm thanh {clip_id} không phải bản sẵn sàng của bản tin {bulletin.id} phiên bản "
            f"{version}; các bản sẵn sàng: {_ids(ready)}"
        )
    before = _state(bulletin)
    bulletin.status = status
    bulletin.approved_version = version
    bulletin.approved_clip_id = clip_id
    bulletin.updated_at = moment
    assert user.id is not None
    assert bulletin.id is not None
    review = Review(
        bulletin_id=bulletin.id,
        bulletin_version=version,
        reviewer_id=user.id,
        decision=ReviewDecision.approve,
        reason=comment,
        clip_id=clip_id,
        fast_track=fast_track,
        created_at=moment,
    )
    session.add_all([bulletin, review])
    session.flush()
    detail = "emergency fast-track: approved by its author alone" if fast_track else ""
    record(
        session,
        actor,
        "bulletin.approve",
        "bulletin",
        bulletin.id,
        before=before,
        after={**_state(bulletin), "review_id": review.id, "fast_track": fast_track},
        detail=detail,
    )
    return bulletin


def reject(
    session: Session,
    actor: Actor,
    bulletin_id: int,
    version: int,
    reason: str,
    now: datetime | None = None,
) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    user, _ = _reviewer(session, actor, bulletin, "từ chối")
    status = next_status(bulletin.status, Action.reject)
    _require_current(bulletin, version)
    reason = reason.strip()
    if len(reason) < 3:
        raise InvalidInput("Từ chối phải kèm lý do (ít nhất 3 ký tự)")
    moment = now or utcnow()
    before = _state(bulletin)
    bulletin.status = status
    bulletin.updated_at = moment
    assert user.id is not None
    assert bulletin.id is not None
    review = Review(
        bulletin_id=bulletin.id,
        bulletin_version=version,
        reviewer_id=user.id,
        decision=ReviewDecision.reject,
        reason=reason,
        created_at=moment,
    )
    session.add_all([bulletin, review])
    session.flush()
    record(
        session,
        actor,
        "bulletin.reject",
        "bulletin",
        bulletin.id,
        before=before,
        after={**_state(bulletin), "review_id": review.id},
        detail=reason,
    )
    return bulletin


def _drop_standing_approval(bulletin: Bulletin) -> None:
    # Only an approved bulletin holds an approval; the Review rows keep the history.
    bulletin.approved_version = None
    bulletin.approved_clip_id = None


def withdraw(
    session: Session, actor: Actor, bulletin_id: int, reason: str = "", now: datetime | None = None
) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    _require_author_or_admin(actor, bulletin, "rút")
    before = _state(bulletin)
    bulletin.status = next_status(bulletin.status, Action.withdraw)
    _drop_standing_approval(bulletin)
    bulletin.updated_at = now or utcnow()
    session.add(bulletin)
    session.flush()
    record(
        session,
        actor,
        "bulletin.withdraw",
        "bulletin",
        bulletin.id,
        before=before,
        after=_state(bulletin),
        detail=reason.strip(),
    )
    return bulletin


def expire_due(session: Session, now: datetime | None = None) -> list[int]:
    """Move every bulletin past its valid_until to ``expired``. Returns their ids."""
    moment = now or utcnow()
    due = session.exec(
        select(Bulletin).where(
            col(Bulletin.valid_until).is_not(None),
            col(Bulletin.valid_until) <= moment,
            col(Bulletin.status).in_(
                [s for s in BulletinStatus if (s, Action.expire) in TRANSITIONS]
            ),
        )
    ).all()
    actor = Actor.system("job")
    for bulletin in due:
        before = _state(bulletin)
        bulletin.status = next_status(bulletin.status, Action.expire)
        _drop_standing_approval(bulletin)
        bulletin.updated_at = moment
        session.add(bulletin)
        record(
            session,
            actor,
            "bulletin.expire",
            "bulletin",
            bulletin.id,
            before=before,
            after=_state(bulletin),
            detail=f"valid_until {bulletin.valid_until:%Y-%m-%dT%H:%M:%SZ}",
        )
    session.flush()
    return [b.id for b in due if b.id is not None]


def status_label(status: BulletinStatus) -> str:
    return STATUS_VI[status]
