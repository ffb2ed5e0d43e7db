"""A local stand-in for the edge-tts service, speaking its websocket protocol on 127.0.0.1.

The real edge_tts client talks to it end to end. It answers with real MP3 (espeak-ng speech of
the requested text, encoded by ffmpeg the way the service encodes: 24 kHz mono 48 kbit/s CBR),
so durations mean something, and it records the SSML it received. Modes reproduce the service's
failures: 403 on the handshake, accept-then-silence, a connection dropped mid-stream, a turn
with no audio, and slow delivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import unescape

from aiohttp import WSMsgType, web

Mode = Literal["ok", "forbidden", "silent", "drop", "empty", "slow"]
CHUNK_BYTES = 4096  # the service sends audio in messages of a few kB
_SSML = re.compile(
    r"<voice name='(?P<voice>[^']*)'><prosody pitch='(?P<pitch>[^']*)' rate='(?P<rate>[^']*)' "
    r"volume='(?P<volume>[^']*)'>(?P<text>.*)</prosody></voice>",
    re.DOTALL,
)


@dataclass(frozen=True)
class ReceivedRequest:
    """One `ssml` frame, as the server received it."""

    ssml: str
    voice: str
    rate: str
    pitch: str
    volume: str
    text: str
    output_format: str


def speech_mp3(text: str) -> bytes:
    """espeak-ng reading `text`, encoded as the service's MP3 (no Xing or ID3 header)."""
    wav = subprocess.run(
        ["espeak-ng", "-b", "1", "-v", "vi", "-s", "160", "--stdin", "--stdout"],
        input=text.encode("utf-8"),
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "wav", "-i", "pipe:"]
        + ["-ar", "24000", "-ac", "1", "-c:a", "libmp3lame", "-b:a", "48k"]
        + ["-write_xing", "0", "-id3v2_version", "0", "-f", "mp3", "pipe:"],
        input=wav,
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout


def _text_frame(path: str, body: str, request_id: str) -> str:
    return (
        f"X-RequestId:{request_id}\r\nContent-Type:application/json; charset=utf-8\r\n"
        f"Path:{path}\r\n\r\n{body}"
    )


def _audio_frame(data: bytes, request_id: str) -> bytes:
    # The client reads a 2-byte big-endian length, then that many bytes of headers; the header
    # block ends with CRLF, and the audio starts right after it.
    headers = (
        f"X-RequestId:{request_id}\r\nContent-Type:audio/mpeg\r\n"
        f"X-StreamId:{uuid.uuid4().hex}\r\nPath:audio\r\n"
    ).encode()
    return len(headers).to_bytes(2, "big") + headers + data


def _parse(frame: str) -> tuple[dict[str, str], str]:
    head, _, body = frame.partition("\r\n\r\n")
    headers = dict(line.split(":", 1) for line in head.split("\r\n") if ":" in line)
    return headers, body


class FakeEdgeServer:
    """Start with `start()`, stop with `stop()`; `url` is what EdgeEngine(endpoint=...) takes."""

    def __init__(self, mode: Mode = "ok", *, slow_delay_s: float = 0.05) -> None:
        self.mode: Mode = mode
        self.slow_delay_s = slow_delay_s
        self.requests: list[ReceivedRequest] = []
        self.handshakes = 0
        self.audio_sent: list[int] = []  # bytes of audio per answered request
        self.script: list[Mode] = []  # modes for the next connections, then `mode`
        self.port = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-edge")
        self._runner: web.AppRunner | None = None
        self._open: set[web.WebSocketResponse] = set()

    @property
    def url(self) -> str:
        return (
            f"ws://127.0.0.1:{self.port}/consumer/speech/synthesize/readaloud/edge/v1"
            "?TrustedClientToken=test"
        )

    def start(self) -> FakeEdgeServer:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    def thread_alive(self) -> bool:
        return self._thread.is_alive()

    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self.requests)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/consumer/speech/synthesize/readaloud/edge/v1", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def _stop(self) -> None:
        for ws in list(self._open):  # a silent handler would otherwise keep shutdown waiting
            await ws.close()
        assert self._runner is not None
        await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        with self._lock:
            self.handshakes += 1
            mode = self.script.pop(0) if self.script else self.mode
        if mode == "forbidden":
            return web.Response(status=403, text="Forbidden")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._open.add(ws)
        try:
            await self._converse(ws, request, mode)
        finally:
            self._open.discard(ws)
        return ws

    async def _converse(self, ws: web.WebSocketResponse, request: web.Request, mode: Mode) -> None:
        output_format = ""
        async for message in ws:
            if message.type != WSMsgType.TEXT:
                continue
            headers, body = _parse(message.data)
            if headers.get("Path") == "speech.config":
                config = json.loads(body)
                output_format = config["context"]["synthesis"]["audio"]["outputFormat"]
            elif headers.get("Path") == "ssml":
                received = self._record(body, output_format)
                if mode == "silent":
                    continue  # read on until the client gives up and closes
                await self._answer(ws, request, received, headers.get("X-RequestId", ""), mode)
                if mode == "drop":
                    return

    def _record(self, ssml: str, output_format: str) -> ReceivedRequest:
        match = _SSML.search(ssml)
        assert match is not None, ssml
        received = ReceivedRequest(
            ssml=ssml,
            voice=match["voice"],
            rate=match["rate"],
            pitch=match["pitch"],
            volume=match["volume"],
            text=unescape(match["text"]),
            output_format=output_format,
        )
        with self._lock:
            self.requests.append(received)
        return received

    async def _answer(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        req: ReceivedRequest,
        rid: str,
        mode: Mode,
    ) -> None:
        await ws.send_str(_text_frame("turn.start", '{"context":{"serviceTag":"fake"}}', rid))
        audio = b"" if mode == "empty" else await asyncio.to_thread(speech_mp3, req.text)
        with self._lock:
            self.audio_sent.append(len(audio))
        size = min(CHUNK_BYTES, max(1, len(audio) // 2))  # "drop" needs two chunks at least
        chunks = [audio[i : i + size] for i in range(0, len(audio), size)]
        for index, chunk in enumerate(chunks):
            if mode == "drop" and index >= max(1, len(chunks) // 2):
                assert request.transport is not None
                request.transport.close()  # mid-stream, without a close frame
                return
            if mode == "slow":
                await asyncio.sleep(self.slow_delay_s)
            await ws.send_bytes(_audio_frame(chunk, rid))
        duration_ticks = len(audio) * 8 * 10_000_000 // 48_000
        metadata = {
            "Metadata": [
                {
                    "Type": "SentenceBoundary",
                    "Data": {
                        "Offset": 1_000_000,
                        "Duration": duration_ticks,
                        "text": {"Text": req.text, "Length": len(req.text), "BoundaryType": ""},
                    },
                }
            ]
        }
        if audio:
            await ws.send_str(_text_frame("audio.metadata", json.dumps(metadata), rid))
        await ws.send_str(_text_frame("turn.end", '{"webrtc":{"connectionId":"fake"}}', rid))


@contextlib.contextmanager
def running(mode: Mode = "ok") -> Iterator[FakeEdgeServer]:
    """A started server, stopped on exit with its thread joined and its port closed."""
    server = FakeEdgeServer(mode).start()
    try:
        yield server
    finally:
        server.stop()
        assert not server.thread_alive()
        assert not port_open(server.port)


def port_open(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0
