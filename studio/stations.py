"""The station registry and station tokens."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from studio.areas import area_for_input
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import (
    Area,
    BulletinTarget,
    Jingle,
    Station,
    StationCreate,
    StationPublic,
    StationToken,
    StationUpdate,
)
from studio.pagination import paginate
from studio.schedule_models import BroadcastWindow, ProgrammeVersion, WindowException
from studio.security import new_station_token, station_token_digest
from studio.types import Language, StreamCodec, utcnow


def get_station(session: Session, code: str) -> Station:
    station = session.exec(select(Station).where(Station.code == code)).first()
    if station is None:
        raise NotFound(f"Không tìm thấy đài có mã {code!r}")
    return station


def default_mount(code: str, codec: StreamCodec = StreamCodec.mp3) -> str:
    """`/<code>.<codec>`: players and relays go by the extension (`/tri-ton.opus`)."""
    return "/" + re.sub(r"[^A-Za-z0-9_-]", "-", code).lower() + "." + codec.value


def to_public(session: Session, station: Station) -> StationPublic:
    area = session.get(Area, station.area_id)
    assert station.id is not None
    return StationPublic(
        id=station.id,
        code=station.code,
        name=station.name,
        area_id=station.area_id,
        area_code=area.code if area else None,
        kind=station.kind,
        languages=[Language(x) for x in station.languages],
        timezone=station.timezone,
        mount=station.mount,
        enabled=station.enabled,
        gap_ms=station.gap_ms,
        accepts_tests=station.accepts_tests,
        stream_codec=station.stream_codec,
        stream_bitrate_kbps=station.stream_bitrate_kbps,
        opening_jingle_id=station.opening_jingle_id,
        closing_jingle_id=station.closing_jingle_id,
    )


def _snapshot(station: Station) -> dict[str, object]:
    return {
        "code": station.code,
        "name": station.name,
        "area_id": station.area_id,
        "kind": str(station.kind),
        "languages": list(station.languages),
        "timezone": station.timezone,
        "mount": station.mount,
        "enabled": station.enabled,
        "gap_ms": station.gap_ms,
        "accepts_tests": station.accepts_tests,
        "stream": f"{station.stream_codec} {station.stream_bitrate_kbps}k",
        "opening_jingle_id": station.opening_jingle_id,
        "closing_jingle_id": station.closing_jingle_id,
    }


def _check_mount_free(session: Session, mount: str, station_id: int | None) -> None:
    other = session.exec(select(Station).where(Station.mount == mount)).first()
    if other is not None and other.id != station_id:
        raise Conflict(f"Mount {mount!r} đã được đài {other.code!r} dùng")


def create_station(session: Session, actor: Actor, data: StationCreate) -> Station:
    if session.exec(select(Station).where(Station.code == data.code)).first():
        raise Conflict(f"Mã đài {data.code!r} đã tồn tại")
    area = area_for_input(session, data.area_code)
    mount = data.mount or default_mount(data.code, data.stream_codec)
    _check_mount_free(session, mount, None)
    assert area.id is not None
    station = Station(
        code=data.code,
        name=data.name,
        area_id=area.id,
        kind=data.kind,
        languages=[str(x) for x in data.languages],
        timezone=data.timezone,
        mount=mount,
        enabled=data.enabled,
        gap_ms=data.gap_ms,
        accepts_tests=data.accepts_tests,
        stream_codec=data.stream_codec,
        stream_bitrate_kbps=data.stream_bitrate_kbps,
        opening_jingle_id=data.opening_jingle_id,
        closing_jingle_id=data.closing_jingle_id,
    )
    for jingle_id in (data.opening_jingle_id, data.closing_jingle_id):
        if jingle_id is not None and session.get(Jingle, jingle_id) is None:
            raise InvalidInput(f"Không tìm thấy nhạc hiệu {jingle_id}")
    session.add(station)
    session.flush()
    record(session, actor, "station.create", "station", station.code, after=_snapshot(station))
    return station


def update_station(session: Session, actor: Actor, code: str, data: StationUpdate) -> Station:
    station = get_station(session, code)
    before = _snapshot(station)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("area_code") is not None:
        area = area_for_input(session, changes.pop("area_code"))
        assert area.id is not None
        station.area_id = area.id
    changes.pop("area_code", None)
    codec = changes.get("stream_codec")
    if codec is not None and changes.get("mount") is None:
        # A station on its default mount follows its new codec's name; a chosen mount stays.
        if station.mount == default_mount(station.code, station.stream_codec):
            changes["mount"] = default_mount(station.code, codec)
    if changes.get("mount") is not None:
        _check_mount_free(session, changes["mount"], station.id)
    if changes.get("languages") is not None:
        changes["languages"] = [str(x) for x in changes["languages"]]
    nullable = {"gap_ms", "opening_jingle_id", "closing_jingle_id"}  # null: back to none
    for key in ("opening_jingle_id", "closing_jingle_id"):
        if changes.get(key) is not None and session.get(Jingle, changes[key]) is None:
            raise InvalidInput(f"Không tìm thấy nhạc hiệu {changes[key]}")
    for key, value in changes.items():
        if value is not None or key in nullable:
            setattr(station, key, value)
    session.add(station)
    session.flush()
    record(
        session,
        actor,
        "station.update",
        "station",
        station.code,
        before=before,
        after=_snapshot(station),
    )
    return station


def delete_station(session: Session, actor: Actor, code: str) -> None:
    station = get_station(session, code)
    if session.exec(
        select(BulletinTarget.id).where(BulletinTarget.station_id == station.id)
    ).first():
        raise Conflict(f"Đài {code!r} là đích của bản tin; hãy tắt (enabled=false) thay vì xóa")
    if session.exec(
        select(ProgrammeVersion.id).where(ProgrammeVersion.station_id == station.id)
    ).first():
        raise Conflict(f"Đài {code!r} đã có chương trình phát; hãy tắt (enabled=false) thay vì xóa")
    for row in [
        *session.exec(select(BroadcastWindow).where(BroadcastWindow.station_id == station.id)),
        *session.exec(select(WindowException).where(WindowException.station_id == station.id)),
    ]:
        session.delete(row)
    for token in session.exec(select(StationToken).where(StationToken.station_id == station.id)):
        session.delete(token)
    # No ORM relationship tells the unit of work to delete the tokens first: flush them now, or
    # the station row may go first and break the foreign key.
    session.flush()
    record(session, actor, "station.delete", "station", station.code, before=_snapshot(station))
    session.delete(station)
    session.flush()


def list_stations(
    session: Session, offset: int, limit: int, area_ids: set[int] | None = None
) -> tuple[list[Station], int]:
    statement = select(Station).order_by(col(Station.code))
    if area_ids is not None:
        statement = statement.where(col(Station.area_id).in_(area_ids))
    return paginate(session, statement, offset, limit)


def issue_token(session: Session, actor: Actor, code: str, label: str) -> tuple[StationToken, str]:
    """Create a station token; the plain token is returned once and never stored."""
    station = get_station(session, code)
    assert station.id is not None
    plain = new_station_token()
    token = StationToken(
        station_id=station.id, label=label, token_sha256=station_token_digest(plain)
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor,
        "station.token.issue",
        "station",
        station.code,
        after={"token_id": token.id, "label": label},
    )
    return token, plain


def revoke_token(session: Session, actor: Actor, code: str, token_id: int) -> None:
    station = get_station(session, code)
    token = session.get(StationToken, token_id)
    if token is None or token.station_id != station.id:
        raise NotFound(f"Không tìm thấy mã truy cập {token_id} của đài {code!r}")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.add(token)
        record(
            session,
            actor,
            "station.token.revoke",
            "station",
            station.code,
            after={"token_id": token.id},
        )
    session.flush()


def token_and_station_for(session: Session, plain: str) -> tuple[StationToken, Station] | None:
    """The live token and its enabled station, or None (unknown, revoked, station disabled)."""
    token = session.exec(
        select(StationToken).where(StationToken.token_sha256 == station_token_digest(plain))
    ).first()
    if token is None or token.revoked_at is not None:
        return None
    station = session.get(Station, token.station_id)
    if station is None or not station.enabled:
        return None
    return token, station


def station_for_token(session: Session, plain: str) -> Station | None:
    found = token_and_station_for(session, plain)
    return found[1] if found is not None else None
