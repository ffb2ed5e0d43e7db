from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlmodel import col, select

from api.deps import AdminUser, PageDep, SessionDep
from studio.models import AuditEvent, AuditEventPublic, Page
from studio.pagination import paginate

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEventPublic])
def audit_log(
    admin: AdminUser,
    session: SessionDep,
    page: PageDep,
    entity_type: Annotated[str | None, Query(max_length=32)] = None,
    entity_id: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
) -> Page[AuditEventPublic]:
    """The append-only log, newest first."""
    statement = select(AuditEvent)
    if entity_type:
        statement = statement.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        statement = statement.where(AuditEvent.entity_id == entity_id)
    if actor:
        statement = statement.where(AuditEvent.actor == actor)
    if action:
        statement = statement.where(AuditEvent.action == action)
    rows, total = paginate(
        session, statement.order_by(col(AuditEvent.id).desc()), page.offset, page.limit
    )
    return Page[AuditEventPublic](
        items=[AuditEventPublic.model_validate(e, from_attributes=True) for e in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )
