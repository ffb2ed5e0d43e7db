"""Request-scoped dependencies: the database session and who is calling."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.engine import Engine
from sqlmodel import Session

from studio.audit import Actor
from studio.models import Station, User
from studio.security import STATION_TOKEN_PREFIX, decode_access_token
from studio.settings import Settings
from studio.stations import station_for_token
from studio.types import Role

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


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
    """A signed-in user or a station endpoint holding a read-only station token."""

    user: User | None = None
    station: Station | None = None


def _unauthenticated() -> HTTPException:
    return HTTPException(401, "Chưa đăng nhập hoặc phiên đăng nhập đã hết hạn")


def get_principal(
    session: SessionDep, settings: SettingsDep, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal:
    if not token:
        raise _unauthenticated()
    if token.startswith(STATION_TOKEN_PREFIX):
        station = station_for_token(session, token)
        session.commit()
        if station is None:
            raise _unauthenticated()
        return Principal(station=station)
    claims = decode_access_token(token, settings.secret_key.get_secret_value())
    if claims is None:
        raise _unauthenticated()
    user = session.get(User, claims.user_id)
    # End the read transaction: the connection goes back to the pool while this request waits
    # for a worker thread to run its route (under load, held connections exhaust the pool).
    session.commit()
    if user is None or not user.is_active:
        raise _unauthenticated()
    return Principal(user=user)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_current_user(principal: PrincipalDep) -> User:
    if principal.user is None:
        raise HTTPException(403, "Mã truy cập của đài chỉ dùng để đọc thông tin của chính đài đó")
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
