from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from api.deps import CurrentUser, SessionDep, SettingsDep
from studio import users
from studio.audit import Actor, record
from studio.models import UserPublic
from studio.security import create_access_token

router = APIRouter(prefix="/auth", tags=["auth"])


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


@router.post("/token", response_model=TokenResponse)
def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    session: SessionDep,
    settings: SettingsDep,
) -> TokenResponse:
    """OAuth2 password flow. Failed and successful sign-ins are both audited."""
    if len(form.username) > 64 or len(form.password) > 256:
        raise HTTPException(422, "Tên đăng nhập hoặc mật khẩu quá dài")
    user = users.authenticate(session, form.username, form.password)
    if user is None:
        record(session, Actor.system("api"), "auth.login_failed", "user", form.username[:64])
        session.commit()
        raise HTTPException(401, "Sai tên đăng nhập hoặc mật khẩu")
    assert user.id is not None
    record(session, Actor(user=user), "auth.login", "user", user.id)
    session.commit()
    minutes = settings.api.access_token_minutes
    token = create_access_token(user.id, settings.secret_key.get_secret_value(), minutes)
    return TokenResponse(access_token=token, expires_in=minutes * 60)


@router.get("/me", response_model=UserPublic)
def me(user: CurrentUser, session: SessionDep) -> UserPublic:
    return users.to_public(session, user)
