from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from media.errors import MediaError
from media.recording import inspect_recording
from tests.media.sounds import convert, lavfi, speech

MAX_S = 900.0
MAX_BYTES = 50 * 1024 * 1024


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speech(
        tmp_path_factory.mktemp("rec") / "voice.wav",
        "Bà con chú ý, sáng mai xã tổ chức tiêm chủng.",
    )


def _rejected(path: Path, *, max_s: float = MAX_S, max_bytes: int = MAX_BYTES) -> MediaError:
    with pytest.raises(MediaError) as caught:
        inspect_recording(path, max_s, max_bytes)
    return caught.value


@pytest.mark.parametrize(
    ("name", "args", "codec", "rate"),
    [
        ("r.mp3", ["-c:a", "libmp3lame", "-b:a", "64k"], "mp3", 22050),
        ("r.wav", ["-c:a", "pcm_s16le", "-ar", "44100"], "pcm_s16le", 44100),
        ("r.ogg", ["-c:a", "libopus", "-b:a", "32k"], "opus", 48000),
        ("r.m4a", ["-c:a", "aac", "-b:a", "64k"], "aac", 22050),
        ("r.flac", ["-c:a", "flac"], "flac", 22050),
        ("r.webm", ["-c:a", "libopus"], "opus", 48000),
        ("r11k.wav", ["-ar", "11025"], "pcm_s16le", 11025),  # odd rate: resampled later
    ],
    ids=["mp3", "wav", "ogg-opus", "m4a-aac", "flac", "webm-opus", "wav-11025"],
)
def test_valid_formats_accepted(
    tmp_path: Path, voice: Path, name: str, args: list[str], codec: str, rate: int
) -> None:
    path = convert(voice, tmp_path / name, *args)

    info = inspect_recording(path, MAX_S, MAX_BYTES)

    assert (info.codec, info.sample_rate, info.channels) == (codec, rate, 1)
    assert info.duration_s == pytest.approx(3.0, abs=1.5)
    assert info.size_bytes == path.stat().st_size


def test_mp3_with_cover_art_accepted(tmp_path: Path, voice: Path) -> None:
    cover = lavfi(tmp_path / "cover.png", "color=c=red:s=32x32", "-frames:v", "1")
    mp3 = convert(voice, tmp_path / "plain.mp3", "-b:a", "64k")
    tagged = tmp_path / "tagged.mp3"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(mp3), "-i", str(cover), "-map", "0", "-map", "1"]
        + ["-c", "copy", "-disposition:v", "attached_pic", str(tagged)],
        check=True,
    )

    assert inspect_recording(tagged, MAX_S, MAX_BYTES).codec == "mp3"


def test_text_renamed_mp3(tmp_path: Path) -> None:
    path = tmp_path / "ban-tin.mp3"
    path.write_text("Thông báo: UBND xã họp lúc 8 giờ.\n" * 50, encoding="utf-8")

    error = _rejected(path)

    assert (str(error), error.code) == ("Tệp không phải âm thanh", "not_audio")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("cut.mp3", ["-b:a", "64k"]),
        ("cut.flac", ["-c:a", "flac"]),
        ("cut.m4a", ["-c:a", "aac"]),
    ],
    ids=["mp3", "flac", "m4a"],
)
def test_truncated(tmp_path: Path, voice: Path, name: str, args: list[str]) -> None:
    whole = convert(voice, tmp_path / f"whole{Path(name).suffix}", *args)
    data = whole.read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: len(data) // 2])

    error = _rejected(cut)

    assert str(error).startswith("Tệp âm thanh bị cắt cụt")
    assert error.code == "truncated"


def test_truncated_wav_on_a_sample_boundary(tmp_path: Path, voice: Path) -> None:
    # ffmpeg decodes this cleanly: only the header's data size shows it is cut.
    data = voice.read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(data[: 44 + (len(data) - 44) // 4 * 2])

    error = _rejected(cut)

    assert (str(error), error.code) == ("Tệp âm thanh bị cắt cụt", "truncated")


def test_zero_length(tmp_path: Path) -> None:
    path = tmp_path / "empty.m4a"
    path.touch()

    assert str(_rejected(path)) == "Tệp rỗng (0 byte)"


def test_two_hour_recording(tmp_path: Path) -> None:
    # Two hours of 8 kHz silence compress to ~1.3 MB of FLAC and encode in about half a second.
    long = lavfi(tmp_path / "long.flac", "anullsrc=r=8000:cl=mono", "-t", "7200", "-c:a", "flac")

    error = _rejected(long)

    assert str(error) == "Bản ghi dài 7200 giây, vượt giới hạn 900 giây"
    assert error.code == "too_long"


def test_too_large(tmp_path: Path, voice: Path) -> None:
    wav = convert(voice, tmp_path / "big.wav", "-ar", "48000")  # ~300 KB

    error = _rejected(wav, max_bytes=100 * 1024)

    assert re.fullmatch(r"Tệp nặng \d+ KB, vượt giới hạn 100 KB", str(error))
    assert error.code == "too_large"


def test_silence(tmp_path: Path) -> None:
    quiet = lavfi(tmp_path / "quiet.mp3", "anoisesrc=r=24000:a=0.001:d=5", "-b:a", "48k")

    error = _rejected(quiet)

    assert (str(error), error.code) == ("Bản ghi toàn im lặng", "silent")


def test_sample_rate_too_low(tmp_path: Path) -> None:
    low = lavfi(tmp_path / "low.wav", "sine=f=440:r=4000:d=2")

    error = _rejected(low)

    assert str(error) == "Tần số lấy mẫu 4000 Hz quá thấp (tối thiểu 8000 Hz)"


def test_video_only_and_video_with_sound(tmp_path: Path, voice: Path) -> None:
    picture = "testsrc=size=64x48:rate=5:duration=2"
    video = lavfi(tmp_path / "v.mkv", picture, "-c:v", "mpeg4")
    both = tmp_path / "both.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(video), "-i", str(voice), "-c:v", "copy"]
        + ["-c:a", "libopus", "-shortest", str(both)],
        check=True,
    )

    assert str(_rejected(video)) == "Tệp chỉ có hình ảnh, không có âm thanh"
    assert str(_rejected(both)) == "Tệp có hình ảnh (video); chỉ nhận tệp âm thanh"


def test_unsupported_codec(tmp_path: Path, voice: Path) -> None:
    ac3 = convert(voice, tmp_path / "r.ac3", "-c:a", "ac3", "-ar", "48000")

    error = _rejected(ac3)

    assert str(error) == (
        "Định dạng không được hỗ trợ (ac3, ac3); hãy dùng MP3, WAV, OGG/Opus, M4A hoặc FLAC"
    )
    assert error.code == "unsupported"
