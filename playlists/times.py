"""Instants as the programme stores them: timezone-aware UTC, whole milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

MS = timedelta(milliseconds=1)


def utc_ms(value: datetime, what: str = "datetime") -> datetime:
    """`value` in UTC, floored to the millisecond; naive datetimes are refused."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {value!r}")
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond - value.microsecond % 1000)


def iso_utc(value: datetime) -> str:
    """`2026-05-20T22:30:00.000Z`: one fixed width, so strings sort as instants do."""
    value = utc_ms(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def parse_utc(text: str) -> datetime:
    """The inverse of `iso_utc` (also accepts any ISO 8601 string with an offset)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return utc_ms(datetime.fromisoformat(text), "timestamp")


def ms_between(start: datetime, end: datetime) -> int:
    return (end - start) // MS
