"""Airing rules: how many airings a bulletin wants on one local day."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from playlists.model import AiringMode, Candidate


def quota_today(candidate: Candidate, day: date, zone: ZoneInfo, sessions: int) -> tuple[int, str]:
    """(airings wanted on `day`, the reason when none). `sessions` is how many of the day's
    sessions the bulletin is valid in; an every-session rule wants all of them.

    A spread of N airings over D days wants ceil(remaining / remaining days) today, so a
    bulletin behind schedule catches up without piling into one day.
    """
    rule = candidate.airing
    if rule.mode is AiringMode.every_session:
        assert rule.first_day is not None
        assert rule.last_day is not None
        if day < rule.first_day:
            return 0, f"chưa đến đợt phát mọi buổi: bắt đầu ngày {rule.first_day}"
        if day > rule.last_day:
            return 0, f"đợt phát mọi buổi đã kết thúc ngày {rule.last_day}"
        return sessions, ""
    total = 1 if rule.mode is AiringMode.once else rule.times
    remaining = total - candidate.aired
    if remaining <= 0:
        return 0, f"đã phát {candidate.aired}/{total} lần"
    if rule.mode is AiringMode.once:
        return 1, ""
    first = rule.first_day or (candidate.valid_from or candidate.added_at).astimezone(zone).date()
    last = first + timedelta(days=rule.days - 1)
    if day < first:
        return 0, f"chưa đến đợt phát: bắt đầu ngày {first}"
    if day > last:
        return 0, f"đợt phát {first} - {last} đã kết thúc (đã phát {candidate.aired}/{total} lần)"
    days_left = (last - day).days + 1
    return -(-remaining // days_left), ""
