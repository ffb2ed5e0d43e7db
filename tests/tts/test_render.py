"""Whole bulletins through the chain: one engine and voice per text, fallback, needs-recording."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from media.probe import probe
from tests.conftest import require_binary
from tests.tts.edge_server import FakeEdgeServer, running
from tts.base import EngineError, SynthesisRequest
from tts.edge import EdgeEngine
from tts.engines import EngineChain, NeedsRecording
from tts.espeak import EspeakEngine
from tts.frontend import NormalizedText, normalize
from tts.render import render_speech

BULLETIN_VI = (
    "Ngày 20-5, Ban Dân tộc tỉnh tổ chức hội nghị tổng kết công tác giai đoạn 2019-2025.\n\n"
    "100% người có uy tín đã tham dự. Bà con chú ý phòng chống bão lũ.\n\n"
    "Mọi thông tin xin liên hệ trụ sở xã."
)
BULLETIN_KM = "សូមជម្រាបសួរ បងប្អូន។ ថ្ងៃនេះ មាន ព័ត៌មាន អាកាសធាតុ។"
NEEDS_KHMER = "Không có giọng đọc tiếng Khmer khả dụng; cần bản ghi âm của người đọc"


@pytest.fixture
def server() -> Iterator[FakeEdgeServer]:
    for tool in ("espeak-ng", "ffmpeg", "ffprobe"):
        require_binary(tool)
    with running() as server:
        yield server


def edge(server: FakeEdgeServer) -> EdgeEngine:
    return EdgeEngine(endpoint=server.url, timeout_s=10)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def pauses_s(normalized: NormalizedText) -> float:
    """The pauses render_speech inserts: after every segment but the last."""
    return sum(s.pause_after_ms for s in normalized.segments[:-1]) / 1000


def espeak_seconds(normalized: NormalizedText, voice: str, folder: Path, rate: int = 0) -> float:
    """How long espeak-ng takes to read the segments, pauses included, in one run (the way
    render_speech drives it: one process, the pauses as SSML breaks)."""
    folder.mkdir(parents=True, exist_ok=True)
    segments = list(normalized.segments)
    script = [(s.text, s.pause_after_ms) for s in segments[:-1]] + [(segments[-1].text, 0)]
    request = SynthesisRequest("", "vi", voice, rate)
    return probe(
        EspeakEngine().synthesize_script(script, request, folder / "all.wav").path
    ).duration_s


def test_edge_failing_midway_restarts_the_whole_text_on_espeak(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    normalized = normalize(BULLETIN_VI, "vi", region="south")
    assert len(normalized.segments) == 4
    server.script = ["ok", "ok", "drop"]  # edge manages two sentences, then the stream is cut
    chain = EngineChain({"vi": [edge(server), EspeakEngine()]})
    workdir = tmp_path / "work"

    speech = render_speech(normalized, chain, workdir, rate=-5)

    assert (speech.engine, speech.voice, speech.segments) == ("espeak", "vi-vn-x-south", 4)
    assert len(speech.fallback_reasons) == 1
    assert speech.fallback_reasons[0].startswith("edge: Kết nối tới Edge bị ngắt giữa chừng")
    assert [r.text for r in server.received()] == [s.text for s in normalized.segments[:3]]
    assert files_in(workdir) == ["speech.wav"]
    # Every sentence is espeak's (edge's two would be shorter: the fake reads at 160 wpm).
    reference = tmp_path / "reference"
    reference.mkdir()
    alone = espeak_seconds(normalized, "vi-vn-x-south", reference, rate=-5)
    info = probe(speech.path)
    assert (info.codec, info.channels, info.sample_rate) == ("pcm_s16le", 1, 24000)
    # Edge's pieces read at another speed: a mix would not last as long as espeak alone.
    assert info.duration_s == pytest.approx(alone, abs=0.05)


def test_edge_refused_falls_back_to_espeak_with_the_default_southern_voice(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    server.mode = "forbidden"
    normalized = normalize(BULLETIN_VI, "vi", region="south")
    chain = EngineChain({"vi": [edge(server), EspeakEngine()]})

    speech = render_speech(normalized, chain, tmp_path, voice="vi-VN-NamMinhNeural")

    assert (speech.engine, speech.voice) == ("espeak", "vi-vn-x-south")
    assert "HTTP 403" in speech.fallback_reasons[0]
    assert server.handshakes == 2  # one refused request (retried once), not one per sentence
    assert server.received() == []
    expected = espeak_seconds(normalized, "vi-vn-x-south", tmp_path / "ref")
    assert probe(speech.path).duration_s == pytest.approx(expected, abs=0.25)


def test_working_edge_renders_and_duration_is_segments_plus_pauses(
    server: FakeEdgeServer, tmp_path: Path
) -> None:
    normalized = normalize(BULLETIN_VI, "vi")
    chain = EngineChain({"vi": [edge(server), EspeakEngine()]})

    speech = render_speech(normalized, chain, tmp_path, voice="vi-VN-NamMinhNeural", pitch_hz=-4)

    assert (speech.engine, speech.voice, speech.fallback_reasons) == (
        "edge",
        "vi-VN-NamMinhNeural",
        (),
    )
    assert {(r.voice[-14:], r.pitch) for r in server.received()} == {("NamMinhNeural)", "-4Hz")}
    segments_s = sum(server.audio_sent) * 8 / 48_000  # CBR: bytes give the duration
    assert probe(speech.path).duration_s == pytest.approx(
        segments_s + pauses_s(normalized), abs=0.15
    )


def test_khmer_with_edge_failing_needs_a_recording(server: FakeEdgeServer, tmp_path: Path) -> None:
    server.mode = "empty"
    normalized = normalize(BULLETIN_KM, "km")
    # espeak-ng in the Khmer chain by mistake must still never read Khmer.
    chain = EngineChain({"km": [edge(server), EspeakEngine()], "vi": [EspeakEngine()]})

    with pytest.raises(NeedsRecording) as caught:
        render_speech(normalized, chain, tmp_path)

    assert caught.value.message.startswith(NEEDS_KHMER)
    assert caught.value.language == "km"
    assert caught.value.reasons == (
        "espeak: không đọc được tiếng Khmer",
        "edge: Dịch vụ Edge không trả về âm thanh",
    )
    assert files_in(tmp_path) == []


def test_khmer_with_working_edge(server: FakeEdgeServer, tmp_path: Path) -> None:
    normalized = normalize(BULLETIN_KM, "km")
    chain = EngineChain({"km": [edge(server)]})

    speech = render_speech(normalized, chain, tmp_path)

    assert (speech.engine, speech.voice) == ("edge", "km-KH-SreymomNeural")
    assert speech.segments == len(normalized.segments) == len(server.received())
    assert {r.voice for r in server.received()} == {
        "Microsoft Server Speech Text to Speech Voice (km-KH, SreymomNeural)"
    }
    segments_s = sum(server.audio_sent) * 8 / 48_000
    assert probe(speech.path).duration_s == pytest.approx(
        segments_s + pauses_s(normalized), abs=0.15
    )
    assert files_in(tmp_path) == ["speech.wav"]


def test_khmer_script_in_vietnamese_text_is_never_spelled_out_by_espeak(tmp_path: Path) -> None:
    require_binary("espeak-ng")
    normalized = normalize(f"Chùa {BULLETIN_KM} ở xã Vĩnh Hải.", "vi")
    chain = EngineChain({"vi": [EspeakEngine()]})

    with pytest.raises(NeedsRecording, match="chữ Khmer"):
        render_speech(normalized, chain, tmp_path)
    assert files_in(tmp_path) == []


def test_a_language_without_engines_needs_a_recording(tmp_path: Path) -> None:
    chain = EngineChain({"vi": [EspeakEngine()]})
    with pytest.raises(NeedsRecording, match="chưa cấu hình bộ đọc nào") as caught:
        render_speech(normalize(BULLETIN_KM, "km"), chain, tmp_path)
    assert caught.value.message.startswith(NEEDS_KHMER)


def test_unknown_or_wrong_language_voice_is_refused(tmp_path: Path) -> None:
    chain = EngineChain({"vi": [EdgeEngine(), EspeakEngine()], "km": [EdgeEngine()]})
    normalized = normalize(BULLETIN_VI, "vi")
    for voice in ("vi-VN-NoSuchNeural", "km-KH-PisethNeural"):
        with pytest.raises(EngineError, match=f"Không có giọng đọc '{voice}' cho tiếng Việt"):
            render_speech(normalized, chain, tmp_path, voice=voice)
    assert files_in(tmp_path) == []


def test_empty_text_is_refused(tmp_path: Path) -> None:
    chain = EngineChain({"vi": [EspeakEngine()]})
    empty = NormalizedText(original=" ", text="", language="vi", segments=())
    with pytest.raises(EngineError, match="Văn bản trống"):
        render_speech(empty, chain, tmp_path)


def test_chain_lists_voices_and_speaks_a_single_text(tmp_path: Path) -> None:
    require_binary("espeak-ng")
    chain = EngineChain({"vi": [EdgeEngine(), EspeakEngine()], "km": [EdgeEngine()]})
    assert [(name, v.id) for name, v in chain.voices("km")] == [
        ("edge", "km-KH-SreymomNeural"),
        ("edge", "km-KH-PisethNeural"),
    ]
    assert [(c.engine.name, c.voice) for c in chain.choices("vi", "vi")] == [
        ("edge", "vi-VN-HoaiMyNeural"),
        ("espeak", "vi"),
    ]
    only_espeak = EngineChain({"vi": [EspeakEngine()]})
    result = only_espeak.synthesize("Xin chào bà con.", "vi", tmp_path / "hello.wav")
    assert (result.engine, result.voice, result.media_format) == ("espeak", "vi-vn-x-south", "wav")
    assert probe(result.path).duration_s > 0.5
