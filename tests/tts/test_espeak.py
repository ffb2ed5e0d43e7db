"""espeak-ng for real: the three Vietnamese accents, speed, loudness, and what it must refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from media.loudness import measure
from media.probe import probe
from tests.conftest import require_binary
from tts.base import EngineError, SynthesisRequest, UnsupportedLanguage
from tts.espeak import EspeakEngine

TEXT = (
    "Ủy ban nhân dân xã thông báo: bà con chú ý phòng chống bão lũ, "
    "theo dõi thông tin trên loa truyền thanh của xã và chuẩn bị lương thực, nước uống "
    "cho gia đình trong những ngày mưa lớn sắp tới."
)
KHMER = "សួស្តី បងប្អូន ថ្ងៃនេះ មាន ព័ត៌មាន អាកាសធាតុ"


@pytest.fixture
def engine() -> EspeakEngine:
    require_binary("espeak-ng")
    require_binary("ffprobe")
    return EspeakEngine()


def words_seconds(text: str, wpm: int) -> float:
    return len(text.split()) / wpm * 60


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("voice", ["vi", "vi-vn-x-central", "vi-vn-x-south"])
def test_each_accent_speaks_a_plausible_wav(
    engine: EspeakEngine, tmp_path: Path, voice: str
) -> None:
    out = tmp_path / "speech.wav"
    result = engine.synthesize(SynthesisRequest(TEXT, "vi", voice), out)

    assert (result.path, result.engine, result.voice, result.media_format) == (
        out,
        "espeak",
        voice,
        "wav",
    )
    info = probe(out)
    assert (info.codec, info.channels, info.sample_rate) == ("pcm_s16le", 1, 22050)
    expected = words_seconds(TEXT, 140)
    assert expected * 0.6 <= info.duration_s <= expected * 1.4, (info.duration_s, expected)
    loudness = measure(out)
    assert -35.0 < loudness.integrated_lufs < -5.0  # speech, neither silence nor clipping
    assert files_in(tmp_path) == ["speech.wav"]


def test_rate_changes_the_speed(engine: EspeakEngine, tmp_path: Path) -> None:
    normal = engine.synthesize(SynthesisRequest(TEXT, "vi", "vi"), tmp_path / "a.wav")
    slower = engine.synthesize(SynthesisRequest(TEXT, "vi", "vi", rate=-30), tmp_path / "b.wav")

    ratio = probe(slower.path).duration_s / probe(normal.path).duration_s
    assert 1.2 < ratio < 1.7  # 140 wpm -> 98 wpm: about 1.43 times as long
    assert engine.command(SynthesisRequest(TEXT, "vi", "vi", rate=-30), "vi", Path("x"))[6] == "98"


def test_default_voice_is_the_southern_accent() -> None:
    assert EspeakEngine().default_voice("vi") == "vi-vn-x-south"
    assert [v.id for v in EspeakEngine().voices()] == ["vi", "vi-vn-x-central", "vi-vn-x-south"]


def test_khmer_language_is_refused(engine: EspeakEngine, tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    with pytest.raises(UnsupportedLanguage, match="không đọc được tiếng Khmer"):
        engine.synthesize(SynthesisRequest(KHMER, "km", "vi"), out)
    assert not engine.can_speak("km")
    with pytest.raises(UnsupportedLanguage):
        engine.default_voice("km")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("text", [KHMER, f"Xin chào {KHMER}", "Chùa ឧត្តម ở xã"])
def test_khmer_script_in_a_vietnamese_request_is_refused(
    engine: EspeakEngine, tmp_path: Path, text: str
) -> None:
    with pytest.raises(UnsupportedLanguage, match="chữ Khmer"):
        engine.synthesize(SynthesisRequest(text, "vi", "vi-vn-x-south"), tmp_path / "s.wav")
    assert files_in(tmp_path) == []


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(engine: EspeakEngine, tmp_path: Path, text: str) -> None:
    with pytest.raises(EngineError, match="Văn bản trống") as caught:
        engine.synthesize(SynthesisRequest(text, "vi", "vi"), tmp_path / "s.wav")
    assert caught.value.engine == "espeak"
    assert files_in(tmp_path) == []


def test_unknown_voice_is_refused(engine: EspeakEngine, tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="Không có giọng đọc 'vi-VN-HoaiMyNeural'"):
        engine.synthesize(SynthesisRequest(TEXT, "vi", "vi-VN-HoaiMyNeural"), tmp_path / "s.wav")
    assert files_in(tmp_path) == []


def test_text_goes_on_stdin_not_argv(engine: EspeakEngine, tmp_path: Path) -> None:
    text = "-v en --help [[h@'loU]] xin chào"
    command = engine.command(SynthesisRequest(text, "vi", "vi"), "vi", tmp_path / "o.wav")
    assert command[-1] == "--stdin"
    assert all(text not in arg for arg in command)
    result = engine.synthesize(SynthesisRequest(text, "vi", "vi"), tmp_path / "o.wav")
    assert probe(result.path).duration_s > 0.5


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    engine = EspeakEngine(binary=str(tmp_path / "no-espeak-here"))
    with pytest.raises(EngineError, match="Chưa cài đặt espeak-ng"):
        engine.synthesize(SynthesisRequest(TEXT, "vi", "vi"), tmp_path / "s.wav")
    assert files_in(tmp_path) == []


def test_an_existing_file_survives_a_failed_render(tmp_path: Path) -> None:
    out = tmp_path / "speech.wav"
    out.write_bytes(b"previous")
    engine = EspeakEngine(binary=str(tmp_path / "no-espeak-here"))
    with pytest.raises(EngineError):
        engine.synthesize(SynthesisRequest(TEXT, "vi", "vi"), out)
    assert out.read_bytes() == b"previous"
    assert files_in(tmp_path) == ["speech.wav"]


def test_a_script_reads_every_segment_in_one_run_with_its_pauses(
    engine: EspeakEngine, tmp_path: Path
) -> None:
    request = SynthesisRequest("", "vi", "vi-vn-x-south")
    short = [("Bà con chú ý.", 300), ("Mưa lớn <sắp> tới & gió mạnh.", 0)]
    long = [("Bà con chú ý.", 2300), ("Mưa lớn <sắp> tới & gió mạnh.", 0)]

    a = probe(engine.synthesize_script(short, request, tmp_path / "a.wav").path).duration_s
    b = probe(engine.synthesize_script(long, request, tmp_path / "b.wav").path).duration_s

    # The markup characters are read as text (escaped), and a longer break is 2 s longer.
    assert b - a == pytest.approx(2.0, abs=0.05)
    assert a > words_seconds("Bà con chú ý Mưa lớn sắp tới gió mạnh", 300)
    assert files_in(tmp_path) == ["a.wav", "b.wav"]


def test_a_script_with_khmer_is_refused_and_writes_nothing(
    engine: EspeakEngine, tmp_path: Path
) -> None:
    request = SynthesisRequest("", "vi", "vi-vn-x-south")
    with pytest.raises(UnsupportedLanguage):
        engine.synthesize_script([("Xin chào.", 300), (KHMER, 0)], request, tmp_path / "k.wav")
    assert files_in(tmp_path) == []
