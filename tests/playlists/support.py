"""Plain factories for the programme builder's value objects."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from playlists import (
    AiringRule,
    BroadcastWindow,
    Candidate,
    Priority,
    Programme,
    Session,
    StationClip,
    StationPlan,
    sessions_for,
)

DAY = date(2026, 5, 20)  # a Wednesday
VN = "Asia/Ho_Chi_Minh"  # UTC+7 all year
ADDED = datetime(2026, 5, 18, 9, 0, tzinfo=UTC)

SANG = BroadcastWindow("Sáng", time(5, 30), timedelta(minutes=30))
CHIEU = BroadcastWindow("Chiều", time(17, 0), timedelta(minutes=30))


def sha(n: int) -> str:
    return hashlib.sha256(f"clip-{n}".encode()).hexdigest()


def local(day: date, hh: int, mm: int = 0, ss: int = 0, tz: str = VN) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.combine(day, time(hh, mm, ss), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def cand(
    bulletin_id: int,
    *,
    minutes: float = 1.0,
    language: str = "vi",
    category: str = "health",
    priority: Priority = Priority.normal,
    added_hours: float = 0.0,
    airing: AiringRule | None = None,
    **extra: Any,
) -> Candidate:
    """Bulletin `bulletin_id` with clip `100 + id`; `added_hours` after ADDED (older first)."""
    return Candidate(
        bulletin_id=bulletin_id,
        version=extra.pop("version", 1),
        clip_id=extra.pop("clip_id", 100 + bulletin_id),
        clip_sha256=extra.pop("clip_sha256", sha(bulletin_id)),
        size=extra.pop("size", 6_000 * max(1, int(minutes * 60))),
        duration_ms=int(minutes * 60_000),
        title=extra.pop("title", f"Bản tin {bulletin_id}"),
        language=language,
        category=category,
        priority=priority,
        added_at=ADDED + timedelta(hours=added_hours),
        airing=airing or AiringRule.once(),
        **extra,
    )


def station(**kwargs: Any) -> StationPlan:
    kwargs.setdefault("code", "tri-ton-1")
    kwargs.setdefault("tz", VN)
    return StationPlan(**kwargs)


IDENT = StationClip(9001, sha(9001), 24_000, 4_000, "Nhạc hiệu Đài Tri Tôn")
CHIME = StationClip(9002, sha(9002), 12_000, 2_000, "Chuông kết thúc")


def two_sessions(day: date = DAY, tz: str = VN) -> list[Session]:
    return sessions_for(day, [SANG, CHIEU], tz=tz)


def bulletins_in(programme: Programme, session: str) -> list[int]:
    return [
        i.bulletin_id for i in programme.items if i.session == session and i.bulletin_id is not None
    ]


def reasons(programme: Programme) -> dict[tuple[str, int], str]:
    return {
        (i.session, i.bulletin_id): i.reason for i in programme.items if i.bulletin_id is not None
    }
