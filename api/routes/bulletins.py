from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import (
    CurrentUser,
    IdPath,
    PageDep,
    ReviewerUser,
    SessionDep,
    SettingsDep,
    actor_for,
)
from studio import bulletin_queries as queries
from studio import bulletins
from studio.models import (
    ApproveRequest,
    AuditEventPublic,
    Bulletin,
    BulletinCreate,
    BulletinPublic,
    BulletinUpdate,
    BulletinVersionPublic,
    Page,
    RejectRequest,
    ReviewPublic,
    WithdrawRequest,
)
from studio.types import BulletinStatus, Category, Language, Priority

router = APIRouter(prefix="/bulletins", tags=["bulletins"])
queue_router = APIRouter(prefix="/reviews", tags=["reviews"])


def _page(
    session: SessionDep, rows: list[Bulletin], total: int, page: PageDep
) -> Page[BulletinPublic]:
    return Page[BulletinPublic](
        items=queries.to_public_many(session, rows),
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("", response_model=BulletinPublic, status_code=status.HTTP_201_CREATED)
def create_bulletin(data: BulletinCreate, user: CurrentUser, session: SessionDep) -> BulletinPublic:
    bulletin = bulletins.create_bulletin(session, actor_for(user), data)
    session.commit()
    return queries.to_public(session, bulletin)


@router.get("", response_model=Page[BulletinPublic])
def list_bulletins(
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    status_: Annotated[BulletinStatus | None, Query(alias="status")] = None,
    station: Annotated[str | None, Query(max_length=64)] = None,
    area: Annotated[str | None, Query(max_length=64)] = None,
    language: Language | None = None,
    category: Category | None = None,
    priority: Priority | None = None,
    date_: Annotated[
        date | None, Query(alias="date", description="Valid on this local date")
    ] = None,
    mine: bool = False,
) -> Page[BulletinPublic]:
    flt = queries.BulletinFilter(
        status=status_,
        station_code=station,
        area_code=area,
        language=language,
        category=category,
        priority=priority,
        valid_on=date_,
        author_id=user.id if mine else None,
        timezone=settings.default_timezone,
    )
    rows, total = queries.list_bulletins(session, user, flt, page.offset, page.limit)
    return _page(session, rows, total, page)


@router.get("/{bulletin_id}", response_model=BulletinPublic)
def get_bulletin(bulletin_id: IdPath, user: CurrentUser, session: SessionDep) -> BulletinPublic:
    return queries.to_public(session, queries.require_visible(session, user, bulletin_id))


@router.patch("/{bulletin_id}", response_model=BulletinPublic)
def update_bulletin(
    bulletin_id: IdPath, data: BulletinUpdate, user: CurrentUser, session: SessionDep
) -> BulletinPublic:
    """Edit. A submitted, rejected or approved bulletin gets a new version back in draft."""
    bulletin = bulletins.update_bulletin(session, actor_for(user), bulletin_id, data)
    session.commit()
    return queries.to_public(session, bulletin)


@router.post("/{bulletin_id}/submit", response_model=BulletinPublic)
def submit(bulletin_id: IdPath, user: CurrentUser, session: SessionDep) -> BulletinPublic:
    bulletin = bulletins.submit(session, actor_for(user), bulletin_id)
    session.commit()
    return queries.to_public(session, bulletin)


@router.post("/{bulletin_id}/approve", response_model=BulletinPublic)
def approve(
    bulletin_id: IdPath, data: ApproveRequest, user: ReviewerUser, session: SessionDep
) -> BulletinPublic:
    """Approve the exact version (and clip) the approver read and heard."""
    bulletin = bulletins.approve(
        session, actor_for(user), bulletin_id, data.version, data.clip_id, data.comment
    )
    session.commit()
    return queries.to_public(session, bulletin)


@router.post("/{bulletin_id}/reject", response_model=BulletinPublic)
def reject(
    bulletin_id: IdPath, data: RejectRequest, user: ReviewerUser, session: SessionDep
) -> BulletinPublic:
    bulletin = bulletins.reject(session, actor_for(user), bulletin_id, data.version, data.reason)
    session.commit()
    return queries.to_public(session, bulletin)


@router.post("/{bulletin_id}/withdraw", response_model=BulletinPublic)
def withdraw(
    bulletin_id: IdPath, data: WithdrawRequest, user: CurrentUser, session: SessionDep
) -> BulletinPublic:
    bulletin = bulletins.withdraw(session, actor_for(user), bulletin_id, data.reason)
    session.commit()
    return queries.to_public(session, bulletin)


@router.get("/{bulletin_id}/versions", response_model=list[BulletinVersionPublic])
def versions(
    bulletin_id: IdPath, user: CurrentUser, session: SessionDep
) -> list[BulletinVersionPublic]:
    queries.require_visible(session, user, bulletin_id)
    return [
        BulletinVersionPublic.model_validate(v, from_attributes=True)
        for v in queries.versions(session, bulletin_id)
    ]


@router.get("/{bulletin_id}/reviews", response_model=list[ReviewPublic])
def reviews(bulletin_id: IdPath, user: CurrentUser, session: SessionDep) -> list[ReviewPublic]:
    queries.require_visible(session, user, bulletin_id)
    return [
        ReviewPublic.model_validate(r, from_attributes=True)
        for r in queries.reviews(session, bulletin_id)
    ]


@router.get("/{bulletin_id}/history", response_model=list[AuditEventPublic])
def history(bulletin_id: IdPath, user: CurrentUser, session: SessionDep) -> list[AuditEventPublic]:
    queries.require_visible(session, user, bulletin_id)
    return [
        AuditEventPublic.model_validate(e, from_attributes=True)
        for e in queries.history(session, bulletin_id)
    ]


@queue_router.get("/queue", response_model=Page[BulletinPublic])
def review_queue(user: ReviewerUser, session: SessionDep, page: PageDep) -> Page[BulletinPublic]:
    """Bulletins waiting for this approver: emergencies first, then the newest."""
    rows, total = queries.review_queue(session, user, page.offset, page.limit)
    return _page(session, rows, total, page)
