from __future__ import annotations

from fastapi import APIRouter, status

from api.deps import AdminUser, IdPath, PageDep, SessionDep, actor_for
from studio import users
from studio.models import Page, UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


@router.get("", response_model=Page[UserPublic])
def list_users(admin: AdminUser, session: SessionDep, page: PageDep) -> Page[UserPublic]:
    rows, total = users.list_users(session, page.offset, page.limit)
    return Page[UserPublic](
        items=[users.to_public(session, u) for u in rows],
        total=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, admin: AdminUser, session: SessionDep) -> UserPublic:
    user = users.create_user(session, actor_for(admin), data)
    session.commit()
    return users.to_public(session, user)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: IdPath, admin: AdminUser, session: SessionDep) -> UserPublic:
    return users.to_public(session, users.get_user(session, user_id))


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    user_id: IdPath, data: UserUpdate, admin: AdminUser, session: SessionDep
) -> UserPublic:
    user = users.update_user(session, actor_for(admin), user_id, data)
    session.commit()
    return users.to_public(session, user)
