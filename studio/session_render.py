"""One audio file per session, for store-and-forward endpoints that play a day offline.

The file holds the session's clips at their planned offsets from the session start, with the
gaps as silence (media.session streams it through ffmpeg, copying the clips' MP3 frames). It
is stored in the media store and keyed by what it contains, so a rebuild that leaves a session
unchanged reuses the file, and the manifest carries its URL, size and sha256.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session, select

from media.errors import MediaError
from media.session import SessionPart, render_session
from media.store import MediaStore
from studio.audit import Actor, record
from studio.errors import InvalidInput
from studio.models import Station
from studio.programmes import programme_of, require_current, session_content_key, session_format
from studio.schedule_models import SessionAudio
from studio.settings import Settings

MS = timedelta(milliseconds=1)


def render_day(
    session: Session,
    settings: Settings,
    station: Station,
    day: date,
    *,
    actor: Actor | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> dict[str, SessionAudio]:
    """Render (or reuse) the file of every session of the station's current programme that
    has items. Returns them by session name; flushes, does not commit."""
    actor = actor or Actor.system("job")
    programme = programme_of(require_current(session, station, day))
    store = MediaStore(settings.media_dir)
    fmt = session_format(settings)
    out: dict[str, SessionAudio] = {}
    for s in programme.sessions:
        items = [i for i in programme.items if i.session == s.name]
        if not items:
            continue
        key = session_content_key(items, s.start, fmt)
        existing = session.exec(select(SessionAudio).where(SessionAudio.content_key == key)).first()
        if existing is not None and store.verify(existing.sha256, "mp3"):
            out[s.name] = existing
            continue
        parts = []
        for item in items:
            path = store.path_for(item.clip_sha256, "mp3")
            if not path.is_file():
                raise InvalidInput(
                    f"Thiếu tệp âm thanh của «{item.title}» ({item.clip_sha256[:12]}…) trong kho"
                )
            parts.append(SessionPart(path, (item.start - s.start) // MS, item.duration_ms))
        settings.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=settings.work_dir, prefix="session-") as tmp:
            report = None
            if progress is not None:
                name = s.name

                def report(fraction: float, name: str = name) -> None:
                    progress(name, fraction)

            try:
                rendered = render_session(
                    parts,
                    Path(tmp) / "session.mp3",
                    Path(tmp),
                    sample_rate=settings.media.sample_rate,
                    bitrate_kbps=settings.media.bitrate_kbps,
                    progress=report,
                )
            except MediaError as exc:
                raise InvalidInput(f"Không dựng được tệp buổi {s.name}: {exc.message}") from None
            stored = store.put(rendered.path, "mp3")
        row = existing or SessionAudio(content_key=key, sha256="", size_bytes=0, duration_ms=0)
        row.sha256, row.size_bytes, row.duration_ms = (
            stored.sha256,
            stored.size,
            rendered.duration_ms,
        )
        session.add(row)
        session.flush()
        record(
            session,
            actor,
            "session_audio.render",
            "session_audio",
            row.id,
            after={"sha256": row.sha256, "size": row.size_bytes, "duration_ms": row.duration_ms},
            detail=f"{station.code} {day.isoformat()} {s.name}",
        )
        out[s.name] = row
    return out
