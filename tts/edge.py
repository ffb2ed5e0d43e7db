"""edge-tts: Microsoft's online neural voices for Vietnamese and Khmer.

Every way the service can fail (no network, DNS, refused, 403, a server that accepts and then
says nothing, a dropped stream, no audio) ends as one EngineError within `timeout_s`, and no
0-byte or partial file is left behind: audio goes to a temp name, is checked, then renamed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import math
import threading
import time
from collections.abc import Coroutine, Iterator, Mapping
from pathlib import Path
from typing import Any

import aiohttp
import edge_tts
import edge_tts.communicate
import edge_tts.constants
from edge_tts.exceptions import EdgeTTSException, NoAudioReceived

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
    language_name,
)

VOICES = (
    Voice("vi-VN-HoaiMyNeural", "vi", "female", "Edge, giọng nữ miền Bắc"),
    Voice("vi-VN-NamMinhNeural", "vi", "male", "Edge, giọng nam miền Bắc"),
    Voice("km-KH-SreymomNeural", "km", "female", "Edge, giọng nữ Khmer"),
    Voice("km-KH-PisethNeural", "km", "male", "Edge, giọng nam Khmer"),
)
DEFAULT_VOICES: Mapping[str, str] = {"vi": "vi-VN-HoaiMyNeural", "km": "km-KH-SreymomNeural"}
SERVICE_URL: str = edge_tts.constants.WSS_URL
NAME = "edge"


class _EndpointGate:
    """edge-tts reads its endpoint from a module global at call time. Calls to the same
    endpoint run together; a call to another endpoint waits until they are done."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0

    @contextlib.contextmanager
    def use(self, url: str, deadline: float) -> Iterator[None]:
        with self._cond:
            while self._active and edge_tts.communicate.WSS_URL != url:  # type: ignore[attr-defined]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise EngineError(NAME, "Hết thời gian chờ dịch vụ Edge (đang bận)")
                self._cond.wait(remaining)
            edge_tts.communicate.WSS_URL = url  # type: ignore[attr-defined]
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                if not self._active:
                    edge_tts.communicate.WSS_URL = SERVICE_URL  # type: ignore[attr-defined]
                    self._cond.notify_all()


_GATE = _EndpointGate()


class EdgeEngine:
    """The real edge-tts client; `endpoint` replaces the service URL (tests, a relay)."""

    name = NAME

    def __init__(
        self,
        endpoint: str | None = None,
        timeout_s: float = 20.0,
        *,
        default_voices: Mapping[str, str] | None = None,
    ) -> None:
        if timeout_s <= 0:
            raise ValueError("timeout_s must be positive")
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self._defaults = dict(DEFAULT_VOICES if default_voices is None else default_voices)
        known = {(v.language, v.id) for v in VOICES}
        for language, voice in self._defaults.items():
            if (language, voice) not in known:
                raise ValueError(f"{voice!r} is not an edge voice for {language!r}")

    def voices(self) -> list[Voice]:
        return list(VOICES)

    def can_speak(self, language: str) -> bool:
        return language in self._defaults

    def default_voice(self, language: str) -> str:
        if not self.can_speak(language):
            raise UnsupportedLanguage(self.name, _no_language(language))
        return self._defaults[language]

    def synthesize(self, request: SynthesisRequest, out_path: Path) -> SynthesisResult:
        if not self.can_speak(request.language):
            raise UnsupportedLanguage(self.name, _no_language(request.language))
        voice = check_request(self.name, request, self.voices())
        deadline = time.monotonic() + self.timeout_s
        with tools.atomic_output(out_path) as tmp:
            with _GATE.use(self.endpoint or SERVICE_URL, deadline):
                _run_sync(self._fetch(request, tmp, deadline))
            _verify_mp3(tmp)
        return SynthesisResult(out_path, self.name, voice.id, "mp3")

    async def _fetch(self, request: SynthesisRequest, tmp: Path, deadline: float) -> None:
        remaining = max(0.001, deadline - time.monotonic())
        try:
            await asyncio.wait_for(self._stream_to(request, tmp, remaining), remaining)
        except TimeoutError as exc:
            raise EngineError(
                self.name, f"Dịch vụ Edge không trả lời trong {self.timeout_s:g} giây"
            ) from exc
        except aiohttp.ClientResponseError as exc:  # includes the websocket handshake's 403
            raise EngineError(self.name, _refused(exc.status)) from exc
        except aiohttp.ClientConnectorDNSError as exc:
            raise EngineError(
                self.name, "Không tìm thấy máy chủ Edge (lỗi DNS, có thể mất mạng)"
            ) from exc
        except (aiohttp.ClientError, OSError) as exc:
            raise EngineError(
                self.name, f"Không kết nối được tới dịch vụ Edge ({type(exc).__name__})"
            ) from exc
        except NoAudioReceived as exc:
            raise EngineError(self.name, "Dịch vụ Edge không trả về âm thanh") from exc
        except (EdgeTTSException, ValueError) as exc:
            raise EngineError(self.name, f"Dịch vụ Edge trả lời không hợp lệ: {exc}") from exc

    async def _stream_to(self, request: SynthesisRequest, tmp: Path, budget_s: float) -> None:
        seconds = max(1, math.ceil(budget_s))
        communicate = edge_tts.Communicate(
            request.text,
            request.voice,
            rate=f"{request.rate:+d}%",
            volume=f"{request.volume:+d}%",
            pitch=f"{request.pitch_hz:+d}Hz",
            connect_timeout=seconds,
            receive_timeout=seconds,
        )
        written = 0
        # aclosing: on timeout the stream (and its websocket) is closed here, not by the GC.
        with tmp.open("wb") as audio:
            async with contextlib.aclosing(communicate.stream()) as stream:
                async for chunk in stream:
                    if chunk["type"] == "audio":
                        data = chunk["data"]
                        audio.write(data)
                        written += len(data)
        if not _every_turn_ended(communicate, written):
            raise EngineError(self.name, "Kết nối tới Edge bị ngắt giữa chừng; âm thanh thiếu")


def _every_turn_ended(communicate: edge_tts.Communicate, written: int) -> bool:
    """edge-tts returns quietly when the server drops the socket after some audio; it only
    counts a chunk's bytes into `cumulative_audio_bytes` on `turn.end`, so a shortfall there
    is the sign of a cut stream (checked against edge-tts 7.3; tests cover it)."""
    state: dict[str, Any] = dict(communicate.state)
    if "cumulative_audio_bytes" not in state:  # another edge-tts: cannot tell (the test fails)
        return True
    return bool(state["cumulative_audio_bytes"] == written and state["chunk_audio_bytes"] == 0)


def _run_sync(coro: Coroutine[Any, Any, None]) -> None:
    """Run the coroutine to completion from sync code, with or without a running loop here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coro)
        return
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coro).result()


def _verify_mp3(path: Path) -> None:
    try:
        info = probe(path)
    except MediaError as exc:
        raise EngineError(NAME, f"Âm thanh Edge trả về không dùng được: {exc}") from exc
    if info.codec != "mp3" or info.duration_s <= 0:
        raise EngineError(NAME, f"Âm thanh Edge trả về không phải MP3 ({info.codec})")


def _refused(status: int) -> str:
    if status == 403:
        return "Dịch vụ Edge từ chối yêu cầu (HTTP 403); có thể cần cập nhật edge-tts"
    return f"Dịch vụ Edge trả lỗi HTTP {status}"


def _no_language(language: str) -> str:
    return f"Edge không có giọng đọc {language_name(language)}"
