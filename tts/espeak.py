"""espeak-ng: the offline Vietnamese voice. It has no Khmer and must never be given Khmer text."""

from __future__ import annotations

import subprocess
import wave
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from xml.sax.saxutils import escape

from media import tools
from media.errors import MediaError
from media.probe import probe
from tts.base import (
    EngineError,
    SynthesisRequest,
    SynthesisResult,
    UnsupportedLanguage,
    Voice,
    check_request,
    khmer_share,
    language_name,
)

VOICES = (
    Voice("vi", "vi", "male", "espeak-ng, giọng miền Bắc"),
    Voice("vi-vn-x-central", "vi", "male", "espeak-ng, giọng miền Trung"),
    Voice("vi-vn-x-south", "vi", "male", "espeak-ng, giọng miền Nam"),
)
DEFAULT_VOICE = "vi-vn-x-south"  # the Mekong delta, where the loudspeakers are
MIN_WPM, MAX_WPM = 80, 450  # espeak-ng's own limits
DEFAULT_PITCH, DEFAULT_AMPLITUDE = 50, 100


class EspeakEngine:
    """Runs espeak-ng once per request, text on stdin, to a WAV that is checked before use."""

    name = "espeak"

    def __init__(
        self,
        binary: str = "espeak-ng",
        words_per_minute: int = 140,
        *,
        default_voice: str = DEFAULT_VOICE,
        timeout_s: float = 120.0,
    ) -> None:
        if default_voice not in {v.id for v in VOICES}:
            raise ValueError(f"unknown espeak-ng voice {default_voice!r}")
        if not MIN_WPM <= words_per_minute <= MAX_WPM:
            raise ValueError(f"words_per_minute must be in {MIN_WPM}..{MAX_WPM}")
        self.binary = binary
        self.words_per_minute = words_per_minute
        self._default_voice = default_voice
        self.timeout_s = timeout_s

    def voices(self) -> list[Voice]:
        return list(VOICES)

    def can_speak(self, language: str) -> bool:
        return language == "vi"

    def default_voice(self, language: str) -> str:
        if not self.can_speak(language):
            raise UnsupportedLanguage(self.name, _no_language(language))
        return self._default_voice

    def synthesize(self, request: SynthesisRequest, out_path: Path) -> SynthesisResult:
        if not self.can_speak(request.language):
            raise UnsupportedLanguage(self.name, _no_language(request.language))
        voice = check_request(self.name, request, self.voices())
        if khmer_share(request.text) > 0:
            # espeak-ng spells Khmer out letter by letter: worse on air than no voice at all.
            raise UnsupportedLanguage(
                self.name, "Văn bản có chữ Khmer; espeak-ng không đọc được tiếng Khmer"
            )
        try:
            with tools.atomic_output(out_path) as tmp:
                self._run(request, voice.id, tmp)
                info = probe(tmp)
                if info.codec != "pcm_s16le" or info.duration_s <= 0:
                    raise EngineError(self.name, "espeak-ng không tạo ra âm thanh")
        except MediaError as exc:
            raise EngineError(self.name, f"Tệp espeak-ng tạo ra không dùng được: {exc}") from exc
        return SynthesisResult(out_path, self.name, voice.id, "wav")

    def synthesize_script(
        self, segments: Sequence[tuple[str, int]], request: SynthesisRequest, out_path: Path
    ) -> SynthesisResult:
        """Every segment in ONE espeak-ng run, the pauses as SSML breaks: a whole bulletin costs
        one process start instead of one per sentence. `request.text` is ignored."""
        script = "".join(
            f'{escape(text.replace("[[", "[ ["))}<break time="{pause}ms"/>'
            for text, pause in segments
        )
        whole = SynthesisRequest(
            f"<speak>{script}</speak>",
            request.language,
            request.voice,
            request.rate,
            request.pitch_hz,
            request.volume,
        )
        plain = " ".join(text for text, _ in segments)
        self._checked(replace(whole, text=plain))
        with tools.atomic_output(out_path) as tmp:
            self._run(whole, request.voice, tmp, ssml=True)
            _check_wav(self.name, tmp)
        return SynthesisResult(out_path, self.name, request.voice, "wav")

    def _checked(self, request: SynthesisRequest) -> None:
        if not self.can_speak(request.language):
            raise UnsupportedLanguage(self.name, _no_language(request.language))
        check_request(self.name, request, self.voices())
        if khmer_share(request.text) > 0:
            raise UnsupportedLanguage(
                self.name, "Văn bản có chữ Khmer; espeak-ng không đọc được tiếng Khmer"
            )

    def command(self, request: SynthesisRequest, voice: str, out: Path) -> list[str]:
        wpm = round(self.words_per_minute * (100 + request.rate) / 100)
        pitch = DEFAULT_PITCH + request.pitch_hz // 2  # ~2 Hz per step around a male voice
        amplitude = DEFAULT_AMPLITUDE + request.volume
        return [
            self.binary,
            "-b",
            "1",  # stdin is UTF-8
            "-v",
            voice,
            "-s",
            str(_clamp(wpm, MIN_WPM, MAX_WPM)),
            "-p",
            str(_clamp(pitch, 0, 99)),
            "-a",
            str(_clamp(amplitude, 0, 200)),
            "-w",
            str(out),
            "--stdin",
        ]

    def _run(self, request: SynthesisRequest, voice: str, out: Path, *, ssml: bool = False) -> None:
        # "[[" starts espeak-ng's phoneme input: text must never switch it into that mode.
        text = request.text if ssml else request.text.replace("[[", "[ [")
        command = self.command(request, voice, out)
        if ssml:
            command.insert(1, "-m")
        try:
            result = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=self.timeout_s,
                check=False,
            )
        except FileNotFoundError as exc:
            raise EngineError(self.name, "Chưa cài đặt espeak-ng trên máy chủ") from exc
        except subprocess.TimeoutExpired as exc:
            raise EngineError(
                self.name, f"espeak-ng chạy quá {self.timeout_s:.0f} giây và đã bị dừng"
            ) from exc
        if result.returncode != 0:
            detail = tools.last_line(result.stderr.decode("utf-8", "replace"))
            raise EngineError(self.name, f"espeak-ng lỗi: {detail}")


def _check_wav(engine: str, path: Path) -> None:
    """A cheap structural check (no ffprobe process): PCM 16-bit with at least one frame."""
    try:
        with wave.open(str(path), "rb") as wav:
            ok = wav.getsampwidth() == 2 and wav.getnframes() > 0
    except (wave.Error, EOFError, OSError):
        ok = False
    if not ok:
        raise EngineError(engine, "espeak-ng không tạo ra âm thanh")


def _no_language(language: str) -> str:
    return f"espeak-ng không đọc được {language_name(language)}"


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))
