from __future__ import annotations

from pathlib import Path

import pytest

from media import chain
from media.audio import concat_with_pauses
from media.chain import ClipChainParams, ProcessedClip, process_clip
from media.errors import MediaError
from media.loudness import detect_silence, measure
from media.probe import probe
from tests.media.sounds import band_level_db, convert, lavfi, packet_sizes, speech

TARGET = ClipChainParams()

BULLETIN_VI = (
    "Ủy ban nhân dân xã thông báo lịch tiêm chủng mở rộng cho trẻ em dưới năm tuổi.",
    "Thời gian tiêm từ bảy giờ ba mươi sáng đến mười một giờ trưa ngày thứ bảy.",
    "Do ảnh hưởng của áp thấp nhiệt đới, trong hai ngày tới sẽ có mưa to đến rất to.",
    "Bà con cần chằng chống nhà cửa, không ra khơi đánh bắt cá.",
    "Xin chân thành cảm ơn bà con đã lắng nghe.",
)
BULLETIN_PAUSES_MS = [350, 700, 500, 620, 450]


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real espeak-ng speech, about 12 s: peaky (true peak ~0 dBTP at ~-19 LUFS)."""
    return speech(tmp_path_factory.mktemp("voice") / "voice.wav")


def _outputs(workdir: Path) -> list[str]:
    return sorted(p.name for p in workdir.iterdir())


@pytest.mark.parametrize(
    "level",
    ["volume=0dB", "volume=-25dB", "volume=10dB", "volume=25dB"],
    ids=["as-is", "quiet", "loud", "clipped"],
)
def test_broadcast_meets_loudness_and_true_peak(tmp_path: Path, voice: Path, level: str) -> None:
    # pcm_s16le: a +25 dB boost really clips (flat tops at full scale), as a bad recording would.
    src = convert(voice, tmp_path / "src.wav", "-c:a", "pcm_s16le", filters=level)

    clip = process_clip(src, TARGET, tmp_path)

    measured = measure(clip.broadcast)
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert measured.true_peak_dbtp <= -1.5
    assert (clip.loudness_lufs, clip.true_peak_dbtp) == (
        measured.integrated_lufs,
        measured.true_peak_dbtp,
    )
    assert measure(clip.master).integrated_lufs == pytest.approx(-16.0, abs=1.0)
    assert _outputs(tmp_path) == ["src.broadcast.mp3", "src.master.flac", "src.wav"]


@pytest.mark.parametrize(
    ("voice_name", "speed"),
    [("vi-vn-x-south", 140), ("vi", 140), ("vi-vn-x-central", 140), ("vi-vn-x-south", 175)],
    ids=["south", "north", "central", "south-175wpm"],
)
def test_multi_sentence_bulletin_meets_target(tmp_path: Path, voice_name: str, speed: int) -> None:
    # The commonest input: espeak-ng sentences joined with pauses. Its pulse-like voice needs
    # 11-16 dB of peak limiting and the MP3's true peak jitters; this once failed to converge.
    sentences = [
        speech(tmp_path / f"s{i}.wav", text, voice=voice_name, speed=speed)
        for i, text in enumerate(BULLETIN_VI)
    ]
    src = concat_with_pauses(sentences, BULLETIN_PAUSES_MS, tmp_path / "bulletin.wav")
    work = tmp_path / "work"

    clip = process_clip(src, TARGET, work)

    measured = measure(clip.broadcast)
    assert measured.integrated_lufs == pytest.approx(-16.0, abs=chain.LOUDNESS_TOLERANCE_LU)
    assert measured.true_peak_dbtp <= -1.5
    assert (clip.loudness_lufs, clip.true_peak_dbtp) == (
        measured.integrated_lufs,
        measured.true_peak_dbtp,
    )
    # Pre-roll, then every pause between sentences, at least as long as it went in.
    preroll, *pauses = detect_silence(clip.master, threshold_db=-50, min_silence_s=0.3)
    assert preroll.start_s == 0.0
    assert len(pauses) == len(BULLETIN_VI) - 1
    for pause, inserted_ms in zip(pauses, BULLETIN_PAUSES_MS, strict=False):
        assert pause.end_s - pause.start_s >= inserted_ms / 1000
    assert _outputs(work) == ["bulletin.broadcast.mp3", "bulletin.master.flac"]


def test_house_formats(tmp_path: Path, voice: Path) -> None:
    clip = process_clip(voice, TARGET, tmp_path)

    mp3, flac = probe(clip.broadcast), probe(clip.master)
    assert (mp3.codec, mp3.sample_rate, mp3.channels, mp3.bit_rate) == ("mp3", 24000, 1, 48000)
    # CBR: 48 kbit/s at 24 kHz is exactly 144 bytes per frame, every frame.
    assert packet_sizes(clip.broadcast) == {144}
    assert (flac.codec, flac.sample_rate, flac.channels) == ("flac", 24000, 1)
    assert abs(clip.duration_ms - round(flac.duration_s * 1000)) <= 30


def test_other_house_format(tmp_path: Path, voice: Path) -> None:
    params = ClipChainParams(sample_rate=22050, bitrate_kbps=64)

    clip = process_clip(voice, params, tmp_path)

    mp3 = probe(clip.broadcast)
    assert (mp3.sample_rate, mp3.channels, mp3.bit_rate) == (22050, 1, 64000)
    assert probe(clip.master).sample_rate == 22050


def test_highpass_removes_hum(tmp_path: Path) -> None:
    hum = lavfi(
        tmp_path / "hum.wav",
        "aevalsrc=0.2*sin(2*PI*60*t)+0.2*sin(2*PI*1000*t):s=24000:d=4",
    )
    hum_band = "lowpass=f=90,lowpass=f=90,lowpass=f=90,lowpass=f=90"
    voice_band = "highpass=f=700,highpass=f=700,highpass=f=700,highpass=f=700"

    def hum_below_voice(path: Path) -> float:
        return band_level_db(path, voice_band) - band_level_db(path, hum_band)

    kept = process_clip(hum, ClipChainParams(highpass_hz=0, preroll_ms=0), tmp_path / "off")
    cut = process_clip(hum, ClipChainParams(preroll_ms=0), tmp_path / "on")

    assert abs(hum_below_voice(hum)) < 2  # equal tones going in
    assert abs(hum_below_voice(kept.master)) < 2  # without the filter the hum stays
    assert hum_below_voice(cut.master) > 25


def test_silence_trimmed_and_preroll_added(tmp_path: Path) -> None:
    padded = lavfi(
        tmp_path / "padded.wav",
        "sine=f=440:r=24000:d=2",
        filters="adelay=1000:all=1,apad=pad_dur=1.5",
    )

    trimmed = process_clip(padded, ClipChainParams(preroll_ms=0), tmp_path / "a")
    untrimmed = process_clip(
        padded, ClipChainParams(preroll_ms=0, trim_silence=False), tmp_path / "b"
    )
    prerolled = process_clip(padded, TARGET, tmp_path / "c")

    # 2 s of tone plus the 50 ms kept at each edge.
    assert probe(trimmed.master).duration_s == pytest.approx(2.1, abs=0.03)
    assert probe(untrimmed.master).duration_s == pytest.approx(4.5, abs=0.03)
    assert prerolled.duration_ms - trimmed.duration_ms == pytest.approx(500, abs=30)
    first = detect_silence(prerolled.master, threshold_db=-50, min_silence_s=0.1)[0]
    assert first.start_s == 0.0
    assert first.end_s == pytest.approx(0.55, abs=0.03)


def test_chime_comes_first(tmp_path: Path, voice: Path) -> None:
    chime = lavfi(tmp_path / "chime.wav", "sine=f=880:r=44100:d=1.2", filters="volume=-30dB")
    plain = process_clip(voice, TARGET, tmp_path / "plain")

    clip = process_clip(voice, ClipChainParams(chime=chime), tmp_path / "chimed")

    assert clip.duration_ms - plain.duration_ms == pytest.approx(1200, abs=30)
    assert clip.loudness_lufs == pytest.approx(-16.0, abs=1.0)
    assert clip.true_peak_dbtp <= -1.5
    # The quiet chime was brought up to the house level too (0.5 s pre-roll, then the chime).
    chime_part = tmp_path / "chime_part.wav"
    convert(clip.master, chime_part, filters="atrim=start=0.6:end=1.6")
    assert measure(chime_part).integrated_lufs == pytest.approx(-16.0, abs=1.0)


def test_silent_input_rejected_and_nothing_written(tmp_path: Path) -> None:
    silent = lavfi(tmp_path / "silent.wav", "anullsrc=r=24000:cl=mono:d=3")
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(MediaError, match="^Âm thanh toàn im lặng$") as caught:
        process_clip(silent, TARGET, work)
    assert caught.value.code == "silent"
    assert _outputs(work) == []


def test_non_audio_rejected_and_nothing_written(tmp_path: Path) -> None:
    text = tmp_path / "bulletin.mp3"
    text.write_text("Thông báo lịch tiêm chủng\n", encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(MediaError, match="^Tệp không phải âm thanh$"):
        process_clip(text, TARGET, work)
    assert _outputs(work) == []


def test_failure_while_rendering_leaves_nothing(
    tmp_path: Path, voice: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unreachable tolerance makes the chain give up after rendering once.
    monkeypatch.setattr(chain, "LOUDNESS_TOLERANCE_LU", -1.0)
    monkeypatch.setattr(chain, "MAX_ATTEMPTS", 1)
    work = tmp_path / "work"
    work.mkdir()

    with pytest.raises(MediaError, match=r"^Không đưa được âm lượng về -16 LUFS / -1.5 dBTP"):
        process_clip(voice, TARGET, work)
    assert _outputs(work) == []


def test_too_short_to_normalise(tmp_path: Path) -> None:
    blip = lavfi(tmp_path / "blip.wav", "sine=f=440:r=24000:d=0.2")

    with pytest.raises(MediaError, match=r"^Âm thanh quá ngắn để chuẩn hoá \(dưới 0,4 giây\)$"):
        process_clip(blip, TARGET, tmp_path)


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        (ClipChainParams(sample_rate=23000), "tần số lấy mẫu 23000 Hz"),
        (ClipChainParams(bitrate_kbps=50), "tốc độ bit 50 kbit/s"),
        (ClipChainParams(channels=6), "số kênh 6"),
    ],
    ids=["rate", "bitrate", "channels"],
)
def test_bad_params(tmp_path: Path, params: ClipChainParams, problem: str) -> None:
    with pytest.raises(MediaError, match=f"^Cấu hình chuỗi xử lý không hợp lệ: {problem}$"):
        process_clip(tmp_path / "unused.wav", params, tmp_path)


def test_result_is_frozen(tmp_path: Path, voice: Path) -> None:
    clip = process_clip(voice, TARGET, tmp_path)
    with pytest.raises(AttributeError):
        clip.duration_ms = 0  # type: ignore[misc]
    assert isinstance(clip, ProcessedClip)
