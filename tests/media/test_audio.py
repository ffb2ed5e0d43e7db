from __future__ import annotations

import re
from pathlib import Path

import pytest

from media import audio
from media.audio import concat_with_pauses
from media.errors import MediaError
from media.probe import probe
from tests.media.sounds import decoded_seconds, lavfi, speech


@pytest.fixture
def segments(tmp_path: Path) -> list[Path]:
    """An edge-tts-like MP3, an espeak-ng WAV and a 48 kHz stereo OGG: mixed on purpose."""
    mp3 = lavfi(tmp_path / "a.mp3", "sine=f=440:r=24000:d=1.3", "-ac", "1", "-b:a", "48k")
    wav = speech(tmp_path / "b.wav", "Xin chào bà con.")
    ogg = lavfi(tmp_path / "c.ogg", "sine=f=660:r=48000:d=2.1", "-ac", "2", "-c:a", "libvorbis")
    return [mp3, wav, ogg]


def test_concat_duration_is_segments_plus_pauses(tmp_path: Path, segments: list[Path]) -> None:
    pauses = [300, 0, 450]
    out = concat_with_pauses(segments, pauses, tmp_path / "out" / "joined.wav")

    expected = sum(decoded_seconds(s) for s in segments) + sum(pauses) / 1000
    info = probe(out)
    assert abs(info.duration_s - expected) <= 0.03
    assert (info.codec, info.channels, info.sample_rate) == ("pcm_s16le", 1, 24000)
    assert sorted(p.name for p in out.parent.iterdir()) == ["joined.wav"]


def test_concat_other_sample_rate(tmp_path: Path, segments: list[Path]) -> None:
    out = concat_with_pauses(segments[:1], [1000], tmp_path / "one.wav", sample_rate=16000)

    info = probe(out)
    assert info.sample_rate == 16000
    assert abs(info.duration_s - 2.3) <= 0.03


def test_concat_many_segments_joins_in_groups(
    tmp_path: Path, segments: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio, "MAX_INPUTS_PER_RUN", 4)  # exercise grouping without 65 inputs
    many = segments * 4
    out = concat_with_pauses(many, [100] * len(many), tmp_path / "many.wav")

    expected = sum(decoded_seconds(s) for s in many) + 0.1 * len(many)
    assert abs(probe(out).duration_s - expected) <= 0.03
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.mp3", "b.wav", "c.ogg", "many.wav"]


@pytest.mark.parametrize(
    ("pauses", "message"),
    [
        ([0, 0], "Số khoảng nghỉ (2) khác số đoạn âm thanh (3)"),
        ([0, -5, 0], "Khoảng nghỉ không được âm"),
    ],
    ids=["count", "negative"],
)
def test_concat_rejects_bad_pauses(
    tmp_path: Path, segments: list[Path], pauses: list[int], message: str
) -> None:
    with pytest.raises(MediaError, match=re.escape(message)):
        concat_with_pauses(segments, pauses, tmp_path / "x.wav")
    assert not (tmp_path / "x.wav").exists()


def test_concat_rejects_empty_list(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="Không có đoạn âm thanh nào để ghép"):
        concat_with_pauses([], [], tmp_path / "x.wav")


def test_concat_names_the_bad_segment_and_leaves_nothing(
    tmp_path: Path, segments: list[Path]
) -> None:
    text = tmp_path / "note.mp3"
    text.write_text("đây không phải âm thanh\n", encoding="utf-8")
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    with pytest.raises(MediaError, match=r"^note\.mp3: Tệp không phải âm thanh$") as caught:
        concat_with_pauses([segments[0], text], [0, 0], out_dir / "x.wav")
    assert caught.value.code == "not_audio"
    assert list(out_dir.iterdir()) == []


def test_concat_missing_segment(tmp_path: Path, segments: list[Path]) -> None:
    with pytest.raises(MediaError, match="Không tìm thấy tệp: gone.wav") as caught:
        concat_with_pauses([segments[0], tmp_path / "gone.wav"], [0, 0], tmp_path / "x.wav")
    assert caught.value.code == "not_found"
