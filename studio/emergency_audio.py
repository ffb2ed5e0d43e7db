"""The audio of an emergency, made while the operator waits: a text spoken at once, an approved
bulletin's clip, or an uploaded recording, each in the house format in the media store.

Text is spoken by the language's engine chain, with the online engine (edge) held to one time
budget for the whole text (`settings.onair.emergency_edge_timeout_s`, 2 s): an emergency cannot
wait for a slow service, so Vietnamese falls back to espeak-ng (offline, ~0.1 s). Edge gets the
whole text in one request (its sentence pauses are its own): one round trip instead of one per
sentence. Khmer has no offline voice; when edge fails the operator is told to upload a recording.
The broadcast chain then runs as for any clip (high-pass, loudness, pre-roll and the configured
chime before the message).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import Session

from media.chain import ClipChainParams, process_clip
from media.errors import MediaError
from media.recording import inspect_recording
from studio.bulletins import get_bulletin
from studio.clips import RECORDING_TYPES
from studio.errors import Conflict, InvalidInput, NotFound
from studio.lexicon import entries_for
from studio.models import Clip
from studio.settings import Settings
from studio.types import BulletinStatus, ClipStatus, Language
from studio.voices import VoiceKit, region_of
from tts.base import Engine, EngineError, SynthesisRequest, SynthesisResult, Voice
from tts.edge import EdgeEngine
from tts.engines import EngineChain, NeedsRecording
from tts.frontend import NormalizedText, Segment, normalize
from tts.render import render_speech

log = logging.getLogger(__name__)
Accept = Callable[[int], None]  # raises when the audio (its length in ms) will not do
UPLOAD_HINT = "hãy tải lên bản ghi âm của người đọc (POST /api/v1/emergencies/audio)"


class NeedsRecordingError(Conflict):
    """No voice can speak the text now: the operator must upload a recording."""

    code = "needs_recording"


@dataclass(frozen=True)
class Prepared:
    sha256: str  # of the broadcast MP3 in the media store
    duration_ms: int
    engine: str  # edge, espeak, recording, or the bulletin clip's engine
    voice: str = ""
    fallback: tuple[str, ...] = ()  # why faster-first engines were passed over
    language: str | None = None  # when the source has its own (a bulletin)


class EdgeWithin:
    """The edge engine held to one budget for all its calls (every sentence of a text)."""

    name = "edge"

    def __init__(self, edge: EdgeEngine, budget_s: float) -> None:
        self._edge = edge
        self._budget = budget_s
        self._deadline = time.monotonic() + budget_s

    def voices(self) -> list[Voice]:
        return self._edge.voices()

    def can_speak(self, language: str) -> bool:
        return self._edge.can_speak(language)

    def default_voice(self, language: str) -> str:
        return self._edge.default_voice(language)

    def synthesize(self, request: SynthesisRequest, out_path: Path) -> SynthesisResult:
        left = self._deadline - time.monotonic()
        if left <= 0.01:
            raise EngineError(self.name, f"Dịch vụ Edge không trả lời trong {self._budget:g} giây")
        return EdgeEngine(self._edge.endpoint, left).synthesize(request, out_path)


def chain_params(kit: VoiceKit, chime: bool) -> ClipChainParams:
    """The house chain; the configured chime (if any) before the message unless refused."""
    return kit.params if chime else replace(kit.params, chime=None)


def _scratch(kit: VoiceKit) -> Path:
    kit.work_dir.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(dir=kit.work_dir, prefix="emergency-"))


def _accept_any(duration_ms: int) -> None:
    return None


def _store(
    kit: VoiceKit, src: Path, params: ClipChainParams, scratch: Path, accept: Accept
) -> tuple[str, int]:
    """The chain, the caller's check of the result (nothing is stored if it fails), the store."""
    processed = process_clip(src, params, scratch)
    accept(processed.duration_ms)
    stored = kit.store.put(processed.broadcast, "mp3")
    return stored.sha256, processed.duration_ms


def _one_segment(normalized: NormalizedText) -> NormalizedText:
    text = " ".join(s.text.strip() for s in normalized.segments if s.text.strip())
    return replace(normalized, segments=(Segment(text, 0),))


def _attempts(kit: VoiceKit, settings: Settings, language: str) -> list[tuple[Engine, str]]:
    """(engine, voice) in chain order, edge wrapped in the emergency budget (started now)."""
    preferred = kit.preferred_voices.get(language)
    known = {v.id for _, v in kit.chain.voices(language)}
    out: list[tuple[Engine, str]] = []
    for choice in kit.chain.choices(language, preferred if preferred in known else None):
        engine: Engine = choice.engine
        if isinstance(engine, EdgeEngine):
            engine = EdgeWithin(engine, settings.onair.emergency_edge_timeout_s)
        out.append((engine, choice.voice))
    return out


def from_text(
    session: Session,
    kit: VoiceKit,
    settings: Settings,
    text: str,
    language: Language,
    area_ids: set[int],
    *,
    chime: bool,
    accept: Accept = _accept_any,
) -> Prepared:
    """Speak `text` with the first engine of the chain that manages it within its budget."""
    lexicon = entries_for(session, language, area_ids)
    params = chain_params(kit, chime)
    scratch = _scratch(kit)
    reasons: list[str] = []
    try:
        for engine, voice in _attempts(kit, settings, language.value):
            normalized = normalize(text, language.value, region_of(voice), lexicon)
            if engine.name == "edge":
                normalized = _one_segment(normalized)
            single = EngineChain({language.value: [engine]})
            try:
                speech = render_speech(
                    normalized,
                    single,
                    scratch / engine.name,
                    voice,
                    kit.rate_percent,
                    0,
                    sample_rate=None,
                )
            except NeedsRecording as exc:
                reasons.extend(exc.reasons)
                continue
            except EngineError as exc:
                reasons.append(f"{engine.name}: {exc.message}")
                continue
            if reasons:
                log.warning("emergency speech by %s after: %s", engine.name, "; ".join(reasons))
            try:
                sha256, duration_ms = _store(kit, speech.path, params, scratch, accept)
            except MediaError as exc:
                raise InvalidInput(f"Không xử lý được âm thanh: {exc.message}") from None
            return Prepared(sha256, duration_ms, engine.name, voice, tuple(reasons))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    headline = NeedsRecording(language.value, reasons).message
    raise NeedsRecordingError(f"{headline}. Để phát khẩn cấp ngay, {UPLOAD_HINT}")


def from_bulletin(session: Session, kit: VoiceKit, bulletin_id: int) -> tuple[Prepared, str]:
    """The approved clip of an approved bulletin, and the bulletin's title."""
    try:
        bulletin = get_bulletin(session, bulletin_id)
    except NotFound as exc:  # named in the request body: invalid input, not a missing page
        raise InvalidInput(exc.message) from None
    if bulletin.status is not BulletinStatus.approved or bulletin.approved_clip_id is None:
        raise Conflict(f"Bản tin {bulletin_id} chưa được duyệt; chỉ phát khẩn cấp bản tin đã duyệt")
    clip = session.get(Clip, bulletin.approved_clip_id)
    if clip is None or clip.status is not ClipStatus.ready or not clip.sha256:
        raise Conflict(f"Bản âm thanh đã duyệt của bản tin {bulletin_id} chưa sẵn sàng")
    if not kit.store.verify(clip.sha256, "mp3"):
        raise Conflict(f"Tệp âm thanh của bản tin {bulletin_id} thiếu hoặc hỏng trong kho")
    prepared = Prepared(
        clip.sha256,
        clip.duration_ms or 0,
        clip.engine or "",
        clip.voice or "",
        language=bulletin.language.value,
    )
    return prepared, bulletin.title


def from_upload(
    kit: VoiceKit,
    settings: Settings,
    upload: Path,
    filename: str,
    *,
    chime: bool,
    accept: Accept = _accept_any,
) -> Prepared:
    """A recording checked like any other (format, length, silence), then the chain."""
    suffix = Path(filename).suffix.lower()
    if suffix not in RECORDING_TYPES:
        raise InvalidInput(
            f"Định dạng tệp {suffix or '(không có đuôi)'} không được hỗ trợ; "
            "dùng MP3, WAV, OGG/Opus, M4A hoặc FLAC"
        )
    media = settings.media
    try:
        inspect_recording(upload, media.max_recording_s, media.max_upload_bytes)
    except MediaError as exc:
        raise InvalidInput(exc.message) from None
    scratch = _scratch(kit)
    try:
        sha256, duration_ms = _store(kit, upload, chain_params(kit, chime), scratch, accept)
    except MediaError as exc:
        raise InvalidInput(f"Không xử lý được bản ghi âm: {exc.message}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return Prepared(sha256, duration_ms, "recording")
