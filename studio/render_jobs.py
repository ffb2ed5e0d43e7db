"""The render job: queued clips -> speech -> broadcast chain -> media store -> ready.

Clips wait in the database (status ``rendering``, not yet started). A runner claims one with
an atomic UPDATE, works outside any transaction, and records the outcome in one short
transaction at the end. A runner killed midway leaves the clip claimed and its scratch folder
behind; `recover_interrupted` (run when a runner starts) puts such clips back in the queue, and
the retry starts from a clean folder. Nothing is stored unless it was completely produced.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from media.chain import ProcessedClip, process_clip
from media.errors import MediaError
from studio.audit import Actor, record
from studio.bulletins import target_area_ids
from studio.db import session_scope
from studio.lexicon import entries_for
from studio.models import BulletinVersion, Clip
from studio.types import ClipSource, ClipStatus, Language, utcnow
from studio.voices import VoiceKit, cache_key, region_of
from tts.base import EngineError
from tts.engines import EngineChain, NeedsRecording
from tts.frontend import FRONTEND_VERSION, normalize
from tts.render import render_speech

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class Outcome:
    status: ClipStatus
    fields: dict[str, Any]


def claim(engine: Engine, clip_id: int | None = None) -> int | None:
    """Claim the oldest queued clip (or this one); None when there is nothing to do."""
    with session_scope(engine) as session:
        statement = select(Clip.id).where(
            Clip.status == ClipStatus.rendering, col(Clip.started_at).is_(None)
        )
        if clip_id is not None:
            statement = statement.where(Clip.id == clip_id)
        for candidate in session.exec(statement.order_by(col(Clip.id)).limit(5)).all():
            result = session.execute(
                update(Clip)
                .where(
                    col(Clip.id) == candidate,
                    col(Clip.started_at).is_(None),
                    col(Clip.status) == ClipStatus.rendering,
                )
                .values(started_at=utcnow(), attempts=col(Clip.attempts) + 1)
            )
            if cast(Any, result).rowcount == 1:
                return candidate
    return None


def recover_interrupted(engine: Engine, *, all_started: bool = True) -> list[int]:
    """Requeue clips whose runner died (all started ones at start-up, else the stale ones)."""
    now = utcnow()
    requeued: list[int] = []
    with session_scope(engine) as session:
        stuck = session.exec(
            select(Clip).where(
                Clip.status == ClipStatus.rendering, col(Clip.started_at).is_not(None)
            )
        ).all()
        for clip in stuck:
            assert clip.started_at is not None
            if not all_started and now - clip.started_at < STALE_AFTER:
                continue
            if clip.attempts >= MAX_ATTEMPTS:
                clip.status = ClipStatus.failed
                clip.error = "Tạo âm thanh bị gián đoạn nhiều lần; hãy thử lại"
                clip.finished_at = now
            else:
                clip.started_at = None
                requeued.append(clip.id or 0)
            session.add(clip)
            record(
                session,
                Actor.system("job"),
                "clip.recover",
                "bulletin",
                clip.bulletin_id,
                after={"clip_id": clip.id, "status": str(clip.status)},
            )
    return requeued


def run_clip(engine: Engine, kit: VoiceKit, clip_id: int) -> ClipStatus:
    """Produce a claimed clip and record the outcome."""
    scratch = kit.work_dir / f"clip-{clip_id}"
    shutil.rmtree(scratch, ignore_errors=True)  # leftovers of an interrupted attempt
    scratch.mkdir(parents=True)
    try:
        with session_scope(engine) as session:
            clip = session.get(Clip, clip_id)
            assert clip is not None
            if clip.source is ClipSource.recording:
                # Older rows hold a full path: only its name is trusted, inside the inbox.
                name = Path(str(clip.request.get("upload", ""))).name
                job: Any = ("recording", kit.uploads / name)
            else:
                job = ("tts", _tts_inputs(session, clip))
        try:
            if job[0] == "recording":
                outcome = _from_recording(kit, job[1], scratch)
            else:
                outcome = _from_text(engine, kit, clip_id, job[1], scratch)
        except (MediaError, EngineError, OSError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            outcome = Outcome(ClipStatus.failed, {"error": message})
        _finish(engine, clip_id, outcome)
        if job[0] == "recording":
            # The outcome is final either way (a failed recording is replaced by a new upload,
            # never retried), so the upload would otherwise stay in the inbox for good.
            job[1].unlink(missing_ok=True)
        return outcome.status
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def process_queue(engine: Engine, kit: VoiceKit, limit: int | None = None) -> list[int]:
    """Render queued clips one after another; returns the ids done."""
    done: list[int] = []
    while limit is None or len(done) < limit:
        clip_id = claim(engine)
        if clip_id is None:
            break
        try:
            run_clip(engine, kit, clip_id)
        except Exception:  # one broken clip must not stop the queue
            log.exception("render of clip %s crashed", clip_id)
            _finish(
                engine,
                clip_id,
                Outcome(ClipStatus.failed, {"error": "Lỗi nội bộ khi tạo âm thanh"}),
            )
        done.append(clip_id)
    return done


# ------------------------------------------------------------------ text
@dataclass(frozen=True)
class _TextJob:
    text: str
    language: Language
    lexicon: Any
    voice: str | None
    rate: int
    pitch: int


def _tts_inputs(session: Session, clip: Clip) -> _TextJob:
    snapshot = session.exec(
        select(BulletinVersion).where(
            BulletinVersion.bulletin_id == clip.bulletin_id,
            BulletinVersion.version == clip.bulletin_version,
        )
    ).one()
    content = snapshot.content
    language = Language(content["language"])
    # The title is read first, as an announcer would, then the body.
    text = f"{content['title'].strip()}.\n\n{content['body'].strip()}"
    lexicon = entries_for(session, language, target_area_ids(session, clip.bulletin_id))
    request = clip.request
    return _TextJob(
        text,
        language,
        lexicon,
        request.get("voice"),
        int(request.get("rate", 0)),
        int(request.get("pitch", 0)),
    )


def _from_text(
    engine: Engine, kit: VoiceKit, clip_id: int, job: _TextJob, scratch: Path
) -> Outcome:
    language = job.language.value
    wanted = job.voice or kit.preferred_voices.get(language)
    known = {v.id for _, v in kit.chain.voices(language)}
    reasons: list[str] = []
    for choice in kit.chain.choices(language, wanted if wanted in known else None):
        normalized = normalize(job.text, language, region_of(choice.voice), job.lexicon)
        key = cache_key(
            normalized.text, choice.engine.name, choice.voice, job.rate, job.pitch, kit.params
        )
        base = {
            "engine": choice.engine.name,
            "voice": choice.voice,
            "cache_key": key,
            "normalized_text": normalized.text,
            "frontend_version": FRONTEND_VERSION,
        }
        cached = _cached(engine, kit, key, clip_id)
        if cached is not None:
            return Outcome(ClipStatus.ready, {**cached, **base})
        single = EngineChain({language: [choice.engine]})
        try:
            speech = render_speech(
                normalized,
                single,
                scratch / choice.engine.name,
                choice.voice,
                job.rate,
                job.pitch,
                sample_rate=None,
            )
        except NeedsRecording as exc:
            reasons.extend(exc.reasons)
            continue
        except EngineError as exc:
            reasons.append(f"{choice.engine.name}: {exc.message}")
            continue
        processed = process_clip(speech.path, kit.params, scratch)
        return Outcome(ClipStatus.ready, {**_store(kit, processed), **base})
    if not reasons:
        reasons.append("chưa cấu hình bộ đọc nào cho ngôn ngữ này")
    needs = NeedsRecording(language, reasons)
    status = ClipStatus.needs_recording if language == "km" else ClipStatus.failed
    return Outcome(status, {"error": needs.message})


def _cached(engine: Engine, kit: VoiceKit, key: str, clip_id: int) -> dict[str, Any] | None:
    with session_scope(engine) as session:
        for hit in session.exec(
            select(Clip).where(
                Clip.cache_key == key, Clip.status == ClipStatus.ready, Clip.id != clip_id
            )
        ).all():
            if hit.sha256 and kit.store.verify(hit.sha256, "mp3"):
                return {
                    "sha256": hit.sha256,
                    "master_sha256": hit.master_sha256,
                    "size_bytes": hit.size_bytes,
                    "duration_ms": hit.duration_ms,
                    "loudness_lufs": hit.loudness_lufs,
                    "true_peak_dbtp": hit.true_peak_dbtp,
                }
    return None


# ------------------------------------------------------------------ recordings
def _from_recording(kit: VoiceKit, upload: Path, scratch: Path) -> Outcome:
    if not upload.is_file():
        return Outcome(ClipStatus.failed, {"error": "Tệp ghi âm đã tải lên không còn; hãy tải lại"})
    processed = process_clip(upload, kit.params, scratch)
    return Outcome(ClipStatus.ready, _store(kit, processed))


def _store(kit: VoiceKit, processed: ProcessedClip) -> dict[str, Any]:
    broadcast = kit.store.put(processed.broadcast, "mp3")
    master = kit.store.put(processed.master, "flac")
    return {
        "sha256": broadcast.sha256,
        "master_sha256": master.sha256,
        "size_bytes": broadcast.size,
        "duration_ms": processed.duration_ms,
        "loudness_lufs": round(processed.loudness_lufs, 2),
        "true_peak_dbtp": round(processed.true_peak_dbtp, 2),
    }


def _finish(engine: Engine, clip_id: int, outcome: Outcome) -> None:
    with session_scope(engine) as session:
        clip = session.get(Clip, clip_id)
        assert clip is not None
        for key, value in outcome.fields.items():
            setattr(clip, key, value)
        clip.status = outcome.status
        clip.finished_at = utcnow()
        session.add(clip)
        record(
            session,
            Actor.system("job"),
            f"clip.{outcome.status.value}",
            "bulletin",
            clip.bulletin_id,
            after={
                "clip_id": clip_id,
                "status": outcome.status.value,
                "engine": clip.engine,
                "voice": clip.voice,
                "sha256": clip.sha256,
            },
            detail=clip.error,
        )
