"""Accounts, roles and area scopes."""

from __future__ import annotations

from sqlmodel import Session, col, select

from studio.areas import areas_by_codes, descendants, user_area_ids
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import Area, User, UserArea, UserCreate, UserPublic, UserUpdate
from studio.pagination import paginate
from studio.security import hash_password, verify_password
from studio.types import Role


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Không tìm thấy người dùng {user_id}")
    return user


def get_user_by_name(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound(f"Không tìm thấy người dùng {username!r}")
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    user = session.exec(select(User).where(User.username == username)).first()
    ok = verify_password(password, user.password_hash if user else None)
    if user is None or not ok or not user.is_active:
        return None
    return user


def area_codes(session: Session, user: User) -> list[str]:
    ids = user_area_ids(session, user.id) if user.id is not None else set()
    if not ids:
        return []
    return sorted(session.exec(select(Area.code).where(col(Area.id).in_(ids))).all())


def covered_area_ids(session: Session, user: User) -> set[int] | None:
    """Areas the user may act on; ``None`` means everywhere (admins)."""
    if user.role is Role.admin:
        return None
    assert user.id is not None
    return descendants(session, user_area_ids(session, user.id))


def to_public(session: Session, user: User) -> UserPublic:
    assert user.id is not None
    return UserPublic(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        is_active=user.is_active,
        area_codes=area_codes(session, user),
    )


def _snapshot(session: Session, user: User) -> dict[str, object]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "role": str(user.role),
        "is_active": user.is_active,
        "area_codes": area_codes(session, user),
    }


def _set_areas(session: Session, user: User, codes: list[str]) -> None:
    assert user.id is not None
    for link in session.exec(select(UserArea).where(UserArea.user_id == user.id)):
        session.delete(link)
    session.flush()
    for area in areas_by_codes(session, codes):
        assert area.id is not None
        session.add(UserArea(user_id=user.id, area_id=area.id))
    session.flush()


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    if session.exec(select(User).where(User.username == data.username)).first():
        raise Conflict(f"Tên đăng nhập {data.username!r} đã tồn tại")
    user = User(
        username=data.username,
        full_name=data.full_name,
        password_hash=hash_password(data.password),
        role=data.role,
    )
    session.add(user)
    session.flush()
    _set_areas(session, user, data.area_codes)
    record(session, actor, "user.create", "user", user.id, after=_snapshot(session, user))
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserUpdate) -> User:
    user = get_user(session, user_id)
    before = _snapshot(session, user)
    changes = data.model_dump(exclude_unset=True)
    if actor.user_id == user.id and (
        changes.get("role") not in (None, Role.admin) or changes.get("is_active") is False
    ):
        raise InvalidInput("Quản trị viên không thể tự hạ quyền hoặc tự khóa tài khoản của mình")
    role = changes.get("role") or user.role
    codes = changes.get("area_codes")
    if role is not Role.admin and codes is not None and not codes:
        raise InvalidInput("Biên tập viên và người duyệt phải được gán ít nhất một địa bàn")
    if role is not Role.admin and codes is None and not before["area_codes"]:
        raise InvalidInput("Biên tập viên và người duyệt phải được gán ít nhất một địa bàn")
    if changes.get("full_name") is not None:
        user.full_name = changes["full_name"]
    if changes.get("role") is not None:
        user.role = changes["role"]
    if changes.get("is_active") is not None:
        user.is_active = changes["is_active"]
    if changes.get("password") is not None:
        user.password_hash = hash_password(changes["password"])
    session.add(user)
    if codes is not None:
        _set_areas(session, user, codes)
    session.flush()
    after = _snapshot(session, user)
    detail = "password changed" if changes.get("password") is not None else ""
    record(
        session, actor, "user.update", "user", user.id, before=before, after=after, detail=detail
    )
    return user


def list_users(session: Session, offset: int, limit: int) -> tuple[list[User], int]:
    return paginate(session, select(User).order_by(col(User.username)), offset, limit)
