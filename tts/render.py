"""Normalised text to one WAV: every segment by the same engine and voice, joined with pauses."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from media.audio import concat_with_pauses
from media.errors import MediaError
from tts.base import LANGUAGES, Engine, EngineError, SynthesisRequest
from tts.engines import EngineChain
from tts.frontend import NormalizedText

RENDER = "render"
OUTPUT_NAME = "speech.wav"


@dataclass(frozen=True)
class RenderedSpeech:
    path: Path  # mono 16-bit WAV
    engine: str
    voice: str
    segments: int
    fallback_reasons: tuple[str, ...] = ()  # why earlier engines of the chain were not used


def render_speech(
    normalized: NormalizedText,
    chain: EngineChain,
    workdir: Path,
    voice: str | None = None,
    rate: int = 0,
    pitch_hz: int = 0,
    *,
    sample_rate: int = 24000,
) -> RenderedSpeech:
    """Speak `normalized` into `workdir/speech.wav` (written atomically).

    The pause after the last segment is left out: the clip chain decides the edges.
    Raises NeedsRecording when no engine of the chain can voice the language, EngineError
    otherwise; segment files are deleted either way.
    """
    if normalized.language not in LANGUAGES:
        raise EngineError(RENDER, f"Ngôn ngữ không được hỗ trợ: {normalized.language}")
    language = normalized.language
    segments = [s for s in normalized.segments if s.text.strip()]
    if not segments:
        raise EngineError(RENDER, "Văn bản trống, không có gì để đọc")
    pauses = [s.pause_after_ms for s in segments[:-1]] + [0]
    workdir.mkdir(parents=True, exist_ok=True)

    with tempfile.TemporaryDirectory(dir=workdir, prefix=".render-") as scratch:

        def attempt(engine: Engine, chosen: str) -> list[Path]:
            # A fresh folder per engine: a failed attempt's pieces never mix with the next.
            folder = Path(tempfile.mkdtemp(dir=scratch, prefix=f"{engine.name}-"))
            try:
                return [
                    engine.synthesize(
                        SynthesisRequest(segment.text, language, chosen, rate, pitch_hz),
                        folder / f"{index:05d}.audio",
                    ).path
                    for index, segment in enumerate(segments)
                ]
            except BaseException:
                shutil.rmtree(folder, ignore_errors=True)
                raise

        outcome = chain.synthesize_first(language, attempt, voice=voice)
        out_path = workdir / OUTPUT_NAME
        try:
            concat_with_pauses(outcome.value, pauses, out_path, sample_rate)
        except MediaError as exc:
            raise EngineError(RENDER, f"Ghép các câu thất bại: {exc.message}") from exc
    return RenderedSpeech(out_path, outcome.engine, outcome.voice, len(segments), outcome.reasons)
