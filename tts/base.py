"""What every speech engine takes and gives: requests, results, voices, and its errors."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

Language = Literal["vi", "km"]
LANGUAGES: tuple[Language, ...] = ("vi", "km")
LANGUAGE_NAMES_VI: dict[str, str] = {"vi": "tiếng Việt", "km": "tiếng Khmer"}


def language_name(language: str) -> str:
    """The language as an operator reads it ("tiếng Khmer"), for messages."""
    return LANGUAGE_NAMES_VI.get(language, f"ngôn ngữ '{language}'")


@dataclass(frozen=True)
class Voice:
    id: str
    language: str
    gender: Literal["female", "male"]
    description: str


@dataclass(frozen=True)
class SynthesisRequest:
    """One text to speak. `rate` and `volume` are percent changes, `pitch_hz` a shift in Hz."""

    text: str
    language: Language
    voice: str
    rate: int = 0
    pitch_hz: int = 0
    volume: int = 0


@dataclass(frozen=True)
class SynthesisResult:
    path: Path
    engine: str
    voice: str
    media_format: str  # "mp3", "wav"


class EngineError(Exception):
    """An engine could not produce audio. `message` is for operators (Vietnamese)."""

    def __init__(self, engine: str, message: str) -> None:
        super().__init__(f"{engine}: {message}")
        self.engine = engine
        self.message = message


class UnsupportedLanguage(EngineError):
    """The engine cannot speak this language (or this text's script) at all."""


@runtime_checkable
class Engine(Protocol):
    name: str

    def voices(self) -> list[Voice]: ...

    def can_speak(self, language: str) -> bool: ...

    def default_voice(self, language: str) -> str:
        """The voice used for `language` when a request names none this engine has."""
        ...

    def synthesize(self, request: SynthesisRequest, out_path: Path) -> SynthesisResult: ...


def is_khmer_letter(char: str) -> bool:
    """Khmer (U+1780-U+17FF) and Khmer Symbols (U+19E0-U+19FF), letters and signs."""
    code = ord(char)
    return 0x1780 <= code <= 0x17FF or 0x19E0 <= code <= 0x19FF


def khmer_share(text: str) -> float:
    """The share of the text's letters (and combining signs) that are Khmer script."""
    letters = [c for c in text if unicodedata.category(c)[0] in "LM"]
    if not letters:
        return 0.0
    return sum(1 for c in letters if is_khmer_letter(c)) / len(letters)


def check_request(engine: str, request: SynthesisRequest, voices: list[Voice]) -> Voice:
    """The request's voice, after the checks every engine makes; EngineError otherwise."""
    if not request.text.strip():
        raise EngineError(engine, "Văn bản trống, không có gì để đọc")
    for voice in voices:
        if voice.id == request.voice:
            if voice.language != request.language:
                raise UnsupportedLanguage(
                    engine,
                    f"Giọng {voice.id} đọc {language_name(voice.language)}, "
                    f"không đọc {language_name(request.language)}",
                )
            return voice
    raise EngineError(engine, f"Không có giọng đọc '{request.voice}'")
