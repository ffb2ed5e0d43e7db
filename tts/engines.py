"""The per-language engine chain: the first engine that can voice the WHOLE text wins.

A bulletin is never read half by one voice and half by another: a caller's attempt renders all
of it with one engine and voice, and when that fails anywhere the attempt is thrown away and
the next engine starts over. When no engine can speak the language the bulletin needs a human
recording (NeedsRecording), never a voice of another language.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from tts.base import (
    Engine,
    EngineError,
    Language,
    SynthesisRequest,
    SynthesisResult,
    Voice,
    language_name,
)

T = TypeVar("T")
CHAIN = "chain"
log = logging.getLogger(__name__)


class NeedsRecording(EngineError):
    """No engine could voice this language; `reasons` says why each one could not."""

    def __init__(self, language: str, reasons: Sequence[str]) -> None:
        headline = (
            f"Không có giọng đọc {language_name(language)} khả dụng; cần bản ghi âm của người đọc"
        )
        detail = f". Lý do: {'; '.join(reasons)}" if reasons else ""
        super().__init__(CHAIN, headline + detail)
        self.language = language
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class Choice:
    """An engine and the voice it will use for the whole text."""

    engine: Engine
    voice: str


@dataclass(frozen=True)
class Outcome(Generic[T]):
    value: T
    engine: str
    voice: str
    reasons: tuple[str, ...]  # why the engines before this one were passed over


class EngineChain:
    """Engines to try, in order, per language."""

    def __init__(self, engines_by_language: Mapping[str, Sequence[Engine]]) -> None:
        self._chains = {lang: tuple(engines) for lang, engines in engines_by_language.items()}

    def engines_for(self, language: str) -> tuple[Engine, ...]:
        return self._chains.get(language, ())

    def voices(self, language: str) -> list[tuple[str, Voice]]:
        """(engine name, voice) for every voice the chain could use for `language`."""
        return [
            (engine.name, voice)
            for engine in self.engines_for(language)
            for voice in engine.voices()
            if voice.language == language
        ]

    def choices(self, language: str, voice: str | None = None) -> list[Choice]:
        """Each engine that speaks `language`, with the requested voice where it has it and its
        own default for the language otherwise. An unknown or wrong-language voice is refused."""
        if voice is not None and voice not in {v.id for _, v in self.voices(language)}:
            raise EngineError(CHAIN, f"Không có giọng đọc '{voice}' cho {language_name(language)}")
        picked: list[Choice] = []
        for engine in self.engines_for(language):
            if not engine.can_speak(language):
                continue
            own = {v.id for v in engine.voices() if v.language == language}
            picked.append(Choice(engine, voice if voice in own else engine.default_voice(language)))
        return picked

    def synthesize_first(
        self,
        language: str,
        attempt: Callable[[Engine, str], T],
        *,
        voice: str | None = None,
    ) -> Outcome[T]:
        """`attempt(engine, voice)` renders the whole text; the first one that returns wins.

        An EngineError ends that engine's attempt (the attempt cleans up after itself) and the
        next engine starts again from the beginning. Other errors are not the engine's fault
        and propagate.
        """
        reasons: list[str] = []
        for engine in self.engines_for(language):
            if not engine.can_speak(language):
                reasons.append(f"{engine.name}: không đọc được {language_name(language)}")
        choices = self.choices(language, voice)
        if not self.engines_for(language):
            reasons.append("chưa cấu hình bộ đọc nào")
        for choice in choices:
            try:
                value = attempt(choice.engine, choice.voice)
            except EngineError as exc:
                log.warning("engine %s failed for %s: %s", choice.engine.name, language, exc)
                reasons.append(f"{choice.engine.name}: {exc.message}")
                continue
            return Outcome(value, choice.engine.name, choice.voice, tuple(reasons))
        raise NeedsRecording(language, reasons)

    def synthesize(
        self,
        text: str,
        language: Language,
        out_path: Path,
        *,
        voice: str | None = None,
        rate: int = 0,
        pitch_hz: int = 0,
        volume: int = 0,
    ) -> SynthesisResult:
        """One text, one file: the first engine of the chain that manages it."""

        def attempt(engine: Engine, chosen: str) -> SynthesisResult:
            request = SynthesisRequest(text, language, chosen, rate, pitch_hz, volume)
            return engine.synthesize(request, out_path)

        return self.synthesize_first(language, attempt, voice=voice).value
