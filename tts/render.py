"""Normalised text to one WAV: every segment by the same engine and voice, joined with pauses."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from media.audio import concat_with_pauses
from media.errors import MediaError
from tts.base import LANGUAGES, Engine, EngineError, SynthesisRequest, SynthesisResult
from tts.engines import EngineChain
from tts.frontend import NormalizedText

RENDER = "render"


@runtime_checkable
class ScriptEngine(Protocol):
    """An engine that can read all segments, with their pauses, in one call."""

    def synthesize_script(
        self, segments: Sequence[tuple[str, int]], request: SynthesisRequest, out_path: Path
    ) -> SynthesisResult: ...


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
    sample_rate: int | None = 24000,
) -> RenderedSpeech:
    """Speak `normalized` into `workdir/speech.wav` (written atomically).

    The pause after the last segment is left out: the clip chain decides the edges. The WAV
    is at `sample_rate`, or at the engine's own rate when None and one piece was produced.
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
                if isinstance(engine, ScriptEngine):  # one process for the whole text
                    script = [(s.text, p) for s, p in zip(segments, pauses, strict=True)]
                    request = SynthesisRequest("", language, chosen, rate, pitch_hz)
                    return [engine.synthesize_script(script, request, folder / "all.wav").path]
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
            pieces = outcome.value
            if sample_rate is None and len(pieces) == 1 and pieces[0].suffix == ".wav":
                # The clip chain resamples anyway: keep the engine's own rate, skip a pass.
                os.replace(pieces[0], out_path)
            else:
                rate = sample_rate or 24000
                concat_with_pauses(pieces, pauses if len(pieces) > 1 else [0], out_path, rate)
        except MediaError as exc:
            raise EngineError(RENDER, f"Ghép các câu thất bại: {exc.message}") from exc
    return RenderedSpeech(out_path, outcome.engine, outcome.voice, len(segments), outcome.reasons)
