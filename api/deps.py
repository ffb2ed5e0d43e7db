"""Request-scoped dependencies: the database session and who is calling."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from studio.audit import Actor
from studio.errors import InvalidInput
from studio.models import MAX_ID, Station, StationToken, User
from studio.security import STATION_TOKEN_PREFIX, decode_access_token
from studio.settings import Settings
from studio.stations import token_and_station_for
from studio.types import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

# Beyond MAX_ID the database raises an overflow instead of finding nothing: refuse it as input.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="Mã số (id)")]


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    # An async generator: opening and closing the session happen on the event loop, so a
    # request never waits for a free worker thread just to give its connection back (with a
    # sync generator, a loaded thread pool deadlocks against the connection pool).
    engine: Engine = request.app.state.engine
    with Session(engine, expire_on_commit=False) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
SessionDep = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class Principal:
    """A signed-in user or a station endpoint holding a read-only station token (the token
    row too: what the endpoint is sent is signed with its own token)."""

    user: User | None = None
    station: Station | None = None
    station_token: StationToken | None = None


STATION_TOKEN_READ_ONLY = "Mã truy cập của đài chỉ dùng để đọc thông tin của chính đài đó"


def unauthenticated() -> HTTPException:
    return HTTPException(401, "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn")


def get_principal(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise unauthenticated()
    if token.startswith(STATION_TOKEN_PREFIX):
        found = token_and_station_for(session, token)
        session.commit()
        if found is None:
            raise unauthenticated()
        return Principal(station=found[1], station_token=found[0])
    claims = decode_access_token(token, settings.secret_key.get_secret_value())
    if claims is None:
        raise unauthenticated()
    user = session.get(User, claims.user_id)
    # End the read transaction: the connection goes back to the pool while this request waits
    # for a worker thread to run its route (under load, held connections exhaust the pool).
    session.commit()
    if user is None or not user.is_active:
        raise unauthenticated()
    return Principal(user=user)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_current_user(principal: PrincipalDep) -> User:
    if principal.user is None:
        raise HTTPException(403, STATION_TOKEN_READ_ONLY)
    return principal.user


CurrentUser = Annotated[User, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[User], User]:
    names = ", ".join(r.value for r in roles)

    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise HTTPException(403, f"Chức năng này dành cho vai trò: {names}")
        return user

    return check


AdminUser = Annotated[User, Depends(require_roles(Role.admin))]
ReviewerUser = Annotated[User, Depends(require_roles(Role.approver, Role.admin))]


def actor_for(user: User) -> Actor:
    return Actor(user=user, via="api")


@dataclass(frozen=True)
class PageParams:
    offset: int
    limit: int


def page_params(
    request: Request,
    offset: Annotated[int, Query(ge=0, le=10_000_000, description="Bỏ qua n mục đầu")] = 0,
    limit: Annotated[int, Query(ge=1, description="Số mục tối đa mỗi trang")] = 50,
) -> PageParams:
    settings: Settings = request.app.state.settings
    if limit > settings.api.page_size_max:
        raise HTTPException(422, f"limit tối đa là {settings.api.page_size_max}")
    return PageParams(offset=offset, limit=limit)


PageDep = Annotated[PageParams, Depends(page_params)]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


async def refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL: refuse it at the door instead of failing in the database
    with a 500. Runs after FastAPI has read (and cached) the body."""
    found = "\x00" in request.scope.get("path", "") or any(
        "\x00" in key or "\x00" in value for key, value in request.query_params.multi_items()
    )
    content_type = request.headers.get("content-type", "")
    if not found and "json" in content_type:
        body = await request.body()
        if b"\\u0000" in body:  # the only way JSON can carry a NUL
            try:
                found = _has_nul(json.loads(body))
            except ValueError:
                found = False  # malformed bodies are FastAPI's to refuse
    elif not found and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        found = any(isinstance(v, str) and "\x00" in v for v in form.values())
    if found:
        raise InvalidInput("Dữ liệu gửi lên không được chứa ký tự NUL (\\0)")
