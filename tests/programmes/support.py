"""Approved bulletins and broadcast windows in a test database, for the programme tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from studio import bulletins, windows
from studio.audit import Actor
from studio.models import Bulletin, Clip
from studio.schedule_models import ExceptionCreate, WindowCreate
from tests.factories import SYSTEM, World, make_bulletin, make_ready_clip

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = date(2027, 3, 10)  # a Wednesday, far enough ahead to be buildable for years of CI runs
# "Now" for builds: the evening before DAY, local time.
EVE = datetime.combine(DAY - timedelta(days=1), time(20, 0), tzinfo=VN).astimezone(UTC)


def local(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), tzinfo=VN).astimezone(UTC)


def approved(
    session: Session,
    world: World,
    *,
    author: str = "editor_a",
    approver: str = "approver_p",
    duration_ms: int | None = None,
    media_dir: Any = None,
    **content: Any,
) -> Bulletin:
    """A bulletin written, given a ready clip, submitted and approved. `duration_ms` overrides
    the clip's recorded length (the builder only reads the number)."""
    content.setdefault("valid_from", None)
    bulletin = make_bulletin(session, world[author], **content)
    assert bulletin.id is not None
    clip = make_ready_clip(session, bulletin, media_dir)
    if duration_ms is not None:
        clip.duration_ms = duration_ms
        session.add(clip)
        session.flush()
    bulletins.submit(session, Actor(user=world[author]), bulletin.id)
    bulletins.approve(
        session, Actor(user=world[approver]), bulletin.id, bulletin.version, clip_id=clip.id
    )
    session.commit()
    return bulletin


def clip_of(session: Session, bulletin: Bulletin) -> Clip:
    assert bulletin.approved_clip_id is not None
    clip = session.get(Clip, bulletin.approved_clip_id)
    assert clip is not None
    return clip


def add_window(
    session: Session,
    kind: str,
    code: str,
    name: str,
    start: time,
    minutes: float,
    **extra: Any,
) -> int:
    owner = windows.owner_of(session, kind, code)
    row = windows.create_window(
        session,
        SYSTEM,
        owner,
        WindowCreate(name=name, start_time=start, length_minutes=minutes, **extra),
    )
    session.commit()
    assert row.id is not None
    return row.id


def add_exception(session: Session, owner_kind: str, code: str, **data: Any) -> int:
    owner = windows.owner_of(session, owner_kind, code)
    row = windows.create_exception(session, SYSTEM, owner, ExceptionCreate(**data))
    session.commit()
    assert row.id is not None
    return row.id


def two_sessions(session: Session, area: str = "P") -> None:
    """The province's usual day: "Sáng" 05:30 and "Chiều" 17:00, 30 minutes each."""
    add_window(session, "area", area, "Sáng", time(5, 30), 30)
    add_window(session, "area", area, "Chiều", time(17, 0), 30)
