"""The append-only audit log. Every state change and privileged action goes through ``record``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from studio.models import AuditEvent, User
from studio.types import Role


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, or the system (jobs, seeding). ``via`` is api, cli or job."""

    user: User | None
    via: str = "api"

    @property
    def label(self) -> str:
        return self.user.username if self.user is not None else "system"

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @property
    def role(self) -> Role | None:
        return self.user.role if self.user is not None else None

    @property
    def is_admin(self) -> bool:
        return self.user is not None and self.user.role is Role.admin

    @classmethod
    def system(cls, via: str = "job") -> Actor:
        return cls(user=None, via=via)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: object,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str = "",
) -> AuditEvent:
    event = AuditEvent(
        actor_id=actor.user_id,
        actor=actor.label,
        via=actor.via,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        before=before,
        after=after,
        detail=detail,
    )
    session.add(event)
    return event
