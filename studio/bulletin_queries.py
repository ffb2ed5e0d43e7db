"""Reading bulletins: lists with filters and visibility, the review queue, history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, or_
from sqlmodel import Session, col, select

from studio.areas import ancestors, descendants, get_area, with_ancestors
from studio.bulletins import get_bulletin, target_area_ids
from studio.errors import PermissionDenied
from studio.models import (
    Area,
    AuditEvent,
    Bulletin,
    BulletinPublic,
    BulletinTarget,
    BulletinVersion,
    Review,
    Station,
    User,
    airing_rule_of,
)
from studio.pagination import paginate
from studio.stations import get_station
from studio.types import BulletinStatus, Category, Language, Priority, Role
from studio.users import covered_area_ids


@dataclass(frozen=True)
class BulletinFilter:
    status: BulletinStatus | None = None
    station_code: str | None = None
    area_code: str | None = None
    language: Language | None = None
    category: Category | None = None
    priority: Priority | None = None
    valid_on: date | None = None
    author_id: int | None = None
    timezone: str = "Asia/Ho_Chi_Minh"


def visible_area_ids(session: Session, user: User) -> set[int] | None:
    """Areas whose bulletins the user sees: what they cover, and the areas above (a province-wide
    bulletin plays in a commune too). ``None``: everything."""
    covered = covered_area_ids(session, user)
    if covered is None:
        return None
    return with_ancestors(session, covered)


def _targeting(area_ids: set[int]) -> Any:
    """SQL condition: the bulletin targets one of these areas or a station standing in one."""
    stations_there = select(Station.id).where(col(Station.area_id).in_(area_ids))
    targeted = select(BulletinTarget.bulletin_id).where(
        or_(
            col(BulletinTarget.area_id).in_(area_ids),
            col(BulletinTarget.station_id).in_(stations_there),
        )
    )
    return col(Bulletin.id).in_(targeted)


def list_bulletins(
    session: Session, viewer: User, flt: BulletinFilter, offset: int, limit: int
) -> tuple[list[Bulletin], int]:
    statement = select(Bulletin)
    visible = visible_area_ids(session, viewer)
    if visible is not None:
        statement = statement.where(or_(_targeting(visible), col(Bulletin.author_id) == viewer.id))
    if flt.status is not None:
        statement = statement.where(Bulletin.status == flt.status)
    if flt.language is not None:
        statement = statement.where(Bulletin.language == flt.language)
    if flt.category is not None:
        statement = statement.where(Bulletin.category == flt.category)
    if flt.priority is not None:
        statement = statement.where(Bulletin.priority == flt.priority)
    if flt.author_id is not None:
        statement = statement.where(Bulletin.author_id == flt.author_id)
    if flt.station_code is not None:
        station = get_station(session, flt.station_code)
        reach = set(ancestors(session, station.area_id))
        targeted = select(BulletinTarget.bulletin_id).where(
            or_(
                col(BulletinTarget.station_id) == station.id,
                col(BulletinTarget.area_id).in_(reach),
            )
        )
        statement = statement.where(col(Bulletin.id).in_(targeted))
    if flt.area_code is not None:
        area = get_area(session, flt.area_code)
        assert area.id is not None
        statement = statement.where(_targeting(descendants(session, {area.id})))
    if flt.valid_on is not None:
        zone = ZoneInfo(flt.timezone)
        start = datetime.combine(flt.valid_on, time(), zone)
        end = start + timedelta(days=1)
        statement = statement.where(
            or_(col(Bulletin.valid_from).is_(None), col(Bulletin.valid_from) < end),
            or_(col(Bulletin.valid_until).is_(None), col(Bulletin.valid_until) > start),
        )
    statement = statement.order_by(col(Bulletin.created_at).desc(), col(Bulletin.id).desc())
    return paginate(session, statement, offset, limit)


def review_queue(
    session: Session, viewer: User, offset: int, limit: int
) -> tuple[list[Bulletin], int]:
    """Submitted bulletins this approver may decide: emergencies first, then newest."""
    if viewer.role not in (Role.approver, Role.admin):
        raise PermissionDenied("Chỉ người duyệt hoặc quản trị viên có hàng đợi duyệt")
    covered = covered_area_ids(session, viewer)
    submitted = session.exec(
        select(Bulletin.id).where(Bulletin.status == BulletinStatus.submitted)
    ).all()
    decidable = []
    for bulletin_id in submitted:
        assert bulletin_id is not None
        bulletin = session.get(Bulletin, bulletin_id)
        assert bulletin is not None
        own = bulletin.author_id == viewer.id and bulletin.priority is not Priority.emergency
        if not own and (covered is None or target_area_ids(session, bulletin_id) <= covered):
            decidable.append(bulletin_id)
    rank = case(
        (col(Bulletin.priority) == Priority.emergency, 0),
        (col(Bulletin.priority) == Priority.priority, 1),
        else_=2,
    )
    statement = (
        select(Bulletin)
        .where(col(Bulletin.id).in_(decidable))
        .order_by(rank, col(Bulletin.updated_at).desc(), col(Bulletin.id).desc())
    )
    return paginate(session, statement, offset, limit)


def require_visible(session: Session, viewer: User, bulletin_id: int) -> Bulletin:
    bulletin = get_bulletin(session, bulletin_id)
    visible = visible_area_ids(session, viewer)
    if visible is None or bulletin.author_id == viewer.id:
        return bulletin
    if session.exec(
        select(Bulletin.id).where(Bulletin.id == bulletin_id, _targeting(visible))
    ).first():
        return bulletin
    raise PermissionDenied("Bản tin này không thuộc địa bàn bạn phụ trách")


def to_public(session: Session, bulletin: Bulletin) -> BulletinPublic:
    return to_public_many(session, [bulletin])[0]


def to_public_many(session: Session, rows: list[Bulletin]) -> list[BulletinPublic]:
    """Public shapes for a page of bulletins in three queries, whatever the page size."""
    ids = [b.id for b in rows if b.id is not None]
    stations: dict[int, list[str]] = {i: [] for i in ids}
    areas: dict[int, list[str]] = {i: [] for i in ids}
    targets = session.exec(
        select(BulletinTarget.bulletin_id, Station.code, Area.code)
        .outerjoin(Station, col(Station.id) == BulletinTarget.station_id)
        .outerjoin(Area, col(Area.id) == BulletinTarget.area_id)
        .where(col(BulletinTarget.bulletin_id).in_(ids))
    ).all()
    for bulletin_id, station_code, area_code in targets:
        if station_code is not None:
            stations[bulletin_id].append(station_code)
        if area_code is not None:
            areas[bulletin_id].append(area_code)
    author_ids = {b.author_id for b in rows}
    names = dict(
        session.exec(select(User.id, User.username).where(col(User.id).in_(author_ids))).all()
    )
    return [
        BulletinPublic(
            id=b.id or 0,
            title=b.title,
            body=b.body,
            language=b.language,
            category=b.category,
            priority=b.priority,
            valid_from=b.valid_from,
            valid_until=b.valid_until,
            airing=airing_rule_of(b),
            target_station_codes=sorted(stations.get(b.id or 0, [])),
            target_area_codes=sorted(areas.get(b.id or 0, [])),
            translation_of=b.translation_of,
            author_id=b.author_id,
            author_username=names.get(b.author_id),
            status=b.status,
            version=b.version,
            approved_version=b.approved_version,
            approved_clip_id=b.approved_clip_id,
            created_at=b.created_at,
            updated_at=b.updated_at,
        )
        for b in rows
    ]


def versions(session: Session, bulletin_id: int) -> list[BulletinVersion]:
    return list(
        session.exec(
            select(BulletinVersion)
            .where(BulletinVersion.bulletin_id == bulletin_id)
            .order_by(col(BulletinVersion.version))
        ).all()
    )


def reviews(session: Session, bulletin_id: int) -> list[Review]:
    return list(
        session.exec(
            select(Review).where(Review.bulletin_id == bulletin_id).order_by(col(Review.id))
        ).all()
    )


def history(session: Session, bulletin_id: int) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "bulletin", AuditEvent.entity_id == str(bulletin_id))
            .order_by(col(AuditEvent.id))
        ).all()
    )
