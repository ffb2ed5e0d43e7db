"""Session render: real house-format clips, real ffmpeg, onsets measured on the decoded output."""

from __future__ import annotations

import functools
import hashlib
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from media.chain import ClipChainParams, process_clip
from media.errors import MediaError
from media.mp3frames import read_layout
from media.probe import probe
from media.session import RenderedSession, SessionPart, render_session
from tests.conftest import require_binary
from tests.media.sounds import decoded_seconds, lavfi, speech

# Exactly how media.chain encodes the broadcast file.
HOUSE = ("-c:a", "libmp3lame", "-b:a", "48k", "-ar", "24000", "-ac", "1")
HOUSE += ("-map_metadata", "-1", "-f", "mp3")
TOLERANCE_MS = 50


def _beep(out: Path, freq: int, tone_s: float, tail_s: float = 0.0) -> Path:
    """A tone burst (onset at 0) with `tail_s` of silence inside the clip, in the house format."""
    filters = f"volume=0.5,apad=pad_dur={tail_s}" if tail_s else "volume=0.5"
    return lavfi(out, f"sine=f={freq}:r=24000:d={tone_s}", *HOUSE, filters=filters)


@pytest.fixture(scope="module")
def beeps(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four clips whose lengths are not whole MP3 frames."""
    src = tmp_path_factory.mktemp("beeps")
    specs = [(440, 0.5, 0.0), (660, 0.73, 0.0), (880, 1.31, 0.0), (550, 0.3, 0.45)]
    return [_beep(src / f"beep{i}.mp3", f, d, t) for i, (f, d, t) in enumerate(specs)]


@functools.cache
def _ms(path: Path) -> int:
    """The clip's duration the way media.chain records it: decoded by ffmpeg."""
    return round(decoded_seconds(path) * 1000)


def _gapped(clips: list[Path], gaps_ms: list[int], start_ms: int = 0) -> list[SessionPart]:
    parts, at = [], start_ms
    for clip, gap in zip(clips, gaps_ms, strict=True):
        at += gap
        duration = _ms(clip)
        parts.append(SessionPart(clip, at, duration))
        at += duration
    return parts


def _onsets_ms(path: Path) -> list[float]:
    """Where sound starts after each silence in the decoded file (and at 0 if it starts there)."""
    require_binary("ffmpeg")
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path)]
        + ["-af", "silencedetect=n=-40dB:d=0.2", "-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    starts = [float(x) for x in re.findall(r"silence_start: (\S+)", result.stderr)]
    ends = [float(x) * 1000 for x in re.findall(r"silence_end: (\S+)", result.stderr)]
    end_ms = decoded_seconds(path) * 1000
    onsets = [t for t in ends if t < end_ms - 1]  # a silence running to the end is no onset
    return onsets if starts and starts[0] == 0 else [0.0, *onsets]


def _max_volume_db(path: Path, start_s: float, end_s: float) -> float:
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path), "-af"]
        + [f"atrim=start={start_s}:end={end_s},volumedetect", "-f", "null", "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(re.findall(r"max_volume: (\S+) dB", result.stderr)[0])


def _audio_frames(clip: Path) -> bytes:
    """The clip's audio frames as ffmpeg's demuxer sees them (no ID3 tag, no Info frame)."""
    return subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(clip), "-c", "copy", "-f", "mp3"]
        + ["-write_xing", "0", "-id3v2_version", "0", "-"],
        check=True,
        capture_output=True,
    ).stdout


def _render(
    parts: list[SessionPart],
    tmp_path: Path,
    *,
    sample_rate: int = 24000,
    bitrate_kbps: int = 48,
    timeout_s: float = 120.0,
    progress: Callable[[float], None] | None = None,
) -> RenderedSession:
    return render_session(
        parts,
        tmp_path / "out" / "session.mp3",
        tmp_path / "work",
        sample_rate=sample_rate,
        bitrate_kbps=bitrate_kbps,
        timeout_s=timeout_s,
        progress=progress,
    )


def _assert_on_plan(result: RenderedSession, parts: list[SessionPart]) -> None:
    """Decoded length and every measured onset: within 50 ms of the plan, ~1 ms of the report."""
    planned_end = parts[-1].offset_ms + parts[-1].duration_ms
    decoded_ms = decoded_seconds(result.path) * 1000
    assert abs(decoded_ms - planned_end) <= TOLERANCE_MS
    assert abs(decoded_ms - result.duration_ms) <= 1
    measured = _onsets_ms(result.path)
    assert len(measured) == len(parts)
    for part, onset, reported in zip(parts, measured, result.onsets_ms, strict=True):
        assert abs(onset - part.offset_ms) <= TOLERANCE_MS, (part, onset)
        assert abs(onset - reported) <= 2, (part, onset, reported)


def _leftovers(tmp_path: Path) -> list[str]:
    return sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())


def test_session_is_copied_and_on_plan(tmp_path: Path, beeps: list[Path]) -> None:
    odd = tmp_path / "src" / "tin của xã 'A' -1.mp3"  # quotes, spaces, a leading dash
    odd.parent.mkdir()
    odd.write_bytes(beeps[0].read_bytes())
    parts = _gapped([odd, *beeps[1:]], [0, 1500, 300, 2700])

    result = _render(parts, tmp_path)

    _assert_on_plan(result, parts)
    data = result.path.read_bytes()
    assert (result.sha256, result.size) == (hashlib.sha256(data).hexdigest(), len(data))
    for clip in beeps:  # -c copy: every clip's frames are in the file, byte for byte
        assert _audio_frames(clip) in data
    info = probe(result.path)
    assert (info.codec, info.sample_rate, info.channels) == ("mp3", 24000, 1)
    assert _leftovers(tmp_path / "out") == ["session.mp3"]
    assert _leftovers(tmp_path / "work") == []


def test_lead_in_and_long_gap_are_digital_silence(tmp_path: Path, beeps: list[Path]) -> None:
    # 100 s is longer than one silence piece (4096 frames): the gap is made of two.
    parts = _gapped(beeps[:3], [2500, 100_000, 1500])

    result = _render(parts, tmp_path)

    _assert_on_plan(result, parts)
    gap_start = (parts[0].offset_ms + parts[0].duration_ms) / 1000
    assert _max_volume_db(result.path, 0.0, 2.4) == -91.0  # ffmpeg's floor: all zeros
    assert _max_volume_db(result.path, gap_start + 0.1, gap_start + 99.9) == -91.0


def test_many_items_do_not_drift(tmp_path: Path, beeps: list[Path]) -> None:
    clips = [beeps[i % 3] for i in range(150)]
    parts = _gapped(clips, [0] + [1500] * 149)

    result = _render(parts, tmp_path)

    _assert_on_plan(result, parts)
    measured = _onsets_ms(result.path)
    # Re-aligned to the absolute plan every time: the last items are as close as the first.
    assert max(abs(m - p.offset_ms) for m, p in zip(measured[-20:], parts[-20:], strict=True)) <= 13
    assert _audio_frames(beeps[2]) in result.path.read_bytes()


def test_back_to_back_clips_are_re_encoded_on_plan(tmp_path: Path, beeps: list[Path]) -> None:
    # No gap: copying would add each clip's encoder delay and padding (~70 ms) to the timeline.
    clips = [beeps[3]] * 12
    parts = _gapped(clips, [0] * 12)

    result = _render(parts, tmp_path)

    _assert_on_plan(result, parts)
    assert _audio_frames(beeps[3]) not in result.path.read_bytes()
    info = probe(result.path)
    assert (info.codec, info.sample_rate, info.channels) == ("mp3", 24000, 1)


def test_other_output_format_is_re_encoded(tmp_path: Path, beeps: list[Path]) -> None:
    parts = _gapped(beeps, [600, 1500, 1500, 1500])

    result = _render(parts, tmp_path, sample_rate=22050, bitrate_kbps=64)

    _assert_on_plan(result, parts)
    layout = read_layout(result.path)
    assert layout.fmt == (22050, 1, 64)
    assert _leftovers(tmp_path / "work") == []


def test_real_chain_clip_is_copied(tmp_path: Path, beeps: list[Path]) -> None:
    voice = speech(tmp_path / "voice.wav", "Xin chào bà con, đây là bản tin của xã.")
    clip = process_clip(voice, ClipChainParams(), tmp_path / "chain").broadcast
    parts = _gapped([beeps[0], clip, beeps[1]], [0, 1500, 1500])

    result = _render(parts, tmp_path)

    assert abs(decoded_seconds(result.path) * 1000 - result.duration_ms) <= 1
    assert abs(result.duration_ms - (parts[-1].offset_ms + parts[-1].duration_ms)) <= TOLERANCE_MS
    assert _audio_frames(clip) in result.path.read_bytes()
    measured = _onsets_ms(result.path)
    assert abs(measured[0] - parts[0].offset_ms) <= TOLERANCE_MS
    assert abs(measured[-1] - parts[2].offset_ms) <= TOLERANCE_MS


def test_progress_runs_from_zero_to_one(tmp_path: Path, beeps: list[Path]) -> None:
    seen: list[float] = []

    _render(_gapped(beeps, [0, 1500, 1500, 1500]), tmp_path, progress=seen.append)

    assert seen[0] == 0.0
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_header_layout_matches_ffmpeg(beeps: list[Path]) -> None:
    for clip in beeps:
        layout = read_layout(clip)
        packets = subprocess.run(
            ["ffprobe", "-v", "error", "-count_packets", "-show_entries"]
            + ["stream=nb_read_packets", "-of", "csv=p=0", str(clip)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert layout.frames == int(packets.strip().strip(","))
        assert layout.fmt == (24000, 1, 48)
        assert layout.start_skip == 1105  # libmp3lame's 576 + the decoder's 529
        assert round(layout.decoded_samples / 24) == _ms(clip)


def _bad_inputs(src: Path, beeps: list[Path]) -> dict[str, tuple[list[SessionPart], str, str]]:
    """name -> (parts, expected code, words the message must contain)."""
    a, b = beeps[0], beeps[1]
    da, db = _ms(a), _ms(b)
    text = src / "notes.mp3"
    text.write_text("không phải âm thanh\n" * 50, encoding="utf-8")
    cut = src / "cut.mp3"
    cut.write_bytes(b.read_bytes()[: b.stat().st_size * 2 // 3])
    cd = lavfi(src / "cd.mp3", "sine=f=300:r=44100:d=1", "-c:a", "libmp3lame", "-b:a", "128k")
    wav = lavfi(src / "tone.wav", "sine=f=300:r=24000:d=1")
    missing = src / "gone.mp3"

    def session(middle: Path, duration: int) -> list[SessionPart]:
        return [
            SessionPart(a, 0, da),
            SessionPart(middle, 2000, duration),
            SessionPart(b, 5000, db),
        ]

    return {
        "empty": ([], "bad_input", "không có mục nào"),
        "unsorted": (
            [SessionPart(a, 3000, da), SessionPart(b, 0, db)],
            "bad_input",
            "chưa được sắp",
        ),
        "overlap": (
            [SessionPart(a, 0, da), SessionPart(b, da - 100, db)],
            "bad_input",
            "chồng lên mục 1 100 ms",
        ),
        "negative offset": ([SessionPart(a, -5, da)], "bad_input", "không hợp lệ"),
        "missing clip": (session(missing, 1000), "not_found", "gone.mp3"),
        "not audio": (session(text, 1000), "bad_input", "notes.mp3 không phải MP3"),
        "truncated": (session(cut, db), "bad_input", "cut.mp3 bị cắt cụt"),
        "other format": (session(cd, 1000), "bad_input", "cd.mp3 khác định dạng"),
        "wav": (session(wav, 1000), "bad_input", "tone.wav không phải MP3"),
        "wrong duration": (session(b, db + 400), "bad_input", "khác thời lượng ghi nhận"),
    }


BAD = [
    "empty",
    "unsorted",
    "overlap",
    "negative offset",
    "missing clip",
    "not audio",
    "truncated",
    "other format",
    "wav",
    "wrong duration",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_refused_and_leaves_nothing(
    tmp_path: Path, beeps: list[Path], case: str
) -> None:
    src = tmp_path / "src"
    src.mkdir()
    parts, code, words = _bad_inputs(src, beeps)[case]

    with pytest.raises(MediaError) as caught:
        _render(parts, tmp_path)

    assert caught.value.code == code
    assert words in caught.value.message
    assert not (tmp_path / "out" / "session.mp3").exists()
    assert [p for p in _leftovers(tmp_path) if not p.startswith("src/")] == []


def test_bad_output_format_is_refused(tmp_path: Path, beeps: list[Path]) -> None:
    with pytest.raises(MediaError) as caught:
        _render(_gapped(beeps[:1], [0]), tmp_path, sample_rate=23000)

    assert caught.value.code == "bad_input"
    assert "23000 Hz" in caught.value.message
    assert _leftovers(tmp_path) == []


def test_corrupt_clip_body_fails_and_keeps_previous_file(tmp_path: Path, beeps: list[Path]) -> None:
    # Header intact, size intact, 3 KB of noise inside: only the output's frame count tells.
    bad = tmp_path / "src" / "noisy.mp3"
    bad.parent.mkdir()
    intact = _beep(tmp_path / "src" / "intact.mp3", 500, 3.0)
    data = bytearray(intact.read_bytes())
    noise = hashlib.sha256(b"x").digest() * 93 + bytes(24)
    data[len(data) // 2 : len(data) // 2 + 3000] = noise
    bad.write_bytes(bytes(data))
    dst = tmp_path / "out" / "session.mp3"
    dst.parent.mkdir()
    dst.write_bytes(b"previous session")
    good = _gapped([beeps[0], intact, beeps[1]], [0, 1500, 1500])  # as recorded before the damage
    parts = [good[0], SessionPart(bad, good[1].offset_ms, good[1].duration_ms), good[2]]

    with pytest.raises(MediaError) as caught:
        _render(parts, tmp_path)

    assert caught.value.code == "bad_output"
    assert "tệp nguồn hỏng" in caught.value.message
    assert dst.read_bytes() == b"previous session"
    assert _leftovers(tmp_path / "out") == ["session.mp3"]
    assert _leftovers(tmp_path / "work") == []


def test_timeout_stops_ffmpeg_and_leaves_nothing(tmp_path: Path, beeps: list[Path]) -> None:
    with pytest.raises(MediaError) as caught:
        _render(_gapped(beeps, [0, 1500, 1500, 1500]), tmp_path, timeout_s=0.001)

    assert caught.value.code == "timeout"
    assert "0.001 giây" in caught.value.message
    assert _leftovers(tmp_path) == []
