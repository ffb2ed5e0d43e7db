"""Station jingles: idents and chimes played at the opening and closing of each session.

An upload is checked like a recording, run through the broadcast chain and stored in the house
format before the row exists, so a jingle is always playable. Unlike a bulletin clip, a jingle
gets no pre-roll (it plays inside a session, after the amplifiers are already on) and no chime
(it usually *is* the chime); silence is still trimmed so the session keeps its planned timing.

Processing runs synchronously, in the caller's thread. That is acceptable because a jingle is
at most 30 seconds long: the chain decodes it a handful of times (probe, scan, render, measure;
rarely a second render), about a second in all (measured: 0.1 s of checks and 0.9 s of chain
for 29.5 s of 48 kHz stereo), and the API runs the route in a worker thread, so the event loop
never waits. Bulletin recordings, up to 15 minutes, go through
the job queue instead.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, col, or_, select

from media.chain import ClipChainParams, process_clip
from media.errors import MediaError
from media.recording import inspect_recording
from media.store import MediaStore
from studio.audit import Actor, record
from studio.errors import Conflict, InvalidInput, NotFound
from studio.models import MAX_ID, Jingle, JinglePublic, Station
from studio.pagination import paginate
from studio.settings import Settings
from studio.voices import build_kit

MAX_JINGLE_S = 30.0
MAX_TITLE = 200


def jingle_params(kit_params: ClipChainParams) -> ClipChainParams:
    """The clip chain as jingles need it: same loudness and format, no pre-roll, no chime."""
    return replace(kit_params, preroll_ms=0, chime=None)


def _clean_title(title: str) -> str:
    cleaned = " ".join(title.split())
    if not cleaned:
        raise InvalidInput("Nhạc hiệu cần có tên (title)")
    if len(cleaned) > MAX_TITLE:
        raise InvalidInput(f"Tên nhạc hiệu dài quá {MAX_TITLE} ký tự")
    if "\x00" in cleaned:
        raise InvalidInput("Tên nhạc hiệu không được chứa ký tự NUL (\\0)")
    return cleaned


def _snapshot(jingle: Jingle) -> dict[str, object]:
    return {
        "title": jingle.title,
        "sha256": jingle.sha256,
        "size_bytes": jingle.size_bytes,
        "duration_ms": jingle.duration_ms,
        "loudness_lufs": jingle.loudness_lufs,
    }


def add_jingle(
    session: Session,
    settings: Settings,
    actor: Actor,
    src_path: Path,
    title: str,
    *,
    kit_params: ClipChainParams | None = None,
) -> Jingle:
    """Check, process and store `src_path` (left where it is: the caller owns it) as a jingle.

    `kit_params` is the clip chain of the voice kit; built from `settings` when not given.
    Every refusal is an InvalidInput with the operator's reason, and leaves nothing behind.
    """
    cleaned = _clean_title(title)
    try:
        inspect_recording(src_path, MAX_JINGLE_S, settings.media.max_upload_bytes)
    except MediaError as exc:
        raise InvalidInput(exc.message) from None
    params = jingle_params(kit_params if kit_params is not None else build_kit(settings).params)
    settings.work_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=settings.work_dir, prefix="jingle-"))
    try:
        try:
            processed = process_clip(src_path, params, scratch)
        except MediaError as exc:
            raise InvalidInput(exc.message) from None
        stored = MediaStore(settings.media_dir).put(processed.broadcast, "mp3")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    # No FLAC master: the jingle table has no column to find one by, and a master nobody can
    # reach would only fill the store.
    jingle = Jingle(
        title=cleaned,
        sha256=stored.sha256,
        size_bytes=stored.size,
        duration_ms=processed.duration_ms,
        loudness_lufs=round(processed.loudness_lufs, 2),
        created_by_id=actor.user_id,
    )
    session.add(jingle)
    session.flush()
    record(session, actor, "jingle.create", "jingle", jingle.id, after=_snapshot(jingle))
    return jingle


def get_jingle(session: Session, jingle_id: int) -> Jingle:
    # Beyond MAX_ID the database overflows instead of finding nothing.
    jingle = session.get(Jingle, jingle_id) if 1 <= jingle_id <= MAX_ID else None
    if jingle is None:
        raise NotFound(f"Không tìm thấy nhạc hiệu {jingle_id}")
    return jingle


def list_jingles(session: Session, offset: int = 0, limit: int = 1000) -> tuple[list[Jingle], int]:
    return paginate(session, select(Jingle).order_by(col(Jingle.id)), offset, limit)


def stations_using(session: Session, jingle_id: int) -> list[tuple[str, str]]:
    """(station code, "mở đầu" or "kết thúc") for each use of the jingle, by station code."""
    rows = session.exec(
        select(Station)
        .where(
            or_(
                col(Station.opening_jingle_id) == jingle_id,
                col(Station.closing_jingle_id) == jingle_id,
            )
        )
        .order_by(col(Station.code))
    ).all()
    uses: list[tuple[str, str]] = []
    for station in rows:
        if station.opening_jingle_id == jingle_id:
            uses.append((station.code, "mở đầu"))
        if station.closing_jingle_id == jingle_id:
            uses.append((station.code, "kết thúc"))
    return uses


def delete_jingle(session: Session, actor: Actor, jingle_id: int) -> None:
    """Remove the row. The MP3 stays in the store: programmes already published (and session
    files rendered from them) still name its sha256, and the store is content-addressed."""
    jingle = get_jingle(session, jingle_id)
    uses = stations_using(session, jingle_id)
    if uses:
        where = ", ".join(f"{code} ({part})" for code, part in uses)
        raise Conflict(
            f"Nhạc hiệu {jingle_id} đang được dùng ở đài {where}; hãy bỏ gán trước khi xoá"
        )
    record(session, actor, "jingle.delete", "jingle", jingle_id, before=_snapshot(jingle))
    session.delete(jingle)
    session.flush()


def to_public(jingle: Jingle) -> JinglePublic:
    assert jingle.id is not None
    return JinglePublic(
        id=jingle.id,
        title=jingle.title,
        sha256=jingle.sha256,
        size_bytes=jingle.size_bytes,
        duration_ms=jingle.duration_ms,
        loudness_lufs=jingle.loudness_lufs,
        created_at=jingle.created_at,
    )
