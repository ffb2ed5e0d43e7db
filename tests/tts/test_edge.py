"""The real edge-tts client against a local server speaking the service's protocol."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import edge_tts.communicate
import pytest

from media.probe import probe
from tests.conftest import require_binary
from tests.tts.edge_server import FakeEdgeServer, Mode, running
from tts.base import EngineError, SynthesisRequest, SynthesisResult, UnsupportedLanguage
from tts.edge import SERVICE_URL, EdgeEngine
from tts.engines import EngineChain
from tts.frontend import NormalizedText, Segment
from tts.render import render_speech

SENTENCE = "Bà con chú ý phòng chống bão lũ và theo dõi thông tin trên loa truyền thanh của xã."
SHORT_TIMEOUT_S = 1.5


@pytest.fixture
def server() -> Iterator[FakeEdgeServer]:
    require_binary("espeak-ng")
    require_binary("ffmpeg")
    require_binary("ffprobe")
    with running() as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connections are refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def black_hole() -> Iterator[int]:
    """A port whose kernel completes the TCP handshake but no one ever answers HTTP."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock.getsockname()[1]


def request(
    text: str = SENTENCE, voice: str = "vi-VN-NamMinhNeural", **kw: int
) -> SynthesisRequest:
    language = "km" if voice.startswith("km-") else "vi"
    return SynthesisRequest(text, language, voice, **kw)  # type: ignore[arg-type]


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_success_gives_the_service_mp3_and_sends_voice_rate_pitch(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    engine = EdgeEngine(endpoint=server.url, timeout_s=10)
    out = tmp_path / "speech.mp3"

    result = engine.synthesize(request(rate=-10, pitch_hz=5, volume=20), out)

    assert result == SynthesisResult(out, "edge", "vi-VN-NamMinhNeural", "mp3")
    info = probe(out)
    assert (info.codec, info.channels, info.sample_rate, info.bit_rate) == ("mp3", 1, 24000, 48000)
    assert 3.0 < info.duration_s < 12.0  # 19 words of espeak-ng speech
    [received] = server.received()
    assert received.voice == "Microsoft Server Speech Text to Speech Voice (vi-VN, NamMinhNeural)"
    assert (received.rate, received.pitch, received.volume) == ("-10%", "+5Hz", "+20%")
    assert received.text == SENTENCE
    assert received.output_format == "audio-24khz-48kbitrate-mono-mp3"
    assert files_in(tmp_path) == ["speech.mp3"]
    assert edge_tts.communicate.WSS_URL == SERVICE_URL  # type: ignore[attr-defined]


def test_khmer_voice(server: FakeEdgeServer, tmp_path: Path) -> None:
    engine = EdgeEngine(endpoint=server.url, timeout_s=10)
    text = "សូមជម្រាបសួរ បងប្អូន។"
    result = engine.synthesize(request(text, "km-KH-PisethNeural"), tmp_path / "km.mp3")

    assert result.voice == "km-KH-PisethNeural"
    assert probe(result.path).codec == "mp3"
    [received] = server.received()
    assert received.voice == "Microsoft Server Speech Text to Speech Voice (km-KH, PisethNeural)"
    assert received.text == text


def test_text_over_the_service_limit_goes_as_several_requests_into_one_file(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    sentences = [f"Đây là câu số {n} của bản tin dài." for n in range(1, 161)]
    text = " ".join(sentences)
    assert len(text.encode()) > 4096  # edge-tts cuts at 4096 bytes

    result = EdgeEngine(endpoint=server.url, timeout_s=30).synthesize(
        request(text), tmp_path / "long.mp3"
    )

    received = server.received()
    assert len(received) == 2
    assert " ".join(r.text for r in received) == text
    # The file is both answers back to back, and plays for as long as both.
    assert result.path.stat().st_size == sum(server.audio_sent)
    expected_s = sum(server.audio_sent) * 8 / 48_000
    assert probe(result.path).duration_s == pytest.approx(expected_s, abs=0.1)


def test_render_over_many_segments_sends_one_request_per_segment(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    segments = tuple(Segment(f"Tin số {n}: bà con chú ý lịch tiêm phòng.", 300) for n in range(6))
    text = " ".join(s.text for s in segments)
    normalized = NormalizedText(original=text, text=text, language="vi", segments=segments)
    chain = EngineChain({"vi": [EdgeEngine(endpoint=server.url, timeout_s=10)]})

    speech = render_speech(normalized, chain, tmp_path, voice="vi-VN-HoaiMyNeural")

    assert (speech.engine, speech.voice, speech.segments) == ("edge", "vi-VN-HoaiMyNeural", 6)
    assert [r.text for r in server.received()] == [s.text for s in segments]
    assert {r.voice for r in server.received()} == {
        "Microsoft Server Speech Text to Speech Voice (vi-VN, HoaiMyNeural)"
    }
    assert probe(speech.path).codec == "pcm_s16le"
    assert files_in(tmp_path) == ["speech.wav"]


FAILURES: list[tuple[Mode, str]] = [
    ("forbidden", "HTTP 403"),
    ("silent", f"không trả lời trong {SHORT_TIMEOUT_S:g} giây"),
    ("drop", "bị ngắt giữa chừng"),
    ("empty", "không trả về âm thanh"),
]


@pytest.mark.parametrize(("mode", "message"), FAILURES)
def test_service_failures_become_one_engine_error_and_leave_no_file(
    server: FakeEdgeServer, tmp_path: Path, mode: Mode, message: str
) -> None:
    server.mode = mode
    engine = EdgeEngine(endpoint=server.url, timeout_s=SHORT_TIMEOUT_S)
    out = tmp_path / "speech.mp3"

    with pytest.raises(EngineError, match=message) as caught:
        engine.synthesize(request(SENTENCE * 3), out)

    assert caught.value.engine == "edge"
    assert files_in(tmp_path) == []
    # edge-tts retries a 403 once after correcting its clock from the Date header.
    assert server.handshakes == (2 if mode == "forbidden" else 1)


def test_slow_server_within_the_timeout_succeeds(server: FakeEdgeServer, tmp_path: Path) -> None:
    server.mode = "slow"
    result = EdgeEngine(endpoint=server.url, timeout_s=10).synthesize(request(), tmp_path / "s.mp3")
    assert probe(result.path).duration_s > 3.0


def test_slow_server_past_the_timeout_fails_cleanly(server: FakeEdgeServer, tmp_path: Path) -> None:
    server.mode = "slow"
    server.slow_delay_s = 0.5  # five or more chunks: well past one second
    with pytest.raises(EngineError, match="không trả lời trong 1 giây"):
        EdgeEngine(endpoint=server.url, timeout_s=1).synthesize(
            request(SENTENCE * 3), tmp_path / "s.mp3"
        )
    assert files_in(tmp_path) == []


def test_refused_connection(closed_port: int, tmp_path: Path) -> None:
    # Stands in for DNS failure too: resolving even "x.invalid" asks the network's resolver
    # here, so the test would depend on it. Both are connector errors to the client.
    engine = EdgeEngine(endpoint=f"ws://127.0.0.1:{closed_port}/edge/v1?T=x", timeout_s=5)
    with pytest.raises(EngineError, match="Không kết nối được tới dịch vụ Edge"):
        engine.synthesize(request(), tmp_path / "s.mp3")
    assert files_in(tmp_path) == []


def test_server_that_never_answers_the_handshake(black_hole: int, tmp_path: Path) -> None:
    engine = EdgeEngine(endpoint=f"ws://127.0.0.1:{black_hole}/edge/v1?T=x", timeout_s=1)
    with pytest.raises(EngineError, match="không trả lời trong 1 giây"):
        engine.synthesize(request(), tmp_path / "s.mp3")
    assert files_in(tmp_path) == []


def test_an_earlier_file_is_kept_when_a_new_render_fails(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    out = tmp_path / "speech.mp3"
    EdgeEngine(endpoint=server.url, timeout_s=10).synthesize(request(), out)
    before = out.read_bytes()
    server.mode = "drop"
    with pytest.raises(EngineError):
        EdgeEngine(endpoint=server.url, timeout_s=10).synthesize(request(SENTENCE * 3), out)
    assert out.read_bytes() == before
    assert files_in(tmp_path) == ["speech.mp3"]


def test_works_when_called_inside_a_running_event_loop(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    engine = EdgeEngine(endpoint=server.url, timeout_s=10)

    async def from_async_code() -> SynthesisResult:
        return engine.synthesize(request(), tmp_path / "s.mp3")

    result = asyncio.run(from_async_code())
    assert probe(result.path).codec == "mp3"


def test_concurrent_calls_to_two_endpoints_each_reach_their_own(tmp_path: Path) -> None:
    require_binary("espeak-ng")
    with running() as first, running() as second:
        results: dict[str, SynthesisResult] = {}
        errors: list[BaseException] = []

        def speak(name: str, server: FakeEdgeServer) -> None:
            try:
                engine = EdgeEngine(endpoint=server.url, timeout_s=20)
                results[name] = engine.synthesize(request(), tmp_path / f"{name}.mp3")
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [
            threading.Thread(target=speak, args=(f"{name}{n}", server))
            for n in range(3)
            for name, server in (("a", first), ("b", second))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert len(results) == 6
        assert (len(first.received()), len(second.received())) == (3, 3)


def test_wrong_language_voice_is_refused_before_any_request(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    engine = EdgeEngine(endpoint=server.url, timeout_s=10)
    wrong = SynthesisRequest(SENTENCE, "vi", "km-KH-SreymomNeural")
    with pytest.raises(UnsupportedLanguage, match="không đọc tiếng Việt"):
        engine.synthesize(wrong, tmp_path / "s.mp3")
    assert server.handshakes == 0
    assert files_in(tmp_path) == []


def test_voices_and_defaults() -> None:
    engine = EdgeEngine()
    assert [v.id for v in engine.voices()] == [
        "vi-VN-HoaiMyNeural",
        "vi-VN-NamMinhNeural",
        "km-KH-SreymomNeural",
        "km-KH-PisethNeural",
    ]
    assert (engine.default_voice("vi"), engine.default_voice("km")) == (
        "vi-VN-HoaiMyNeural",
        "km-KH-SreymomNeural",
    )
    with pytest.raises(ValueError, match="not an edge voice"):
        EdgeEngine(default_voices={"vi": "km-KH-PisethNeural"})
