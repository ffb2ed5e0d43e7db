"""Areas (province -> commune) and who covers what."""

from __future__ import annotations

from sqlmodel import Session, col, select

from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import (
    Area,
    AreaCreate,
    AreaPublic,
    AreaUpdate,
    BulletinTarget,
    Station,
    UserArea,
)
from studio.pagination import paginate
from studio.types import AreaLevel


def get_area(session: Session, code: str) -> Area:
    area = session.exec(select(Area).where(Area.code == code)).first()
    if area is None:
        raise NotFound(f"Không tìm thấy địa bàn có mã {code!r}")
    return area


def area_for_input(session: Session, code: str) -> Area:
    """An area named in submitted data: unknown is invalid input (422), not a missing page."""
    try:
        return get_area(session, code)
    except NotFound as exc:
        raise InvalidInput(exc.message) from None


def areas_by_codes(session: Session, codes: list[str]) -> list[Area]:
    unique = list(dict.fromkeys(codes))
    found = session.exec(select(Area).where(col(Area.code).in_(unique))).all()
    missing = set(unique) - {a.code for a in found}
    if missing:
        raise InvalidInput(f"Không tìm thấy địa bàn: {', '.join(sorted(missing))}")
    return list(found)


def _parents(session: Session) -> dict[int, int | None]:
    # Areas number in the thousands at most: one query beats walking the tree row by row.
    return {i: p for i, p in session.exec(select(Area.id, Area.parent_id)).all() if i is not None}


def descendants(session: Session, area_ids: set[int]) -> set[int]:
    """The given areas and every area below them."""
    children: dict[int, list[int]] = {}
    for child, parent in _parents(session).items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    result = set(area_ids)
    frontier = list(area_ids)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in result:
                result.add(child)
                frontier.append(child)
    return result


def ancestors(session: Session, area_id: int) -> list[int]:
    """The area and its parents, nearest first."""
    parents = _parents(session)
    chain: list[int] = []
    current: int | None = area_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def with_ancestors(session: Session, area_ids: set[int]) -> set[int]:
    """The areas and every area above them, from one read of the hierarchy."""
    parents = _parents(session)
    result: set[int] = set()
    for area_id in area_ids:
        current: int | None = area_id
        while current is not None and current not in result:
            result.add(current)
            current = parents.get(current)
    return result


def user_area_ids(session: Session, user_id: int) -> set[int]:
    return set(session.exec(select(UserArea.area_id).where(UserArea.user_id == user_id)).all())


def to_public(session: Session, area: Area) -> AreaPublic:
    parent = session.get(Area, area.parent_id) if area.parent_id else None
    assert area.id is not None
    return AreaPublic(
        id=area.id,
        code=area.code,
        name=area.name,
        level=area.level,
        parent_id=area.parent_id,
        parent_code=parent.code if parent else None,
        quiet_start=area.quiet_start,
        quiet_end=area.quiet_end,
        session_cap_minutes=area.session_cap_s // 60 if area.session_cap_s else None,
    )


def _snapshot(area: Area) -> dict[str, object]:
    return {
        "code": area.code,
        "name": area.name,
        "level": str(area.level),
        "parent_id": area.parent_id,
        "quiet_start": area.quiet_start.isoformat() if area.quiet_start else None,
        "quiet_end": area.quiet_end.isoformat() if area.quiet_end else None,
        "session_cap_s": area.session_cap_s,
    }


def create_area(session: Session, actor: Actor, data: AreaCreate) -> Area:
    if session.exec(select(Area).where(Area.code == data.code)).first():
        raise Conflict(f"Mã địa bàn {data.code!r} đã tồn tại")
    parent: Area | None = None
    if data.parent_code:
        parent = area_for_input(session, data.parent_code)
    if data.level is AreaLevel.commune and parent is None:
        raise InvalidInput("Xã/phường phải thuộc một tỉnh (parent_code)")
    if data.level is AreaLevel.province and parent is not None:
        raise InvalidInput("Tỉnh không có địa bàn cấp trên")
    if parent is not None and parent.level is not AreaLevel.province:
        raise InvalidInput("Địa bàn cấp trên phải là tỉnh")
    area = Area(
        code=data.code, name=data.name, level=data.level, parent_id=parent.id if parent else None
    )
    session.add(area)
    session.flush()
    record(session, actor, "area.create", "area", area.code, after=_snapshot(area))
    return area


def update_area(session: Session, actor: Actor, code: str, data: AreaUpdate) -> Area:
    area = get_area(session, code)
    before = _snapshot(area)
    sent = data.model_fields_set
    if data.name is not None:
        area.name = data.name
    if "quiet_start" in sent:  # the model checks both are sent, both set or both null
        area.quiet_start = data.quiet_start.replace(microsecond=0) if data.quiet_start else None
        area.quiet_end = data.quiet_end.replace(microsecond=0) if data.quiet_end else None
    if "session_cap_minutes" in sent:
        minutes = data.session_cap_minutes
        area.session_cap_s = minutes * 60 if minutes is not None else None
    session.add(area)
    session.flush()
    record(session, actor, "area.update", "area", area.code, before=before, after=_snapshot(area))
    return area


def delete_area(session: Session, actor: Actor, code: str) -> None:
    area = get_area(session, code)
    in_use = (
        session.exec(select(Area.id).where(Area.parent_id == area.id)).first()
        or session.exec(select(Station.id).where(Station.area_id == area.id)).first()
        or session.exec(select(UserArea.user_id).where(UserArea.area_id == area.id)).first()
    )
    if in_use:
        raise Conflict(f"Địa bàn {code!r} còn đài, người dùng hoặc địa bàn con; không thể xóa")
    if session.exec(select(BulletinTarget.id).where(BulletinTarget.area_id == area.id)).first():
        raise Conflict(f"Địa bàn {code!r} là đích của bản tin; không thể xóa")
    record(session, actor, "area.delete", "area", area.code, before=_snapshot(area))
    session.delete(area)
    session.flush()


def list_areas(session: Session, offset: int, limit: int) -> tuple[list[Area], int]:
    return paginate(session, select(Area).order_by(col(Area.code)), offset, limit)
