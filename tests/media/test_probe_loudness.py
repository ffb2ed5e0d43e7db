from __future__ import annotations

import math
from pathlib import Path

import pytest

from media.errors import MediaError
from media.loudness import Silence, detect_silence, is_silent, measure
from media.probe import probe
from tests.media.sounds import lavfi


def test_probe_mp3(tmp_path: Path) -> None:
    mp3 = lavfi(tmp_path / "a.mp3", "sine=f=440:r=24000:d=2", "-ac", "1", "-b:a", "48k")

    info = probe(mp3)

    assert (info.codec, info.sample_rate, info.channels) == ("mp3", 24000, 1)
    assert (info.format_name, info.bit_rate, info.has_video) == ("mp3", 48000, False)
    assert info.size_bytes == mp3.stat().st_size
    assert abs(info.duration_s - 2.0) < 0.1


@pytest.mark.parametrize(
    ("content", "message", "code"),
    [
        (b"", "Tệp rỗng (0 byte)", "empty"),
        ("Thông báo của UBND xã\n".encode(), "Tệp không phải âm thanh", "not_audio"),
    ],
    ids=["empty", "text"],
)
def test_probe_rejects(tmp_path: Path, content: bytes, message: str, code: str) -> None:
    path = tmp_path / "x.mp3"
    path.write_bytes(content)

    with pytest.raises(MediaError) as caught:
        probe(path)
    assert (str(caught.value), caught.value.code) == (message, code)


def test_probe_missing_and_directory(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="^Không tìm thấy tệp: nope.wav$"):
        probe(tmp_path / "nope.wav")
    with pytest.raises(MediaError, match="^Không phải tệp: "):
        probe(tmp_path)


def test_probe_video_without_sound(tmp_path: Path) -> None:
    video = lavfi(tmp_path / "v.mkv", "testsrc=size=64x48:rate=5:duration=1", "-c:v", "mpeg4")

    with pytest.raises(MediaError, match="^Tệp chỉ có hình ảnh, không có âm thanh$"):
        probe(video)


def test_measure_reference_tone(tmp_path: Path) -> None:
    # A 1 kHz sine at -20 dBFS in one channel reads -23 LUFS (EBU R128 / ITU-R BS.1770).
    tone = lavfi(tmp_path / "t.wav", "aevalsrc=0.1*sin(2*PI*1000*t):s=48000:d=5")

    loudness = measure(tone)

    assert loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert loudness.true_peak_dbtp == pytest.approx(-20.0, abs=0.1)
    assert loudness.lra == pytest.approx(0.0, abs=0.1)


def test_measure_digital_silence(tmp_path: Path) -> None:
    silence = lavfi(tmp_path / "s.wav", "anullsrc=r=24000:cl=mono:d=2")

    loudness = measure(silence)

    assert loudness.integrated_lufs == -70.0
    assert loudness.true_peak_dbtp == -math.inf


def test_detect_silence(tmp_path: Path) -> None:
    padded = lavfi(
        tmp_path / "p.wav",
        "sine=f=440:r=24000:d=2",
        filters="adelay=1000:all=1,apad=pad_dur=1.5",
    )

    found = detect_silence(padded, threshold_db=-50)

    assert len(found) == 2
    assert found[0] == Silence(0.0, pytest.approx(1.0, abs=0.01))
    assert found[1] == Silence(pytest.approx(3.0, abs=0.01), pytest.approx(4.5, abs=0.01))


def test_is_silent(tmp_path: Path) -> None:
    quiet = lavfi(tmp_path / "q.wav", "aevalsrc=0.001*sin(2*PI*440*t):s=24000:d=1")  # -60 dBFS
    assert is_silent(lavfi(tmp_path / "n.wav", "anullsrc=r=24000:cl=mono:d=1"))
    assert not is_silent(lavfi(tmp_path / "s.wav", "sine=f=440:r=24000:d=1"))
    assert is_silent(quiet, threshold_db=-50)
    assert not is_silent(quiet, threshold_db=-70)
