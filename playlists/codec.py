"""A programme as plain JSON data and back: for storing versions, digests and exports.

Canonical JSON (sorted keys, no spaces, UTF-8, only strings and integers) is what digests and
signatures are computed over, so any other implementation can reproduce them byte for byte.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from playlists.model import ItemKind, Programme, ProgrammeItem, Session, Skipped
from playlists.times import iso_utc, parse_utc


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def item_to_dict(item: ProgrammeItem) -> dict[str, Any]:
    return {
        "session": item.session,
        "start": iso_utc(item.start),
        "duration_ms": item.duration_ms,
        "kind": item.kind.value,
        "clip_id": item.clip_id,
        "clip_sha256": item.clip_sha256,
        "size": item.size,
        "title": item.title,
        "language": item.language,
        "bulletin_id": item.bulletin_id,
        "version": item.version,
        "reason": item.reason,
    }


def item_from_dict(data: dict[str, Any]) -> ProgrammeItem:
    return ProgrammeItem(
        session=data["session"],
        start=parse_utc(data["start"]),
        duration_ms=int(data["duration_ms"]),
        kind=ItemKind(data["kind"]),
        clip_id=int(data["clip_id"]),
        clip_sha256=data["clip_sha256"],
        size=int(data["size"]),
        title=data["title"],
        language=data["language"],
        bulletin_id=data["bulletin_id"],
        version=data["version"],
        reason=data["reason"],
    )


def _session_to_dict(session: Session) -> dict[str, Any]:
    return {
        "name": session.name,
        "day": session.day.isoformat(),
        "start": iso_utc(session.start),
        "end": iso_utc(session.end),
        "notes": list(session.notes),
    }


def _skipped_to_dict(skipped: Skipped) -> dict[str, Any]:
    return {
        "bulletin_id": skipped.bulletin_id,
        "version": skipped.version,
        "title": skipped.title,
        "language": skipped.language,
        "reason": skipped.reason,
    }


def _skipped_from_dict(data: dict[str, Any]) -> Skipped:
    return Skipped(
        int(data["bulletin_id"]),
        int(data["version"]),
        data["title"],
        data["language"],
        data["reason"],
    )


def programme_to_dict(programme: Programme) -> dict[str, Any]:
    return {
        "station": programme.station,
        "day": programme.day.isoformat(),
        "tz": programme.tz,
        "sessions": [_session_to_dict(s) for s in programme.sessions],
        "items": [item_to_dict(i) for i in programme.items],
        "unplaced": [_skipped_to_dict(s) for s in programme.unplaced],
        "excluded": [_skipped_to_dict(s) for s in programme.excluded],
    }


def programme_from_dict(data: dict[str, Any]) -> Programme:
    """The inverse of `programme_to_dict` (a stored version loaded back for diff or rebuild)."""
    return Programme(
        station=data["station"],
        day=date.fromisoformat(data["day"]),
        tz=data["tz"],
        sessions=tuple(
            Session(
                s["name"],
                date.fromisoformat(s["day"]),
                parse_utc(s["start"]),
                parse_utc(s["end"]),
                tuple(s["notes"]),
            )
            for s in data["sessions"]
        ),
        items=tuple(item_from_dict(i) for i in data["items"]),
        unplaced=tuple(_skipped_from_dict(s) for s in data["unplaced"]),
        excluded=tuple(_skipped_from_dict(s) for s in data["excluded"]),
    )


def programme_to_json(programme: Programme) -> str:
    return canonical_json(programme_to_dict(programme))
